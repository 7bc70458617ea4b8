"""Where the copies of one document differ: title, dates, number, figures, places and text.

Sources reprint a document each in their own way — a shortened title, a publish date a day later, a
figure lost to a table that did not parse. ``cbecwatch show`` lists every copy and, against the copy
asked about, what differs; the text comparison is the word diff of ``storage.diffs``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.diffs import line_diff
from storage.models import Notice, NoticeVersion
from storage.notices import current_version_of

COMPARED_FIELDS = ("title", "doc_number", "issue_date", "publish_date", "effective_date", "kind")


def _field(notice: Notice, name: str) -> Any:
    value = getattr(notice, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _figures(version: NoticeVersion | None) -> dict[str, str | None]:
    return {f.name: f.value for f in (version.facts if version else []) if f.kind == "figure"}


def _places(version: NoticeVersion | None) -> set[str]:
    return {f"{'-' if f.kind == 'removed_city' else ''}{f.name}" for f in (version.facts if version else [])
            if f.kind in ("city", "removed_city")}


def compare(base: Notice, other: Notice) -> dict[str, Any]:
    """What *other* says differently from *base*: ``{}`` values mean the copies agree on it."""
    mine, theirs = current_version_of(base), current_version_of(other)
    fields = {name: [_field(base, name), _field(other, name)] for name in COMPARED_FIELDS
              if _field(base, name) != _field(other, name)}
    my_figures, their_figures = _figures(mine), _figures(theirs)
    figures = {name: [my_figures.get(name), their_figures.get(name)]
               for name in sorted(my_figures.keys() | their_figures.keys())
               if my_figures.get(name) != their_figures.get(name)}
    my_places, their_places = _places(mine), _places(theirs)
    places = {"only_here": sorted(my_places - their_places), "only_there": sorted(their_places - my_places)}
    same_text = mine is not None and theirs is not None and mine.content_hash == theirs.content_hash
    text = None if same_text else line_diff(mine.text if mine else "", theirs.text if theirs else "",
                                            from_version=mine.number if mine else None,
                                            to_version=theirs.number if theirs else None)
    return {"fields": fields, "figures": figures,
            "places": places if places["only_here"] or places["only_there"] else {},
            "same_text": same_text, "text_diff": text}


def copies_compared(session: Session, notice: Notice) -> list[dict[str, Any]]:
    """Every copy of *notice*'s document (itself included, first-seen first), each other copy with
    :func:`compare` against *notice*."""
    if notice.document_id is None:
        copies = [notice]
    else:
        copies = list(session.scalars(select(Notice).where(Notice.document_id == notice.document_id)
                                      .order_by(Notice.first_seen_at, Notice.id)))
    out = []
    for copy in copies:
        row: dict[str, Any] = {"notice_id": copy.id, "source": copy.source, "url": copy.url,
                               "first_seen": copy.first_seen_at.isoformat(), "this": copy.id == notice.id}
        if copy.id != notice.id:
            row["differences"] = compare(notice, copy)
        out.append(row)
    return out
