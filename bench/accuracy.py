"""Accuracy of the extractor on the shared corpus (<repo>/../shared/corpus: documents + answers.json).

    python bench/accuracy.py [--corpus DIR]

Prints one row per document and ONE summary line; writes bench/results/accuracy.json. Cities are compared
after removing a trailing 市 (corpus README). Values that answers.json sets to null are not scored, except
that effective_date null on a notice that states none is scored (an extractor must not invent one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extraction.cli import run  # noqa: E402

DATE_FIELDS = ("issue_date", "publish_date", "effective_date")
COLUMNS = ("doc_number", *DATE_FIELDS, "kind", "customs_codes", "figures")


def _city(name: str) -> str:
    return name[:-1] if name.endswith("市") and len(name) > 2 else name


def score_one(got: dict[str, Any], exp: dict[str, Any], note: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    want = [_city(c) for c in exp.get("cities") or []]
    have = [_city(c["name"]) for c in got["cities"]]
    tp = len(set(want) & set(have))
    row["city_tp"] = tp
    row["city_fp"], row["city_fn"] = len(set(have) - set(want)), len(set(want) - set(have))
    row["doc_number"] = got["doc_number"] == exp.get("doc_number")
    for f in DATE_FIELDS:
        if exp.get(f) is not None or (f == "effective_date" and "not scored" not in note):
            row[f] = got[f] == exp.get(f)
    row["kind"] = got["kind"] == exp.get("kind")
    if exp.get("customs_codes") is not None:
        row["customs_codes"] = sorted(got["customs_codes"]) == sorted(exp["customs_codes"])
    if exp.get("figures") is not None:
        figs = {f["name"]: f["value"] for f in got["figures"]}
        row["figures"] = all(figs.get(k) == v for k, v in exp["figures"].items())
    return row


def _ratio(rows: list[dict[str, Any]], key: str) -> tuple[int, int]:
    vals = [r[key] for r in rows if key in r]
    return sum(map(bool, vals)), len(vals)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    tp = sum(r["city_tp"] for r in rows)
    fp = sum(r["city_fp"] for r in rows)
    fn = sum(r["city_fn"] for r in rows)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    out: dict[str, Any] = {"city_precision": p, "city_recall": r, "city_f1": f1}
    d_ok = d_n = 0
    for key in ("doc_number", "kind", "customs_codes", "figures", *DATE_FIELDS):
        ok, n = _ratio(rows, key)
        out[key] = ok / n if n else None
        if key in DATE_FIELDS:
            d_ok, d_n = d_ok + ok, d_n + n
    out["dates"] = d_ok / d_n if d_n else None
    return out


def _pct(v: float | None) -> str:
    return "  n/a" if v is None else f"{100 * v:5.1f}%"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = ap.parse_args(argv)
    answers = args.corpus / "answers.json"
    if not answers.is_file():
        print(f"SKIP: no corpus at {args.corpus} (expected answers.json there)")
        return 0
    entries = json.loads(answers.read_text(encoding="utf-8"))
    rows, results = [], []
    print(f"{'file':36} {'fmt':4} {'city P/R':>9} {'docno':>5} {'issue':>5} {'pub':>5} {'eff':>5} "
          f"{'kind':>5} {'codes':>5} {'figs':>5} {'ms':>6}")
    for e in entries:
        t0 = time.perf_counter()
        got = run(str(args.corpus / e["file"]), e.get("url"))
        ms = 1000 * (time.perf_counter() - t0)
        row = score_one(got, e["expect"], e.get("note", ""))
        row.update(file=e["file"], ms=round(ms, 1))
        rows.append(row)
        results.append({"file": e["file"], "score": row, "got": got})
        cells = [("ok" if row[k] else "FAIL") if k in row else "-" for k in COLUMNS]
        pr = f"{row['city_tp']}/{row['city_tp'] + row['city_fp']}/{row['city_tp'] + row['city_fn']}"
        print(f"{e['file']:36} {e['file'].rsplit('.', 1)[1]:4} {pr:>9} " + " ".join(f"{c:>5}" for c in cells)
              + f" {ms:6.0f}")
    summary = {"all": summarise(rows)}
    for fmt in ("txt", "html"):
        sub = [r for r in rows if r["file"].endswith("." + fmt)]
        if sub:
            summary[fmt] = summarise(sub)
    s = summary["all"]
    line = (f"SUMMARY docs={len(rows)} city_P={_pct(s['city_precision'])} city_R={_pct(s['city_recall'])} "
            f"city_F1={_pct(s['city_f1'])} doc_number={_pct(s['doc_number'])} dates={_pct(s['dates'])} "
            f"kind={_pct(s['kind'])} codes={_pct(s['customs_codes'])} figures={_pct(s['figures'])} | "
            + " ".join(f"{fmt}: F1={_pct(summary[fmt]['city_f1'])} dates={_pct(summary[fmt]['dates'])}"
                       for fmt in ("txt", "html") if fmt in summary))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "accuracy.json").write_text(json.dumps({"summary": summary, "documents": results},
                                                  ensure_ascii=False, indent=1), encoding="utf-8")
    print(line.replace("  ", " "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
