"""The outbox dispatcher: sends due deliveries, retries with exponential back-off, keeps dead letters.

Each pass claims a batch of due deliveries (one committed transaction: ``storage.outbox.claim_due``,
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several dispatcher processes share one outbox without
taking the same row), sends them and marks each (committed) after; nothing is held open during the
network call, so a crawl child can write meanwhile. If the process dies between sending and marking,
the claim's lease runs out and the delivery goes again under the same key — at-least-once with an
idempotency key, which is the best any sender can promise. A claimed delivery whose lease is nearly
over before its send starts is not sent by this pass (another dispatcher may take it once the lease
ends), so a slow pass does not double-send; ``CBECWATCH_DISPATCH_LEASE`` must exceed the send timeouts.

One slow or dead receiver must cost the others nothing: a pass sends concurrently
(``CBECWATCH_SEND_WORKERS``), at most ``CBECWATCH_PER_HOST_SENDS`` at once to one host, and a host that
did not answer three times in a row is left alone for a while (a circuit breaker: its deliveries are
deferred without spending an attempt). An answer that will not change on retry (400, 401, 403, 404,
405, 410, 413, 422) makes a dead letter at once; ``Retry-After`` is honoured; each dead letter raises a
``delivery_dead`` admin event.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from appconfig.settings import AlertSettings
from scheduler.channels import ChannelError, redact
from scheduler.channels.apprise import send_apprise
from scheduler.channels.email import send_email
from scheduler.channels.webhook import send_webhook
from scheduler.messages import Message, build_message
from storage.db import Database
from storage.models_alerts import DELIVERY_DEAD, Delivery, Subscriber
from storage.outbox import RetryPolicy, claim_due, defer, fold_digests, mark_delivered, mark_failed
from storage.secrets import SecretError, unseal
from storage.targets import TargetError, check_apprise_url, check_webhook_url
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    claimed: int = 0  # rows this pass leased: 0 means nothing was due

    def __str__(self) -> str:
        text = f"{len(self.sent)} sent, {len(self.retrying)} to retry, {len(self.dead)} dead"
        return text + (f", {len(self.deferred)} held for a host that does not answer" if self.deferred else "")


def policy_of(settings: AlertSettings) -> RetryPolicy:
    return RetryPolicy(max_attempts=settings.max_attempts, base_seconds=settings.retry_base,
                       max_seconds=settings.retry_max, lease_seconds=settings.dispatch_lease)


def send_one(settings: AlertSettings, channel: str, target: str, subscriber: Subscriber,
             message: Message) -> int | None:
    """Send through one channel; returns the HTTP status for webhooks, raises ChannelError."""
    if channel == "email":
        send_email(settings, target, message)
        return None
    addresses = []
    try:
        if channel == "webhook":  # resolved once, here: the POST goes to these addresses and no others
            addresses = check_webhook_url(target, allow_private=settings.allow_private_targets, pin=True)
        elif channel == "apprise":
            check_apprise_url(target, allow_private=settings.allow_private_targets)
    except TargetError as exc:  # refused now, refused on every retry
        raise ChannelError(f"refused: {exc}", permanent=True) from None
    if channel == "webhook":
        try:
            secrets = unseal(subscriber.webhook_secret, f"subscriber {subscriber.name!r}")
        except SecretError as exc:  # an operator can fix the key or the variable: retry
            raise ChannelError(str(exc)) from None
        return send_webhook(settings, target, secrets, message, addresses)
    if channel == "apprise":
        send_apprise(target, message)
        return None
    raise ChannelError(f"unknown channel {channel!r}")


#: failures in a row without an answer after which a host's breaker opens, and for how long at first
BREAKER_FAILURES = 3
BREAKER_OPEN_SECONDS = 60.0


def host_of(channel: str, target: str, settings: AlertSettings) -> str:
    """The receiver whose health a delivery depends on: the SMTP server for email."""
    try:
        if channel == "email":
            return "smtp:" + (urlsplit(settings.smtp_url).hostname or "")
        return f"{channel}:" + (urlsplit(target).hostname or target[:40])
    except ValueError:
        return f"{channel}:invalid"


@dataclass
class Breaker:
    failures: int = 0
    open_until: dt.datetime | None = None
    opened: int = 0

    def is_open(self, now: dt.datetime) -> bool:
        return self.open_until is not None and now < self.open_until

    def record(self, answered: bool, now: dt.datetime, max_seconds: float) -> bool:
        """Returns True when this failure opened the breaker."""
        if answered:
            self.failures, self.open_until, self.opened = 0, None, 0
            return False
        self.failures += 1
        if self.failures >= BREAKER_FAILURES and not self.is_open(now):
            self.open_until = now + dt.timedelta(seconds=min(BREAKER_OPEN_SECONDS * 2 ** self.opened, max_seconds))
            self.opened += 1
            return True
        return False


class Dispatcher:
    def __init__(self, db: Database, settings: AlertSettings) -> None:
        self.db = db
        self.settings = settings
        self.policy = policy_of(settings)
        self.stopping = threading.Event()
        self.breakers: dict[str, Breaker] = defaultdict(Breaker)
        self.host_slots: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.Semaphore(settings.per_host_sends))
        self.lock = threading.Lock()

    def fold_digests(self, now: dt.datetime | None = None) -> int:
        with self.db.session() as session, session.begin():
            digests = fold_digests(session, now)
            for digest in digests:
                log.info("digest %s for %s: %d events via %s", digest.key, digest.subscriber.name,
                         len(digest.events), digest.channel)
        return len(digests)

    def run_once(self, now: dt.datetime | None = None) -> DispatchReport:
        """Send every delivery due now, concurrently (one pass; failures wait for their back-off)."""
        report = DispatchReport()
        now = now or utcnow()
        with self.db.session() as session, session.begin():
            rows = sorted(claim_due(session, now, self.policy, self.settings.dispatch_batch),
                          key=lambda row: row.id)
        # The lease began at the claim; a send that would start in its last tenth is left for the next claim.
        send_by = utcnow() + dt.timedelta(seconds=self.policy.lease_seconds * 0.9)
        report.claimed = len(rows)
        due = [(row.id, host_of(row.channel, row.target, self.settings)) for row in rows]
        with ThreadPoolExecutor(max_workers=self.settings.send_workers, thread_name_prefix="send") as pool:
            for future in [pool.submit(self._deliver_guarded, delivery_id, host, report, send_by)
                           for delivery_id, host in due]:
                future.result()
        if report.sent or report.retrying or report.dead or report.deferred:
            log.info("dispatch: %s", report)
        return report

    def _deliver_guarded(self, delivery_id: int, host: str, report: DispatchReport, send_by: dt.datetime) -> None:
        if self.stopping.is_set():  # give the claim back at once rather than make it wait out the lease
            with self.db.session() as session, session.begin():
                defer(session, delivery_id, utcnow(), None)
            return
        with self.lock:
            breaker = self.breakers[host]
            open_until = breaker.open_until if breaker.is_open(utcnow()) else None
        if open_until is not None:
            with self.db.session() as session, session.begin():
                defer(session, delivery_id, open_until, f"{host} did not answer {BREAKER_FAILURES} times in a row; "
                      f"waiting until {open_until:%H:%M:%S} UTC")
            with self.lock:
                report.deferred.append(delivery_id)
            return
        with self.host_slots[host]:
            if utcnow() >= send_by:  # the lease is nearly over: another dispatcher may take it next
                log.warning("dispatch: lease of delivery %d nearly over before its send; left for the next claim",
                            delivery_id)
                return
            answered = self._deliver(delivery_id, report)
        if answered is None:
            return
        with self.lock:
            if self.breakers[host].record(answered, utcnow(), self.settings.retry_max):
                log.warning("dispatch: %s did not answer %d times in a row: holding its deliveries until %s",
                            host, BREAKER_FAILURES, self.breakers[host].open_until)

    def _deliver(self, delivery_id: int, report: DispatchReport) -> bool | None:
        """Send one claimed delivery; returns whether its receiver answered (None: nothing was sent)."""
        with self.db.session() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return None
            subscriber = delivery.subscriber
            channel, target, key = delivery.channel, delivery.target, delivery.key
            try:
                message = build_message(delivery.key, delivery.kind, subscriber.name, list(delivery.events),
                                        delivery.created_at, lang=subscriber.lang or "zh")
                error: ChannelError | None = None
            except Exception as exc:  # a message we cannot build now, we cannot build on retry either
                log.exception("dispatch: cannot build message %s", key)
                error = ChannelError(f"cannot build the message: {type(exc).__name__}: {exc}", permanent=True)
        shown = redact(channel, target)
        status: int | None = None
        if error is None:
            try:
                status = send_one(self.settings, channel, target, subscriber, message)
            except ChannelError as exc:
                error = exc
            except Exception as exc:  # a bug in one message must not stop the others
                log.exception("dispatch: unexpected error sending %s", key)
                error = ChannelError(f"{type(exc).__name__}: {exc}")
        with self.db.session() as session, session.begin():
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return None
            if error is None:
                mark_delivered(session, delivery, status)
                with self.lock:
                    report.sent.append(delivery_id)
                log.info("delivered %s: %s → %s (%s, %d events)", key, channel, shown, subscriber.name,
                         len(message.payload["events"]))
                return True
            mark_failed(session, delivery, str(error), self.policy, error.status, permanent=error.permanent,
                        retry_after=error.retry_after)
            if delivery.status == "dead":
                with self.lock:
                    report.dead.append(delivery_id)
                log.error("dead letter %s after %d attempts: %s → %s: %s", key, delivery.attempts, channel,
                          shown, error)
                raise_dead_letter_event(session, delivery, shown, str(error))
            else:
                with self.lock:
                    report.retrying.append(delivery_id)
                wait = (delivery.next_attempt_at - utcnow()).total_seconds()
                log.warning("attempt %d of %s failed (%s → %s): %s; retrying in %.0f s", delivery.attempts,
                            key, channel, shown, error, max(wait, 0))
        return error.status is not None or error.permanent


def raise_dead_letter_event(session: Any, delivery: Delivery, shown: str, error: str) -> None:
    """Tell the admins — unless the dead letter was itself such a notice (no loop of notices)."""
    from storage.events import delivery_dead_event
    from storage.outbox import enqueue

    if delivery.events and all(event.kind == DELIVERY_DEAD for event in delivery.events):
        return
    enqueue(session, delivery_dead_event(session, delivery, shown, error))
