"""Engines, sessions and automatic migrations.

``open_database(url)`` is the single entry point: it creates the engine (SQLite in WAL mode with a
busy timeout, so that the daemon, a crawl child process and a reader never trip over each other),
brings the schema to the newest Alembic revision on first use and returns a session factory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import storage.schema  # noqa: F401  (every table mapped: sessions handed out here may touch any of them)
from appconfig.settings import mask_password

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message names the URL (without password)."""


class SchemaNotCurrent(DatabaseError):
    """The database's schema is not the one this cbecwatch was written for; only ``db upgrade`` fixes it."""


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def dialect_name(bind: Any) -> str:
    """``"sqlite"`` or ``"postgresql"`` for a session, connection or engine.

    The storage modules branch on it where the two databases need different SQL (upserts, locks,
    full-text search); one helper so that a session and a bare connection are asked the same way."""
    # A Session (and scoped session) answers through get_bind(); Connection and Engine carry .dialect.
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return str(bind.dialect.name)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work at once (measured 10x faster writes under readers);
    # NORMAL is durable across application crashes in WAL mode, which is what we need.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser interpolates '%': escape it (URL-encoded passwords and options contain it)
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# Any constant shared by every cbecwatch process: the key of the PostgreSQL advisory lock.
_MIGRATION_LOCK_KEY = 0x63626563  # "cbec"


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Let one process at a time migrate, so that a daemon, its crawl child and a CLI command
    started together on a new database do not all create the same tables.

    SQLite runs DDL outside a transaction (pysqlite does not open one for it), so two migrators
    would both see an empty schema: a lock file beside the database serialises them. It is held
    until the migration has *committed*: released before the commit, a waiting process would find
    the tables made but no version recorded and create them again ("table … already exists").
    PostgreSQL has transactional DDL: a transaction-scoped advisory lock (:func:`upgrade`) does it.
    """
    database = engine.url.database if dialect_name(engine) == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent first starts are the user's to avoid
        yield
        return
    lock_path = Path(database).expanduser().with_name(Path(database).name + ".migrate-lock")
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations; a no-op (one cheap query) when the schema is current."""
    if revision == "head" and current_revision(engine) == head_revision(engine):
        return
    from alembic import command

    cfg = alembic_config(engine)
    with _migration_lock(engine), engine.begin() as conn:  # the lock outlives the commit
        if dialect_name(engine) == "postgresql":  # released by the commit itself
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        # Alembic reads the version table on this connection after the lock is held, so a
        # process that waited finds the work done and applies nothing twice.
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def schema_problem(engine: Engine) -> str | None:
    """Why this code cannot use the database's schema as it is (behind, empty, or from a newer
    cbecwatch), or ``None`` when it is at the newest revision."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config(engine))
    current, head = current_revision(engine), scripts.get_current_head()
    if current == head:
        return None
    if current is None:
        return f"has no cbecwatch schema yet (newest revision {head}): run cbecwatch db upgrade"
    try:
        scripts.get_revision(current)
    except Exception:  # a revision we do not know: written by a newer cbecwatch
        return f"is at schema revision {current}, newer than this cbecwatch knows ({head}): upgrade cbecwatch"
    return f"is at schema revision {current}, behind this cbecwatch's {head}: run cbecwatch db upgrade"


def open_database(url: str, *, migrate: bool = True, require_current: bool = False) -> Database:
    """Open ``url``; ``migrate`` brings the schema to the newest revision first (writers: crawl, daemon,
    ``db upgrade``), ``require_current`` instead refuses a schema that is not current (read-only
    commands, which must never change a database behind the operator's back).

    A database with no tables at all is created even by a read-only command: creating the schema of
    an empty database changes nothing anyone has, and a fresh install must answer ``zones`` (the
    shipped registry) before its first crawl."""
    safe_url = mask_password(url)
    try:
        engine = create_db_engine(url)
        if migrate or (require_current and current_revision(engine) is None and not table_names(engine)):
            upgrade(engine)
        problem = schema_problem(engine) if require_current else None
    except Exception as exc:  # the CLI turns this into one clear line
        # psycopg's messages run over several lines (host, port, hint): the first says what happened
        first_line = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise DatabaseError(f"cannot open database {safe_url}: {first_line}") from exc
    if problem:
        engine.dispose()
        raise SchemaNotCurrent(f"database {safe_url} {problem}")
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
