"""A Scrapy download handler that fetches every http(s) URL from the local mirror.

Rewriting at the download-handler level (and not in a middleware) keeps the real URL everywhere
else: robots.txt per host, per-host delay slots, cookies per domain, redirects and the URLs stored
in the database all behave exactly as against the real sites. ``https://www.gov.cn/a/b.htm?x=1``
is fetched as ``http://127.0.0.1:N/www.gov.cn/a/b.htm?x=1``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler


def mirror_url(url: str, mirror: str) -> str:
    parts = urlsplit(url)
    target = f"{mirror.rstrip('/')}/{parts.hostname}{parts.path or '/'}"
    return f"{target}?{parts.query}" if parts.query else target


class MirrorDownloadHandler(BaseDownloadHandler):
    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.mirror = crawler.settings.get("CBECWATCH_MIRROR_URL")
        if not self.mirror:
            raise NotConfigured("CBECWATCH_MIRROR_URL is not set")
        self.inner = build_from_crawler(HTTP11DownloadHandler, crawler)

    async def download_request(self, request: Request) -> Response:
        response = await self.inner.download_request(request.replace(url=mirror_url(request.url, self.mirror)))
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await self.inner.close()
