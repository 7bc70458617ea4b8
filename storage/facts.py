"""Turning the extractor's JSON output into queryable fact rows, and reading rule figures over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, insert, select
from sqlalchemy.orm import Session

from storage.models import Fact, Notice, NoticeVersion


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


def figure_history(session: Session, *, name: str | None = None, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Rule figures over time: one row per (figure name, document), oldest first within a name.

    A document stored by several sources is one row, valued by the copy seen first (``sources`` lists
    every copy stating the figure; ``disagreeing`` the copies that state another value). ``old`` is
    the value the document itself says it replaces (``previous_X``, basis "stated"), else the value
    of the previous document in the history (basis "earlier_document"). *since* cuts the rows shown,
    not the history: the first row after it still has the old value from before it.
    """
    from storage.events import is_rule_figure

    query = (select(Notice.id, Notice.document_id, Notice.source, Notice.url, Notice.title, Notice.doc_number,
                    Notice.publish_date, Notice.issue_date, Notice.effective_date, Fact.name, Fact.value, Fact.unit)
             .join(NoticeVersion, and_(NoticeVersion.notice_id == Notice.id,
                                       NoticeVersion.number == Notice.current_version))
             .join(Fact, Fact.version_id == NoticeVersion.id)
             .where(Fact.kind == "figure", Notice.relevant.is_not(False))
             .order_by(Notice.first_seen_at, Notice.id, Fact.position))
    if name:
        query = query.where(Fact.name.in_([name, f"previous_{name}"]))
    documents: dict[Any, dict[str, Any]] = {}  # by document: figure -> first copy's row; "previous" values
    for row in session.execute(query).mappings():
        key = row["document_id"] if row["document_id"] is not None else f"notice:{row['id']}"
        document = documents.setdefault(key, {"figures": {}, "stated": {}})
        if row["name"].startswith("previous_"):
            document["stated"].setdefault(row["name"].removeprefix("previous_"), row["value"])
            continue
        if not is_rule_figure(row["name"]):
            continue
        first = document["figures"].setdefault(row["name"], dict(row, sources=[], disagreeing={}))
        if row["source"] not in first["sources"]:
            first["sources"].append(row["source"])
        if row["value"] != first["value"]:
            first["disagreeing"][row["source"]] = row["value"]
    rows = []
    for key, document in documents.items():
        for figure, first in document["figures"].items():
            date = first["publish_date"] or first["issue_date"]
            rows.append({"name": figure, "unit": first["unit"], "date": date, "new": first["value"],
                         "stated_old": document["stated"].get(figure), "document_id": first["document_id"],
                         "notice_id": first["id"], "doc_number": first["doc_number"], "title": first["title"],
                         "url": first["url"], "effective_date": first["effective_date"],
                         "sources": first["sources"], "disagreeing": first["disagreeing"], "_key": str(key)})
    rows.sort(key=lambda r: (r["name"], r["date"] or dt.date.max, r["notice_id"]))
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] = {}
    for row in rows:
        stated = row.pop("stated_old")
        earlier = previous.get(row["name"])
        row["old"], row["basis"] = (stated, "stated") if stated is not None else (
            (earlier, "earlier_document") if earlier is not None else (None, None))
        previous[row["name"]] = row["new"]
        row.pop("_key")
        if since is None or (row["date"] is not None and row["date"] >= since):
            out.append(row)
    return out


def figure_names(session: Session) -> list[str]:
    """The rule figure names stored (of any version)."""
    from storage.events import is_rule_figure

    names = session.scalars(select(Fact.name).where(Fact.kind == "figure").distinct())
    return sorted(n for n in names if is_rule_figure(n))
