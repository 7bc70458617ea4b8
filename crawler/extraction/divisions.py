"""Administrative divisions and the place-name gazetteer (pyahocorasick, leftmost-longest; stack.md §6).

Loaded lazily (first call to :func:`gazetteer`), so importing the package stays cheap.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("divisions.csv", "supplement.csv")

# Levels preferred when a short form fits several places in a list of pilot places: such lists name cities,
# so a prefecture beats a province of the same short form (吉林 in a city list is usually 吉林市).
_LEVEL_RANK = {"prefecture": 0, "county": 1, "new_area": 2, "special_area": 2, "island": 3, "province": 4}


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: str
    parent_adcode: str
    province_adcode: str
    kind: str

    @property
    def is_municipality(self) -> bool:
        return self.level == "province" and self.name.endswith("市")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    surface: str


class Gazetteer:
    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        import ahocorasick  # local: keep `import crawler.extraction` light

        self.by_code: dict[str, Division] = {}
        self.full: dict[str, list[Division]] = {}
        self.alias: dict[str, list[Division]] = {}
        for r in rows:
            d = Division(r["adcode"], r["name"], r["level"], r["parent_adcode"], r["province_adcode"],
                         r.get("kind") or "division")
            if d.level == "province" or d.adcode not in self.by_code:
                self.by_code.setdefault(d.adcode, d)
            self.full.setdefault(d.name, []).append(d)
            for a in filter(None, (r.get("aliases") or "").split("|")):
                self.alias.setdefault(a, []).append(d)
        self.automaton = ahocorasick.Automaton()
        for surface in set(self.full) | set(self.alias):
            self.automaton.add_word(surface, surface)
        self.automaton.make_automaton()

    def names(self) -> Iterator[str]:
        """Every surface form (full names and short forms), e.g. for a tokenizer's user dictionary."""
        yield from self.full
        yield from self.alias

    def province_name(self, d: Division) -> str | None:
        p = self.by_code.get(d.province_adcode)
        return p.name if p else None

    def scan(self, text: str) -> list[Hit]:
        """Leftmost-longest, non-overlapping matches of any surface form."""
        if not text:
            return []
        return [Hit(end - len(s) + 1, end + 1, s) for end, s in self.automaton.iter_long(text)]

    def resolve(self, surface: str, context_provinces: frozenset[str] = frozenset()
                ) -> tuple[Division | None, bool, bool]:
        """Return (division, is_short_form, ambiguous). Full names beat short forms; among several
        candidates, one in a province named by the document's context wins, then the rank above."""
        cands = self.full.get(surface)
        short = False
        if not cands:
            cands = self.alias.get(surface)
            short = True
        if not cands:
            return None, False, False
        uniq = list({d.adcode + d.name: d for d in cands}.values())
        if len(uniq) == 1:
            return uniq[0], short, False
        ranked = sorted(uniq, key=lambda d: (d.province_adcode not in context_provinces,
                                             _LEVEL_RANK.get(d.level, 5)))
        best = ranked[0]
        # Ambiguous only when the runner-up is just as good a fit.
        second = ranked[1]
        tie = ((best.province_adcode in context_provinces) == (second.province_adcode in context_provinces)
               and _LEVEL_RANK.get(best.level) == _LEVEL_RANK.get(second.level))
        return best, short, tie


def _read_rows() -> Iterator[dict[str, str]]:
    for name in FILES:
        with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
            yield from csv.DictReader(f)


@functools.cache
def gazetteer() -> Gazetteer:
    return Gazetteer(_read_rows())
