"""Result types of the extractor. Plain dataclasses: storage and the CLI turn them into JSON via to_dict()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Place:
    """A place named in a notice, resolved against the division data when possible."""

    name: str  # as written, or the canonical full name when the text used a short form (天津 -> 天津市)
    province: str | None
    adcode: str | None
    level: str | None = None  # province / prefecture / county / new_area / island / special_area
    ambiguous: bool = False  # the name fits several divisions; the first in data order was taken

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "province": self.province, "adcode": self.adcode}
        if self.level:
            d["level"] = self.level
        if self.ambiguous:
            d["ambiguous"] = True
        return d


@dataclass(frozen=True)
class Figure:
    name: str  # e.g. single_limit_yuan, previous_annual_limit_yuan, customs_duty_rate_pct, items_added
    value: float | int
    unit: str  # yuan / percent / items / days / zones

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass
class Extraction:
    title: str | None = None
    doc_number: str | None = None
    agencies: list[str] = field(default_factory=list)
    issue_date: dt.date | None = None
    publish_date: dt.date | None = None
    effective_date: dt.date | None = None
    effective_rule: str | None = None  # explicit / on_publication / on_issue / None
    kind: str = "other"
    program: str | None = None
    cities: list[Place] = field(default_factory=list)  # newly designated, in document order
    removed_cities: list[Place] = field(default_factory=list)  # revoked (撤销 / 不再保留)
    exempt_cities: list[Place] = field(default_factory=list)  # named as exceptions (暂不适用)
    customs_districts: list[str] = field(default_factory=list)  # 直属海关 named as pilot areas
    zones_expected: int | None = None  # count stated in the text (等N个城市), for the cross-check
    figures: list[Figure] = field(default_factory=list)
    customs_codes: list[str] = field(default_factory=list)
    relevance: float = 0.0
    relevant: bool = False
    warnings: list[str] = field(default_factory=list)

    def figure(self, name: str) -> float | int | None:
        return next((f.value for f in self.figures if f.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "agencies": list(self.agencies),
            "issue_date": _iso(self.issue_date),
            "publish_date": _iso(self.publish_date),
            "effective_date": _iso(self.effective_date),
            "effective_rule": self.effective_rule,
            "kind": self.kind,
            "program": self.program,
            "cities": [p.to_dict() for p in self.cities],
            "removed_cities": [p.to_dict() for p in self.removed_cities],
            "exempt_cities": [p.to_dict() for p in self.exempt_cities],
            "customs_districts": list(self.customs_districts),
            "zones_expected": self.zones_expected,
            "figures": [f.to_dict() for f in self.figures],
            "customs_codes": list(self.customs_codes),
            "relevance": round(self.relevance, 3),
            "relevant": self.relevant,
            "warnings": list(self.warnings),
        }
