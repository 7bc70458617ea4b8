"""Emulates a provincial site on the Hanweb CMS: fgw.zj.gov.cn (浙江省发改委) as it was in 2016,
before the commission moved to fzggw.zj.gov.cn on JPaaS [#70462059670]; it keeps the Hanweb template tested.

The column page ``/col/col1621004/index.html`` carries its rows in a ``<datastore>`` block and pages
with ``?uid=4892867&pageNum=N``; detail pages are the saved real page (served byte for byte) or a
synthetic page in its shape.
"""

from __future__ import annotations

from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.sites.common import body_paragraphs, load_notices, page_epoch, paginate, render

SITE = "zj_fgw_hanweb"
COLUMN = "/col/col1621004/index.html"
PAGE_SIZE = 2


class HanwebSite:
    hosts = frozenset({"fgw.zj.gov.cn"})

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        notices = load_notices(request.root, SITE)
        if request.path == COLUMN:
            page = int(request.query.get("pageNum") or 1)
            rows, _ = paginate(notices, page, PAGE_SIZE)  # past the end: an empty list, as Hanweb does
            return MirrorResponse(200, render("hanweb_list.html", rows=rows).encode("utf-8"))
        for notice in notices:
            if notice["path"] == request.path:
                return self.detail(request, notice)
        return None

    def detail(self, request: MirrorRequest, notice: dict[str, Any]) -> MirrorResponse:
        if notice.get("template") == "raw":
            return MirrorResponse(200, (request.root / SITE / notice["file"]).read_bytes())
        html = render("hanweb_art.html", n=notice, paragraphs=body_paragraphs(request.root, SITE, notice))
        return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
