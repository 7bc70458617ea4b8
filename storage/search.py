"""Chinese full-text search over notice texts: one index row per notice, for the version its page shows.

Chinese has no spaces, so neither SQLite's FTS5 tokenizers nor PostgreSQL's text-search parser can find
words in it. Both backends are therefore fed the same *pre-segmented* text: the title (with the document
number) and the body are NFKC-folded, converted to simplified characters (a query in traditional
characters finds a simplified text and the other way round) and cut into runs of Chinese characters and
runs of other letters or digits. A Chinese run is indexed as its words, cut with the project's jieba
tokenizer (HMM off, so a word is cut the same way in a query as in a text), followed by its character
bigrams (see :func:`tokens`): the words rank, the bigrams make sure a query finds every text containing
it, whatever jieba made of the context (jieba's own search mode, ``cut_for_search``, adds only the
sub-words its dictionary knows, so 雄安 is not found in 雄安新区, nor 鄂尔多斯 in 鄂尔多斯市).

* SQLite: the FTS5 virtual table ``notice_search(title, body)``, rowid = notice id, ranked by bm25 with
  the title column weighted 10:1. A trigger on ``notices`` deletes the row with its notice (a virtual
  table has no foreign keys).
* PostgreSQL: ``notice_search(notice_id → notices ON DELETE CASCADE, document tsvector)`` built with the
  'simple' configuration (no stemming, no stop words: the tokens are already words), title weight A,
  body weight B, a GIN index; ranked by ts_rank_cd.

The tables are made by migration 0012 in SQL, not as models: an FTS5 table is not something SQLAlchemy's
metadata can describe, and both dialects' tables are only ever read and written here.

Queries go through the same reduction (:func:`query_units`), so whatever a user types (quotes, NEAR, *,
-, parentheses, SQL) reaches the index only as quoted words. Every unit must occur; when no notice has
them all, notices with any of them are returned, best first. Snippets are cut in Python from the shown
text, escaped, with the query's units in ``<mark>``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from storage.db import dialect_name
from storage.models import Notice, NoticeVersion

#: bm25 weights of the FTS5 columns (title, body): a word in the title says more about the document
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
SNIPPET_CHARS = 120
# A query is what a person types; a pasted page would only make a slow query (the web app takes q as is).
MAX_QUERY_CHARS, MAX_QUERY_UNITS = 200, 24
_BEFORE_MATCH = 40  # how much of the snippet precedes the first match
# Chinese characters (the CJK blocks and 〇), else letters and digits of any script: never an operator.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SEGMENT = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_CHINESE = re.compile(rf"[{_CJK}]")
_SPACES = re.compile(r"\s+")
_NUMBERED = re.compile(r"\d\s*号")
_BATCH = 500

_SQLITE_INDEX = table("notice_search", column("rowid"), column("title"), column("body"))
_PG_INDEX = table("notice_search", column("notice_id"), column("document"))


@dataclass(frozen=True)
class SearchHit:
    notice_id: int
    title: str
    #: about SNIPPET_CHARS characters of the text around the first match, HTML-escaped, words in <mark>
    snippet_html: str
    #: relevance, higher is better (SQLite: -bm25; PostgreSQL: ts_rank_cd); comparable within one query
    score: float
    doc_number: str | None = None
    publish_date: dt.date | None = None
    source: str = ""


# -- tokens --------------------------------------------------------------------------------------------
def _fold(value: str) -> str:
    from crawler.extraction.normalize import to_simplified

    return to_simplified(unicodedata.normalize("NFKC", value)).lower()


def _segments(value: str) -> list[str]:
    """Runs of Chinese characters and runs of other letters or digits, in order (the rest separates)."""
    return _SEGMENT.findall(_fold(value))


def _is_chinese(segment: str) -> bool:
    return _CHINESE.match(segment) is not None  # a segment is all Chinese or has none


def _words(segment: str) -> list[str]:
    from crawler.extraction.segment import tokenizer

    return [w for w in tokenizer().cut(segment, HMM=False) if w.strip()]


def _bigrams(segment: str) -> list[str]:
    return [segment[i:i + 2] for i in range(len(segment) - 1)] or [segment]


def tokens(value: str) -> list[str]:
    """The index tokens of *value*, in order (repeats kept: they are what bm25 counts).

    A run of Chinese characters gives its jieba words, then its character bigrams in a row:
    在雄安新区设立 -> 在 雄安新区 设立 在雄 雄安 安新 新区 区设 设立. The words rank a notice that
    uses the query's own words above one that merely contains their characters; the bigrams find any
    part of a word (雄安 in 雄安新区, 鄂尔多斯 in 鄂尔多斯市) and names jieba does not know, whatever
    jieba made of the context. Other letters and digits are one token each (2018, 49, b2b)."""
    out: list[str] = []
    for segment in _segments(value):
        if _is_chinese(segment):
            words = _words(segment)
            out.extend(words)
            if len(segment) > 2 or (len(segment) == 2 and words != [segment]):  # 纪要 is its own bigram
                out.extend(_bigrams(segment))
        else:
            out.append(segment)
    return out


def query_units(query: str) -> list[str]:
    """What of a query must occur in a notice: its jieba words, a single character joined to the word
    after it (财/关税 -> 财关税, 雄/安 -> 雄安: one character alone is rarely a word of the text), and
    its runs of other letters or digits. Distinct, in order."""
    out: list[str] = []
    for segment in _segments(query):
        if not _is_chinese(segment):
            out.append(segment)
            continue
        pending = ""
        for word in _words(segment):
            pending += word
            if len(pending) > 1:
                out.append(pending)
                pending = ""
        if pending:  # a single character at the end joins the word before it (they are adjacent)
            if out and _is_chinese(out[-1]) and segment.endswith(out[-1] + pending):
                out[-1] += pending
            else:
                out.append(pending)
    return list(dict.fromkeys(out))


def index_text(value: str | None) -> str:
    return " ".join(tokens(value or ""))


def _title_field(title: str | None, doc_number: str | None) -> str:
    return " ".join(filter(None, (title, doc_number)))


# -- writing -------------------------------------------------------------------------------------------
def index_notice(session: Session, notice_id: int, *, title: str | None, doc_number: str | None,
                 body: str | None, body_index: str | None = None) -> None:
    """Write (or replace) the index row of one notice from the texts given; the caller's transaction.
    ``body_index``: ``index_text(body)`` when the caller has it already (a crawl cuts it in its
    extraction workers)."""
    write_rows(session, [index_row(notice_id, title, doc_number, body, body_index)])


def index_row(notice_id: int, title: str | None, doc_number: str | None, body: str | None,
              body_index: str | None = None) -> dict[str, Any]:
    """The parameters of one index row: the segmented title (with the document number) and body."""
    return {"id": notice_id, "title": index_text(_title_field(title, doc_number)),
            "body": index_text(body) if body_index is None else body_index}


def write_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Upsert index rows as :func:`index_row` makes them (one executemany for a batch)."""
    if dialect_name(session) == "postgresql":
        session.execute(text(
            "INSERT INTO notice_search (notice_id, document) VALUES (:id, "
            "setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :body), 'B')) "
            "ON CONFLICT (notice_id) DO UPDATE SET document = EXCLUDED.document"), rows)
        return
    session.execute(text("DELETE FROM notice_search WHERE rowid = :id"), rows)
    session.execute(text("INSERT INTO notice_search (rowid, title, body) VALUES (:id, :title, :body)"), rows)


