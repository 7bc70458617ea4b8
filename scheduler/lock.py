"""One daemon per database: APScheduler 3 cannot share its work between schedulers (two ran a job
11 times in 6 s when measured). Sending is not what the lock guards: extra ``cbecwatch dispatch``
processes take no lock and share the outbox through ``storage.outbox.claim_due``.

PostgreSQL: a session-level advisory lock, keyed on the schema so test schemas do not collide,
held on a dedicated autocommit connection for the daemon's life. SQLite: an exclusive ``flock`` on
``<database file>.daemon.lock``. Both vanish with the process, even after ``kill -9``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.models_alerts import DaemonState


class AlreadyRunning(RuntimeError):
    """Another daemon holds the lock; the message says where and how to find it."""


def _holder(db: Database) -> str:
    with contextlib.suppress(Exception), db.session() as session:
        state = session.get(DaemonState, "daemon")
        if state is not None:
            return f" (pid {state.pid} on {state.host}, last heartbeat {state.beat_at:%Y-%m-%d %H:%M:%S} UTC)"
    return ""


class DaemonLock:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = make_url(db.engine.url)
        self._file: IO[str] | None = None
        self._conn: Any = None

    @property
    def lock_path(self) -> Path | None:
        if self.url.get_backend_name() != "sqlite" or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database).expanduser().resolve().with_name(Path(self.url.database).name + ".daemon.lock")

    def acquire(self) -> None:
        backend = self.url.get_backend_name()
        safe = self.url.render_as_string(hide_password=True)
        if backend == "postgresql":
            conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext('cbecwatch-daemon:' || current_schema()))"))
            if not got.scalar():
                conn.close()
                raise AlreadyRunning(f"another cbecwatch daemon is already running on {safe}{_holder(self.db)}; "
                                     "stop it first (one scheduler per database)")
            self._conn = conn
            return
        path = self.lock_path
        if path is None:
            return  # an in-memory database cannot be shared anyway
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip()
            handle.close()
            raise AlreadyRunning(f"another cbecwatch daemon is already running on {safe} (pid {pid or '?'}, "
                                 f"lock file {path}){_holder(self.db)}; stop it first (one scheduler per database)"
                                 ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(hashtext('cbecwatch-daemon:' || current_schema()))"))
                self._conn.close()
            self._conn = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
                self._file.close()
            self._file = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
