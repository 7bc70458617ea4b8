"""``daemon --web``: the web app as a child process of the daemon (``cbecwatch serve``).

A child process rather than a thread: page renders then never compete with the scheduler and the
dispatcher for the daemon's GIL, uvicorn keeps its own signal handling as under ``serve``, and a
crash in the web app cannot take the daemon down. The daemon starts it, starts it again at the next
heartbeat if it died, and stops it on shutdown.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys

log = logging.getLogger("cbecwatch.daemon")


class WebChild:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "cbecwatch", "serve", "--host", self.host, "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=dict(os.environ), start_new_session=True)
        log.info("web app: started on http://%s:%d/ (child pid %d)", self.host, self.port, self.process.pid)

    def ensure_running(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            log.warning("web app: exited with status %s; starting it again", self.process.returncode)
            self.start()

    def stop(self, grace: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()
