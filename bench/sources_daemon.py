"""Measurement 11, the daemon's part: N declared sources crawled the way ``cbecwatch daemon`` crawls them,
one crawl per source, with the local backend (a child process each) and with two real Scrapyd workers,
and the daemon's RSS with 300 sources declared.

A cycle is one daemon process started on the database with every source due at once (``interval`` long,
no jitter) and stopped when each source has a finished crawl run: the first cycle finds everything new,
the second (a new daemon on the same database) an unchanged mirror. CPU is the daemon with the crawl
processes it waited for (``RUSAGE_CHILDREN``) plus, with Scrapyd, each node's own CPU and that of the job
processes it reaped (``/proc/<pid>/stat``). Both backends run four crawls at once: the local daemon with
``CBECWATCH_CRAWL_CONCURRENCY=4``, the Scrapyd side as two nodes of ``max_proc = 2``.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import Result, cbecwatch_cmd, failed, skipped, stop_process, tail
from bench.daemon import rss_mb
from bench.mirror import BenchMirror, Traffic
from bench.scrapyd_nodes import ScrapydNode, available, start_nodes
from bench.sources_mirror import ScaleSources, make_sources
from bench.sources_scale import Cycle, children_cpu, cycle_rows, database, scale_env, source_verdicts

FULL_SIZES = (5, 15)
RSS_SOURCES, RSS_CRAWLS = 300, 200
RSS_MARKS = (1, 50, 100, 200)
CONCURRENCY = 4


def finished_runs(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM crawl_runs WHERE finished_at IS NOT NULL")).scalar_one())
    except Exception:  # not migrated yet: the daemon is still starting
        return 0
    finally:
        engine.dispose()


def daemon_env(home: Path, url: str, sources: ScaleSources, mirror: str, nodes: list[ScrapydNode] | None
               ) -> dict[str, str]:
    extra = {"CBECWATCH_MIRROR_URL": mirror, "CBECWATCH_CRAWL_SCHEDULE": "interval:86400",
             "CBECWATCH_CRAWL_JITTER": "0", "CBECWATCH_HEARTBEAT_INTERVAL": "30", "CBECWATCH_DISPATCH_INTERVAL": "5",
             "CBECWATCH_CRAWL_CONCURRENCY": str(CONCURRENCY), "CBECWATCH_CRAWL_TIMEOUT": "600"}
    if nodes:
        # The daemon's threads only wait on Scrapyd jobs: enough of them to keep both nodes' queues fed.
        extra.update({"CBECWATCH_CRAWL_BACKEND": "scrapyd", "CBECWATCH_SCRAPYD_URLS": ",".join(n.url for n in nodes),
                      "CBECWATCH_SCRAPYD_POLL_INTERVAL": "0.5", "CBECWATCH_CRAWL_CONCURRENCY": str(4 * len(nodes))})
    return scale_env(home, url, sources, **extra)


class DaemonCycle:
    """One daemon process until ``goal`` crawl runs have finished in the database; RSS sampled on the way."""

    def __init__(self, sources: ScaleSources, home: Path, url: str, mirror: BenchMirror,
                 nodes: list[ScrapydNode] | None = None) -> None:
        self.sources, self.home, self.url, self.mirror, self.nodes = sources, home, url, mirror, nodes or []
        self.rss: list[tuple[int, float]] = []  # (finished crawl runs, MB)
        self.log_path = home / f"daemon-{time.time_ns()}.log"

    def run(self, goal: int, marks: tuple[int, ...] = (), timeout: float = 1800) -> Cycle:
        home = self.home
        home.mkdir(parents=True, exist_ok=True)
        self.mirror.take_served()
        base = finished_runs(self.url)
        cmd = cbecwatch_cmd("daemon", "--mirror", self.mirror.url,
                            *[a for name in self.sources.names for a in ("--source", name)])
        env = daemon_env(home, self.url, self.sources, self.mirror.url, self.nodes)
        cpu0, nodes0 = children_cpu(), sum(n.cpu() for n in self.nodes)
        t0 = time.perf_counter()
        with self.log_path.open("w") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                wall = self._wait(proc, base, goal, marks, t0, timeout)
            finally:
                stop_process(proc, grace=60)
        cpu = children_cpu() - cpu0 + sum(n.cpu() for n in self.nodes) - nodes0
        traffic = Traffic.of(self.mirror.take_served())
        verdicts = source_verdicts(self.url)
        ok = sum(status in ("ok", "partial") for status in verdicts.values())
        return Cycle(self.sources.count, traffic.requests, traffic.robots, traffic.bytes, round(cpu, 2), round(wall, 2),
                     ok, {"crawl_runs": finished_runs(self.url) - base, "rss_mb": self.rss})

    def _wait(self, proc: subprocess.Popen[bytes], base: int, goal: int, marks: tuple[int, ...], t0: float,
              timeout: float) -> float:
        started = False
        pending = sorted(marks)
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the daemon exited with {proc.returncode}: {self.log_tail()}")
            if not started and "daemon started" in self.log_path.read_text(errors="replace"):
                started = True
                self._sample(0, proc.pid)
            done = finished_runs(self.url) - base
            while pending and done >= pending[0]:
                self._sample(done, proc.pid)
                pending.pop(0)
            if done >= goal:
                return time.perf_counter() - t0
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"{done} of {goal} crawls finished in {timeout:.0f} s: {self.log_tail()}")
            time.sleep(0.25)

    def _sample(self, done: int, pid: int) -> None:
        value = rss_mb(pid)
        if value is not None:
            self.rss.append((done, round(value, 1)))

    def log_tail(self) -> str:
        return tail(self.log_path.read_text(errors="replace"))


def backend_cycles(label: str, sizes: tuple[int, ...], work: Path, pg_url: str | None,
                   scrapyd: bool) -> tuple[dict[int, Cycle], dict[int, Cycle]]:
    firsts: dict[int, Cycle] = {}
    seconds: dict[int, Cycle] = {}
    for n in sizes:
        where = work / f"{label}-{n}"
        sources = make_sources(where, n)
        with BenchMirror(sources.root) as mirror, database(pg_url, where / "home") as url:
            nodes: list[ScrapydNode] = []
            try:
                if scrapyd:
                    node_env = scale_env(where / "node-home", url, sources)
                    nodes = start_nodes(where / "scrapyd", node_env, count=2, max_proc=2)
                run = DaemonCycle(sources, where / "home", url, mirror, nodes)
                firsts[n] = run.run(n)
                seconds[n] = DaemonCycle(sources, where / "home", url, mirror, nodes).run(n)
            finally:
                for node in nodes:
                    node.close()
        for cycle in (firsts[n], seconds[n]):
            if cycle.ok_sources < n:
                raise RuntimeError(f"{label}, N={n}: {cycle.ok_sources} of {n} sources ok")
    return firsts, seconds


def rss_row(work: Path, pg_url: str | None, count: int, crawls: int) -> Result:
    name = f"daemon RSS, {count} sources declared, over its first {crawls} crawls"
    sources = make_sources(work / "rss", count)
    marks = tuple(m for m in RSS_MARKS if m <= crawls) + ((crawls,) if crawls not in RSS_MARKS else ())
    with BenchMirror(sources.root) as mirror, database(pg_url, work / "rss" / "home") as url:
        run = DaemonCycle(sources, work / "rss" / "home", url, mirror)
        cycle = run.run(crawls, marks)
    samples = run.rss
    if len(samples) < 2:
        return skipped("11g", name, "cannot read the daemon's RSS (no /proc and no psutil)")
    by_mark = {done: mb for done, mb in samples}
    after = [(d, mb) for d, mb in samples if d >= min(50, crawls)]
    slope = ((after[-1][1] - after[0][1]) / (after[-1][0] - after[0][0]) * 100
             if len(after) >= 2 and after[-1][0] > after[0][0] else 0.0)
    marks_text = ", ".join(f"{'start' if d == 0 else f'crawl {d}'} {mb:.1f} MB" for d, mb in samples)
    return Result("11g", name, round(slope, 2), "MB/100 crawls",
                  note=f"{marks_text}; slope from crawl {after[0][0]} to {after[-1][0]}; a crawl is one source's "
                       f"(a full cycle of {count} sources is {count} crawls); {cycle.describe()}",
                  details={"rss_mb": by_mark, "samples": samples, "cycle": cycle.to_dict()})


def measure(*, quick: bool, work: Path, pg_url: str | None, sizes: tuple[int, ...] | None = None,
            rss_sources: int | None = None, rss_crawls: int | None = None) -> list[Result]:
    if quick and sizes is None:
        why = "not in the quick run: every crawl is a process of its own there (python bench/run.py --only 11)"
        return [skipped("11c", "daemon, local backend: first crawl", why),
                skipped("11e", "daemon, 2 Scrapyd workers: first crawl", why),
                skipped("11g", "daemon RSS with 300 sources", why)]
    sizes = sizes or FULL_SIZES
    results: list[Result] = []
    runs: dict[str, Any] = {}
    try:
        runs["local"] = backend_cycles("local", sizes, work, pg_url, scrapyd=False)
        results += cycle_rows("11c", "11d", "daemon, local backend (a process per crawl)", *runs["local"])
    except Exception as exc:
        results.append(failed("11c", "daemon, local backend", f"{type(exc).__name__}: {exc}"))
    why = available()
    if why:
        results.append(skipped("11e", "daemon, 2 Scrapyd workers", why))
    else:
        try:
            runs["scrapyd"] = backend_cycles("scrapyd", sizes, work, pg_url, scrapyd=True)
            results += cycle_rows("11e", "11f", "daemon, 2 Scrapyd workers (max_proc 2 each)", *runs["scrapyd"])
        except Exception as exc:
            results.append(failed("11e", "daemon, 2 Scrapyd workers", f"{type(exc).__name__}: {exc}"))
    if "local" in runs and "scrapyd" in runs:
        for row in results:
            if row.key in ("11e", "11f"):
                local = runs["local"][0 if row.key == "11e" else 1]
                mine = row.details["cycles"]
                ratio = {n: round(mine[n]["wall_s"] / c.wall_s, 2) for n, c in local.items() if n in mine and c.wall_s}
                cpu = {n: round(mine[n]["cpu_s"] / c.cpu_s, 2) for n, c in local.items() if n in mine and c.cpu_s}
                row.note += f" | against the local backend: wall ×{ratio}, CPU ×{cpu} by N"
                row.details["against_local"] = {"wall": ratio, "cpu": cpu}
    crawls = rss_crawls if rss_crawls is not None else RSS_CRAWLS
    if crawls > 0:
        try:
            results.append(rss_row(work, pg_url, rss_sources or RSS_SOURCES, crawls))
        except Exception as exc:
            results.append(failed("11g", "daemon RSS with 300 sources", f"{type(exc).__name__}: {exc}"))
    return results
