"""The daemon's crawl children, written down so that a successor can clean up after a killed daemon.

``<CBECWATCH_HOME>/run/crawl-children.json`` maps each child's pid (= its process group: children
start a session of their own) to its source and the daemon that started it. A child survives a
``kill -9`` of its daemon; the next daemon, once it holds the database's daemon lock (so the
predecessor is gone), kills every recorded group still alive and forgets the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from pathlib import Path

log = logging.getLogger("cbecwatch.daemon")


def process_alive(pid: int) -> bool:
    """Alive and not a zombie; on Linux also really a cbecwatch/scrapy process (pids are reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():
        return True
    with contextlib.suppress(OSError):
        if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
        command = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        return b"cbecwatch" in command or b"scrapy" in command
    return False


class ChildRegistry:
    def __init__(self, home: Path) -> None:
        self.path = home / "run" / "crawl-children.json"
        self.lock = threading.Lock()

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(self.path)  # atomic: a kill mid-write leaves the old file, never half of one

    def add(self, pid: int, source: str) -> None:
        with self.lock:
            data = self._read()
            data[str(pid)] = {"source": source, "pgid": pid, "daemon": os.getpid()}
            self._write(data)

    def remove(self, pid: int) -> None:
        with self.lock:
            data = self._read()
            if data.pop(str(pid), None) is not None:
                self._write(data)

    def reap_orphans(self) -> list[dict]:
        """Kill the process groups of children recorded by another (dead) daemon; returns them."""
        reaped = []
        with self.lock:
            data = self._read()
            for pid, entry in list(data.items()):
                if entry.get("daemon") == os.getpid():
                    continue
                if process_alive(int(pid)):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(int(entry.get("pgid", pid)), signal.SIGKILL)
                    log.warning("reaped crawl child %s (%s) left by daemon pid %s", pid, entry.get("source"),
                                entry.get("daemon"))
                    reaped.append({"pid": int(pid), **entry})
                del data[pid]
            if self.path.exists():
                self._write(data)
        return reaped
