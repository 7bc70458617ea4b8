"""Emulates gss.mof.gov.cn 政策发布: TRS list pages (``index.htm``, ``index_N.htm``) and detail pages,
all **GBK-encoded**, as 2017-era crawlers found MOF pages [lead: unconfirmed]. The list pages declare
the charset only in a meta tag; each detail page declares it in the HTTP header only, in the meta
only, or nowhere (``"charset"`` in notices.json), so all three detection steps are exercised.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.sites.common import body_paragraphs, date_cn, load_notices, page_epoch, paginate, render

SITE = "mof_gss"
LIST_DIR = "/gzdt/zhengcefabu/"
PAGE = re.compile(r"^/gzdt/zhengcefabu/index(?:_(\d+))?\.htm$")
PAGE_SIZE = 3
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".xls": "application/vnd.ms-excel", ".doc": "application/msword",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ".wps": "application/kswps", ".et": "application/kset", ".zip": "application/zip"}


class MofGssSite:
    hosts = frozenset({"gss.mof.gov.cn"})

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        notices = load_notices(request.root, SITE)
        page = PAGE.match(request.path)
        if request.path == LIST_DIR or page:
            number = int(page.group(1)) + 1 if page and page.group(1) else 1
            return self.list_page(notices, number)
        for notice in notices:
            if notice["path"] == request.path:
                return self.detail(request, notice)
            for attachment in notice.get("attachments", ()):
                if attachment["path"] == request.path:
                    return self.attachment(request, attachment)
        return None

    def attachment(self, request: MirrorRequest, attachment: dict[str, Any]) -> MirrorResponse:
        """A TRS attachment beside its page (``./P0<date><digits>.pdf``), with the file's own type."""
        path = request.root / SITE / attachment["file"]
        content_type = ATTACHMENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return MirrorResponse(200, path.read_bytes(), content_type, last_modified=path.stat().st_mtime)

    def list_page(self, notices: list[dict[str, Any]], page: int) -> MirrorResponse:
        rows, pages = paginate(notices, page, PAGE_SIZE)
        if page > pages:
            return MirrorResponse(404, b"<html><body>404</body></html>")
        html = render("mof_gss_list.html", rows=rows, page=page, pages=pages)
        return MirrorResponse(200, html.encode("gbk"), "text/html")  # charset only in the meta tag

    def detail(self, request: MirrorRequest, notice: dict[str, Any]) -> MirrorResponse:
        declared = notice.get("charset", "header")
        html = render("mof_gss_detail.html", n=dict(notice, date_cn=date_cn(notice["publish_date"])),
                      paragraphs=body_paragraphs(request.root, SITE, notice), meta_charset=declared == "meta")
        content_type = "text/html; charset=GBK" if declared == "header" else "text/html"
        return MirrorResponse(200, html.encode("gbk"), content_type, last_modified=page_epoch(notice))
