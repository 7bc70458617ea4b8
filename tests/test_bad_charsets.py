"""A page declaring a charset that is unknown or no text encoding (``rot13``, ``base64``) is decoded with
the detected one and said so in one warning line naming its URL; nothing raises (issue 12, item 6).
The pages are SYNTHETIC."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.encoding import CharsetMiddleware, decode_page, text_codec
from crawler.extraction.cli import decode_document, run
from crawler.facts import stored_document

TEXT = "海关总署关于跨境电子商务零售进口商品清单调整的公告"
URL = "https://gss.mof.gov.cn/a.htm"


class _Crawler:
    spider = None


def _page(charset: str) -> str:
    return f'<html><head><meta charset="{charset}"><title>{TEXT}</title></head><body><p>{TEXT}</p></body></html>'


def _through_middleware(body: bytes, headers: dict[str, str] | None = None) -> HtmlResponse:
    response = HtmlResponse(URL, body=body, headers=headers or {})
    return CharsetMiddleware(_Crawler()).process_response(Request(URL), response)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "hex", "bz2", "no-such-charset"])
@pytest.mark.parametrize("encoded", ["gbk", "utf-8"])
def test_a_page_declaring_a_non_text_charset_is_read_with_the_detected_one(
        charset: str, encoded: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="crawler.encoding"):
        response = _through_middleware(_page(charset).encode(encoded))
        assert TEXT in response.text
    assert response.encoding == ("gb18030" if encoded == "gbk" else "utf-8")
    if charset != "no-such-charset":  # Scrapy ignores an unknown name by itself; a non-text codec it raises on
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 1 and URL in lines[0] and "not a text encoding" in lines[0]


def test_a_non_text_charset_in_the_http_header_is_ignored_too(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="crawler.encoding"):
        response = _through_middleware(_page("gbk").encode("gbk"), {"Content-Type": "text/html; charset=rot13"})
        assert TEXT in response.text
    assert any(URL in r.getMessage() and "rot" in r.getMessage() for r in caplog.records)


def test_scrapy_alone_raises_on_a_rot13_page() -> None:
    """Why the middleware checks: without it the spider's first ``.text`` ends the callback."""
    with pytest.raises(LookupError):
        HtmlResponse(URL, body=_page("rot13").encode("utf-8")).text  # noqa: B018


def test_text_codec_tells_text_encodings_from_other_codecs() -> None:
    assert text_codec("GBK") == "gbk" and text_codec("utf8") == "utf-8"
    assert text_codec("rot13") is None and text_codec("base64") is None and text_codec("nonsense") is None
    assert text_codec(None) is None


def test_extract_command_reads_a_rot13_page_and_names_the_file(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "notice.html"
    path.write_bytes(_page("rot13").encode("gbk"))
    with caplog.at_level(logging.WARNING, logger="crawler.encoding"):
        facts = run(str(path))
    assert facts["title"] == TEXT
    assert [r.getMessage() for r in caplog.records if str(path) in r.getMessage()]
    assert TEXT in decode_document(_page("base64").encode("gbk"), "x.html")


def test_a_stored_page_with_a_non_text_encoding_is_still_re_extracted() -> None:
    document, is_html = stored_document(_page("rot13").encode("gbk"), "rot13", "")
    assert is_html and TEXT in document
    assert TEXT in decode_page(TEXT.encode("utf-8"), "rot-13", URL)
