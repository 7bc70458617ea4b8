"""The daemon's crawl children as real processes: a daemon killed with -9 leaves its crawl child
running, and the next daemon kills that child's process group and closes its run as abandoned; a
SIGTERM to the daemon during a crawl leaves no crawl run or source run ``running``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.mirror.server import MirrorServer
from scheduler.children import process_alive
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def wait_for(check: Callable[[], object], timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def hanging_govcn(app_home: Path, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every www.gov.cn answer takes 30 s, and the crawl waits for it: a crawl that is surely running."""
    (mirror_root / "faults.json").write_text(json.dumps({"www.gov.cn": {"delay": 30}}), "utf-8")
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_TIMEOUT", "60")
    monkeypatch.setenv("CBECWATCH_CRAWL_JITTER", "0")
    monkeypatch.setenv("CBECWATCH_HEARTBEAT_INTERVAL", "3600")


@pytest.fixture
def database(app_home: Path) -> Iterator[object]:
    from cbecwatch.config import get_settings
    from storage.db import open_database

    db = open_database(get_settings().database_url)  # migrated before the daemon starts
    yield db
    db.dispose()


def start_daemon(mirror: MirrorServer, *sources: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "cbecwatch", "daemon", "--mirror", mirror.url]
    for source in sources:
        command += ["--source", source]
    return subprocess.Popen(command, cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def running_crawl(db) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """(crawl run id, pid of its process) once govcn's source run has started."""
    from storage.models import CrawlRun, SourceRun

    with db.session() as session:
        row = session.execute(select(CrawlRun.id, CrawlRun.pid).join(SourceRun).where(
            CrawlRun.status == "running", SourceRun.source == "govcn", SourceRun.status == "running")).first()
    return (row[0], row[1]) if row else None


def statuses(db) -> tuple[list[str], list[tuple[str, str, str | None]]]:  # type: ignore[no-untyped-def]
    from storage.models import CrawlRun, SourceRun

    with db.session() as session:
        return (list(session.scalars(select(CrawlRun.status).order_by(CrawlRun.id))),
                [(r.source, r.status, r.reason) for r in session.scalars(select(SourceRun).order_by(SourceRun.id))])


def test_a_restarted_daemon_kills_the_crawl_left_by_a_killed_one_and_closes_its_run(
        hanging_govcn: None, database, mirror: MirrorServer, cli, app_home: Path) -> None:
    daemon = start_daemon(mirror, "govcn")
    try:
        run_id, child = wait_for(lambda: running_crawl(database))  # type: ignore[misc]
        children = json.loads((app_home / "run" / "crawl-children.json").read_text(encoding="utf-8"))
        assert children[str(child)]["source"] == "govcn"
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(timeout=30)
    finally:
        daemon.kill()
        daemon.communicate()
    time.sleep(1)
    assert process_alive(child)  # the orphan goes on crawling: the problem this fixes

    result = cli("daemon", "--once", "--source", "mof_gss", "--mirror", mirror.url, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"killed 1 crawl children of a previous daemon: govcn (pid {child})" in result.stderr
    wait_for(lambda: not process_alive(child), timeout=10)
    crawl_runs, source_runs = statuses(database)
    assert crawl_runs == ["failed", "ok"]
    [(_, status, reason)] = [r for r in source_runs if r[0] == "govcn"]
    assert status == "failed" and reason.startswith(f"abandoned: crawl run {run_id} was left running by pid {child}")
    [govcn] = [s for s in json.loads(cli("sources", "--json").stdout) if s["name"] == "govcn"]
    assert govcn["status"] == "failed" and "abandoned" in govcn["reason"]
    assert json.loads((app_home / "run" / "crawl-children.json").read_text(encoding="utf-8")) == {}


def test_sigterm_during_a_crawl_leaves_no_run_running(hanging_govcn: None, database, mirror: MirrorServer) -> None:
    daemon = start_daemon(mirror, "govcn")
    try:
        _, child = wait_for(lambda: running_crawl(database))  # type: ignore[misc]
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=90)
    finally:
        daemon.kill()
    assert daemon.returncode == 0, output
    assert "daemon stopped" in output
    assert not process_alive(child)
    crawl_runs, source_runs = statuses(database)
    assert crawl_runs and "running" not in crawl_runs, crawl_runs
    assert source_runs and all(status == "failed" for _, status, _ in source_runs), source_runs
