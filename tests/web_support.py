"""A database filled by real crawls of the bundled mirror, for the web app's tests.

Every source is crawled once from a private copy of the mirror; then the gov.cn copy of 财关税〔2018〕49号
is edited (年度交易限值 26000元 → 30000元, as in test_crawl_govcn) and govcn crawled again, so that one
notice has two versions with a figure change and a text diff to show.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from crawler.mirror.server import DEFAULT_ROOT, MirrorServer

REPO = Path(__file__).resolve().parent.parent
REVISED_NUMBER = "财关税〔2018〕49号"
LOOPBACK = ("127.0.0.1", 50000)


def crawl_env(home: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CBECWATCH_")}
    env.update(CBECWATCH_HOME=str(home), CBECWATCH_DATABASE_URL=database_url, CBECWATCH_DOWNLOAD_DELAY="0.001",
               CBECWATCH_AUTOTHROTTLE="0", CBECWATCH_RETRY_TIMES="1", CBECWATCH_DOWNLOAD_TIMEOUT="5",
               CBECWATCH_REVISIT_DAYS="100000", CBECWATCH_REVISIT_AFTER_HOURS="0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return env


def crawl_mirror_into(database_url: str, workdir: Path) -> None:
    """Crawl the whole mirror into *database_url*, then make a second version of one notice."""
    root = workdir / "mirror"
    shutil.copytree(DEFAULT_ROOT, root)
    env = crawl_env(workdir / "home", database_url)

    def crawl(*sources: str) -> None:
        picked = [arg for name in sources for arg in ("--source", name)]
        done = subprocess.run([sys.executable, "-m", "cbecwatch", "crawl", *picked, "--mirror", server.url],
                              capture_output=True, text=True, timeout=300, env=env, cwd=REPO)
        assert done.returncode == 0, done.stdout + done.stderr

    with MirrorServer(root) as server:
        crawl()
        body = root / "govcn" / "bodies" / "tax-2018-49.txt"
        body.write_text(body.read_text("utf-8").replace("26000元", "30000元"), "utf-8")
        crawl("govcn")


def web_settings(database_url: str, home: Path, **changes: Any) -> Any:
    from cbecwatch.config import load_settings

    return load_settings().model_copy(update=dict(home=home, database_url=database_url, **changes))


def revised_notice_id(client: Any) -> int:
    rows = client.get("/api/v1/notices", params={"limit": 500}).json()["items"]
    # The listing shows each document once (by its first-seen copy); the revised copy is govcn's.
    document = next(r for r in rows if r["doc_number"] == REVISED_NUMBER)
    return next(copy["notice_id"] for copy in document["sources"] if copy["source"] == "govcn")


def make_client(database_url: str, home: Path, **settings: Any) -> Any:
    """A FastAPI TestClient over the web app on *database_url*, from loopback."""
    from fastapi.testclient import TestClient

    from cbecwatch.web import create_app
    from storage.db import open_database

    app = create_app(web_settings(database_url, home, **settings), database=open_database(database_url))
    return TestClient(app, client=LOOPBACK)


def cli_json(crawled: tuple[str, Path], *args: str) -> Any:
    """The CLI's ``--json`` answer on the crawled database."""
    import json

    url, workdir = crawled
    done = subprocess.run([sys.executable, "-m", "cbecwatch", *args, "--json"], capture_output=True, text=True,
                          env=crawl_env(workdir / "home", url), cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
