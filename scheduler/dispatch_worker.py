"""``cbecwatch dispatch``: a dispatcher-only process — sends due outbox deliveries, schedules nothing.

Run as many as the receivers and the database can take beside the daemon: on PostgreSQL each pass
claims its batch ``FOR UPDATE SKIP LOCKED`` (``storage.outbox.claim_due``), so no delivery is claimed by
two of them at once. Crawls, digests, the heartbeat and retention stay with the one daemon, which holds
the scheduler lock (``scheduler/lock.py``): APScheduler 3 cannot share jobs between schedulers. This
process takes no lock — on SQLite there is one writer anyway, so extra dispatchers only queue behind it.
"""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType

from appconfig.settings import AlertSettings
from scheduler.dispatch import Dispatcher
from storage.db import Database

log = logging.getLogger("cbecwatch.dispatch")


def run_dispatcher(db: Database, alerts: AlertSettings, *, once: bool = False) -> int:
    """Pass after pass while deliveries are due; idle ``CBECWATCH_DISPATCH_INTERVAL`` seconds between
    empty passes. ``once``: exit as soon as a pass finds nothing due. SIGTERM/SIGINT: finish the sends in
    flight, hand the rest of the batch back at once (no lease to wait out), exit 0."""
    dispatcher = Dispatcher(db, alerts)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("dispatcher %d: signal %d, stopping after the sends in flight", os.getpid(), signum)
        dispatcher.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("dispatcher started (pid %d) on %s: batches of %d, %d concurrent sends", os.getpid(),
             db.engine.url.render_as_string(hide_password=True), alerts.dispatch_batch, alerts.send_workers)
    sent = 0
    while not dispatcher.stopping.is_set():
        report = dispatcher.run_once()
        sent += len(report.sent)
        if report.claimed:
            continue  # more may be due: no pause while there is work
        if once:
            break
        dispatcher.stopping.wait(alerts.dispatch_interval)
    log.info("dispatcher %d stopped: %d sent", os.getpid(), sent)
    return 0
