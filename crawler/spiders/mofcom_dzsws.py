"""商务部电子商务和信息化司 dzsws.mofcom.gov.cn: its 工作通知 column, the department that runs the
cross-border e-commerce pilots.

The sub-site runs the same JPaaS as www.mofcom.gov.cn, with its own ``webId``/``tplSetId``: the
column page ``/gztz/index.html`` is a shell whose unit ids are read from its ``queryData`` on every
run (none are pinned, so a rotation heals itself); rows, paging and detail pages as
:mod:`crawler.spiders.mofcom`, through :mod:`crawler.spiders.jpaas`.
"""

from __future__ import annotations

from typing import ClassVar

from crawler.spiders.jpaas import JpaasSpider


class MofcomDzswsSpider(JpaasSpider):
    name = "mofcom_dzsws"
    agency = "商务部电子商务和信息化司"
    home = "https://dzsws.mofcom.gov.cn/"
    columns = ("https://dzsws.mofcom.gov.cn/gztz/index.html",)
    relies_on: ClassVar[tuple[str, ...]] = (
        "MOFCOM sub-site column pages are JPaaS shells; rows come from the unit API with the ids in the page's "
        "queryData (webId, tplSetId, tagId usually 信息列表, pageId) [confirmed: #61866510366; #71114623176]",
        "detail /gztz/art/YYYY/art_<hex>.html on dzsws.mofcom.gov.cn [confirmed: #62686646739]",
        "column page /gztz/index.html [lead: inferred from the detail URLs; the sub-site layout <col>/index.html "
        "is #61866510366's]",
        "fragment rows, paramJson paging, detail metas and div.art-con as on www.mofcom.gov.cn "
        "[lead: #61866510366 reads any li > a in the sub-sites' data.html; the rest is the main site's, #71114623176]",
    )
