"""Operations on a running installation: retention of crawl logs and raw HTML, and backups.

Retention (``CBECWATCH_LOG_RETENTION_DAYS``, run by the daemon daily and by ``cbecwatch prune``):
crawl log files older than the cut-off are deleted, and the raw HTML kept beside each notice version
is dropped for versions fetched before it. A version's text, facts and extraction are kept, and so
is the HTML of each notice's current version, which ``reparse`` reads.

Backups: SQLite through its online backup API (a consistent copy while the daemon writes);
PostgreSQL through ``pg_dump`` in its custom format (restore with ``pg_restore``).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import aliased

from storage.db import Database
from storage.models import Notice, NoticeVersion
from storage.types import utcnow

LOG_PATTERN = "crawl-*.log"


@dataclass
class PruneReport:
    cutoff: dt.datetime
    dry_run: bool
    log_files: list[Path] = field(default_factory=list)
    log_bytes: int = 0
    html_versions: int = 0
    html_bytes: int = 0

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (f"{verb} {len(self.log_files)} crawl logs ({self.log_bytes / 1e6:.1f} MB) and the raw HTML of "
                f"{self.html_versions} notice versions ({self.html_bytes / 1e6:.1f} MB, compressed) older than "
                f"{self.cutoff:%Y-%m-%d %H:%M} UTC; versions' text kept")


def _prunable_html():  # type: ignore[no-untyped-def]
    """Versions whose raw HTML may go: all but each notice's current version (latest when unset)."""
    newer = aliased(NoticeVersion)
    latest = select(func.max(newer.number)).where(newer.notice_id == NoticeVersion.notice_id).scalar_subquery()
    current = select(Notice.current_version).where(Notice.id == NoticeVersion.notice_id).scalar_subquery()
    return and_(NoticeVersion.raw_html.is_not(None), NoticeVersion.number != func.coalesce(current, latest))


def old_log_files(log_dir: Path, cutoff: dt.datetime) -> list[Path]:
    if not log_dir.is_dir():
        return []
    limit = cutoff.timestamp()
    return sorted(path for path in log_dir.glob(LOG_PATTERN) if path.is_file() and path.stat().st_mtime < limit)


def prune(db: Database, log_dir: Path, days: int, *, dry_run: bool = False,
          now: dt.datetime | None = None) -> PruneReport:
    """Delete crawl logs and raw HTML older than ``days`` days (``dry_run``: only count them)."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    report = PruneReport(cutoff=cutoff, dry_run=dry_run, log_files=old_log_files(log_dir, cutoff))
    report.log_bytes = sum(path.stat().st_size for path in report.log_files)
    condition = and_(_prunable_html(), NoticeVersion.fetched_at < cutoff)
    with db.session() as session, session.begin():
        count, size = session.execute(
            select(func.count(), func.coalesce(func.sum(func.length(NoticeVersion.raw_html)), 0)).where(condition)
        ).one()
        report.html_versions, report.html_bytes = int(count), int(size)
        if not dry_run and count:
            session.execute(update(NoticeVersion).where(condition).values(raw_html=None, raw_encoding=None)
                            .execution_options(synchronize_session=False))
    if not dry_run:
        for path in report.log_files:
            path.unlink(missing_ok=True)
    return report


class BackupError(RuntimeError):
    pass


def backup_sqlite(url: str | URL, destination: Path) -> int:
    """Copy a live SQLite database with the online backup API; returns the copy's size in bytes."""
    source_path = make_url(url).database
    if not source_path or source_path == ":memory:" or not Path(source_path).expanduser().is_file():
        raise BackupError(f"no SQLite database file at {source_path!r}")
    if destination.exists():
        raise BackupError(f"{destination} exists; give a new file name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(Path(source_path).expanduser())
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)  # page by page; writers may go on meanwhile
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()
    os.chmod(destination, 0o600)  # it holds webhook secrets like the original
    return destination.stat().st_size


def pg_dump_command(url: str | URL, destination: Path) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump`` command line for a PostgreSQL URL and the environment it needs (the password
    goes in ``PGPASSWORD``, never on the command line, where ``ps`` would show it)."""
    parsed = make_url(url)
    env: dict[str, str] = {}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    libpq = parsed._replace(drivername="postgresql", password=None)  # URL.set() cannot unset a field
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={destination}",
               f"--dbname={libpq.render_as_string(hide_password=False)}"]
    return command, env
