"""The pilot-zone registry: which places belong to which programme, since which batch and document.

It starts from the programmes' shipped history (:mod:`storage.registry_seed`), so a fresh install is
right before any crawl, and is rebuilt after every crawl and re-parse from that history plus the
extractor's ``city`` and ``removed_city`` facts of the latest version of each programme notice:

- a crawled reply with a shipped document number (or, for a shipped batch without one, its title or
  signing date) *confirms* the batch when it names the same places (a shipped scope rule: none), and
  its notice is linked;
- one that names different places does not overwrite the shipped list: it raises a
  ``registry_conflict`` admin event, so a person decides which is wrong;
- a reply the data does not know adds a batch.

Batch numbers are each programme's own order (by date among its batch documents), never crawl order.
The same document found on two sites counts once (by its normalised document number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Fact, Notice
from storage.registry_seed import Place, ShippedBatch, shipped_batches

PROGRAMS = {
    "pilot_zone_batch": ("cbec_zone", "跨境电子商务综合试验区"),
    "retail_import_pilot": ("retail_import", "跨境电商零售进口试点"),
}
PROGRAM_NAMES = {key: name for key, name in PROGRAMS.values()}
# Without a programme, queries answer for the comprehensive pilot zones (what `zones --as-of` has always
# counted); ALL_PROGRAMS asks for every programme.
DEFAULT_PROGRAM = "cbec_zone"
ALL_PROGRAMS = "all"


def _selected(program: str | None) -> str | None:
    """The programme a query is about: None means every programme."""
    if program == ALL_PROGRAMS:
        return None
    return program or DEFAULT_PROGRAM


class PilotZone(Base):
    __tablename__ = "pilot_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(128))
    province: Mapped[str | None] = mapped_column(String(64))
    adcode: Mapped[str | None] = mapped_column(String(12), index=True)
    batch: Mapped[int] = mapped_column(Integer)
    doc_number: Mapped[str | None] = mapped_column(String(128))
    # The crawled notice that names this place; empty for a shipped place no crawl has confirmed yet.
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    added_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_by_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(16), default="crawled")  # "shipped" or "crawled"
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclass(frozen=True)
class BatchSummary:
    program: str
    batch: int
    doc_number: str | None
    title: str
    date: dt.date | None
    added: list[str]
    removed: list[str]
    origin: str = "crawled"
    notice_id: int | None = None
    complete: bool = True
    scope_rule: str | None = None
    # Places the document adds that no source found names (shipped count minus the places known).
    unnamed: int = 0


@dataclass
class _Batch:
    """One batch document of a programme, shipped, crawled or both."""

    program: str
    doc_number: str | None
    title: str
    date: dt.date | None
    places: list[Place]
    removed: list[Place] = field(default_factory=list)
    shipped: ShippedBatch | None = None
    notice: Notice | None = None
    conflict: list[Place] | None = None  # the crawled places, when they contradict the shipped ones
    conflict_notice: Notice | None = None
    conflict_removed: list[Place] | None = None  # the crawled revocations, when they contradict the shipped ones

    @property
    def unnamed(self) -> int:
        """Places of the document still unnamed: its shipped count minus the places now known."""
        count = self.shipped.count if self.shipped else None
        return max((count or 0) - len(self.places), 0)

    @property
    def order(self) -> tuple[dt.date, str]:
        return (self.date or dt.date.max, self.doc_number or self.title)


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


def _crawled_places(session: Session, notice: Notice) -> tuple[list[Place], list[Place]]:
    added: list[Place] = []
    removed: list[Place] = []
    for fact in _latest_facts(session, notice):
        if fact.kind in ("city", "removed_city"):
            (added if fact.kind == "city" else removed).append(Place(fact.name, fact.province, fact.adcode))
    return added, removed


def _match(shipped: list[_Batch], notice: Notice) -> _Batch | None:
    program = PROGRAMS[notice.kind or ""][0]
    for batch in shipped:
        if batch.program != program or batch.notice is not None or batch.shipped is None:
            continue
        if notice.doc_number_key and batch.shipped.doc_key == notice.doc_number_key:
            return batch
        # Without a number on one side (not found for the shipped batch, or not read from the copy), the
        # same title or signing day identifies the document (a shipped title may be a short form).
        if batch.shipped.doc_key is not None and notice.doc_number_key:
            continue
        if batch.shipped.title == notice.title:
            return batch
        if batch.shipped.issue_date and batch.shipped.issue_date == notice.issue_date:
            return batch
    return None


def _merge(session: Session, batch: _Batch, notice: Notice) -> None:
    """Fold a crawled reply into the shipped batch it is a copy of."""
    crawled, removed = _crawled_places(session, notice)
    rule = batch.shipped is not None and batch.shipped.scope_rule is not None
    if not crawled and not rule:
        return  # a copy whose places the extractor did not find neither confirms nor contradicts
    keys = {p.key for p in crawled}
    shipped_keys = {p.key for p in batch.places}
    # Shipped revocations stand against a copy that names other ones; a copy naming none leaves them be
    # (the extractor may simply not have read that clause).
    other_removals = bool(batch.removed and removed) and {p.key for p in removed} != {p.key for p in batch.removed}
    if batch.shipped is not None and not batch.shipped.complete and shipped_keys <= keys and not other_removals:
        batch.places = batch.places + [p for p in crawled if p.key not in shipped_keys]  # completes it
    elif keys != shipped_keys or other_removals:
        # the shipped list stands until a person settles it
        batch.conflict, batch.conflict_notice, batch.conflict_removed = crawled, notice, removed
        return
    batch.notice, batch.removed = notice, removed or batch.removed
    batch.doc_number = batch.doc_number or notice.doc_number
    batch.date = batch.date or notice.issue_date or notice.publish_date


def programme_batches(session: Session) -> list[_Batch]:
    """Every batch document, shipped and crawled, in each programme's own (date) order."""
    merged = [_Batch(s.program, s.doc_number, s.title, s.date, list(s.places), list(s.revoked), shipped=s)
              for s in shipped_batches()]
    for notice in _programme_notices(session):
        target = _match(merged, notice)
        if target is not None:
            _merge(session, target, notice)
            continue
        added, removed = _crawled_places(session, notice)
        merged.append(_Batch(PROGRAMS[notice.kind or ""][0], notice.doc_number, notice.title,
                             notice.issue_date or notice.publish_date, added, removed, notice=notice))
    return sorted(merged, key=lambda b: (b.program, b.order))


