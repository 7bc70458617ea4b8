"""Commands about extracted facts: ``extract``, ``reparse`` (and, from its own module, ``zones``)."""

from __future__ import annotations

import argparse
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
    from cbecwatch.commands import _database
    from crawler.facts import reparse as reparse_all

    db = _database(writes=True)
    with db.session() as session, session.begin():
        report = reparse_all(session, args.source)
    print(f"re-extracted {report.versions} versions: {report.changed} changed, {report.failed} failed; "
          f"registry has {report.zones} places")
    return 1 if report.failed else 0

