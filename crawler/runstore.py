"""The crawler's side of the database: one ``Database`` per process, source-run bookkeeping."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from scrapy import Spider
from scrapy.settings import BaseSettings
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appconfig.settings import get_settings
from crawler.database import database_for
from crawler.incremental import save_memory
from crawler.outcomes import FAILED_STATUSES
from storage.db import Database
from storage.models import Notice, Source, SourceRun
from storage.notices import ensure_source
from storage.types import utcnow

if TYPE_CHECKING:  # health calls into this module; this one needs its type only for annotations
    from crawler.health import SourceHealth

log = logging.getLogger(__name__)


def writes_off_reactor(settings: BaseSettings) -> bool:
    """Whether this crawl's database may be written from a thread of the reactor's pool: not an in-memory
    SQLite database, which is one per connection (and SQLAlchemy keeps one connection per thread)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.get("CBECWATCH_DATABASE_URL") or get_settings().database_url)
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def start_source_run(settings: BaseSettings, spider: Spider) -> int:
    db = database_for(settings)
    with db.session() as session, session.begin():
        ensure_source(session, spider.name, getattr(spider, "agency", spider.name))
        run = SourceRun(source=spider.name, crawl_run_id=settings.getint("CBECWATCH_CRAWL_RUN_ID") or None)
        session.add(run)
        session.flush()
        return run.id


def finish_source_run(
    settings: BaseSettings, spider: Spider, health: SourceHealth, counts: dict[str, Any], status: str,
    reason: str | None,
) -> tuple[str, str]:
    """Store the run's counts and verdict and update the source; returns ``(old status, new status)``.

    This is the one place where a source's status changes (e.g. ``ok`` → ``broken`` after
    ``CBECWATCH_BROKEN_AFTER`` failed runs in a row, or ``broken`` → ``ok``); an admin event for
    that change belongs here, next to the transaction that makes it.
    """
    db = database_for(settings)
    run_id = getattr(spider, "source_run_id", None)
    broken_after = settings.getint("CBECWATCH_BROKEN_AFTER", 3)
    now = utcnow()
    with db.session() as session, session.begin():
        source = ensure_source(session, spider.name, getattr(spider, "agency", spider.name))
        run = session.get(SourceRun, run_id) if run_id else None
        if run is None:
            run = SourceRun(source=spider.name, crawl_run_id=settings.getint("CBECWATCH_CRAWL_RUN_ID") or None)
            session.add(run)
        run.finished_at = now
        run.status = status
        run.reason = reason
        run.requests = int(counts.get("requests", 0))
        run.list_requests = int(counts.get("list_requests", 0))
        run.detail_requests = int(counts.get("detail_requests", 0))
        run.bytes = int(counts.get("bytes", 0))
        run.items = health.items
        run.new_notices = health.new
        run.revised_notices = health.revised
        run.unchanged_notices = health.unchanged
        run.known_items = health.known
        run.not_modified = health.not_modified + health.list_pages_unchanged
        run.offsite = health.offsite
        run.truncated = health.truncated
        run.errors = dict(health.errors)
        run.error_samples = list(health.samples)

        memory = getattr(spider, "memory", None)
        if memory is not None:
            save_memory(session, source, memory)

        session.flush()
        statuses = record_source_status(session, source, status, reason, run.id, broken_after, now)
        if status == "ok" and not health.new:
            check_quiet(session, source, quiet_days_for(settings, spider), run.id, now)
        return statuses


def record_source_status(session: Session, source: Source, status: str, reason: str | None, run_id: int | None,
                         broken_after: int, now: dt.datetime) -> tuple[str, str]:
    """Move a source's status on after one run (``ok`` → ``broken`` after ``broken_after`` failed runs in
    a row, ``broken`` → ``ok``) and queue the admin event of a change, in the caller's transaction."""
    old_status = source.status
    source.last_run_at = now
    if status in FAILED_STATUSES:
        source.consecutive_failures += 1
        if source.consecutive_failures >= broken_after:
            source.status = "broken"
            source.status_reason = f"{status} in {source.consecutive_failures} runs in a row: {reason}"
        else:
            source.status = status
            source.status_reason = reason
    else:
        source.consecutive_failures = 0
        source.status = status
        source.status_reason = reason
        source.last_success_at = now
    if source.status != old_status:
        log.log(logging.WARNING if source.status in FAILED_STATUSES | {"broken"} else logging.INFO,
                "source %s: status %s → %s (%s)", source.name, old_status, source.status,
                source.status_reason or "no reason")
    # Broken / recovered admin alerts commit with the status change that causes them.
    session.flush()
    announce_status_change(session, source.name, old_status, source.status, reason, run_id,
                           source.consecutive_failures)
    return old_status, source.status