def _numbered(batches: list[_Batch]) -> list[tuple[int, _Batch]]:
    counters: dict[str, int] = {}
    numbered = []
    for batch in batches:
        counters[batch.program] = counters.get(batch.program, 0) + 1
        numbered.append((counters[batch.program], batch))
    return numbered


def rebuild_registry(session: Session) -> int:
    """Recompute every programme's places; returns the number of rows. Contradictions become events."""
    from storage.events import registry_conflict_event
    from storage.outbox import enqueue

    session.execute(delete(PilotZone))
    active: dict[tuple[str, str], PilotZone] = {}
    rows = 0
    for number, batch in _numbered(programme_batches(session)):
        if batch.conflict is not None and batch.shipped is not None and batch.conflict_notice is not None:
            enqueue(session, registry_conflict_event(session, batch.shipped, batch.conflict, batch.conflict_notice,
                                                     batch.conflict_removed or []))
        unverified = set(batch.shipped.unverified) if batch.shipped else set()
        notice_id = batch.notice.id if batch.notice else None
        since = batch.shipped.in_force_from if batch.shipped else batch.date
        for place in batch.places:
            key = (batch.program, place.key)
            if key in active:
                continue
            zone = PilotZone(program=batch.program, name=place.name, province=place.province, adcode=place.adcode,
                             batch=number, doc_number=batch.doc_number, notice_id=notice_id, added_on=since,
                             origin="shipped" if batch.shipped else "crawled", unverified=place.name in unverified)
            session.add(zone)
            active[key] = zone
            rows += 1
        for place in batch.removed:
            gone = active.pop((batch.program, place.key), None)
            if gone is not None:
                gone.removed_on = batch.date
                gone.removed_by_notice_id = notice_id
    session.flush()
    return rows


