"""The STA policy library fgk.chinatax.gov.cn, as the mirror answers it.

Column pages ``/zcfgk/<code>/listflfg.html`` are shells: no rows, only the page script's
``var channelId = "<32 hex>"`` (the ids 2026 clients send). The browser then posts
``codeId``/``channelId``/``page``/``size`` (form-encoded) to ``www.chinatax.gov.cn/getFileListByCodeId``,
which answers ``{"code": 200, "results": {"data": {"page", "rows", "total", "results": [...]}}}``;
each row has ``title``/``titleHtml``, ``url`` (on fgk, or the same path on www), ``publishedTimeStr``,
``channelName`` and ``domainMetaList[].resultList[]`` ``{name, key, value}`` pairs (``writtentext``
文号, ``writtendate`` 成文日期, ``aging`` 时效性 …) [confirmed: #71457865344, #8408152458, #71066635968,
#71010326990; the exact row set of the live answer is a lead]. An unknown ``channelId`` gets an empty
answer. Detail pages are the library's own template, whose ``PubDate`` is the page's regeneration time
(CHINGBOH/law-corpus ``chinatax_company_law_2023.html``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from crawler.mirror.messages import MirrorRequest, MirrorResponse, json_response
from crawler.mirror.sites.common import body_paragraphs, page_epoch, paginate, render

#: column code → (list page name, the column's name as the list API spells it, its channelId as 2026
#: clients send it: #71167312529, #71155218679). c100010 is 行政法规 (#71167312529): its shell names
#: that column, so a spider that takes it for 财税文件 sees the mismatch.
COLUMNS = {
    "c102416": ("listflfg.html", "财税文件", "2cb303fdee614232b79552d52bb057d6"),
    "c100012": ("listflfg.html", "税务规范性文件", "470b437b304f434396500a1e2edc7f28"),
    "c100010": ("listflfg_fg.html", "行政法规", "e1cd1569d1ea4a25a11041248925a081"),
}
API = "/getFileListByCodeId"
#: Every regenerated detail page shows the same stamp, as a whole library rebuilt at once would.
REGENERATED = "2026-06-02 12:09:18"


def shell(code: str) -> MirrorResponse:
    page, column, channel = COLUMNS[code]
    html = render("chinatax_fgk_list.html", code=code, column=column, channel=channel, page=page)
    return MirrorResponse(200, html.encode("utf-8"))


def list_api(request: MirrorRequest, notices: list[dict[str, Any]]) -> MirrorResponse:
    form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()}
    page, size = int(form.get("page") or 1), int(form.get("size") or 20)
    code = next((c for c, (_, _, channel) in COLUMNS.items() if channel == form.get("channelId")), None)
    if request.method != "POST" or code is None:
        return json_response({"code": 200, "results": {"data": {"page": page, "rows": size, "total": 0,
                                                                 "results": []}}})
    listed = [n for n in notices if code in n.get("columns", ())]
    rows, _ = paginate(listed, page, size)
    return json_response({"code": 200, "results": {"data": {
        "page": page, "rows": size, "total": len(listed), "channelId": form["channelId"],
        "results": [row(code, n) for n in rows]}}})


def row(code: str, notice: dict[str, Any]) -> dict[str, Any]:
    host = notice.get("api_host", "fgk.chinatax.gov.cn")
    metas = [("来源", "source", "SZfaguiku")], [
        ("时效性", "aging", "全文有效"), ("发文字号", "writtentext", notice.get("doc_number", "")),
        ("效力等级", "effectlevel", COLUMNS[code][1]), ("成文日期", "writtendate", notice.get("issue_date", ""))]
    return {
        "title": notice["title"], "titleHtml": notice["title"],
        "url": f"{'http' if host.startswith('www') else 'https'}://{host}/zcfgk/{code}/{notice['id']}/content.html",
        "publishedTimeStr": f"{notice['publish_date']} 00:00:00", "channelName": COLUMNS[code][1],
        "domainMetaList": [
            {"domainMetadataName": group, "resultList": [{"name": n, "key": k, "value": v} for n, k, v in pairs]}
            for group, pairs in zip(("默认元数据集", "政策文件信息"), metas, strict=True)],
    }


def detail(request: MirrorRequest, site: str, code: str, notice: dict[str, Any]) -> MirrorResponse:
    html = render("chinatax_fgk_detail.html", n=notice, code=code, column=COLUMNS[code][1], regenerated=REGENERATED,
                  paragraphs=body_paragraphs(request.root, site, notice))
    return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
