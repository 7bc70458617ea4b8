"""Measurements 4 and 5 (RSS part): the daemon — detection latency, and its memory over many short cycles.

4. The daemon crawls a mirror copy every ``interval`` seconds and has one webhook subscriber, a receiver on
   127.0.0.1 in this process. After its first (baseline, silent) crawl, a notice is added to the mirror; the
   latency is from that moment to the webhook POST naming it. Target: <= interval + 5 s.
5. RSS of the daemon process itself (not its crawl children) over N short cycles, read from /proc (psutil when
   /proc is missing); growth = RSS at the end minus RSS after a warm-up of a few cycles. Target < 10 MB.

Both are skipped, with a clear row, while ``cbecwatch daemon`` does not exist (``cbecwatch daemon --help``
fails). Everything this module assumes about the daemon's interface is in the block below.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import Result, bench_env, cbecwatch_cmd, failed, run_timed, skipped, stop_process, tail
from bench.mirror import BenchMirror, add_notice, synthetic_mirror

# -- the daemon's interface, in one place (adapt here if the daemon's CLI changes) ------------------------
DAEMON_HELP = ("daemon", "--help")
ADD_SUBSCRIBER = ("subscribers", "add", "bench", "--webhook", "{webhook}", "--secret", "{secret}")
RUN_DAEMON = ("daemon", "--mirror", "{mirror}", "--source", "govcn")


def daemon_env(home: Path, mirror: str, interval: float) -> dict[str, str]:
    return bench_env(home, **{
        "CBECWATCH_MIRROR_URL": mirror,
        "CBECWATCH_CRAWL_SCHEDULE": f"interval:{interval:g}",  # the crawl interval
        "CBECWATCH_CRAWL_JITTER": "0",
        "CBECWATCH_DISPATCH_INTERVAL": "1",
        "CBECWATCH_HEARTBEAT_INTERVAL": "5",
        "CBECWATCH_SILENT_FIRST_RUN": "1",  # the first crawl is the baseline: no alert for what was there
    })


def finished_crawls(home: Path) -> int:
    """Crawl runs the daemon's children have finished (the crawler's own bookkeeping)."""
    db = home / "cbecwatch.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM crawl_runs WHERE finished_at IS NOT NULL").fetchone()[0])
    except sqlite3.Error:
        return 0
# ---------------------------------------------------------------------------------------------------------

TARGET_SLACK_S = 5.0
TARGET_RSS_MB = 10.0
SKIP_REASON = "daemon not available: cbecwatch daemon missing"


def daemon_available() -> tuple[bool, str]:
    done = run_timed(cbecwatch_cmd(*DAEMON_HELP), bench_env(), timeout=60)
    return done.returncode == 0, tail(done.stderr, 1)


class BackloggedServer(ThreadingHTTPServer):
    """``listen()`` backlog 128, not socketserver's 5: several dispatchers with 8 sends each overflowed 5 and
    the kernel reset connections ("Connection reset by peer"), which timed the receiver, not the sender."""

    request_queue_size = 128


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps (arrival time, body) of every POST, answers 204."""

    def __init__(self) -> None:
        self.posts: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    outer.posts.append((time.perf_counter(), body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = BackloggedServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def first_mentioning(self, markers: list[str], after: float) -> float | None:
        wanted = [m.encode() for m in markers]
        with self.lock:
            return next((t for t, body in self.posts if t >= after and any(w in body for w in wanted)), None)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil  # type: ignore[import-untyped]

        return psutil.Process(pid).memory_info().rss / 1024 / 1024
    except Exception:
        return None


class DaemonRun:
    """A daemon subprocess over a mirror copy, with a webhook subscriber pointing at :class:`Receiver`."""

    def __init__(self, work: Path, interval: float) -> None:
        self.work = work
        self.interval = interval
        self.home = work / "home"
        self.mirror = BenchMirror(synthetic_mirror(work / "mirror", 5)).start()
        self.receiver = Receiver()
        self.env = daemon_env(self.home, self.mirror.url, interval)
        secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        args = [a.format(webhook=self.receiver.url, secret=secret) for a in ADD_SUBSCRIBER]
        done = run_timed(cbecwatch_cmd(*args), self.env, timeout=120)
        if done.returncode != 0:
            self.close()
            raise RuntimeError(f"cannot add the webhook subscriber: {tail(done.stdout + done.stderr)}")
        self.log = (work / "daemon.log").open("w")
        cmd = cbecwatch_cmd(*[a.format(mirror=self.mirror.url) for a in RUN_DAEMON])
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_crawls(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the daemon exited with {self.proc.returncode}: {self.log_tail()}")
            if finished_crawls(self.home) >= count:
                return True
            time.sleep(0.2)
        return False

    def log_tail(self) -> str:
        self.log.flush()
        return tail((self.work / "daemon.log").read_text("utf-8", errors="replace"))

    def close(self) -> None:
        proc = getattr(self, "proc", None)
        if proc is not None:
            stop_process(proc)
        if getattr(self, "log", None):
            self.log.close()
        self.receiver.close()
        self.mirror.stop()


def latency(work: Path, interval: float, samples: int) -> Result:
    name = f"detection latency (interval {interval:g} s)"
    target = f"<= {interval + TARGET_SLACK_S:g} s"
    run = DaemonRun(work, interval)
    try:
        if not run.wait_crawls(1, timeout=interval + 120):
            return failed("4", name, f"no baseline crawl within {interval + 120:g} s: {run.log_tail()}", target)
        values = []
        for i in range(samples):
            marker = f"基准测试{i}号市"
            t0 = time.perf_counter()
            entry = add_notice(run.mirror.root, marker)
            deadline = t0 + interval * 2 + 60
            got = None
            while got is None and time.perf_counter() < deadline:
                time.sleep(0.1)
                got = run.receiver.first_mentioning([marker, f"content_{entry['id']}"], t0)
            if got is None:
                return failed("4", name, f"no webhook for the added notice within {deadline - t0:.0f} s; posts "
                              f"received {len(run.receiver.posts)}; daemon: {run.log_tail()}", target)
            values.append(got - t0)
        worst = max(values)
        return Result("4", name, round(worst, 2), "s", target, worst <= interval + TARGET_SLACK_S,
                      note=f"worst of {samples}: {', '.join(f'{v:.1f}' for v in values)} s (notice added → webhook)",
                      details={"latencies_s": values, "interval_s": interval, "webhooks": len(run.receiver.posts)})
    finally:
        run.close()


def rss(work: Path, interval: float, cycles: int, warmup: int = 5) -> Result:
    name = f"daemon RSS growth over {cycles} cycles"
    target = f"< {TARGET_RSS_MB:g} MB"
    run = DaemonRun(work, interval)
    samples: list[tuple[int, float]] = []
    try:
        per_cycle = interval + 60
        for goal in range(1, cycles + 1):
            if not run.wait_crawls(goal, timeout=per_cycle):
                return failed("5e", name, f"stuck before cycle {goal}: {run.log_tail()}", target)
            value = rss_mb(run.proc.pid)
            if value is None:
                return skipped("5e", name, "cannot read the daemon's RSS (no /proc and no psutil)", target)
            samples.append((goal, value))
        base = next(v for c, v in samples if c >= min(warmup, cycles))
        growth = samples[-1][1] - base
        return Result("5e", name, round(growth, 2), "MB", target, growth < TARGET_RSS_MB,
                      note=f"RSS {base:.1f} MB after cycle {min(warmup, cycles)} → {samples[-1][1]:.1f} MB after "
                           f"cycle {cycles}; peak {max(v for _, v in samples):.1f} MB",
                      details={"rss_mb_by_cycle": samples[:: max(1, len(samples) // 50)] + samples[-1:]})
    finally:
        run.close()


def measure(*, quick: bool, workdir: Path | None = None, interval: float | None = None,
            rss_cycles: int | None = None) -> list[Result]:
    interval = interval or (3.0 if quick else 10.0)  # quick: keeps --quick under 60 s with the daemon
    rss_cycles = rss_cycles if rss_cycles is not None else (0 if quick else 500)
    lat_name = f"detection latency (interval {interval:g} s)"
    rss_name = f"daemon RSS growth over {rss_cycles} cycles"
    ok, why = daemon_available()
    if not ok:
        reason = SKIP_REASON + (f" ({why})" if why else "")
        return [skipped("4", lat_name, reason, f"<= {interval + TARGET_SLACK_S:g} s"),
                skipped("5e", rss_name, reason, f"< {TARGET_RSS_MB:g} MB")]
    results = []
    with tempfile.TemporaryDirectory(prefix="cbec-bench-daemon-", dir=workdir) as tmp:
        try:
            results.append(latency(Path(tmp) / "latency", interval, 1 if quick else 3))
        except Exception as exc:
            results.append(failed("4", lat_name, exc))
        if rss_cycles <= 0:
            results.append(skipped("5e", rss_name, "not in the quick run", f"< {TARGET_RSS_MB:g} MB"))
            return results
        try:
            results.append(rss(Path(tmp) / "rss", 1.0, rss_cycles))
        except Exception as exc:
            results.append(failed("5e", rss_name, exc))
    return results


if __name__ == "__main__":  # python -m bench.daemon [--quick]
    import sys

    for row in measure(quick="--quick" in sys.argv):
        print(json.dumps(row.to_dict(), ensure_ascii=False))
