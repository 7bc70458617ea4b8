"""Charset of a page: the HTTP header, then ``<meta charset>`` / ``http-equiv``, then the content.

Scrapy already reads the header and the meta tag (and w3lib maps GB2312/GBK to GB18030, its
superset, so characters outside GB2312 do not turn into mojibake). What it lacks is the last step:
a page that declares nothing is decoded as ASCII with replacement characters. Government sites
serve such pages (2017-era MOF pages were GB2312 with no header charset), so this downloader
middleware sniffs them: strict UTF-8 first, else GB18030. A source may also force a charset
(``encoding`` on the spider class, or ``encoding`` in a declared source).
"""

from __future__ import annotations

import codecs
import functools
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Scrapy is imported by the middleware's users; decoding a file needs none of it
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response, TextResponse

log = logging.getLogger(__name__)
NOT_TEXT = "%s: declared charset %r is unknown or not a text encoding; decoded as %s (detected from the content)"


def text_codec(name: str | None) -> str | None:
    """The canonical name of ``name`` when it is a text encoding Python has; None for an unknown
    name and for codecs that are not text encodings (``rot13``, ``base64``, ``zlib``, ``hex`` …), which
    ``bytes.decode`` refuses with a LookupError. A page may declare any of them."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError):
        return None
    # CPython marks the str<->str and bytes<->bytes codecs so; bytes.decode checks the same flag.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name if _decodes_any_bytes(info.name) else None


# Bytes no page promises to be valid in its declared codec (a BOM, a stray high byte, NUL, cut UTF-8).
_PROBE = b"\xff\xfe<a>\x80\x00\xe4\xb8"


@functools.cache
def _decodes_any_bytes(codec: str) -> bool:
    """Whether ``codec`` decodes arbitrary bytes with ``errors="replace"``, as decode_page and Scrapy
    do. Some text codecs cannot: ``idna`` and ``undefined`` refuse the error handler, ``punycode``
    raises on a non-ASCII byte; a page declaring one of them must fall back to detection too."""
    try:
        _PROBE.decode(codec, "replace")
    except (UnicodeError, ValueError, TypeError, LookupError):
        return False
    return True


def decode_page(body: bytes, encoding: str | None, url: str | None = None) -> str:
    """``body`` decoded with ``encoding`` when that is a text encoding, else with the detected one
    (one warning line naming the URL); undecodable bytes become U+FFFD, never an exception."""
    codec = text_codec(encoding or "utf-8")
    if codec is None:
        codec = sniff_encoding(body)
        log.warning(NOT_TEXT, url or "page", encoding, codec)
    return body.decode(codec, errors="replace")


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
        from scrapy.http import TextResponse
        from w3lib.encoding import resolve_encoding

        if not isinstance(response, TextResponse):
            return response
        forced = getattr(self.crawler.spider, "encoding", None)
        if forced:
            codec = text_codec(resolve_encoding(forced) or forced)
            if codec:
                return response.replace(encoding=codec)
            self._not_text(response, forced)
            return response.replace(encoding=sniff_encoding(response.body))
        explicit = text_codec(response._encoding)  # given by whoever built the response
        if explicit:
            return response
        declared, label = declared_encoding(response)
        if declared:  # header, BOM or meta: Scrapy's own reading is right
            return response
        if label:  # it named a codec that decodes no text (rot13, base64 …) or none at all
            self._not_text(response, label)
        return response.replace(encoding=sniff_encoding(response.body))

    def _not_text(self, response: Response, label: str) -> None:
        detected = sniff_encoding(response.body)
        log.warning(NOT_TEXT, response.url, label, detected)


def declared_encoding(response: TextResponse) -> tuple[str | None, str | None]:
    """``(codec, None)`` for the encoding the BOM, the header or the ``<meta>`` declares when it is a
    text encoding; ``(None, label)`` when the first one declared is not (Scrapy would raise on
    ``.text``); ``(None, None)`` when nothing is declared."""
    for reader in (response._bom_encoding, response._headers_encoding, response._body_declared_encoding):
        try:
            label = reader()
        except LookupError as exc:  # w3lib resolved a declared name that is no text codec
            return None, str(exc).split("'")[1] if "'" in str(exc) else str(exc)
        if label:
            codec = text_codec(label)
            return (codec, None) if codec else (None, label)
    return None, None