def _shown_texts(session: Session, notice_ids: Sequence[int]) -> dict[int, str]:
    """The text of the version each notice's page showed last: ``current_version``, else the newest
    (as ``storage.notices.shown_number`` decides; a notice stored before migration 0006 has none)."""
    if not notice_ids:
        return {}
    newest = (select(func.max(NoticeVersion.number)).where(NoticeVersion.notice_id == Notice.id)
              .correlate(Notice).scalar_subquery())
    rows = session.execute(select(NoticeVersion.notice_id, NoticeVersion.text)
                           .join(Notice, Notice.id == NoticeVersion.notice_id)
                           .where(Notice.id.in_(notice_ids),
                                  NoticeVersion.number == func.coalesce(Notice.current_version, newest)))
    return dict(rows.all())


def reindex_notice(session: Session, notice_id: int) -> None:
    """Bring one notice's index row in step with its shown version; a deleted notice loses its row."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        key = "notice_id" if dialect_name(session) == "postgresql" else "rowid"
        session.execute(text(f"DELETE FROM notice_search WHERE {key} = :id"), {"id": notice_id})
        return
    session.flush()  # a version added in this transaction must be visible to the query below
    index_notice(session, notice_id, title=notice.title, doc_number=notice.doc_number,
                 body=_shown_texts(session, [notice_id]).get(notice_id, ""))


def _batches(session: Session) -> Iterator[list[tuple[int, str, str | None]]]:
    last = 0
    while True:
        rows = session.execute(select(Notice.id, Notice.title, Notice.doc_number).where(Notice.id > last)
                               .order_by(Notice.id).limit(_BATCH)).all()
        if not rows:
            return
        yield [tuple(row) for row in rows]  # type: ignore[misc]
        last = rows[-1][0]


def rebuild_index(session: Session) -> int:
    """Empty the index and index every notice again (after an upgrade, a restore or a tokenizer change);
    returns how many notices were indexed. The caller owns the transaction."""
    session.flush()
    session.execute(text("DELETE FROM notice_search"))
    count = 0
    for batch in _batches(session):
        texts = _shown_texts(session, [row[0] for row in batch])
        write_rows(session, [index_row(notice_id, title, doc_number, texts.get(notice_id, ""))
                         for notice_id, title, doc_number in batch])
        count += len(batch)
    return count


# -- searching -----------------------------------------------------------------------------------------
def _filtered(query: Any, session: Session, *, limit: int, since: dt.date | None, source: str | None,
              kind: str | None, city: str | None, province: str | None) -> Any:
    """The filters of ``cbecwatch notices`` (same meaning, same place normalisation)."""
    if since:
        query = query.where(Notice.publish_date >= since)
    if source:
        query = query.where(Notice.source == source)
    if kind:
        query = query.where(Notice.kind == kind)
    if city or province:
        from crawler.extraction.places import city_names, province_names
        from storage.places import many_places, place_query

        places = {"cities": city_names(city) if city else (), "provinces": province_names(province) if province else ()}
        query = place_query(query, many=many_places(session, limit, **places), **places)
    return query


def _fts5_clause(unit: str) -> str:
    if _is_chinese(unit) and len(unit) > 2:
        return f'("{unit}" OR "{" ".join(_bigrams(unit))}")'
    return f'"{unit}"'


def _tsquery_clause(unit: str) -> str:
    if _is_chinese(unit) and len(unit) > 2:
        return f"({unit} | {' <-> '.join(_bigrams(unit))})"
    return unit


def _ranked(session: Session, units_: list[str], any_unit: bool) -> tuple[Any, Any]:
    """The select of matching notice ids with their score, and the ORDER BY expression.

    A unit of three or more Chinese characters matches as the word itself or as its bigrams in a row
    (the text contains it, however jieba cut the text there); a shorter one as itself."""
    if dialect_name(session) == "postgresql":
        terms = (" | " if any_unit else " & ").join(_tsquery_clause(unit) for unit in units_)
        tsquery = func.to_tsquery("simple", bindparam("q", terms))
        score = func.ts_rank_cd(_PG_INDEX.c.document, tsquery, 1)
        query = (select(Notice.id, score.label("score"))
                 .join(_PG_INDEX, _PG_INDEX.c.notice_id == Notice.id)
                 .where(_PG_INDEX.c.document.op("@@")(tsquery)))
        return query, score.desc()
    match = (" OR " if any_unit else " AND ").join(_fts5_clause(unit) for unit in units_)
    bm25 = func.bm25(literal_column("notice_search"), TITLE_WEIGHT, BODY_WEIGHT)
    query = (select(Notice.id, (-bm25).label("score"))
             .join(_SQLITE_INDEX, _SQLITE_INDEX.c.rowid == Notice.id)
             .where(literal_column("notice_search").op("MATCH")(bindparam("q", match))))
    return query, bm25.asc()


def search_notices(session: Session, query: str, *, limit: int = 20, offset: int = 0,
                   since: dt.date | None = None, source: str | None = None, kind: str | None = None,
                   city: str | None = None, province: str | None = None) -> list[SearchHit]:
    """Notices matching *query*, most relevant first, filtered like ``cbecwatch notices``.

    Every word of the query must occur; if no notice has them all, notices with any of its words of
    two or more characters (not numbers) are returned, with lower scores. A query naming a number
    (…号: a document number) has no such fallback: a document either has that number or it does not.
    A query without a single letter or digit finds nothing.
    """
    words = query_units(query[:MAX_QUERY_CHARS])[:MAX_QUERY_UNITS]
    if not words or limit <= 0:
        return []
    filters = {"limit": limit + offset, "since": since, "source": source, "kind": kind, "city": city,
               "province": province}

    def matching(units_: list[str], any_word: bool) -> Any:
        ranked, order = _ranked(session, units_, any_word)
        return _filtered(ranked, session, **filters).order_by(order, Notice.id)

    rows = session.execute(matching(words, False).limit(limit).offset(offset)).all()
    # Any-word matching scores every notice holding one of the words, so numbers and single
    # characters (2018, 号), which are in half the corpus and say little, are left out of it.
    some = [w for w in words if len(w) > 1 and not w.isdigit()]
    if not rows and len(words) > 1 and some and not _NUMBERED.search(_fold(query)) and (
            # a page past the end of an all-words result stays empty: no switching half-way through paging
            offset == 0 or session.execute(matching(words, False).limit(1)).first() is None):
        rows = session.execute(matching(some, True).limit(limit).offset(offset)).all()
    return _hits(session, [(row[0], float(row[1])) for row in rows], words)


def _hits(session: Session, scored: list[tuple[int, float]], words: list[str]) -> list[SearchHit]:
    ids = [notice_id for notice_id, _ in scored]
    notices = {n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(ids)))} if ids else {}
    texts = _shown_texts(session, ids)
    return [SearchHit(notice_id, notices[notice_id].title, snippet_html(texts.get(notice_id, ""), words), score,
                      notices[notice_id].doc_number, notices[notice_id].publish_date, notices[notice_id].source)
            for notice_id, score in scored if notice_id in notices]


# -- snippets ------------------------------------------------------------------------------------------
def _highlighted(words: Iterable[str]) -> list[str]:
    """Words worth marking: single Chinese characters (号, 的 …) only when the query has nothing longer."""
    words = list(words)
    longer = [w for w in words if len(w) > 1 or w.isascii()]
    return sorted(longer or words, key=len, reverse=True)


def snippet_html(body: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About *width* characters of *body* around the first query word, escaped, words in <mark>.

    Words are looked for as written first (most texts are simplified already), then in the folded
    text (traditional characters, full-width forms); only the window shown is folded for marking.
    Where folding changes a text's length the offsets no longer line up, and the folded text is shown."""
    body = _SPACES.sub(" ", body).strip()
    marked = _highlighted(words)
    if not marked:
        return html.escape(body[:width])
    pattern = re.compile("|".join(re.escape(w) for w in marked), re.IGNORECASE)
    first = pattern.search(body)
    if first is None:
        folded = _fold_keep_case(body)
        if len(folded) != len(body):
            body = folded
        first = pattern.search(folded)
    start = max(0, first.start() - _BEFORE_MATCH) if first else 0
    end = min(len(body), start + width)
    window = body[start:end]
    folded_window = _fold_keep_case(window)
    if len(folded_window) != len(window):
        window = folded_window
    out = ["…" if start else ""]
    pos = 0
    for found in pattern.finditer(folded_window):
        out.append(html.escape(window[pos:found.start()]))
        out.append(f"<mark>{html.escape(window[found.start():found.end()])}</mark>")
        pos = found.end()
    out.append(html.escape(window[pos:]))
    out.append("…" if end < len(body) else "")
    return "".join(out)


def _fold_keep_case(value: str) -> str:
    from crawler.extraction.normalize import to_simplified

    return to_simplified(unicodedata.normalize("NFKC", value))


def plain_snippet(snippet: str, open_mark: str = "【", close_mark: str = "】") -> str:
    """A snippet for a terminal or JSON: marks as brackets, entities decoded."""
    return html.unescape(snippet.replace("<mark>", open_mark).replace("</mark>", close_mark))
