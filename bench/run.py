"""``make bench``: speed, cost per cycle and scale of cbecwatch, as ratios measured side by side (issue 6).

    python bench/run.py            # the full run (several minutes; longer with the daemon's 500 cycles)
    python bench/run.py --quick    # a small variant for CI (< 60 s): keeps the harness working, no verdicts
    python bench/run.py --only 1,2,5 [--profile] [--rss-cycles N]
    python bench/run.py --only 11 --scale-sources 30,100,300 --scale-backend-sources 5,15  # sources scale

Everything runs on this machine against the bundled mirror on 127.0.0.1. Prints one table (value, target,
met) and writes bench/results/bench-<timestamp>.json with the machine's description and every detail.
Targets are reported, never asserted: the exit status is non-zero only when a measurement could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)  # bench/ itself must not shadow top-level modules
sys.path.insert(0, str(ROOT))
# Children (crawls, the daemon) import this checkout too, whatever is installed.
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(":"))])

from bench.common import Result, describe_machine, failed, machine  # noqa: E402

MEASUREMENTS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")


def number_of(key: str) -> str:
    """The measurement a row belongs to: ``"10b"`` → ``"10"`` (``key[0]`` would say ``"1"``)."""
    return key.rstrip("abcdefghijklmnopqrstuvwxyz") or key


def run_all(args: argparse.Namespace) -> list[Result]:
    only = set(args.only.split(",")) if args.only else set(MEASUREMENTS)
    results: list[Result] = []

    def stage(label: str, keys: set[str], fn, *fn_args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if not keys & only:
            return
        print(f"… {label}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            rows = fn(*fn_args, **kwargs)
        except Exception as exc:  # one broken measurement must not hide the others
            rows = [failed(sorted(keys)[0], label, f"{type(exc).__name__}: {exc}")]
        for row in rows:
            row.details.setdefault("stage_seconds", round(time.perf_counter() - t0, 1))
        results.extend(r for r in rows if number_of(r.key) in only)

    from bench import crawl, daemon, dispatch, extraction, hostile, scale, search, sources_scale, startup, web

    stage("1-2 crawl throughput and unchanged cycle", {"1", "2"}, crawl.measure, quick=args.quick,
          profile=args.profile, notices=args.notices)
    stage("3 extraction throughput", {"3"}, extraction.measure, quick=args.quick)
    stage("4, 5e daemon latency and RSS", {"4", "5"}, daemon.measure, quick=args.quick, rss_cycles=args.rss_cycles)
    stage("5 scale (SQLite)", {"5"}, scale.measure, quick=args.quick, count=args.scale_notices)
    stage("6 start-up", {"6"}, startup.measure, quick=args.quick)
    stage("7 web page render", {"7"}, web.measure, quick=args.quick)
    stage("8 full-text search", {"8"}, search.measure, quick=args.quick, count=args.search_notices,
          url=args.search_database)
    stage("9 hostile pages: 100 KB / 1 MB / 5 MB", {"9"}, hostile.measure, quick=args.quick)
    stage("10 dispatch throughput, 1/2/4 dispatchers (PostgreSQL)", {"10"}, dispatch.measure, quick=args.quick,
          url=args.dispatch_database, count=args.dispatch_deliveries)
    stage("11 scale with the number of sources", {"11"}, sources_scale.measure, quick=args.quick,
          sizes=_sizes(args.scale_sources), backend_sizes=_sizes(args.scale_backend_sources),
          rss_sources=args.scale_rss_sources, rss_crawls=args.scale_rss_crawls, pg_url=args.dispatch_database)
    return sorted(results, key=lambda r: (int(number_of(r.key)), r.key))


def _sizes(text: str | None) -> tuple[int, ...] | None:
    return tuple(sorted({int(n) for n in text.split(",") if n.strip()})) if text else None


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(results: list[Result]) -> str:
    head = ("#", "measurement", "value", "target", "met")
    rows = []
    for r in results:
        met = {True: "yes", False: "NO", None: "—"}[r.met] if r.status == "ok" else r.status.upper()
        rows.append((r.key, r.name, f"{_fmt(r.value)} {r.unit}".strip() if r.status == "ok" else "—",
                     r.target or "—", met))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=False)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(head), line(["-" * w for w in widths])]
    for r, cells in zip(results, rows, strict=True):
        out.append(line(cells))
        if r.note:
            out.append(f"{'':{widths[0]}}  ↳ {r.note}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small and fast (CI): < 60 s, the same code paths")
    ap.add_argument("--only", metavar="N,N", help=f"only these measurements ({','.join(MEASUREMENTS)})")
    ap.add_argument("--profile", action="store_true", default=None,
                    help="profile one full crawl (done anyway in a full run when the crawl ratio misses)")
    ap.add_argument("--notices", type=int, help="synthetic notices on the crawl mirror (default 400; quick 30)")
    ap.add_argument("--scale-notices", type=int, help="notices in the scale database (default 100000; quick 5000)")
    ap.add_argument("--search-notices", type=int, help="notices in the search database (default 100000; quick 5000)")
    ap.add_argument("--search-database", metavar="URL",
                    help="measure search on this (empty, e.g. PostgreSQL) database instead of a new SQLite file")
    ap.add_argument("--dispatch-database", metavar="URL",
                    help="PostgreSQL for rows 10 and 11 (default CBECWATCH_TEST_PG_URL; 10 skipped and 11 on SQLite "
                         "without one)")
    ap.add_argument("--dispatch-deliveries", type=int, help="queued deliveries for row 10 (default 10000; quick 300)")
    ap.add_argument("--rss-cycles", type=int, help="daemon cycles for the RSS measurement (default 500; quick 0)")
    ap.add_argument("--scale-sources", metavar="N,N", help="row 11: source counts of the one-process crawl "
                    "(default 30,100,300; quick 3,9)")
    ap.add_argument("--scale-backend-sources", metavar="N,N", help="row 11: source counts crawled by the daemon, local "
                    "and 2 Scrapyd workers (default 5,15; not in quick unless given)")
    ap.add_argument("--scale-rss-sources", type=int, help="row 11g: sources declared for the daemon's RSS (300)")
    ap.add_argument("--scale-rss-crawls", type=int, help="row 11g: crawls the RSS is followed over (200; 0 off)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where the JSON goes")
    args = ap.parse_args(argv)

    info = machine()
    started = time.time()
    print(f"cbecwatch bench ({'quick' if args.quick else 'full'}) on {describe_machine(info)}", flush=True)
    results = run_all(args)
    info["load_avg_end"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    print()
    print(table(results))
    missed = [r for r in results if r.status == "ok" and r.met is False]
    errors = [r for r in results if r.status == "error"]
    for r in results:
        profile = r.details.get("profile")
        if profile:
            from bench.crawl_profile import render

            print("\n".join(["", f"{r.key} missed its target; where a full crawl's time goes:", *render(profile)]))
    print()
    print(f"targets missed: {', '.join(f'{r.key} ({r.name})' for r in missed) or 'none'}; "
          f"skipped: {sum(r.status == 'skip' for r in results)}; errors: {len(errors)}; "
          f"{time.time() - started:.0f} s; absolute times are for this machine only (see above); "
          f"load average at the end {info['load_avg_end']}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    report = {"kind": "quick" if args.quick else "full", "started": dt.datetime.fromtimestamp(started).isoformat(),
              "seconds": round(time.time() - started, 1), "machine": info, "argv": sys.argv[1:],
              "results": [r.to_dict() for r in results]}
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"results: {path}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
