"""``cbecwatch daemon``: APScheduler 3 running crawls, the outbox dispatcher, digests and a heartbeat.

Each crawl is a child process (``python -m cbecwatch crawl --source NAME --trigger daemon``): a
Twisted reactor cannot be restarted, and a crash, leak or hang in one crawl must not take the
daemon down (stack.md §3, pattern P5). The child stores notices, events and outbox rows in one
transaction per notice; the daemon only reads the outbox, so a daemon killed at any moment loses
nothing the child committed. With ``CBECWATCH_CRAWL_BACKEND=scrapyd`` each crawl is a Scrapyd job
instead (``scheduler/crawl_backends.py``).

Jobs: ``crawl:<source>`` per source (interval or cron in Asia/Shanghai, with jitter, one at a time,
coalesced, with a misfire grace), ``dispatch`` every few seconds (also woken when a crawl ends),
``digests``, ``heartbeat`` and a daily ``prune`` (retention). SIGTERM/SIGINT stop it: children are
terminated, the scheduler waits for the running jobs, the lock is released. A second signal kills the children at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from appconfig.schedules import CHINA, crontab_weekdays, trigger_for  # noqa: F401  (names the tests import from here)
from appconfig.settings import AlertSettings, Settings
from crawler.runstore import close_abandoned_crawl_runs
from scheduler.children import ChildRegistry, process_alive
from scheduler.crawl_backends import CrawlBackend, crawl_backend
from scheduler.dispatch import Dispatcher
from scheduler.lock import DaemonLock
from storage.db import Database
from storage.models_alerts import DEAD, HELD, PENDING, DaemonState, Delivery
from storage.subscribers import sync_from_file
from storage.types import utcnow

log = logging.getLogger("cbecwatch.daemon")
STOP_GRACE = 15.0  # seconds a crawl child gets to close after SIGTERM before it is killed


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", force=True)
    # "Running job …" every few seconds drowns what matters; keep APScheduler's warnings and errors.
    for noisy in ("apscheduler.executors", "apscheduler.scheduler", "httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Daemon:
    def __init__(self, db: Database, app: Settings, alerts: AlertSettings, sources: list[str],
                 mirror: str | None = None, web: tuple[str, int] | None = None) -> None:
        from scheduler.web_child import WebChild

        self.db = db
        self.web = WebChild(*web) if web else None
        self.app = app
        self.alerts = alerts
        self.sources = sources
        self.mirror = mirror
        self.dispatcher = Dispatcher(db, alerts)
        self.scheduler: BlockingScheduler | None = None
        self.backend: CrawlBackend = crawl_backend(db, app, alerts)
        self.stopping = threading.Event()
        self.dispatching = threading.Event()
        self.started_at = utcnow()
        self.failed_crawls = 0
        # At most this many crawls (processes) at once: every due source starting its own would be 300 processes
        # for 300 sources (bench row 11). A job waits here, started, rather than in a bounded executor's queue,
        # where APScheduler drops a job queued longer than the misfire grace until its next run (seen: a day).
        self.crawl_slots = threading.BoundedSemaphore(alerts.crawl_concurrency)

    # -- start-up ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        if self.alerts.subscribers_file:
            path = Path(self.alerts.subscribers_file).expanduser()
            with self.db.session() as session, session.begin():
                added, updated, removed = sync_from_file(session, path)
            log.info("subscribers file %s: %d added, %d updated, %d removed", path, added, updated, removed)
        self.heartbeat()

    def clean_up_after_predecessor(self) -> None:
        """Holding the lock, we know the previous daemon is gone: kill the crawl children it left (they
        outlive a ``kill -9`` in their own process groups) and close the crawl runs nobody will finish."""
        reaped = ChildRegistry(self.app.home).reap_orphans()
        if reaped:
            log.warning("killed %d crawl children of a previous daemon: %s", len(reaped),
                        ", ".join(f"{c['source']} (pid {c['pid']})" for c in reaped))
        self.close_abandoned_runs()

    def close_abandoned_runs(self) -> None:
        close_abandoned_crawl_runs(self.db, socket.gethostname(), process_alive, self.app.broken_after)

    def run_forever(self) -> int:
        scheduler = BlockingScheduler(
            timezone=CHINA,
            executors={"default": ThreadPoolExecutor(len(self.sources) + 4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": int(self.alerts.misfire_grace)},
        )
        self.scheduler = scheduler
        now = dt.datetime.now(CHINA)
        for source in self.sources:
            spec = self.alerts.schedule_for(source)
            # Interval sources start at once (spread by the jitter); cron ones wait for their time.
            first = now + dt.timedelta(seconds=random.uniform(0, self.alerts.crawl_jitter)) \
                if spec.startswith("interval:") else None
            extra = {"next_run_time": first} if first else {}
            scheduler.add_job(self.crawl, trigger_for(spec, self.alerts.crawl_jitter), args=[source],
                              id=f"crawl:{source}", name=f"crawl {source}", **extra)
            log.info("source %s: %s (Asia/Shanghai), jitter %.0f s, timeout %.0f s", source, spec,
                     self.alerts.crawl_jitter, self.alerts.crawl_timeout)
        log.info("at most %d crawls at once (CBECWATCH_CRAWL_CONCURRENCY)", self.alerts.crawl_concurrency)
        scheduler.add_job(self.dispatch, IntervalTrigger(seconds=self.alerts.dispatch_interval), id="dispatch",
                          name="dispatch", next_run_time=now)
        scheduler.add_job(self.digests, IntervalTrigger(seconds=self.alerts.digest_check_interval), id="digests",
                          name="digests", next_run_time=now)
        scheduler.add_job(self.heartbeat, IntervalTrigger(seconds=self.alerts.heartbeat_interval), id="heartbeat",
                          name="heartbeat")
        if self.app.log_retention_days:
            scheduler.add_job(self.prune, IntervalTrigger(days=1, timezone=CHINA), id="prune", name="prune",
                              next_run_time=now + dt.timedelta(minutes=1))
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        log.info("daemon started (pid %d) on %s; %d sources; mirror %s", os.getpid(),
                 self.db.engine.url.render_as_string(hide_password=True), len(self.sources), self.mirror or "off")
        if self.web is not None:
            self.web.start()
        scheduler.start()  # blocks until shutdown
        # A child killed after the stop grace wrote no verdict: its run must not stay ``running``.
        self.close_abandoned_runs()
        log.info("daemon stopped")
        return 0

    def run_once(self) -> int:
        """For cron users: every source once (in turn), then digests due and every delivery due."""
        for source in self.sources:
            if self.stopping.is_set():
                break
            self.crawl(source)
        self.dispatcher.fold_digests()
        self.dispatcher.run_once()
        self.heartbeat()
        return 1 if self.failed_crawls else 0

    # -- jobs --------------------------------------------------------------------------------------
    def crawl(self, source: str) -> None:
        with self.crawl_slots:
            if self.stopping.is_set():
                return
            started = utcnow()
            attempt = self.backend.run(source, self.mirror)
        seconds = (utcnow() - started).total_seconds()
        if attempt.ok:
            log.info("crawl %s: done in %.1f s — %s", source, seconds, attempt.summary or "no summary")
        else:
            self.failed_crawls += 1
            log.warning("crawl %s: failed after %.1f s — %s", source, seconds, attempt.detail)
        self.wake_dispatcher()

    def dispatch(self) -> None:
        if self.stopping.is_set():
            return
        self.dispatching.set()
        try:
            self.dispatcher.run_once()
        finally:
            self.dispatching.clear()

    def digests(self) -> None:
        if not self.stopping.is_set() and self.dispatcher.fold_digests():
            self.wake_dispatcher()

    def wake_dispatcher(self) -> None:
        """New outbox rows may be waiting: run the dispatcher now rather than at its next tick."""
        # A running dispatcher picks the new rows up on its next tick; poking it now would only
        # make APScheduler log a skipped run.
        if self.scheduler is not None and not self.stopping.is_set() and not self.dispatching.is_set():
            try:
                self.scheduler.modify_job("dispatch", next_run_time=dt.datetime.now(CHINA))
                self.scheduler.wakeup()
            except Exception:  # shutting down: the job store is gone
                log.debug("dispatcher wake-up skipped", exc_info=True)

    def prune(self) -> None:
        """Daily retention: crawl logs and raw HTML older than CBECWATCH_LOG_RETENTION_DAYS."""
        from storage.maintenance import prune

        if self.stopping.is_set():
            return
        report = prune(self.db, self.app.log_dir, self.app.log_retention_days)
        log.info("retention: %s", report.summary())

    def heartbeat(self) -> None:
        if self.web is not None and not self.stopping.is_set():
            self.web.ensure_running()
        now = utcnow()
        with self.db.session() as session, session.begin():
            counts = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
            info = {"pending": counts.get(PENDING, 0), "dead": counts.get(DEAD, 0), "held": counts.get(HELD, 0),
                    "sources": self.sources, "mirror": self.mirror}
            state = session.get(DaemonState, "daemon")
            if state is None:
                state = DaemonState(name="daemon", pid=os.getpid(), host=socket.gethostname(),
                                    started_at=self.started_at, beat_at=now, info=info)
                session.add(state)
            state.pid, state.host, state.started_at, state.beat_at, state.info = (
                os.getpid(), socket.gethostname(), self.started_at, now, info)
        log.info("heartbeat: %d pending, %d held for digests, %d dead deliveries", info["pending"], info["held"],
                 info["dead"])

    # -- stopping ----------------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            log.warning("%s again: killing crawl children now", name)
            self._signal_children(signal.SIGKILL)
            return
        log.info("%s received: stopping (waiting for running jobs; %s again kills crawls)", name, name)
        # Shutting the scheduler down from inside the signal handler could deadlock on its locks.
        threading.Thread(target=self.stop, name="shutdown", daemon=True).start()

    def _signal_children(self, signum: int) -> None:
        self.backend.stop(signum)

    def stop(self) -> None:
        self.stopping.set()
        self.dispatcher.stopping.set()
        self._signal_children(signal.SIGTERM)
        killer = threading.Timer(STOP_GRACE, self._signal_children, args=[signal.SIGKILL])
        killer.daemon = True
        killer.start()
        if self.web is not None:
            self.web.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        killer.cancel()


def run_daemon(db: Database, app: Settings, alerts: AlertSettings, sources: list[str], *, mirror: str | None,
               once: bool, web: tuple[str, int] | None = None) -> int:
    """Take the database's daemon lock (or raise AlreadyRunning), then run."""
    with DaemonLock(db):
        daemon = Daemon(db, app, alerts, sources, mirror, web=None if once else web)
        daemon.clean_up_after_predecessor()
        daemon.prepare()
        if once:
            signal.signal(signal.SIGTERM, lambda *_: daemon.stopping.set())
            return daemon.run_once()
        return daemon.run_forever()
