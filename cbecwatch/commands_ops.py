"""``cbecwatch prune`` and ``cbecwatch db backup``: keeping a long-running installation small and safe."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from cbecwatch.common import UserError


def add_commands(sub: argparse._SubParsersAction, db_sub: argparse._SubParsersAction) -> None:
    prune = sub.add_parser("prune", help="delete crawl logs and raw HTML older than CBECWATCH_LOG_RETENTION_DAYS")
    prune.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    prune.add_argument("--days", type=int, metavar="N", help="this many days instead of the setting")
    prune.set_defaults(handler="cbecwatch.commands_ops:prune")

    backup = db_sub.add_parser("backup", help="copy the database to PATH (SQLite online backup, or pg_dump)")
    backup.add_argument("path", type=Path)
    backup.add_argument("--print", dest="print_only", action="store_true",
                        help="PostgreSQL: print the pg_dump command instead of running it")
    backup.set_defaults(handler="cbecwatch.commands_ops:backup")


def prune(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from cbecwatch.config import get_settings
    from storage.maintenance import prune as prune_old

    app = get_settings()
    days = app.log_retention_days if args.days is None else args.days
    if days < 1:
        if args.days is not None:
            raise UserError(f"--days must be a positive whole number, got {args.days}")
        print("CBECWATCH_LOG_RETENTION_DAYS=0: crawl logs and raw HTML are kept for ever; nothing pruned")
        return 0
    db = open_configured(writes=not args.dry_run)
    report = prune_old(db, app.log_dir, days, dry_run=args.dry_run)
    db.dispose()
    print(report.summary())
    return 0


def backup(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from cbecwatch.config import get_settings
    from storage.maintenance import BackupError, backup_sqlite, pg_dump_command

    app = get_settings()
    url = make_url(app.database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        try:
            size = backup_sqlite(url, args.path)
        except (BackupError, OSError) as exc:
            raise UserError(f"backup of {app.shown_database_url} failed: {exc}") from exc
        print(f"{app.shown_database_url} copied to {args.path} ({size / 1e6:.1f} MB); restore: stop the daemon, "
              f"copy it back over {url.database}")
        return 0
    if backend != "postgresql":
        raise UserError(f"db backup knows SQLite and PostgreSQL, not {backend} ({app.shown_database_url})")
    command, env = pg_dump_command(url, args.path)
    shown = " ".join(shlex.quote(part) for part in command)
    if args.print_only or not shutil.which("pg_dump"):
        if not args.print_only:
            print("cbecwatch: pg_dump is not on the PATH (Debian: apt-get install postgresql-client); run:",
                  file=sys.stderr)
        prefix = "PGPASSWORD=… " if env else ""
        print(prefix + shown)
        return 0 if args.print_only else 2
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"pg_dump of {app.shown_database_url} failed: {detail}")
    os.chmod(args.path, 0o600)
    print(f"{app.shown_database_url} dumped to {args.path} ({args.path.stat().st_size / 1e6:.1f} MB); "
          f"restore: pg_restore --clean --if-exists --no-owner --dbname=URL {args.path}")
    return 0
