"""What the command modules share, below them and below the parser (``cbecwatch.cli``), so that the
parser can import the command modules and they can import these without a circle: the error a user
can act on, the ``--limit`` type, the configured database and the checks of listing filters.

Imports inside the functions are lazy for the same reason as the CLI's: ``--help`` and small
commands must not load SQLAlchemy, Scrapy or the gazetteer."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


class UserError(Exception):
    """An error the user can act on; printed as one line, never as a traceback."""


def positive_count(value: str) -> int:
    """``--limit N``: a whole number of at least 1 (``--limit -1`` used to reach SQL as ``LIMIT -1``)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def open_configured(*, writes: bool = False) -> Any:
    """The configured database. Commands that write (crawl, daemon, subscribers add …) bring its schema
    up to date; read-only ones never migrate: a schema that is behind is a one-line error (exit 2)
    saying to run ``cbecwatch db upgrade``."""
    from cbecwatch.config import get_settings  # pydantic: not for `--help`
    from storage.db import DatabaseError, open_database

    try:
        return open_database(get_settings().database_url, migrate=writes, require_current=not writes)
    except DatabaseError as exc:
        raise UserError(str(exc)) from exc


def check_kind(kind: str | None) -> None:
    from crawler.extraction.kind import KINDS

    if kind is not None and kind not in KINDS:
        raise UserError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")


def check_filters(*, sources: Sequence[str] = (), cities: Sequence[str] = (), provinces: Sequence[str] = ()) -> None:
    """A filter naming a source or place that does not exist would silently match nothing, for ever:
    refuse it with the names that do exist (or the gazetteer's verdict)."""
    if sources:
        from crawler.runner import available_sources

        known = available_sources()
        unknown = [name for name in sources if name not in known]
        if unknown:
            raise UserError(f"unknown source {', '.join(unknown)}; known sources: {', '.join(known)}")
    from crawler.extraction.divisions import gazetteer

    gaz = gazetteer()
    for value, level in [(c, "city") for c in cities] + [(p, "province") for p in provinces]:
        surface = value.strip()
        divisions = gaz.full.get(surface, []) + gaz.alias.get(surface, []) + gaz.full.get(surface + "市", [])
        if level == "province":
            divisions = [d for d in divisions if d.level == "province"]
        if not divisions:
            raise UserError(f"unknown {level} {value!r}: not a {'province' if level == 'province' else 'place'} "
                            "name of the division gazetteer (write it as in official lists: 杭州, 杭州市, 德宏州 …)")
