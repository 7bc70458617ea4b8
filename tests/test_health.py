"""How failures are named and how a source's run is judged."""

from __future__ import annotations

import pytest
from scrapy import exceptions as scrapy_errors
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawler.health import SourceHealth, describe_failure

REQUEST = Request("https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json")


def failure_of(exc: BaseException) -> Failure:
    try:
        raise exc
    except BaseException:
        return Failure()


@pytest.mark.parametrize(("exc", "message"), [
    (scrapy_errors.CannotResolveHostError("x"), "cannot reach www.gov.cn: DNS lookup failed"),
    (net_error.DNSLookupError("x"), "cannot reach www.gov.cn: DNS lookup failed"),
    (scrapy_errors.DownloadConnectionRefusedError("x"), "cannot reach www.gov.cn: connection refused"),
    (scrapy_errors.DownloadTimeoutError("x"), "cannot reach www.gov.cn: timed out"),
])
def test_network_failures_name_the_host(exc: BaseException, message: str) -> None:
    assert describe_failure(failure_of(exc), REQUEST) == ("network", message)


def test_http_412_with_challenge_cookie_is_blocked_and_404_is_a_status() -> None:
    blocked = HtmlResponse(REQUEST.url, status=412, body=b"<script>",
                           headers={"Set-Cookie": "__jsluid_h=abc; path=/"}, request=REQUEST)
    assert describe_failure(failure_of(HttpError(blocked)), REQUEST) == (
        "blocked", "blocked by www.gov.cn: HTTP 412 (JavaScript cookie challenge)")
    missing = HtmlResponse(REQUEST.url, status=404, body=b"", request=REQUEST)
    assert describe_failure(failure_of(HttpError(missing)), REQUEST) == (
        "http_status", "HTTP 404 from www.gov.cn for /zhengce/zuixin/ZUIXINZHENGCE.json")


def test_verdicts() -> None:
    ok = SourceHealth("govcn")
    ok.list_page_parsed(3)
    assert ok.verdict() == ("ok", None)

    partial = SourceHealth("govcn")
    partial.list_page_parsed(3)
    partial.record("http_status", "u", "HTTP 500 from www.gov.cn for /a")
    assert partial.verdict()[0] == "partial" and "1 http_status" in (partial.verdict()[1] or "")

    failed = SourceHealth("govcn")
    failed.record("network", "u", "cannot reach www.gov.cn: DNS lookup failed", on_list=True)
    assert failed.verdict() == ("failed", "cannot reach www.gov.cn: DNS lookup failed")

    blocked = SourceHealth("customs")
    blocked.record("blocked", "u", "blocked by www.customs.gov.cn: HTTP 412", on_list=True)
    assert blocked.verdict()[0] == "blocked"

    empty = SourceHealth("govcn")
    empty.note_empty("u", "search API gave an empty answer")
    assert empty.verdict() == ("empty", "search API gave an empty answer")
    assert not empty.errors  # an empty answer alone is not an error count

    quiet_after_answer = SourceHealth("govcn")
    quiet_after_answer.note_empty("u", "no hits for one keyword")
    quiet_after_answer.list_page_parsed(2)
    assert quiet_after_answer.verdict() == ("ok", None)
