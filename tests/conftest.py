"""Shared fixtures: an isolated data directory, the mirror on 127.0.0.1, the CLI as a subprocess,
and databases (SQLite always; PostgreSQL when CBECWATCH_TEST_PG_URL names one — required under CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import DEFAULT_ROOT, MirrorServer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The alert tests' receivers listen on 127.0.0.1, which the SSRF guard refuses by default; the guard's
# own tests turn this off again.
os.environ["CBECWATCH_ALLOW_PRIVATE_TARGETS"] = "1"
# Test crawls are a few pages each: extraction worker processes cost more to start than they save
# (measured: tests/test_crawl_govcn.py + test_storage_pipeline.py 245 s with 2 workers, 125 s without),
# so crawls in tests extract in-process; tests/test_extract_pool.py and one crawl test use the workers.
os.environ.setdefault("CBECWATCH_EXTRACT_WORKERS", "0")


def require(reason: str) -> None:
    """Skip a test whose service is missing — but fail under CI, where it must be there."""
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("CBECWATCH_HOME", str(home))
    monkeypatch.setenv("CBECWATCH_DATABASE_URL", f"sqlite:///{home / 'cbecwatch.sqlite3'}")
    # 1 ms, not 0: with no delay Scrapy 2.19 idles its one-request-per-host slot ~1 s every dozen requests
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_DELAY", "0.001")
    monkeypatch.setenv("CBECWATCH_AUTOTHROTTLE", "0")
    monkeypatch.setenv("CBECWATCH_RETRY_TIMES", "1")
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_TIMEOUT", "5")
    monkeypatch.delenv("CBECWATCH_MIRROR_URL", raising=False)
    from cbecwatch.config import get_settings

    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def mirror_root(tmp_path: Path) -> Path:
    """A private copy of the bundled mirror data, which a test may change while the server runs."""
    root = tmp_path / "mirror"
    shutil.copytree(DEFAULT_ROOT, root)
    return root


@pytest.fixture
def mirror(mirror_root: Path) -> Iterator[MirrorServer]:
    with MirrorServer(mirror_root) as server:
        yield server


@pytest.fixture
def cli(app_home: Path):
    """Run ``cbecwatch`` as a real subprocess with the test's environment."""

    def run(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cbecwatch", *args], capture_output=True, text=True, timeout=timeout,
            env=dict(os.environ), cwd=cwd or REPO,
        )

    return run


@pytest.fixture
def upgraded_cli(cli):
    """``cli`` on a database already brought to the newest schema: read-only commands never migrate
    (they exit 2 saying to run ``cbecwatch db upgrade``), so a test that starts with one upgrades first."""
    result = cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    return cli


def _postgres_url() -> str | None:
    return os.environ.get("CBECWATCH_TEST_PG_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema in the PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    base = _postgres_url()
    if not base:
        require("CBECWATCH_TEST_PG_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # server down, wrong URL
        require(f"PostgreSQL at {base} is not usable: {exc}")
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(database_url: str):
    """An opened, migrated database (SQLite, and PostgreSQL when available) that knows the govcn source."""
    from storage.db import open_database
    from storage.notices import ensure_source

    database = open_database(database_url)
    with database.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
    yield database
    database.dispose()


# The web tests' database, filled by real crawls of the mirror (tests/web_support.py), and a TestClient
# over it: module-scoped, so each test module crawls once.
@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    from web_support import crawl_mirror_into

    workdir = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{workdir / 'crawled.sqlite3'}"
    crawl_mirror_into(url, workdir)
    return url, workdir


@pytest.fixture(scope="module")
def client(crawled: tuple[str, Path]) -> Iterator[Any]:
    from web_support import make_client

    with make_client(*crawled) as test_client:
        yield test_client
