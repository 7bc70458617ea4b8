"""The positive list (跨境电子商务零售进口商品清单) as versioned data, and asking it by HS code.

Each announcement whose attachments hold goods rows is one version of the ``positive_list`` dataset:
``full`` (the whole list, which replaces what was before) or ``amend`` (rows marked 增加, 删除 or 调整).
The list on a day is the fold of the versions that apply by then, in date order (effective date,
else announcement date); a code keeps the announcement that first put it on the list for as long
as it stays on. A new version yields one ``positive_list_changed`` event naming the codes it added,
removed and changed (with their descriptions), in the same transaction as its notice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.attachments import version_rows
from storage.events import _digest, add_events, notice_summary
from storage.models import Notice, NoticeVersion, Source
from storage.models_alerts import POSITIVE_LIST_CHANGED, Event
from storage.models_attachments import DatasetLine, DatasetVersion

DATASET = "positive_list"
LIST_TITLE = re.compile(r"跨境电子商务零售进口商品清单|跨境电商零售进口商品清单")
#: codes an event lists by name per kind of change; the counts are always complete
MAX_EVENT_CODES = 300


@dataclass
class Entry:
    hs_code: str
    description: str
    notes: str
    since: DatasetVersion  # the announcement that put the code on the list (this spell)
    changed_by: DatasetVersion | None = None


def is_positive_list_notice(notice: Notice) -> bool:
    return notice.kind == "positive_list" or bool(LIST_TITLE.search(notice.title or ""))


def _lines_of(rows: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str, str, str]]]:
    """(mode, [(code, action, description, notes)]) of a notice's rows: one line per code and action
    (the PDF and the sheet of one list say the same thing once)."""
    amend = any(r.get("action") for r in rows)
    seen: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for row in rows:
        action = row.get("action") or ("add" if amend else "list")
        key = (row["hs_code"], action)
        if key not in seen:
            seen[key] = (row["hs_code"], action, row.get("description") or "", row.get("notes") or "")
    return ("amend" if amend else "full"), list(seen.values())


def _ordered(session: Session, upto: dt.date | None = None) -> list[DatasetVersion]:
    query = select(DatasetVersion).where(DatasetVersion.dataset == DATASET, DatasetVersion.superseded.is_(False))
    if upto is not None:
        query = query.where(DatasetVersion.applies_from <= upto)
    return list(session.scalars(query.order_by(DatasetVersion.applies_from, DatasetVersion.id)))


def fold(versions: list[DatasetVersion]) -> tuple[dict[str, Entry], dict[str, DatasetVersion]]:
    """(the list after these versions, code → the version that last removed it)."""
    state: dict[str, Entry] = {}
    removed: dict[str, DatasetVersion] = {}
    for version in versions:
        if version.mode == "full":
            listed = {line.hs_code: line for line in version.lines}
            for code in set(state) - set(listed):
                removed[code] = version
            state = {code: Entry(code, line.description, line.notes,
                                 state[code].since if code in state else version) for code, line in listed.items()}
            continue
        for line in version.lines:
            if line.action == "remove":
                if state.pop(line.hs_code, None) is not None:
                    removed[line.hs_code] = version
            elif line.action == "add" or line.hs_code not in state:
                previous = state.get(line.hs_code)
                state[line.hs_code] = Entry(line.hs_code, line.description, line.notes,
                                            previous.since if previous else version)
            else:  # change: the description or the notes of a listed code
                entry = state[line.hs_code]
                entry.description = line.description or entry.description
                entry.notes = line.notes or entry.notes
                entry.changed_by = version
    return state, removed


def list_at(session: Session, as_of: dt.date | None = None) -> dict[str, Entry]:
    return fold(_ordered(session, as_of or dt.date.today()))[0]


def record_positive_list(session: Session, notice_id: int, version_id: int, *,
                         silent_first_run: bool = True) -> list[Event]:
    """A dataset version from the goods rows of this notice version's attachments (if it is a list
    announcement and they hold any), and its ``positive_list_changed`` event. Nothing when the same
    rows were recorded already."""
    notice = session.get(Notice, notice_id)
    version = session.get(NoticeVersion, version_id)
    if notice is None or version is None or not is_positive_list_notice(notice):
        return []
    rows = version_rows(session, version_id)
    if not rows:
        return []
    mode, lines = _lines_of(rows)
    digest = hashlib.sha256(json.dumps(sorted(lines), ensure_ascii=False).encode()).hexdigest()
    earlier = list(session.scalars(select(DatasetVersion).where(
        DatasetVersion.dataset == DATASET, DatasetVersion.notice_id == notice.id,
        DatasetVersion.superseded.is_(False))))
    if any(v.rows_digest == digest for v in earlier):
        return []
    for old in earlier:  # the notice's attachment now reads otherwise: this reading replaces it
        old.superseded = True
    applies = notice.effective_date or notice.issue_date or notice.publish_date or notice.first_seen_at.date()
    dataset_version = DatasetVersion(
        dataset=DATASET, notice_id=notice.id, version_id=version.id, mode=mode, doc_number=notice.doc_number,
        title=notice.title, url=notice.url, announced_on=notice.issue_date or notice.publish_date,
        effective_on=notice.effective_date, applies_from=applies, rows_digest=digest,
        lines=[DatasetLine(hs_code=c, action=a, description=d, notes=n) for c, a, d, n in lines])
    session.add(dataset_version)
    session.flush()
    return _change_event(session, notice, version, dataset_version, silent_first_run)


def _change_event(session: Session, notice: Notice, version: NoticeVersion, new: DatasetVersion,
                  silent_first_run: bool) -> list[Event]:
    ordered = _ordered(session)
    position = ordered.index(new)
    before, _ = fold(ordered[:position])
    after, _ = fold(ordered[:position + 1])
    added = [{"hs_code": c, "description": after[c].description} for c in sorted(set(after) - set(before))]
    removed = [{"hs_code": c, "description": before[c].description} for c in sorted(set(before) - set(after))]
    changed = [{"hs_code": c, "description": after[c].description, "old_description": before[c].description,
                "notes": after[c].notes, "old_notes": before[c].notes} for c in sorted(set(before) & set(after))
               if (before[c].description, before[c].notes) != (after[c].description, after[c].notes)]
    if not (added or removed or changed):
        return []
    source = session.get(Source, notice.source)
    baseline = bool(silent_first_run and source is not None and source.last_success_at is None)
    ident = f"doc:{notice.doc_number_key}" if notice.doc_number_key else f"notice:{notice.id}"
    fingerprint = [[r["hs_code"] for r in group] for group in (added, removed, changed)]
    data = {"notice": notice_summary(notice, version), "dataset": DATASET, "mode": new.mode,
            "dataset_version_id": new.id, "applies_from": new.applies_from.isoformat(),
            "counts": {"added": len(added), "removed": len(removed), "changed": len(changed), "total": len(after)},
            "added": added[:MAX_EVENT_CODES], "removed": removed[:MAX_EVENT_CODES],
            "changed": changed[:MAX_EVENT_CODES]}
    event = Event(kind=POSITIVE_LIST_CHANGED, dedup_key=f"{POSITIVE_LIST_CHANGED}:{ident}:{_digest(fingerprint)}"[:400],
                  baseline=baseline, source=notice.source, notice_id=notice.id, version_id=version.id,
                  title=notice.title, url=notice.url, doc_number=notice.doc_number, provinces=[], cities=[], data=data)
    return add_events(session, [event])


def _announcement(version: DatasetVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"doc_number": version.doc_number, "title": version.title, "url": version.url,
            "notice_id": version.notice_id, "mode": version.mode,
            "announced_on": version.announced_on.isoformat() if version.announced_on else None,
            "effective_on": version.effective_on.isoformat() if version.effective_on else None,
            "applies_from": version.applies_from.isoformat()}


def normalise_query(code: str) -> str:
    digits = re.sub(r"[\s.．\-]", "", code or "")
    if not digits.isdigit() or not 2 <= len(digits) <= 10:
        raise ValueError(f"not an HS code or heading: {code!r} (2 to 10 digits, dots allowed: 3304, 3304.99.00)")
    return digits


def lookup_hs(session: Session, code: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """Is *code* on the positive list on *as_of* (default today), and since which announcement?

    An 8- or 10-digit code matches its own line (a 10-digit code also the 8-digit line it falls
    under); a shorter one is a prefix (3304 lists the lines of heading 3304). Unknown codes answer
    ``on_list: false``, with the announcement that removed them if one did. Raises ``ValueError``
    for something that is not a code."""
    query = normalise_query(code)
    day = as_of or dt.date.today()
    versions = _ordered(session, day)
    state, removed = fold(versions)
    if len(query) >= 8:
        matches = [e for c, e in state.items() if c == query or (len(query) == 10 and c == query[:8])
                   or (len(query) == 8 and c.startswith(query))]
    else:
        matches = [e for c, e in state.items() if c.startswith(query)]
    lines = [{"hs_code": e.hs_code, "chapter": e.hs_code[:2], "description": e.description, "notes": e.notes,
              "since": _announcement(e.since), "changed_by": _announcement(e.changed_by)}
             for e in sorted(matches, key=lambda e: e.hs_code)]
    gone = [{"hs_code": c, "removed_by": _announcement(v)} for c, v in sorted(removed.items())
            if c.startswith(query[:8]) and c not in state]
    first = versions[0] if versions else next(iter(_ordered(session)), None)
    return {"query": query, "as_of": day.isoformat(), "on_list": bool(lines), "lines": lines,
            "removed": gone if not lines else [], "list_size": len(state),
            "list_version": _announcement(versions[-1]) if versions else None,
            "first_version_from": first.applies_from.isoformat() if first else None}
