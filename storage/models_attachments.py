"""Attachments of notices and the versioned datasets read from them (issue 15).

An *attachment* is one file, stored once by the SHA-256 of its bytes, with its text, its parsed goods
rows and a status (``parsed``, ``needs_ocr``, ``unreadable`` with a reason). A *notice attachment*
links it to the notice version that listed it, with the link's text and URL (and the validators of
the last answer, for conditional requests). A *dataset version* is what one announcement says of a
dataset (``positive_list``): the whole list (``full``) or changes to it (``amend``), one *dataset
line* per HS code with its action (``list``, ``add``, ``remove``, ``change``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.types import utcnow


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))  # pdf, xlsx, xls, docx, doc, wps, et, zip …
    content_type: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # parsed | needs_ocr | unreadable
    reason: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    #: goods rows read from its tables: [{hs_code, description, notes, action, table}]
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed file, for re-reading
    first_url: Mapped[str] = mapped_column(String(1024))
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NoticeAttachment(Base):
    __tablename__ = "notice_attachments"
    __table_args__ = (UniqueConstraint("version_id", "attachment_id", "url", name="uq_notice_attachments"),
                      Index("ix_notice_attachments_url", "url"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    link_text: Mapped[str] = mapped_column(Text, default="")
    http_etag: Mapped[str | None] = mapped_column(String(256))
    http_last_modified: Mapped[str | None] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    attachment: Mapped[Attachment] = relationship()


class DatasetVersion(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (Index("ix_dataset_versions_dataset_date", "dataset", "applies_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("notice_versions.id", ondelete="SET NULL"))
    mode: Mapped[str] = mapped_column(String(8))  # full | amend
    doc_number: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1024))
    announced_on: Mapped[dt.date | None] = mapped_column(Date)
    effective_on: Mapped[dt.date | None] = mapped_column(Date)
    #: the date the version counts from: effective, else announced, else first seen
    applies_from: Mapped[dt.date] = mapped_column(Date)
    rows_digest: Mapped[str] = mapped_column(String(64))
    #: a later reading of the same notice (its attachment changed) replaces this one
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[DatasetLine]] = relationship(back_populates="dataset_version", cascade="all, delete-orphan")


class DatasetLine(Base):
    __tablename__ = "dataset_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id", ondelete="CASCADE"),
                                                    index=True)
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    action: Mapped[str] = mapped_column(String(8))  # list | add | remove | change
    description: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    dataset_version: Mapped[DatasetVersion] = relationship(back_populates="lines")
