"""Several processes opening one new SQLite database at once all end with the same, whole schema.

The daemon, its first crawl child and a CLI command often start together on a fresh data directory;
a process that waited for the migration lock must find the first one's work committed, never half
done ("table crawl_runs already exists" was seen from ``tests/test_daemon.py`` on a busy machine).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPEN = "import sys; from storage.db import open_database; open_database(sys.argv[1]).dispose()"


def test_processes_migrating_one_new_database_together_all_succeed(tmp_path: Path) -> None:
    for round_number in range(4):
        url = f"sqlite:///{tmp_path / f'race-{round_number}.sqlite3'}"
        children = [subprocess.Popen([sys.executable, "-c", OPEN, url], cwd=REPO, stderr=subprocess.PIPE, text=True)
                    for _ in range(4)]
        failures = [err for child in children if (err := child.communicate(timeout=120)[1]) and child.returncode]
        assert failures == [], failures[0][-500:]
