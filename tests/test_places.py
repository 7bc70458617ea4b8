"""The place index (notice_places) on SQLite and PostgreSQL: written on save, following the shown
version, gone with its notice, backfilled by migration 0007, and the city/province filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, insert, select

from cbecwatch.commands import listing_query
from crawler.extraction.places import city_names, province_names
from storage.db import alembic_config, create_db_engine, open_database, table_names, upgrade
from storage.models import Fact, Notice, NoticeVersion, Source
from storage.notices import NoticeRecord, save_notice
from storage.places import NoticePlace, many_places, place_query

TIANJIN = {"name": "天津市", "province": "天津市", "adcode": "120000"}
HANGZHOU = {"name": "杭州市", "province": "浙江省", "adcode": "330100"}
NINGBO = {"name": "宁波市", "province": "浙江省", "adcode": "330200"}
JILIN = {"name": "吉林市", "province": "吉林省", "adcode": "220200"}


def record(number: int, text: str = "正文", cities: list[dict[str, str]] | None = None,
           removed: list[dict[str, str]] | None = None, **overrides: Any) -> NoticeRecord:
    values: dict[str, Any] = {
        "source": "govcn", "url": f"https://www.gov.cn/zhengce/content/{number}.htm", "title": f"通知{number}",
        "text": text, "site_id": str(number), "publish_date": dt.date(2020, 1, number % 28 + 1),
        "kind": "pilot_zone_batch",
        "extraction": {"cities": cities or [], "removed_cities": removed or [], "customs_codes": []},
    }
    values.update(overrides)
    return NoticeRecord(**values)




def places_of(db: Any, notice_id: int) -> list[tuple[str, str | None, str | None, str]]:
    with db.session() as session:
        rows = session.scalars(select(NoticePlace).where(NoticePlace.notice_id == notice_id))
        # sorted here, not by ORDER BY: PostgreSQL's collation need not order Chinese by code point
        return sorted(((p.name, p.province, p.adcode, p.role) for p in rows), key=lambda p: (p[3], p[0]))


def test_places_follow_the_version_the_page_shows(db) -> None:
    with db.session() as session, session.begin():
        first = save_notice(session, record(1, "第一稿", [TIANJIN, HANGZHOU], [JILIN]))
    assert places_of(db, first.notice_id) == [
        ("天津市", "天津市", "120000", "designated"), ("杭州市", "浙江省", "330100", "designated"),
        ("吉林市", "吉林省", "220200", "removed")]

    with db.session() as session, session.begin():  # a revision keeps 杭州市, drops 天津市, adds 宁波市
        revised = save_notice(session, record(1, "第二稿", [HANGZHOU, NINGBO]))
    assert revised.outcome == "revised"
    assert [p[0] for p in places_of(db, first.notice_id)] == ["宁波市", "杭州市"]

    with db.session() as session, session.begin():  # the page goes back to its first text
        back = save_notice(session, record(1, "第一稿", [TIANJIN, HANGZHOU], [JILIN]))
    assert (back.outcome, back.version_number) == ("revised", 1)
    assert [p[0] for p in places_of(db, first.notice_id)] == ["天津市", "杭州市", "吉林市"]

    with db.session() as session, session.begin():
        assert save_notice(session, record(1, "第一稿", [TIANJIN, HANGZHOU], [JILIN])).outcome == "unchanged"
    assert len(places_of(db, first.notice_id)) == 3


def test_duplicate_and_nameless_place_facts_give_one_row(db) -> None:
    with db.session() as session, session.begin():
        saved = save_notice(session, record(2, cities=[TIANJIN, dict(TIANJIN, adcode="x"), {"name": ""}]))
    assert places_of(db, saved.notice_id) == [("天津市", "天津市", "120000", "designated")]


def test_deleting_a_notice_deletes_its_places(db) -> None:
    with db.session() as session, session.begin():
        orm = save_notice(session, record(3, cities=[TIANJIN])).notice_id
        core = save_notice(session, record(4, cities=[HANGZHOU])).notice_id
    with db.session() as session, session.begin():
        session.delete(session.get(Notice, orm))  # through the ORM (versions cascade there) …
    with db.session() as session, session.begin():
        session.execute(delete(Notice).where(Notice.id == core))  # … and by the database's ON DELETE CASCADE
    with db.session() as session:
        assert session.scalars(select(NoticePlace)).all() == []


def _saved_notices(db: Any) -> dict[str, int]:
    with db.session() as session, session.begin():
        return {
            "tianjin_hangzhou": save_notice(session, record(5, cities=[TIANJIN, HANGZHOU, NINGBO])).notice_id,
            "hangzhou_old": save_notice(session, record(6, cities=[HANGZHOU], publish_date=dt.date(2015, 1, 1),
                                                        kind="other")).notice_id,
            "ningbo_undated": save_notice(session, record(7, cities=[NINGBO], publish_date=None)).notice_id,
            "jilin_removed": save_notice(session, record(8, removed=[JILIN])).notice_id,
            "none": save_notice(session, record(9)).notice_id,
        }


def test_city_province_and_adcode_filters_on_the_listing(db) -> None:
    ids = _saved_notices(db)

    def listed(**filters: Any) -> list[int]:
        with db.session() as session:
            return [n.id for n in session.scalars(listing_query(session, **filters))]

    # newest first, undated last; 杭州 and 杭州市 alike; a notice naming two matching places once
    assert listed(city="杭州") == listed(city="杭州市") == [ids["tianjin_hangzhou"], ids["hangzhou_old"]]
    assert listed(province="浙江") == [ids["tianjin_hangzhou"], ids["hangzhou_old"], ids["ningbo_undated"]]
    assert listed(city="吉林") == [ids["jilin_removed"]]  # a revoked place concerns the notice too
    assert listed(city="天津", province="浙江省") == []  # one place must be both
    assert listed(city="杭州", kind="other") == [ids["hangzhou_old"]]
    assert listed(city="杭州", limit=1) == [ids["tianjin_hangzhou"]]
    assert listed(city="乌鲁木齐") == []
    with db.session() as session:
        by_code = place_query(select(Notice.id).order_by(Notice.publish_date.desc()), adcodes=["330100", "330200"])
        assert set(session.scalars(by_code)) == {ids["tianjin_hangzhou"], ids["hangzhou_old"],
                                                 ids["ningbo_undated"]}
        assert len(session.scalars(place_query(select(Notice), cities=[])).all()) == len(ids)


@pytest.mark.parametrize("many", [False, True], ids=["in", "exists"])
def test_both_forms_of_the_place_filter_list_the_same_notices(db, many: bool) -> None:
    ids = _saved_notices(db)
    listing = select(Notice).order_by(Notice.publish_date.desc().nulls_last(), Notice.id.desc())
    with db.session() as session:
        def listed(limit: int = 50, **places: list[str]) -> list[int]:
            return [n.id for n in session.scalars(place_query(listing.limit(limit), many=many, **places))]

        assert listed(provinces=["浙江省"]) == [ids["tianjin_hangzhou"], ids["hangzhou_old"], ids["ningbo_undated"]]
        assert listed(2, cities=["杭州市", "宁波市"]) == [ids["tianjin_hangzhou"], ids["hangzhou_old"]]
        assert listed(cities=["天津市"], adcodes=["330100"]) == []


def test_the_form_follows_how_many_places_match(db) -> None:
    _saved_notices(db)  # five notices: walking the order pays from m*m >= limit*5/3
    with db.session() as session:
        assert many_places(session, 1, cities=["杭州市"]) and many_places(session, 1, provinces=["浙江省"])
        assert not many_places(session, 1, cities=["吉林市"]) and not many_places(session, 1)
        assert not many_places(session, 50, provinces=["浙江省"])


def test_user_input_is_normalised_the_way_the_extractor_names_places() -> None:
    assert city_names("杭州") == ["杭州", "杭州市"] and city_names("杭州市") == ["杭州市"]
    assert "德宏傣族景颇族自治州" in city_names("德宏州")
    assert "吉林市" in city_names("吉林") and "吉林省" not in city_names("吉林")  # a city list names no provinces
    assert city_names("  ") == []
    assert province_names("浙江") == ["浙江", "浙江省"] and "广西壮族自治区" in province_names("广西")


def _fill_revision_0006(url: str) -> None:
    """Notices, versions and facts as a 0006 database holds them (Core inserts: no notice_places yet)."""
    engine = create_db_engine(url)
    upgrade(engine, "0006")
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    notice = {"source": "govcn", "title": "t", "agencies": [], "first_seen_at": now, "last_seen_at": now,
              "last_changed_at": now}
    version = {"content_hash": "h", "text": "t", "page_meta": {}, "fetched_at": now}

    def fact(i: int, version_id: int, kind: str, place: dict[str, str], position: int) -> dict[str, Any]:
        return {"id": i, "version_id": version_id, "kind": kind, "position": position, "province": None,
                "adcode": None, **place}

    with engine.begin() as conn:
        conn.execute(insert(Source.__table__), [{"name": "govcn", "agency": "国务院", "status": "ok",
                                                 "consecutive_failures": 0}])
        conn.execute(insert(Notice.__table__), [
            dict(notice, id=1, url="u1", current_version=1),  # reverted to version 1: its places count
            dict(notice, id=2, url="u2", current_version=None),  # written before 0006 set it: the newest
            dict(notice, id=3, url="u3", current_version=1)])
        conn.execute(insert(NoticeVersion.__table__), [
            dict(version, id=10, notice_id=1, number=1), dict(version, id=11, notice_id=1, number=2, content_hash="i"),
            dict(version, id=20, notice_id=2, number=1), dict(version, id=21, notice_id=2, number=2, content_hash="i"),
            dict(version, id=30, notice_id=3, number=1)])
        conn.execute(insert(Fact.__table__), [
            fact(1, 10, "city", TIANJIN, 0), fact(2, 10, "removed_city", JILIN, 1),
            fact(3, 10, "city", dict(TIANJIN, adcode="dup"), 2), fact(4, 10, "figure", {"name": "zones_added"}, 3),
            fact(5, 11, "city", NINGBO, 0),
            fact(6, 20, "city", TIANJIN, 0), fact(7, 21, "city", HANGZHOU, 0),
            fact(8, 30, "date", {"name": "issue_date"}, 0)])
    engine.dispose()


def test_migration_0007_backfills_the_index_from_stored_facts(database_url: str) -> None:
    _fill_revision_0006(database_url)
    db = open_database(database_url)  # upgrades to head, as a user's first command after updating does
    try:
        assert places_of(db, 1) == [("天津市", "天津市", "120000", "designated"),
                                    ("吉林市", "吉林省", "220200", "removed")]
        assert places_of(db, 2) == [("杭州市", "浙江省", "330100", "designated")]
        assert places_of(db, 3) == []
        with db.session() as session:
            assert list(session.scalars(place_query(select(Notice.id), cities=["杭州市"]))) == [2]
        from alembic import command

        config = alembic_config(db.engine)
        with db.engine.begin() as conn:  # and back: the downgrade drops the table cleanly
            config.attributes["connection"] = conn
            command.downgrade(config, "0006")
        assert "notice_places" not in table_names(db.engine)
        upgrade(db.engine)
        assert len(places_of(db, 1)) == 2
    finally:
        db.dispose()


def test_reparse_rewrites_the_index_from_the_new_extraction(db) -> None:
    from crawler.facts import reparse

    text = ("国务院关于同意在天津等2个城市设立跨境电子商务综合试验区的批复\n"
            "同意在天津市、上海市设立跨境电子商务综合试验区。")
    with db.session() as session, session.begin():  # stored by an "older extractor" that saw 杭州市 only
        saved = save_notice(session, record(10, text, [HANGZHOU]))
    with db.session() as session, session.begin():
        report = reparse(session)
    assert report.changed == 1
    assert sorted(p[0] for p in places_of(db, saved.notice_id)) == sorted(["天津市", "上海市"])

    with db.session() as session, session.begin():  # an index row lost somehow: reparse makes it whole
        session.execute(delete(NoticePlace))
    with db.session() as session, session.begin():
        assert reparse(session).changed == 0
    assert sorted(p[0] for p in places_of(db, saved.notice_id)) == sorted(["天津市", "上海市"])


def test_customs_districts_are_stored_as_their_own_facts_and_never_as_places() -> None:
    from storage.facts import fact_rows
    from storage.places import places_from_facts

    rows = fact_rows({"cities": [], "customs_districts": ["上海海关", "拱北海关"]})
    assert [(r["kind"], r["name"]) for r in rows] == [("customs_district", "上海海关"),
                                                      ("customs_district", "拱北海关")]
    assert places_from_facts(rows) == []
