"""Emulates www.mofcom.gov.cn (政策发布) and its sub-site dzsws.mofcom.gov.cn (工作通知) on JPaaS:
column shells, the unit API and ``/art/YYYY/art_<32hex>.html`` pages (see :mod:`.jpaas`; ids and
columns in ``site/mofcom/units.json``)."""

from __future__ import annotations

from crawler.mirror.sites.jpaas import JpaasSite


class MofcomSite(JpaasSite):
    def __init__(self) -> None:
        super().__init__("mofcom", frozenset({"www.mofcom.gov.cn", "dzsws.mofcom.gov.cn"}))
