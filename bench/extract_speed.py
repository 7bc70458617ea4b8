"""Extraction throughput (chars/s) against plain jieba.lcut on the same texts, in the same run.

    python bench/extract_speed.py [--corpus DIR] [--seconds 2]

Target: ratio >= 0.5, i.e. a whole extraction costs at most about two segmentation passes. Both sides are
warmed up first (dictionary loading is a one-off start-up cost, reported separately). Writes
bench/results/extract_speed.json. No assertion: this is a measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extraction import extract  # noqa: E402
from crawler.extraction.cli import decode_document  # noqa: E402
from crawler.extraction.html_text import html_to_text  # noqa: E402


def _rate(fn: Callable[[str], object], docs: list[str], chars: int, seconds: float) -> float:
    """chars/s, best of rounds within the time budget (best-of damps noise from other processes)."""
    best = 0.0
    deadline = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        for d in docs:
            fn(d)
        dt = time.perf_counter() - t0
        best = max(best, chars / dt)
        if time.perf_counter() > deadline:
            return best


def measure(files: list[Path], seconds: float = 2.0, echo: bool = True) -> dict[str, object]:
    """Extraction against jieba.lcut over ``files`` (.txt notices and .htm(l) pages); ``bench/run.py`` uses it too."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    t0 = time.perf_counter()
    jieba.initialize()
    jieba_start = time.perf_counter() - t0
    t0 = time.perf_counter()
    extract("一、同意在中山市场设立跨境电子商务综合试验区。", is_html=False)  # loads data + private tokenizer
    extract_start = time.perf_counter() - t0

    txt = [decode_document(f.read_bytes()) for f in files if f.suffix == ".txt"]
    html = [decode_document(f.read_bytes()) for f in files if f.suffix != ".txt"]
    body = [html_to_text(h).text for h in html]
    rows = []
    if echo:
        print(f"{'set':11} {'docs':>4} {'chars':>7} {'extract c/s':>12} {'jieba.lcut c/s':>15} {'ratio':>6}")
    # text: notices as plain text. html: whole pages, the same page string given to both sides. html-body:
    # informational, the page's extraction against segmenting only its body text (HTML parsing dominates).
    cases = (("text", txt, txt, False), ("html", html, html, True), ("html-body", html, body, True))
    for name, docs, lcut_docs, is_html in cases:
        if not docs:
            continue
        chars = sum(map(len, lcut_docs))
        ex = _rate(lambda d, h=is_html: extract(d, is_html=h), docs, chars, seconds)
        jb = _rate(jieba.lcut, lcut_docs, chars, seconds)
        rows.append({"set": name, "docs": len(docs), "chars": chars, "extract_cps": ex, "lcut_cps": jb,
                     "ratio": ex / jb})
        if echo:
            print(f"{name:11} {len(docs):4} {chars:7} {ex:12,.0f} {jb:15,.0f} {ex / jb:6.2f}")
    return {"rows": rows, "startup_s": {"jieba_initialize": jieba_start, "extract_first_call": extract_start}}


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.txt")) + sorted(corpus.glob("*.htm*"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args(argv)
    files = corpus_files(args.corpus)
    if not files:
        print(f"SKIP: no corpus documents in {args.corpus}")
        return 0
    result = measure(files, args.seconds)
    rows, startup = result["rows"], result["startup_s"]
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "extract_speed.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    ratios = " ".join(f"{r['set']}={r['ratio']:.2f}" for r in rows)  # type: ignore[attr-defined]
    print(f"SUMMARY extraction/jieba.lcut throughput ratio: {ratios} (target >= 0.5); start-up: jieba "
          f"{startup['jieba_initialize']:.2f}s, first extract {startup['extract_first_call']:.2f}s")  # type: ignore
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
