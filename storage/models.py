"""The tables of cbecwatch, as typed SQLAlchemy models.

A *notice* is one official document at one canonical URL; each distinct cleaned text of it is a
*notice version*; the extractor's output for a version is stored as *facts*. A *crawl run* is one
invocation of the crawler; a *source run* is one source's part of it, with its counts and errors,
which is what source health is computed from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.types import utcnow

__all__ = ["Base", "CrawlRun", "Document", "Fact", "Notice", "NoticeVersion", "Source", "SourceRun"]


class Source(Base):
    """A crawled site section, keyed by the stable source name (``govcn``, ``mofcom`` …)."""

    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32), default="new")
    status_reason: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[dt.datetime | None]
    last_success_at: Mapped[dt.datetime | None]
    # ETag / Last-Modified of the list pages that last parsed fine, by URL: the next run asks
    # conditionally, and a 304 means the list is unchanged (nothing new, nothing to parse).
    list_validators: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the last ``source_quiet`` admin event was raised: one per quiet spell, not one per run.
    quiet_announced_at: Mapped[dt.datetime | None]


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32), default="cli")
    mirror_url: Mapped[str | None] = mapped_column(String(512))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(32), default="running")
    #: the process that runs it (the crawl itself, or the daemon that scheduled its Scrapyd job) and its
    #: host: a run left ``running`` by a process that is gone is closed as abandoned
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))

    source_runs: Mapped[list[SourceRun]] = relationship(back_populates="crawl_run", order_by="SourceRun.id")


class SourceRun(Base):
    """One source's share of a crawl run: what it fetched, found and failed at."""

    __tablename__ = "source_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(32), default="running")
    reason: Mapped[str | None] = mapped_column(Text)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    list_requests: Mapped[int] = mapped_column(Integer, default=0)
    detail_requests: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    new_notices: Mapped[int] = mapped_column(Integer, default=0)
    revised_notices: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_notices: Mapped[int] = mapped_column(Integer, default=0)
    known_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # list rows already stored
    not_modified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 304 answers
    offsite: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # other hosts' answers, not stored
    truncated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # texts cut at the cap
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_samples: Mapped[list[Any]] = mapped_column(default=list)

    crawl_run: Mapped[CrawlRun | None] = relationship(back_populates="source_runs")


class Document(Base):
    """One official document, whatever the number of sources it was crawled from (``storage.documents``).

    ``key`` is its identity (``docno:财关税〔2018〕49号``, ``title_date:…|2024-03-01`` or ``url:…``);
    its copies are the notices that point at it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    key_kind: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    copies: Mapped[list[Notice]] = relationship(back_populates="document", order_by="Notice.id")


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("source", "site_id", name="uq_notices_source_site_id"),
        Index("ix_notices_doc_number_key", "doc_number_key"),
        Index("ix_notices_publish_date", "publish_date"),
        # "latest notices of a kind" is the alert and listing query (bench: p95 28.6 → 1.9 ms at 100k)
        Index("ix_notices_kind_publish", "kind", "publish_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"), index=True)
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    site_id: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(128))
    doc_number_key: Mapped[str | None] = mapped_column(String(128))
    agencies: Mapped[list[Any]] = mapped_column(default=list)
    issue_date: Mapped[dt.date | None] = mapped_column(Date)
    publish_date: Mapped[dt.date | None] = mapped_column(Date)
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(32))
    relevance: Mapped[float | None] = mapped_column(Float)
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    site_published_at: Mapped[dt.datetime | None]
    site_modified_at: Mapped[dt.datetime | None]
    http_etag: Mapped[str | None] = mapped_column(String(256))
    http_last_modified: Mapped[str | None] = mapped_column(String(64))
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: number of the version the page showed when last fetched (pages can go back to an older text)
    current_version: Mapped[int | None] = mapped_column(Integer)
    #: the document this row is one source's copy of (None only for rows written around storage)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)

    document: Mapped[Document | None] = relationship(back_populates="copies")

    versions: Mapped[list[NoticeVersion]] = relationship(
        back_populates="notice", order_by="NoticeVersion.number", cascade="all, delete-orphan"
    )


class NoticeVersion(Base):
    __tablename__ = "notice_versions"
    __table_args__ = (
        UniqueConstraint("notice_id", "content_hash", name="uq_versions_notice_hash"),
        UniqueConstraint("notice_id", "number", name="uq_versions_notice_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)
    raw_encoding: Mapped[str | None] = mapped_column(String(32))
    page_meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    extractor_version: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="versions")
    facts: Mapped[list[Fact]] = relationship(
        back_populates="version", order_by="Fact.position", cascade="all, delete-orphan"
    )


class Fact(Base):
    """One extracted fact of a version: a place, a rule figure, a customs code or a date."""

    __tablename__ = "facts"
    __table_args__ = (Index("ix_facts_kind_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(256))
    value: Mapped[str | None] = mapped_column(String(256))
    unit: Mapped[str | None] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(64))
    adcode: Mapped[str | None] = mapped_column(String(12))

    version: Mapped[NoticeVersion] = relationship(back_populates="facts")
