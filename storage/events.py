"""Deriving events from a stored notice (or a source's change of health), in the caller's transaction.

The crawler's storage stage calls :func:`derive_events` right after ``save_notice`` and before the
commit, then :func:`storage.outbox.enqueue`: the notice, its events and their deliveries become
visible together or not at all, so a crash can neither lose an alert nor announce an unsaved notice.

Every event has a ``dedup_key`` naming the happening, not the page: a document (``storage.documents``:
number and issuer, title and date, or near-identical text) found on a second site, or the same
revision seen again, maps to the existing key and makes no event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import dialect_name
from storage.diffs import line_diff, split_lines
from storage.models import Notice, NoticeVersion, Source
from storage.models_alerts import (
    DELIVERY_DEAD,
    FIGURE_CHANGED,
    NOTICE_NEW,
    NOTICE_REVISED,
    PILOT_PLACES,
    REGISTRY_CONFLICT,
    SOURCE_BROKEN,
    SOURCE_QUIET,
    SOURCE_RECOVERED,
    Event,
)
from storage.notices import NoticeRecord, SaveResult, shown_number
from storage.types import utcnow

HEALTHY = ("ok", "partial", "covered")
EARLIER_NOTICES_SCANNED = 20


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:20]


_TAKEN_KEYS = select(Event.dedup_key).where(Event.dedup_key.in_(bindparam("keys", expanding=True)))
_VERSION_NUMBER = select(NoticeVersion).where(NoticeVersion.notice_id == bindparam("notice_id"),
                                              NoticeVersion.number == bindparam("number"))


def add_event(session: Session, event: Event) -> Event | None:
    """Insert unless an event with the same key exists; ``None`` means "already announced"."""
    return next(iter(add_events(session, [event])), None)


def add_events(session: Session, events: list[Event]) -> list[Event]:
    """Insert those of ``events`` whose key is new; returns them. One query finds the keys already taken
    (a save offers up to three events, each used to cost its own look-up and flush)."""
    keys = {e.dedup_key for e in events}
    taken = set(session.scalars(_TAKEN_KEYS, {"keys": list(keys)})) if keys else set()
    fresh: list[Event] = []
    for event in events:
        if event.dedup_key not in taken:
            taken.add(event.dedup_key)
            fresh.append(event)
    if not fresh:
        return []
    if dialect_name(session) == "sqlite":
        # SQLite has one writer and this transaction already holds the write lock: the check
        # above cannot race. (pysqlite's SAVEPOINT handling is unreliable, so avoid it here.)
        session.add_all(fresh)
        session.flush()
        return fresh
    added = []
    for event in fresh:
        try:  # two crawl processes may store the same document at once; the loser keeps its notice
            with session.begin_nested():
                session.add(event)
                session.flush()
        except IntegrityError:
            continue
        added.append(event)
    return added


# -- what a version says ------------------------------------------------------------------------------
def _extraction(version: NoticeVersion | None) -> dict[str, Any]:
    return (version.extraction or {}) if version is not None else {}


def _places(version: NoticeVersion | None, key: str = "cities") -> list[dict[str, Any]]:
    return [p for p in _extraction(version).get(key) or [] if isinstance(p, dict) and p.get("name")]


def _figures(version: NoticeVersion | None) -> dict[str, dict[str, Any]]:
    return _figures_of(_extraction(version))


def _figures_of(extraction: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(f["name"]): f for f in extraction.get("figures") or [] if isinstance(f, dict)
            and f.get("name") and f.get("value") is not None}


def is_rule_figure(name: str) -> bool:
    """Limits, rates, list totals and windows are rules; per-document counts (zones or items added) are not."""
    return not (name.startswith("previous_") or name.endswith(("_added", "_removed")))


def notice_summary(notice: Notice, version: NoticeVersion) -> dict[str, Any]:
    extraction = _extraction(version)
    return {
        "id": notice.id, "source": notice.source, "url": notice.url, "title": notice.title,
        "doc_number": notice.doc_number, "kind": notice.kind, "program": extraction.get("program"),
        "agencies": list(notice.agencies or []),
        "issue_date": notice.issue_date.isoformat() if notice.issue_date else None,
        "publish_date": notice.publish_date.isoformat() if notice.publish_date else None,
        "effective_date": notice.effective_date.isoformat() if notice.effective_date else None,
        "version": version.number,
        "facts": {
            "cities": _places(version), "removed_cities": _places(version, "removed_cities"),
            "figures": list(_figures(version).values()),
            "customs_codes": list(extraction.get("customs_codes") or []),
            "customs_districts": list(extraction.get("customs_districts") or []),
        },
    }


def _previous_version(session: Session, result: SaveResult) -> NoticeVersion | None:
    """The text the page showed before this save (``save_notice`` knows which one that was)."""
    if result.previous_number is None:
        return None
    return session.scalar(_VERSION_NUMBER, {"notice_id": result.notice_id, "number": result.previous_number})


def _earlier_notices(session: Session, notice: Notice) -> list[tuple[Notice, dict[str, dict[str, Any]]]]:
    """The latest earlier notices of the same kind (newest first), each with the figures of the version
    its page shows: two queries, whatever the number of figures asked about."""
    if not notice.kind or notice.kind == "other":
        return []
    query = select(Notice).where(Notice.kind == notice.kind, Notice.id != notice.id)
    if notice.document_id is not None:  # another copy of this very document is not an earlier notice
        query = query.where((Notice.document_id != notice.document_id) | Notice.document_id.is_(None))
    if notice.doc_number_key:
        query = query.where((Notice.doc_number_key != notice.doc_number_key) | Notice.doc_number_key.is_(None))
    if notice.publish_date:
        query = query.where((Notice.publish_date <= notice.publish_date) | Notice.publish_date.is_(None))
    query = query.order_by(Notice.publish_date.desc().nulls_last(), Notice.id.desc()).limit(EARLIER_NOTICES_SCANNED)
    earlier = list(session.scalars(query))
    if not earlier:
        return []
    # (notice, number, extraction) of every version, without loading each notice's texts and pages.
    versions: dict[int, dict[int, dict[str, Any] | None]] = {}
    for notice_id, number, extraction in session.execute(
            select(NoticeVersion.notice_id, NoticeVersion.number, NoticeVersion.extraction)
            .where(NoticeVersion.notice_id.in_([n.id for n in earlier]))):
        versions.setdefault(notice_id, {})[number] = extraction
    out = []
    for n in earlier:
        stored = versions.get(n.id, {})
        number = shown_number(n, stored)
        if number is not None:
            out.append((n, _figures_of(stored[number] or {})))
    return out


def _earlier_figure(earlier: list[tuple[Notice, dict[str, dict[str, Any]]]],
                    name: str) -> tuple[Notice, dict[str, Any]] | None:
    """The figure as the latest earlier notice of the same kind stated it (e.g. the last tax notice)."""
    for notice, figures in earlier:
        figure = figures.get(name)
        if figure is not None:
            return notice, figure
    return None


def figure_changes(session: Session, notice: Notice, version: NoticeVersion,
                   previous: NoticeVersion | None) -> list[dict[str, Any]]:
    """Rule figures whose value moved: as the notice states it (``previous_X`` → ``X``), against the
    notice's previous version, else against the latest earlier notice of the same kind."""
    current = _figures(version)
    before = _figures(previous)
    changes: list[dict[str, Any]] = []
    earlier_notices: list[tuple[Notice, dict[str, dict[str, Any]]]] | None = None  # loaded when first needed
    for name, figure in current.items():
        if not is_rule_figure(name):
            continue
        change = {"name": name, "new": figure["value"], "unit": figure.get("unit")}
        stated = current.get(f"previous_{name}")
        if stated is not None:
            if stated["value"] != figure["value"]:
                changes.append(dict(change, old=stated["value"], basis="stated"))
            continue
        if name in before:
            if before[name]["value"] != figure["value"]:
                changes.append(dict(change, old=before[name]["value"], basis="previous_version",
                                    from_version=previous.number if previous else None))
            continue
        if earlier_notices is None:
            earlier_notices = _earlier_notices(session, notice)
        found = _earlier_figure(earlier_notices, name)
        if found is not None and found[1]["value"] != figure["value"]:
            earlier, old = found
            changes.append(dict(change, old=old["value"], basis="earlier_notice", earlier={
                "id": earlier.id, "title": earlier.title, "doc_number": earlier.doc_number, "url": earlier.url}))
    return changes


