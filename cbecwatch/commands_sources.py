"""Maintainer tools for sources: ``cbecwatch sources probe`` and ``cbecwatch snapshot``.

Both are for a maintainer with network access: probe tells what a new column page is and writes its
``[[source]]`` entry; snapshot records what the real sites answer in one crawl, as mirror fixtures.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cbecwatch.common import UserError, positive_count


def add_commands(sub: Any, sources: argparse.ArgumentParser) -> None:
    actions = sources.add_subparsers(dest="sources_command", metavar="ACTION")
    probe = actions.add_parser("probe", help="recognise the CMS of one page, list its rows, print a [[source]]")
    probe.add_argument("target", metavar="URL|FILE", help="a column page's URL, or a saved copy of it")
    probe.add_argument("--url", help="for a FILE: the address it was saved from (links, the entry, JPaaS API)")
    probe.add_argument("--mirror", metavar="URL", help="fetch from this local mirror instead of the real host")
    probe.add_argument("--json", action="store_true", help="the whole report as one JSON object")
    probe.set_defaults(handler="cbecwatch.commands_sources:probe")

    snapshot = sub.add_parser("snapshot", help="crawl once and save every response as mirror fixtures")
    snapshot.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    snapshot.add_argument("--out", metavar="DIR", help="the mirror data directory to write into "
                          "(default: $CBECWATCH_HOME/snapshots/<time>)")
    snapshot.add_argument("--limit", type=positive_count, metavar="N", help="at most N detail pages per source")
    snapshot.add_argument("--mirror", metavar="URL", help="crawl this local mirror instead of the real sites")
    snapshot.set_defaults(handler="cbecwatch.commands_sources:snapshot")


def probe(args: argparse.Namespace) -> int:
    from crawler.fetch import FetchError
    from crawler.probe import probe as run_probe

    try:
        report = run_probe(args.target, mirror=args.mirror, url=args.url)
    except FetchError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0 if report.recognition.cms else 1
    page = report.page
    print(f"{page.url}: HTTP {page.status}, {len(page.body)} bytes")
    for status, where in page.redirects:
        print(f"  redirected ({status}) to {where}")
    for note in page.notes:
        print(f"  {note}")
    print(report.recognition.describe())
    if report.recognition.cms is None:
        return 1
    for unit in report.units:
        print(f"  unit {unit.params.get('tagId', '?')}: {unit.api} " + ", ".join(
            f"{k}={v}" for k, v in unit.params.items() if k != "tagId"))
    if report.unit_api:
        print(f"  unit API: HTTP {report.unit_api['status']}, code {report.unit_api.get('code')!r}, "
              f"count {report.unit_api.get('count')}")
    print(f"\n{len(report.rows)} rows from {report.rows_from}:" if report.rows_from else "\nno rows read")
    for row in report.rows:
        print(f"  {row.date or '----------'}  {row.title}\n              {row.url}")
    if report.skipped:
        print(f"{len(report.skipped)} links in the rows do not match the template's detail_url, e.g.:")
        for url in report.skipped[:3]:
            print(f"  {url}")
    for problem in report.problems:
        print(f"problem: {problem}")
    if report.entry:
        print("\nfor crawler/sources.toml:\n")
        print(report.entry, end="")
    return 0


def snapshot(args: argparse.Namespace) -> int:
    from crawler.runner import UnknownSourceError
    from crawler.snapshot import take_snapshot

    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1, got {args.limit}")
    try:
        result = take_snapshot(args.source, out=Path(args.out) if args.out else None, limit=args.limit,
                               mirror=args.mirror)
    except UnknownSourceError as exc:
        raise UserError(str(exc)) from exc
    for outcome in result.outcomes:
        reason = f" — {outcome.reason}" if outcome.reason else ""
        print(f"{outcome.source}: {outcome.status}, {outcome.items} notices{reason}")
    print(f"{result.responses} responses saved in {result.out / 'recorded'}; serve them with "
          f"`cbecwatch mirror --root {result.out} --replay`")
    return 1 if any(o.status not in ("ok", "partial") for o in result.outcomes) else 0
