"""Extraction in worker processes (issue 12 item 6, issue 16 item 5): the same facts as in-process, a
page over its time budget fails alone (named, stored without facts), the other pages go on.

No Twisted reactor is installed in tests (it would clash with Scrapy's), so the pool is driven by a
small loop here that plays the reactor's two parts: ``callLater`` (a timer) and ``callFromThread`` (a
queue the loop drains on this thread). The pages are SYNTHETIC (bench/hostile_pages.py).

A page's budget runs out when the test says so (:meth:`Loop.expire`), not after wall-clock seconds:
with a real 1.5 s budget, a loaded machine made the *good* pages time out too. How long extraction
takes is the benches' business (bench/hostile.py, bench/run.py's rows 9), never an assertion here."""

from __future__ import annotations

import os
import queue
import time
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings

from bench.hostile_pages import page
from crawler.extract_pool import ExtractPool, PageTimeout, StoreWorker
from crawler.facts import extract_notice
from crawler.health import SourceHealth
from crawler.items import NoticeItem
from crawler.pipelines import EXTRACTION_ERROR, ExtractionPipeline


class Loop:
    """The reactor's part for the pool: timers and calls from other threads, run on the test's thread.

    Timers never fire by themselves: a page's budget (the pool's only timer) runs out on :meth:`expire`."""

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[Any, tuple[Any, ...]]] = queue.Queue()
        self.timers: dict[str, tuple[Any, tuple[Any, ...], SimpleNamespace]] = {}

    def call_from_thread(self, fn: Any, *args: Any) -> None:
        self.calls.put((fn, args))

    def call_later(self, delay: float, fn: Any, *args: Any) -> Any:
        # the pool's budget timer is called with its job first: keyed by the job's URL
        timer = SimpleNamespace(active=lambda: timer.key in self.timers,
                                cancel=lambda: self.timers.pop(timer.key, None), key=args[0].url)
        self.timers[timer.key] = (fn, args, timer)
        return timer

    def started(self, url: str) -> bool:
        """The pool has handed this page to a worker (its budget is running)."""
        return url in self.timers

    def expire(self, url: str) -> None:
        """The page's budget runs out now, as if its seconds had passed."""
        fn, args, _ = self.timers.pop(url)
        fn(*args)

    def run_until(self, done: Any, limit: float = 120.0) -> None:
        deadline = time.monotonic() + limit
        while not done():
            assert time.monotonic() < deadline, "the pool never answered"
            try:
                fn, args = self.calls.get(timeout=0.05)
            except queue.Empty:
                continue
            fn(*args)


def results(deferreds: list[Any]) -> list[Any]:
    seen: list[Any] = [None] * len(deferreds)
    for i, d in enumerate(deferreds):
        d.addBoth(lambda value, i=i: seen.__setitem__(i, value))
    return seen


@pytest.fixture
def loop() -> Loop:
    return Loop()


def small(n: int) -> str:
    return page("repeated_lists", 5_000).replace("第0条", f"第{n}号")


def test_facts_from_a_worker_are_the_facts_extracted_in_process(loop: Loop) -> None:
    pool = ExtractPool(2, 60, loop.call_later, loop.call_from_thread)
    try:
        docs = [small(n) for n in range(3)]
        seen = results([pool.submit(f"https://x.gov.cn/{n}", d, title=None, publish_date=None, is_html=True)
                        for n, d in enumerate(docs)])
        loop.run_until(lambda: all(s is not None for s in seen))
        worker_pid = pool.executor.submit(os.getpid).result(timeout=60)  # type: ignore[union-attr]
    finally:
        pool.close()
    assert worker_pid != os.getpid()  # the pages went to another process, off the reactor thread
    assert loop.timers == {}  # every page's budget was cancelled once its answer came
    assert seen == [extract_notice(d, url=f"https://x.gov.cn/{n}", title=None, publish_date=None, is_html=True)
                    for n, d in enumerate(docs)]


def test_search_tokens_cut_in_a_worker_are_the_ones_storage_would_cut(loop: Loop) -> None:
    """The storage worker indexes what the extraction worker cut instead of cutting the text again: it
    must be the same string, and the facts the same as without the tokens."""
    from storage.search import index_text

    bodies = ["财政部 海关总署 税务总局关于调整跨境电子商务零售进口税收政策的通知（財關稅〔2018〕49号）",
              "在雄安新区设立中国（河北）自由贸易试验区 B2B 出口", ""]
    pool = ExtractPool(2, 60, loop.call_later, loop.call_from_thread)
    try:
        docs = [small(n) for n in range(len(bodies))]
        seen = results([pool.submit_indexed(f"https://x.gov.cn/{n}", d, title=None, publish_date=None,
                                            is_html=True, body=b)
                        for n, (d, b) in enumerate(zip(docs, bodies, strict=True))])
        loop.run_until(lambda: all(s is not None for s in seen))
    finally:
        pool.close()
    assert [tokens for _, tokens in seen] == [index_text(b) for b in bodies]
    assert "雄安 安新 新区" in seen[1][1]
    assert [facts for facts, _ in seen] == [
        extract_notice(d, url=f"https://x.gov.cn/{n}", title=None, publish_date=None, is_html=True)
        for n, d in enumerate(docs)]