def ensure_registry(session: Session) -> None:
    """Seed the registry when a shipped programme has no rows yet: a fresh install, one created before
    the data was shipped, or one seeded before a programme's data (e.g. the retail-import cities) was."""
    shipped = {b.program for b in shipped_batches() if b.places}
    seeded = set(session.scalars(select(PilotZone.program).where(PilotZone.origin == "shipped").distinct()))
    if not shipped <= seeded or _behind_the_data(session):
        rebuild_registry(session)


def _behind_the_data(session: Session) -> bool:
    """Rows seeded from an older copy of the data: a shipped place or revocation they do not reflect."""
    rows = session.execute(select(PilotZone.program, PilotZone.adcode, PilotZone.name, PilotZone.removed_on)).all()
    known = {(program, adcode or name) for program, adcode, name, _ in rows}
    ended = {(program, adcode or name) for program, adcode, name, removed_on in rows if removed_on is not None}
    for batch in shipped_batches():
        if any((batch.program, p.key) not in known for p in batch.places):
            return True
        if any((batch.program, p.key) not in ended for p in batch.revoked):
            return True
    return False


def zones(session: Session, program: str | None = None, as_of: dt.date | None = None) -> list[PilotZone]:
    """Places in force on *as_of* (default: today), in batch and document order."""
    as_of = as_of or dt.date.today()
    program = _selected(program)
    query = select(PilotZone).order_by(PilotZone.program, PilotZone.batch, PilotZone.id)
    if program:
        query = query.where(PilotZone.program == program)
    return [z for z in session.scalars(query)
            if (z.added_on is None or z.added_on <= as_of) and (z.removed_on is None or z.removed_on > as_of)]


def unnamed_places(session: Session, program: str | None = None,
                   as_of: dt.date | None = None) -> list[tuple[str, dt.date | None, int]]:
    """(document, date, how many) for each batch in force on *as_of* with places no source found named."""
    program = _selected(program)
    found = []
    for batch in programme_batches(session):
        since = batch.shipped.in_force_from if batch.shipped else batch.date
        in_force = as_of is None or (since is not None and since <= as_of)
        if batch.unnamed and (not program or batch.program == program) and in_force:
            found.append((batch.doc_number or batch.title, since, batch.unnamed))
    return found


def incomplete_since(program: str | None = None) -> dt.date | None:
    """The date of the earliest shipped batch whose place list is known to be partial."""
    program = _selected(program)
    dates = [b.date for b in shipped_batches() if not b.complete and b.date and (not program or b.program == program)]
    return min(dates) if dates else None


def batches(session: Session, program: str | None = None) -> list[BatchSummary]:
    """What each programme document added (and removed), in the programme's order."""
    program = _selected(program)
    summaries: list[BatchSummary] = []
    rows = session.scalars(select(PilotZone).order_by(PilotZone.id)).all()
    for number, batch in _numbered(programme_batches(session)):
        if program and batch.program != program:
            continue
        added = [z.name for z in rows if z.program == batch.program and z.batch == number]
        revoked = {p.key for p in batch.removed}
        removed = [z.name for z in rows if z.program == batch.program and z.removed_on is not None
                   and (z.removed_by_notice_id == batch.notice.id if batch.notice is not None
                        else z.removed_by_notice_id is None and z.removed_on == batch.date
                        and (z.adcode or z.name) in revoked)]
        # a crawled copy merged into a partial batch is the document's own list
        complete = batch.shipped is None or ((batch.shipped.complete or batch.notice is not None) and not batch.unnamed)
        summaries.append(BatchSummary(batch.program, number, batch.doc_number, batch.title, batch.date, added,
                                      removed, "shipped" if batch.shipped else "crawled",
                                      batch.notice.id if batch.notice else None, complete,
                                      batch.shipped.scope_rule if batch.shipped else None, batch.unnamed))
    return summaries
