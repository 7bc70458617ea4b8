"""Turning the extractor's JSON output into queryable fact rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from storage.models import Fact


def fact_rows(extraction: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The fact rows of one extraction, as column values (without ``version_id``)."""
    if not extraction:
        return []
    rows: list[dict[str, Any]] = []

    def add(kind: str, name: str, *, value: str | None = None, unit: str | None = None,
            province: str | None = None, adcode: str | None = None) -> None:
        rows.append({"kind": kind, "position": len(rows), "name": str(name)[:256], "value": value, "unit": unit,
                     "province": province, "adcode": adcode})

    for city in extraction.get("cities") or []:
        add("city", city.get("name", ""), province=city.get("province"), adcode=city.get("adcode"))
    for city in extraction.get("removed_cities") or []:
        add("removed_city", city.get("name", ""), province=city.get("province"), adcode=city.get("adcode"))
    for figure in extraction.get("figures") or []:
        value = figure.get("value")
        add("figure", figure.get("name", ""), value=None if value is None else str(value), unit=figure.get("unit"))
    for code in extraction.get("customs_codes") or []:
        add("customs_code", code)
    # 直属海关 named as pilot areas (上海海关): places of a customs programme, never cities, so they get
    # their own kind and stay out of the place index (storage.places reads city/removed_city only).
    for district in extraction.get("customs_districts") or []:
        add("customs_district", district)
    for key in ("issue_date", "publish_date", "effective_date"):
        if extraction.get(key):
            add("date", key, value=extraction[key])
    return rows


def facts_from_extraction(extraction: dict[str, Any] | None) -> list[Fact]:
    """As ORM objects, for replacing a loaded version's ``facts`` collection (re-parse)."""
    return [Fact(**row) for row in fact_rows(extraction)]


def insert_facts(session: Session, version_id: int, extraction: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Insert the facts of a freshly stored version in one executemany.

    Why not ``version.facts = facts_from_extraction(...)``: the ORM inserts such rows one statement
    at a time on SQLite (it needs each new primary key back, and SQLite cannot promise the order of
    a multi-row RETURNING), about 28 INSERTs per notice — the largest single cost of storing one. No
    caller needs the fact ids, so a plain executemany does; ``version.facts`` still loads them.
    Returns the rows (column values), for the place index written in the same transaction.
    """
    rows = fact_rows(extraction)
    if rows:
        session.execute(insert(Fact.__table__), [{**row, "version_id": version_id} for row in rows])
    return rows
