"""The programmes' known history, shipped as data (``storage/registry_data/*.toml``).

The registry starts from these batches, so a fresh install knows the 165 zones of 2022 before it has
crawled anything; crawled replies then confirm a batch, complete a partial one, or add a new one.
Place names are resolved with the extractor's gazetteer, so a shipped place and a crawled one have
the same name, province and adcode and can be compared.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "registry_data"
FILES = ("cbec_zones.toml", "retail_import.toml")


class RegistryDataError(ValueError):
    """The shipped registry data is malformed (a packaging bug, named in one line)."""


@dataclass(frozen=True)
class Place:
    name: str
    province: str | None
    adcode: str | None

    @property
    def key(self) -> str:
        return self.adcode or self.name


@dataclass(frozen=True)
class ShippedBatch:
    program: str
    doc_number: str | None
    doc_key: str | None
    title: str
    issue_date: dt.date | None
    publish_date: dt.date | None
    places: tuple[Place, ...]
    evidence: tuple[str, ...]
    single_source: bool = False
    complete: bool = True
    unverified: tuple[str, ...] = field(default=())
    # The day its places came under the programme's rules, when that is not the signing date.
    effective_date: dt.date | None = None
    # A widening by rule (e.g. "every city hosting a comprehensive bonded zone"): such an entry names no place.
    scope_rule: str | None = None
    # How many places the document puts in the programme, when the sources give a count but not every name.
    count: int | None = None
    # Earlier places the document ends (撤销 / 不再保留): out of the programme from its date on.
    revoked: tuple[Place, ...] = field(default=())

    @property
    def unnamed(self) -> int:
        """Places the document adds that no source found names (0 when the list is whole or no count is known)."""
        return max((self.count or 0) - len(self.places), 0)

    @property
    def date(self) -> dt.date | None:
        return self.issue_date or self.publish_date

    @property
    def in_force_from(self) -> dt.date | None:
        return self.effective_date or self.date


def resolve_place(name: str) -> Place:
    """Name, province and adcode of an official full name, as the extractor would report it."""
    from crawler.extraction.divisions import gazetteer

    g = gazetteer()
    candidates = g.full.get(name) or []
    codes = {d.adcode for d in candidates}
    if len(codes) != 1:
        raise RegistryDataError(f"registry data: {name!r} is {'ambiguous' if codes else 'not'} in the gazetteer")
    division = candidates[0]
    return Place(division.name, g.province_name(division), division.adcode)


def _date(value: object, where: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    raise RegistryDataError(f"registry data: {where}: dates are TOML dates (YYYY-MM-DD), got {value!r}")


def parse(text: str, origin: str) -> list[ShippedBatch]:
    from storage.notices import doc_number_key

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryDataError(f"registry data {origin}: {exc}") from exc
    program, evidence = data.get("programme"), data.get("evidence") or {}
    batches = []
    for i, raw in enumerate(data.get("batch") or [], 1):
        where = f"{origin} batch {i}"
        if not raw.get("title") or not (raw.get("places") or raw.get("scope_rule")):
            raise RegistryDataError(f"registry data: {where} needs a title and places (or a scope_rule)")
        if raw.get("places") and raw.get("scope_rule"):
            raise RegistryDataError(f"registry data: {where}: a scope_rule entry names no places")
        unknown = sorted(set(raw.get("evidence") or []) - set(evidence))
        if unknown or not raw.get("evidence"):
            raise RegistryDataError(f"registry data: {where} cites no or unknown evidence {unknown}")
        places = tuple(resolve_place(name) for name in raw.get("places") or [])
        revoked = tuple(resolve_place(name) for name in raw.get("revoked") or [])
        count = raw.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < len(places)):
            raise RegistryDataError(f"registry data: {where}: count must be a whole number of places, at least "
                                    f"the {len(places)} listed, got {count!r}")
        if count is not None and count > len(places) and raw.get("complete", False):
            raise RegistryDataError(f"registry data: {where}: {count - len(places)} places unnamed, yet complete")
        if {p.key for p in revoked} & {p.key for p in places}:
            raise RegistryDataError(f"registry data: {where}: a place both added and revoked")
        not_listed = sorted(set(raw.get("unverified") or []) - set(raw.get("places") or []))
        if not_listed:
            raise RegistryDataError(f"registry data: {where}: unverified places not in its list: {not_listed}")
        batches.append(ShippedBatch(
            str(program), raw.get("doc_number"), doc_number_key(raw.get("doc_number")), raw["title"],
            _date(raw.get("issue_date"), where), _date(raw.get("publish_date"), where), places,
            tuple(raw["evidence"]), bool(raw.get("single_source", False)),
            bool(raw.get("complete", count is None or count == len(places))),
            tuple(raw.get("unverified") or ()), _date(raw.get("effective_date"), where),
            raw.get("scope_rule"), count, revoked))
    return batches


@functools.cache
def shipped_batches() -> tuple[ShippedBatch, ...]:
    """Every shipped batch of every programme, in file order."""
    batches: list[ShippedBatch] = []
    for name in FILES:
        batches += parse((DATA_DIR / name).read_text("utf-8"), name)
    _check_revocations(batches)
    return tuple(batches)


def _check_revocations(batches: list[ShippedBatch]) -> None:
    """A revocation ends a place an earlier entry of the same programme put in (a typo would end nothing)."""
    for i, batch in enumerate(batches):
        earlier = {p.key for b in batches[:i] if b.program == batch.program and b.date and batch.date
                   and b.date < batch.date for p in b.places}
        stray = [p.name for p in batch.revoked if p.key not in earlier]
        if stray:
            raise RegistryDataError(f"registry data: {batch.program} {batch.doc_number or batch.title}: "
                                    f"revokes {stray}, which no earlier entry added")
