"""Documents: the copies of one official document, crawled from several sources, as one identity.

A *notice* row is one source's copy (its URL, first-seen time and versions); a *document* groups the
copies. Which document a copy belongs to is decided by, in order:

1. ``docno`` — the normalised 发文字号 with its issuer: ``storage.notices.doc_number_key`` (brackets and
   full-width digits folded) plus the extractor's canonical agency names, so 国函(2016)17号 and
   国函〔2016〕17号 are one key, and a bare "2018年第1号" is prefixed with its own issuer (two issuers'
   first announcements of 2018 stay two documents);
2. ``title_date`` — for a document without a number: the normalised title and the publish date;
3. near-identical text — among copies published the same day (a bounded, cheap look), a body whose
   normalised text matches ≥ 95 % (``difflib`` ratio, after a shingle pre-check) is the same document;
   copies of one date take this look one transaction at a time (a PostgreSQL advisory lock on the date),
   so two sources saving the same numberless notice at once still make one document;
4. otherwise the copy starts a document of its own (``url``).

The functions work on a SQLAlchemy ``Connection`` or ``Session`` through frozen lightweight table
definitions, so migration 0011 merges existing databases with exactly these rules.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from storage.db import dialect_name
from storage.notices import doc_number_key
from storage.types import UTCDateTime, utcnow

SIMILARITY = 0.95  # difflib ratio of two normalised bodies that makes them one document
SHINGLE = 4  # characters per shingle of the cheap pre-check
SHINGLE_OVERLAP = 0.5  # share of shared shingles below which difflib is not asked
COMPARED_CHARS = 4000  # of each body: two copies that agree this far and in length are the same text
SAME_DAY_CANDIDATES = 20  # copies of the same publish date looked at, newest first
KEY_CHARS = 400
# The first key of the two-integer advisory locks on a publish date (the second is the date's ordinal);
# two-integer keys are a key space apart from the migration lock's single bigint (storage/db.py).
_SAME_DAY_LOCK_SPACE = 0x0CBEC0D

_DOCUMENTS = sa.table("documents", sa.column("id", sa.Integer), sa.column("key", sa.String),
                      sa.column("key_kind", sa.String), sa.column("first_seen_at", UTCDateTime()))
_NOTICES = sa.table("notices", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                    sa.column("publish_date", sa.Date), sa.column("current_version", sa.Integer))
_VERSIONS = sa.table("notice_versions", sa.column("notice_id", sa.Integer), sa.column("number", sa.Integer),
                     sa.column("text", sa.Text))

_BARE_ANNOUNCEMENT = re.compile(r"^(?:公告)?((?:19|20)\d\d)年第0*(\d{1,5})号$")
_ANNOUNCEMENT = re.compile(
    r"^(?P<issuer>.+?)(?P<joint>等\d+个?部门)?公告(?P<year>(?:19|20)\d\d)年第0*(?P<serial>\d{1,5})号$")
_BRACKET_SERIAL = re.compile(r"〕第?0*(\d{1,5})号")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Identity:
    kind: str  # "docno", "title_date" or "url"
    key: str


def _canonical_agency(name: str) -> str:
    from crawler.extraction.agencies import canonical

    return canonical(name.strip())


def number_identity(doc_number: str | None, agencies: Sequence[str] = ()) -> str | None:
    """The document number as an identity, issuer included; None when it names no document.

    >>> number_identity("国函(2016)17号") == number_identity("国函〔2016〕17号")
    True
    """
    key = doc_number_key(doc_number)
    if not key:
        return None
    key = _BRACKET_SERIAL.sub(r"〕\1号", key)
    bare = _BARE_ANNOUNCEMENT.match(key)
    if bare:  # "2018年第1号" means nothing without who numbered it
        issuer = _canonical_agency(agencies[0]) if agencies else ""
        return f"{issuer}公告{bare.group(1)}年第{int(bare.group(2))}号" if issuer else None
    announcement = _ANNOUNCEMENT.match(key)
    if announcement:  # 税务总局公告… and 国家税务总局公告… are one issuer's
        issuer = _canonical_agency(announcement.group("issuer"))
        return (f"{issuer}{announcement.group('joint') or ''}公告{announcement.group('year')}年第"
                f"{int(announcement.group('serial'))}号")
    return key


def normalize_title(title: str) -> str:
    """NFKC, without whitespace or punctuation: sites differ in spaces, brackets and quotes."""
    text = unicodedata.normalize("NFKC", title or "")
    return "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def _bounded(kind: str, value: str) -> str:
    key = f"{kind}:{value}"
    return key if len(key) <= KEY_CHARS else f"{kind}:sha256:{hashlib.sha256(value.encode()).hexdigest()}"


def identity_of(*, doc_number: str | None, agencies: Sequence[str] = (), title: str = "",
                publish_date: dt.date | None = None, url: str = "") -> Identity:
    number = number_identity(doc_number, agencies)
    if number:
        return Identity("docno", _bounded("docno", number))
    title_key = normalize_title(title)
    if title_key and publish_date:
        return Identity("title_date", _bounded("title_date", f"{title_key}|{publish_date.isoformat()}"))
    return Identity("url", _bounded("url", url))


def _body(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text or ""))[:COMPARED_CHARS]


def _shingles(text: str) -> set[str]:
    return {text[i:i + SHINGLE] for i in range(max(len(text) - SHINGLE + 1, 1))}


def near_identical(a: str, b: str, threshold: float = SIMILARITY) -> bool:
    """Whether two bodies are the same text up to a few characters (page furniture, a typo)."""
    a, b = _body(a), _body(b)
    if not a or not b or min(len(a), len(b)) < threshold * max(len(a), len(b)):
        return False
    # Shingle overlap first: unrelated texts of similar length are turned away in linear time. Loose on
    # purpose: 5 % of characters changed, scattered, can spoil up to a fifth of the 4-character shingles.
    a_shingles, b_shingles = _shingles(a), _shingles(b)
    if len(a_shingles & b_shingles) < SHINGLE_OVERLAP * max(len(a_shingles), len(b_shingles)):
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


def _same_day_match(conn: Any, identity: Identity, publish_date: dt.date | None, text: str,
                    exclude_notice: int | None) -> int | None:
    if publish_date is None or not text:
        return None
    query = (sa.select(_NOTICES.c.document_id, _DOCUMENTS.c.key_kind, _VERSIONS.c.text)
             .join(_DOCUMENTS, _DOCUMENTS.c.id == _NOTICES.c.document_id)
             .join(_VERSIONS, sa.and_(_VERSIONS.c.notice_id == _NOTICES.c.id,
                                      _VERSIONS.c.number == _NOTICES.c.current_version))
             .where(_NOTICES.c.publish_date == publish_date)
             .order_by(_NOTICES.c.id.desc()).limit(SAME_DAY_CANDIDATES))
    if exclude_notice is not None:
        query = query.where(_NOTICES.c.id != exclude_notice)
    if identity.kind == "docno":  # two different numbers are two documents, however alike their texts
        query = query.where(_DOCUMENTS.c.key_kind != "docno")
    for document_id, _kind, candidate in conn.execute(query):
        if near_identical(text, candidate):
            return int(document_id)
    return None


def _insert_document(conn: Any, identity: Identity, first_seen_at: dt.datetime) -> int:
    """The document with this key, created unless it exists.

    ``INSERT … ON CONFLICT DO NOTHING`` then a read: when two sources store the same number at once on
    PostgreSQL, the second insert waits for the first transaction and, once it commits, inserts
    nothing; the read (a new snapshot under READ COMMITTED) then finds the winner's row. No savepoint,
    no retry loop, and the loser's notice still lands in the one document."""
    if dialect_name(conn) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(_DOCUMENTS).values(key=identity.key, key_kind=identity.kind, first_seen_at=first_seen_at)
    conn.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
    return int(conn.execute(sa.select(_DOCUMENTS.c.id).where(_DOCUMENTS.c.key == identity.key)).scalar_one())


