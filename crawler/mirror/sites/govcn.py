"""Emulates www.gov.cn and its search host: the policy-library search API, the 最新政策 JSON feed
and detail pages in the 政策文件库 template (or a saved real page served as it is).

Shapes follow the source reference: ``searchVO.listVO[]`` with ``title`` (``<em>`` highlights),
``url``, ``pcode``, ``puborg``, ``pubtimeStr`` (``YYYY.MM.DD``), ``ptime`` (epoch ms), ``totalpage``;
``code`` 1001 with 抱歉，没有找到相关结果 for no hits; ``p`` counted from 1.
"""

from __future__ import annotations

from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse, json_response
from crawler.mirror.sites.common import (
    body_paragraphs,
    body_text,
    epoch_ms,
    load_notices,
    modified_epoch,
    templates,
)

SITE = "govcn"
LIBRARIES = {"zhengcelibrary_gw": {"gw"}, "zhengcelibrary_bm": {"bm"}, "zhengcelibrary": {"gw", "bm"},
             "zhengcelibrary_gw_bm": {"gw", "bm"}}


def notice_url(notice: dict[str, Any]) -> str:
    """A row's link: on www.gov.cn, unless the row links elsewhere (``"url"``), as portal lists of
    reprinted news do."""
    return notice.get("url") or f"https://www.gov.cn{notice['path']}"


def cn_date(iso: str | None) -> str:
    """``2016-01-12`` as the info table prints it: ``2016年01月12日``."""
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{year}年{month}月{day}日"


class GovcnSite:
    hosts = frozenset({"www.gov.cn", "sousuo.www.gov.cn"})

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        if request.host == "sousuo.www.gov.cn" and request.path == "/search-gov/data":
            return self.search(request)
        if request.host == "www.gov.cn" and request.path == "/zhengce/zuixin/ZUIXINZHENGCE.json":
            return self.feed(request)
        if request.host == "www.gov.cn":
            for notice in load_notices(request.root, SITE):
                if notice["path"] == request.path:
                    return self.detail(request, notice)
        return None

    def search(self, request: MirrorRequest) -> MirrorResponse:
        libraries = LIBRARIES.get(request.query.get("t", ""), set())
        field = request.query.get("searchfield", "")
        # Without searchfield the live API ignores q (#59695641150); "title" is what every client sends.
        keyword = request.query.get("q", "") if field else ""
        agency = request.query.get("bmfl", "")  # the 部门文件 agency filter [lead: #61968581880]
        page = max(int(request.query.get("p") or 1), 1)
        size = min(max(int(request.query.get("n") or 20), 1), 100)

        def matches(n: dict[str, Any]) -> bool:
            if not keyword or keyword in n["title"]:
                return True
            return field != "title" and keyword in body_text(request.root, SITE, n)

        hits = [n for n in load_notices(request.root, SITE)
                if n.get("library") in libraries and matches(n) and agency in n.get("puborg", "")]
        rows = hits[(page - 1) * size: page * size]
        if not rows:
            return json_response({"code": 1001, "msg": "抱歉，没有找到相关结果", "searchVO": {}})
        total_pages = (len(hits) + size - 1) // size
        return json_response({
            "code": 200, "msg": "成功",
            "searchVO": {"totalpage": total_pages, "totalCount": 0, "listVO": [self._row(n, keyword) for n in rows]},
        })

    @staticmethod
    def _row(notice: dict[str, Any], keyword: str) -> dict[str, Any]:
        title = notice["title"].replace(keyword, f"<em>{keyword}</em>") if keyword else notice["title"]
        return {
            "title": title, "url": notice_url(notice), "pcode": notice.get("pcode", ""),
            "puborg": notice.get("puborg", ""), "pubtimeStr": notice["publish_date"].replace("-", "."),
            "ptime": epoch_ms(notice["publish_date"]), "summary": "", "childtype": notice.get("subject", ""),
        }

    def feed(self, request: MirrorRequest) -> MirrorResponse:
        return json_response([
            {"TITLE": n["title"], "SUB_TITLE": "", "URL": notice_url(n),
             "DOCRELPUBTIME": n["publish_date"]}
            for n in load_notices(request.root, SITE)
        ])

    def detail(self, request: MirrorRequest, notice: dict[str, Any]) -> MirrorResponse:
        if notice.get("template") == "raw":
            body = (request.root / SITE / notice["file"]).read_bytes()
        else:
            shown = dict(notice, issue_date_cn=cn_date(notice.get("issue_date")),
                         publish_date_cn=cn_date(notice.get("publish_date")))
            html = templates().get_template("govcn_zcwjk.html").render(
                n=shown, paragraphs=body_paragraphs(request.root, SITE, notice))
            body = html.encode("utf-8")
        return MirrorResponse(200, body, last_modified=modified_epoch(notice))
