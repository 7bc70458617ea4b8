"""Emulates www.mofcom.gov.cn (the JPaaS list API of 政策发布 and ``art_<hex>.html`` pages) and
dzsws.mofcom.gov.cn (its 工作通知 column page and article pages).

The API answers ``{"code": 200, "data": {"html": <fragment>}}`` with the rows in the fragment and the
total in ``count="N"`` [lead: unconfirmed, sources.md §2.1]; ``paramJson`` pages it. Unknown
``pageId`` values get an empty fragment, as a rotated column id would.
"""

from __future__ import annotations

import json
from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse, json_response
from crawler.mirror.sites.common import body_paragraphs, date_cn, load_notices, page_epoch, paginate, render

SITE = "mofcom"
API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ZCFB_PAGE_ID = "fc8bdff48fa345a48b651c1285b70b8f"
SITE_NAMES = {"www.mofcom.gov.cn": "中华人民共和国商务部", "dzsws.mofcom.gov.cn": "商务部电子商务和信息化司"}


class MofcomSite:
    hosts = frozenset(SITE_NAMES)

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        notices = [n for n in load_notices(request.root, SITE) if n["host"] == request.host]
        if request.host == "www.mofcom.gov.cn" and request.path == API:
            return self.api(request, notices)
        if request.host == "dzsws.mofcom.gov.cn" and request.path in ("/gztz/", "/gztz/index.html"):
            html = render("mofcom_column.html", rows=notices, column="工作通知", site_name=SITE_NAMES[request.host])
            return MirrorResponse(200, html.encode("utf-8"))
        for notice in notices:
            if notice["path"] == request.path:
                return self.article(request, notice)
        return None

    def api(self, request: MirrorRequest, notices: list[dict[str, Any]]) -> MirrorResponse:
        if request.query.get("pageId") != ZCFB_PAGE_ID:
            return json_response({"code": 200, "data": {"html": ""}})
        params = json.loads(request.query.get("paramJson") or "{}")
        page, size = int(params.get("pageNo", 1)), int(params.get("pageSize", 15))
        rows, _ = paginate(notices, page, size)
        items = "".join(
            f'<li><a href="{n["path"]}" title="{n["title"]}" target="_blank"><em>【{n.get("category", "")}】</em>'
            f'{n["title"]}</a><span>[{n["publish_date"]}]</span></li>' for n in rows)
        fragment = f'<div class="pageList" count="{len(notices)}"><ul class="policy-list f-mt20">{items}</ul></div>'
        return json_response({"code": 200, "msg": "success", "data": {"html": fragment}})

    def article(self, request: MirrorRequest, notice: dict[str, Any]) -> MirrorResponse:
        html = render("mofcom_art.html", n=dict(notice, date_cn=date_cn(notice["publish_date"])),
                      paragraphs=body_paragraphs(request.root, SITE, notice), site_name=SITE_NAMES[request.host],
                      column="政策发布" if request.host == "www.mofcom.gov.cn" else "工作通知")
        return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
