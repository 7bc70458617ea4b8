"""Charset of a page: the HTTP header, then ``<meta charset>`` / ``http-equiv``, then the content.

Scrapy already reads the header and the meta tag (and w3lib maps GB2312/GBK to GB18030, its
superset, so characters outside GB2312 do not turn into mojibake). What it lacks is the last step:
a page that declares nothing is decoded as ASCII with replacement characters. Government sites
serve such pages (2017-era MOF pages were GB2312 with no header charset), so this downloader
middleware sniffs them: strict UTF-8 first, else GB18030. A source may also force a charset
(``encoding`` on the spider class, or ``encoding`` in a declared source).
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import resolve_encoding


def sniff_encoding(body: bytes) -> str:
    """``utf-8`` when the bytes decode strictly as UTF-8, else ``gb18030`` (Chinese sites' other
    encoding; GB18030 decodes every GBK and GB2312 byte sequence)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


class CharsetMiddleware:
    """Gives every text response a trustworthy encoding before any callback reads ``.text``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        forced = getattr(self.crawler.spider, "encoding", None)
        if forced:
            return response.replace(encoding=resolve_encoding(forced) or forced)
        if response._declared_encoding():  # header, BOM or meta: Scrapy's own reading is right
            return response
        return response.replace(encoding=sniff_encoding(response.body))
