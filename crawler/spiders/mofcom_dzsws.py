"""商务部电子商务和信息化司 dzsws.mofcom.gov.cn: its 工作通知 column, the department that runs the
cross-border e-commerce pilots.

List: the column page ``/gztz/index.html``, rows ``ul.policy-list > li`` as on the main JPaaS site.
The column path is inferred from the new detail URLs ``/gztz/art/YYYY/art_<hex>.html``; no public
crawler of the list was found, so only the first page is read (no paging scheme is known).
Detail pages share the MOFCOM JPaaS template (see :mod:`crawler.spiders.mofcom`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

from scrapy.http import Request, TextResponse

from crawler.spiders.mofcom import MofcomSpider, list_rows

COLUMN = "https://dzsws.mofcom.gov.cn/gztz/index.html"


class MofcomDzswsSpider(MofcomSpider):
    name = "mofcom_dzsws"
    agency = "商务部电子商务和信息化司"
    home = "https://dzsws.mofcom.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "detail /gztz/art/YYYY/art_<hex>.html on dzsws.mofcom.gov.cn [lead: unconfirmed]",
        "column page /gztz/index.html [guess: inferred from the detail URLs; re-check live first]",
        "rows ul.policy-list > li with a[title] and span [YYYY-MM-DD] [lead: unconfirmed, main MOFCOM site]",
        "detail template as MOFCOM: metas, div.art-con [lead: unconfirmed]",
    )

    def list_requests(self) -> Iterable[Request]:
        yield self.list_request(COLUMN, callback=self.parse_column)

    def parse_column(self, response: TextResponse) -> Iterator[Request]:
        rows = list_rows(response, response.url)
        self.list_parsed(response, len(rows), "ul.policy-list rows")
        for url, listing in rows:
            yield from self.follow(url, listing)
