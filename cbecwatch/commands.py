"""What each ``cbecwatch`` sub-command does. Output formatting lives with the command."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbecwatch.common import UserError, check_filters, check_kind, open_configured
from cbecwatch.config import get_settings

if TYPE_CHECKING:  # the command line loads SQLAlchemy only for the commands that need it
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from storage.models import Notice


def crawl(args: argparse.Namespace) -> int:
    from crawler.runner import UnknownSourceError, run_crawl
    from storage.db import DatabaseError

    try:
        report = run_crawl(args.source, mirror=args.mirror, trigger=args.trigger, verbose=args.verbose)
    except (UnknownSourceError, DatabaseError) as exc:
        raise UserError(str(exc)) from exc
    print_summary(report)
    covered = [o for o in report.outcomes if o.status == "covered"]
    for outcome in covered:
        print(f"  {outcome.source}: {outcome.reason}", file=sys.stderr)
    return 1 if report.failed or (args.strict and covered) else 0


def print_summary(report: Any) -> None:
    total_new = sum(o.new for o in report.outcomes)
    total_revised = sum(o.revised for o in report.outcomes)
    print(f"\ncrawl run {report.run_id}: {len(report.outcomes)} sources, {total_new} new notices, "
          f"{total_revised} revised; database {get_settings().shown_database_url}")
    for outcome in report.failed:
        print(f"  {outcome.source}: {outcome.status}: {outcome.reason}", file=sys.stderr)
    if report.log_file:
        print(f"  details in {report.log_file}")


def listing_query(session: Session, **filters: Any) -> Select[tuple[Notice]]:
    """The select of ``cbecwatch notices`` (``storage.queries.listing_query``, shared with the web app);
    imported lazily so that commands that read no notices do not load SQLAlchemy."""
    from storage.queries import listing_query as query

    return query(session, **filters)


def notices(args: argparse.Namespace) -> int:
    kind, city, province = args.kind, args.city, args.province
    check_kind(kind)  # before opening the database: a typo should not wait for a migration
    check_filters(sources=[args.source] if args.source else [], cities=[city] if city else [],
                  provinces=[province] if province else [])
    from storage.queries import notice_listing

    db = open_configured()
    with db.session() as session:
        rows = notice_listing(session, limit=args.limit, since=args.since, source=args.source, kind=kind,
                              city=city, province=province)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        filtered = any((args.since, args.source, kind, city, province))
        print("no stored notice matches" if filtered else
              "no notices stored yet — run `cbecwatch crawl` (or `make demo` without network)")
        return 0
    # Columns sized to what is shown; document numbers are measured in display columns (CJK = 2).
    for row in rows:  # the copies' sources, the first-seen one first
        row["shown_sources"] = ",".join(dict.fromkeys(copy["source"] for copy in row["sources"]))
    source_w = max(len(row["shown_sources"]) for row in rows)
    number_w = max(_width(row["doc_number"] or "—") for row in rows)
    for row in rows:
        print(f"{row['id']:>5}  {row['publish_date'] or '----------'}  {row['shown_sources']:<{source_w}}  "
              f"{_fit(row['doc_number'] or '—', number_w)}  {row['title']}")
    return 0


def show(args: argparse.Namespace) -> int:
    from storage.names_en import shown_name
    from storage.queries import notice_detail

    lang = getattr(args, "lang", "zh")
    db = open_configured()
    with db.session() as session:
        data = notice_detail(session, args.id)
    if data is None:
        raise UserError(f"no notice with id {args.id}")
    text = data.pop("text")
    if args.json:
        print(json.dumps(dict(data, text=text), ensure_ascii=False, indent=2))
        return 0
    for key in ("title", "doc_number", "agencies", "issue_date", "publish_date", "effective_date", "kind",
                "source", "url"):
        value = data[key]
        print(f"{key:>15}: {', '.join(value) if isinstance(value, list) else (value or '—')}")
    for role in ("designated", "removed"):
        named = [f"{shown_name(p['name'], lang)} ({shown_name(p['province'], lang) or '?'}, {p['adcode'] or '?'})"
                 for p in data["places"] if p["role"] == role]
        if named:
            print(f"{role + ' places':>15}: {', '.join(named)}")
    for version in data["versions"]:
        facts = ", ".join(f"{f['kind']}={f['name']}" + (f"={f['value']}" if f["value"] else "")
                          for f in version["facts"]) or "none"
        print(f"{'version ' + str(version['number']):>15}: {version['fetched_at']}, {version['chars']} chars; "
              f"facts: {facts}")
    from cbecwatch.commands_documents import print_copies

    print_copies(data["copies"])
    print()
    print(text)
    return 0


def sources(args: argparse.Namespace) -> int:
    """Per source: its agency, where it starts, last run, status with the reason, and the counts of
    the last run (requests, bytes, notices, new, errors by class)."""
    from storage.status import source_rows

    db = open_configured()
    with db.session() as session:
        rows = source_rows(session, get_settings())
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max([_width(row["agency"] or "") for row in rows] + [6])
    print(f"{'source':<13} {_fit('agency', width)} {'status':<10} {'last run (UTC)':<17} last run's counts — reason")
    for row in rows:
        last = row["last_run"] or {}
        errors = ", ".join(f"{count} {name}" for name, count in sorted((last.get("errors") or {}).items()))
        counts = (f"{last.get('requests', 0)} requests ({last.get('list_requests', 0)} list, "
                  f"{last.get('detail_requests', 0)} detail), {last.get('bytes', 0) / 1024:.0f} KiB, "
                  f"{last.get('items', 0)} notices, {last.get('new', 0)} new, {last.get('known', 0)} known, "
                  f"{last.get('not_modified', 0)} not modified"
                  + (f", {last['offsite']} off-site" if last.get("offsite") else "")
                  + (f", errors: {errors}" if errors else "")
                  if last else "no run yet")
        rotation = row["rotation"]
        if rotation["stored"]:
            counts += (f"; rotation {rotation['checked']}/{rotation['stored']} checked "
                       f"within {rotation['days']:g} days")
        reason = f" — {row['reason']}" if row["reason"] else ""
        when = (row["last_run_at"] or "-")[:16].replace("T", " ")
        print(f"{row['name']:<13} {_fit(row['agency'] or '', width)} {row['status']:<10} {when:<17} {counts}{reason}")
    return 0


def _width(text: str) -> int:
    """Display columns of *text*: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def mirror(args: argparse.Namespace) -> int:
    from crawler.mirror.server import DEFAULT_ROOT, MirrorServer

    if args.replay and not (args.root and (Path(args.root) / "recorded").is_dir()):
        raise UserError("--replay needs --root DIR, a directory with the recorded/ responses of a snapshot")
    try:
        server = MirrorServer(args.root or DEFAULT_ROOT, args.host, args.port, replay=args.replay)
    except OSError as exc:
        raise UserError(f"cannot serve the mirror on {args.host}:{args.port}: {exc}") from exc
    what = "replay of the recorded responses" if args.replay else "mirror of the government sites"
    print(f"{what} at {server.url} (data: {server.root}); Ctrl-C stops it", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def demo(args: argparse.Namespace) -> int:
    from crawler.mirror.server import MirrorServer
    from crawler.runner import run_crawl

    with MirrorServer() as server:
        print(f"demo: crawling every source from the bundled mirror at {server.url}\n", flush=True)
        report = run_crawl(None, mirror=server.url, trigger="demo")
    print_summary(report)
    print()
    notices(argparse.Namespace(json=False, since=None, source=None, kind=None, city=None, province=None,
                                 limit=50))
    print(f"\nopen the dashboard on this data: {dashboard_command()}  (then http://127.0.0.1:8000/)")
    return 1 if report.failed else 0


def dashboard_command() -> str:
    """The one command that serves the web app on the database just crawled, ready to paste elsewhere."""
    import os
    import shlex

    program = sys.argv[0] if Path(sys.argv[0]).name == "cbecwatch" else f"{sys.executable} -m cbecwatch"
    settings = get_settings()
    where = []
    if os.environ.get("CBECWATCH_HOME"):
        where.append(f"CBECWATCH_HOME={shlex.quote(str(settings.home))}")
    if os.environ.get("CBECWATCH_DATABASE_URL") and settings.database_url.startswith("sqlite"):
        where.append(f"CBECWATCH_DATABASE_URL={shlex.quote(settings.database_url)}")  # no password in a file URL
    return " ".join([*where, shlex.quote(program) if " " not in program else program, "serve"])


def db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import current_revision

    db = open_configured(writes=True)
    print(f"database {get_settings().shown_database_url} is at revision {current_revision(db.engine)}")
    return 0


def db_current(args: argparse.Namespace) -> int:
    from storage.db import current_revision, head_revision, open_database

    db = open_database(get_settings().database_url, migrate=False)
    current, head = current_revision(db.engine), head_revision(db.engine)
    print(f"{current or 'empty'} (newest: {head})")
    return 0
