"""The pilot-zone registry: which places belong to which programme, since which batch and document.

It is derived from stored facts (the extractor's ``city`` and ``removed_city`` facts of the latest
version of each programme notice) and rebuilt after every crawl and re-parse, so it never disagrees
with the notices it comes from. The same document found on two sites counts once (by its
normalised document number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Fact, Notice

PROGRAMS = {
    "pilot_zone_batch": ("cbec_zone", "跨境电子商务综合试验区"),
    "retail_import_pilot": ("retail_import", "跨境电商零售进口试点"),
}
PROGRAM_NAMES = {key: name for key, name in PROGRAMS.values()}

# Official batch numbers of the comprehensive pilot zones (shared/reference/domain.md §1.1). A
# document not listed here gets the next number after the latest listed batch it follows.
KNOWN_BATCHES = {
    "国函〔2015〕44号": 1, "国函〔2016〕17号": 2, "国函〔2018〕93号": 3, "国函〔2019〕137号": 4,
    "国函〔2020〕47号": 5, "国函〔2022〕8号": 6, "国函〔2022〕126号": 7,
}


class PilotZone(Base):
    __tablename__ = "pilot_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(128))
    province: Mapped[str | None] = mapped_column(String(64))
    adcode: Mapped[str | None] = mapped_column(String(12), index=True)
    batch: Mapped[int] = mapped_column(Integer)
    doc_number: Mapped[str | None] = mapped_column(String(128))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    added_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_by_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))


@dataclass(frozen=True)
class BatchSummary:
    program: str
    batch: int
    doc_number: str | None
    title: str
    date: dt.date | None
    added: list[str]
    removed: list[str]


def _programme_notices(session: Session) -> list[Notice]:
    notices = session.scalars(select(Notice).where(Notice.kind.in_(PROGRAMS))).all()
    seen: set[str] = set()
    unique: list[Notice] = []
    for notice in sorted(notices, key=lambda n: (n.issue_date or n.publish_date or dt.date.max, n.id)):
        key = notice.doc_number_key or f"url:{notice.url}"
        if key not in seen:
            seen.add(key)
            unique.append(notice)
    return unique


def _latest_facts(session: Session, notice: Notice) -> list[Fact]:
    from storage.notices import current_version_of

    version = current_version_of(notice)
    if version is None:
        return []
    return list(session.scalars(select(Fact).where(Fact.version_id == version.id).order_by(Fact.position)))


def _batch_numbers(notices: list[Notice]) -> dict[int, int]:
    """Batch number per notice id: the official number where known, else the next after the last."""
    numbers: dict[int, int] = {}
    last_batch: dict[str, int] = {}
    for notice in notices:
        program = PROGRAMS[notice.kind or ""][0]
        batch = KNOWN_BATCHES.get(notice.doc_number_key or "") or last_batch.get(program, 0) + 1
        last_batch[program] = max(batch, last_batch.get(program, 0))
        numbers[notice.id] = batch
    return numbers


def rebuild_registry(session: Session) -> int:
    """Recompute every programme's places from the stored notices; returns the number of rows."""
    session.execute(delete(PilotZone))
    active: dict[tuple[str, str], PilotZone] = {}
    notices = _programme_notices(session)
    batch_of = _batch_numbers(notices)
    rows = 0
    for notice in notices:
        program, batch = PROGRAMS[notice.kind or ""][0], batch_of[notice.id]
        day = notice.issue_date or notice.publish_date
        for fact in _latest_facts(session, notice):
            key = (program, fact.adcode or fact.name)
            if fact.kind == "city" and key not in active:
                zone = PilotZone(program=program, name=fact.name, province=fact.province, adcode=fact.adcode,
                                 batch=batch, doc_number=notice.doc_number, notice_id=notice.id, added_on=day)
                session.add(zone)
                active[key] = zone
                rows += 1
            elif fact.kind == "removed_city" and key in active:
                zone = active.pop(key)
                zone.removed_on = day
                zone.removed_by_notice_id = notice.id
    session.flush()
    return rows


def zones(session: Session, program: str | None = None, as_of: dt.date | None = None) -> list[PilotZone]:
    """Places in force on *as_of* (default: today), in batch and document order."""
    as_of = as_of or dt.date.today()
    query = select(PilotZone).order_by(PilotZone.program, PilotZone.batch, PilotZone.id)
    if program:
        query = query.where(PilotZone.program == program)
    return [z for z in session.scalars(query)
            if (z.added_on is None or z.added_on <= as_of) and (z.removed_on is None or z.removed_on > as_of)]


def batches(session: Session, program: str | None = None) -> list[BatchSummary]:
    """What each programme document added (and removed)."""
    summaries: list[BatchSummary] = []
    notices = _programme_notices(session)
    batch_of = _batch_numbers(notices)
    for notice in notices:
        key = PROGRAMS[notice.kind or ""][0]
        if program and key != program:
            continue
        added = [z for z in session.scalars(select(PilotZone).where(PilotZone.notice_id == notice.id)
                                            .order_by(PilotZone.id))]
        removed = session.scalars(select(PilotZone.name).where(PilotZone.removed_by_notice_id == notice.id)).all()
        summaries.append(BatchSummary(key, batch_of[notice.id], notice.doc_number, notice.title,
                                      notice.issue_date or notice.publish_date, [z.name for z in added],
                                      list(removed)))
    return summaries
