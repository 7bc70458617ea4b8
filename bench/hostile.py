"""Measurement 7: extraction time on hostile page shapes at 100 KB, 1 MB and 5 MB (issue 12, item 6).

    python bench/hostile.py [--quick] [--shapes repeated_lists,deep_nesting]

Per SYNTHETIC shape (bench/hostile_pages.py) the time of the crawl's whole per-page path — Scrapy's
parse of the page and the spider's body text (``read_detail``'s work), then :func:`crawler.extraction.extract`
on the page — at each size, and the growth ratio ``(t(5 MB) / t(100 KB)) / 50``: about 1 means linear, 10
would mean the 5 MB page costs ten times what its size explains. Best of several rounds at the small
sizes (a 100 KB page takes milliseconds, where noise from other processes is largest). A call that runs
past ``BUDGET_S`` is stopped and shown as a timeout. No assertion: a measurement.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

from bench.common import Result  # noqa: E402
from bench.hostile_pages import SHAPES, SIZES, page  # noqa: E402

TARGET = 2.0  # growth ratio at most: linear with room for cache effects and noise
BUDGET_S = 120.0
ROUNDS = {100_000: 5, 1_000_000: 2, 5_000_000: 1}


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def page_path(html: str) -> None:
    """What the crawl does with one detail page: parse, body text, then extraction."""
    from scrapy.http import HtmlResponse, Request

    from crawler.extraction import extract
    from crawler.spiders.base import within_depth
    from crawler.spiders.mof_gss import MofGssSpider

    url = "https://gss.mof.gov.cn/gzdt/zhengcefabu/202401/t20240101_1.htm"
    response = within_depth(HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url)))
    item = MofGssSpider().read_detail(response)
    extract(html, url=url, is_html=True, title=item.title if item else None, root=response.selector.root
            if response.text == html else None)


def time_shape(shape: str, sizes: tuple[int, ...]) -> dict[int, float | None]:
    """Seconds per size (best of the rounds), None when a call ran out of the budget."""
    out: dict[int, float | None] = {}
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for size in sizes:
            html = page(shape, size).replace('<div class="TRS_Editor">', '<div class="my_doccontent">')
            best: float | None = None
            for _ in range(ROUNDS.get(size, 1)):
                signal.setitimer(signal.ITIMER_REAL, BUDGET_S)
                t0 = time.perf_counter()
                try:
                    page_path(html)
                except _Timeout:
                    best = None
                    break
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                took = time.perf_counter() - t0
                best = took if best is None else min(best, took)
            out[size] = best
            if best is None:  # a larger size would only run out too
                out.update({s: None for s in sizes if s > size})
                break
    finally:
        signal.signal(signal.SIGALRM, old)
    return out


def growth(times: dict[int, float | None]) -> float | None:
    small, large = min(times), max(times)
    if times[small] is None or times[large] is None or not times[small]:
        return None
    return (times[large] / times[small]) / (large / small)  # type: ignore[operator]


def _size(n: int) -> str:
    return f"{n // 1_000_000} MB" if n >= 1_000_000 else f"{n // 1000} KB"


def measure(*, quick: bool, shapes: list[str] | None = None) -> list[Result]:
    from crawler.extraction import warm_up

    warm_up()
    sizes = SIZES[:2] if quick else SIZES
    results = []
    for i, shape in enumerate(shapes or list(SHAPES)):
        times = time_shape(shape, sizes)
        ratio = growth(times)
        shown = ", ".join(f"{_size(s)} {t:.2f} s" if t is not None else f"{_size(s)} > {BUDGET_S:.0f} s"
                          for s, t in times.items())
        results.append(Result(f"9{chr(ord('a') + i)}", f"hostile page {shape}: growth {_size(sizes[-1])} / "
                              f"{_size(sizes[0])}", round(ratio, 2) if ratio is not None else None, "×",
                              f"<= {TARGET}", ratio is not None and ratio <= TARGET, note=shown,
                              details={"shape": shape, "seconds": {str(s): t for s, t in times.items()}}))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 KB and 1 MB only")
    ap.add_argument("--shapes", help=f"comma-separated, of: {', '.join(SHAPES)}")
    args = ap.parse_args(argv)
    sizes = SIZES[:2] if args.quick else SIZES
    print(f"{'shape':16} " + " ".join(f"{_size(s):>8}" for s in sizes) + "   growth (≈1 is linear)")
    for row in measure(quick=args.quick, shapes=args.shapes.split(",") if args.shapes else None):
        seconds = row.details["seconds"]
        cells = " ".join(f"{seconds[str(s)]:8.3f}" if seconds[str(s)] is not None else f"{'timeout':>8}"
                         for s in sizes)
        print(f"{row.details['shape']:16} {cells}   {row.value if row.value is not None else '—'}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
