"""Writing crawled notices: one row per document URL, a new version whenever its cleaned text changes.

The content hash is taken over the NFKC-normalised, whitespace-collapsed *body text*, not the raw
HTML, so page furniture and page-generation stamps never count as a revision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from storage.facts import insert_facts
from storage.models import Fact, Notice, NoticeVersion, Source
from storage.places import refresh_places
from storage.search import index_notice, reindex_notice
from storage.types import utcnow

_WHITESPACE = re.compile(r"\s+")
Outcome = Literal["new", "revised", "unchanged"]


def normalize_for_hash(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()


def doc_number_key(doc_number: str | None) -> str | None:
    """Comparison key of a 发文字号: NFKC, no whitespace, every bracket pair folded to 〔〕."""
    if not doc_number:
        return None
    key = _WHITESPACE.sub("", unicodedata.normalize("NFKC", doc_number))
    return key.translate(str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕"}))


@dataclass
class NoticeRecord:
    """Everything the crawler knows about one fetched notice page."""

    source: str
    url: str
    title: str
    text: str
    site_id: str | None = None
    doc_number: str | None = None
    agencies: list[str] = field(default_factory=list)
    issue_date: dt.date | None = None
    publish_date: dt.date | None = None
    effective_date: dt.date | None = None
    kind: str | None = None
    relevance: float | None = None
    relevant: bool | None = None
    site_published_at: dt.datetime | None = None
    site_modified_at: dt.datetime | None = None
    raw_html: bytes | None = None
    raw_encoding: str | None = None
    page_meta: dict[str, Any] = field(default_factory=dict)
    http_etag: str | None = None
    http_last_modified: str | None = None
    extraction: dict[str, Any] | None = None
    extractor_version: str | None = None
    fetched_at: dt.datetime = field(default_factory=utcnow)
    #: the attachments the page links to, as fetched and read (storage.attachments.FetchedAttachment)
    attachments: list[Any] = field(default_factory=list)
    #: :func:`storage.search.index_text` of ``text`` when computed already (by the crawl's extraction
    #: workers); ``None``: cut here
    index_body: str | None = None


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    notice_id: int
    version_id: int
    version_number: int
    #: the version the page showed before this save (None for a new notice)
    previous_number: int | None = None


def ensure_source(session: Session, name: str, agency: str) -> Source:
    source = session.get(Source, name)
    if source is None:
        source = Source(name=name, agency=agency, status="new", consecutive_failures=0)
        session.add(source)
        session.flush()
    elif source.agency != agency:
        source.agency = agency
    return source


def _apply_metadata(notice: Notice, record: NoticeRecord) -> None:
    notice.site_id = record.site_id or notice.site_id
    notice.title = record.title
    notice.doc_number = record.doc_number
    notice.doc_number_key = doc_number_key(record.doc_number)
    notice.agencies = list(record.agencies)
    notice.issue_date = record.issue_date
    notice.publish_date = record.publish_date
    notice.effective_date = record.effective_date
    notice.kind = record.kind
    notice.relevance = record.relevance
    notice.relevant = record.relevant
    notice.site_published_at = record.site_published_at
    notice.site_modified_at = record.site_modified_at
    notice.http_etag = record.http_etag
    notice.http_last_modified = record.http_last_modified
    notice.last_seen_at = record.fetched_at


def _new_version(record: NoticeRecord, number: int, digest: str) -> NoticeVersion:
    """The version row; its facts are inserted by :func:`storage.facts.insert_facts` once it has an id."""
    return NoticeVersion(
        number=number,
        content_hash=digest,
        text=record.text,
        raw_html=zlib.compress(record.raw_html, 6) if record.raw_html is not None else None,
        raw_encoding=record.raw_encoding,
        page_meta=dict(record.page_meta),
        extraction=record.extraction,
        extractor_version=record.extractor_version,
        fetched_at=record.fetched_at,
    )


# Built once: SQLAlchemy spends more building and keying a statement than SQLite running it (180 -> 50 µs).
_BY_URL = select(Notice).where(Notice.url == bindparam("url"))
_BY_URL_OR_SITE_ID = select(Notice).where(or_(
    Notice.url == bindparam("url"), and_(Notice.source == bindparam("source"), Notice.site_id == bindparam("site_id"))))
_VERSIONS = select(NoticeVersion.id, NoticeVersion.number, NoticeVersion.content_hash).where(
    NoticeVersion.notice_id == bindparam("notice_id"))


def _find_notice(session: Session, record: NoticeRecord) -> Notice | None:
    """The notice stored at this URL, else the one with this source's site id (the page moved).

    One query for both lookups; the URL match wins when both exist."""
    if record.site_id:
        found = session.scalars(_BY_URL_OR_SITE_ID, {"url": record.url, "source": record.source,
                                                     "site_id": record.site_id}).all()
    else:
        found = session.scalars(_BY_URL, {"url": record.url}).all()
    return next((n for n in found if n.url == record.url), found[0] if found else None)


def _document_of(session: Session, record: NoticeRecord, notice_id: int | None = None) -> int:
    """The document this copy belongs to, by the rules of :mod:`storage.documents` (created when new)."""
    from storage.documents import document_for, identity_of

    identity = identity_of(doc_number=record.doc_number, agencies=record.agencies, title=record.title,
                           publish_date=record.publish_date, url=record.url)
    return document_for(session, identity, publish_date=record.publish_date, text=record.text,
                        first_seen_at=record.fetched_at, exclude_notice=notice_id)


def refresh_document(session: Session, notice: Notice, text: str) -> None:
    """Re-attach a stored copy after its number was read anew (``reparse``)."""
    from storage.documents import document_for, identity_of

    identity = identity_of(doc_number=notice.doc_number, agencies=notice.agencies or [], title=notice.title,
                           publish_date=notice.publish_date, url=notice.url)
    notice.document_id = document_for(session, identity, publish_date=notice.publish_date, text=text,
                                      first_seen_at=notice.first_seen_at, exclude_notice=notice.id)


def save_notice(session: Session, record: NoticeRecord) -> SaveResult:
    """Insert or update one notice (one source's copy) and attach it to its document; the caller owns
    the transaction.

    The comparison is with the version the page showed last time (``Notice.current_version``), not
    the newest row: a page that went back to an earlier text points at that stored row, and the
    next crawl of the same text is then "unchanged", not another revision.
    """
    notice = _find_notice(session, record)
    digest = content_hash(record.text)
    if notice is None:
        notice = Notice(source=record.source, url=record.url, first_seen_at=record.fetched_at,
                        last_changed_at=record.fetched_at, current_version=1)
        _apply_metadata(notice, record)
        notice.document_id = _document_of(session, record)
        version = _new_version(record, 1, digest)
        notice.versions.append(version)
        session.add(notice)
        session.flush()
        refresh_places(session, notice, insert_facts(session, version.id, record.extraction))
        index_notice(session, notice.id, title=notice.title, doc_number=notice.doc_number, body=record.text,
                     body_index=record.index_body)
        return SaveResult("new", notice.id, version.id, 1, None)

    old_number_key = notice.doc_number_key
    indexed_title = (notice.title, notice.doc_number)
    _apply_metadata(notice, record)
    if notice.document_id is None or notice.doc_number_key != old_number_key:
        # A number read differently now (a better extractor, a corrected page) may name another document.
        notice.document_id = _document_of(session, record, notice.id)
    # Only what the comparison needs: the stored texts, pages and extractions stay in the database.
    versions = {v.number: v for v in session.execute(_VERSIONS, {"notice_id": notice.id})}
    shown_number = notice.current_version or max(versions, default=0)
    shown = versions.get(shown_number)
    if shown is not None and shown.content_hash == digest:
        session.flush()
        if (notice.title, notice.doc_number) != indexed_title:  # the search index holds them too
            reindex_notice(session, notice.id)
        return SaveResult("unchanged", notice.id, shown.id, shown.number, shown.number)
    notice.last_changed_at = record.fetched_at
    known = next((v for v in versions.values() if v.content_hash == digest), None)
    if known is not None:
        # The page went back to an earlier text. That is a revision too; one row per distinct text
        # (the unique notice/hash pair) means we point at the stored version instead of copying it.
        notice.current_version = known.number
        # The place index follows the shown version (``versions`` holds rows, not ORM objects).
        refresh_places(session, notice, session.scalars(select(Fact).where(Fact.version_id == known.id)))
        session.flush()
        reindex_notice(session, notice.id)
        return SaveResult("revised", notice.id, known.id, known.number, shown_number or None)
    number = max(versions, default=0) + 1
    version = _new_version(record, number, digest)
    version.notice_id = notice.id
    session.add(version)
    notice.current_version = number
    session.flush()
    refresh_places(session, notice, insert_facts(session, version.id, record.extraction))
    index_notice(session, notice.id, title=notice.title, doc_number=notice.doc_number, body=record.text,
                     body_index=record.index_body)
    return SaveResult("revised", notice.id, version.id, number, shown_number or None)


def shown_number(notice: Notice, numbers: Collection[int]) -> int | None:
    """Which of a notice's stored version *numbers* its page showed when last fetched: the one
    ``current_version`` names, else the newest (a notice stored before 0006 has none)."""
    if not numbers:
        return None
    return notice.current_version if notice.current_version in numbers else max(numbers)


def current_version_of(notice: Notice) -> NoticeVersion | None:
    """The version the page showed when last fetched (the newest row unless the page reverted)."""
    by_number = {v.number: v for v in notice.versions}
    number = shown_number(notice, by_number)
    return by_number[number] if number is not None else None


def apply_extraction(notice: Notice, extraction: dict[str, Any]) -> None:
    """Refresh a notice's derived fields from its latest version's extraction (used by re-parse).

    Values the site states in metadata (document number, dates) stay when the extractor has none.
    """
    notice.kind = extraction.get("kind") or notice.kind
    notice.relevance = extraction.get("relevance", notice.relevance)
    notice.relevant = extraction.get("relevant", notice.relevant)
    for key in ("issue_date", "publish_date"):
        value = extraction.get(key)
        if value:
            setattr(notice, key, dt.date.fromisoformat(value))
    # The effective date comes only from the text (自…起施行); none stated means none (every 批复).
    effective = extraction.get("effective_date")
    notice.effective_date = dt.date.fromisoformat(effective) if effective else None
    if extraction.get("doc_number") and not notice.doc_number:
        notice.doc_number = extraction["doc_number"]
        notice.doc_number_key = doc_number_key(notice.doc_number)


def raw_html_of(version: NoticeVersion) -> bytes | None:
    return zlib.decompress(version.raw_html) if version.raw_html is not None else None


def known_urls(session: Session, source: str) -> dict[str, Notice]:
    return {n.url: n for n in session.scalars(select(Notice).where(Notice.source == source))}
