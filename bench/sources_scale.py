"""Measurement 11: how the cost of a crawl cycle grows with the number of sources.

N synthetic declared sources (:mod:`bench.sources_mirror`: a host, a list page and a few notices each,
served on 127.0.0.1 through the mirror's host-prefix paths) are crawled twice on one database: a first
crawl (everything new) and an unchanged cycle (nothing new: one conditional list request per source).
Each cycle reports requests (the mirror's log), CPU seconds (the crawling processes, children included)
and wall time, and each figure per source, so linear growth shows as a flat per-source figure:

* 11a/11b — one ``cbecwatch crawl`` process with every source in one reactor, at N = 30, 100, 300;
* 11c–11f — the daemon, a crawl per source as it runs them, with the local backend (a child process
  each) and with two real Scrapyd workers (:mod:`bench.sources_daemon`), at smaller N (every crawl
  is a process start-up of its own there, ~2 CPU s each on this kind of machine);
* 11g — the daemon's RSS with 300 sources declared over its first 200 crawls.

Growth is the cost of one more source between the two largest N over that between the two smallest, all
measured in this run (with two sizes, the per-source figures): 1.0 is linear, above 1 superlinear. Nothing
is asserted about speed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import Result, bench_env, cbecwatch_cmd, failed, run_timed, tail
from bench.mirror import BenchMirror, Traffic
from bench.sources_mirror import ScaleSources, make_sources

FULL_SIZES = (30, 100, 300)
QUICK_SIZES = (3, 9)


@dataclass
class Cycle:
    """One crawl cycle of N sources: what the mirror served and what the crawling cost."""

    sources: int
    requests: int
    robots: int
    bytes: int
    cpu_s: float
    wall_s: float
    ok_sources: int
    extra: dict[str, Any]

    def per_source(self, figure: str) -> float:
        return float(getattr(self, figure)) / self.sources

    def describe(self) -> str:
        n = self.sources
        return (f"{self.requests:,} req ({self.requests / n:.2f}/src, robots {self.robots}), CPU {self.cpu_s:.1f} s "
                f"({self.cpu_s / n:.3f}/src), wall {self.wall_s:.1f} s ({self.wall_s / n:.3f}/src), "
                f"{self.ok_sources}/{n} sources ok")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def children_cpu() -> float:
    """CPU seconds of every child this process has waited for (a crawl's own children included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def database(base_url: str | None, home: Path) -> Iterator[str]:
    """A database of its own for one N: a fresh schema of the PostgreSQL given (the Scrapyd workers share it),
    dropped afterwards, else a SQLite file in ``home``."""
    if not base_url:
        home.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{home / 'cbecwatch.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_sources_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def source_verdicts(url: str) -> dict[str, str]:
    """Each source's status in the crawler's own bookkeeping (its latest source run)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT source, status FROM source_runs ORDER BY id")).all()
    finally:
        engine.dispose()
    return {source: status for source, status in rows}


def scale_env(home: Path, url: str, sources: ScaleSources, **extra: str) -> dict[str, str]:
    return bench_env(home, CBECWATCH_DATABASE_URL=url, CBECWATCH_SOURCES_FILE=str(sources.sources_file), **extra)


def one_process_cycle(mirror: BenchMirror, sources: ScaleSources, home: Path, url: str) -> Cycle:
    """``cbecwatch crawl --source …`` of every source at once: one process, one reactor."""
    mirror.take_served()
    cmd = cbecwatch_cmd("crawl", "--mirror", mirror.url, *[a for name in sources.names for a in ("--source", name)])
    cpu0 = children_cpu()
    done = run_timed(cmd, scale_env(home, url, sources), timeout=1800)
    cpu = children_cpu() - cpu0
    traffic = Traffic.of(mirror.take_served())
    verdicts = source_verdicts(url)
    ok = sum(status in ("ok", "partial") for status in verdicts.values())
    if done.returncode != 0 or ok < sources.count:
        raise RuntimeError(f"crawl of {sources.count} sources: exit {done.returncode}, {ok} ok: "
                           f"{tail(done.stdout + done.stderr)}")
    return Cycle(sources.count, traffic.requests, traffic.robots, traffic.bytes, round(cpu, 2), round(done.seconds, 2),
                 ok, {"mirror_window_s": round(traffic.window, 2)})


def marginals(cycles: dict[int, Cycle], figure: str) -> list[float]:
    """The figure per added source between consecutive N: flat for linear growth, rising for superlinear
    (a per-source average hides that behind the fixed start-up cost)."""
    sizes = sorted(cycles)
    return [(getattr(cycles[b], figure) - getattr(cycles[a], figure)) / (b - a) for a, b in itertools.pairwise(sizes)]


def growth(cycles: dict[int, Cycle]) -> dict[str, float | None]:
    """Per figure: the cost of one more source between the two largest N over that between the two smallest
    (1.0: linear; needs three sizes), or with two sizes the per-source figure at the larger N over the smaller."""
    small, large = cycles[min(cycles)], cycles[max(cycles)]
    out: dict[str, float | None] = {}
    for figure in ("requests", "cpu_s", "wall_s"):
        steps = marginals(cycles, figure)
        if len(steps) >= 2:
            out[figure] = round(steps[-1] / steps[0], 2) if steps[0] > 0 else None
        else:
            base = small.per_source(figure)
            out[figure] = round(large.per_source(figure) / base, 2) if base else None
    return out


def growth_note(cycles: dict[int, Cycle]) -> str:
    sizes = sorted(cycles)
    parts = []
    for figure, label in (("requests", "req"), ("cpu_s", "CPU s"), ("wall_s", "wall s")):
        per = "/".join(f"{cycles[n].per_source(figure):.3g}" for n in sizes)
        steps = "/".join(f"{m:.3g}" for m in marginals(cycles, figure))
        parts.append(f"{label} per source {per}, per added source {steps}")
    ratios = growth(cycles)
    how = "added-source cost, last step / first step" if len(sizes) >= 3 else "per-source, largest / smallest N"
    return (f"N={'/'.join(map(str, sizes))}: {'; '.join(parts)}; growth ({how}): req ×{ratios['requests']}, "
            f"CPU ×{ratios['cpu_s']}, wall ×{ratios['wall_s']} (1 = linear, > 1 superlinear)")


def cycle_rows(key_first: str, key_second: str, label: str, firsts: dict[int, Cycle], seconds: dict[int, Cycle]
               ) -> list[Result]:
    rows = []
    for key, what, cycles in ((key_first, "first crawl", firsts), (key_second, "unchanged cycle", seconds)):
        if not cycles:
            continue
        largest = cycles[max(cycles)]
        ratios = growth(cycles)
        note = growth_note(cycles) + " | " + " | ".join(f"N={n}: {c.describe()}" for n, c in sorted(cycles.items()))
        rows.append(Result(key, f"{label}: {what}, CPU per source at N={largest.sources}",
                           round(largest.per_source("cpu_s"), 3), "CPU s/source", note=note,
                           details={"growth": ratios, "cycles": {n: c.to_dict() for n, c in cycles.items()}}))
    return rows


def one_process(sizes: tuple[int, ...], work: Path, pg_url: str | None) -> list[Result]:
    firsts: dict[int, Cycle] = {}
    seconds: dict[int, Cycle] = {}
    for n in sizes:
        sources = make_sources(work / f"one-{n}", n)
        with BenchMirror(sources.root) as mirror, database(pg_url, work / f"one-{n}" / "home") as url:
            home = work / f"one-{n}" / "home"
            firsts[n] = one_process_cycle(mirror, sources, home, url)
            seconds[n] = one_process_cycle(mirror, sources, home, url)
            if seconds[n].bytes:  # an unchanged cycle downloads nothing: the list pages answer 304
                seconds[n].extra["note"] = f"{seconds[n].bytes} body bytes served on an unchanged mirror"
    return cycle_rows("11a", "11b", "one process (cbecwatch crawl)", firsts, seconds)


def measure(*, quick: bool, workdir: Path | None = None, sizes: tuple[int, ...] | None = None,
            backend_sizes: tuple[int, ...] | None = None, rss_sources: int | None = None,
            rss_crawls: int | None = None, pg_url: str | None = None) -> list[Result]:
    sizes = sizes or (QUICK_SIZES if quick else FULL_SIZES)
    pg_url = pg_url if pg_url is not None else os.environ.get("CBECWATCH_TEST_PG_URL")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="cbec-bench-sources-", dir=workdir) as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        try:
            results += one_process(sizes, work, pg_url)
        except Exception as exc:
            results += [failed("11a", "one process: first crawl", f"{type(exc).__name__}: {exc}"),
                        failed("11b", "one process: unchanged cycle", f"{type(exc).__name__}: {exc}")]
        for row in results:
            row.details["stage_seconds"] = round(time.perf_counter() - t0, 1)
            row.details["database"] = "PostgreSQL (a schema of its own)" if pg_url else "SQLite"
        from bench.sources_daemon import measure as daemon_rows

        results += daemon_rows(quick=quick, work=work, pg_url=pg_url, sizes=backend_sizes, rss_sources=rss_sources,
                               rss_crawls=rss_crawls)
    return results


if __name__ == "__main__":  # python -m bench.sources_scale [--quick]
    import json
    import sys

    for result in measure(quick="--quick" in sys.argv):
        print(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
