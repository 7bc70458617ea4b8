"""Scoring for bench/accuracy.py: one document against its answers, and summaries per field and per class.

Two answer conventions are read here:

- the reference corpus (../shared/corpus): ``null`` is not scored, except that ``effective_date`` null on a notice
  whose note does not say "not scored" is scored (an extractor must not invent one);
- cbecwatch's own corpus (bench/corpus, entries with a ``split``): ``null`` is never scored, and ``""`` for
  ``doc_number`` or a date means the text carries none, so the extractor must return none. ``cities: null`` is not
  scored; ``customs_districts`` is scored when present and not null. See bench/corpus/README.md.
"""

from __future__ import annotations

from typing import Any

DATE_FIELDS = ("issue_date", "publish_date", "effective_date")
FIELDS = ("doc_number", *DATE_FIELDS, "kind", "customs_codes", "customs_districts", "figures")
CLASSES = ("reply", "plan_citing", "press_report", "customs", "tax", "positive_list", "other")
# The reference corpus has no class: derive it from the expected kind.
_CLASS_OF_KIND = {"pilot_zone_batch": "reply", "customs_announcement": "customs", "tax_policy": "tax",
                  "positive_list": "positive_list", "retail_import_pilot": "other"}


def _city(name: str) -> str:
    return name[:-1] if name.endswith("市") and len(name) > 2 else name


def _district(name: str) -> str:
    return name[:-2] if name.endswith("海关") and len(name) > 2 else name


def doc_class(entry: dict[str, Any]) -> str:
    return entry.get("class") or _CLASS_OF_KIND.get(entry["expect"].get("kind") or "", "other")


def _scalar(got: Any, want: Any) -> bool:
    """``""`` wants nothing (None or empty); any other value wants equality."""
    return not got if want == "" else got == want


def score_one(got: dict[str, Any], exp: dict[str, Any], note: str, own: bool = False) -> dict[str, Any]:
    """Per-field booleans plus city counts; a field that is not scored is absent from the row."""
    row: dict[str, Any] = {}
    if exp.get("cities") is not None or not own:
        want = {_city(c) for c in exp.get("cities") or []}
        have = {_city(c["name"]) for c in got["cities"]}
        row["city_tp"], row["city_fp"], row["city_fn"] = len(want & have), len(have - want), len(want - have)
        if exp.get("cities") == []:
            row["negative"] = True
            row["negative_fp"] = sorted(have)
    if exp.get("doc_number") is not None:
        row["doc_number"] = _scalar(got["doc_number"], exp["doc_number"])
    for f in DATE_FIELDS:
        if exp.get(f) is not None:
            row[f] = _scalar(got[f], exp[f])
        elif not own and f == "effective_date" and "not scored" not in note:
            row[f] = got[f] is None
    if exp.get("kind") is not None:
        row["kind"] = got["kind"] == exp["kind"]
    if exp.get("customs_codes") is not None:
        row["customs_codes"] = sorted(got["customs_codes"]) == sorted(exp["customs_codes"])
    if exp.get("customs_districts") is not None:
        row["customs_districts"] = ({_district(d) for d in got.get("customs_districts") or []}
                                    == {_district(d) for d in exp["customs_districts"]})
    if exp.get("figures") is not None:
        figs = {f["name"]: f["value"] for f in got["figures"]}
        row["figures"] = all(figs.get(k) == v for k, v in exp["figures"].items())
    return row


def _ratio(rows: list[dict[str, Any]], key: str) -> tuple[int, int]:
    vals = [r[key] for r in rows if key in r]
    return sum(map(bool, vals)), len(vals)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    city_rows = [r for r in rows if "city_tp" in r]
    tp = sum(r["city_tp"] for r in city_rows)
    fp = sum(r["city_fp"] for r in city_rows)
    fn = sum(r["city_fn"] for r in city_rows)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    out: dict[str, Any] = {"docs": len(rows), "city_precision": p, "city_recall": r, "city_f1": f1,
                           "city_tp": tp, "city_fp": fp, "city_fn": fn}
    d_ok = d_n = 0
    for key in FIELDS:
        ok, n = _ratio(rows, key)
        out[key] = ok / n if n else None
        out[key + "_n"] = n
        if key in DATE_FIELDS:
            d_ok, d_n = d_ok + ok, d_n + n
    out["dates"] = d_ok / d_n if d_n else None
    negatives = [r for r in rows if r.get("negative")]
    out["negatives"] = len(negatives)
    out["negative_cities_returned"] = sum(len(r["negative_fp"]) for r in negatives)
    out["negatives_with_cities"] = sum(1 for r in negatives if r["negative_fp"])
    return out


def pct(v: float | None) -> str:
    return "  n/a" if v is None else f"{100 * v:5.1f}%"


SHORT = {"doc_number": "docno", "issue_date": "issue", "publish_date": "pub", "effective_date": "eff",
         "kind": "kind", "customs_codes": "codes", "customs_districts": "distr", "figures": "figs"}


def table(summaries: dict[str, dict[str, Any]], label: str = "") -> list[str]:
    """One line per group: docs, city P/R/F1, each field (n scored in brackets), negatives."""
    head = (f"{label}{'group':14} {'docs':>4} {'city P':>6} {'city R':>6} {'F1':>6} "
            + " ".join(f"{SHORT[f]:>11}" for f in FIELDS) + "  neg: cities returned/docs")
    lines = [head]
    for name, s in summaries.items():
        cells = " ".join(f"{pct(s[f])}({s[f + '_n']:>3})" for f in FIELDS)
        lines.append(f"{label}{name:14} {s['docs']:>4} {pct(s['city_precision'])} {pct(s['city_recall'])} "
                     f"{pct(s['city_f1'])} {cells}  {s['negative_cities_returned']}/{s['negatives']}")
    return lines


def by_class(entries: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {"ALL": summarise(rows)}
    for cls in CLASSES:
        sub = [r for e, r in zip(entries, rows, strict=True) if doc_class(e) == cls]
        if sub:
            out[cls] = summarise(sub)
    return out
