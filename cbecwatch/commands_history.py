"""``cbecwatch diff``: read a notice's revision history without waiting for an alert.

Two versions are compared the way revision alerts compare them (:mod:`storage.diffs`: paragraphs, then
words inside a changed paragraph); above the text diff stand what a reader looks for first — the places
and figures one version has and the other has not.
"""

from __future__ import annotations

import argparse
import json

from cbecwatch.common import UserError


def add_commands(sub: argparse._SubParsersAction) -> None:
    diff = sub.add_parser("diff", help="what changed between two stored versions of a notice")
    diff.add_argument("id", type=int, help="the notice id (see `cbecwatch notices`)")
    diff.add_argument("--from", dest="from_version", type=int, metavar="N", help="older version (default: the one "
                      "before --to)")
    diff.add_argument("--to", dest="to_version", type=int, metavar="M", help="newer version (default: the latest)")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(handler="cbecwatch.commands_history:diff")


def diff(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from storage.diffs import fact_changes, line_diff
    from storage.models import Notice

    with open_configured().session() as session:
        notice = session.get(Notice, args.id)
        if notice is None:
            raise UserError(f"no notice with id {args.id}")
        versions = {v.number: v for v in notice.versions}
        to_number = args.to_version or max(versions)
        from_number = args.from_version or max((n for n in versions if n < to_number), default=None)
        for wanted in (to_number, from_number):
            if wanted is not None and wanted not in versions:
                have = ", ".join(map(str, sorted(versions)))
                raise UserError(f"notice {args.id} has no version {wanted}; it has {have}")
        if from_number is None:
            raise UserError(f"notice {args.id} has one version only: nothing to compare")
        if from_number >= to_number:
            raise UserError(f"--from ({from_number}) must be older than --to ({to_number})")
        old, new = versions[from_number], versions[to_number]
        result = {"notice_id": notice.id, "title": notice.title, "doc_number": notice.doc_number,
                  "from": {"version": from_number, "fetched_at": old.fetched_at.isoformat()},
                  "to": {"version": to_number, "fetched_at": new.fetched_at.isoformat()},
                  "changes": fact_changes(old, new),
                  "diff": line_diff(old.text, new.text, from_version=from_number, to_version=to_number)}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['doc_number'] or '—'} {result['title']}")
    print(f"version {from_number} ({result['from']['fetched_at'][:16]}) → version {to_number} "
          f"({result['to']['fetched_at'][:16]})")
    changes = result["changes"]
    for label, key in (("places added", "places_added"), ("places removed", "places_removed")):
        if changes[key]:
            print(f"{label}: " + "、".join(p["name"] for p in changes[key]))
    for figure in changes["figures"]:
        unit = f" {figure['unit']}" if figure["unit"] else ""
        print(f"figure {figure['name']}: {figure['old'] or '—'} → {figure['new'] or '—'}{unit}")
    text = result["diff"]["text"]
    print(text if text else "(the texts are the same; the versions differ in markup or metadata only)")
    return 0
