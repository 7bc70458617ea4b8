"""Emulates sites on the JPaaS CMS (大汉 JCMS's successor): www.mofcom.gov.cn, its sub-site
dzsws.mofcom.gov.cn and fzggw.zj.gov.cn, as public code that requested them in 2025–2026 saw them.

* A column page is a *shell*: no rows, only a ``unitbuild.js`` script whose ``url`` attribute names
  the unit API and whose ``queryData`` attribute (single-quoted JSON) holds the unit's ids —
  ``tagId``, ``pageId`` and, as the sub-sites show, ``webId``/``tplSetId`` [#71114623176; #61866510366].
* ``GET /api-gateway/jpaas-publish-server/front/page/build/unit`` with those ids answers JSON with
  top-level ``roles``, ``permissions``, ``success``, ``message``, ``code`` ("200"), ``data``,
  ``traceId``; ``data.html`` is the list fragment. Page N: ``paramJson={"pageNo":N,"pageSize":15}``
  [#71114623176].
* Fragment styles: ``txtList`` (MOFCOM: ``div#<tagId> div.page-content ul.txtList_01 > li``, a
  ``div.pagination`` with ``rows``/``count``/``pageNo``) [#71114623176]; ``ajax`` (Zhejiang:
  ``ul.ajax-ul > li.cf`` with ``a.fl[title]`` + ``span.fr``, no pagination element) [#70462059670].
* An id the site does not know (a rotated ``pageId``) gets HTTP 200 with ``success: false`` and no
  rows [guess: #70462059670 tests that answer, #68346404893 says stale ids leave ``data.html`` missing].

Each site directory holds ``units.json`` (hosts, their ``webId``/``tplSetId`` and columns with their
ids and page size — a test rotates a ``pageId`` there) beside the usual ``notices.json``; a notice
names its ``host`` and its ``column`` (the column page path).
"""

from __future__ import annotations

import json
import uuid
from html import escape
from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse, json_response
from crawler.mirror.sites.common import _read_cached, body_paragraphs, load_notices, page_epoch, paginate, render

UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def query_data(ids: dict[str, str]) -> str:
    """The ``queryData`` attribute as the sites print it: JSON with single quotes."""
    return json.dumps(ids, ensure_ascii=False, separators=(",", ":")).replace('"', "'")


class JpaasSite:
    def __init__(self, site: str, hosts: frozenset[str]) -> None:
        self.site = site
        self.hosts = hosts

    def config(self, request: MirrorRequest) -> dict[str, Any]:
        path = request.root / self.site / "units.json"
        return _read_cached(path, json.loads)["hosts"][request.host]

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        host = self.config(request)
        notices = [n for n in load_notices(request.root, self.site) if n["host"] == request.host]
        if request.path == UNIT_API:
            return self.unit(request, host, notices)
        for column in host["columns"]:
            if request.path in (column["path"], column["path"].rsplit("/", 1)[0] + "/"):
                return self.shell(host, column)
        for notice in notices:
            if notice["path"] == request.path:
                return self.article(request, host, notice)
        return None

    def unit_ids(self, host: dict[str, Any], column: dict[str, Any]) -> dict[str, str]:
        # the key order of the first request in #71114623176, which the browser builds from queryData
        return {"parseType": "bulidstatic", "webId": host["webId"], "tplSetId": host["tplSetId"],
                "pageType": "column", "tagId": column["tagId"], "editType": "null", "pageId": column["pageId"]}

    def shell(self, host: dict[str, Any], column: dict[str, Any]) -> MirrorResponse:
        nav = {"tagId": "当前位置", "pageId": column["pageId"]}  # a second unit, not the list
        html = render("jpaas_column.html", host=host, column=column, script=host["script"],
                      list_query=query_data(self.unit_ids(host, column)), nav_query=query_data(nav),
                      script_id=uuid.uuid5(uuid.NAMESPACE_URL, column["path"]).hex, unit_api=UNIT_API)
        return MirrorResponse(200, html.encode("utf-8"))

    def unit(self, request: MirrorRequest, host: dict[str, Any], notices: list[dict[str, Any]]) -> MirrorResponse:
        query = request.query
        column = next((c for c in host["columns"] if c["pageId"] == query.get("pageId")
                       and c["tagId"] == query.get("tagId") and host["webId"] == query.get("webId")), None)
        trace = uuid.uuid4().hex
        if column is None:
            return json_response({"roles": None, "permissions": None, "success": False, "message": "页面不存在或已下线",
                                  "code": "500", "data": {"html": ""}, "traceId": trace})
        try:
            params = json.loads(query.get("paramJson") or "{}")
            page, size = int(params.get("pageNo", 1)), int(params.get("pageSize", column["rows"]))
        except (ValueError, TypeError, AttributeError):
            return json_response({"roles": None, "permissions": None, "success": False, "message": "参数错误",
                                  "code": "400", "data": None, "traceId": trace})
        if page in column.get("fail_pages", ()):  # a test's fault on one page of the list only
            return MirrorResponse(200, "<html><body>系统繁忙，请稍后再试</body></html>".encode())
        listed = [n for n in notices if n["column"] == column["path"]]
        if column.get("repeat_first_page"):
            page = 1  # the Zhejiang gateway answered page 1 for every pageNo from abroad [#71407467212]
        rows, _ = paginate(listed, page, size)
        fragment = self.fragment(host, column, rows, page, size, len(listed))
        return json_response({"roles": [], "permissions": [], "success": True, "message": "操作成功",
                              "code": "200", "data": {"html": fragment}, "traceId": trace})

    def fragment(self, host: dict[str, Any], column: dict[str, Any], rows: list[dict[str, Any]],
                 page: int, size: int, count: int) -> str:
        if column["style"] == "ajax":
            items = "".join(
                f'<li class="cf border-line"><a class="fl" href="{escape(n["path"])}" title="{escape(n["title"])}">'
                f'{escape(n["title"])}</a><span class="fr">{n["publish_date"]}</span></li>' for n in rows)
            return f'<label class="label-className">{escape(column["name"])}</label><ul class="ajax-ul">{items}</ul>'
        items = "".join(
            f'<li><a href="{escape(n["path"])}" title="{escape(n["title"])}" target="_blank">{escape(n["title"])}</a>'
            f'<span>[{n["publish_date"]}]</span></li>' for n in rows)
        # the pagination element's own queryData has no editType [#71114623176]
        ids = {"webId": host["webId"], "pageId": column["pageId"], "parseType": "bulidstatic",
               "pageType": "column", "tagId": column["tagId"], "tplSetId": host["tplSetId"]}
        tag = escape(column["tagId"])
        return (f'<div id="{tag}"><div class="page-content"><ul class="txtList_01">{items}</ul></div>'
                f'<div class="pagination" rows="{size}" count="{count}" pageNo="{page}" unitid="{tag}" '
                f'unitUrl="{UNIT_API}" queryData="{escape(query_data(ids), quote=False)}"></div></div>')

    def article(self, request: MirrorRequest, host: dict[str, Any], notice: dict[str, Any]) -> MirrorResponse:
        column = next(c for c in host["columns"] if c["path"] == notice["column"])
        html = render("jpaas_art.html", n=notice, host=host, column=column, url=f"https://{request.host}{notice['path']}",
                      paragraphs=body_paragraphs(request.root, self.site, notice))
        return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
