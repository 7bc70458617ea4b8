"""Attachment reading: goods rows parsed per fixture and parse time per MB, against pdfplumber's plain
text extraction of the same PDFs in the same run (the floor any PDF reading pays).

    python bench/attachments.py [--rounds 3]

Fixtures: the bundled mirror's annexes (crawler/mirror/site/mof_gss/attachments/) and a full-size
SYNTHETIC list of 1,413 lines (the 2019 list's size) built by tests/attachment_fixtures.py as PDF,
.xls and .xlsx — codes made up from the real rows' headings, the layout the real annexes'. Writes
bench/results/attachments.json. No assertion: this is a measurement.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import attachment_fixtures as fixtures  # noqa: E402

from crawler.attachments.goods import goods_rows  # noqa: E402
from crawler.attachments.readers import read_attachment  # noqa: E402

MIRROR_FILES = ROOT / "crawler" / "mirror" / "site" / "mof_gss" / "attachments"
FULL_SIZE = 1413


def full_size_rows() -> list[tuple[str, str, str, str]]:
    """1,413 lines: the real rows' headings with made-up subheadings (SYNTHETIC), descriptions repeated."""
    real = fixtures.list_rows()
    rows = []
    for n in range(FULL_SIZE):
        _, code, name, notes = real[n % len(real)]
        rows.append((str(n + 1), f"{code[:4]}{n:04d}", name, notes))
    return rows


def best_of(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def plain_pdf_text(body: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(body)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rows = full_size_rows()
    files = {path.name: path.read_bytes() for path in sorted(MIRROR_FILES.iterdir())}
    files.update({"full-1413.pdf": fixtures.pdf_list(rows, rows_per_page=40), "full-1413.xls": fixtures.xls_list(rows),
                  "full-1413.xlsx": fixtures.xlsx_amendment(rows, []),
                  "full-1413.docx": fixtures.docx_list(rows)})
    results = []
    print(f"{'fixture':<32} {'bytes':>9} {'status':<10} {'rows':>5} {'s':>7} {'s/MB':>7} {'vs text-only':>12}")
    for name, body in files.items():
        seconds, reading = best_of(lambda b=body, n=name: _read(b, n), args.rounds)
        status, parsed = reading
        per_mb = seconds / (len(body) / 1e6)
        ratio = None
        if name.endswith(".pdf") and status == "parsed":
            floor, _ = best_of(lambda b=body: plain_pdf_text(b), args.rounds)
            ratio = seconds / floor
        results.append({"fixture": name, "bytes": len(body), "status": status, "rows": parsed,
                        "seconds": round(seconds, 4), "seconds_per_mb": round(per_mb, 3),
                        "ratio_to_pdf_text_only": round(ratio, 2) if ratio else None})
        shown = f"{ratio:.2f}x" if ratio else "—"
        print(f"{name:<32} {len(body):>9,} {status:<10} {parsed:>5} {seconds:>7.3f} {per_mb:>7.2f} {shown:>12}")
    out = ROOT / "bench" / "results" / "attachments.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    return 0


def _read(body: bytes, name: str) -> tuple[str, int]:
    reading = read_attachment(body, f"https://gss.mof.gov.cn/files/{name}")
    return reading.status, len(goods_rows(reading.tables))


if __name__ == "__main__":
    sys.exit(main())
