"""The download handler behind ``CBECWATCH_CUSTOMS_BROWSER=1`` (see :mod:`crawler.browser`); imported
only when that setting is on, because it needs scrapy-playwright."""

from __future__ import annotations

from typing import Any

from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.mirror.handler import mirror_url


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, mirror-aware, reporting a solved challenge as 200."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.mirror = crawler.settings.get("CBECWATCH_MIRROR_URL")

    async def download_request(self, request: Request) -> Response:
        real_url = request.url
        if self.mirror:
            request = request.replace(url=mirror_url(real_url, self.mirror))
        response = await super().download_request(request)
        status = response.status
        if "playwright" in response.flags and status == 412 and b"__jsl_clearance" not in response.body:
            status = 200  # the browser ran the challenge script: the content is the page itself
        return response.replace(url=real_url, request=request.replace(url=real_url), status=status)
