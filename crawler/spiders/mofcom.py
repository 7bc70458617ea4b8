"""商务部 MOFCOM www.mofcom.gov.cn: 政务公开 › 政策发布, a JPaaS column (see :mod:`crawler.spiders.jpaas`).

Lists: the column's unit through ``/api-gateway/jpaas-publish-server/front/page/build/unit`` with
pinned ids (one request less per run); when they get a failed or empty answer, the ids the column
page ``/zwgk/zcfb/index.html`` declares in its ``queryData`` are used instead. Rows
``div#分页列表 div.page-content ul.txtList_01 > li``: ``a[href][title]`` + ``span`` ``[YYYY-MM-DD]``;
paging by ``paramJson`` with the ``rows``/``count`` of ``div.pagination``.

Detail pages ``/zwgk/zcfb/art/YYYY/art_<32 hex>.html``: metas ``ArticleTitle``, ``PubDate`` (to the
minute, kept), ``ContentSource``, ``Url``; body ``div.art-con[ergodic=article]``; the 32-hex id is the
stable id.
"""

from __future__ import annotations

from typing import ClassVar

from crawler.spiders.jpaas import JpaasSpider

COLUMN = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
#: the zcfb unit's ids; webId/tplSetId are site-wide [#71114623176], pageId the column's [#54277738289]
API_IDS = {
    "parseType": "bulidstatic", "webId": "8f43c7ad3afc411fb56f281724b73708",
    "tplSetId": "52551ea0e2c14bca8c84792f7aa37ead", "pageType": "column", "tagId": "分页列表",
    "editType": "null", "pageId": "fc8bdff48fa345a48b651c1285b70b8f",
}


class MofcomSpider(JpaasSpider):
    name = "mofcom"
    agency = "商务部"
    home = "https://www.mofcom.gov.cn/zwgk/zcfb/"
    columns = (COLUMN,)
    unit_ids: ClassVar = {COLUMN: API_IDS}
    relies_on: ClassVar[tuple[str, ...]] = (
        "JPaaS unit API /api-gateway/jpaas-publish-server/front/page/build/unit with parseType=bulidstatic, "
        "webId, tplSetId, pageType=column, tagId=分页列表, editType=null, pageId; JSON success/code \"200\"/data.html "
        "[confirmed: #71114623176, 2026-10-01, the 日常新闻发布 column]",
        "webId 8f43c7ad…, tplSetId 52551ea0… site-wide [confirmed: #71114623176]; "
        "zcfb pageId fc8bdff4… [source: #54277738289, #61696389630]",
        "paging paramJson={\"pageNo\":N,\"pageSize\":15}, div.pagination rows/count/pageNo "
        "[confirmed: #71114623176, page 2]",
        "rows div#分页列表 div.page-content ul.txtList_01 > li, a[href][title] + span [YYYY-MM-DD] "
        "[confirmed: #71114623176]",
        "column page /zwgk/zcfb/index.html [source: #61428935494, #51769999093 send it as the API's Referer]; "
        "as a shell with the unitbuild.js script url=…/build/unit and queryData ids "
        "[lead: confirmed for /xwfb/rcxwfb/index.html (#71114623176), not yet seen for zcfb]",
        "detail /zwgk/zcfb/art/YYYY/art_<32hex>.html [source: #54277738289; the rcxwfb ones confirmed, #71114623176]",
        "metas ArticleTitle, PubDate with minutes, ContentSource, Url, MakeTime (kept apart); "
        "body div.art-con[ergodic=article] "
        "[confirmed: #71114623176, #67055874988]",
    )
