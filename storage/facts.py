"""Turning the extractor's JSON output into queryable fact rows."""

from __future__ import annotations

from typing import Any

from storage.models import Fact


def facts_from_extraction(extraction: dict[str, Any] | None) -> list[Fact]:
    if not extraction:
        return []
    facts: list[Fact] = []
    position = 0

    def add(kind: str, name: str, **values: Any) -> None:
        nonlocal position
        facts.append(Fact(kind=kind, position=position, name=str(name)[:256], **values))
        position += 1

    for city in extraction.get("cities") or []:
        add("city", city.get("name", ""), province=city.get("province"), adcode=city.get("adcode"))
    for city in extraction.get("removed_cities") or []:
        add("removed_city", city.get("name", ""), province=city.get("province"), adcode=city.get("adcode"))
    for figure in extraction.get("figures") or []:
        value = figure.get("value")
        add("figure", figure.get("name", ""), value=None if value is None else str(value), unit=figure.get("unit"))
    for code in extraction.get("customs_codes") or []:
        add("customs_code", code)
    for key in ("issue_date", "publish_date", "effective_date"):
        if extraction.get(key):
            add("date", key, value=extraction[key])
    return facts
