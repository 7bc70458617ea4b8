"""Measurement 7: Chinese full-text search (``storage.search``) at 100k notices — index build and query p95.

Notices are synthetic but made of real text: every paragraph of the bench corpus and the extraction test
data (official notices, reprints, press) goes into a pool, and each notice takes a title line and 4–16
paragraphs from it at random, plus a city of the gazetteer and a document number of its own, so that
word frequencies are those of real notices. Each pool paragraph is segmented once (its index tokens are
the same wherever it is used: tokens never cross a line), which keeps a 100k-notice run to minutes; the
segmentation rate is measured on the pool and the time to segment the whole corpus is projected from it.

Queries (200; 40 in --quick) are what users type: city names, document numbers (a few that no notice
has), words and word pairs of the corpus, and three words no notice has all of (the any-word fallback
runs a second query). Each runs
``search_notices`` in a fresh session with limit 20, snippets included. The baseline, measured in the same
run on the same database, is the search one would write without an index: every word as
``text LIKE '%word%'`` over the shown versions, first 20 by id (it stops early for common words and so
flatters the scan; it has no ranking).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bench.common import ROOT, Result, failed, median, percentile
from storage.db import open_database
from storage.models import Notice, NoticeVersion, Source
from storage.search import query_units, search_notices, tokens, write_rows

POOL_DIRS = (ROOT / "bench" / "corpus", ROOT / "tests" / "extraction" / "data", ROOT / "tests" / "data")
BATCH = 5_000
BASELINE_RUNS = 20  # each LIKE scan reads the whole table: fewer runs, the same queries' first ones


def _pool() -> tuple[list[str], list[str]]:
    """Title lines and body paragraphs of every text file of the corpora."""
    titles, paragraphs = [], []
    for folder in POOL_DIRS:
        for path in sorted(folder.glob("*.txt")):
            lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.startswith("#")]
            if lines:
                titles.append(lines[0][:120])
                paragraphs.extend(ln for ln in lines[1:] if len(ln) >= 10)
    return titles, paragraphs


def _cities() -> list[str]:
    from crawler.extraction.divisions import gazetteer

    return sorted({d.name for d in gazetteer().by_code.values() if d.level == "prefecture" or d.is_municipality})


def _generate(count: int, rng: random.Random) -> tuple[list[dict], list[dict], list[dict], dict[str, Any]]:
    titles, paragraphs = _pool()
    tokens("预热")  # builds the tokenizer (about a second), which is not segmentation time
    t0 = time.perf_counter()
    para_tokens = [" ".join(tokens(p)) for p in paragraphs]
    title_tokens = [" ".join(tokens(t)) for t in titles]
    pool_chars = sum(map(len, paragraphs)) + sum(map(len, titles))
    seg_rate = pool_chars / (time.perf_counter() - t0)
    cities = _cities()
    city_tokens = {c: " ".join(tokens(c)) for c in cities}
    now = dt.datetime.now(dt.UTC)
    notices, versions, index_rows = [], [], []
    chars = 0
    for i in range(1, count + 1):
        t = rng.randrange(len(titles))
        picked = rng.sample(range(len(paragraphs)), rng.randint(4, 16))
        city = rng.choice(cities)
        day = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        number = f"署公告〔{day.year}〕{i}号"
        body = "\n".join([f"{city}：", *(paragraphs[p] for p in picked)])
        chars += len(body)
        notices.append({"id": i, "source": "govcn", "url": f"https://bench.invalid/search/{i}.htm",
                        "title": titles[t], "doc_number": number, "doc_number_key": number, "agencies": [],
                        "publish_date": day, "kind": "other", "first_seen_at": now, "last_seen_at": now,
                        "last_changed_at": now, "current_version": 1})
        digest = hashlib.sha256(body.encode()).hexdigest()
        versions.append({"id": i, "notice_id": i, "number": 1, "content_hash": digest, "text": body,
                         "page_meta": {}, "fetched_at": now})
        # the same strings index_notice builds, from the pre-segmented pieces
        index_rows.append({"id": i, "title": f"{title_tokens[t]} {' '.join(tokens(number))}",
                           "body": " ".join([city_tokens[city], *(para_tokens[p] for p in picked)])})
    stats = {"pool_paragraphs": len(paragraphs), "segment_chars_per_s": round(seg_rate),
             "body_chars_avg": round(chars / count), "projected_segmentation_s": round(chars / seg_rate, 1)}
    return notices, versions, index_rows, stats


def _queries(count: int, rng: random.Random, numbers: list[str]) -> list[str]:
    paragraphs = _pool()[1]
    words = sorted({w for p in paragraphs[:400] for w in query_units(p) if len(w) >= 2 and not w.isdigit()})
    cities = _cities()
    makers = (
        lambda: rng.choice(cities)[:-1] if rng.random() < 0.5 else rng.choice(cities),  # 杭州 / 杭州市
        # a stored number mostly; sometimes one no notice has (found nothing, and no any-word fallback)
        lambda: rng.choice(numbers) if rng.random() < 0.8 else f"署公告〔2011〕{rng.randrange(1, 10**6)}号",
        lambda: rng.choice(words),
        lambda: f"{rng.choice(words)} {rng.choice(words)}",
        lambda: f"{rng.choice(cities)} 税收政策 正面清单",  # usually no notice has all: the fallback
    )
    return [makers[i % len(makers)]() for i in range(count)]


def _build(db: Any, count: int, rng: random.Random) -> dict[str, Any]:
    notices, versions, index_rows, stats = _generate(count, rng)
    with db.session() as session, session.begin():
        session.merge(Source(name="govcn", agency="国务院", status="ok", consecutive_failures=0))
    with db.engine.connect() as conn:
        for lo in range(0, count, BATCH):
            with conn.begin():
                conn.execute(insert(Notice.__table__), notices[lo:lo + BATCH])
                conn.execute(insert(NoticeVersion.__table__), versions[lo:lo + BATCH])
    t0 = time.perf_counter()
    for lo in range(0, count, BATCH):
        with db.session() as session, session.begin():
            write_rows(session, index_rows[lo:lo + BATCH])  # the upsert index_notice runs, batched
    with db.engine.begin() as conn:
        # what a long-lived index would be: PostgreSQL's statistics, FTS5's segments merged
        optimize = "INSERT INTO notice_search(notice_search) VALUES ('optimize')"
        conn.execute(text("ANALYZE" if db.engine.dialect.name == "postgresql" else optimize))
    stats["index_build_s"] = round(time.perf_counter() - t0, 2)
    with db.engine.connect() as conn:
        stats["database_mb"] = round(conn.execute(text(
            "SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(ARRAY['notices', 'notice_versions', "
            "'notice_search']) AS t" if db.engine.dialect.name == "postgresql" else
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")).scalar() / 2**20)
    return stats


def _like_baseline(session: Session, query: str) -> list[int]:
    where = " AND ".join(f"v.text LIKE :w{i}" for i, _ in enumerate(query.split()))
    params = {f"w{i}": f"%{word}%" for i, word in enumerate(query.split())}
    return list(session.scalars(text(
        f"SELECT n.id FROM notices n JOIN notice_versions v ON v.notice_id = n.id AND v.number = n.current_version "
        f"WHERE {where} ORDER BY n.id LIMIT 20"), params))


def _time(db: Any, queries: list[str], run: Any) -> list[float]:
    out = []
    for query in queries:
        t0 = time.perf_counter()
        with Session(db.engine) as session:
            run(session, query)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure(*, quick: bool, workdir: Path | None = None, count: int | None = None, url: str | None = None
            ) -> list[Result]:
    count = count or (5_000 if quick else 100_000)
    with tempfile.TemporaryDirectory(prefix="cbec-bench-search-", dir=workdir) as tmp:
        db = open_database(url or f"sqlite:///{Path(tmp) / 'search.sqlite3'}")
        try:
            return _measure(db, count, 40 if quick else 200)
        except Exception as exc:
            return [failed("8a", "search index build", exc), failed("8b", "search query p95", exc)]
        finally:
            db.dispose()


def _measure(db: Any, count: int, runs: int) -> list[Result]:
    rng = random.Random(7)
    backend = db.engine.dialect.name
    stats = _build(db, count, rng)
    with Session(db.engine) as session:
        numbers = list(session.scalars(select(Notice.doc_number).where(Notice.id % 97 == 0)))
    queries = _queries(runs, rng, numbers)
    _time(db, queries[:5], lambda s, q: search_notices(s, q))  # warm caches and jieba
    indexed = _time(db, queries, lambda s, q: search_notices(s, q))
    baseline = _time(db, queries[:BASELINE_RUNS], _like_baseline)
    with Session(db.engine) as session:
        found = sum(bool(search_notices(session, q, limit=1)) for q in queries)
        size = session.scalar(select(Notice.id).order_by(Notice.id.desc()).limit(1))
    p95, base_p95 = percentile(indexed, 95), percentile(baseline, 95)
    same = indexed[:BASELINE_RUNS]
    ms = {"p50": round(median(indexed), 2), "p95": round(p95, 2), "max": round(max(indexed), 2)}
    base = {"p50": round(median(baseline), 1), "p95": round(base_p95, 1), "runs": len(baseline)}
    return [
        Result("8a", f"search index build, {size:,} notices ({backend})", stats["index_build_s"], "s",
               note=f"bodies {stats['body_chars_avg']} chars on average; jieba segmentation "
                    f"{stats['segment_chars_per_s']:,} chars/s, so segmenting them all takes "
                    f"~{stats['projected_segmentation_s']} s more (rebuild_index, migration 0012)",
               details=stats),
        Result("8b", f"search query p95 at {size:,} notices ({backend})", round(p95, 2), "ms",
               note=f"p50 {ms['p50']} ms, max {ms['max']} ms, {len(indexed)} queries ({found} with hits), snippets "
                    f"included; LIKE scan baseline p50 {base['p50']} ms, p95 {base['p95']} ms over its first "
                    f"{len(baseline)}: on those the index is {median(baseline) / max(median(same), 1e-9):.0f}x "
                    f"faster at p50, {base_p95 / max(percentile(same, 95), 1e-9):.0f}x at p95; "
                    f"database {stats['database_mb']} MB",
               details={"ms": ms, "baseline_ms": base, "queries_sample": queries[:10], **stats}),
    ]
