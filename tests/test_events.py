"""Events and outbox rows derived in the notice's transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import BaseSettings
from sqlalchemy import select

from crawler.health import SourceHealth
from crawler.runstore import finish_source_run
from storage.db import open_database
from storage.diffs import line_diff
from storage.events import derive_events
from storage.models import Source
from storage.models_alerts import HELD, PENDING, Delivery, Event, Subscriber
from storage.notices import NoticeRecord, ensure_source, save_notice
from storage.outbox import enqueue, fold_digests
from storage.subscribers import SubscriberSpec, add_subscriber
from storage.types import utcnow

BATCH = "国务院关于同意在廊坊等33个城市和地区设立跨境电子商务综合试验区的批复"
TAX = "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知"


def record(url: str = "https://www.gov.cn/zhengce/content/2022-11/24/content_1.htm", *, source: str = "govcn",
           text: str = "一、同意在廊坊市、沧州市设立跨境电子商务综合试验区。\n二、要认真落实。",
           title: str = BATCH, doc_number: str | None = "国函〔2022〕126号", **extraction: Any) -> NoticeRecord:
    return NoticeRecord(source=source, url=url, title=title, text=text, doc_number=doc_number,
                        kind=extraction.get("kind"), relevant=extraction.get("relevant"),
                        publish_date=extraction.pop("publish_date", dt.date(2022, 11, 24)),
                        extraction=extraction or None)


@pytest.fixture
def db(database_url: str):
    database = open_database(database_url)
    with database.session() as session, session.begin():
        for name in ("govcn", "mofcom"):
            ensure_source(session, name, name).last_success_at = utcnow()  # past the silent first run
        add_subscriber(session, SubscriberSpec("all", email="all@example.com", webhook_url="http://127.0.0.1:9/h"))
        add_subscriber(session, SubscriberSpec("zhejiang", email="zj@example.com", provinces=["浙江"]))
        add_subscriber(session, SubscriberSpec("tax-only", email="tax@example.com", keywords=["税收"]))
        add_subscriber(session, SubscriberSpec("daily", email="d@example.com", mode="digest", digest_hour=0))
    yield database
    database.dispose()


def store(db, rec: NoticeRecord) -> tuple[list[Event], list[Delivery]]:
    with db.session() as session, session.begin():
        result = save_notice(session, rec)
        events = derive_events(session, result, rec)
        deliveries = enqueue(session, events, rec.text)
        for delivery in deliveries:
            delivery.events  # noqa: B018 - load while the session is open
        return events, deliveries


def targets(deliveries: list[Delivery]) -> list[tuple[str, str]]:
    return sorted((d.channel, d.target) for d in deliveries)


def test_new_notice_gives_one_event_and_a_delivery_per_matching_subscriber_channel(db) -> None:
    events, deliveries = store(db, record())
    assert [e.kind for e in events] == ["notice_new"]
    # "zhejiang" passes: the event names no place; "tax-only" has no keyword hit; "daily" is held
    assert targets(deliveries) == [("email", "all@example.com"), ("email", "d@example.com"),
                                   ("email", "zj@example.com"), ("webhook", "http://127.0.0.1:9/h")]
    assert {d.status for d in deliveries if d.target == "d@example.com"} == {HELD}
    assert {d.status for d in deliveries if d.target != "d@example.com"} == {PENDING}
    assert len({d.key for d in deliveries}) == 4


def test_unchanged_notice_gives_nothing_and_irrelevant_notice_gives_nothing(db) -> None:
    store(db, record())
    assert store(db, record()) == ([], [])
    assert store(db, record("https://www.gov.cn/x/content_2.htm", doc_number=None, title="会议通知",
                            relevant=False)) == ([], [])


def test_same_document_on_two_sites_is_one_event(db) -> None:
    store(db, record())
    events, deliveries = store(db, record("https://www.mofcom.gov.cn/article/b/c/202211/1.shtml", source="mofcom",
                                          doc_number="国函[2022]126号"))
    assert events == [] and deliveries == []


def test_revision_carries_a_line_diff_with_inline_highlights(db) -> None:
    store(db, record())
    revised = "一、同意在廊坊市、沧州市、雄安新区设立跨境电子商务综合试验区。\n二、要认真落实。"
    events, deliveries = store(db, record(text=revised))
    assert [e.kind for e in events] == ["notice_revised"]
    diff = events[0].data["diff"]
    assert (diff["from_version"], diff["to_version"], diff["added"], diff["removed"]) == (1, 2, 1, 1)
    assert "{+、雄安新区+}" in diff["text"]
    assert len(deliveries) == 4
    # the page flipping back is one more revision; seeing it again is not
    back, _ = store(db, record())
    assert [e.kind for e in back] == ["notice_revised"]
    assert store(db, record()) == ([], [])


def test_pilot_places_and_figure_changes_from_the_extraction(db) -> None:
    cities = [{"name": "杭州市", "province": "浙江省", "adcode": "330100"},
              {"name": "廊坊市", "province": "河北省", "adcode": "131000"}]
    events, deliveries = store(db, record(cities=cities, kind="pilot_zone_batch",
                                          program="cbec_comprehensive_pilot_zone",
                                          figures=[{"name": "zones_added", "value": 2, "unit": "zones"}]))
    assert [e.kind for e in events] == ["notice_new", "pilot_places"]
    places = events[1]
    assert places.cities == ["杭州市", "廊坊市"] and places.provinces == ["河北省", "浙江省"]
    assert places.data["program"] == "cbec_comprehensive_pilot_zone"
    # one message per subscriber and channel, carrying both events
    assert len(deliveries) == 4 and all(len(d.events) == 2 for d in deliveries)

    tax = {"kind": "tax_policy", "figures": [{"name": "single_limit_yuan", "value": 5000, "unit": "yuan"},
                                             {"name": "previous_single_limit_yuan", "value": 2000, "unit": "yuan"},
                                             {"name": "annual_limit_yuan", "value": 26000, "unit": "yuan"}]}
    store(db, record("https://www.gov.cn/tax/content_2016.htm", title=TAX.replace("完善", "旧的"),
                     doc_number="财关税〔2016〕18号", publish_date=dt.date(2016, 3, 24), kind="tax_policy",
                     figures=[{"name": "annual_limit_yuan", "value": 20000, "unit": "yuan"}]))
    events, deliveries = store(db, record("https://www.gov.cn/tax/content_2018.htm", title=TAX,
                                          doc_number="财关税〔2018〕49号",
                                          text="单次交易限值由人民币2000元提高至5000元。", **tax))
    figure = next(e for e in events if e.kind == "figure_changed")
    changes = {c["name"]: (c["old"], c["new"], c["basis"]) for c in figure.data["changes"]}
    assert changes == {"single_limit_yuan": (2000, 5000, "stated"),
                       "annual_limit_yuan": (20000, 26000, "earlier_notice")}
    assert "tax@example.com" in [d.target for d in deliveries]


def test_first_run_of_a_source_is_a_silent_baseline(db) -> None:
    with db.session() as session, session.begin():
        session.get(Source, "govcn").last_success_at = None
    events, deliveries = store(db, record())
    assert [e.baseline for e in events] == [True] and deliveries == []


def test_digest_folds_held_rows_into_one_message_once_a_day(db) -> None:
    store(db, record())
    store(db, record("https://www.gov.cn/other/content_9.htm", title=TAX, doc_number="财关税〔2018〕49号"))
    noon = dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
    with db.session() as session, session.begin():
        digests = fold_digests(session, noon)
        assert len(digests) == 1 and len(digests[0].events) == 2 and digests[0].kind == "digest"
    with db.session() as session, session.begin():
        assert fold_digests(session, noon + dt.timedelta(hours=1)) == []
        assert session.scalar(select(Delivery).where(Delivery.status == HELD)) is None
    store(db, record("https://www.gov.cn/third/content_10.htm", doc_number="国函〔2022〕127号"))
    with db.session() as session, session.begin():  # switched to instant: the held row is released
        session.scalar(select(Subscriber).where(Subscriber.name == "daily")).mode = "instant"
    with db.session() as session, session.begin():
        assert fold_digests(session, noon + dt.timedelta(hours=2)) == []
        assert session.scalar(select(Delivery).where(Delivery.status == HELD)) is None


def test_source_broken_and_recovered_reach_admins_only(db) -> None:
    with db.session() as session, session.begin():
        add_subscriber(session, SubscriberSpec("admin", email="ops@example.com", admin=True))
    settings = BaseSettings({"CBECWATCH_DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False)),
                             "CBECWATCH_BROKEN_AFTER": 2})
    spider = SimpleNamespace(name="govcn", agency="国务院", source_run_id=None)
    kinds = []
    for status in ("failed", "failed", "failed", "ok"):
        finish_source_run(settings, spider, SourceHealth("govcn"), {}, status, "cannot reach www.gov.cn")
    with db.session() as session:
        for event in session.scalars(select(Event).order_by(Event.id)):
            kinds.append((event.kind, sorted(d.target for d in session.scalars(
                select(Delivery).join(Delivery.events).where(Event.id == event.id)))))
    assert kinds == [("source_broken", ["ops@example.com"]), ("source_recovered", ["ops@example.com"])]


def test_line_diff_on_chinese_articles() -> None:
    old = "第一条 为规范跨境电商。\n第二条 单次交易限值为人民币5000元。\n第三条 本办法自发布之日起施行。"
    new = old.replace("5000", "6000") + "\n第四条 新增条款。"
    diff = line_diff(old, new, from_version=1, to_version=2)
    assert (diff["added"], diff["removed"]) == (2, 1)
    # a changed amount is one word, not a changed digit inside it
    assert "- 第二条 单次交易限值为人民币[-5000-]元。" in diff["text"]
    assert "+ 第二条 单次交易限值为人民币{+6000+}元。" in diff["text"]
    assert "+ 第四条 新增条款。" in diff["text"]
