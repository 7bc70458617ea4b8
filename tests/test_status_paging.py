"""The shared rules for lying status codes and TRS paging scripts, on SYNTHETIC pages in the shapes
the evidence describes (#59695641150, #71582059322)."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.parsing.paging import trs_paging
from crawler.parsing.status import judge_body, page_behind_error

URL = "https://yss.mof.gov.cn/"
# SYNTHETIC: a MOF column page (SiteName meta as on yss.mof.gov.cn's 502 answer) and a Squid error page.
REAL = ('<html><head><meta name="SiteName" content="中华人民共和国财政部"><title>预算司</title>'
        '<script>var ERR_TIMEOUT = 1;</script></head><body><ul class="liBox"><li><a href="./t1.htm">通知</a>'
        '</li></ul></body></html>')
SQUID = ('<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body><h1>502 Bad '
         'Gateway</h1><p>Node information: PS-TEST-01</p><p>The following error was encountered: Connection '
         'Failed</p></body></html>')


def answer(body: str, status: int = 502) -> HtmlResponse:
    return HtmlResponse(URL, status=status, body=body.encode("utf-8"), encoding="utf-8", request=Request(URL))


def failure_of(response: HtmlResponse) -> Failure:
    return Failure(HttpError(response, "Ignoring non-200 response"))


def test_a_502_with_the_page_metas_is_the_page_and_an_error_page_is_not() -> None:
    assert judge_body(answer(REAL)).real_page  # an error constant inside a script does not count
    verdict = judge_body(answer(SQUID))
    assert not verdict.real_page and verdict.why.startswith("an error page")
    assert not judge_body(answer("<html><body>busy</body></html>")).real_page  # no page metas
    assert not judge_body(Response(URL, status=502, body=b"\x00\x01")).real_page  # not text


def test_only_judged_statuses_of_http_errors_are_let_through() -> None:
    assert page_behind_error(failure_of(answer(REAL))) is not None
    assert page_behind_error(failure_of(answer(SQUID))) is None
    assert page_behind_error(failure_of(answer(REAL, status=404))) is None  # a 404 is never the page
    assert page_behind_error(Failure(ValueError("not an HTTP error"))) is None


def test_trs_paging_from_the_literal_call_or_the_count_variable() -> None:
    only_call = trs_paging('<script>createPageHTML(50, 1, "index", "htm");</script>')
    assert only_call is not None and only_call.pages == 50
    assert [only_call.url_of(n) for n in (1, 2, 3)] == ["index.htm", "index_1.htm", "index_2.htm"]
    variable = trs_paging('var countPage = 4; var currentPage = 0; createPageHTML(countPage, currentPage, '
                          '"index", "shtml");')
    assert variable is not None and variable.pages == 4 and variable.url_of(2) == "index_1.shtml"
    assert trs_paging("<p>no paging here</p>") is None
