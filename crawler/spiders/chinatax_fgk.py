"""国家税务总局 税收政策法规库 fgk.chinatax.gov.cn: the policy library, by column.

A column page (``/zcfgk/<code>/listflfg.html``) is a shell: its script posts ``codeId``,
``channelId``, ``page`` and ``size`` to ``www.chinatax.gov.cn/getFileListByCodeId`` and renders the
JSON rows. So the spider reads the column's ``channelId`` from the shell (never hard-coded: a
rotated id is then picked up, and a shell without one is reported as drift) and pages the API
itself while ``page × rows < total``. Rows carry the title, the detail URL (sometimes the same path
on www.chinatax.gov.cn, read as fgk), ``publishedTimeStr``, ``channelName`` and metadata pairs
(``writtentext`` 文号, ``writtendate`` 成文日期, ``aging`` 时效性). The channelName must name the
configured column, or the codes have moved: reported as drift, naming the code.

Detail pages ``/zcfgk/c…/c…/content.html``: body ``div.arc_cont``, title ``div.detials h3``, and
``p.arc_date`` with ``span.xg`` (validity) and ``span.date`` (成文日期：…). Their ``PubDate`` meta is
the time the page was regenerated (2026-06-02 on a 2023 law), not a publication date, so the
document's dates come from the page's labels and the list row; the regeneration time is kept as the
site's modification time. The ``ContentSource`` meta is an internal code (``SZfaguiku``), never an
agency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from scrapy.http import Request, TextResponse

from crawler.extraction.normalize import label_pairs
from crawler.health import LAYOUT_DRIFT, PARSE
from crawler.items import NoticeItem
from crawler.parsing.dates import parse_china_date, parse_china_datetime
from crawler.parsing.page import select, strip_markup, tidy_inline
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

LIBRARY = "https://fgk.chinatax.gov.cn/zcfgk"
LIST_API = "https://www.chinatax.gov.cn/getFileListByCodeId"
#: column code → (column page, the column's name as the list API spells it in channelName)
COLUMNS = {"c100012": ("listflfg.html", "税务规范性文件"), "c102416": ("listflfg.html", "财税文件")}
PAGE_SIZE = 10  # what the library's own page script asks for (#71010326990, #71457865344)
CHANNEL_ID = re.compile(r"""\bvar\s+channelId\s*=\s*["']([0-9a-fA-F]{32})["']""")
DETAIL_ID = re.compile(r"/zcfgk/c\d+/(c\d+)/content\.html$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class ChinataxFgkSpider(NoticeSpider):
    name = "chinatax_fgk"
    agency = "国家税务总局"
    home = "https://fgk.chinatax.gov.cn/"
    #: the list API answers on the main STA host
    allowed_hosts: ClassVar[tuple[str, ...]] = ("www.chinatax.gov.cn",)
    relies_on: ClassVar[tuple[str, ...]] = (
        "column pages are shells whose rows come from POST /getFileListByCodeId with channelId/page/size "
        "[confirmed: #71457865344, 2026-09-28]",
        "API on https://www.chinatax.gov.cn/getFileListByCodeId, form-encoded codeId (empty)/channelId/page/"
        "size, Referer/Origin fgk [confirmed: #71167312529 (plain POST, no cookie, 2026-10-04), #8408152458, "
        "#71010326990, #60560830193]",
        "answer {code: 200, results: {data: {page, rows, total, results[]}}}; rows title/titleHtml, url, "
        "publishedTimeStr, channelName, domainMetaList[].resultList[] {name, key, value} with writtentext, "
        "writtendate, aging [confirmed: #8408152458, #71066635968, #71010326990]",
        "channelId from the shell's var channelId = \"<32 hex>\" [lead: #60560830193; #71010326990 reads it "
        "from the browser's request instead]",
        "page size 10, as the page script asks [lead: #71010326990, #71457865344 saw 10 rows on pages 1 and 2]",
        "row URLs on www.chinatax.gov.cn/zcfgk/… are the fgk page [lead: #71010326990, #60560830193 rewrite them]",
        "c100012 税务规范性文件 [confirmed: #8408152458, #71167312529, #54772215833]; 财税文件 is c102416 "
        "[confirmed: #71167312529 and #70869942943, totals measured 2026-10-04; #54772215833, #68845048185] — "
        "c100010 is 行政法规 there; only the older #8408152458 calls c100010 财税文件",
        "both at <code>/listflfg.html [confirmed: #71066635968, 2026-10-04; #60560830193] — the channelName "
        "of the rows is checked on every run",
        "headless browsers got HTTP 403 on fgk pages [confirmed: #71457865344]; a plain POST works "
        "[confirmed: #71167312529, #70905576970]; whether a plain GET of the column page does is a lead",
        "detail /zcfgk/c…/c…/content.html, body div.arc_cont, h3 title, p.arc_date span.xg/span.date "
        "成文日期; PubDate is the regeneration time; ContentSource SZfaguiku [confirmed: CHINGBOH/law-corpus "
        "chinatax_company_law_2023.html]",
    )

    def list_requests(self) -> Iterable[Request]:
        for code, (page, _) in COLUMNS.items():
            # The shell never changes when rows do, so it is fetched plainly (never remembered, so
            # never asked for conditionally): a 304 for it would hide the new rows behind it.
            yield self.list_request(f"{LIBRARY}/{code}/{page}", callback=self.parse_shell, meta={"column": code})

    def parse_shell(self, response: TextResponse) -> Iterator[Request]:
        code = response.meta["column"]
        found = CHANNEL_ID.search(response.text)
        if not found:
            self.health.record(LAYOUT_DRIFT, response.url,
                               f"layout drift: no channelId in the column page of {code} ({response.url}); "
                               "the library may load its rows another way now", on_list=True)
            return
        yield self.api_request(code, found.group(1), 1, response.url)

    def api_request(self, code: str, channel: str, page: int, referer: str) -> Request:
        # codeId empty, as the 2026 clients that got answers send it (#71167312529, #60560830193)
        form = {"codeId": "", "channelId": channel, "page": str(page), "size": str(PAGE_SIZE)}
        return self.list_request(
            LIST_API, callback=self.parse_rows, method="POST", body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "Referer": referer,
                     "Origin": "https://fgk.chinatax.gov.cn"},
            meta={"column": code, "channel": channel, "page": page, "referer": referer})

    def parse_rows(self, response: TextResponse) -> Iterator[Request]:
        meta = response.meta
        code, page = meta["column"], meta["page"]
        try:
            payload = json.loads(response.text)
            data = payload["results"]["data"]
            rows = data["results"]
            if payload.get("code") != 200 or not isinstance(rows, list):
                raise ValueError(f"code {payload.get('code')!r}")
        except (ValueError, KeyError, TypeError) as exc:
            self.health.record(PARSE, response.url, f"parse error: the list API of column {code} did not answer "
                               f"{{code: 200, results: {{data: {{results: […]}}}}}} ({exc})", on_list=True)
            return
        column = COLUMNS[code][1]
        names = {str(row.get("channelName") or "") for row in rows} - {""}
        if names and column not in names:
            self.health.record(LAYOUT_DRIFT, response.url,
                               f"layout drift: column {code} lists {sorted(names)} instead of {column}; "
                               "the column codes may have changed", on_list=True)
            return
        entries = [entry for entry in (library_row(row) for row in rows) if entry]
        self.list_parsed(response, len(entries), f"rows of column {code}")
        for url, listing in entries:
            yield from self.follow(url, listing)
        rows_per_page = int(data.get("rows") or PAGE_SIZE)
        more = page * rows_per_page < int(data.get("total") or 0)
        if more and self.wants_next_page((url for url, _ in entries), page):
            yield self.api_request(code, meta["channel"], page + 1, meta["referer"])

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = DETAIL_ID.search(response.url)
        item = read_standard_page(self, response, body=("div.arc_cont", "#fontzoom", "div.TRS_Editor"),
                                  title=("div.detials h3", "h3", "h1"), site_id=match.group(1) if match else None)
        if item is None:
            return None
        listing: dict[str, Any] = response.meta.get("listing", {})
        labels = label_pairs([tidy_inline(" ".join(span.xpath(".//text()").getall()))
                              for span in select(response, "p.arc_date span")])
        regenerated = item.page_meta["meta"].get("pubdate")
        item.issue_date = parse_china_date(labels.get("成文日期")) or parse_china_date(listing.get("issued"))
        # 发布 from the page, else the list row; failing both, the 成文日期 — a lower bound, where the
        # extractor would otherwise take the PubDate meta, the regeneration time (years too late).
        item.publish_date = (parse_china_date(labels.get("发布日期")) or parse_china_date(listing.get("pubtime"))
                             or item.issue_date)
        item.site_published_at = parse_china_datetime(listing.get("pubtime"))
        item.site_modified_at = parse_china_datetime(regenerated)
        item.agencies = [name for name in item.agencies if _CJK.search(name)]  # not "SZfaguiku"
        validity = tidy_inline(" ".join(select(response, "p.arc_date span.xg").xpath(".//text()").getall()))
        item.page_meta.update(labels=labels, regenerated_at=regenerated,
                              validity=validity or listing.get("validity") or None)
        return item


def library_row(row: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """``(detail URL, listing)`` of one API row; ``None`` for a row that leads outside the library."""
    url = str(row.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.hostname not in ("fgk.chinatax.gov.cn", "www.chinatax.gov.cn") or not parts.path.startswith("/zcfgk/"):
        return None
    fields = {str(pair.get("key") or pair.get("name")): str(pair.get("value") or "").strip()
              for group in row.get("domainMetaList") or [] for pair in group.get("resultList") or []}
    listing = {
        "title": strip_markup(str(row.get("title") or row.get("titleHtml") or "")),
        "doc_number": fields.get("writtentext", ""),
        "issued": fields.get("writtendate", ""),
        "pubtime": str(row.get("publishedTimeStr") or ""),
        "validity": "" if fields.get("aging", "").lower() in ("null", "-") else fields.get("aging", ""),
        "column": str(row.get("channelName") or ""),
    }
    return urlunsplit(("https", "fgk.chinatax.gov.cn", parts.path, parts.query, "")), listing
