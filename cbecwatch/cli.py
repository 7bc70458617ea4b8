"""The ``cbecwatch`` command. Imports are lazy so that ``--help`` and small commands start fast
(Scrapy, SQLAlchemy and jieba load only for the commands that need them)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence


class UserError(Exception):
    """An error the user can act on; printed as one line, never as a traceback."""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbecwatch",
        description="Monitor Chinese cross-border e-commerce policy notices: crawl, extract facts, alert.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    crawl = sub.add_parser("crawl", help="crawl the sources once and store what is new")
    crawl.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    crawl.add_argument("--mirror", metavar="URL", help="send every request to this local mirror instead")
    crawl.add_argument("--trigger", default="cli", help=argparse.SUPPRESS)
    crawl.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log instead of a log file")
    crawl.set_defaults(handler="cbecwatch.commands:crawl")

    notices = sub.add_parser("notices", help="list stored notices, newest first")
    notices.add_argument("--json", action="store_true", help="one JSON array")
    notices.add_argument("--since", type=_date, metavar="DATE", help="published on or after DATE")
    notices.add_argument("--source", metavar="NAME", help="only this source")
    notices.add_argument("--city", metavar="NAME", help="naming this place (杭州 or 杭州市, 德宏州 …)")
    notices.add_argument("--province", metavar="NAME", help="naming a place in this province (浙江 or 浙江省)")
    notices.add_argument("--kind", metavar="KIND", help="of this kind (pilot_zone_batch, tax_policy, other …)")
    notices.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    notices.set_defaults(handler="cbecwatch.commands:notices")

    show = sub.add_parser("show", help="show one notice with its versions and facts")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler="cbecwatch.commands:show")

    sources = sub.add_parser("sources", help="the configured sources and their health")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(handler="cbecwatch.commands:sources")
    resolve("cbecwatch.commands_sources:add_commands")(sub, sources)  # sources probe, snapshot

    mirror = sub.add_parser("mirror", help="serve the bundled mirror of the government sites on 127.0.0.1")
    mirror.add_argument("--port", type=int, default=8765)
    mirror.add_argument("--host", default="127.0.0.1")
    mirror.add_argument("--root", help="mirror data directory (default: the bundled one)")
    mirror.add_argument("--replay", action="store_true",
                        help="answer only from the recorded responses under ROOT/recorded (a snapshot)")
    mirror.set_defaults(handler="cbecwatch.commands:mirror")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    db_sub.add_parser("upgrade", help="apply migrations (also done automatically on first use)").set_defaults(
        handler="cbecwatch.commands:db_upgrade")
    db_sub.add_parser("current", help="print the schema revision").set_defaults(
        handler="cbecwatch.commands:db_current")

    from cbecwatch.commands_facts import add_commands as add_fact_commands

    add_fact_commands(sub, _date)

    demo = sub.add_parser("demo", help="start the bundled mirror and crawl every source from it")
    demo.set_defaults(handler="cbecwatch.commands:demo")
    resolve("cbecwatch.commands_alerts:add_commands")(sub)  # subscribers, deliveries, events, daemon
    return parser


def resolve(handler: str) -> Callable[[argparse.Namespace], int]:
    import importlib

    module_name, _, attr = handler.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from cbecwatch.config import ConfigError

    try:
        return resolve(args.handler)(args)
    except (UserError, ConfigError) as exc:
        print(f"cbecwatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cbecwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
