"""Where the daemon's crawls run: one small interface, two engines.

* :class:`LocalBackend` — a child process per crawl (``python -m cbecwatch crawl --source NAME``) in a
  process group of its own, killed as a group on time-out and on the daemon's exit.
* :class:`ScrapydBackend` — a job per crawl on one of ``CBECWATCH_SCRAPYD_URLS`` (``schedule.json``,
  polled with ``listjobs.json``, ``cancel.json`` on time-out). The job is ``scrapy crawl NAME`` of the
  deployed ``cbecwatch`` project; it writes into the database named by the Scrapyd node's own
  environment (``CBECWATCH_DATABASE_URL``: the URL is never sent through Scrapyd's API, which shows
  job settings to anyone who asks ``listjobs.json``), and the daemon reads the verdict from there.

Both report through the same :class:`CrawlAttempt`, and a killed or lost crawl becomes a failed run of
its source with the reason, as local runs always did.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import httpx

from appconfig.settings import AlertSettings, Settings
from crawler.health import FAILED_STATUSES
from crawler.runner import UNFINISHED, close_crawl_run, mirror_overrides
from crawler.runstore import fail_interrupted_run
from scheduler.children import ChildRegistry
from storage.db import Database
from storage.models import CrawlRun
from storage.types import utcnow

log = logging.getLogger("cbecwatch.daemon")


@dataclass
class CrawlAttempt:
    source: str
    ok: bool
    #: the source's own verdict line (``govcn: ok, 3 new …``), when it wrote one
    summary: str | None
    #: what went wrong, for a failed attempt (exit status, time-out, the job's log)
    detail: str = ""


class CrawlBackend(Protocol):
    def run(self, source: str, mirror: str | None) -> CrawlAttempt:
        """Crawl one source to its end (or its time-out) and say how it went."""

    def stop(self, signum: int) -> None:
        """Stop the crawls running now: SIGTERM lets them close, SIGKILL ends them."""


def timeout_reason(alerts: AlertSettings) -> str:
    return f"crawl killed after the {alerts.crawl_timeout:.0f} s time-out (CBECWATCH_CRAWL_TIMEOUT)"


class LocalBackend:
    def __init__(self, db: Database, app: Settings, alerts: AlertSettings) -> None:
        self.db, self.app, self.alerts = db, app, alerts
        self.children: dict[str, subprocess.Popen[str]] = {}
        self.lock = threading.Lock()
        self.registry = ChildRegistry(app.home)

    def run(self, source: str, mirror: str | None) -> CrawlAttempt:
        command = [sys.executable, "-m", "cbecwatch", "crawl", "--source", source, "--trigger", "daemon"]
        if mirror:
            command += ["--mirror", mirror]
        started = utcnow()
        # A session (and process group) of its own: Ctrl-C in a terminal reaches the daemon, which stops
        # the child itself, and a kill of the group reaches the crawl's own children (a browser).
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 env=dict(os.environ), start_new_session=True)
        with self.lock:
            self.children[source] = child
        self.registry.add(child.pid, source)
        log.info("crawl %s: started (child pid %d)", source, child.pid)
        try:
            output, _ = child.communicate(timeout=self.alerts.crawl_timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            output, _ = child.communicate()
            log.error("crawl %s: %s", source, timeout_reason(self.alerts))
            # The killed child wrote no verdict: without this the source would stay ``ok``.
            fail_interrupted_run(self.db, source, timeout_reason(self.alerts), started, self.app.broken_after)
        finally:
            with self.lock:
                self.children.pop(source, None)
            self.registry.remove(child.pid)
        lines = [line for line in (output or "").splitlines() if line.strip()]
        summary = next((line for line in reversed(lines) if line.startswith(f"{source}:")), None)
        if child.returncode == 0:
            return CrawlAttempt(source, True, summary)
        # The source's own progress line says what broke; without one (a crash), the last lines.
        detail = summary or " | ".join(lines[-3:]) or "no output"
        return CrawlAttempt(source, False, summary, f"exit status {child.returncode} — {detail}")

    def stop(self, signum: int) -> None:
        with self.lock:
            children = list(self.children.values())
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signum)


class ScrapydError(RuntimeError):
    pass


class ScrapydBackend:
    def __init__(self, db: Database, app: Settings, alerts: AlertSettings, client: httpx.Client | None = None
                 ) -> None:
        self.db, self.app, self.alerts = db, app, alerts
        self.client = client or httpx.Client(timeout=30.0)
        self.jobs: dict[str, tuple[str, str]] = {}  # source -> (node URL, job id)
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    # -- Scrapyd's API -----------------------------------------------------------------------------
    def _call(self, node: str, method: str, endpoint: str, **kwargs: object) -> dict:
        try:
            response = self.client.request(method, f"{node}/{endpoint}", **kwargs)  # type: ignore[arg-type]
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ScrapydError(f"Scrapyd at {node}: {endpoint} failed: {exc or type(exc).__name__}") from exc
        if answer.get("status") != "ok":
            raise ScrapydError(f"Scrapyd at {node}: {endpoint}: {answer.get('message') or answer}")
        return answer

    def nodes_by_load(self) -> list[str]:
        """Every configured node that answers, least busy first (pending + running jobs)."""
        loads: list[tuple[int, int, str]] = []
        for order, node in enumerate(self.alerts.scrapyd_urls):
            try:
                status = self._call(node, "GET", "daemonstatus.json")
            except ScrapydError as exc:
                log.warning("%s", exc)
                continue
            loads.append((int(status.get("pending", 0)) + int(status.get("running", 0)), order, node))
        return [node for _, _, node in sorted(loads)]

    def schedule(self, source: str, run_id: int, mirror: str | None) -> tuple[str, str]:
        settings = [f"CBECWATCH_CRAWL_RUN_ID={run_id}"]
        for name, value in mirror_overrides(mirror).items():
            settings.append(f"{name}={json.dumps(value) if isinstance(value, dict) else value}")
        job = f"{source}-{run_id}"
        errors = []
        for node in self.nodes_by_load():
            data = {"project": self.alerts.scrapyd_project, "spider": source, "jobid": job, "setting": settings}
            try:
                self._call(node, "POST", "schedule.json", data=data)
            except ScrapydError as exc:
                errors.append(str(exc))
                continue
            return node, job
        raise ScrapydError("; ".join(errors) or f"no Scrapyd node answered ({', '.join(self.alerts.scrapyd_urls)})")

    def job_state(self, node: str, job: str) -> tuple[str | None, dict]:
        answer = self._call(node, "GET", "listjobs.json", params={"project": self.alerts.scrapyd_project})
        for state in ("pending", "running", "finished"):
            for entry in answer.get(state, []):
                if entry.get("id") == job:
                    return state, entry
        return None, {}

    def cancel(self, node: str, job: str, signum: str) -> None:
        with contextlib.suppress(ScrapydError):
            self._call(node, "POST", "cancel.json",
                       data={"project": self.alerts.scrapyd_project, "job": job, "signal": signum})

    # -- one crawl ---------------------------------------------------------------------------------
    def run(self, source: str, mirror: str | None) -> CrawlAttempt:
        started = utcnow()
        with self.db.session() as session, session.begin():
            # Owned by this daemon: if it dies mid-job, its successor closes the run as abandoned.
            crawl_run = CrawlRun(trigger="scrapyd", mirror_url=mirror, pid=os.getpid(), host=socket.gethostname())
            session.add(crawl_run)
            session.flush()
            run_id = crawl_run.id
        try:
            node, job = self.schedule(source, run_id, mirror)
        except ScrapydError as exc:
            return self._lost(source, run_id, started, f"not scheduled: {exc}", "scrapyd")
        with self.lock:
            self.jobs[source] = (node, job)
        log.info("crawl %s: Scrapyd job %s on %s", source, job, node)
        try:
            problem = self._wait(source, node, job, time.monotonic())
        finally:
            with self.lock:
                self.jobs.pop(source, None)
        if problem:
            return self._lost(source, run_id, started, problem, (problem.startswith("crawl killed") and "timeout")
                              or "scrapyd")
        outcome = close_crawl_run(self.db, run_id, [source], broken_after=self.app.broken_after).outcomes[0]
        if outcome.reason == UNFINISHED:
            # Finished without a verdict in our database: it crashed, or wrote somewhere else.
            return self._lost(source, run_id, started, f"Scrapyd job {job} on {node} ended without a verdict in "
                              f"{self.app.shown_database_url} (does the node have the same CBECWATCH_DATABASE_URL? "
                              f"log: {node}/logs/{self.alerts.scrapyd_project}/{source}/{job}.log)", "scrapyd")
        summary = (f"{source}: {outcome.status}, {outcome.new} new, {outcome.revised} revised, "
                   f"{outcome.requests} requests (Scrapyd job {job} on {node})"
                   + (f" — {outcome.reason}" if outcome.reason else ""))
        failed = outcome.status in FAILED_STATUSES
        return CrawlAttempt(source, not failed, summary, summary if failed else "")

    def _wait(self, source: str, node: str, job: str, began: float) -> str | None:
        """Poll the job until it finished; cancel it on time-out. Returns why it failed, or None."""
        cancelled_at: float | None = None
        while True:
            try:
                state, _ = self.job_state(node, job)
            except ScrapydError as exc:
                log.warning("crawl %s: %s", source, exc)
                state = "unknown"
            if state == "finished":
                return timeout_reason(self.alerts) if cancelled_at is not None else None
            if state is None:
                return f"Scrapyd job {job} vanished from {node} (the node restarted?)"
            elapsed = time.monotonic() - began
            if cancelled_at is None and elapsed > self.alerts.crawl_timeout:
                log.error("crawl %s: %s (Scrapyd job %s on %s)", source, timeout_reason(self.alerts), job, node)
                self.cancel(node, job, "KILL")
                cancelled_at = time.monotonic()
            elif cancelled_at is not None and time.monotonic() - cancelled_at > 30:
                return f"{timeout_reason(self.alerts)}; Scrapyd job {job} on {node} did not end after cancel.json"
            time.sleep(self.alerts.scrapyd_poll_interval)

    def _lost(self, source: str, run_id: int, started: object, reason: str, error_class: str) -> CrawlAttempt:
        fail_interrupted_run(self.db, source, reason, started, self.app.broken_after,  # type: ignore[arg-type]
                             crawl_run_id=run_id, error_class=error_class)
        close_crawl_run(self.db, run_id, [source], broken_after=self.app.broken_after)
        return CrawlAttempt(source, False, None, reason)

    def stop(self, signum: int) -> None:
        """The daemon is stopping: TERM lets each job close its run; KILL ends it (its run is failed)."""
        with self.lock:
            jobs = list(self.jobs.values())
        for node, job in jobs:
            self.cancel(node, job, "KILL" if signum == signal.SIGKILL else "TERM")


def crawl_backend(db: Database, app: Settings, alerts: AlertSettings) -> CrawlBackend:
    if alerts.crawl_backend == "scrapyd":
        return ScrapydBackend(db, app, alerts)
    return LocalBackend(db, app, alerts)
