"""Commands about extracted facts: ``extract``, ``reparse``, ``facts`` (and, from its own module, ``zones``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cbecwatch.common import UserError


def add_commands(sub: argparse._SubParsersAction, date_type: object) -> None:
    extract = sub.add_parser("extract", help="extract the facts of one .txt or .html notice (no database)")
    extract.add_argument("path")
    extract.add_argument("--url", help="the page's URL (selects the site's body selectors)")
    extract.add_argument("--json", action="store_true", help="print one JSON object (the default)")
    extract.set_defaults(handler="cbecwatch.commands_facts:extract")

    reparse = sub.add_parser("reparse", help="re-extract every stored version after a parser improvement")
    reparse.add_argument("--source", metavar="NAME", help="only this source's notices")
    reparse.set_defaults(handler="cbecwatch.commands_facts:reparse")

    facts = sub.add_parser("facts", help="rule figures over time (limits, rates, list sizes) with their documents")
    facts.add_argument("--name", metavar="FIGURE", help="only this figure, e.g. single_limit_yuan")
    facts.add_argument("--since", type=date_type, metavar="YYYY-MM-DD", help="only documents dated from this day")
    facts.add_argument("--json", action="store_true")
    facts.set_defaults(handler="cbecwatch.commands_facts:facts")

    from cbecwatch.commands_zones import add_zones_command

    add_zones_command(sub, date_type)


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
    from cbecwatch.common import open_configured
    from crawler.facts import reparse as reparse_all

    db = open_configured(writes=True)
    with db.session() as session, session.begin():
        report = reparse_all(session, args.source)
    print(f"re-extracted {report.versions} versions: {report.changed} changed, {report.failed} failed; "
          f"registry has {report.zones} places")
    return 1 if report.failed else 0



def facts(args: argparse.Namespace) -> int:
    """One row per (figure, document): date, old → new, number, title and the sources carrying it."""
    from cbecwatch.common import open_configured
    from crawler.extraction.figures import RULE_FIGURES
    from storage.facts import figure_history, figure_names

    db = open_configured()
    with db.session() as session:
        if args.name:
            known = sorted(set(RULE_FIGURES) | set(figure_names(session)))
            if args.name not in known:
                raise UserError(f"unknown figure {args.name!r}; known figures: {', '.join(known)}")
        rows = figure_history(session, name=args.name, since=args.since)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    if not rows:
        print("no rule figure stored yet" + (" for these filters" if args.name or args.since else
                                             " — run `cbecwatch crawl` (or `make demo` without network)"))
        return 0
    shown_name = None
    for row in rows:
        if row["name"] != shown_name:
            shown_name = row["name"]
            print(f"{'' if shown_name == rows[0]['name'] else chr(10)}{shown_name} ({row['unit'] or '?'})")
        change = f"{row['old'] or '—'} → {row['new']}" if row["old"] != row["new"] else f"{row['new']} (unchanged)"
        disagreeing = "".join(f"; {source} says {value}" for source, value in row["disagreeing"].items())
        print(f"  {row['date'] or '----------'}  {change:<16}  {row['doc_number'] or '—'}  {row['title']}  "
              f"[{', '.join(row['sources'])}{disagreeing}]")
    return 0
