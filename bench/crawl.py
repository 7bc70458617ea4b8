"""Measurements 1 and 2: crawl throughput against bare Scrapy, and the cost of an unchanged cycle.

1. ``cbecwatch crawl --mirror`` (spiders + extraction + storage) over a synthetic mirror of a few hundred
   notices, against :mod:`bench.bare_crawl` fetching exactly the URLs the full crawl fetched (taken from the
   mirror's log) with the same settings and no pipeline. Each side is a subprocess (a fresh reactor), the
   sides alternate, best of N rounds each. Pages/s is counted by the mirror itself: requests served between
   the first request read and the last answer written, so both sides are timed by the same observer and
   process start-up (imports, database migration) is left to measurement 6. Scrapy's own
   ``elapsed_time_seconds`` and the process wall times are kept in the details, and so is the full
   crawl's *completion* rate: its pages over the time from its first request to the moment its last
   source closed (``source_runs.finished_at``, written once every notice of that source is committed),
   since the extraction and storage workers may still be draining their queue after the last download.
2. A second ``cbecwatch crawl`` on the same database with nothing new on the mirror: its requests and bytes
   (mirror log) and its list/detail split (the crawler's own ``source_runs`` row) against the first crawl's.
   What "list endpoints only" costs is measured, not assumed: a source may declare several lists, and a JPaaS
   list is a column page plus its unit API. A third crawl, into a fresh database with
   ``CBECWATCH_MAX_LIST_PAGES=1``, reads page 1 of every list and nothing deeper; the unchanged cycle may ask
   each source for no more list pages than that crawl did.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, Result, bench_env, cbecwatch_cmd, failed, run_timed, tail
from bench.mirror import BenchMirror, Traffic, synthetic_mirror

TARGET_RATIO = 0.8
TARGET_BYTES_SAVED = 0.90
ELAPSED = re.compile(r"'elapsed_time_seconds':\s*([0-9.]+)")


@dataclass
class CrawlRun:
    traffic: Traffic
    urls: list[str]
    wall: float
    scrapy_elapsed: float | None
    sources: list[dict[str, Any]]
    returncode: int
    output: str
    completed: float | None = None  # first request → last source closed (all stored), seconds

    @property
    def completion_pages_per_s(self) -> float | None:
        return self.traffic.requests / self.completed if self.completed else None

    @property
    def pages_per_s(self) -> float:
        return self.traffic.requests / self.traffic.window if self.traffic.window else 0.0


def _source_runs(home: Path) -> tuple[list[dict[str, Any]], int | None]:
    """The crawler's own accounting of its latest run (one row per source)."""
    db = home / "cbecwatch.sqlite3"
    if not db.exists():
        return [], None
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        run_id = conn.execute("SELECT max(id) FROM crawl_runs").fetchone()[0]
        rows = conn.execute("SELECT source, status, requests, list_requests, detail_requests, bytes, items, "
                            "new_notices, revised_notices, unchanged_notices, finished_at FROM source_runs "
                            "WHERE crawl_run_id = ?", (run_id,)).fetchall()
    return [dict(r) for r in rows], run_id


def full_crawl(mirror: BenchMirror, home: Path, **env: str) -> CrawlRun:
    mirror.take_served()
    done = run_timed(cbecwatch_cmd("crawl", "--mirror", mirror.url), bench_env(home, **env), timeout=900)
    served = mirror.take_served()
    sources, run_id = _source_runs(home)
    log = home / "logs" / f"crawl-{run_id}.log"
    match = ELAPSED.search(log.read_text("utf-8", errors="replace")) if log.exists() else None
    urls = [s.url for s in served if s.path != "/robots.txt"]
    closed = [s.pop("finished_at", None) for s in sources]
    completed = None
    if served and closed and all(closed):  # naive UTC in the database; the mirror's clock is perf_counter
        last = max(dt.datetime.fromisoformat(c).replace(tzinfo=dt.UTC).timestamp() for c in closed)
        completed = last - mirror.epoch_offset - min(s.start for s in served)
    return CrawlRun(Traffic.of(served), urls, done.seconds, float(match.group(1)) if match else None, sources,
                    done.returncode, tail(done.stdout + done.stderr), completed)


