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
    from crawler.mirror.sites.govcn import GovcnSite

    return [GovcnSite()]


SITES: list[SiteEmulator] = _load()
