"""Measurement 3: extraction throughput against plain ``jieba.lcut`` on the same texts.

The measuring is :func:`bench.extract_speed.measure` (the colleague's benchmark, shared, not copied): both
sides warmed up, best-of rounds within a time budget, chars/s. Documents: the shared corpus
(``../shared/corpus``) when it is there, else the notice texts bundled with the mirror, so the row is never
empty. The ratio of record is the ``html`` set (whole pages, as the crawl pipeline extracts them).
"""

from __future__ import annotations

from pathlib import Path

from bench.common import ROOT, Result, failed
from crawler.mirror.server import DEFAULT_ROOT

TARGET = 0.5
CORPUS = ROOT.parent / "shared" / "corpus"


def measure(*, quick: bool, corpus: Path = CORPUS) -> list[Result]:
    from bench.extract_speed import corpus_files
    from bench.extract_speed import measure as extract_speed

    files = corpus_files(corpus) if corpus.is_dir() else []
    origin = str(corpus)
    if not files:
        files = sorted((DEFAULT_ROOT / "govcn" / "bodies").glob("*.txt"))
        origin = "the mirror's bundled notice texts (shared corpus absent)"
    try:
        result = extract_speed(files, seconds=0.3 if quick else 2.0, echo=False)
    except Exception as exc:
        return [failed("3", "extraction / jieba.lcut throughput", exc, f">= {TARGET}")]
    rows = {r["set"]: r for r in result["rows"]}  # type: ignore[union-attr]
    main = rows.get("html") or rows.get("text")
    if main is None:
        return [failed("3", "extraction / jieba.lcut throughput", "no documents measured", f">= {TARGET}")]
    others = ", ".join(f"{name} {r['ratio']:.2f}" for name, r in rows.items() if r is not main)
    startup = result["startup_s"]
    note = (f"set {main['set']}: {main['docs']} docs, {main['extract_cps']:,.0f} vs {main['lcut_cps']:,.0f} chars/s; "
            f"{others}; start-up: jieba {startup['jieba_initialize']:.2f} s, first extract "  # type: ignore[index]
            f"{startup['extract_first_call']:.2f} s")  # type: ignore[index]
    return [Result("3", "extraction / jieba.lcut throughput", round(main["ratio"], 3), "×", f">= {TARGET}",
                   main["ratio"] >= TARGET, note=note, details={"documents": origin, **result})]
