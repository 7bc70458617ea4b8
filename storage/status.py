"""How the monitor is doing: each source's health (``cbecwatch sources``) and the overall verdict that
``/healthz`` answers and ``cbecwatch status`` prints (:func:`health_report`).

Healthy means: the daemon's heartbeat is recent (when a daemon has ever run against this database)
and no source is ``broken``. Every other source status (``blocked``, ``drift`` …) is reported, but only
``broken`` — several failed runs in a row (``CBECWATCH_BROKEN_AFTER``) — makes the report unhealthy.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from storage.models import Notice, Source, SourceRun
from storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from appconfig.settings import Settings

#: beats missed before the heartbeat counts as stale: a busy daemon may be a beat late, not three
STALE_BEATS = 3


def _last_run_counts(last: SourceRun | None) -> dict[str, Any] | None:
    if last is None:
        return None
    return {"status": last.status, "requests": last.requests, "list_requests": last.list_requests,
            "detail_requests": last.detail_requests, "bytes": last.bytes, "items": last.items,
            "new": last.new_notices, "revised": last.revised_notices, "unchanged": last.unchanged_notices,
            "known": last.known_items, "not_modified": last.not_modified, "offsite": last.offsite,
            "truncated": last.truncated, "errors": last.errors}


def source_rows(session: Session, settings: Settings, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per source, as ``cbecwatch sources --json`` prints it: agency, where it starts, status and
    reason, last run and its counts, the rotation's progress, and ``quiet_days``: whole days since its
    newest notice was first seen (None without a notice)."""
    from crawler.incremental import rotation_progress
    from crawler.runner import available_sources, source_classes

    now = now or utcnow()
    classes = source_classes()
    newest = dict(session.execute(select(Notice.source, func.max(Notice.first_seen_at)).group_by(Notice.source)).all())
    rows = []
    for name in available_sources():
        source = session.get(Source, name)
        last = session.scalars(select(SourceRun).where(SourceRun.source == name, SourceRun.finished_at.is_not(None))
                               .order_by(SourceRun.id.desc()).limit(1)).first()
        spider = classes.get(name)
        seen, stored = rotation_progress(session, name, settings.rotation_days)
        rows.append({
            "name": name, "agency": source.agency if source else getattr(spider, "agency", None),
            "home": getattr(spider, "home", None),
            "declared": bool(getattr(spider, "source", None)),
            "status": "disabled" if name in settings.disabled_sources else source.status if source else "never run",
            "reason": source.status_reason if source else None,
            "consecutive_failures": source.consecutive_failures if source else 0,
            "last_run_at": source.last_run_at.isoformat() if source and source.last_run_at else None,
            "last_success_at": source.last_success_at.isoformat() if source and source.last_success_at else None,
            "quiet_days": (now - newest[name]).days if newest.get(name) else None,
            "rotation": {"days": settings.rotation_days, "checked": seen, "stored": stored},
            "last_run": _last_run_counts(last),
        })
    return rows


def health_report(session: Session, settings: Settings, *, heartbeat_interval: float,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    """The monitor's health as one object: ``healthy``, the problems that make it unhealthy, the
    daemon's heartbeat (age in seconds; ``stale`` past STALE_BEATS intervals) and each source's
    status and last run."""
    from storage.models_alerts import DaemonState

    now = now or utcnow()
    problems: list[str] = []
    state = session.get(DaemonState, "daemon")
    daemon: dict[str, Any] | None = None
    if state is not None:
        age = (now - state.beat_at).total_seconds()
        stale = age > STALE_BEATS * heartbeat_interval
        daemon = {"pid": state.pid, "host": state.host, "started_at": state.started_at.isoformat(),
                  "beat_at": state.beat_at.isoformat(), "age_seconds": round(age, 1), "stale": stale,
                  "queue": {k: state.info.get(k, 0) for k in ("pending", "held", "dead")}}
        if stale:
            problems.append(f"daemon heartbeat is {age:.0f} s old (pid {state.pid} on {state.host}; "
                            f"expected every {heartbeat_interval:g} s)")
    sources = []
    for row in source_rows(session, settings, now):
        sources.append({key: row[key] for key in ("name", "status", "reason", "last_run_at", "last_success_at",
                                                  "consecutive_failures", "quiet_days")})
        if row["status"] == "broken":
            problems.append(f"source {row['name']} is broken: {row['reason'] or 'failed runs in a row'}")
    return {"healthy": not problems, "problems": problems, "checked_at": now.isoformat(), "daemon": daemon,
            "sources": sources}
