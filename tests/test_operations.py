"""Operations: retention of crawl logs and raw HTML, backups, and read-only commands that refuse a
schema that is behind instead of migrating it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import current_revision, head_revision, open_database, upgrade
from storage.maintenance import backup_sqlite, pg_dump_command, prune
from storage.models import NoticeVersion
from storage.notices import NoticeRecord, raw_html_of, save_notice
from storage.types import utcnow

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def record(text: str, fetched: dt.datetime, url: str = "https://www.gov.cn/zhengce/content/2026-01/01/content_1.htm"
           ) -> NoticeRecord:
    return NoticeRecord(source="govcn", url=url, title="国务院关于同意在天津市设立跨境电子商务综合试验区的批复",
                        text=text, raw_html=f"<html><body>{text}</body></html>".encode(), raw_encoding="utf-8",
                        fetched_at=fetched)


def store_history(db) -> None:  # type: ignore[no-untyped-def]
    """A notice revised twice: versions fetched 90, 60 and 1 days before NOW; another one 90 days old."""
    with db.session() as session, session.begin():
        for days, text in ((90, "一、同意设立。"), (60, "一、同意设立。二、加强领导。"), (1, "一、同意设立。二、三、")):
            save_notice(session, record(text, NOW - dt.timedelta(days=days)))
        save_notice(session, record("另一份通知。", NOW - dt.timedelta(days=90),
                                    url="https://www.gov.cn/zhengce/content/2026-01/01/content_2.htm"))


def html_by_text(db) -> dict[str, bytes | None]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {v.text: raw_html_of(v) for v in session.scalars(select(NoticeVersion))}


def test_prune_drops_old_raw_html_and_logs_but_keeps_texts_and_the_current_pages(db, tmp_path: Path) -> None:
    store_history(db)
    logs = tmp_path / "logs"
    logs.mkdir()
    old_log, new_log, other = logs / "crawl-1.log", logs / "crawl-9.log", logs / "notes.txt"
    for path in (old_log, new_log, other):
        path.write_text("2026-… INFO scrapy …\n", encoding="utf-8")
    old = (NOW - dt.timedelta(days=45)).timestamp()
    os.utime(old_log, (old, old))
    os.utime(other, (old, old))

    dry = prune(db, logs, 30, dry_run=True, now=NOW)
    assert (dry.html_versions, dry.log_files) == (2, [old_log])
    assert old_log.exists() and all(html_by_text(db).values())  # a dry run changes nothing

    report = prune(db, logs, 30, now=NOW)
    assert report.html_versions == 2 and report.html_bytes > 0
    assert not old_log.exists() and new_log.exists() and other.exists()
    html = html_by_text(db)
    # Every version's text is kept; HTML only of the current versions (the 1-day-old one, and the
    # other notice's only version, old as it is: reparse reads it).
    assert set(html) == {"一、同意设立。", "一、同意设立。二、加强领导。", "一、同意设立。二、三、", "另一份通知。"}
    assert html["一、同意设立。"] is None and html["一、同意设立。二、加强领导。"] is None
    assert html["一、同意设立。二、三、"] and html["另一份通知。"]
    assert prune(db, logs, 30, now=NOW).html_versions == 0


def test_sqlite_backup_is_a_consistent_copy_taken_while_the_database_is_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    db = open_database(url)
    from storage.notices import ensure_source

    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
    store_history(db)
    writer = db.session()  # an open write transaction does not block the backup
    writer.begin()
    copy = tmp_path / "backup" / "copy.sqlite3"
    assert backup_sqlite(url, copy) > 0
    writer.rollback()
    writer.close()
    db.dispose()
    assert copy.stat().st_mode & 0o077 == 0
    assert not Path(f"{copy}-wal").exists()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM notice_versions").fetchone() == (4,)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == current_revision(
            open_database(url, migrate=False).engine)


def test_pg_dump_command_keeps_the_password_off_the_command_line() -> None:
    command, env = pg_dump_command("postgresql+psycopg://cbec:s3cr%40t@db:5432/cbecwatch", Path("/b/x.dump"))
    assert command[0] == "pg_dump" and "--format=custom" in command
    assert "--dbname=postgresql://cbec@db:5432/cbecwatch" in command
    assert "s3cr" not in " ".join(command) and env == {"PGPASSWORD": "s3cr@t"}


@pytest.mark.postgres
def test_db_backup_of_postgresql_runs_pg_dump_into_a_restorable_archive(cli, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import require

    base = os.environ.get("CBECWATCH_TEST_PG_URL")
    if not base or not shutil.which("pg_dump"):
        require("needs CBECWATCH_TEST_PG_URL and pg_dump")
    monkeypatch.setenv("CBECWATCH_DATABASE_URL", base)
    assert cli("db", "upgrade").returncode == 0
    archive = tmp_path / "cbecwatch.dump"
    result = cli("db", "backup", str(archive))
    assert result.returncode == 0, result.stderr
    listing = subprocess.run(["pg_restore", "--list", str(archive)], capture_output=True, text=True, check=True)
    assert "TABLE public notice_versions" in listing.stdout or " notice_versions " in listing.stdout
    printed = cli("db", "backup", str(tmp_path / "other.dump"), "--print")
    assert printed.returncode == 0 and printed.stdout.startswith("pg_dump --format=custom")


@pytest.mark.parametrize("command", [["notices"], ["show", "1"], ["sources"], ["events"], ["zones"],
                                     ["subscribers", "list"], ["deliveries"], ["diff", "1"]])
def test_read_only_commands_refuse_a_schema_that_is_behind_and_leave_it_alone(cli, app_home: Path,
                                                                               command: list[str]) -> None:
    from cbecwatch.config import get_settings

    engine = open_database(get_settings().database_url, migrate=False).engine
    upgrade(engine, "0009")
    result = cli(*command)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    head = head_revision(engine)
    assert len(lines) == 1 and lines[0].endswith(f"behind this cbecwatch's {head}: run cbecwatch db upgrade"), lines
    assert current_revision(engine) == "0009"  # not migrated behind the operator's back
    assert cli("db", "upgrade").returncode == 0
    assert current_revision(engine) == head
    assert "db upgrade" not in cli(*command).stderr


def test_a_fresh_install_answers_zones_before_any_crawl_and_a_foreign_database_is_refused(
        cli, app_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import sqlite3

    # No database yet: creating an empty one's schema changes nothing anyone has (issue 11: day one).
    zones = cli("zones", "--as-of", "2019-12-31", "--json")
    assert zones.returncode == 0, zones.stderr
    assert len(json.loads(zones.stdout)) == 59
    # A database with tables but no cbecwatch schema is somebody else's: refused, never migrated.
    other = app_home / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (id INTEGER)")
    monkeypatch.setenv("CBECWATCH_DATABASE_URL", f"sqlite:///{other}")
    result = cli("notices")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "has no cbecwatch schema yet" in result.stderr and "run cbecwatch db upgrade" in result.stderr


def test_prune_command_dry_run_and_days(cli, app_home: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    logs = app_home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / "crawl-3.log"
    log.write_text("old\n", encoding="utf-8")
    old = (utcnow() - dt.timedelta(days=40)).timestamp()
    os.utime(log, (old, old))
    dry = cli("prune", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.startswith("would delete 1 crawl logs") and log.exists()
    assert cli("prune", "--days", "50").stdout.startswith("deleted 0 crawl logs") and log.exists()
    assert cli("prune").stdout.startswith("deleted 1 crawl logs") and not log.exists()
    assert "--days must be a positive" in cli("prune", "--days", "0").stderr
