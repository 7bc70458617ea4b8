"""Storing attachments: once per content hash, linked to the notice version that lists them.

The crawler hands over what it fetched (:class:`FetchedAttachment`: the bytes and their reading, or,
after a 304, the stored attachment the URL gave last time); this module finds or inserts the
attachment and adds the link, in the caller's transaction (the notice's own).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Notice, NoticeVersion
from storage.models_attachments import Attachment, NoticeAttachment
from storage.types import utcnow


@dataclass
class FetchedAttachment:
    url: str
    link_text: str
    body: bytes | None = None  # None after a 304: ``known_id`` names the stored attachment
    content_type: str = ""
    http_etag: str | None = None
    http_last_modified: str | None = None
    known_id: int | None = None
    # filled off the reactor thread by the attachment pipeline stage
    sha256: str | None = None
    reading: Any = None  # crawler.attachments.readers.Reading
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class KnownAttachment:
    attachment_id: int
    http_etag: str | None
    http_last_modified: str | None

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.http_etag:
            headers["If-None-Match"] = self.http_etag
        if self.http_last_modified:
            headers["If-Modified-Since"] = self.http_last_modified
        return headers


def known_attachments(session: Session, source: str) -> dict[str, KnownAttachment]:
    """URL → the attachment it last gave and that answer's validators, for this source's notices."""
    rows = session.execute(
        select(NoticeAttachment.url, NoticeAttachment.attachment_id, NoticeAttachment.http_etag,
               NoticeAttachment.http_last_modified)
        .join(NoticeVersion, NoticeVersion.id == NoticeAttachment.version_id)
        .join(Notice, Notice.id == NoticeVersion.notice_id)
        .where(Notice.source == source).order_by(NoticeAttachment.seen_at, NoticeAttachment.id))
    return {url: KnownAttachment(attachment_id, etag, modified) for url, attachment_id, etag, modified in rows}


def lists_without_attachments(session: Session, source: str) -> set[str]:
    """URLs of this source's list announcements (kind ``positive_list``) with no attachment stored: stored
    before attachments were followed, or when they failed. Their next revisit asks unconditionally, so
    a 304 does not hide the annex for good."""
    linked = (select(NoticeVersion.notice_id).join(NoticeAttachment, NoticeAttachment.version_id == NoticeVersion.id)
              .distinct())
    return set(session.scalars(select(Notice.url).where(Notice.source == source, Notice.kind == "positive_list",
                                                        Notice.id.not_in(linked))))


def _stored(session: Session, fetched: FetchedAttachment, max_text_chars: int) -> Attachment | None:
    if fetched.body is None:
        return session.get(Attachment, fetched.known_id) if fetched.known_id else None
    digest = fetched.sha256 or hashlib.sha256(fetched.body).hexdigest()
    attachment = session.scalar(select(Attachment).where(Attachment.sha256 == digest))
    if attachment is not None:
        return attachment
    reading = fetched.reading
    attachment = Attachment(
        sha256=digest, size=len(fetched.body), content_type=fetched.content_type[:128] or None,
        format=getattr(reading, "format", "unknown")[:16], status=getattr(reading, "status", "unreadable"),
        reason=getattr(reading, "reason", None) if reading is not None else "not read",
        pages=getattr(reading, "pages", None), text=(getattr(reading, "text", "") or "")[:max_text_chars],
        rows=list(fetched.rows), content=zlib.compress(fetched.body, 6), first_url=fetched.url[:1024],
        fetched_at=utcnow())
    session.add(attachment)
    session.flush()
    return attachment


def save_attachments(session: Session, version_id: int, fetched: list[FetchedAttachment],
                     max_text_chars: int = 400_000) -> list[NoticeAttachment]:
    """Store each attachment once (by SHA-256) and link it to the version; a link seen again only
    gets the new validators."""
    links = []
    for item in fetched:
        attachment = _stored(session, item, max_text_chars)
        if attachment is None:
            continue
        link = session.scalar(select(NoticeAttachment).where(
            NoticeAttachment.version_id == version_id, NoticeAttachment.attachment_id == attachment.id,
            NoticeAttachment.url == item.url[:1024]))
        if link is None:
            link = NoticeAttachment(version_id=version_id, attachment_id=attachment.id, url=item.url[:1024],
                                    link_text=item.link_text)
            session.add(link)
        link.http_etag = item.http_etag or link.http_etag
        link.http_last_modified = item.http_last_modified or link.http_last_modified
        link.seen_at = utcnow()
        links.append(link)
    session.flush()
    return links


def version_rows(session: Session, version_id: int) -> list[dict[str, Any]]:
    """The goods rows of every attachment a version lists, the link text beside each."""
    out = []
    for link, attachment in session.execute(
            select(NoticeAttachment, Attachment).join(Attachment, Attachment.id == NoticeAttachment.attachment_id)
            .where(NoticeAttachment.version_id == version_id).order_by(NoticeAttachment.id)):
        out.extend(dict(row, link_text=link.link_text) for row in attachment.rows or [])
    return out


def attachment_rows(session: Session, notice_id: int | None = None) -> list[dict[str, Any]]:
    """What ``cbecwatch attachments`` lists: each link of the version a notice's page shows, with the
    attachment's status and reason (unreadable and needs_ocr ones included)."""
    query = (select(NoticeAttachment, Attachment, NoticeVersion, Notice)
             .join(Attachment, Attachment.id == NoticeAttachment.attachment_id)
             .join(NoticeVersion, NoticeVersion.id == NoticeAttachment.version_id)
             .join(Notice, Notice.id == NoticeVersion.notice_id)
             .order_by(Notice.id, NoticeVersion.number, NoticeAttachment.id))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    return [{"notice_id": notice.id, "notice_title": notice.title, "version": version.number,
             "link_text": link.link_text, "url": link.url, "attachment_id": attachment.id,
             "sha256": attachment.sha256, "format": attachment.format, "size": attachment.size,
             "status": attachment.status, "reason": attachment.reason, "pages": attachment.pages,
             "rows": len(attachment.rows or []), "text_chars": len(attachment.text or "")}
            for link, attachment, version, notice in session.execute(query)]
