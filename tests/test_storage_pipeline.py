"""The storage stage's batches: an item is done only once committed, and a bad notice fails alone."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from sqlalchemy import select

from crawler.health import SourceHealth
from crawler.items import NoticeItem
from crawler.pipelines import STORAGE_ERROR, StoragePipeline
from crawler.runstore import database_for
from storage.models import Notice
from storage.notices import ensure_source


def notice(n: int, **overrides: object) -> NoticeItem:
    values: dict[str, object] = {
        "source": "govcn", "url": f"https://www.gov.cn/zhengce/content/2024-01/0{n}/content_{n}.htm",
        "title": f"通知{n}", "body_html": "<p>x</p>", "text": f"第{n}号通知的正文。", "site_id": str(n),
        "extraction": {"relevant": True, "cities": [], "figures": []},
    }
    values.update(overrides)
    return NoticeItem(**values)  # type: ignore[arg-type]


@pytest.fixture
def stage(database_url: str, app_home):  # type: ignore[no-untyped-def]
    settings = Settings({"CBECWATCH_DATABASE_URL": database_url, "CBECWATCH_STORE_BATCH": 3,
                         "CBECWATCH_STORE_WAIT": 60})
    db = database_for(settings)
    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
    spider = SimpleNamespace(name="govcn", health=SourceHealth("govcn"))
    pipeline = StoragePipeline(SimpleNamespace(settings=settings, spider=spider))  # type: ignore[arg-type]
    # No reactor here (installing one would clash with Scrapy's); the timer is never due in these tests.
    pipeline.call_later = lambda delay, fn: SimpleNamespace(active=lambda: True, cancel=lambda: None)
    yield pipeline, spider.health, db
    pipeline.flush()
    db.dispose()


def outcomes(deferreds: list) -> list[object]:  # type: ignore[type-arg]
    seen: list[object] = []
    for d in deferreds:
        d.addBoth(seen.append)
    return seen


def test_items_are_done_only_when_their_batch_has_committed(stage) -> None:  # type: ignore[no-untyped-def]
    pipeline, health, db = stage
    first = [pipeline.enqueue(notice(1)), pipeline.enqueue(notice(2))]
    seen = outcomes(first)
    assert seen == [] and health.items == 0  # waiting for the batch: not stored, not counted, not done
    with db.session() as session:
        assert session.scalars(select(Notice)).all() == []
    third = pipeline.enqueue(notice(3))  # the batch is full: one transaction for the three
    seen += outcomes([third])
    assert [getattr(x, "url", None) for x in seen] == [notice(n).url for n in (1, 2, 3)]
    assert (health.items, health.new) == (3, 3)
    with db.session() as session:
        assert len(session.scalars(select(Notice)).all()) == 3


def test_a_bad_notice_fails_alone(stage) -> None:  # type: ignore[no-untyped-def]
    pipeline, health, db = stage
    naive = dt.datetime(2024, 1, 2, 9, 0)  # storage refuses naive timestamps
    deferreds = [pipeline.enqueue(notice(1)), pipeline.enqueue(notice(2, site_published_at=naive)),
                 pipeline.enqueue(notice(3))]
    seen = outcomes(deferreds)
    assert getattr(seen[0], "url", None) == notice(1).url and getattr(seen[2], "url", None) == notice(3).url
    assert seen[1].check(DropItem)  # type: ignore[attr-defined]
    assert (health.items, health.new, health.errors[STORAGE_ERROR]) == (2, 2, 1)
    assert "naive datetime" in health.samples[0]["message"]
    with db.session() as session:
        assert sorted(session.scalars(select(Notice.url))) == sorted(notice(n).url for n in (1, 3))


def test_what_is_left_is_stored_when_the_spider_closes(stage) -> None:  # type: ignore[no-untyped-def]
    pipeline, health, _ = stage
    seen = outcomes([pipeline.enqueue(notice(4))])
    pipeline.finish()
    assert getattr(seen[0], "url", None) == notice(4).url and health.items == 1


def test_search_tokens_from_the_extraction_worker_are_used_only_for_the_text_they_were_cut_from(
        stage) -> None:  # type: ignore[no-untyped-def]
    from storage.search import index_text, search_notices

    pipeline, health, db = stage
    cut = notice(1)
    cut.indexed_text = (cut.text, index_text(cut.text) + " zzmarker1")  # what the worker handed over
    # a text changed after the worker cut it (the tokens of the old text must not be indexed)
    changed = notice(2, indexed_text=("第2号通知的旧正文。", index_text("第2号通知的旧正文。") + " zzmarker2"))
    outcomes([pipeline.enqueue(cut), pipeline.enqueue(changed)])
    pipeline.flush()
    assert health.items == 2
    with db.session() as session:
        ids = {n.url: n.id for n in session.scalars(select(Notice))}
        assert [h.notice_id for h in search_notices(session, "zzmarker1")] == [ids[cut.url]]
        assert search_notices(session, "zzmarker2") == []
        assert sorted(h.notice_id for h in search_notices(session, "正文")) == sorted(ids.values())


def test_scrapy_runs_the_stages_without_deprecated_pipeline_api(database_url: str, app_home) -> None:  # type: ignore[no-untyped-def]
    """Through Scrapy's own pipeline manager, as a crawl does: no stage takes ``spider`` or returns a
    Deferred (deprecated since Scrapy 2.13, warned about by 2.19), and the item is still stored.

    An asyncio loop stands in for the reactor (what Scrapy awaits under its default asyncio reactor)."""
    import asyncio
    import warnings

    from scrapy import Spider
    from scrapy.exceptions import ScrapyDeprecationWarning
    from scrapy.pipelines import ItemPipelineManager
    from scrapy.utils.test import get_crawler

    from crawler.settings import ITEM_PIPELINES

    crawler = get_crawler(Spider, {"CBECWATCH_DATABASE_URL": database_url, "CBECWATCH_STORE_BATCH": 1,
                                   "ITEM_PIPELINES": ITEM_PIPELINES})
    db = database_for(crawler.settings)
    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
    crawler.spider = SimpleNamespace(name="govcn", health=SourceHealth("govcn"))  # type: ignore[assignment]

    async def crawl() -> object:
        manager = ItemPipelineManager.from_crawler(crawler)
        await manager.open_spider_async()
        stored = await manager.process_item_async(notice(5))
        await manager.close_spider_async()
        return stored

    with warnings.catch_warnings():
        warnings.simplefilter("error", ScrapyDeprecationWarning)
        stored = asyncio.run(crawl())
    assert getattr(stored, "url", None) == notice(5).url and crawler.spider.health.new == 1  # type: ignore[union-attr]
    with db.session() as session:
        assert list(session.scalars(select(Notice.url))) == [notice(5).url]
    db.dispose()
