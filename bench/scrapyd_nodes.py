"""Real Scrapyd workers on 127.0.0.1 for measurement 11, started as tests/test_scrapyd.py starts one.

Each node has its own port, eggs, logs and queue databases, ``max_proc`` job processes, the cbecwatch
project deployed with ``scrapyd-deploy``, and an environment naming the database and the sources file
(a node's service environment, never Scrapyd's API, carries the database URL). CPU is read from
``/proc/<pid>/stat``: the node's own time plus that of the job processes it has reaped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.common import ROOT, stop_process

PROJECT_FILES = ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md", "cbecwatch", "crawler", "storage",
                 "scheduler", "appconfig")


def available() -> str | None:
    """Why Scrapyd cannot run here, or None."""
    bindir = os.path.dirname(sys.executable)
    if shutil.which("scrapyd-deploy", path=bindir) is None:
        return "scrapyd-client is not installed (pip install -e '.[test]')"
    try:
        import scrapyd  # noqa: F401
    except ImportError:
        return "scrapyd is not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_cpu(pid: int) -> float:
    """utime + stime + cutime + cstime of a live process, in seconds (children it has waited for included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


class ScrapydNode:
    def __init__(self, work: Path, env: dict[str, str], max_proc: int = 2) -> None:
        self.dir = work
        work.mkdir(parents=True)
        self.port = free_port()
        (work / "scrapyd.conf").write_text(
            f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {self.port}\neggs_dir = {work / 'eggs'}\n"
            f"logs_dir = {work / 'logs'}\ndbs_dir = {work / 'dbs'}\npoll_interval = 0.5\nmax_proc = {max_proc}\n",
            encoding="utf-8")
        self.out = (work / "scrapyd.out").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=work, env=env, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/daemonstatus.json", timeout=2).json()["status"] == "ok":
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"Scrapyd on {self.port} did not start: "
                           f"{(self.dir / 'scrapyd.out').read_text(errors='replace')[-1000:]}")

    def deploy(self, project: Path, env: dict[str, str]) -> None:
        (project / "scrapy.cfg").write_text(
            f"[settings]\ndefault = crawler.settings\n\n[deploy]\nurl = {self.url}/\nproject = cbecwatch\n", "utf-8")
        done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "scrapyd-deploy"), "--version", "1"],
                              cwd=project, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or '"status": "ok"' not in done.stdout:
            raise RuntimeError(f"scrapyd-deploy to {self.url} failed: {(done.stdout + done.stderr)[-800:]}")

    def busy(self) -> int:
        status = httpx.get(f"{self.url}/daemonstatus.json", timeout=10).json()
        return int(status.get("pending", 0)) + int(status.get("running", 0))

    def finished_jobs(self) -> int:
        jobs = httpx.get(f"{self.url}/listjobs.json", params={"project": "cbecwatch"}, timeout=30).json()
        return len(jobs.get("finished", []))

    def cpu(self) -> float:
        return process_cpu(self.proc.pid)

    def close(self) -> None:
        stop_process(self.proc, grace=20)
        self.out.close()


def copy_project(dest: Path) -> Path:
    """The files scrapyd-deploy builds the egg from (the working tree, so the egg is this checkout)."""
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        elif source.exists():
            shutil.copy(source, dest / name)
    return dest


def start_nodes(work: Path, env: dict[str, str], count: int = 2, max_proc: int = 2) -> list[ScrapydNode]:
    nodes: list[ScrapydNode] = []
    try:
        for i in range(count):
            nodes.append(ScrapydNode(work / f"node-{i}", env, max_proc))
        project = copy_project(work / "project")
        for node in nodes:
            node.wait_up()
            node.deploy(project, env)
    except BaseException:
        for node in nodes:
            node.close()
        raise
    return nodes