def _lock_the_day(conn: Any, publish_date: dt.date) -> None:
    """Serialise, until this transaction ends, the copies of one publish date that look for a same-day twin.

    Two sources storing copies of one numberless document at once would otherwise each look for the
    other's text before it is committed, find nothing, and start two documents (different titles give
    different keys, so the unique key cannot join them). On PostgreSQL a transaction-scoped advisory
    lock on the date makes the second wait until the first commits its notice and text, then look
    (READ COMMITTED: the look is a new statement, so it sees them). SQLite has one writer at a time."""
    if dialect_name(conn) == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :day)"),
                     {"space": _SAME_DAY_LOCK_SPACE, "day": publish_date.toordinal()})


def document_for(conn: Any, identity: Identity, *, publish_date: dt.date | None, text: str,
                 first_seen_at: dt.datetime | None = None, exclude_notice: int | None = None) -> int:
    """The id of the document a copy with this identity and text belongs to (created when new)."""
    def by_key() -> int | None:
        if identity.kind == "url":
            return None
        found = conn.execute(sa.select(_DOCUMENTS.c.id).where(_DOCUMENTS.c.key == identity.key)).scalar()
        return None if found is None else int(found)

    found = by_key()
    if found is not None:
        return found
    if publish_date is not None and text:
        _lock_the_day(conn, publish_date)
        found = by_key()  # a copy that held the lock may have created it meanwhile
        if found is not None:
            return found
    matched = _same_day_match(conn, identity, publish_date, text, exclude_notice)
    if matched is not None:
        return matched
    return _insert_document(conn, identity, first_seen_at or utcnow())


def copies_by_document(session: Any, document_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Every stored copy of each document, in the order they were first seen (the first is the one
    whose source saw the document first, and made its alert)."""
    from storage.models import Notice

    out: dict[int, list[dict[str, Any]]] = {}
    if not document_ids:
        return out
    rows = session.execute(sa.select(Notice.document_id, Notice.id, Notice.source, Notice.url, Notice.first_seen_at)
                           .where(Notice.document_id.in_(sorted(set(document_ids))))
                           .order_by(Notice.first_seen_at, Notice.id))
    for document_id, notice_id, source, url, first_seen in rows:
        out.setdefault(document_id, []).append(
            {"source": source, "url": url, "first_seen": first_seen.isoformat(), "notice_id": notice_id})
    return out


def copies_of_notice(notice: Any) -> list[dict[str, Any]]:
    """The copy list of a notice stored without a document: itself."""
    return [{"source": notice.source, "url": notice.url, "first_seen": notice.first_seen_at.isoformat(),
             "notice_id": notice.id}]
