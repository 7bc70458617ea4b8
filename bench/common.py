"""What every measurement shares: the result row, subprocess environments, timing helpers, the machine."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# "No delay" is 1 ms, not 0: with DOWNLOAD_DELAY = 0, Scrapy 2.19 on the asyncio reactor left the one-request
# per-host slot idle for ~1 s after every dozen or so requests (seen with the mirror and with a bare spider,
# gone with 1 ms or with the epoll reactor), which would time Scrapy's pauses instead of the pipeline.
NO_DELAY = "0.001"


@dataclass
class Result:
    """One row of the table: a value measured against a target (or informational when ``target`` is empty)."""

    key: str  # "1", "2a", "5b" …: the numbering
    name: str
    value: float | int | str | None = None
    unit: str = ""
    target: str = ""  # as a reader says it: ">= 0.8", "<= 20 ms"
    met: bool | None = None  # None: no target, skipped or failed
    status: str = "ok"  # ok | skip | error
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def at_least(value: float, threshold: float) -> bool:
    return value >= threshold


def at_most(value: float, threshold: float) -> bool:
    return value <= threshold


def skipped(key: str, name: str, why: str, target: str = "") -> Result:
    return Result(key, name, status="skip", target=target, note=why)


def failed(key: str, name: str, error: BaseException | str, target: str = "") -> Result:
    return Result(key, name, status="error", target=target, note=str(error)[:500])


# -- subprocesses ---------------------------------------------------------------------------------------
def bench_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a ``cbecwatch`` child: this checkout first on PYTHONPATH, a private home and
    database, no politeness delay (the mirror is ours), so both sides of a ratio run the same settings."""
    env = dict(os.environ)
    paths = [str(ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)]]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("CBECWATCH_MIRROR_URL", None)
    env.update({
        "CBECWATCH_DOWNLOAD_DELAY": NO_DELAY, "CBECWATCH_AUTOTHROTTLE": "0", "CBECWATCH_RETRY_TIMES": "1",
        "CBECWATCH_DOWNLOAD_TIMEOUT": "30", "PYTHONDONTWRITEBYTECODE": "1",
        # the bench's webhook receiver listens on 127.0.0.1, which the SSRF guard refuses by default
        "CBECWATCH_ALLOW_PRIVATE_TARGETS": "1",
    })
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        env["CBECWATCH_HOME"] = str(home)
        env["CBECWATCH_DATABASE_URL"] = f"sqlite:///{home / 'cbecwatch.sqlite3'}"
    env.update(extra)
    return env


@dataclass
class Timed:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_timed(cmd: Sequence[str], env: dict[str, str], timeout: float = 600, cwd: Path = ROOT) -> Timed:
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return Timed(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0)


def stop_process(proc: subprocess.Popen[Any], grace: float = 30) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds: a daemon or server the bench started must not outlive it
    (a stuck one would hold its port and its CPU through the next measurements)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cbecwatch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "cbecwatch", *args]


def tail(text: str, lines: int = 6) -> str:
    return " | ".join(line for line in text.strip().splitlines()[-lines:] if line.strip())


# -- statistics ------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# -- the machine -----------------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True, timeout=10).stdout.strip()
    return (out.stdout.strip() + ("+dirty" if dirty else "")) if out.returncode == 0 else None


def machine() -> dict[str, Any]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "usable_cores": usable, "ram_gib": _ram_gib(),
        "os": platform.platform(), "python": platform.python_version(), "python_impl": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version, "scrapy": _version("scrapy"), "sqlalchemy": _version("sqlalchemy"),
        "jieba": _version("jieba"), "commit": _git_commit(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def describe_machine(info: dict[str, Any]) -> str:
    return (f"{info['cpu']}, {info['usable_cores']} usable of {info['cores']} cores, {info['ram_gib']} GiB RAM; "
            f"{info['os']}; Python {info['python']}, SQLite {info['sqlite']}, Scrapy {info['scrapy']}, "
            f"SQLAlchemy {info['sqlalchemy']}; load average at start {info['load_avg_start']}")
