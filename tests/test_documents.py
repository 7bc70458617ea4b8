"""One document, several sources: identity rules, storage, alerts, listing, ``show`` and migration 0011."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from crawler.mirror.server import MirrorServer
from storage.db import alembic_config, create_db_engine, open_database, upgrade
from storage.documents import identity_of, near_identical, number_identity
from storage.events import derive_events
from storage.models import Document, Notice, NoticeVersion, Source
from storage.models_alerts import Delivery, Event
from storage.notices import NoticeRecord, ensure_source, save_notice
from storage.outbox import enqueue
from storage.subscribers import SubscriberSpec, add_subscriber
from storage.types import utcnow

TAX = "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知"
# SYNTHETIC bodies, shaped like the tax notice: the copies of one document differ by a figure or a line.
BODY = ("一、将跨境电子商务零售进口商品的单次交易限值由人民币2000元提高至5000元，"
        "年度交易限值由人民币20000元提高至26000元。\n二、本通知自2019年1月1日起执行。\n财政部\n海关总署\n税务总局")
OTHER_BODY = "为进一步优化纳税服务，现就增值税发票领用有关事项公告如下：\n一、纳税人可通过电子税务局办理发票领用。"
SOURCES = ("govcn", "mof_gss", "chinatax", "customs")


def record(source: str, url: str, *, doc_number: str | None = "财关税〔2018〕49号", title: str = TAX,
           text: str = BODY, publish_date: dt.date | None = dt.date(2018, 11, 30),
           agencies: list[str] | None = None, **extraction: Any) -> NoticeRecord:
    return NoticeRecord(source=source, url=url, title=title, text=text, doc_number=doc_number,
                        agencies=agencies or ["财政部", "海关总署", "国家税务总局"], publish_date=publish_date,
                        kind="tax_policy", relevant=True, extraction=extraction or None)


@pytest.fixture
def db(database_url: str):
    database = open_database(database_url)
    with database.session() as session, session.begin():
        for name in SOURCES:
            ensure_source(session, name, name).last_success_at = utcnow()  # past the silent first run
        add_subscriber(session, SubscriberSpec("all", email="all@example.com"))
    yield database
    database.dispose()


def store(db, rec: NoticeRecord) -> tuple[int, list[Event], int]:
    with db.session() as session, session.begin():
        result = save_notice(session, rec)
        events = derive_events(session, result, rec)
        deliveries = enqueue(session, events, rec.text)
        return session.get(Notice, result.notice_id).document_id, events, len(deliveries)


# -- the identity rules --------------------------------------------------------------------------------
def test_bracket_style_and_full_width_digits_name_the_same_number() -> None:
    assert number_identity("国函(2016)17号") == number_identity("国函〔2016〕17号") == "国函〔2016〕17号"
    assert number_identity("国函［２０１６］１７号") == number_identity("国函【2016】第017号") == "国函〔2016〕17号"


def test_two_issuers_first_announcement_of_a_year_are_two_documents() -> None:
    customs = number_identity("2018年第1号", ["海关总署"])
    tax = number_identity("公告2018年第1号", ["税务总局"])
    assert customs == "海关总署公告2018年第1号" and tax == "国家税务总局公告2018年第1号"
    assert number_identity("2018年第1号", []) is None  # a bare number of nobody identifies nothing
    # the issuer's short name and full name are one issuer
    assert number_identity("税务总局公告2019年第36号") == number_identity("国家税务总局公告2019年第36号")


def test_a_document_without_number_is_known_by_title_and_date() -> None:
    one = identity_of(doc_number=None, title="关于优化发票领用服务的公告 ", publish_date=dt.date(2024, 3, 1))
    two = identity_of(doc_number="", title="关于优化发票领用服务的公告。", publish_date=dt.date(2024, 3, 1))
    assert one == two and one.kind == "title_date"
    assert identity_of(doc_number=None, title="关于优化发票领用服务的公告", publish_date=dt.date(2024, 3, 2)) != one
    assert identity_of(doc_number=None, title="t", publish_date=None, url="https://x/1").kind == "url"


def test_near_identical_text_tolerates_furniture_but_not_another_text() -> None:
    assert near_identical(BODY, BODY.replace("\n", " ") + "打印本页")
    assert not near_identical(BODY, BODY.replace("5000", "8000").replace("26000", "30000").replace("执行", "施行")
                              .replace("年度", "全年"))
    assert not near_identical(BODY, OTHER_BODY)


# -- storing copies --------------------------------------------------------------------------------------
def test_four_sources_of_one_number_are_one_document_with_four_copies(db) -> None:
    documents = {store(db, record(source, f"https://{source}.example/49"))[0] for source in SOURCES}
    assert len(documents) == 1
    with db.session() as session:
        document = session.get(Document, documents.pop())
        assert document.key == "docno:财关税〔2018〕49号" and document.key_kind == "docno"
        assert [copy.source for copy in document.copies] == list(SOURCES)


def test_a_number_written_with_other_brackets_joins_the_same_document(db) -> None:
    first = store(db, record("govcn", "https://govcn.example/17", doc_number="国函〔2016〕17号"))[0]
    second = store(db, record("mof_gss", "https://mof.example/17", doc_number="国函(2016)17号"))[0]
    third = store(db, record("chinatax", "https://tax.example/17", doc_number="国函〔2016〕18号"))[0]
    assert first == second != third


def test_two_issuers_bare_numbers_stay_two_documents(db) -> None:
    customs = store(db, record("customs", "https://c.example/1", doc_number="2018年第1号", agencies=["海关总署"],
                               title="关于甲的公告", text=OTHER_BODY))[0]
    tax = store(db, record("chinatax", "https://t.example/1", doc_number="2018年第1号", agencies=["国家税务总局"],
                           title="关于乙的公告", text=BODY))[0]
    assert customs != tax


def test_a_copy_without_number_joins_by_near_identical_text_of_the_same_day(db) -> None:
    numbered = store(db, record("govcn", "https://govcn.example/49"))[0]
    # mof_gss's page lost the number and shortened the title; its text is the same up to furniture
    short_title = "关于完善跨境电商税收政策的通知"
    bare = store(db, record("mof_gss", "https://mof.example/49", doc_number=None, title=short_title,
                            text=BODY + "\n【打印】"))[0]
    unrelated = store(db, record("chinatax", "https://tax.example/x", doc_number=None, title="关于发票的公告",
                                 text=OTHER_BODY))[0]
    other_day = store(db, record("customs", "https://c.example/49", doc_number=None, title=short_title,
                                 text=BODY, publish_date=dt.date(2019, 1, 2)))[0]
    assert bare == numbered and unrelated != numbered and other_day != numbered


def test_alerts_are_sent_once_per_document_from_the_source_that_saw_it_first(db) -> None:
    _, first_events, first_deliveries = store(db, record("mof_gss", "https://mof.example/49",
                                                         figures=[{"name": "single_limit_yuan", "value": 5000}]))
    _, second_events, second_deliveries = store(db, record("govcn", "https://govcn.example/49",
                                                           figures=[{"name": "single_limit_yuan", "value": 5000}]))
    # a numberless document on two sites (title and date) is one document too
    _, bare_first, _ = store(db, record("chinatax", "https://tax.example/1", doc_number=None, title="关于发票的公告",
                                        text=OTHER_BODY))
    _, bare_second, _ = store(db, record("customs", "https://c.example/1", doc_number=None, title="关于发票的公告",
                                         text=OTHER_BODY))
    assert [e.kind for e in first_events] == ["notice_new"] and first_deliveries == 1
    assert second_events == [] and second_deliveries == 0
    assert len(bare_first) == 1 and bare_second == []
    with db.session() as session:
        announced = session.scalars(select(Event).where(Event.kind == "notice_new").order_by(Event.id)).all()
        assert [e.source for e in announced] == ["mof_gss", "chinatax"]
        assert session.scalar(select(func.count()).select_from(Delivery)) == 2


def _commit_then_expect_one_document(db, first, worker: threading.Thread, outcome: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """The first copy commits; the second source, which was waiting, then joins its document."""
    first.commit()
    first.close()
    worker.join(10)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert outcome["document"] == session.scalar(select(Document.id))


def test_two_sources_saving_one_number_at_once_make_one_document_on_postgresql(db, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: saves cannot overlap")
    first = db.session()
    first.begin()
    save_notice(first, record("govcn", "https://govcn.example/49"))  # inserted, not yet committed
    outcome: dict[str, Any] = {}

    def second_source() -> None:
        with db.session() as session, session.begin():  # its insert waits for the first transaction
            outcome["document"] = session.get(Notice, save_notice(
                session, record("mof_gss", "https://mof.example/49")).notice_id).document_id

    worker = threading.Thread(target=second_source)
    worker.start()
    worker.join(0.5)
    assert worker.is_alive()  # blocked on the document key the first transaction holds
    _commit_then_expect_one_document(db, first, worker, outcome)


@pytest.mark.parametrize("first_number", [None, "财关税〔2018〕49号"])
def test_two_sources_saving_one_numberless_text_at_once_make_one_document_on_postgresql(
        db, database_url: str, first_number: str | None) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: saves cannot overlap")
    from sqlalchemy import text

    first = db.session()
    first.begin()  # the first copy is stored, not yet committed: its text is not visible to others
    save_notice(first, record("govcn", "https://govcn.example/49", doc_number=first_number))
    outcome: dict[str, Any] = {}

    def second_source() -> None:  # another title, no number: only the text can join them
        with db.session() as session, session.begin():
            outcome["document"] = session.get(Notice, save_notice(session, record(
                "mof_gss", "https://mof.example/49", doc_number=None, title="关于完善跨境电商税收政策的通知",
                text=BODY + "\n【打印】")).notice_id).document_id

    worker = threading.Thread(target=second_source)
    worker.start()
    with db.session() as observer:  # wait until the second copy waits for the first (or has finished)
        for _ in range(100):
            waiting = observer.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                           "AND NOT granted"))
            if waiting or not worker.is_alive():
                break
            worker.join(0.05)
    _commit_then_expect_one_document(db, first, worker, outcome)


# -- what the user sees ------------------------------------------------------------------------------------
def test_show_lists_every_copy_and_where_the_copies_differ(cli: Any, app_home: Path) -> None:
    from cbecwatch.config import get_settings

    database = open_database(get_settings().database_url)
    with database.session() as session, session.begin():
        for name in SOURCES:
            ensure_source(session, name, name)
        first = save_notice(session, record("govcn", "https://govcn.example/49",
                                            figures=[{"name": "single_limit_yuan", "value": 5000}]))
        save_notice(session, record("mof_gss", "https://mof.example/49", title=TAX + "（转载）",
                                    text=BODY.replace("5000元", "8000元"), publish_date=dt.date(2018, 12, 4),
                                    figures=[{"name": "single_limit_yuan", "value": 8000}]))
    database.dispose()
    shown = cli("show", str(first.notice_id))
    assert shown.returncode == 0, shown.stderr
    assert "2 sources carry this document" in shown.stdout and "https://mof.example/49" in shown.stdout
    assert "publish_date: 2018-11-30 → 2018-12-04" in shown.stdout
    assert "figure single_limit_yuan: 5000 → 8000" in shown.stdout
    assert "提高至[-5000-]元" in shown.stdout and "提高至{+8000+}元" in shown.stdout  # the word diff of the texts
    data = json.loads(cli("show", str(first.notice_id), "--json").stdout)
    other = next(c for c in data["copies"] if not c["this"])
    assert other["source"] == "mof_gss" and other["differences"]["fields"]["title"][1] == TAX + "（转载）"


def test_crawling_the_mirror_stores_the_tax_notice_as_one_document_and_alerts_once(
        cli: Any, mirror: MirrorServer, mirror_root: Path, app_home: Path) -> None:
    assert cli("crawl", "--mirror", mirror.url).returncode == 0
    listed = json.loads(cli("notices", "--json", "--limit", "100").stdout)
    tax = [row for row in listed if row["doc_number"] == "财关税〔2018〕49号"]
    assert len(tax) == 1  # listed once …
    assert sorted(s["source"] for s in tax[0]["sources"]) == ["chinatax", "chinatax_fgk", "govcn", "mof_gss"]
    assert tax[0]["id"] == tax[0]["sources"][0]["notice_id"] and tax[0]["document_id"]
    assert len({row["document_id"] for row in listed}) == len(listed)
    text = cli("notices", "--limit", "100").stdout
    line = next(line for line in text.splitlines() if "财关税〔2018〕49号" in line)
    assert all(name in line for name in ("chinatax", "chinatax_fgk", "govcn", "mof_gss"))

    # A new announcement that chinatax and its regulation library both serve, after the baseline run
    cli("subscribers", "add", "all", "--email", "all@example.com")
    bodies = mirror_root / "chinatax" / "bodies"
    (bodies / "new-2026.txt").write_text(  # SYNTHETIC: a made-up announcement for this test
        "国家税务总局公告2026年第3号\n为规范跨境电子商务零售出口税收管理，现就有关事项公告如下：\n"
        "一、跨境电子商务综合试验区内的零售出口企业按规定办理。\n二、本公告自发布之日起施行。\n国家税务总局\n2026年3月2日",
        "utf-8")
    path = mirror_root / "chinatax" / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    notices.append(dict(notices[1], id="c5300001", path="/chinatax/n810341/n810755/c5300001/content.html",
                        title="国家税务总局关于跨境电子商务零售出口税收管理有关事项的公告",
                        doc_number="国家税务总局公告2026年第3号", publish_date="2026-03-02",
                        pubtime="2026-03-02 10:00", body="bodies/new-2026.txt", issue_date="2026-03-02"))
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")
    assert cli("crawl", "--mirror", mirror.url, "--source", "chinatax", "--source", "chinatax_fgk").returncode == 0

    from cbecwatch.config import get_settings

    database = open_database(get_settings().database_url)
    try:
        with database.session() as session:
            copies = session.scalars(select(Notice).where(Notice.doc_number == "国家税务总局公告2026年第3号")
                                     .order_by(Notice.id)).all()
            assert sorted(c.source for c in copies) == ["chinatax", "chinatax_fgk"]
            assert len({c.document_id for c in copies}) == 1
            events = session.scalars(select(Event).where(Event.kind == "notice_new", Event.baseline.is_(False))).all()
            assert [(e.source, e.notice_id) for e in events] == [(copies[0].source, copies[0].id)]
            deliveries = session.scalars(select(Delivery)).all()
            assert len(deliveries) == 1
    finally:
        database.dispose()


# -- migration 0011 --------------------------------------------------------------------------------------------
def _fill_revision_0010(url: str) -> None:
    """Copies as a 0010 database holds them: one notice row per source, events keyed on number or page."""
    engine = create_db_engine(url)
    upgrade(engine, "0010")
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    base = {"title": TAX, "agencies": ["财政部"], "first_seen_at": now, "last_seen_at": now,
            "last_changed_at": now, "publish_date": dt.date(2018, 11, 30), "current_version": 1}
    copies = [(1, "chinatax", "财关税〔2018〕49号"), (2, "govcn", "财关税(2018)49号"),
              (3, "mof_gss", "财关税〔2018〕49号"), (4, "customs", None), (5, "govcn", "国函〔2016〕17号")]
    with engine.begin() as conn:
        conn.execute(insert(Source.__table__), [{"name": s, "agency": s, "status": "ok", "consecutive_failures": 0}
                                                for s in SOURCES])
        conn.execute(insert(Notice.__table__), [
            dict(base, source=s, url=f"https://{s}.example/{i}", doc_number=n,
                 doc_number_key=n.replace("(", "〔").replace(")", "〕") if n else None,
                 title=TAX if i != 4 else "关于完善跨境电商零售进口税收政策的通知") for i, s, n in copies])
        assert list(conn.scalars(select(Notice.id).order_by(Notice.id))) == [1, 2, 3, 4, 5]  # ids the events name
        conn.execute(insert(NoticeVersion.__table__), [
            {"notice_id": i, "number": 1, "content_hash": f"h{i}", "page_meta": {}, "fetched_at": now,
             "text": BODY + ("\n打印本页" if i == 4 else "") if i != 5 else OTHER_BODY} for i, _, _ in copies])
        conn.execute(insert(Event.__table__), [
            {"kind": "notice_new", "dedup_key": "notice_new:doc:财关税〔2018〕49号", "admin": False, "baseline": False,
             "source": "chinatax", "notice_id": 1, "title": TAX, "provinces": [], "cities": [], "data": {},
             "created_at": now},
            {"kind": "notice_new", "dedup_key": "notice_new:notice:4", "admin": False, "baseline": False,
             "source": "customs", "notice_id": 4, "title": TAX, "provinces": [], "cities": [], "data": {},
             "created_at": now}])
    engine.dispose()


def test_migration_0011_merges_stored_copies_into_documents(database_url: str) -> None:
    _fill_revision_0010(database_url)
    database = open_database(database_url)  # upgrades to head, as the first command after an update does
    try:
        with database.session() as session:
            document_of = dict(session.execute(select(Notice.id, Notice.document_id)).all())
            assert document_of[1] == document_of[2] == document_of[3] == document_of[4] != document_of[5]
            assert session.scalar(select(func.count()).select_from(Document)) == 2
            keys = set(session.scalars(select(Event.dedup_key)))
            assert f"notice_new:document:{document_of[1]}" in keys  # the number's event names the document
            assert "notice_new:notice:4" in keys  # the merged copy's own event keeps its key (one key, one row)
        with database.session() as session, session.begin():  # a fifth copy after the upgrade: no new alert
            session.get(Source, "customs").last_success_at = utcnow()
            rec = record("customs", "https://customs.example/new")
            assert derive_events(session, save_notice(session, rec), rec) == []

        from alembic import command

        config = alembic_config(database.engine)
        with database.engine.begin() as conn:  # and back down and up again
            config.attributes["connection"] = conn
            command.downgrade(config, "0010")
        upgrade(database.engine)
        with database.session() as session:
            assert session.scalar(select(func.count(func.distinct(Notice.document_id)))) == 2
    finally:
        database.dispose()


def test_reparse_moves_a_copy_whose_number_is_read_now_into_that_document(db) -> None:
    from crawler.facts import reparse

    numbered = store(db, record("govcn", "https://govcn.example/49"))[0]
    # stored by an "older extractor" that missed the number printed above the text
    unnumbered = store(db, record("mof_gss", "https://mof.example/49", doc_number=None, title="关于税收政策的通知",
                                  text="财关税〔2018〕49号\n" + OTHER_BODY))[0]
    assert unnumbered != numbered
    with db.session() as session, session.begin():
        reparse(session, "mof_gss")
    with db.session() as session:
        copy = session.scalar(select(Notice).where(Notice.url == "https://mof.example/49"))
        assert copy.doc_number == "财关税〔2018〕49号" and copy.document_id == numbered


def test_the_listing_shows_a_document_once_by_the_copy_the_filters_keep(db) -> None:
    from cbecwatch.commands import listing_query

    for source in ("govcn", "mof_gss"):
        store(db, record(source, f"https://{source}.example/49"))
    store(db, record("govcn", "https://govcn.example/17", doc_number="国函〔2016〕17号", text=OTHER_BODY))
    with db.session() as session:
        def listed(**filters: Any) -> list[tuple[str, str]]:
            return [(n.source, n.url) for n in session.scalars(listing_query(session, **filters))]

        # same day: newest id first; 49号 by its first-seen copy, govcn's
        assert listed() == [("govcn", "https://govcn.example/17"), ("govcn", "https://govcn.example/49")]
        assert listed(source="mof_gss") == [("mof_gss", "https://mof_gss.example/49")]
        assert len(listed(documents=False)) == 3  # every copy, as before documents existed
