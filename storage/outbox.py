"""The transactional outbox: deliveries written with the events they announce, worked off later.

One delivery is one message to one subscriber through one channel, carrying every event of one save
that the subscriber wants (an instant alert) or every event of a day (a digest). Its ``key`` never
changes, so each retry — including one after a crash between "sent" and "marked sent" — carries the
same idempotency key. Delivery is at-least-once; receivers drop repeats by key.

Claiming bumps ``attempts`` and pushes ``next_attempt_at`` out by a lease: a dispatcher that dies
mid-send leaves the row to be picked up when the lease ends (the one documented re-send: same key), and
the attempt still counts, so a message that kills its sender cannot loop forever.

Several dispatchers may share one PostgreSQL outbox (``cbecwatch dispatch`` beside the daemon):
:func:`claim_due` selects the due rows ``FOR UPDATE SKIP LOCKED`` and sets their lease in the same
transaction, so two dispatchers never take the same row — the second one skips the rows the first has
locked instead of waiting for them, and once the first commits they are no longer due. SQLite has no row
locks and one writer at a time: there the claim is today's conditional UPDATE per row (it re-checks
"pending and due" under the database's write lock, so it is still never claimed twice), which serialises
dispatchers rather than sharing the work — run one dispatcher (the daemon's) on SQLite.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.db import dialect_name
from storage.models_alerts import (
    DEAD,
    DELIVERED,
    DIGESTED,
    HELD,
    PENDING,
    Delivery,
    DeliveryEvent,
    Event,
    Subscriber,
)
from storage.subscribers import matches
from storage.types import utcnow

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    lease_seconds: float = 120.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """Exponential: base, 2·base, 4·base … capped; ±10 % jitter so retries of many rows spread out."""
        delay = min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds)
        return dt.timedelta(seconds=delay * random.uniform(0.9, 1.1))


MAX_RETRY_AFTER = 86_400.0


def new_key() -> str:
    """The idempotency key: ``webhook-id`` of every attempt, and the mail's Message-ID."""
    return "msg_" + secrets.token_hex(12)


_ACTIVE_SUBSCRIBERS = select(Subscriber).where(Subscriber.active.is_(True)).order_by(Subscriber.id)  # built once


def _link(session: Session, delivery: Delivery, event_ids: Iterable[int]) -> None:
    for event_id in sorted(set(event_ids)):
        session.add(DeliveryEvent(delivery_id=delivery.id, event_id=event_id))


def enqueue(session: Session, events: Sequence[Event], text: str = "") -> list[Delivery]:
    """One delivery per matching subscriber and channel, in the caller's transaction.

    ``text`` is the notice text, for keyword filters. Digest subscribers get *held* rows, which the
    digest job folds into one message a day.
    """
    if not events:
        return []
    created: list[Delivery] = []
    for subscriber in session.scalars(_ACTIVE_SUBSCRIBERS):
        wanted = [e for e in events if matches(subscriber, e, text)]
        if not wanted:
            continue
        for channel, target in subscriber.channels():
            delivery = Delivery(key=new_key(), subscriber_id=subscriber.id, channel=channel, target=target,
                                kind="instant", status=HELD if subscriber.mode == "digest" else PENDING)
            session.add(delivery)
            session.flush()
            _link(session, delivery, (e.id for e in wanted))
            created.append(delivery)
    session.flush()
    return created


def digest_due(subscriber: Subscriber, now: dt.datetime) -> bool:
    local = now.astimezone(CHINA)
    return (subscriber.mode == "digest" and subscriber.active and local.hour >= subscriber.digest_hour
            and subscriber.last_digest_on != local.date())


def fold_digests(session: Session, now: dt.datetime | None = None) -> list[Delivery]:
    """For each digest subscriber whose hour (Asia/Shanghai) has come today and who has held
    messages: one pending digest per channel, made of all held rows, in one transaction."""
    now = now or utcnow()
    # A subscriber switched from digest to instant: what it was holding goes out now, not never.
    instant = select(Subscriber.id).where(Subscriber.mode != "digest").scalar_subquery()
    session.execute(update(Delivery).where(Delivery.status == HELD, Delivery.subscriber_id.in_(instant))
                    .values(status=PENDING, next_attempt_at=now).execution_options(synchronize_session=False))
    created: list[Delivery] = []
    for subscriber in session.scalars(select(Subscriber).where(Subscriber.mode == "digest")):
        if not digest_due(subscriber, now):
            continue
        held = list(session.scalars(select(Delivery).where(Delivery.subscriber_id == subscriber.id,
                                                           Delivery.status == HELD).order_by(Delivery.id)))
        if not held:
            continue  # nothing to say: the day stays open, the first events after this go out today
        by_channel: dict[tuple[str, str], list[Delivery]] = {}
        for row in held:
            by_channel.setdefault((row.channel, row.target), []).append(row)
        for (channel, target), rows in by_channel.items():
            digest = Delivery(key=new_key(), subscriber_id=subscriber.id, channel=channel, target=target,
                              kind="digest", status=PENDING, next_attempt_at=now)
            session.add(digest)
            session.flush()
            _link(session, digest, (e.id for row in rows for e in row.events))
            for row in rows:
                row.status, row.digest_id = DIGESTED, digest.id
            created.append(digest)
        subscriber.last_digest_on = now.astimezone(CHINA).date()
    session.flush()
    return created


