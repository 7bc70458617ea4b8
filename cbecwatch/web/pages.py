"""The server-rendered pages: the listing, one notice, the zone registry with its map, the sources.

Every page works without JavaScript (filters are a GET form, the map is inline SVG) and labels are in
Chinese and English. Scraped text reaches the templates as data and is autoescaped; the one piece of
notice HTML shown (the stored page, on request) is sanitised with nh3 first.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any

import nh3
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from cbecwatch.web.deps import app_state, db_session
from cbecwatch.web.filters import DATE, BadRequest, NoticeFilters, listing_page, notice_filters

router = APIRouter(include_in_schema=False)
Session = Annotated[Any, Depends(db_session)]
State = Annotated[Any, Depends(app_state)]
#: nh3's safe defaults without images: a stored page's <img> would fetch from the government site
PAGE_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}
MAX_PAGE_CHARS = 2_000_000
#: fact kinds the notice page shows in their own rows (dates, agencies) or tables (places, figures)
SHOWN_APART = ("city", "removed_city", "figure", "date", "agency")


def render(state: Any, request: Request, template: str, **context: Any) -> HTMLResponse:
    return state.templates.TemplateResponse(request, template, context)


@router.get("/", name="index", response_class=HTMLResponse)
def index(request: Request, session: Session, state: State,
          filters: Annotated[NoticeFilters, Depends(notice_filters)]) -> HTMLResponse:
    from crawler.extraction.kind import KINDS

    rows, next_cursor = listing_page(session, filters)
    params = filters.link_params()
    return render(state, request, "index.html", rows=rows, filters=filters, facets=state.facets(session),
                  sources=state.sources, kinds=KINDS, next_params=dict(params, cursor=next_cursor) if next_cursor
                  else None, feed_params=params)


def figure_history(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each figure's value in every version, oldest first (unchanged runs folded): old → new."""
    names: dict[str, str | None] = {}
    for version in versions:
        for fact in version["facts"]:
            if fact["kind"] == "figure":
                names.setdefault(fact["name"], fact["unit"])
    history = []
    for name, unit in names.items():
        values: list[str] = []
        for version in versions:
            value = next((f["value"] for f in version["facts"] if f["kind"] == "figure" and f["name"] == name), None)
            shown = value if value is not None else "—"
            if not values or values[-1] != shown:
                values.append(shown)
        history.append({"name": name, "unit": unit, "values": values})
    return history


def sanitised_page(version: Any) -> Markup | None:
    from storage.notices import raw_html_of

    raw = raw_html_of(version)
    if raw is None:
        return None
    html = raw.decode(version.raw_encoding or "utf-8", errors="replace")[:MAX_PAGE_CHARS]
    return Markup(nh3.clean(html, tags=PAGE_TAGS))


@router.get("/notices/{notice_id}", name="notice_page", response_class=HTMLResponse)
def notice_page(notice_id: int, request: Request, session: Session, state: State, page: bool = False
                ) -> HTMLResponse:
    from storage.diffs import fact_changes, line_diff
    from storage.models import Notice
    from storage.queries import notice_detail

    data = notice_detail(session, notice_id, texts=True)
    if data is None:
        raise HTTPException(404, f"no notice with id {notice_id}")
    versions = sorted(session.get(Notice, notice_id).versions, key=lambda v: v.number)
    diffs = [{"from": old.number, "to": new.number, "fetched_at": new.fetched_at, "changes": fact_changes(old, new),
              "diff": line_diff(old.text, new.text, from_version=old.number, to_version=new.number)}
             for old, new in itertools.pairwise(versions)][::-1]
    current = next((v for v in versions if v.number == data["current_version"]), None)
    shown_facts = next((v["facts"] for v in data["versions"] if v["number"] == data["current_version"]), [])
    return render(state, request, "notice.html", notice=data, diffs=diffs,
                  figures=figure_history(sorted(data["versions"], key=lambda v: v["number"])),
                  facts=[f for f in shown_facts if f["kind"] not in SHOWN_APART],
                  page=sanitised_page(current) if page and current is not None else None)


@router.get("/zones", name="zones_page", response_class=HTMLResponse)
def zones_page(request: Request, session: Session, state: State, as_of: str | None = None,
               program: str = "cbec_zone") -> HTMLResponse:
    import re

    from cbecwatch.web.zone_map import batch_colour, zone_map
    from storage.queries import batch_rows, zone_rows
    from storage.registry import PROGRAM_NAMES, unnamed_places

    if program not in PROGRAM_NAMES:
        raise BadRequest(f"unknown program {program!r}; valid programs: {', '.join(PROGRAM_NAMES)}")
    if as_of and not re.match(DATE, as_of):
        raise BadRequest(f"as_of must be a date YYYY-MM-DD, got {as_of!r}")
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    zones = zone_rows(session, program, day)
    batches = [dict(batch, in_force=bool(batch["date"]) and batch["date"] <= day.isoformat())
               for batch in batch_rows(session, program)]
    # places in force that a document counts but no source names: the summary says so beside the listed ones
    unnamed = sum(count for _document, _since, count in unnamed_places(session, program, day))
    return render(state, request, "zones.html", zones=zones, batches=batches, map=zone_map(zones), as_of=day,
                  program=program, programs=PROGRAM_NAMES, batch_colour=batch_colour, unnamed=unnamed,
                  most=max([b["total"] for b in batches] + [1]))


@router.get("/sources", name="sources_page", response_class=HTMLResponse)
def sources_page(request: Request, session: Session, state: State) -> HTMLResponse:
    from storage.status import source_rows

    return render(state, request, "sources.html", rows=source_rows(session, state.settings))
