"""The place index: which notices name which places, for "which notices concern 杭州市?".

The extractor's places already live in ``facts`` (``city`` and ``removed_city`` rows), but there they
hang off *versions*, so finding the notices of a city means joining every version's facts and
picking each notice's current one (bench 5c: p95 ~156 ms at 100k notices). ``notice_places`` keeps
one row per place of each notice's *current* version only, keyed by the notice, so a city, province
or adcode filter is one index range scan. It is derived data: :func:`refresh_places` rewrites a
notice's rows wherever that version's facts are written (``save_notice``, ``cbecwatch reparse``)
and migration 0007 backfills it from the stored facts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ForeignKey, Index, Select, String, UniqueConstraint, delete, exists, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Fact, Notice

#: fact kind -> role of the place in the notice (the extractor's designated / removed lists)
PLACE_ROLES = {"city": "designated", "removed_city": "removed"}

SelectT = TypeVar("SelectT", bound=Select[Any])


class NoticePlace(Base):
    """One place named by the current version of a notice, with its province and division code."""

    __tablename__ = "notice_places"
    __table_args__ = (
        # one row per place and role: a reparse or revision rewrites the set, never adds to it; it also
        # serves the per-notice delete of refresh_places and PostgreSQL's ON DELETE CASCADE lookups
        UniqueConstraint("notice_id", "role", "name", name="uq_notice_places_notice_role_name"),
        # notice_id second: the filter's subquery is answered from the index alone (no table lookups)
        Index("ix_notice_places_name", "name", "notice_id"),
        Index("ix_notice_places_province", "province", "notice_id"),
        Index("ix_notice_places_adcode", "adcode", "notice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(256))  # the name the facts carry (天津市, not 天津)
    province: Mapped[str | None] = mapped_column(String(64))
    adcode: Mapped[str | None] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(16))  # designated / removed


def places_from_facts(facts: Iterable[Fact | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Column values of the place rows for one version's facts, in fact order, one per role and name.

    *facts* are loaded :class:`Fact` rows or the column values :func:`storage.facts.insert_facts`
    has just written (the crawl path inserts facts without ORM objects).
    """
    def field(fact: Fact | Mapping[str, Any], name: str) -> Any:
        return fact.get(name) if isinstance(fact, Mapping) else getattr(fact, name)

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for fact in sorted(facts, key=lambda f: field(f, "position") or 0):
        role, name = PLACE_ROLES.get(field(fact, "kind")), field(fact, "name")
        if role is None or not name:
            continue
        # Extractions deduplicate names, but older or hand-made ones may not: the first wins.
        rows.setdefault((role, name), {"name": name, "province": field(fact, "province"),
                                       "adcode": field(fact, "adcode"), "role": role})
    return list(rows.values())


def refresh_places(session: Session, notice: Notice, facts: Iterable[Fact | Mapping[str, Any]]) -> int:
    """Replace *notice*'s place rows by those of *facts* (its current version's); returns the count.

    The old rows are deleted with one statement before the new ones are added: the ORM flushes
    inserts before deletes, which would trip the unique constraint when a place stays.
    """
    if notice.id is None:
        session.flush()
    session.execute(delete(NoticePlace).where(NoticePlace.notice_id == notice.id),
                    execution_options={"synchronize_session": False})
    rows = places_from_facts(facts)
    session.add_all(NoticePlace(notice_id=notice.id, **row) for row in rows)
    return len(rows)


def _conditions(cities: Sequence[str], provinces: Sequence[str], adcodes: Sequence[str]) -> list[Any]:
    return [column.in_(list(dict.fromkeys(values)))
            for column, values in ((NoticePlace.name, cities), (NoticePlace.province, provinces),
                                   (NoticePlace.adcode, adcodes)) if values]


def place_query(query: SelectT, *, cities: Sequence[str] = (), provinces: Sequence[str] = (),
                adcodes: Sequence[str] = (), many: bool = False) -> SelectT:
    """Restrict a select of notices to those naming a place that is one of *cities*, lies in one of
    *provinces* and has one of *adcodes* (each condition only when given; all on the same place, so
    ``--city 朝阳 --province 辽宁省`` picks 朝阳市, not any notice naming 朝阳区 and some 辽宁 city).

    Names are matched as stored; callers normalise user input first (``crawler.extraction.places``).
    Neither form is a join: a join repeats a notice once per matching place, and the DISTINCT that
    would undo it fails on PostgreSQL when the listing orders by columns it does not select. The
    form decides SQLite's plan (*many*: see :func:`many_places`): ``id IN (subquery)`` collects the
    matching notices and sorts them, ``EXISTS`` walks the listing's order and stops at its limit.
    """
    conditions = _conditions(cities, provinces, adcodes)
    if not conditions:
        return query
    if many:
        return query.where(exists().where(NoticePlace.notice_id == Notice.id, *conditions))
    return query.where(Notice.id.in_(select(NoticePlace.notice_id).where(*conditions)))


def many_places(session: Session, limit: int, *, cities: Sequence[str] = (), provinces: Sequence[str] = (),
                adcodes: Sequence[str] = ()) -> bool:
    """Whether a listing of *limit* notices should walk the listing's order (``place_query(many=True)``).

    SQLite keeps no per-value statistics, so it picks one plan for every city, and each plan is slow
    for half of them (bench 5c at 100k notices: collecting the 23k notices of a common city and
    sorting them took 25 ms; walking the date order for a city in 100 notices, 15 ms). Collecting
    costs about one row read per match (m); walking reads about limit·N/m rows, each some three
    times cheaper, so walking wins from m² ≥ limit·N/3. Counting stops at that bound, so the check
    costs at most ~1k index entries; N is taken as the highest notice id (instant, ids are dense).
    """
    conditions = _conditions(cities, provinces, adcodes)
    if not conditions:
        return False
    notices = session.scalar(select(func.max(Notice.id))) or 0
    enough = math.isqrt(max(limit, 1) * notices // 3) + 1
    matching = select(NoticePlace.notice_id).where(*conditions).limit(enough).subquery()
    return (session.scalar(select(func.count()).select_from(matching)) or 0) >= enough


def places_by_notice(session: Session, notice_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The indexed places of each notice, in the order its current version names them (one query)."""
    found: dict[int, list[dict[str, Any]]] = {notice_id: [] for notice_id in notice_ids}
    if not found:
        return found
    rows = session.execute(select(NoticePlace.notice_id, NoticePlace.name, NoticePlace.province,
                                  NoticePlace.adcode, NoticePlace.role)
                           .where(NoticePlace.notice_id.in_(list(found))).order_by(NoticePlace.id))
    for notice_id, name, province, adcode, role in rows:
        found[notice_id].append({"name": name, "province": province, "adcode": adcode, "role": role})
    return found
