"""The outbox dispatcher: sends due deliveries, retries with exponential back-off, keeps dead letters.

Each delivery is claimed (committed) before it is sent and marked (committed) after, and nothing is
held open during the network call, so a crawl child can write meanwhile. If the process dies between
sending and marking, the claim's lease runs out and the delivery goes again under the same key —
at-least-once with an idempotency key, which is the best any sender can promise.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from cbecwatch.config import AlertSettings
from scheduler.channels import ChannelError, redact
from scheduler.channels.apprise import send_apprise
from scheduler.channels.email import send_email
from scheduler.channels.webhook import send_webhook
from scheduler.messages import Message, build_message
from storage.db import Database
from storage.models_alerts import Delivery, Subscriber
from storage.outbox import RetryPolicy, claim, due_ids, fold_digests, mark_delivered, mark_failed
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.sent)} sent, {len(self.retrying)} to retry, {len(self.dead)} dead"


def policy_of(settings: AlertSettings) -> RetryPolicy:
    return RetryPolicy(max_attempts=settings.max_attempts, base_seconds=settings.retry_base,
                       max_seconds=settings.retry_max, lease_seconds=settings.dispatch_lease)


def send_one(settings: AlertSettings, channel: str, target: str, subscriber: Subscriber,
             message: Message) -> int | None:
    """Send through one channel; returns the HTTP status for webhooks, raises ChannelError."""
    if channel == "email":
        send_email(settings, target, message)
        return None
    if channel == "webhook":
        return send_webhook(settings, target, subscriber.webhook_secret, message)
    if channel == "apprise":
        send_apprise(target, message)
        return None
    raise ChannelError(f"unknown channel {channel!r}")


class Dispatcher:
    def __init__(self, db: Database, settings: AlertSettings) -> None:
        self.db = db
        self.settings = settings
        self.policy = policy_of(settings)
        self.stopping = threading.Event()

    def fold_digests(self, now: dt.datetime | None = None) -> int:
        with self.db.session() as session, session.begin():
            digests = fold_digests(session, now)
            for digest in digests:
                log.info("digest %s for %s: %d events via %s", digest.key, digest.subscriber.name,
                         len(digest.events), digest.channel)
        return len(digests)

    def run_once(self, now: dt.datetime | None = None) -> DispatchReport:
        """Send every delivery due now (one pass; failures wait for their back-off)."""
        report = DispatchReport()
        now = now or utcnow()
        with self.db.session() as session:
            ids = due_ids(session, now, self.settings.dispatch_batch)
        for delivery_id in ids:
            if self.stopping.is_set():
                break
            self._deliver(delivery_id, report)
        if report.sent or report.retrying or report.dead:
            log.info("dispatch: %s", report)
        return report

    def _deliver(self, delivery_id: int, report: DispatchReport) -> None:
        with self.db.session() as session, session.begin():
            if not claim(session, delivery_id, utcnow(), self.policy):
                return  # another dispatcher has it, or it is no longer due
        with self.db.session() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return
            subscriber = delivery.subscriber
            message = build_message(delivery.key, delivery.kind, subscriber.name, list(delivery.events),
                                    delivery.created_at)
            channel, target, key = delivery.channel, delivery.target, delivery.key
        shown = redact(channel, target)
        status: int | None = None
        error: ChannelError | None = None
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
                return
            if error is None:
                mark_delivered(session, delivery, status)
                report.sent.append(delivery_id)
                log.info("delivered %s: %s → %s (%s, %d events)", key, channel, shown, subscriber.name,
                         len(message.payload["events"]))
                return
            mark_failed(session, delivery, str(error), self.policy, error.status)
            if delivery.status == "dead":
                report.dead.append(delivery_id)
                log.error("dead letter %s after %d attempts: %s → %s: %s", key, delivery.attempts, channel,
                          shown, error)
            else:
                report.retrying.append(delivery_id)
                wait = (delivery.next_attempt_at - utcnow()).total_seconds()
                log.warning("attempt %d of %s failed (%s → %s): %s; retrying in %.0f s", delivery.attempts,
                            key, channel, shown, error, max(wait, 0))
