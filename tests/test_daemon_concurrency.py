"""The daemon runs at most CBECWATCH_CRAWL_CONCURRENCY crawls at once, however many sources are due together
(it used to start one crawl process per due source: 300 at once for 300 sources, bench row 11), and a source
waiting for its turn longer than the misfire grace still runs."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bench.sources_mirror import make_sources
from crawler.mirror.server import MirrorServer
from storage.db import open_database
from storage.models import CrawlRun

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


def test_sources_due_together_crawl_one_after_another_with_a_concurrency_of_one(
        app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = make_sources(tmp_path / "sources", 3, notices=1)  # SYNTHETIC sources, a host each
    with MirrorServer(made.root) as mirror:
        for key, value in {"CBECWATCH_SOURCES_FILE": str(made.sources_file), "CBECWATCH_CRAWL_CONCURRENCY": "1",
                           "CBECWATCH_CRAWL_SCHEDULE": "interval:86400", "CBECWATCH_CRAWL_JITTER": "0",
                           "CBECWATCH_CRAWL_TIMEOUT": "120",
                           # the 2nd and 3rd wait longer than this for their turn: they must still run, not
                           # be dropped as misfired (what a bounded executor queue did)
                           "CBECWATCH_MISFIRE_GRACE": "1"}.items():
            monkeypatch.setenv(key, value)
        log = (tmp_path / "daemon.log").open("wb")
        sources = [a for name in made.names for a in ("--source", name)]
        daemon = subprocess.Popen([sys.executable, "-m", "cbecwatch", "daemon", "--mirror", mirror.url, *sources],
                                  cwd=REPO, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
        try:
            db = None
            deadline = time.monotonic() + 240
            runs: list[CrawlRun] = []
            while time.monotonic() < deadline and daemon.poll() is None:
                time.sleep(0.5)
                if db is None and (app_home / "cbecwatch.sqlite3").exists():
                    db = open_database(os.environ["CBECWATCH_DATABASE_URL"], migrate=False)
                if db is not None:
                    try:
                        with db.session() as session:
                            runs = list(session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None))
                                                        .order_by(CrawlRun.started_at)))
                    except OperationalError:  # the daemon is still migrating the new database
                        continue
                    if len(runs) == 3:
                        break
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            log.close()
        text = (tmp_path / "daemon.log").read_text("utf-8", errors="replace")
        assert len(runs) == 3, text[-2000:]
        assert "at most 1 crawls at once (CBECWATCH_CRAWL_CONCURRENCY)" in text
        assert all(run.status == "ok" for run in runs), text[-2000:]
        # one at a time: each crawl started after the one before it had finished
        for before, after in itertools.pairwise(runs):
            assert after.started_at >= before.finished_at, [(r.started_at, r.finished_at) for r in runs]
        assert db is not None
        db.dispose()
