"""The parts of incremental, polite crawling that need no crawl: charset sniffing, backoff, which
notices are revisited, and how a run's counts become a verdict."""

from __future__ import annotations

import datetime as dt
import random

from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings

from crawler.encoding import CharsetMiddleware, sniff_encoding
from crawler.health import BLOCKED, EMPTY_ANSWER, SourceHealth
from crawler.incremental import KnownNotice, due_for_revisit, url_key
from crawler.politeness import backoff_delay

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TEXT = "财政部 海关总署关于跨境电子商务零售进口税收政策的通知〔2016〕"


class _Crawler:
    spider = None


def decode(body: bytes, headers: dict[str, str] | None = None) -> str:
    response = HtmlResponse("https://gss.mof.gov.cn/a.htm", body=body, headers=headers or {})
    return CharsetMiddleware(_Crawler()).process_response(Request(response.url), response).text  # type: ignore[arg-type]


def test_charset_from_header_meta_or_sniffed_content() -> None:
    page = f"<html><body><p>{TEXT}</p></body></html>"
    assert TEXT in decode(page.encode("gbk"), {"Content-Type": "text/html; charset=GB2312"})
    meta = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>{page}'
    assert TEXT in decode(meta.encode("gbk"))
    assert TEXT in decode(page.encode("gbk"))  # nothing declared: sniffed as GB18030
    assert TEXT in decode(page.encode("utf-8"))
    assert sniff_encoding(page.encode("gbk")) == "gb18030" and sniff_encoding(b"plain") == "utf-8"


def test_gb2312_pages_are_read_as_gb18030_so_rarer_characters_survive() -> None:
    rare = "<html><body>镕</body></html>"  # in GBK, not in GB2312
    assert "镕" in decode(rare.encode("gbk"), {"Content-Type": "text/html; charset=gb2312"})


def test_backoff_doubles_with_jitter_and_can_be_switched_off() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(2.0, attempt, rng) for attempt in (1, 2, 3)]
    assert 1.5 <= delays[0] <= 2.5 and 3.0 <= delays[1] <= 5.0 and 6.0 <= delays[2] <= 10.0
    assert backoff_delay(0, 3) == 0


def known(url: str, published: dt.date | None, seen_hours_ago: float) -> KnownNotice:
    return KnownNotice(url, "t", None, published, '"e"', None, NOW - dt.timedelta(hours=seen_hours_ago))


def test_revisits_are_recent_not_just_seen_least_recently_seen_first_and_bounded() -> None:
    settings = Settings({"CBECWATCH_REVISIT_DAYS": 30, "CBECWATCH_REVISIT_MAX": 2,
                         "CBECWATCH_REVISIT_AFTER_HOURS": 24})
    recent = NOW.date() - dt.timedelta(days=3)
    notices = [known("a", recent, 30), known("b", recent, 100), known("c", recent, 2),
               known("d", NOW.date() - dt.timedelta(days=90), 500), known("e", None, 500), known("f", recent, 50)]
    assert [n.url for n in due_for_revisit(notices, settings, NOW)] == ["b", "f"]
    assert due_for_revisit(notices, Settings({"CBECWATCH_REVISIT_MAX": 0}), NOW) == []


def test_urls_are_compared_without_scheme() -> None:
    assert url_key("http://www.customs.gov.cn/a/") == url_key("https://www.customs.gov.cn/a")


def test_verdicts() -> None:
    unchanged = SourceHealth("s")
    unchanged.list_page_unchanged()
    assert unchanged.verdict() == ("ok", None)

    throttled = SourceHealth("s")
    throttled.list_page_unchanged()
    throttled.note_empty("u", "empty answer for one keyword")
    assert throttled.verdict() == ("ok", None)  # another list answered: one empty query is not breakage

    blocked = SourceHealth("s")
    blocked.record(BLOCKED, "u", "blocked by host: HTTP 412", on_list=True)
    assert blocked.verdict() == ("blocked", "blocked by host: HTTP 412")

    empty = SourceHealth("s")
    empty.note_empty("u", "API gave an empty answer")
    assert empty.verdict() == ("empty", "API gave an empty answer")
    assert EMPTY_ANSWER == "empty_answer"
