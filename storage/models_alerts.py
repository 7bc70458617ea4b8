"""The alerting tables: events, subscribers, the delivery outbox and the daemon's heartbeat.

An *event* is something a person may want to hear about (a new relevant notice, a revision with its
diff, new pilot places, a changed rule figure, a source that broke or recovered). It is derived in
the transaction that stored the notice (or the source run), and so are its *deliveries*: one row per
subscriber and channel, the transactional outbox the dispatcher works through. A delivery's ``key``
is the idempotency key every attempt carries (``webhook-id``, the mail's Message-ID), so a resend
after a crash can be recognised by the receiver.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.types import utcnow

# Event kinds. The first five reach every matching subscriber; the admin kinds only admins.
NOTICE_NEW = "notice_new"
NOTICE_REVISED = "notice_revised"
PILOT_PLACES = "pilot_places"
FIGURE_CHANGED = "figure_changed"
SOURCE_BROKEN = "source_broken"
SOURCE_RECOVERED = "source_recovered"
SOURCE_QUIET = "source_quiet"
DELIVERY_DEAD = "delivery_dead"
REGISTRY_CONFLICT = "registry_conflict"
POSITIVE_LIST_CHANGED = "positive_list_changed"
PUBLIC_KINDS = (NOTICE_NEW, NOTICE_REVISED, PILOT_PLACES, FIGURE_CHANGED, POSITIVE_LIST_CHANGED)
ADMIN_KINDS = (SOURCE_BROKEN, SOURCE_RECOVERED, SOURCE_QUIET, DELIVERY_DEAD, REGISTRY_CONFLICT)
EVENT_KINDS = PUBLIC_KINDS + ADMIN_KINDS

# Delivery states: held rows wait for their subscriber's digest, which folds them into one
# pending digest delivery ("digested"); pending rows are sent until delivered or dead.
HELD, DIGESTED, PENDING, DELIVERED, DEAD = "held", "digested", "pending", "delivered", "dead"
CHANNELS = ("email", "webhook", "apprise")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    # One row per real-world happening: the key folds the same document seen on two sites
    # (same normalised 发文字号) and the same revision seen twice into one event.
    dedup_key: Mapped[str] = mapped_column(String(400), unique=True)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # True on a source's first successful crawl: recorded for history, announced to nobody.
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(64))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("notice_versions.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1024))
    doc_number: Mapped[str | None] = mapped_column(String(128))
    provinces: Mapped[list[Any]] = mapped_column(default=list)
    cities: Mapped[list[Any]] = mapped_column(default=list)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Subscriber(Base):
    """Who hears about what, through which channels. Empty filter lists mean "everything"."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    webhook_url: Mapped[str | None] = mapped_column(String(1024))
    webhook_secret: Mapped[str | None] = mapped_column(String(256))
    apprise_urls: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    kinds: Mapped[list[Any]] = mapped_column(default=list)
    provinces: Mapped[list[Any]] = mapped_column(default=list)
    cities: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    mode: Mapped[str] = mapped_column(String(16), default="instant")
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)  # Asia/Shanghai
    last_digest_on: Mapped[dt.date | None]
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    lang: Mapped[str] = mapped_column(String(8), default="zh", server_default="zh")  # zh, en or both
    origin: Mapped[str] = mapped_column(String(16), default="cli")  # cli, or config (the TOML file)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def channels(self) -> list[tuple[str, str]]:
        """``(channel, target)`` pairs; the order is the order messages go out in."""
        pairs: list[tuple[str, str]] = []
        if self.email:
            pairs.append(("email", self.email))
        if self.webhook_url:
            pairs.append(("webhook", self.webhook_url))
        pairs.extend(("apprise", str(url)) for url in self.apprise_urls or [])
        return pairs


class DeliveryEvent(Base):
    __tablename__ = "delivery_events"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(1024))
    kind: Mapped[str] = mapped_column(String(16), default="instant")  # instant or digest
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None]

    events: Mapped[list[Event]] = relationship(secondary="delivery_events", order_by="Event.id", viewonly=True)
    subscriber: Mapped[Subscriber] = relationship()


class DaemonState(Base):
    """The daemon's heartbeat: one row per daemon name, rewritten every beat."""

    __tablename__ = "daemon_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(256))
    started_at: Mapped[dt.datetime]
    beat_at: Mapped[dt.datetime]
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
