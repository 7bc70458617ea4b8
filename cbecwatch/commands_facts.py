"""Commands about extracted facts: ``extract``, ``reparse`` and the pilot-zone registry ``zones``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from cbecwatch.cli import UserError


def add_commands(sub: argparse._SubParsersAction, date_type: object) -> None:
    extract = sub.add_parser("extract", help="extract the facts of one .txt or .html notice (no database)")
    extract.add_argument("path")
    extract.add_argument("--url", help="the page's URL (selects the site's body selectors)")
    extract.add_argument("--json", action="store_true", help="print one JSON object (the default)")
    extract.set_defaults(handler="cbecwatch.commands_facts:extract")

    reparse = sub.add_parser("reparse", help="re-extract every stored version after a parser improvement")
    reparse.add_argument("--source", metavar="NAME", help="only this source's notices")
    reparse.set_defaults(handler="cbecwatch.commands_facts:reparse")

    zones = sub.add_parser("zones", help="the pilot-zone registry: places per programme and batch")
    zones.add_argument("--program", choices=["cbec_zone", "retail_import"], help="one programme")
    zones.add_argument("--as-of", type=date_type, metavar="DATE", help="places in force on DATE (default today)")
    zones.add_argument("--batches", action="store_true", help="what each batch added and removed instead")
    zones.add_argument("--json", action="store_true")
    zones.add_argument("--lang", choices=["zh", "en", "both"], default="zh", help="language of place names")
    zones.set_defaults(handler="cbecwatch.commands_facts:zones")


def extract(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    from crawler.extraction.cli import run

    try:
        result = run(str(path), args.url)
    except (OSError, UnicodeError, ValueError) as exc:
        raise UserError(f"cannot extract {path}: {exc}") from exc
    from storage.names_en import english_place_lists

    # English names are added here, when the facts are shown: the extractor's output stays Chinese.
    result = english_place_lists(result, ("cities", "removed_cities", "exempt_cities"))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def reparse(args: argparse.Namespace) -> int:
    from cbecwatch.commands import _database
    from crawler.facts import reparse as reparse_all

    db = _database()
    with db.session() as session, session.begin():
        report = reparse_all(session, args.source)
    print(f"re-extracted {report.versions} versions: {report.changed} changed, {report.failed} failed; "
          f"registry has {report.zones} places")
    return 1 if report.failed else 0


def zones(args: argparse.Namespace) -> int:
    from cbecwatch.commands import _database
    from storage.glossary import program_name
    from storage.names_en import place_name_en, shown_name, with_english
    from storage.registry import PROGRAM_NAMES, batches
    from storage.registry import zones as zones_in_force

    db = _database()
    with db.session() as session:
        if args.batches:
            rows = [{"program": b.program, "batch": b.batch, "doc_number": b.doc_number, "title": b.title,
                     "date": b.date.isoformat() if b.date else None, "added": b.added, "removed": b.removed,
                     "added_en": [place_name_en(n) for n in b.added],
                     "removed_en": [place_name_en(n) for n in b.removed]}
                    for b in batches(session, args.program)]
        else:
            rows = [with_english({"program": z.program, "name": z.name, "province": z.province, "adcode": z.adcode,
                                  "batch": z.batch, "doc_number": z.doc_number,
                                  "since": z.added_on.isoformat() if z.added_on else None})
                    for z in zones_in_force(session, args.program, args.as_of or dt.date.today())]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("the registry is empty — crawl first (`cbecwatch crawl`, or `make demo` without network)")
        return 0
    lang = getattr(args, "lang", "zh")
    sep = "、" if lang == "zh" else ", "
    if args.batches:
        for row in rows:
            programme = PROGRAM_NAMES[row["program"]] if lang == "zh" else program_name(row["program"], "en")
            added = sep.join(shown_name(n, lang) for n in row["added"])
            removed = sep.join(shown_name(n, lang) for n in row["removed"])
            print(f"{programme} batch {row['batch']} ({row['doc_number'] or '—'}, "
                  f"{row['date'] or '—'}): +{len(row['added'])} {added}" + (f"; removed {removed}" if removed else ""))
        return 0
    for row in rows:
        province = (row["province"] or "") if lang == "zh" else shown_name(row["province"], lang)
        print(f"{row['program']:<14} batch {row['batch']:>2}  {shown_name(row['name'], lang):<12} {province:<10} "
              f"{row['adcode'] or '':<7} {row['doc_number'] or ''} since {row['since'] or '—'}")
    return 0