def quiet_days_for(settings: BaseSettings, spider: Spider) -> int:
    """CBECWATCH_QUIET_DAYS_<SOURCE>, else the source's own expected cadence, else CBECWATCH_QUIET_DAYS."""
    own = settings.getdict("CBECWATCH_QUIET_DAYS_BY_SOURCE").get(spider.name)
    return int(own or getattr(spider, "quiet_days", None) or settings.getint("CBECWATCH_QUIET_DAYS", 30))


def check_quiet(session: Session, source: Source, quiet_days: int, run_id: int, now: dt.datetime) -> None:
    """Raise ``source_quiet`` once per quiet spell: the spell starts at the source's newest notice (or
    its first run, when it has none) and ends when a new notice arrives."""
    last_new = session.scalar(select(func.max(Notice.first_seen_at)).where(Notice.source == source.name))
    since = last_new or session.scalar(select(func.min(SourceRun.started_at)).where(SourceRun.source == source.name))
    if since is None or now - since < dt.timedelta(days=quiet_days):
        return
    if source.quiet_announced_at is not None and source.quiet_announced_at >= since:
        return  # this spell was announced already
    from storage.events import source_quiet_event
    from storage.outbox import enqueue

    source.quiet_announced_at = now
    log.warning("source %s: ok but nothing new for %d days (expected within %d)", source.name,
                (now - since).days, quiet_days)
    enqueue(session, source_quiet_event(session, source.name, quiet_days, last_new, since, run_id))


def fail_interrupted_run(db: Database, name: str, reason: str, started_after: dt.datetime, broken_after: int,
                         *, crawl_run_id: int | None = None, error_class: str = "timeout") -> None:
    """A crawl that was killed (the daemon's time-out, a cancelled Scrapyd job) wrote no verdict: its
    source run, still ``running`` (or never started), becomes a failed run of the source, with the reason."""
    now = utcnow()
    with db.session() as session, session.begin():
        source = session.get(Source, name) or ensure_source(session, name, name)
        runs = session.scalars(select(SourceRun).where(
            SourceRun.source == name, SourceRun.status == "running", SourceRun.started_at >= started_after)).all()
        if not runs:
            runs = [SourceRun(source=name, started_at=started_after, crawl_run_id=crawl_run_id)]
            session.add_all(runs)
        for run in runs:
            run.finished_at, run.status, run.reason = now, "failed", reason
            run.errors = {**(run.errors or {}), error_class: 1}
        session.flush()
        record_source_status(session, source, "failed", reason, runs[-1].id, broken_after, now)


def announce_status_change(session: Session, source: str, old_status: str | None, new_status: str,
                           reason: str | None, run_id: int | None, failures: int) -> None:
    from storage.events import source_status_events
    from storage.outbox import enqueue

    enqueue(session, source_status_events(session, source, old_status, new_status, reason, run_id, failures))


def close_unfinished_source_runs(session: Session, crawl_run_id: int, reason: str, broken_after: int,
                                 error_class: str = "abandoned") -> list[str]:
    """Source runs of a crawl run that never wrote their verdict (a killed or stopped crawl) become
    failed runs of their sources, in the caller's transaction; returns the sources."""
    now = utcnow()
    runs = session.scalars(select(SourceRun).where(SourceRun.crawl_run_id == crawl_run_id,
                                                   SourceRun.finished_at.is_(None))).all()
    for run in runs:
        run.finished_at, run.status, run.reason = now, "failed", reason
        run.errors = {**(run.errors or {}), error_class: 1}
        session.flush()
        source = session.get(Source, run.source) or ensure_source(session, run.source, run.source)
        record_source_status(session, source, "failed", reason, run.id, broken_after, now)
    return [run.source for run in runs]


def close_abandoned_crawl_runs(db: Database, host: str, is_alive: Any, broken_after: int,
                               stale_after: dt.timedelta = dt.timedelta(days=1)) -> list[int]:
    """Crawl runs left ``running`` on this host by a process that is gone (``is_alive(pid)`` false; a
    run from before pids were recorded once it is older than ``stale_after``) are closed as failed,
    reason ``abandoned``, with their unfinished source runs. Returns the closed runs' ids."""
    from storage.models import CrawlRun

    now = utcnow()
    closed = []
    with db.session() as session, session.begin():
        for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")).all():
            if run.pid is None:
                if now - run.started_at < stale_after:
                    continue
            elif run.host != host or is_alive(run.pid):
                continue
            owner = f"pid {run.pid} on {run.host}" if run.pid else "a process before cbecwatch recorded pids"
            reason = f"abandoned: crawl run {run.id} was left running by {owner}, which is gone"
            sources = close_unfinished_source_runs(session, run.id, reason, broken_after)
            run.status, run.finished_at = "failed", now
            log.warning("crawl run %d closed as abandoned (%s); sources: %s", run.id, owner,
                        ", ".join(sources) or "none had started")
            closed.append(run.id)
    return closed