def bare_crawl(mirror: BenchMirror, urls: list[str], workdir: Path) -> CrawlRun:
    urls_file = workdir / "urls.txt"
    urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    mirror.take_served()
    done = run_timed([sys.executable, str(ROOT / "bench" / "bare_crawl.py"), str(urls_file), mirror.url],
                     bench_env(workdir / "bare-home"), timeout=900)
    served = mirror.take_served()
    if done.returncode != 0:
        raise RuntimeError(f"bare Scrapy crawl failed ({done.returncode}): {tail(done.stderr)}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return CrawlRun(Traffic.of(served), urls, done.seconds, report.get("elapsed_s"), [], 0, "")


def _check(run: CrawlRun, what: str) -> None:
    if run.returncode != 0 or not run.sources or any(s["status"] not in ("ok", "partial") for s in run.sources):
        raise RuntimeError(f"{what} failed (exit {run.returncode}): {run.output}; sources {run.sources}")


def measure(*, quick: bool, workdir: Path | None = None, notices: int | None = None, rounds: int | None = None,
            profile: bool | None = None) -> list[Result]:
    notices = notices or (30 if quick else 400)
    rounds = rounds or (1 if quick else 3)
    with tempfile.TemporaryDirectory(prefix="cbec-bench-crawl-", dir=workdir) as tmp:
        work = Path(tmp)
        root = synthetic_mirror(work / "mirror", notices)
        try:
            with BenchMirror(root) as mirror:
                return _measure(mirror, work, notices, rounds, quick, profile)
        except Exception as exc:
            return [failed("1", "crawl throughput: full / bare Scrapy", exc, f">= {TARGET_RATIO}"),
                    failed("2", "unchanged cycle", exc)]


def _measure(mirror: BenchMirror, work: Path, notices: int, rounds: int, quick: bool,
             profile: bool | None) -> list[Result]:
    fulls: list[CrawlRun] = []
    bares: list[CrawlRun] = []
    first = full_crawl(mirror, work / "home-0")
    _check(first, "the full crawl")
    fulls.append(first)
    second = full_crawl(mirror, work / "home-0")  # the same database, nothing new on the mirror
    _check(second, "the unchanged second crawl")
    urls = first.urls
    bares.append(bare_crawl(mirror, urls, work))
    for i in range(1, rounds):  # alternate which side goes first, so drift in machine load hits both
        if i % 2:
            bares.append(bare_crawl(mirror, urls, work))
            fulls.append(full_crawl(mirror, work / f"home-{i}"))
        else:
            fulls.append(full_crawl(mirror, work / f"home-{i}"))
            bares.append(bare_crawl(mirror, urls, work))
        _check(fulls[-1], "the full crawl")
    results = [throughput(fulls, bares, notices)]
    if profile or (profile is None and not quick and results[0].met is False):
        from bench.crawl_profile import profile_crawl

        results[0].details["profile"] = profile_crawl(mirror, work / "home-profile")
        results[0].note += "; profiled: see details.profile"
    first_pages = full_crawl(mirror, work / "home-first-pages", CBECWATCH_MAX_LIST_PAGES="1")
    _check(first_pages, "the page-1-only crawl")
    results.extend(unchanged_cycle(first, second, first_pages))
    return results


def throughput(fulls: list[CrawlRun], bares: list[CrawlRun], notices: int) -> Result:
    full = max(fulls, key=lambda r: r.pages_per_s)
    bare = max(bares, key=lambda r: r.pages_per_s)
    ratio = full.pages_per_s / bare.pages_per_s if bare.pages_per_s else 0.0
    pages = full.traffic.requests
    mismatch = [r.traffic.requests for r in bares if r.traffic.requests != pages]
    best_elapsed = min((r.scrapy_elapsed for r in fulls if r.scrapy_elapsed), default=None)
    completion = max((r.completion_pages_per_s or 0 for r in fulls), default=0)
    bare_elapsed = min((r.scrapy_elapsed for r in bares if r.scrapy_elapsed), default=None)
    details = {
        "synthetic_notices_on_mirror": notices, "pages": pages, "rounds": len(fulls),
        "full_pages_per_s": [round(r.pages_per_s, 2) for r in fulls],
        # every page stored, not only downloaded: first request → last source closed
        "full_completion_pages_per_s": [round(r.completion_pages_per_s or 0, 2) for r in fulls],
        "ratio_by_completion": round(completion / bare.pages_per_s, 3) if completion and bare.pages_per_s else None,
        "bare_pages_per_s": [round(r.pages_per_s, 2) for r in bares],
        "full_traffic": full.traffic.to_dict(), "bare_traffic": bare.traffic.to_dict(),
        "full_scrapy_elapsed_s": best_elapsed, "bare_scrapy_elapsed_s": bare_elapsed,
        "ratio_by_scrapy_elapsed": round(bare_elapsed / best_elapsed, 3) if best_elapsed and bare_elapsed else None,
        "full_process_wall_s": [round(r.wall, 2) for r in fulls],
        "bare_process_wall_s": [round(r.wall, 2) for r in bares],
        "ratio_by_process_wall": round(min(r.wall for r in bares) / min(r.wall for r in fulls), 3),
        "mirror_server_share_of_bare_window": round(bare.traffic.service / bare.traffic.window, 3)
        if bare.traffic.window else None,
        "per_source": full.sources,
    }
    note = (f"full {full.pages_per_s:.1f} pages/s vs bare {bare.pages_per_s:.1f} pages/s over {pages} pages "
            f"(best of {len(fulls)}; until every page was stored {details['ratio_by_completion']}, by Scrapy "
            f"elapsed {details['ratio_by_scrapy_elapsed']}, by process wall {details['ratio_by_process_wall']})")
    if mismatch:
        note += f"; bare fetched {mismatch} pages, not {pages}"
    return Result("1", "crawl throughput: full / bare Scrapy", round(ratio, 3), "×", f">= {TARGET_RATIO}",
                  ratio >= TARGET_RATIO, note=note, details=details)


def _split(run: CrawlRun) -> dict[str, int]:
    keys = ("requests", "list_requests", "detail_requests", "bytes")
    return {k: sum(int(s.get(k) or 0) for s in run.sources) for k in keys}


def unchanged_cycle(first: CrawlRun, second: CrawlRun, first_pages: CrawlRun) -> list[Result]:
    one, two = _split(first), _split(second)
    entry = {s["source"]: int(s["list_requests"] or 0) for s in first_pages.sources}
    deeper = {s["source"]: int(s["list_requests"] or 0) - entry.get(s["source"], 0) for s in second.sources}
    deeper = {name: extra for name, extra in deeper.items() if extra > 0}
    other2 = second.traffic.requests - second.traffic.robots - two["list_requests"] - two["detail_requests"]
    saved = 1 - second.traffic.bytes / first.traffic.bytes if first.traffic.bytes else 0.0
    details = {
        "first": {**first.traffic.to_dict(), **{f"crawler_{k}": v for k, v in one.items()}},
        "second": {**second.traffic.to_dict(), **{f"crawler_{k}": v for k, v in two.items()}},
        "second_per_source": [{k: s[k] for k in ("source", "requests", "list_requests", "detail_requests", "bytes",
                                                  "items", "unchanged_notices")} for s in second.sources],
    }
    details["page_one_list_requests"] = entry
    per_source = ", ".join(f"{s['source']} {s['list_requests']}/{entry.get(s['source'], 0)} list + "
                           f"{s['detail_requests']} detail" for s in second.sources)
    list_only = two["detail_requests"] == 0 and other2 <= 0 and not deeper
    past = f"; past page 1: {deeper}" if deeper else ""
    return [
        Result("2a", "unchanged cycle: requests, 2nd / 1st crawl", f"{second.traffic.requests} / "
               f"{first.traffic.requests}", "req", "page 1 of each list only", list_only,
               note=f"{per_source} (list requests: unchanged cycle / a page-1-only crawl){past}; robots.txt "
                    f"{second.traffic.robots} (mirror log; split from source_runs)",
               details=details),
        Result("2b", "unchanged cycle: detail fetches", two["detail_requests"], "req", "0",
               two["detail_requests"] == 0, note=f"first crawl: {one['detail_requests']}"),
        Result("2c", "unchanged cycle: bytes saved vs 1st crawl", round(100 * saved, 1), "%",
               f">= {TARGET_BYTES_SAVED:.0%}", saved >= TARGET_BYTES_SAVED,
               note=f"{second.traffic.bytes:,} vs {first.traffic.bytes:,} body bytes served"),
    ]
