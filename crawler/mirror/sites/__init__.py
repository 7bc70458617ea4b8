"""Site emulators of the mirror: one module per real site, each answering the dynamic parts
(JSON APIs, list and detail pages rendered from ``<root>/<site>/notices.json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crawler.mirror.server import MirrorRequest, MirrorResponse


class SiteEmulator(Protocol):
    hosts: frozenset[str]

    def handle(self, request: MirrorRequest) -> MirrorResponse | None: ...


def _load() -> list[SiteEmulator]:
    from crawler.mirror.sites.chinatax import ChinataxSite
    from crawler.mirror.sites.customs import CustomsSite
    from crawler.mirror.sites.govcn import GovcnSite
    from crawler.mirror.sites.hanweb import HanwebSite
    from crawler.mirror.sites.mof_gss import MofGssSite
    from crawler.mirror.sites.mofcom import MofcomSite
    from crawler.mirror.sites.zj_fgw import ZjFgwSite

    return [GovcnSite(), MofcomSite(), CustomsSite(), MofGssSite(), ChinataxSite(), HanwebSite(),
            ZjFgwSite()]


SITES: list[SiteEmulator] = _load()