# -- the dispatcher's side ---------------------------------------------------------------------------
def due_deliveries(session: Session, now: dt.datetime, limit: int = 50) -> list[Any]:
    """``(id, channel, target)`` of the pending deliveries due now, most overdue first — of active
    subscribers: a paused one's messages wait for resume."""
    active = select(Subscriber.id).where(Subscriber.active.is_(True))
    query = (select(Delivery.id, Delivery.channel, Delivery.target)
             .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now, Delivery.subscriber_id.in_(active))
             .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
    return list(session.execute(query))


def claim_due(session: Session, now: dt.datetime, policy: RetryPolicy, limit: int = 50) -> list[Any]:
    """Lease up to ``limit`` due deliveries in the caller's transaction; ``(id, channel, target)`` of each.

    The caller commits before sending, so nothing is locked during the network calls."""
    if dialect_name(session) != "postgresql":  # SQLite: one writer; see the module's note
        return [row for row in due_deliveries(session, now, limit) if claim(session, row.id, now, policy)]
    active = select(Subscriber.id).where(Subscriber.active.is_(True))
    query = (select(Delivery.id, Delivery.channel, Delivery.target)
             .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now, Delivery.subscriber_id.in_(active))
             .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
             .with_for_update(skip_locked=True, of=Delivery))
    rows = list(session.execute(query))
    if rows:
        session.execute(update(Delivery).where(Delivery.id.in_([row.id for row in rows]))
                        .values(attempts=Delivery.attempts + 1,
                                next_attempt_at=now + dt.timedelta(seconds=policy.lease_seconds))
                        .execution_options(synchronize_session=False))
    return rows


def claim(session: Session, delivery_id: int, now: dt.datetime, policy: RetryPolicy) -> bool:
    """Take one due delivery for sending; ``False`` if someone else has it or it is not due."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == PENDING, Delivery.next_attempt_at <= now)
        .values(attempts=Delivery.attempts + 1,
                next_attempt_at=now + dt.timedelta(seconds=policy.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_delivered(session: Session, delivery: Delivery, status_code: int | None = None) -> None:
    delivery.status = DELIVERED
    delivery.delivered_at = utcnow()
    delivery.last_status = status_code
    delivery.last_error = None


def mark_failed(session: Session, delivery: Delivery, error: str, policy: RetryPolicy,
                status_code: int | None = None, now: dt.datetime | None = None, *, permanent: bool = False,
                retry_after: float | None = None) -> None:
    """Schedule the next attempt with back-off (or later, when the receiver asked for that), or make it a
    dead letter after the last attempt — at once when retrying cannot help."""
    now = now or utcnow()
    delivery.last_error = error[:2000]
    delivery.last_status = status_code
    if permanent or delivery.attempts >= policy.max_attempts:
        delivery.status = DEAD
    else:
        wait = policy.backoff(delivery.attempts)
        if retry_after is not None:  # honoured beyond our own back-off cap, but not for more than a day
            wait = max(wait, dt.timedelta(seconds=min(retry_after, MAX_RETRY_AFTER)))
        delivery.next_attempt_at = now + wait


def defer(session: Session, delivery_id: int, until: dt.datetime, reason: str | None) -> None:
    """Give back a claimed delivery until ``until`` without spending an attempt (its host's breaker is
    open, or the dispatcher is stopping): the claim's attempt is refunded."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is not None and delivery.status == PENDING:
        delivery.next_attempt_at = until
        delivery.attempts = max(delivery.attempts - 1, 0)
        if reason is not None:
            delivery.last_error = reason[:2000]


def retry(session: Session, delivery_id: int) -> Delivery:
    """Put a dead (or waiting) delivery back in line now, with a fresh attempt budget and the same key."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise LookupError(f"no delivery with id {delivery_id}")
    if delivery.status not in (DEAD, PENDING):
        raise LookupError(f"delivery {delivery_id} is {delivery.status}; only dead or pending ones can be retried")
    delivery.status = PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    return delivery


def list_deliveries(session: Session, *, failed: bool = False, limit: int = 50) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if failed:
        query = query.where((Delivery.status == DEAD) | ((Delivery.status == PENDING)
                                                         & Delivery.last_error.is_not(None)))
    return list(session.scalars(query))
