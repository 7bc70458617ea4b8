"""``cbecwatch attachments`` (what was fetched and how it read) and ``cbecwatch hs`` (the positive list
by HS code)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cbecwatch.common import UserError


def add_commands(sub: argparse._SubParsersAction, date_type: object) -> None:
    attachments = sub.add_parser("attachments", help="stored attachments with their status (parsed, needs_ocr, "
                                 "unreadable and why)")
    attachments.add_argument("--notice", type=int, metavar="ID", help="only this notice's attachments")
    attachments.add_argument("--json", action="store_true")
    attachments.set_defaults(handler="cbecwatch.commands_attachments:attachments")

    hs = sub.add_parser("hs", help="is an HS code on the cross-border retail import positive list, and since when")
    hs.add_argument("code", help="8 or 10 digits (dots allowed: 3304.99.00); fewer digits list a heading's lines")
    hs.add_argument("--as-of", type=date_type, metavar="DATE", help="the list in force on DATE (default today)")
    hs.add_argument("--json", action="store_true")
    hs.set_defaults(handler="cbecwatch.commands_attachments:hs")


def attachments(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from storage.attachments import attachment_rows
    from storage.models import Notice

    with open_configured().session() as session:
        if args.notice is not None and session.get(Notice, args.notice) is None:
            raise UserError(f"no notice with id {args.notice} (cbecwatch notices lists them)")
        rows = attachment_rows(session, args.notice)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no attachments stored" + (f" for notice {args.notice}" if args.notice is not None else ""))
        return 0
    for row in rows:
        what = f"{row['rows']} goods rows" if row["status"] == "parsed" else row["reason"] or ""
        print(f"notice {row['notice_id']} v{row['version']}  {row['status']:<10} {row['format']:<5} "
              f"{row['size']:>9,} B  {row['link_text']}  — {what}\n    {row['url']}")
    return 0


def _announcement(line: dict[str, Any] | None) -> str:
    if not line:
        return "—"
    number = line.get("doc_number") or line.get("title") or f"notice {line.get('notice_id')}"
    effective = f", in force {line['effective_on']}" if line.get("effective_on") else ""
    return f"{number} ({line.get('announced_on') or line.get('applies_from')}{effective})"


def hs(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from storage.positive_list import lookup_hs

    with open_configured().session() as session:
        try:
            answer = lookup_hs(session, args.code, args.as_of)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    if answer["list_version"] is None:
        first = answer["first_version_from"]
        print(f"{answer['query']}: no positive list in force on {answer['as_of']} in the database "
              + (f"(the stored versions start {first})" if first else "(none stored: crawl mof_gss first)"))
        return 1
    if not answer["on_list"]:
        print(f"{answer['query']}: not on the positive list on {answer['as_of']} "
              f"({answer['list_size']} lines; last changed by {_announcement(answer['list_version'])})")
        for gone in answer["removed"]:
            print(f"  {gone['hs_code']} removed by {_announcement(gone['removed_by'])}")
        return 1
    print(f"{answer['query']}: on the positive list on {answer['as_of']} — {len(answer['lines'])} line(s)")
    for line in answer["lines"]:
        notes = f" [{line['notes']}]" if line["notes"] else ""
        print(f"  {line['hs_code']}  {line['description']}{notes}\n      since {_announcement(line['since'])}"
              + (f"; changed by {_announcement(line['changed_by'])}" if line["changed_by"] else ""))
    return 0
