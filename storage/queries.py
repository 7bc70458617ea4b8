"""The read side shared by the command line and the web app: listings, one notice, events, zones.

``cbecwatch notices --json``, ``show --json``, ``events --json`` and ``zones --json`` print these rows,
and the web app's pages, API and feeds show the very same ones, so a field is named once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from storage.models import Notice

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Cursor:
    """Where a page of the listing ended: the last row's publication date (None sorts last) and id."""

    publish_date: dt.date | None
    notice_id: int

    def encode(self) -> str:
        return f"{self.publish_date.isoformat() if self.publish_date else 'none'}~{self.notice_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Raises ValueError naming the cursor when it is not one we issued."""
        date_part, _, id_part = value.partition("~")
        try:
            day = None if date_part == "none" else dt.date.fromisoformat(date_part)
            return cls(day, int(id_part))
        except ValueError as exc:
            raise ValueError(f"cursor {value!r} is not one this listing gave (DATE~ID or none~ID)") from exc

    @classmethod
    def after(cls, row: dict[str, Any]) -> Cursor:
        day = row["publish_date"]
        return cls(dt.date.fromisoformat(day) if day else None, row["id"])


def notice_row(notice: Notice) -> dict[str, Any]:
    """One notice as ``cbecwatch notices --json`` prints it (without ``places``)."""
    return {
        "id": notice.id, "source": notice.source, "url": notice.url, "title": notice.title,
        "doc_number": notice.doc_number, "agencies": notice.agencies,
        "issue_date": notice.issue_date.isoformat() if notice.issue_date else None,
        "publish_date": notice.publish_date.isoformat() if notice.publish_date else None,
        "effective_date": notice.effective_date.isoformat() if notice.effective_date else None,
        "kind": notice.kind, "relevant": notice.relevant,
        "first_seen_at": notice.first_seen_at.isoformat(), "last_changed_at": notice.last_changed_at.isoformat(),
        "document_id": notice.document_id,
    }


def listing_query(session: Session, *, limit: int = 50, since: dt.date | None = None, source: str | None = None,
                  kind: str | None = None, city: str | None = None, province: str | None = None,
                  until: dt.date | None = None, relevant: bool = False, after: Cursor | None = None,
                  documents: bool = True) -> Select[tuple[Notice]]:
    """The select of ``cbecwatch notices``, newest first; bench/scale.py times this very function.

    With *documents* (the default) each document is listed once, by its first-seen copy among those
    the filters keep (``storage.documents.copies_by_document`` gives the others); without, every copy.

    City and province are normalised the way the extractor names places (杭州 -> 杭州市) and matched
    through the place index of each notice's current version; the session answers how many places
    match, which decides the query's form (``storage.places.many_places``). *after* continues a listing
    past a row (keyset paging on the listing's own order: no row is skipped or repeated when notices
    arrive between pages).
    """
    from storage.places import many_places, place_query

    def kept(query: Select[Any], notice: Any) -> Select[Any]:
        """The column filters, on *notice* (the listed row, or an alias of it)."""
        for wanted, condition in ((since, lambda: notice.publish_date >= since),
                                  (until, lambda: notice.publish_date <= until),
                                  (source, lambda: notice.source == source), (kind, lambda: notice.kind == kind),
                                  (relevant, lambda: notice.relevant.is_(True))):
            if wanted:
                query = query.where(condition())
        return query

    query = kept(select(Notice).order_by(Notice.publish_date.desc().nulls_last(), Notice.id.desc()).limit(limit),
                 Notice)
    if documents:
        # NOT EXISTS an earlier copy kept by the same filters: with the index on document_id, one probe
        # per listed row, so the listing still walks its order and stops at the limit.
        from sqlalchemy.orm import aliased

        other = aliased(Notice)
        # "Earlier" is first seen (fetch time), ties by id: the row shown is the copy ``sources`` lists
        # first. Ids alone are storage order, which two sources crawled at once can swap.
        seen_before = or_(other.first_seen_at < Notice.first_seen_at,
                          and_(other.first_seen_at == Notice.first_seen_at, other.id < Notice.id))
        earlier = kept(select(other.id).where(other.document_id == Notice.document_id, seen_before), other)
        query = query.where(~earlier.exists())
    if after is not None:
        if after.publish_date is None:
            query = query.where(Notice.publish_date.is_(None), Notice.id < after.notice_id)
        else:
            query = query.where(or_(Notice.publish_date < after.publish_date, Notice.publish_date.is_(None),
                                    and_(Notice.publish_date == after.publish_date, Notice.id < after.notice_id)))
    if city or province:
        from crawler.extraction.places import city_names, province_names

        places = {"cities": city_names(city) if city else (), "provinces": province_names(province) if province else ()}
        query = place_query(query, many=many_places(session, limit, **places), **places)
    return query


def notice_listing(session: Session, **filters: Any) -> list[dict[str, Any]]:
    """The rows of ``cbecwatch notices --json``: each document once, with its ``sources`` (every copy:
    source, url, first_seen, notice_id) and ``places`` (English names beside)."""
    from storage.documents import copies_by_document, copies_of_notice
    from storage.names_en import with_english
    from storage.places import places_by_notice

    listed = list(session.scalars(listing_query(session, **filters)))
    copies = copies_by_document(session, [n.document_id for n in listed if n.document_id is not None])
    rows = [dict(notice_row(n), sources=copies.get(n.document_id) or copies_of_notice(n)) for n in listed]
    places = places_by_notice(session, [row["id"] for row in rows])
    for row in rows:
        row["places"] = [with_english(p) for p in places[row["id"]]]
    return rows


