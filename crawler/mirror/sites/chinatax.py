"""Emulates www.chinatax.gov.cn (the 最新文件 list in its 2025–26 ``div.common_list`` template and
``c<id>/content.html`` pages, those marked ``"template": "2026"`` with the ``div#zoomcon`` body) and
the policy library fgk.chinatax.gov.cn (column shells, the POST list API on www, detail pages: see
:mod:`crawler.mirror.sites.chinatax_fgk`). notices.json says which library columns list each notice.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.sites import chinatax_fgk as fgk
from crawler.mirror.sites.common import body_paragraphs, load_notices, page_epoch, render

SITE = "chinatax"
LATEST = "/chinatax/n810341/n810755/index.html"
FGK_LIST = re.compile(r"^/zcfgk/(c\d+)/([\w.]+\.html)$")
FGK_DETAIL = re.compile(r"^/zcfgk/(c\d+)/(c\d+)/content\.html$")


class ChinataxSite:
    hosts = frozenset({"www.chinatax.gov.cn", "fgk.chinatax.gov.cn"})

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        notices = load_notices(request.root, SITE)
        if request.host == "www.chinatax.gov.cn":
            if request.path == LATEST:
                return MirrorResponse(200, render("chinatax_list.html", rows=notices).encode("utf-8"))
            if request.path == fgk.API:
                return fgk.list_api(request, notices)
            for notice in notices:
                if notice["path"] == request.path:
                    return self.detail(request, notice)
            return None
        listing = FGK_LIST.match(request.path)
        if listing and fgk.COLUMNS.get(listing.group(1), ("",))[0] == listing.group(2):
            return fgk.shell(listing.group(1))
        detail = FGK_DETAIL.match(request.path)
        if detail:
            for notice in notices:
                if notice["id"] == detail.group(2) and detail.group(1) in notice.get("columns", ()):
                    return fgk.detail(request, SITE, detail.group(1), notice)
        return None

    def detail(self, request: MirrorRequest, notice: dict[str, Any]) -> MirrorResponse:
        template = "chinatax_detail_2026.html" if notice.get("template") == "2026" else "chinatax_detail.html"
        html = render(template, n=notice, paragraphs=body_paragraphs(request.root, SITE, notice))
        return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
