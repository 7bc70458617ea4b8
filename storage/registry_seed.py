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
        not_listed = sorted(set(raw.get("unverified") or []) - set(raw.get("places") or []))
        if not_listed:
            raise RegistryDataError(f"registry data: {where}: unverified places not in its list: {not_listed}")
        batches.append(ShippedBatch(
            str(program), raw.get("doc_number"), doc_number_key(raw.get("doc_number")), raw["title"],
            _date(raw.get("issue_date"), where), _date(raw.get("publish_date"), where), places,
            tuple(raw["evidence"]), bool(raw.get("single_source", False)), bool(raw.get("complete", True)),
            tuple(raw.get("unverified") or ()), _date(raw.get("effective_date"), where),
            raw.get("scope_rule")))
    return batches


@functools.cache
def shipped_batches() -> tuple[ShippedBatch, ...]:
    """Every shipped batch of every programme, in file order."""
    batches: list[ShippedBatch] = []
    for name in FILES:
        batches += parse((DATA_DIR / name).read_text("utf-8"), name)
    return tuple(batches)
