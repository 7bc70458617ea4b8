"""Emulates www.customs.gov.cn: the 海关总署公告 EasySite list (``index.html`` then ``08654b53-N.html``),
EasySite detail pages and pages on the post-2025 ``article_<digits>.html`` scheme.

Its robots.txt is the default (allow all). With ``"challenge"`` in ``<root>/customs/site.json`` the site
answers as the live one does behind its WAF:

* ``"ruishu"`` (or ``true``), the live product (live-evidence.md, #58115790249, 2026-08-19): HTTP 412 with
  a ``$_ts`` bootstrap script for plain clients, HTTP 400 with an empty body for headless Chrome;
* ``"jsl"``, as reports before 2025 saw it: JavaScript that sets the ``__jsl_clearance`` cookie and
  reloads — what a browser fetch gets through and plain HTTP does not.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.sites.common import body_paragraphs, load_notices, page_epoch, paginate, render

SITE = "customs"
LIST_DIR = "/customs/302249/302266/302267/"
PAGE = re.compile(r"^/customs/302249/302266/302267/08654b53-(\d+)\.html$")
PAGE_SIZE = 2
CHALLENGE = (b"<html><head><script>document.cookie='__jsl_clearance=1700000000.1|0|mirror;path=/';"
             b"location.reload();</script></head><body></body></html>")


# SYNTHETIC: the shape of a 瑞数 bootstrap (a $_ts object, then an obfuscated script), not its code.
RUISHU = (b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script type=\"text/javascript\">"
          b"$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=12345;$_ts.cd='qEpmrrAlE';</script>"
          b"<script type=\"text/javascript\" r=\"m\" src=\"/4QbVtADbnLVIc/c.FxJzG50F.7ff4fbe.js\"></script>"
          b"</head><body></body></html>")


def challenge_on(request: MirrorRequest) -> MirrorResponse | None:
    config = request.root / SITE / "site.json"
    kind = json.loads(config.read_text("utf-8")).get("challenge") if config.exists() else None
    if not kind:
        return None
    if kind == "jsl":
        if "__jsl_clearance" in request.headers.get("cookie", ""):
            return None
        return MirrorResponse(412, CHALLENGE, headers={"Set-Cookie": "__jsluid_h=mirror; path=/",
                                                       "X-Via-JSL": "mirror"}, conditional=False)
    if "HeadlessChrome" in request.headers.get("user-agent", ""):
        return MirrorResponse(400, b"", conditional=False)
    return MirrorResponse(412, RUISHU, headers={"Set-Cookie": "FSSBBIl1UgzbN7N80S=mirror; path=/; HttpOnly"},
                          conditional=False)


class CustomsSite:
    hosts = frozenset({"www.customs.gov.cn"})

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        if request.path == "/robots.txt":
            return None
        challenge = challenge_on(request)
        if challenge is not None:
            return challenge
        notices = load_notices(request.root, SITE)
        if request.path in (LIST_DIR, LIST_DIR + "index.html"):
            return self.list_page(notices, 1)
        page = PAGE.match(request.path)
        if page:
            return self.list_page(notices, int(page.group(1)))
        for notice in notices:
            if notice["path"] == request.path:
                template = "customs_article.html" if notice.get("scheme") == "article" else "customs_easysite.html"
                html = render(template, n=notice, paragraphs=body_paragraphs(request.root, SITE, notice))
                return MirrorResponse(200, html.encode("utf-8"), last_modified=page_epoch(notice))
        return None

    def list_page(self, notices: list[dict[str, Any]], page: int) -> MirrorResponse:
        rows, pages = paginate(notices, page, PAGE_SIZE)
        if page > pages:
            return MirrorResponse(404, b"<html><body>404</body></html>")

        def link(n: int) -> str:
            return LIST_DIR + f"08654b53-{n}.html" if 1 <= n <= pages else "[NEXTPAGE]"

        html = render("customs_list.html", rows=rows, page=page, pages=pages, prev_url=link(page - 1),
                      next_url=link(page + 1))
        return MirrorResponse(200, html.encode("utf-8"))
