"""The ``cbecwatch`` command. Imports are lazy so that ``--help`` and small commands start fast
(Scrapy, SQLAlchemy and jieba load only for the commands that need them)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence

from cbecwatch.common import UserError, positive_count

#: C0 and C1 control characters but tab and newline: a scraped title must not drive the terminal
CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])


class PrintableStream:
    """Wraps stdout/stderr so that nothing printed carries terminal escape sequences."""

    def __init__(self, stream: object) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text.translate(CONTROL))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class OneLineParser(argparse.ArgumentParser):
    """A bad argument is one line (and exit 2), as every other bad input is; ``--help`` has the usage."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="cbecwatch",
        description="Monitor Chinese cross-border e-commerce policy notices: crawl, extract facts, alert.",
    )
    from cbecwatch import __version__

    parser.add_argument("--version", action="version", version=f"cbecwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    crawl = sub.add_parser("crawl", help="crawl the sources once and store what is new")
    crawl.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    crawl.add_argument("--mirror", metavar="URL", help="send every request to this local mirror instead")
    crawl.add_argument("--strict", action="store_true",
                       help="exit 1 also when a source was blocked but covered by its second way in")
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
    notices.add_argument("--limit", type=positive_count, default=50, help="at most this many (default 50)")
    notices.set_defaults(handler="cbecwatch.commands:notices")

    show = sub.add_parser("show", help="show one notice with its versions and facts")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.add_argument("--lang", choices=["zh", "en", "both"], default="zh", help="language of place names")
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
    db_sub.add_parser("upgrade", help="apply migrations (read-only commands refuse a schema that is behind)"
                      ).set_defaults(
        handler="cbecwatch.commands:db_upgrade")
    db_sub.add_parser("current", help="print the schema revision").set_defaults(
        handler="cbecwatch.commands:db_current")
    resolve("cbecwatch.commands_ops:add_commands")(sub, db_sub)  # prune, db backup
    sub.add_parser("secret-key", help="print a new key for CBECWATCH_SECRET_KEY (seals webhook secrets at rest)"
                   ).set_defaults(handler="cbecwatch.commands_alerts:secret_key")

    from cbecwatch.commands_history import add_commands as add_history_commands

    add_history_commands(sub)
    from cbecwatch.commands_facts import add_commands as add_fact_commands

    add_fact_commands(sub, _date)
    from cbecwatch.commands_attachments import add_commands as add_attachment_commands

    add_attachment_commands(sub, _date)
    from cbecwatch.commands_search import add_command as add_search_command

    add_search_command(sub, _date)

    demo = sub.add_parser("demo", help="start the bundled mirror and crawl every source from it")
    demo.set_defaults(handler="cbecwatch.commands:demo")
    resolve("cbecwatch.commands_alerts:add_commands")(sub)  # subscribers, deliveries, events, daemon
    resolve("cbecwatch.commands_dispatch:add_command")(sub)  # dispatch (extra dispatchers)
    resolve("cbecwatch.commands_web:add_commands")(sub)  # serve, status
    resolve("cbecwatch.commands_config:add_commands")(sub)  # config
    return parser


def resolve(handler: str) -> Callable[[argparse.Namespace], int]:
    import importlib

    module_name, _, attr = handler.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def main(argv: Sequence[str] | None = None) -> int:
    # Everything we create — the SQLite database, logs, cached robots.txt — is the owner's alone: the
    # database holds webhook secrets and tokenised URLs.
    os.umask(0o077)
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)  # type: ignore[assignment]
    args = build_parser().parse_args(argv)
    from cbecwatch.config import ConfigError, get_alert_settings, get_settings

    try:
        # Every setting is read (and checked) before any command runs: a typo in a setting the command
        # does not use today must not wait for the daemon to find it at 3 a.m.
        get_settings()
        get_alert_settings()
        return resolve(args.handler)(args)
    except (UserError, ConfigError) as exc:
        print(f"cbecwatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cbecwatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `cbecwatch notices | head`: the reader has all it wanted
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
