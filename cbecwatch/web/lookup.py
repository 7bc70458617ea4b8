"""Pages and API routes that answer a question typed by the user: full-text search over the notice
texts (``/search``) and "is my HS code on the positive list?" (``/hs``, ``/api/v1/hs/{code}``).

The search page shows the listing's rows most relevant first, with the snippet ``storage.search``
builds (the text HTML-escaped before the matched words are wrapped in ``<mark>``, so it is marked
safe here and nowhere else)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from cbecwatch.web.deps import app_state, db_session
from cbecwatch.web.filters import DATE, BadRequest, NoticeFilters, listing_page, notice_filters

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["api"])
Session = Annotated[Any, Depends(db_session)]
State = Annotated[Any, Depends(app_state)]


@pages.get("/search", name="search_page", response_class=HTMLResponse)
def search_page(request: Request, session: Session, state: State,
                filters: Annotated[NoticeFilters, Depends(notice_filters)]) -> HTMLResponse:
    rows, next_cursor = listing_page(session, filters) if filters.q else ([], None)
    for row in rows:
        row["snippet"] = Markup(row["snippet_html"])  # escaped by storage.search before <mark> was added
    params = filters.link_params()
    return state.templates.TemplateResponse(request, "search.html", {
        "rows": rows, "filters": filters, "next_params": dict(params, cursor=next_cursor) if next_cursor else None})


def _as_of(value: str | None) -> dt.date | None:
    import re

    if value and not re.match(DATE, value):
        raise BadRequest(f"as_of must be a date YYYY-MM-DD, got {value!r}")
    return dt.date.fromisoformat(value) if value else None


def _lookup(session: Any, code: str, as_of: dt.date | None) -> dict[str, Any]:
    from storage.positive_list import lookup_hs

    try:
        return lookup_hs(session, code, as_of)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


@pages.get("/hs", name="hs_page", response_class=HTMLResponse)
def hs_page(request: Request, session: Session, state: State, code: str | None = None,
            as_of: str | None = None) -> HTMLResponse:
    day = _as_of(as_of)
    answer = _lookup(session, code.strip(), day) if code and code.strip() else None
    return state.templates.TemplateResponse(request, "hs.html", {"code": code or "", "as_of": as_of or "",
                                                                 "answer": answer})


@api.get("/hs/{code}", summary="is an HS code on the retail-import positive list, since which announcement "
                               "(`cbecwatch hs CODE --json`); fewer than 8 digits lists the heading")
def hs(code: str, session: Session,
       as_of: Annotated[str | None, Query(pattern=DATE, description="on this date (default today)")] = None
       ) -> dict[str, Any]:
    # Always the CLI's JSON: list_size 0 tells "no list stored yet" apart from "not on the list".
    return _lookup(session, code, _as_of(as_of))
