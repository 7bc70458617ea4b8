"""Measurement 5 (database part): 100k synthetic notices in SQLite — bulk insert rate, query latency.

The database is made by ``open_database`` (so it has exactly the migrated schema and the project's SQLite
pragmas: WAL, synchronous=NORMAL). Notices, one version each, their facts (cities, dates) and the place index
rows of those cities (``notice_places``, as ``save_notice`` writes them) are inserted in batches through
SQLAlchemy Core, one transaction per batch; the per-notice path of the crawler (``save_notice``, one
transaction each) is timed on a sample on top of the filled database. Cities are the gazetteer's
prefecture-level cities and municipalities, a few in many notices and most in few (Zipf).

Queries are the CLI's own (``cbecwatch.commands.listing_query``), each repeated with varying parameters in a
fresh session, materialising ORM objects as the CLI does:
* latest 50: ``cbecwatch notices`` (publish date desc, nulls last, then id desc);
* by city: ``cbecwatch notices --city NAME``, through the place index;
* by kind: ``cbecwatch notices --kind KIND``.
p95 target 20 ms each; a missed target prints SQLite's query plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Select, insert, text
from sqlalchemy.orm import Session

from bench.common import Result, failed, median, percentile
from cbecwatch.commands import listing_query
from storage.db import open_database
from storage.models import Document, Fact, Notice, NoticeVersion, Source
from storage.places import NoticePlace

TARGET_MS = 20.0
SOURCES = ("govcn", "mofcom", "mofcom_dzsws", "customs", "mof_gss", "sta", "zj_drc", "gd_doc")
KIND_WEIGHTS = {"pilot_zone_batch": 3, "retail_import_pilot": 2, "positive_list": 1, "tax_policy": 8,
                "customs_announcement": 25, "other": 50, None: 11}
BATCH = 5_000


def listing(session: Session, _: None = None) -> Select[tuple[Notice]]:
    return listing_query(session)


def by_kind(session: Session, kind: str) -> Select[tuple[Notice]]:
    return listing_query(session, kind=kind)


def by_city(session: Session, city: str) -> Select[tuple[Notice]]:
    return listing_query(session, city=city)


def _cities(rng: random.Random) -> list[dict[str, str]]:
    """Name, province and adcode of every prefecture-level city and municipality, shuffled."""
    from crawler.extraction.divisions import gazetteer

    gaz = gazetteer()
    places = [{"name": d.name, "province": gaz.province_name(d) or d.name, "adcode": d.adcode}
              for d in gaz.by_code.values() if d.level == "prefecture" or d.is_municipality]
    places.sort(key=lambda p: p["adcode"])  # a stable order before the seeded shuffle
    rng.shuffle(places)
    return places


def generate(count: int, rng: random.Random, cities: list[dict[str, str]]
             ) -> tuple[list[dict], list[dict], list[dict], list[dict], list[dict]]:
    """Rows of documents, notices, versions, facts and place index rows with explicit ids (facts point at
    versions). Every fourth notice is a second source's copy of the one before it: one document, two rows,
    which the listing shows once."""
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    zipf = [1 / (i + 1) for i in range(len(cities))]  # a few cities in many notices, most in few
    now = dt.datetime.now(dt.UTC)
    start = dt.date(2012, 1, 1)
    documents, notices, versions, facts, places = [], [], [], [], []
    fact_id = 0
    for i in range(1, count + 1):
        kind = rng.choices(kinds, weights)[0]
        day = start + dt.timedelta(days=rng.randrange(5000))
        publish = None if rng.random() < 0.03 else day
        source = SOURCES[i % len(SOURCES)]
        body = f"关于跨境电子商务零售进口有关事项的通知（合成数据第{i}号）。" * rng.randint(2, 8)
        document_id = i - 1 if i % 4 == 0 else i
        if document_id == i:
            documents.append({"id": i, "key": f"docno:bench{i}", "key_kind": "docno", "first_seen_at": now})
        notices.append({
            "id": i, "document_id": document_id, "source": source, "url": f"https://bench.invalid/{source}/{i}.htm",
            "site_id": str(i),
            "title": f"合成公告第{i}号：关于跨境电子商务有关事项的通知", "doc_number": f"署公告〔{day.year}〕{i}号",
            "doc_number_key": f"署公告〔{day.year}〕{i}号", "agencies": ["海关总署"], "issue_date": day,
            "publish_date": publish, "effective_date": None, "kind": kind, "relevance": rng.random(),
            "relevant": rng.random() < 0.7, "first_seen_at": now, "last_seen_at": now, "last_changed_at": now,
        })
        digest = hashlib.sha256(body.encode()).hexdigest()
        versions.append({"id": i, "notice_id": i, "number": 1, "content_hash": digest, "text": body,
                         "raw_encoding": "utf-8", "page_meta": {}, "extraction": {"kind": kind},
                         "extractor_version": "bench", "fetched_at": now})
        picked = rng.choices(range(len(cities)), zipf, k=rng.choice((0, 0, 0, 1, 1, 2, 3, 12)))
        for position, city in enumerate(cities[c] for c in dict.fromkeys(picked)):
            fact_id += 1
            facts.append({"id": fact_id, "version_id": i, "kind": "city", "position": position, **city,
                          "value": None, "unit": None})
            places.append({"id": len(places) + 1, "notice_id": i, "role": "designated", **city})
        fact_id += 1
        facts.append({"id": fact_id, "version_id": i, "kind": "date", "position": 99, "name": "issue_date",
                      "value": day.isoformat(), "unit": None, "province": None, "adcode": None})
    return documents, notices, versions, facts, places


def _insert(db: Any, count: int, rng: random.Random, cities: list[dict[str, str]]) -> dict[str, Any]:
    with db.session() as session, session.begin():
        for name in SOURCES:
            session.merge(Source(name=name, agency=name, status="ok", consecutive_failures=0))
    documents, notices, versions, facts, places = generate(count, rng, cities)
    # Each batch's facts and places, sorted out before the clock starts: the insert rate is the
    # database's, not that of scanning every row once per batch.
    batch_facts: dict[int, list[dict]] = {}
    for f in facts:
        batch_facts.setdefault((f["version_id"] - 1) // BATCH, []).append(f)
    batch_documents: dict[int, list[dict]] = {}
    for d in documents:  # a copy's document (its id - 1) is in its own batch: BATCH is a multiple of 4
        batch_documents.setdefault((d["id"] - 1) // BATCH, []).append(d)
    batch_places: dict[int, list[dict]] = {}
    for p in places:
        batch_places.setdefault((p["notice_id"] - 1) // BATCH, []).append(p)
    t0 = time.perf_counter()
    with db.engine.connect() as conn:
        for lo in range(0, count, BATCH):
            hi = lo + BATCH
            with conn.begin():
                conn.execute(insert(Document.__table__), batch_documents[lo // BATCH])
                conn.execute(insert(Notice.__table__), notices[lo:hi])
                conn.execute(insert(NoticeVersion.__table__), versions[lo:hi])
                for table, rows in ((Fact.__table__, batch_facts), (NoticePlace.__table__, batch_places)):
                    if rows.get(lo // BATCH):
                        conn.execute(insert(table), rows[lo // BATCH])
    seconds = time.perf_counter() - t0
    rows = len(documents) + len(notices) + len(versions) + len(facts) + len(places)
    return {"notices": count, "rows": rows, "facts": len(facts), "places": len(places), "seconds": round(seconds, 3),
            "notices_per_s": round(count / seconds), "rows_per_s": round(rows / seconds)}


def _save_notice_rate(db: Any, count: int, base: int) -> dict[str, Any]:
    """The crawler's own path: one save_notice per transaction, as the storage pipeline does."""
    from storage.notices import NoticeRecord, save_notice

    t0 = time.perf_counter()
    for i in range(count):
        record = NoticeRecord(source="govcn", url=f"https://bench.invalid/save/{base + i}.htm",
                              title=f"合成公告 {i}", text=f"关于跨境电子商务的通知，第{i}号。" * 20, site_id=f"s{i}",
                              doc_number=f"署公告〔2024〕{i}号", agencies=["海关总署"], kind="other",
                              extraction={"cities": [{"name": "天津市"}]})
        with db.session() as session, session.begin():
            save_notice(session, record)
    seconds = time.perf_counter() - t0
    return {"notices": count, "seconds": round(seconds, 3), "notices_per_s": round(count / seconds)}


