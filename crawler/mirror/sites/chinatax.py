"""Emulates www.chinatax.gov.cn (the 最新文件 list in its 2025–26 ``div.common_list`` template and
``c<id>/content.html`` pages, those marked ``"template": "2026"`` with the ``div#zoomcon`` body) and
the policy library fgk.chinatax.gov.cn (column lists ``/zcfgk/<code>/list.html``, ``list_N.html`` and detail pages).
Column codes are the ones of the unnamed Scrapy spider the source relies on (c100010 财税文件,
c100012 规范性文件); notices.json says which columns list each notice.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.sites.common import body_paragraphs, load_notices, page_epoch, paginate, render

SITE = "chinatax"
LATEST = "/chinatax/n810341/n810755/index.html"
COLUMNS = {"c100010": "财税文件", "c100012": "规范性文件"}
FGK_LIST = re.compile(r"^/zcfgk/(c\d+)/list(?:_(\d+))?\.html$")
FGK_DETAIL = re.compile(r"^/zcfgk/(c\d+)/(c\d+)/content\.html$")
PAGE_SIZE = 1  # small, so that the library's paging is exercised by a handful of notices


class ChinataxSite:
    hosts = frozenset({"www.chinatax.gov.cn", "fgk.chinatax.gov.cn"})

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        notices = load_notices(request.root, SITE)
        if request.host == "www.chinatax.gov.cn":
            if request.path == LATEST:
                return MirrorResponse(200, render("chinatax_list.html", rows=notices).encode("utf-8"))
            for notice in notices:
                if notice["path"] == request.path:
                    return self.detail(request, notice)
            return None
        listing = FGK_LIST.match(request.path)
        if listing and listing.group(1) in COLUMNS:
            return self.column(listing.group(1), int(listing.group(2) or 1), notices)
        detail = FGK_DETAIL.match(request.path)
        if detail:
            for notice in notices:
                if notice["id"] == detail.group(2) and detail.group(1) in notice.get("columns", ()):
                    return self.detail(request, notice)
        return None

    def column(self, code: str, page: int, notices: list[dict[str, Any]]) -> MirrorResponse:
        rows, pages = paginate([n for n in notices if code in n.get("columns", ())], page, PAGE_SIZE)
        if page > pages:
            return MirrorResponse(404, b"<html><body>404</body></html>")
        next_url = f"/zcfgk/{code}/list_{page + 1}.html" if page < pages else ""
        html = render("chinatax_fgk_list.html", rows=rows, code=code, column=COLUMNS[code], next_url=next_url)
        return MirrorResponse(200, html.encode("utf-8"))

    def detail(self, request: MirrorRequest, notice: dict[str, Any]) -> MirrorResponse:
        template = "chinatax_detail_2026.html" if notice.get("template") == "2026" else "chinatax_detail.html"
        html = render(template, n=notice, paragraphs=body_paragraphs(request.root, SITE, notice))
        return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
