"""Status codes that lie: an error status whose body is the real page.

MOF hosts answer HTTP 502 with the genuine page (yss.mof.gov.cn's root: 502 and a 19 KB page with
``<meta name="SiteName" content="中华人民共和国财政部">``), while deeper paths answer 502 with a real
2 KB Squid error page ("The following error was encountered: Connection Failed", "Node information")
[confirmed: #59695641150, 2026; lead in sources.md §4]. A crawler that believes the status calls a
live host dead; one that ignores it stores error pages. So a 5xx answer is judged by its body: the
page template's metas and no error-page wording make it the real page, anything else is a failure.

The spider layer calls :func:`page_behind_error` from its errback (after the retries), so the rule
holds for every source.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

log = logging.getLogger(__name__)

#: Statuses a gateway or CDN gives while it may still forward the origin's page.
JUDGED_STATUSES = frozenset({500, 502, 503, 504})
#: Metas of the government page template (政府网站 specification): an error page of a proxy has none.
_PAGE_METAS = re.compile(
    rb"<meta\s[^>]*name\s*=\s*[\"']?(?:SiteName|SiteDomain|SiteIDCode|ColumnName|ArticleTitle|PubDate)\b", re.I)
#: Wording of proxy and server error pages (Squid, nginx, the CDN's own page).
_ERROR_WORDING = re.compile(
    r"The following error was encountered|Node information|Request-Id|ERR_[A-Z_]{4,}"
    r"|\b50[0-4]\s+(?:Bad Gateway|Service Unavailable|Gateway Time-?out|Internal Server Error)"
    r"|(?:Bad Gateway|Service Unavailable|Gateway Time-?out)\b", re.I)
_VISIBLE = "//title//text() | //body//text()[not(ancestor::script) and not(ancestor::style)]"


@dataclass(frozen=True)
class Verdict:
    real_page: bool
    why: str


def judge_body(response: Response) -> Verdict:
    """Whether an error answer's body is the page itself (see the module docstring)."""
    if not isinstance(response, TextResponse):
        return Verdict(False, "not a text page")
    if response.selector.type == "html":  # the visible words only: scripts may name error constants
        shown = " ".join(response.xpath(_VISIBLE).getall()[:400])
    else:
        shown = response.text[:20_000]
    wording = _ERROR_WORDING.search(shown)
    if wording:
        return Verdict(False, f"an error page ({wording.group(0)!r})")
    if not _PAGE_METAS.search(response.body[:20_000]):
        return Verdict(False, "no page metas")
    return Verdict(True, "the page's own metas and no error wording")


def page_behind_error(failure: Failure) -> TextResponse | None:
    """The response of an HTTP error failure when its status is one that lies and its body is the
    real page; ``None`` for every other failure (those stay failures)."""
    exc = failure.value
    if not isinstance(exc, HttpError) or exc.response.status not in JUDGED_STATUSES:
        return None
    response: Response = exc.response
    verdict = judge_body(response)
    if not verdict.real_page:
        log.info("HTTP %s from %s is an error: %s", response.status, response.url, verdict.why)
        return None
    log.info("HTTP %s from %s carries the real page (%s): used", response.status, response.url, verdict.why)
    return response  # type: ignore[return-value]  # judge_body checked it is a TextResponse
