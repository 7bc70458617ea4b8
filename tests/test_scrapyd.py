"""Crawls through a real Scrapyd on 127.0.0.1 (CBECWATCH_CRAWL_BACKEND=scrapyd): the project deployed
with scrapyd-deploy, one source's crawl of the bundled mirror run as a Scrapyd job into the test's
database, and a job that overruns its time-out cancelled and reported as a failed run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from crawler.mirror.server import MirrorServer
from tests.conftest import REPO

pytestmark = pytest.mark.slow
PROJECT_FILES = ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md", "cbecwatch", "crawler", "storage",
                 "scheduler")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scrapyd_node(tmp_path: Path, app_home: Path) -> Iterator[str]:
    """A Scrapyd of its own (port, eggs, logs, queue databases under tmp_path) with the cbecwatch
    project deployed by scrapyd-deploy. Its jobs see the test's CBECWATCH_* environment, as a node's
    service environment would give them theirs."""
    if shutil.which("scrapyd-deploy", path=os.path.dirname(sys.executable)) is None:
        pytest.skip("scrapyd-client is not installed (pip install -e '.[test]')")
    node_dir = tmp_path / "scrapyd"
    node_dir.mkdir()
    port = free_port()
    (node_dir / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {node_dir / 'eggs'}\n"
        f"logs_dir = {node_dir / 'logs'}\ndbs_dir = {node_dir / 'dbs'}\npoll_interval = 0.5\nmax_proc = 2\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=node_dir, env=env,
                               stdout=(node_dir / "scrapyd.out").open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/daemonstatus.json", timeout=2).json()["status"] == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(f"Scrapyd did not start: {(node_dir / 'scrapyd.out').read_text(errors='replace')[-2000:]}")
        project = tmp_path / "project"
        project.mkdir()
        for name in PROJECT_FILES:
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, project / name)
        (project / "scrapy.cfg").write_text(
            f"[settings]\ndefault = crawler.settings\n\n[deploy]\nurl = {url}/\nproject = cbecwatch\n", "utf-8")
        deploy = subprocess.run([os.path.join(os.path.dirname(sys.executable), "scrapyd-deploy"), "--version", "1"],
                                cwd=project, env=env, capture_output=True, text=True, timeout=240)
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
        spiders = httpx.get(f"{url}/listspiders.json", params={"project": "cbecwatch"}, timeout=60).json()
        assert "govcn" in spiders["spiders"], spiders
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def scrapyd_env(monkeypatch: pytest.MonkeyPatch, node: str, timeout: float = 600) -> None:
    monkeypatch.setenv("CBECWATCH_CRAWL_BACKEND", "scrapyd")
    monkeypatch.setenv("CBECWATCH_SCRAPYD_URLS", f"{node},http://127.0.0.1:{free_port()}")  # the 2nd is down
    monkeypatch.setenv("CBECWATCH_SCRAPYD_POLL_INTERVAL", "0.5")
    monkeypatch.setenv("CBECWATCH_CRAWL_TIMEOUT", str(timeout))


def test_the_daemon_runs_a_sources_crawl_as_a_scrapyd_job_and_reads_its_notices(
        cli, scrapyd_node: str, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    scrapyd_env(monkeypatch, scrapyd_node)
    result = cli("daemon", "--once", "--source", "govcn", "--mirror", mirror.url, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Scrapyd job govcn-" in result.stderr

    notices = json.loads(cli("notices", "--json", "--source", "govcn").stdout)
    assert any(n["doc_number"] == "国函〔2016〕17号" for n in notices)
    [source] = [s for s in json.loads(cli("sources", "--json").stdout) if s["name"] == "govcn"]
    assert source["status"] == "ok" and source["last_run"]["new"] == len(notices)

    from cbecwatch.config import get_settings
    from storage.db import open_database
    from storage.models import CrawlRun, SourceRun

    db = open_database(get_settings().database_url, migrate=False)
    with db.session() as session:
        [run] = session.scalars(select(CrawlRun)).all()
        assert (run.trigger, run.status, run.mirror_url) == ("scrapyd", "ok", mirror.url)
        assert run.finished_at is not None
        [source_run] = session.scalars(select(SourceRun)).all()
        assert (source_run.crawl_run_id, source_run.status) == (run.id, "ok")
    finished = httpx.get(f"{scrapyd_node}/listjobs.json", params={"project": "cbecwatch"}).json()["finished"]
    assert [job["id"] for job in finished] == [f"govcn-{run.id}"]
    db.dispose()


def test_a_scrapyd_job_that_overruns_its_timeout_is_cancelled_and_reported(
        cli, scrapyd_node: str, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (mirror_root / "faults.json").write_text(json.dumps({"www.gov.cn": {"delay": 30}}), "utf-8")
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_TIMEOUT", "60")
    scrapyd_env(monkeypatch, scrapyd_node, timeout=6)
    started = time.monotonic()
    result = cli("daemon", "--once", "--source", "govcn", "--mirror", mirror.url, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert time.monotonic() - started < 60  # cancelled, not waited for
    assert "crawl killed after the 6 s time-out (CBECWATCH_CRAWL_TIMEOUT)" in result.stderr

    [source] = [s for s in json.loads(cli("sources", "--json").stdout) if s["name"] == "govcn"]
    assert source["status"] == "failed" and "time-out" in source["reason"]
    jobs = httpx.get(f"{scrapyd_node}/listjobs.json", params={"project": "cbecwatch"}).json()
    assert not jobs["running"] and not jobs["pending"] and len(jobs["finished"]) == 1

    from cbecwatch.config import get_settings
    from storage.db import open_database
    from storage.models import CrawlRun, SourceRun

    db = open_database(get_settings().database_url, migrate=False)
    with db.session() as session:
        [run] = session.scalars(select(CrawlRun)).all()
        assert run.status == "failed" and run.finished_at is not None
        assert [r.status for r in session.scalars(select(SourceRun))] == ["failed"]
    db.dispose()


def test_a_crawl_no_scrapyd_node_accepts_is_a_failed_run_saying_so(app_home: Path, db) -> None:
    from cbecwatch.config import get_settings, load_alert_settings
    from scheduler.crawl_backends import ScrapydBackend
    from storage.models import CrawlRun, SourceRun

    down = f"http://127.0.0.1:{free_port()}"
    alerts = load_alert_settings().__class__(crawl_backend="scrapyd", scrapyd_urls=(down,))
    attempt = ScrapydBackend(db, get_settings(), alerts).run("govcn", None)
    assert not attempt.ok
    assert attempt.detail.startswith("not scheduled: no Scrapyd node answered") and down in attempt.detail
    with db.session() as session:
        [run] = session.scalars(select(CrawlRun)).all()
        [source_run] = session.scalars(select(SourceRun)).all()
        assert (run.trigger, run.status) == ("scrapyd", "failed")
        assert (source_run.crawl_run_id, source_run.status, source_run.errors) == (run.id, "failed", {"scrapyd": 1})