# -- deriving --------------------------------------------------------------------------------------------
def document_ident(notice: Notice) -> str:
    """What an event's key names: the document (``storage.documents``), so its copies on other sites
    make no second alert; a row stored without a document (written around ``save_notice``) falls back
    to its number, then its page."""
    if notice.document_id is not None:
        return f"document:{notice.document_id}"
    return f"doc:{notice.doc_number_key}" if notice.doc_number_key else f"notice:{notice.id}"


def derive_events(session: Session, result: SaveResult, record: NoticeRecord, *,
                  silent_first_run: bool = True) -> list[Event]:
    """The events one ``save_notice`` outcome gives, already added to the session (new ones only).

    A notice the extractor judged irrelevant (``relevant`` False) gives none; unknown counts as
    relevant. On a source's first successful crawl (``silent_first_run``) events are stored as a
    baseline and announced to nobody, so a new installation does not mail every old notice.
    """
    if result.outcome == "unchanged":
        return []
    notice = session.get(Notice, result.notice_id)
    version = session.get(NoticeVersion, result.version_id)
    if notice is None or version is None or notice.relevant is False:
        return []
    source = session.get(Source, notice.source)
    baseline = bool(silent_first_run and source is not None and source.last_success_at is None)
    ident = document_ident(notice)
    summary = notice_summary(notice, version)
    places = _places(version)
    removed = _places(version, "removed_cities")

    def event(kind: str, key: str, data: dict[str, Any], named: list[dict[str, Any]]) -> Event:
        return Event(kind=kind, dedup_key=key[:400], baseline=baseline, source=notice.source, notice_id=notice.id,
                     version_id=version.id, title=notice.title, url=notice.url, doc_number=notice.doc_number,
                     provinces=sorted({str(p["province"]) for p in named if p.get("province")}),
                     cities=[str(p["name"]) for p in named], data={"notice": summary, **data})

    candidates: list[Event] = []
    previous = None
    if result.outcome == "new":
        candidates.append(event(NOTICE_NEW, f"{NOTICE_NEW}:{ident}", {}, places + removed))
        new_places = places
    else:
        previous = _previous_version(session, result)
        if previous is None:
            return []
        diff = line_diff(previous.text, version.text, from_version=previous.number, to_version=version.number)
        # Keyed on the changed lines, not the page: the same edit seen on a second site, or again
        # after save_notice re-points a reverted text, is one event.
        changed = [line["text"] + line["op"] for hunk in diff["hunks"] for line in hunk["lines"] if line["op"] != " "]
        key = f"{NOTICE_REVISED}:{ident}:{_digest(changed or split_lines(version.text))}"
        candidates.append(event(NOTICE_REVISED, key, {"diff": diff}, places + removed))
        known = {p["name"] for p in _places(previous)}
        new_places = [p for p in places if p["name"] not in known]
        known_removed = {p["name"] for p in _places(previous, "removed_cities")}
        removed = [p for p in removed if p["name"] not in known_removed]
    if new_places or removed:
        extraction = _extraction(version)
        data = {"places": new_places, "removed": removed, "program": extraction.get("program"),
                "notice_kind": notice.kind}
        names = sorted(p["name"] for p in new_places) + ["-" + p["name"] for p in removed]
        candidates.append(event(PILOT_PLACES, f"{PILOT_PLACES}:{ident}:{_digest(names)}", data, new_places + removed))
    changes = figure_changes(session, notice, version, previous)
    if changes:
        fingerprint = sorted((c["name"], str(c["old"]), str(c["new"])) for c in changes)
        candidates.append(event(FIGURE_CHANGED, f"{FIGURE_CHANGED}:{ident}:{_digest(fingerprint)}",
                                {"changes": changes}, places))
    return add_events(session, candidates)