def test_a_page_over_its_budget_fails_alone_and_the_pool_is_replaced(loop: Loop) -> None:
    pool = ExtractPool(1, 1.5, loop.call_later, loop.call_from_thread)
    try:
        first = pool.submit("https://x.gov.cn/warm", small(9), title=None, publish_date=None, is_html=True)
        loop.run_until(lambda: first.called)
        stuck_worker = next(iter(pool.executor._processes.values()))  # type: ignore[union-attr]
        slow = page("tiny_elements", 20_000_000)  # seconds of work: still running when its budget ends
        urls = ["https://x.gov.cn/a", "https://x.gov.cn/slow", "https://x.gov.cn/b"]
        seen = results([pool.submit(u, d, title=None, publish_date=None, is_html=True)
                        for u, d in zip(urls, [small(1), slow, small(2)], strict=True)])
        loop.run_until(lambda: seen[0] is not None and loop.started("https://x.gov.cn/slow"))
        assert seen[1] is None and seen[2] is None  # one worker: the slow page holds it, b waits behind
        loop.expire("https://x.gov.cn/slow")
        loop.run_until(lambda: all(s is not None for s in seen))
        stuck_worker.join(timeout=60)
    finally:
        pool.close()
    assert isinstance(seen[0], dict) and isinstance(seen[2], dict)  # b ran, in the replacement pool
    assert seen[1].check(PageTimeout) and "https://x.gov.cn/slow" in str(seen[1].value)
    assert "1.5 s" in str(seen[1].value) and "CBECWATCH_EXTRACT_TIMEOUT" in str(seen[1].value)
    assert pool.replaced == 1 and not stuck_worker.is_alive()  # the worker stuck on it was killed


def test_workers_run_below_the_crawls_cpu_priority(loop: Loop) -> None:
    """CBECWATCH_WORKER_NICE: both kinds of worker step that far below this process's niceness (capped at
    19, as the kernel does), so the crawl's reactor thread gets the core first."""
    pool = ExtractPool(1, 60, loop.call_later, loop.call_from_thread, nice=7)
    store = StoreWorker(loop.call_from_thread, nice=3)
    try:
        warm = pool.submit("https://x.gov.cn/warm", small(1), title=None, publish_date=None, is_html=True)
        loop.run_until(lambda: warm.called)
        extract_nice = pool.executor.submit(os.nice, 0).result(timeout=60)  # type: ignore[union-attr]
        seen = results([store.submit(os.nice, 0)])
        loop.run_until(lambda: seen[0] is not None)
    finally:
        pool.close()
        store.close()
    assert extract_nice == min(19, os.nice(0) + 7)
    assert seen[0] == min(19, os.nice(0) + 3)


def test_a_worker_that_dies_is_replaced_and_its_page_still_extracted(loop: Loop) -> None:
    pool = ExtractPool(1, 60, loop.call_later, loop.call_from_thread)
    try:
        warm = pool.submit("https://x.gov.cn/warm", small(1), title=None, publish_date=None, is_html=True)
        loop.run_until(lambda: warm.called)
        for process in list(pool.executor._processes.values()):  # as the kernel's OOM killer would
            process.kill()
            process.join()
        seen = results([pool.submit("https://x.gov.cn/c", small(3), title=None, publish_date=None, is_html=True)])
        loop.run_until(lambda: seen[0] is not None)
    finally:
        pool.close()
    assert isinstance(seen[0], dict) and pool.replaced >= 1


def test_the_pipeline_stores_a_page_over_budget_without_facts_and_reports_it(loop: Loop) -> None:
    health = SourceHealth("govcn")
    crawler = SimpleNamespace(settings=Settings({"CBECWATCH_EXTRACT_WORKERS": 1}),
                              spider=SimpleNamespace(name="govcn", health=health))
    stage = ExtractionPipeline(crawler)  # type: ignore[arg-type]
    stage.pool = ExtractPool(1, 1.5, loop.call_later, loop.call_from_thread)
    try:
        items = [NoticeItem(source="govcn", url=f"https://www.gov.cn/{name}.htm", title="", body_html="", text="正文",
                            raw_html=html.encode("utf-8"), raw_encoding="utf-8")
                 for name, html in (("ok", small(1)), ("slow", page("tiny_elements", 20_000_000)))]
        warm = stage.extract(items[0])
        loop.run_until(lambda: warm.called)
        seen = results([stage.extract(items[1])])
        loop.run_until(lambda: loop.started(items[1].url))
        loop.expire(items[1].url)
        loop.run_until(lambda: seen[0] is not None)
    finally:
        stage.pool.close()
    assert seen[0] is items[1] and items[1].extraction is None  # handed on to storage, without facts
    assert items[0].extraction and items[0].extraction["title"] == "关于设立跨境电子商务综合试验区的批复"
    assert health.errors[EXTRACTION_ERROR] == 1
    assert "https://www.gov.cn/slow.htm" in health.samples[0]["message"]
    assert "CBECWATCH_EXTRACT_TIMEOUT" in health.samples[0]["message"]


def test_a_crawl_with_extraction_workers_stores_the_facts_reparse_would(cli, mirror, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A real crawl through the CLI with two workers (and the storage worker); re-extracting every stored
    version in-process afterwards changes nothing, so the workers stored exactly the in-process facts."""
    monkeypatch.setenv("CBECWATCH_EXTRACT_WORKERS", "2")
    result = cli("crawl", "--source", "govcn", "--mirror", mirror.url, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "govcn: ok" in result.stdout
    monkeypatch.setenv("CBECWATCH_EXTRACT_WORKERS", "0")
    reparsed = cli("reparse")
    assert reparsed.returncode == 0 and " 0 changed, 0 failed" in reparsed.stdout, reparsed.stdout
    assert not reparsed.stdout.startswith("re-extracted 0 ")
