"""Emulates fzggw.zj.gov.cn, where the Zhejiang development and reform commission moved onto JPaaS
[#70462059670, #71249269492, #68346404893]: a column shell, the unit API in the ``ajax-ul`` fragment
style and ``/col/col<N>/art/YYYY/art_<32hex>.html`` pages (see :mod:`.jpaas`; ids in
``site/zj_fgw/units.json``). The commission's 2016 Hanweb site is :mod:`.hanweb`."""

from __future__ import annotations

from crawler.mirror.sites.jpaas import JpaasSite


class ZjFgwSite(JpaasSite):
    def __init__(self) -> None:
        super().__init__("zj_fgw", frozenset({"fzggw.zj.gov.cn"}))