def _latencies(db: Any, make: Callable[[Session, Any], Select[Any]], params: list[Any]) -> list[float]:
    out = []
    for param in params:
        t0 = time.perf_counter()  # building the query counts: for a city it asks the index how many match
        with Session(db.engine) as session:
            rows = session.scalars(make(session, param)).all()
        out.append((time.perf_counter() - t0) * 1000)
        assert len(rows) <= 50
    return out


def _plan(db: Any, query: Select[Any]) -> list[str]:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        return [str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]


def measure(*, quick: bool, workdir: Path | None = None, count: int | None = None) -> list[Result]:
    count = count or (5_000 if quick else 100_000)
    repeats = 40 if quick else 300
    with tempfile.TemporaryDirectory(prefix="cbec-bench-scale-", dir=workdir) as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'scale.sqlite3'}")
        try:
            return _measure(db, count, repeats, quick)
        except Exception as exc:
            return [failed("5a", "bulk insert", exc),
                    failed("5b", "latest-50 listing p95", exc, f"<= {TARGET_MS:g} ms")]
        finally:
            db.dispose()


def _measure(db: Any, count: int, repeats: int, quick: bool) -> list[Result]:
    rng = random.Random(5)
    cities = _cities(rng)
    inserted = _insert(db, count, rng, cities)
    saved = _save_notice_rate(db, 100 if quick else 1000, count)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))  # what a long-running database would have; cheap here
    results = [Result("5a", f"bulk insert of {count:,} notices (+version, facts, places)", inserted["notices_per_s"],
                      "notices/s", note=f"{inserted['rows_per_s']:,} rows/s, {inserted['seconds']} s in all; crawler "
                      f"path save_notice: {saved['notices_per_s']} notices/s (one transaction each)",
                      details={"bulk": inserted, "save_notice": saved})]
    kinds = [k for k in KIND_WEIGHTS if k]
    # Common and rare cities alike: the head of the Zipf list and a spread over its tail.
    names = [city["name"] for city in cities]
    city_params = [names[i % 5] if i % 2 else names[(i * 37) % len(names)] for i in range(repeats)]
    cases = (
        ("5b", "latest-50 listing p95", listing, [None] * repeats, "notices list (no filter)"),
        ("5c", "filtered by city (place index) p95", by_city, city_params, "cities: common and rare"),
        ("5d", "filtered by kind p95", by_kind, [kinds[i % len(kinds)] for i in range(repeats)], "every kind"),
    )
    for key, name, make, params, what in cases:
        _latencies(db, make, params[:5])  # warm the page cache and SQLAlchemy's statement cache
        lat = _latencies(db, make, params)
        p95 = percentile(lat, 95)
        met = p95 <= TARGET_MS
        ms = {"p50": round(median(lat), 3), "p95": round(p95, 3), "max": round(max(lat), 3)}
        details: dict[str, Any] = {"ms": ms, "runs": len(lat), "parameters": what}
        note = f"p50 {median(lat):.2f} ms, max {max(lat):.1f} ms over {len(lat)} runs ({what})"
        if not met:
            worst = params[lat.index(max(lat))]
            with Session(db.engine) as session:
                details["query_plan"] = _plan(db, make(session, worst))
            note += f"; plan: {' / '.join(details['query_plan'])}"
        results.append(Result(key, name, round(p95, 2), "ms", f"<= {TARGET_MS:g} ms", met, note=note,
                              details=details))
    return results
