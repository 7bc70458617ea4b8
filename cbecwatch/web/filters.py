"""The notice filters the listing page, the API and the feeds share: the CLI's (``cbecwatch notices``)
plus a date range, relevant-only and a cursor. An unknown kind, source or place is refused with the
valid names (:class:`BadRequest`, answered 400), never silently matches nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Query, Request

from storage.queries import Cursor

DATE = r"^(\d{4}-\d{2}-\d{2})?$"  # empty is "no bound": a form submits its empty fields


class BadRequest(ValueError):
    """A parameter the app refuses, with a message naming it and the valid values (answered 400)."""


@dataclass(frozen=True)
class NoticeFilters:
    source: str | None = None
    kind: str | None = None
    province: str | None = None
    city: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    relevant: bool = False
    limit: int = 50
    cursor: Cursor | None = None
    #: full-text query: rows come most relevant first (``storage.search``), paged by rank offset
    q: str | None = None
    offset: int = 0

    def query_args(self) -> dict[str, Any]:
        """Keyword arguments of ``storage.queries.listing_query``."""
        args = asdict(self)
        for name in ("cursor", "q", "offset"):
            args.pop(name)
        return dict(args, after=self.cursor)

    def link_params(self, **changes: Any) -> dict[str, str]:
        """These filters as query parameters (for links to the next page and to the feeds)."""
        values = {**{k: getattr(self, k) for k in ("q", "source", "kind", "province", "city", "since", "until")},
                  "relevant": "1" if self.relevant else None, **changes}
        return {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in values.items() if v}


def _date(name: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, got {value!r}") from exc


def notice_filters(
    request: Request,
    source: Annotated[str | None, Query(description="only this source (see /api/v1/sources)")] = None,
    kind: Annotated[str | None, Query(description="pilot_zone_batch, retail_import_pilot, positive_list, "
                                                  "tax_policy, customs_announcement or other")] = None,
    province: Annotated[str | None, Query(description="naming a place in this province (浙江 or 浙江省)")] = None,
    city: Annotated[str | None, Query(description="naming this place (杭州 or 杭州市, 德宏州 …)")] = None,
    since: Annotated[str | None, Query(pattern=DATE, description="published on or after (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, Query(pattern=DATE, description="published on or before (YYYY-MM-DD)")] = None,
    relevant: Annotated[bool, Query(description="only notices judged relevant")] = False,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many per page")] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    q: Annotated[str | None, Query(max_length=1000, description="full-text query (jieba words; most relevant "
                                                                 "first, ignoring until/relevant)")] = None,
) -> NoticeFilters:
    from cbecwatch.common import UserError, check_filters
    from crawler.extraction.kind import KINDS

    source, kind, province, city = (v.strip() or None if v else None for v in (source, kind, province, city))
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    known = request.app.state.cbecwatch.sources
    if source is not None and source not in known:
        raise BadRequest(f"unknown source {source}; known sources: {', '.join(known)}")
    try:
        check_filters(cities=[city] if city else [], provinces=[province] if province else [])
    except UserError as exc:
        raise BadRequest(str(exc)) from exc
    q = q.strip() or None if q else None
    after, offset = None, 0
    try:
        if q and cursor:  # a ranked listing pages by position: rank~N
            prefix, _, number = cursor.partition("~")
            if prefix != "rank" or not number.isdigit():
                raise ValueError(f"cursor {cursor!r} is not one this search gave (rank~N)")
            offset = int(number)
        elif cursor:
            after = Cursor.decode(cursor)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return NoticeFilters(source=source, kind=kind, province=province, city=city, since=_date("since", since),
                         until=_date("until", until), relevant=relevant, limit=limit, cursor=after, q=q,
                         offset=offset)


def listing_page(session: Any, filters: NoticeFilters) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the listing and the cursor of the next (None on the last page)."""
    from storage.queries import notice_listing

    if filters.q:
        return search_page_rows(session, filters)
    rows = notice_listing(session, **dict(filters.query_args(), limit=filters.limit + 1))
    if len(rows) <= filters.limit:
        return rows, None
    rows = rows[:filters.limit]
    return rows, Cursor.after(rows[-1]).encode()


def search_page_rows(session: Any, filters: NoticeFilters) -> tuple[list[dict[str, Any]], str | None]:
    """One page of full-text hits as listing rows (the same fields, plus ``snippet_html`` and ``score``),
    each document once (its best-ranked copy), and the cursor of the next page."""
    from storage.queries import rows_for_notices
    from storage.search import search_notices

    hits = search_notices(session, filters.q or "", limit=filters.limit + 1, offset=filters.offset,
                          since=filters.since, source=filters.source, kind=filters.kind, city=filters.city,
                          province=filters.province)
    more, hits = len(hits) > filters.limit, hits[:filters.limit]
    rows_by_id = {row["id"]: row for row in rows_for_notices(session, [hit.notice_id for hit in hits])}
    rows, seen_documents = [], set()
    for hit in hits:
        row = rows_by_id.get(hit.notice_id)
        if row is None or (row["document_id"] is not None and row["document_id"] in seen_documents):
            continue
        seen_documents.add(row["document_id"])
        rows.append(dict(row, snippet_html=hit.snippet_html, score=round(hit.score, 4)))
    return rows, f"rank~{filters.offset + filters.limit}" if more else None
