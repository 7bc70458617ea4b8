"""Running the extractor on a crawled or stored notice, the same way in both places.

The crawl pipeline and ``cbecwatch reparse`` both call :func:`extract_notice` on the whole page as
fetched (so the extractor sees the info table and metas, and strips the page chrome itself), with
the title and publication date the spider read from the list or page as hints. Re-parse feeds the
stored raw page, so after a parser improvement it gives exactly what a fresh crawl would.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def extractor_version() -> str:
    from crawler.extraction import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def extract_notice(document: str, *, url: str | None, title: str | None, publish_date: dt.date | None,
                   is_html: bool = True, root: Any = None) -> dict[str, Any]:
    """``root``: ``document`` already parsed by :func:`crawler.extraction.tree.parse_html` (optional)."""
    from crawler.extraction import extract

    return extract(document, url=url, is_html=is_html, publish_date=publish_date, title=title,
                   root=root).to_dict()


def stored_document(raw_html: bytes | None, encoding: str | None, text: str) -> tuple[str, bool]:
    """The page a version was extracted from: its raw HTML when kept, else its cleaned text."""
    if raw_html is None:
        return text, False
    from crawler.encoding import decode_page

    return decode_page(raw_html, encoding), True


@dataclass
class ReparseReport:
    versions: int = 0
    changed: int = 0
    failed: int = 0
    zones: int = 0


def reparse(session: Session, source: str | None = None) -> ReparseReport:
    """Re-extract every stored version (no network); update facts, notice fields, place and search
    indexes and registry."""
    from storage.facts import facts_from_extraction
    from storage.models import Notice, NoticeVersion
    from storage.notices import apply_extraction, current_version_of, raw_html_of, refresh_document
    from storage.places import refresh_places
    from storage.registry import rebuild_registry
    from storage.search import reindex_notice

    report = ReparseReport()
    version = extractor_version()
    query = select(Notice).order_by(Notice.id)
    if source:
        query = query.where(Notice.source == source)
    for notice in session.scalars(query):
        versions = session.scalars(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id)
                                   .order_by(NoticeVersion.number)).all()
        for stored in versions:
            report.versions += 1
            document, is_html = stored_document(raw_html_of(stored), stored.raw_encoding, stored.text)
            try:
                extraction = extract_notice(document, url=notice.url, title=notice.title,
                                            publish_date=notice.publish_date, is_html=is_html)
            except Exception as exc:  # one bad text must not stop the others; it is named
                report.failed += 1
                log.error("reparse: notice %s version %s (%s): %s", notice.id, stored.number, notice.url, exc)
                continue
            if extraction != stored.extraction:
                report.changed += 1
                stored.extraction = extraction
                stored.facts = facts_from_extraction(extraction)
            stored.extractor_version = version
        shown = current_version_of(notice)
        number_key = notice.doc_number_key
        if shown is not None and shown.extraction:
            apply_extraction(notice, shown.extraction)
        if shown is not None and (notice.document_id is None or notice.doc_number_key != number_key):
            refresh_document(session, notice, shown.text)  # a number found now may name another document
        # Always, not only when the extraction changed: reparse is also how an index that missed a
        # notice (written by an older cbecwatch, say) is made whole again.
        refresh_places(session, notice, shown.facts if shown is not None else [])
        reindex_notice(session, notice.id)  # the document number may be new; and the same reason as above
    session.flush()
    report.zones = rebuild_registry(session)
    return report
