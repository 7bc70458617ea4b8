"""Feeds of the notice listing, with the listing's filters: Atom and RSS 2.0 (feedgen), JSON Feed 1.1.

Each entry's id is the notice's official URL (stable across databases and re-crawls), its link the
official page, ``published`` the publication date (midnight, China time) and ``updated`` the time a
revision was last seen; the summary states the facts: number, kind, dates, agencies, places.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from cbecwatch.web.deps import db_session
from cbecwatch.web.filters import NoticeFilters, listing_page, notice_filters

router = APIRouter(prefix="/feeds", tags=["feeds"])
CHINA = ZoneInfo("Asia/Shanghai")
Rows = tuple[list[dict[str, Any]], NoticeFilters]


def feed_rows(session: Annotated[Any, Depends(db_session)],
              filters: Annotated[NoticeFilters, Depends(notice_filters)]) -> Rows:
    rows, _ = listing_page(session, filters)
    return rows, filters


def published(row: dict[str, Any]) -> dt.datetime:
    if row["publish_date"]:
        return dt.datetime.combine(dt.date.fromisoformat(row["publish_date"]), dt.time(), CHINA)
    return dt.datetime.fromisoformat(row["first_seen_at"])


def summary(row: dict[str, Any]) -> str:
    """The facts in one paragraph, in Chinese then English labels where a term has both."""
    from storage.glossary import kind_name

    parts = [row["doc_number"] or "无文号 no document number",
             f"{kind_name(row['kind'], 'zh')} / {kind_name(row['kind'], 'en')}" if row["kind"] else None,
             f"发布 published {row['publish_date']}" if row["publish_date"] else None,
             f"施行 effective {row['effective_date']}" if row["effective_date"] else None,
             "、".join(row["agencies"]) if row["agencies"] else None]
    designated = [p["name"] for p in row["places"] if p["role"] == "designated"]
    removed = [p["name"] for p in row["places"] if p["role"] == "removed"]
    if designated:
        parts.append("设立 designated: " + "、".join(designated))
    if removed:
        parts.append("撤销 removed: " + "、".join(removed))
    return "; ".join(p for p in parts if p)


def _title(filters: NoticeFilters) -> str:
    shown = "; ".join(f"{k} {v}" for k, v in filters.link_params().items() if k != "limit")
    return "cbecwatch 跨境电商政策 notices" + (f" ({shown})" if shown else "")


def _generator(request: Request, rows: list[dict[str, Any]], filters: NoticeFilters, kind: str) -> Any:
    from feedgen.feed import FeedGenerator

    home = str(request.url_for("index"))
    feed = FeedGenerator()
    feed.id(str(request.url.remove_query_params("token")))
    feed.title(_title(filters))
    feed.link(href=home, rel="alternate")
    feed.link(href=str(request.url.remove_query_params("token")), rel="self")
    feed.description("Chinese cross-border e-commerce policy notices crawled from the official sites")
    feed.language("zh-CN")
    feed.updated(max((dt.datetime.fromisoformat(r["last_changed_at"]) for r in rows),
                     default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    for row in rows:
        entry = feed.add_entry(order="append")
        entry.id(row["url"])
        entry.guid(row["url"], permalink=True)
        entry.title(row["title"])
        entry.link(href=row["url"])
        entry.published(published(row))
        entry.updated(dt.datetime.fromisoformat(row["last_changed_at"]))
        entry.summary(summary(row)) if kind == "atom" else entry.description(summary(row))
        if row["kind"]:
            entry.category(term=row["kind"])
    return feed


@router.get("/notices.atom", summary="Atom feed of the listing (same filters as /api/v1/notices)")
def atom(request: Request, found: Annotated[Rows, Depends(feed_rows)]) -> Response:
    return Response(_generator(request, *found, "atom").atom_str(pretty=True), media_type="application/atom+xml")


@router.get("/notices.rss", summary="RSS 2.0 feed of the listing")
def rss(request: Request, found: Annotated[Rows, Depends(feed_rows)]) -> Response:
    return Response(_generator(request, *found, "rss").rss_str(pretty=True), media_type="application/rss+xml")


@router.get("/notices.json", summary="JSON Feed 1.1 of the listing")
def json_feed(request: Request, found: Annotated[Rows, Depends(feed_rows)]) -> Response:
    rows, filters = found
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": _title(filters),
            "home_page_url": str(request.url_for("index")),
            "feed_url": str(request.url.remove_query_params("token")), "language": "zh-CN",
            "items": [{"id": row["url"], "url": row["url"], "title": row["title"], "summary": summary(row),
                       "content_text": summary(row), "date_published": published(row).isoformat(),
                       "date_modified": row["last_changed_at"], "tags": [row["kind"]] if row["kind"] else [],
                       "_cbecwatch": {"id": row["id"], "doc_number": row["doc_number"], "places": row["places"]}}
                      for row in rows]}
    return JSONResponse(feed, media_type="application/feed+json")
