"""Regenerate crawler/extraction/data/divisions.csv from jionlp's division dictionary.

Source: jionlp (https://github.com/dongrixinyu/JioNLP, Apache-2.0), file
``jionlp/dictionary/china_location.zip`` inside the published wheel. jionlp is NOT a runtime dependency: this
script reads the zip straight out of the wheel, so nothing heavy is installed.

    pip download --no-deps -d /tmp/jio jionlp          # once, into a throwaway directory
    python scripts/build_divisions.py /tmp/jio/jionlp-*.whl

Output columns: adcode, name, level (province/prefecture/county), parent_adcode, province_adcode, aliases
('|'-separated short forms), kind, source, as_of. ``supplement.csv`` (hand-kept) is not touched.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "crawler" / "extraction" / "data" / "divisions.csv"
ZIP_MEMBER = "jionlp/dictionary/china_location.zip"
COLUMNS = ["adcode", "name", "level", "parent_adcode", "province_adcode", "aliases", "kind", "source",
           "as_of"]

# Generic county names that are also ordinary words (stack.md §6): never put them in the gazetteer.
STOP_NAMES = {"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "新区", "市辖区"}


def read_location_text(wheel: Path) -> tuple[str, str, str]:
    """Return (text, source label, as-of date) from the wheel's nested zip."""
    with zipfile.ZipFile(wheel) as whl:
        inner = whl.read(ZIP_MEMBER)
        version = re.search(r"jionlp-([\d.]+)", wheel.name)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        info = z.infolist()[0]
        text = z.read(info).decode("utf-8")
        y, m, d = info.date_time[:3]
        as_of = f"{y:04d}-{m:02d}-{d:02d}"
    source = f"jionlp {version.group(1) if version else '?'} dictionary/china_location.zip (Apache-2.0)"
    return text, source, as_of


def county_alias(name: str) -> str | None:
    # Only county-level *cities* get a short form (义乌 for 义乌市): lists of pilot places write them that
    # way, while short forms of districts and counties (和平, 东区 …) are far too ambiguous.
    if name.endswith("市") and len(name) >= 3:
        return name[:-1]
    return None


def prefecture_aliases(name: str, jio_alias: str) -> list[str]:
    if name.endswith("地区"):
        return []  # domain.md §2.5: 地区 names are matched in full only
    out = [a for a in jio_alias.split("/") if a and a != name]
    if name.endswith("自治州"):
        out += [a + "州" for a in list(out) if not a.endswith("州")]
    if name.endswith("市") and len(name) >= 3 and name[:-1] not in out:
        out.append(name[:-1])
    return out


def parse(text: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    prov = pref = ""
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth > 2 or len(parts) != 3:
            continue  # townships and villages are not needed
        name, code, alias = parts
        if depth == 0:
            prov = pref = code
            rows.append(dict(adcode=code, name=name, level="province", parent_adcode="",
                             province_adcode=code, aliases=alias if alias != name else ""))
        elif depth == 1:
            # Municipalities repeat themselves as a prefecture with the province's code, and 省直辖行政区划 is
            # a bookkeeping node: neither is a place of its own, their counties hang off the province.
            if code == prov or name.startswith("省直辖"):
                pref = prov
                continue
            pref = code
            rows.append(dict(adcode=code, name=name, level="prefecture", parent_adcode=prov,
                             province_adcode=prov, aliases="|".join(prefecture_aliases(name, alias))))
        else:
            if name in STOP_NAMES:
                continue
            a = county_alias(name)
            rows.append(dict(adcode=code, name=name, level="county", parent_adcode=pref,
                             province_adcode=prov, aliases=a or ""))
    return rows


def drop_clashing_aliases(rows: list[dict[str, str]]) -> None:
    """A short form that is also another place's name or short form is ambiguous: keep only unique ones."""
    names = {r["name"] for r in rows}
    count: dict[str, int] = {}
    for r in rows:
        for a in filter(None, r["aliases"].split("|")):
            count[a] = count.get(a, 0) + 1
    for r in rows:
        keep = [a for a in filter(None, r["aliases"].split("|"))
                if len(a) >= 2 and a not in STOP_NAMES and (count[a] == 1 or r["level"] == "province")
                and (a not in names or r["level"] == "province")]
        r["aliases"] = "|".join(keep)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="a downloaded jionlp-*.whl")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    text, source, as_of = read_location_text(args.wheel)
    rows = parse(text)
    drop_clashing_aliases(rows)
    rows.sort(key=lambda r: (r["adcode"], r["name"]))
    with args.out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "kind": "division", "source": source, "as_of": as_of})
    levels = {lv: sum(r["level"] == lv for r in rows) for lv in ("province", "prefecture", "county")}
    print(f"wrote {len(rows)} rows {levels} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
