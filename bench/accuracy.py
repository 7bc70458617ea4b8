"""Accuracy of the extractor on the reference corpus and on cbecwatch's own corpus (dev and held-out, reported apart).

    python bench/accuracy.py [--dev-only] [--corpus DIR]

Corpora (each: documents + answers.json):
  reference  <repo>/../shared/corpus (skipped with a message when absent): one row per document and ONE SUMMARY line,
             as before;
  dev        bench/corpus entries with split "dev": tune on these;
  HELDOUT    bench/corpus entries with split "heldout": rows are labelled [HELDOUT]; do not tune on them
             (--dev-only leaves them out).
Each corpus then gets a table per document class and per field (city P/R/F1, doc_number, each date, kind, customs
codes, customs districts, figures; the number of scored documents in brackets) and the count of designated cities
returned on negatives (documents that designate none). Conventions: bench/accuracy_score.py, bench/corpus/README.md.
Writes bench/results/accuracy.json ("summary" and "documents" are the reference corpus, as before).
--corpus DIR scores that one directory the reference way (rows + SUMMARY) and nothing else.
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

from bench.accuracy_score import DATE_FIELDS, by_class, pct, score_one, summarise, table  # noqa: E402
from crawler.extraction.cli import run  # noqa: E402

COLUMNS = ("doc_number", *DATE_FIELDS, "kind", "customs_codes", "customs_districts", "figures")
REFERENCE = ROOT.parent / "shared" / "corpus"
OWN = ROOT / "bench" / "corpus"


def score_corpus(corpus: Path, entries: list[dict[str, Any]], label: str = "") -> tuple[list, list]:
    """Run the extractor on each entry, print one row each; return (rows, results)."""
    rows, results = [], []
    print(f"{label}{'file':40} {'city tp/got/want':>16} {'docno':>5} {'issue':>5} {'pub':>5} {'eff':>5} "
          f"{'kind':>5} {'codes':>5} {'distr':>5} {'figs':>5} {'ms':>6}")
    for e in entries:
        t0 = time.perf_counter()
        got = run(str(corpus / e["file"]), e.get("url"))
        ms = 1000 * (time.perf_counter() - t0)
        row = score_one(got, e["expect"], e.get("note", ""), own="split" in e)
        row.update(file=e["file"], ms=round(ms, 1))
        rows.append(row)
        results.append({"file": e["file"], "class": e.get("class"), "split": e.get("split"), "score": row,
                        "got": got})
        cells = [("ok" if row[k] else "FAIL") if k in row else "-" for k in COLUMNS]
        pr = (f"{row['city_tp']}/{row['city_tp'] + row['city_fp']}/{row['city_tp'] + row['city_fn']}"
              if "city_tp" in row else "-")
        neg = f"  NEG+{','.join(row['negative_fp'])}" if row.get("negative_fp") else ""
        print(f"{label}{e['file']:40} {pr:>16} " + " ".join(f"{c:>5}" for c in cells) + f" {ms:6.0f}{neg}")
    return rows, results


def summary_line(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The reference corpus's historical summary: all, txt, html, and its ONE line."""
    summary = {"all": summarise(rows)}
    for fmt in ("txt", "html"):
        sub = [r for r in rows if r["file"].endswith("." + fmt)]
        if sub:
            summary[fmt] = summarise(sub)
    s = summary["all"]
    line = (f"SUMMARY docs={len(rows)} city_P={pct(s['city_precision'])} city_R={pct(s['city_recall'])} "
            f"city_F1={pct(s['city_f1'])} doc_number={pct(s['doc_number'])} dates={pct(s['dates'])} "
            f"kind={pct(s['kind'])} codes={pct(s['customs_codes'])} figures={pct(s['figures'])} | "
            + " ".join(f"{fmt}: F1={pct(summary[fmt]['city_f1'])} dates={pct(summary[fmt]['dates'])}"
                       for fmt in ("txt", "html") if fmt in summary))
    return summary, line.replace("  ", " ")


def load(corpus: Path) -> list[dict[str, Any]] | None:
    answers = corpus / "answers.json"
    if not answers.is_file():
        return None
    return json.loads(answers.read_text(encoding="utf-8"))


def reference(corpus: Path, out: dict[str, Any]) -> None:
    entries = load(corpus)
    if entries is None:
        print(f"SKIP: no corpus at {corpus} (expected answers.json there)")
        return
    print(f"== reference corpus: {corpus}")
    rows, results = score_corpus(corpus, entries)
    summary, line = summary_line(rows)
    print("\n".join(table(by_class(entries, rows))))
    out.update(summary=summary, documents=results)
    print(line)


def own(split: str, out: dict[str, Any]) -> None:
    entries = [e for e in load(OWN) or [] if e.get("split") == split]
    if not entries:
        print(f"SKIP: no {split} documents in {OWN}")
        return
    label = "[HELDOUT] " if split == "heldout" else ""
    print(f"\n== {'HELD-OUT split (report only; do not tune on these rows)' if label else 'dev split'}: "
          f"{OWN} ({len(entries)} documents)")
    rows, results = score_corpus(OWN, entries, label)
    classes = by_class(entries, rows)
    print("\n".join(table(classes, label)))
    s = classes["ALL"]
    print(f"{label}{split.upper()} docs={s['docs']} city_F1={pct(s['city_f1'])} doc_number={pct(s['doc_number'])} "
          f"dates={pct(s['dates'])} kind={pct(s['kind'])} negatives: {s['negative_cities_returned']} designated "
          f"cities returned on {s['negatives_with_cities']} of {s['negatives']}".replace("  ", " "))
    out[split] = {"summary": classes, "documents": results}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="score only this directory, the reference way")
    ap.add_argument("--dev-only", action="store_true", help="score only bench/corpus dev (no reference, no held-out)")
    args = ap.parse_args(argv)
    out: dict[str, Any] = {}
    if args.corpus is not None:
        reference(args.corpus, out)
    elif args.dev_only:
        own("dev", out)
    else:
        reference(REFERENCE, out)
        own("dev", out)
        own("heldout", out)
    res = ROOT / "bench" / "results"
    res.mkdir(parents=True, exist_ok=True)
    name = "accuracy.json" if not args.dev_only else "accuracy-dev.json"
    (res / name).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
