"""Only a source's own hosts can speak for it: off-site rows and redirects never become notices.

Each spider allows its ``home`` host (and its subdomains, Scrapy's rule) plus the hosts it declares in
``allowed_hosts``. Scrapy's own :class:`~scrapy.downloadermiddlewares.offsite.OffsiteMiddleware`
enforces that on every request, but drops what it filters without a word; a monitor must *say* that a
list row pointed elsewhere or that a page redirected to another host (a hijacked or retired section
looks exactly like that). So list rows are checked before they are followed (the base spider counts
them), and :class:`OffsiteRedirectMiddleware` turns a redirect to another host into a reported failure
of the request that was redirected, before Scrapy's redirect handling would follow it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class OffsiteAnswer(IgnoreRequest):
    """A request was answered from (or sent towards) a host its source does not own."""


def host_allowed(url: str, hosts: Iterable[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return bool(host) and any(host == allowed or host.endswith("." + allowed) for allowed in hosts)


class OffsiteRedirectMiddleware:
    """Sits below Scrapy's RedirectMiddleware (a higher number), so it sees each 3xx first."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        hosts = getattr(self.crawler.spider, "allowed_domains", None)
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location or not hosts:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        if not host_allowed(target, hosts):
            raise OffsiteAnswer(f"off-site redirect: {request.url} → {target}")
        return response