def source_status_events(session: Session, source: str, old_status: str | None, new_status: str,
                         reason: str | None, run_id: int | None, failures: int) -> list[Event]:
    """An admin event when a source turns broken, or comes back from broken to a healthy run."""
    if new_status == "broken" and old_status != "broken":
        kind, title = SOURCE_BROKEN, f"来源 {source} 已失效 (source broken)"
    elif old_status == "broken" and new_status in HEALTHY:
        kind, title = SOURCE_RECOVERED, f"来源 {source} 已恢复 (source recovered)"
    else:
        return []
    data = {"source": source, "old_status": old_status, "status": new_status, "reason": reason,
            "source_run_id": run_id, "consecutive_failures": failures}
    row = Event(kind=kind, dedup_key=f"{kind}:{source}:{run_id}", admin=True, source=source, title=title, data=data)
    return [row] if add_event(session, row) is not None else []


def source_quiet_event(session: Session, source: str, quiet_days: int, last_new: dt.datetime | None,
                       since: dt.datetime, run_id: int | None) -> list[Event]:
    """An admin event: a source whose runs look fine has found nothing new for longer than its
    expected cadence — the usual sign of a redesign that moved the notices elsewhere."""
    days = (utcnow() - since).days
    title = f"来源 {source} 已 {days} 天无新文件 (source quiet for {days} days)"
    data = {"source": source, "quiet_days": quiet_days, "days": days, "source_run_id": run_id,
            "last_new_notice_at": last_new.isoformat() if last_new else None, "quiet_since": since.isoformat()}
    row = Event(kind=SOURCE_QUIET, dedup_key=f"{SOURCE_QUIET}:{source}:{since.isoformat()}", admin=True,
                source=source, title=title, data=data)
    return [row] if add_event(session, row) is not None else []


