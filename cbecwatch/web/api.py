"""The JSON API under ``/api/v1/``: the rows the CLI prints with ``--json``, field for field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from cbecwatch.web.deps import app_state, db_session
from cbecwatch.web.filters import NoticeFilters, listing_page, notice_filters

router = APIRouter(prefix="/api/v1", tags=["api"])
Session = Annotated[Any, Depends(db_session)]


@router.get("/notices", summary="stored notices, newest first (the filters of `cbecwatch notices`)")
def notices(session: Session, filters: Annotated[NoticeFilters, Depends(notice_filters)]) -> dict[str, Any]:
    rows, next_cursor = listing_page(session, filters)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/notices/{notice_id}", summary="one notice with its places and versions (`cbecwatch show --json`)")
def notice(notice_id: int, session: Session) -> dict[str, Any]:
    from storage.queries import notice_detail

    data = notice_detail(session, notice_id)
    if data is None:
        raise HTTPException(404, f"no notice with id {notice_id}")
    return data


@router.get("/zones", summary="places of the pilot-zone registry in force on a date (`cbecwatch zones --json`)")
def zones(session: Session,
          as_of: Annotated[dt.date | None, Query(description="in force on this date (default today)")] = None,
          program: Annotated[Literal["cbec_zone", "retail_import", "all"] | None,
                             Query(description="default cbec_zone; all for every programme")] = None) -> dict[str, Any]:
    from storage.queries import batch_rows, zone_rows

    day = as_of or dt.date.today()
    return {"as_of": day.isoformat(), "program": program, "items": zone_rows(session, program, day),
            "batches": batch_rows(session, program)}


@router.get("/sources", summary="every source's health (`cbecwatch sources --json`)")
def sources(session: Session, state: Annotated[Any, Depends(app_state)]) -> dict[str, Any]:
    from storage.status import source_rows

    return {"items": source_rows(session, state.settings)}


@router.get("/events", summary="derived events, newest first (`cbecwatch events --json`)")
def events(session: Session,
           since: Annotated[dt.datetime | None, Query(description="created at or after (ISO 8601, UTC)")] = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    from storage.queries import event_rows

    if since is not None and since.tzinfo is None:  # a time without an offset is read as UTC
        since = since.replace(tzinfo=dt.UTC)
    return {"items": event_rows(session, limit=limit, since=since)}