def rows_for_notices(session: Session, notice_ids: list[int]) -> list[dict[str, Any]]:
    """Listing rows (sources and places included) of the given notices, in no particular order."""
    from storage.documents import copies_by_document, copies_of_notice
    from storage.names_en import with_english
    from storage.places import places_by_notice

    if not notice_ids:
        return []
    found = list(session.scalars(select(Notice).where(Notice.id.in_(notice_ids))))
    copies = copies_by_document(session, [n.document_id for n in found if n.document_id is not None])
    places = places_by_notice(session, [n.id for n in found])
    return [dict(notice_row(n), sources=copies.get(n.document_id) or copies_of_notice(n),
                 places=[with_english(p) for p in places[n.id]]) for n in found]


def fact_row(fact: Any, is_place: bool) -> dict[str, Any]:
    row = {"kind": fact.kind, "name": fact.name, "value": fact.value, "unit": fact.unit,
           "province": fact.province, "adcode": fact.adcode}
    if is_place:  # a place fact: its English name beside it, as everywhere a place is shown
        from storage.names_en import with_english

        row = with_english(row)
    return row


def notice_detail(session: Session, notice_id: int, *, texts: bool = False) -> dict[str, Any] | None:
    """One notice as ``cbecwatch show --json`` prints it, or None when there is no such notice.

    *texts* adds every version's text (the web page diffs them); ``text`` is the current version's."""
    from storage.names_en import with_english
    from storage.notices import current_version_of
    from storage.places import PLACE_ROLES, places_by_notice

    notice = session.get(Notice, notice_id)
    if notice is None:
        return None
    data = notice_row(notice)
    data["places"] = [with_english(p) for p in places_by_notice(session, [notice.id])[notice.id]]
    data["versions"] = [
        {"number": v.number, "fetched_at": v.fetched_at.isoformat(), "content_hash": v.content_hash,
         "chars": len(v.text), "facts": [fact_row(f, f.kind in PLACE_ROLES) for f in v.facts],
         **({"text": v.text} if texts else {})}
        for v in notice.versions
    ]
    shown = current_version_of(notice)
    data["current_version"] = shown.number if shown else None
    from storage.copies import copies_compared

    data["copies"] = copies_compared(session, notice)
    data["text"] = shown.text if shown else ""
    return data


def event_rows(session: Session, *, limit: int = 50, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Derived events, newest first, as ``cbecwatch events --json`` prints them."""
    from scheduler.messages import event_payload
    from storage.models_alerts import Event

    query = select(Event).order_by(Event.id.desc()).limit(limit)
    if since is not None:
        query = query.where(Event.created_at >= since)
    return [{"id": e.id, "kind": e.kind, "created_at": e.created_at.isoformat(), "source": e.source,
             "title": e.title, "doc_number": e.doc_number, "url": e.url, "baseline": e.baseline,
             "admin": e.admin, "cities": e.cities, "summary": event_payload(e)["summary"], "data": e.data}
            for e in session.scalars(query)]


def zone_rows(session: Session, program: str | None, as_of: dt.date) -> list[dict[str, Any]]:
    """The places in force on *as_of*, as ``cbecwatch zones --json`` prints them."""
    from storage.names_en import with_english
    from storage.registry import zones as zones_in_force

    return [with_english({"program": z.program, "name": z.name, "province": z.province, "adcode": z.adcode,
                          "batch": z.batch, "doc_number": z.doc_number,
                          "since": z.added_on.isoformat() if z.added_on else None,
                          "origin": z.origin, "confirmed": z.notice_id is not None,
                          "unverified": bool(z.unverified)})
            for z in zones_in_force(session, program, as_of)]


def batch_rows(session: Session, program: str | None) -> list[dict[str, Any]]:
    """What each batch added and removed, as ``cbecwatch zones --batches --json`` prints it.

    ``total_named`` is the programme's running count of named places after the batch (what the
    registry lists); ``total`` adds the places a document counts without any source naming them,
    so a partial batch reads "40 named of 88" rather than passing the 40 off as the whole."""
    from storage.names_en import place_name_en
    from storage.registry import batches

    rows: list[dict[str, Any]] = []
    named: dict[str, int] = {}
    counted: dict[str, int] = {}
    for b in batches(session, program):
        change = len(b.added) - len(b.removed)
        named[b.program] = named.get(b.program, 0) + change
        counted[b.program] = counted.get(b.program, 0) + change + b.unnamed
        rows.append({"program": b.program, "batch": b.batch, "doc_number": b.doc_number, "title": b.title,
                     "date": b.date.isoformat() if b.date else None, "added": b.added, "removed": b.removed,
                     "added_en": [place_name_en(n) for n in b.added],
                     "removed_en": [place_name_en(n) for n in b.removed],
                     "origin": b.origin, "notice_id": b.notice_id, "complete": b.complete, "scope_rule": b.scope_rule,
                     "unnamed": b.unnamed, "total_named": named[b.program], "total": counted[b.program]})
    return rows


def facet_counts(session: Session) -> dict[str, dict[str, int]]:
    """How many stored notices each source, kind, province and city has (the listing's facets)."""
    from sqlalchemy import func

    from storage.places import NoticePlace

    def counted(column: Any, *, places: bool = False) -> dict[str, int]:
        counting = func.count(func.distinct(NoticePlace.notice_id)) if places else func.count()
        query = select(column, counting).where(column.is_not(None)).group_by(column)
        return {name: count for name, count in session.execute(query.order_by(counting.desc(), column))}

    return {"source": counted(Notice.source), "kind": counted(Notice.kind),
            "province": counted(NoticePlace.province, places=True), "city": counted(NoticePlace.name, places=True)}