def delivery_dead_event(session: Session, delivery: Any, shown_target: str, error: str) -> list[Event]:
    """An admin event: a message will not be sent again without a hand (``deliveries --retry``)."""
    subscriber = delivery.subscriber.name if delivery.subscriber is not None else "?"
    title = f"投递失败 {subscriber} {delivery.channel} (dead letter: {error[:120]})"
    data = {"delivery_id": delivery.id, "key": delivery.key, "subscriber": subscriber, "channel": delivery.channel,
            "target": shown_target, "attempts": delivery.attempts, "error": error[:500]}
    row = Event(kind=DELIVERY_DEAD, dedup_key=f"{DELIVERY_DEAD}:{delivery.key}", admin=True, source=None,
                title=title, data=data)
    return [row] if add_event(session, row) is not None else []


def registry_conflict_event(session: Session, shipped: Any, crawled: list[Any], notice: Notice,
                            crawled_removed: list[Any] = ()) -> list[Event]:
    """An admin event: a crawled reply names other places (or revocations) than the shipped history of the
    same document.

    The registry keeps the shipped list (a bad extraction must not rewrite history, nor a wrong shipped
    list hide a real page); the key holds the crawled lists, so a new reading is announced again."""
    shipped_names = [p.name for p in shipped.places]
    crawled_names = [p.name for p in crawled]
    revoked = {"shipped_revoked": [p.name for p in shipped.revoked],
               "crawled_revoked": [p.name for p in crawled_removed]} if shipped.revoked or crawled_removed else {}
    number = shipped.doc_number or shipped.title
    title = (f"名单冲突 {number}: 抓取 {len(crawled_names)} 个, 内置 {len(shipped_names)} 个 "
             f"(registry conflict: the crawled reply names other places)")
    data = {"doc_number": shipped.doc_number, "shipped_title": shipped.title, "shipped": shipped_names,
            "crawled": crawled_names, "missing": [n for n in shipped_names if n not in crawled_names],
            "extra": [n for n in crawled_names if n not in shipped_names], "evidence": list(shipped.evidence),
            **revoked}
    digest = _digest(sorted(crawled_names) + ([f"-{n}" for n in sorted(revoked["crawled_revoked"])] if revoked else []))
    row = Event(kind=REGISTRY_CONFLICT, dedup_key=f"{REGISTRY_CONFLICT}:{number}:{digest}",
                admin=True, source=notice.source, notice_id=notice.id, title=title, url=notice.url,
                doc_number=notice.doc_number, data=data)
    return [row] if add_event(session, row) is not None else []
