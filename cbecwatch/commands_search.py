"""``cbecwatch search QUERY``: full-text search over the stored notice texts (``storage.search``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cbecwatch.common import UserError


def add_command(sub: Any, parse_date: Any) -> None:
    search = sub.add_parser("search", help="full-text search over notice texts, most relevant first")
    search.add_argument("query", nargs="?", metavar="QUERY",
                        help="words in Chinese (simplified or traditional), a document number, a place …")
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    search.add_argument("--offset", type=int, default=0, help="skip this many first (paging)")
    search.add_argument("--json", action="store_true", help="one JSON array")
    search.add_argument("--source", metavar="NAME", help="only this source")
    search.add_argument("--kind", metavar="KIND", help="of this kind (pilot_zone_batch, tax_policy, other …)")
    search.add_argument("--since", type=parse_date, metavar="DATE", help="published on or after DATE")
    search.add_argument("--city", metavar="NAME", help="naming this place (杭州 or 杭州市 …)")
    search.add_argument("--province", metavar="NAME", help="naming a place in this province")
    search.add_argument("--reindex", action="store_true", help="rebuild the whole index, then search if QUERY is given")
    search.set_defaults(handler="cbecwatch.commands_search:search")


def search(args: argparse.Namespace) -> int:
    from cbecwatch.common import check_filters, check_kind, open_configured

    if not args.query and not args.reindex:
        raise UserError("search needs a QUERY (or --reindex to rebuild the index)")
    if args.limit < 1 or args.offset < 0:
        raise UserError("--limit must be at least 1 and --offset at least 0")
    check_kind(args.kind)
    check_filters(sources=[args.source] if args.source else [], cities=[args.city] if args.city else [],
                  provinces=[args.province] if args.province else [])
    from storage.search import plain_snippet, rebuild_index, search_notices

    db = open_configured(writes=args.reindex)
    if args.reindex:
        with db.session() as session, session.begin():
            count = rebuild_index(session)
        print(f"search index rebuilt: {count} notices")
        if not args.query:
            return 0
    with db.session() as session:
        hits = search_notices(session, args.query, limit=args.limit, offset=args.offset, since=args.since,
                              source=args.source, kind=args.kind, city=args.city, province=args.province)
    rows = [{"rank": args.offset + rank, "id": hit.notice_id, "source": hit.source, "doc_number": hit.doc_number,
             "publish_date": hit.publish_date.isoformat() if hit.publish_date else None, "title": hit.title,
             "score": round(hit.score, 6), "snippet_html": hit.snippet_html, "snippet": plain_snippet(hit.snippet_html)}
            for rank, hit in enumerate(hits, start=1)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no stored notice matches {args.query!r}")
        return 0
    for row in rows:
        print(f"{row['rank']:>3}. #{row['id']}  {row['publish_date'] or '----------'}  {row['doc_number'] or '—'}  "
              f"{row['title']}")
        print(f"     {row['snippet']}")
    return 0
