"""``cbecwatch zones``: the pilot-zone registry, as text, JSON, CSV or GeoJSON."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from typing import Any

from cbecwatch.common import UserError

# Without the optional cpca package no coordinates are known, and none are invented.
GEOMETRY_NOTE = ("points come from pyecharts' city_coordinates.json by exact name, then from the optional cpca "
                 "package (MIT) by adcode and exact name; cbecwatch ships no coordinates of its own and guesses "
                 "none: geometry is null for a place neither names (join on properties.adcode, GB/T 2260)")
CSV_FIELDS = ("program", "batch", "name", "name_en", "province", "province_en", "adcode", "doc_number", "since",
              "origin", "confirmed", "unverified")


def add_zones_command(sub: argparse._SubParsersAction, date_type: object) -> None:
    zones = sub.add_parser("zones", help="the pilot-zone registry: places per programme and batch")
    zones.add_argument("--program", choices=["cbec_zone", "retail_import", "all"],
                       help="one programme (default cbec_zone, the comprehensive pilot zones), or all")
    zones.add_argument("--as-of", type=date_type, metavar="DATE", help="places in force on DATE (default today)")
    zones.add_argument("--batches", action="store_true", help="what each batch added and removed instead")
    shape = zones.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true", help="one row per place, with a header")
    shape.add_argument("--geojson", action="store_true",
                       help="a FeatureCollection of points (null where no data names the place)")
    zones.add_argument("--lang", choices=["zh", "en", "both"], default="zh", help="language of place names")
    zones.set_defaults(handler="cbecwatch.commands_zones:zones")


def zone_rows(session: Any, program: str | None, as_of: dt.date) -> list[dict[str, Any]]:
    from storage.queries import zone_rows as rows

    return rows(session, program, as_of)


def geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from cbecwatch.zone_points import locate

    features, sources = [], []
    for r in rows:
        found = locate(r["name"], r["adcode"])
        if found is not None and found[2] not in sources:
            sources.append(found[2])
        features.append({"type": "Feature", "id": f"{r['program']}:{r['adcode'] or r['name']}",
                         "geometry": {"type": "Point", "coordinates": [found[0], found[1]]} if found else None,
                         "properties": r})
    return {"type": "FeatureCollection", "note": GEOMETRY_NOTE, "coordinates_source": "; ".join(sources) or None,
            "features": features}


def _batch_rows(session: Any, program: str | None) -> list[dict[str, Any]]:
    from storage.queries import batch_rows

    return batch_rows(session, program)


def zones(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from storage.names_en import shown_name
    from storage.registry import ensure_registry, incomplete_since, unnamed_places

    if args.batches and (args.csv or args.geojson):
        raise UserError("--csv and --geojson export places; --batches has --json")
    as_of = args.as_of or dt.date.today()
    db = open_configured()
    with db.session() as session, session.begin():
        ensure_registry(session)  # a fresh install answers from the shipped history
        rows = _batch_rows(session, args.program) if args.batches else zone_rows(session, args.program, as_of)
        unnamed = [] if args.batches else unnamed_places(session, args.program, as_of)
    for document, since, count in unnamed:  # a count without names: said, never filled in
        print(f"cbecwatch: note: {count} places of {document} (in force from {since}) are not named by any "
              "source found, so they are not listed; a crawl of the document completes the list", file=sys.stderr)
    partial = incomplete_since(args.program)
    if partial and not unnamed and not args.batches and as_of >= partial:
        print(f"cbecwatch: note: the shipped place list is partial from {partial.isoformat()} on "
              "(a batch whose full list was not found); a crawl of its reply completes it", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.geojson:
        print(json.dumps(geojson(rows), ensure_ascii=False, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif not rows:
        print("no places in force on that date")
    elif args.batches:
        print_batches(rows, args.lang)
    else:
        for row in rows:
            mark = "" if row["confirmed"] else (" (unverified)" if row["unverified"] else " (shipped)")
            province = (row["province"] or "") if args.lang == "zh" else shown_name(row["province"], args.lang)
            since = row["since"] or "—"
            print(f"{row['program']:<14} batch {row['batch']:>2}  {shown_name(row['name'], args.lang):<12} "
                  f"{province:<10} {row['adcode'] or '':<7} {row['doc_number'] or ''} since {since}{mark}")
    return 0


def print_batches(rows: list[dict[str, Any]], lang: str) -> None:
    from storage.glossary import program_name
    from storage.names_en import shown_name
    from storage.registry import PROGRAM_NAMES

    sep = "、" if lang == "zh" else ", "
    for row in rows:
        programme = PROGRAM_NAMES[row["program"]] if lang == "zh" else program_name(row["program"], "en")
        added = sep.join(shown_name(n, lang) for n in row["added"])
        removed = sep.join(shown_name(n, lang) for n in row["removed"])
        print(f"{programme} batch {row['batch']} ({row['doc_number'] or '—'}, {row['date'] or '—'}): "
              f"+{len(row['added'])} {added}".rstrip() + (f"; removed {removed}" if removed else "")
              + ("" if row["complete"] else
                 f" (+{row['unnamed']} not named by any source found)" if row.get("unnamed") else " (list partial)")
              + (f"; scope by rule, no places named: {row['scope_rule']}" if row.get("scope_rule") else "")
              + f"; total {shown_total(row)}")


def shown_total(row: dict[str, Any]) -> str:
    """The programme's running count after a batch: "40 named of 88" while some places are only counted."""
    named, total = row["total_named"], row["total"]
    return str(named) if named == total else f"{named} named of {total}"
