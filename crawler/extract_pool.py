"""Extraction off the reactor thread: worker processes with a time budget per page.

Every source of a crawl shares one Twisted reactor thread; parsing and extracting a notice there
(jieba, the gazetteer, a page's tree) held back every download and callback of every source, and one
hostile page could hold them for minutes. Here pages go to ``CBECWATCH_EXTRACT_WORKERS`` processes
(a ``concurrent.futures.ProcessPoolExecutor``) whose results come back to the reactor thread as
Deferreds, through ``reactor.callFromThread`` — which works with whichever reactor is installed.

* Workers are forked from a forkserver that has already loaded jieba and the division data, so a
  worker (and a replacement) starts warm in milliseconds instead of loading them again.
* At most one page per worker is handed over at a time (the rest wait here), so a page's budget
  (``CBECWATCH_EXTRACT_TIMEOUT``) counts its own work, not its wait behind others.
* A page over its budget fails with :class:`PageTimeout`; the pool is replaced (its processes
  killed) and the other pages it held are started again on the new one: nothing else is lost.
* A worker that dies by itself (out of memory, a crash in C) breaks the pool; its pages are retried
  once on a new pool, then fail.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from twisted.internet.defer import Deferred

PRELOAD = "crawler.extraction.preloaded"  # imported by the forkserver: jieba and the gazetteer loaded once


class PageTimeout(Exception):
    """A page's extraction ran past its budget."""


@dataclass
class PageJob:
    url: str
    args: tuple[Any, ...]
    done: Deferred[dict[str, Any]]
    attempts: int = 0
    future: cf.Future[dict[str, Any]] | None = None
    timer: Any = None
    generation: int = -1
    key: int = field(default_factory=itertools.count().__next__)


def extract_page(document: str, url: str | None, title: str | None, publish_date: dt.date | None,
                 is_html: bool) -> dict[str, Any]:
    """The worker's job: the facts of one page (:func:`crawler.facts.extract_notice`)."""
    from crawler.facts import extract_notice

    return extract_notice(document, url=url, title=title, publish_date=publish_date, is_html=is_html)


def _warm() -> None:
    from crawler.extraction import warm_up

    warm_up()  # nothing left to do when forked from the preloaded forkserver


class ExtractPool:
    """Pages in, facts out as Deferreds fired on the reactor thread. ``call_later(delay, fn, *args)`` and
    ``call_from_thread(fn, *args)`` are the reactor's (passed in, so no reactor is imported here)."""

    def __init__(self, workers: int, timeout: float, call_later: Callable[..., Any],
                 call_from_thread: Callable[..., Any]) -> None:
        self.workers, self.timeout = max(1, workers), timeout
        self.call_later, self.call_from_thread = call_later, call_from_thread
        self.generation = 0
        self.running: dict[int, PageJob] = {}
        self.waiting: deque[PageJob] = deque()
        self.replaced = 0  # pools replaced after a timeout or a dead worker
        self.executor = self._new_executor()

    def _new_executor(self) -> cf.ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        return cf.ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm)

    def submit(self, url: str, document: str, *, title: str | None, publish_date: dt.date | None,
               is_html: bool) -> Deferred[dict[str, Any]]:
        job = PageJob(url, (document, url, title, publish_date, is_html), Deferred())
        self.waiting.append(job)
        self._fill()
        return job.done

    def _fill(self) -> None:
        while self.waiting and len(self.running) < self.workers:
            self._start(self.waiting.popleft())

    def _start(self, job: PageJob) -> None:
        job.attempts += 1
        job.generation = self.generation
        self.running[job.key] = job
        job.timer = self.call_later(self.timeout, self._expired, job, job.generation)
        try:
            job.future = self.executor.submit(extract_page, *job.args)
        except BrokenProcessPool as exc:  # a worker died while idle: this page has not started
            job.attempts -= 1
            self._replace(f"a worker died: {exc}")
            return
        generation = job.generation
        job.future.add_done_callback(lambda f: self.call_from_thread(self._finished, job, generation, f))

    def _finished(self, job: PageJob, generation: int, future: cf.Future[dict[str, Any]]) -> None:
        if generation != job.generation or self.running.get(job.key) is not job:
            return  # an answer from a pool that was replaced, for a job already restarted or failed
        error = future.exception()
        if isinstance(error, BrokenProcessPool) and generation == self.generation:
            self._replace(f"a worker died: {error}")
            return
        del self.running[job.key]
        _cancel(job.timer)
        if error is not None:
            job.done.errback(error)
        else:
            job.done.callback(future.result())
        self._fill()

    def _expired(self, job: PageJob, generation: int) -> None:
        if self.running.get(job.key) is not job or job.generation != generation:
            return
        del self.running[job.key]
        self._replace(f"page over its {self.timeout:g} s budget: {job.url}")
        job.done.errback(PageTimeout(f"extraction of {job.url} took longer than {self.timeout:g} s "
                                     f"(CBECWATCH_EXTRACT_TIMEOUT)"))

    def _replace(self, why: str) -> None:
        """A new pool; the old one's processes killed, the pages they held started again (or failed after
        a second try)."""
        old, self.executor = self.executor, self._new_executor()
        self.generation += 1
        self.replaced += 1
        _kill(old)
        again = sorted(self.running.values(), key=lambda j: j.key)
        self.running.clear()
        for job in reversed(again):  # back at the head of the queue, in their order
            _cancel(job.timer)
            if job.attempts >= 2:
                job.done.errback(BrokenProcessPool(f"extraction of {job.url} failed twice ({why})"))
            else:
                self.waiting.appendleft(job)
        self._fill()

    def close(self) -> None:
        for job in [*self.running.values(), *self.waiting]:
            _cancel(job.timer)
        self.executor.shutdown(wait=False, cancel_futures=True)


def _cancel(timer: Any) -> None:
    if timer is not None and timer.active():
        timer.cancel()


def _kill(executor: cf.ProcessPoolExecutor) -> None:
    # The executor has no public way to stop a worker in the middle of a job; killing its processes is
    # the documented effect of a broken pool (its futures then fail with BrokenProcessPool).
    for process in list(getattr(executor, "_processes", {}).values()):
        process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def _noop() -> None:
    return None


# One pool per crawl process: every source's pipeline (one per spider) shares it.
_shared: ExtractPool | None = None
_users = 0


def _call_later(delay: float, fn: Callable[..., Any], *args: Any) -> Any:
    from twisted.internet import reactor  # only ever called once the crawl's reactor is running

    return reactor.callLater(delay, fn, *args)  # type: ignore[attr-defined]


def _call_from_thread(fn: Callable[..., Any], *args: Any) -> None:
    from twisted.internet import reactor

    reactor.callFromThread(fn, *args)  # type: ignore[attr-defined]


def acquire(workers: int, timeout: float) -> ExtractPool:
    """The process's pool, started (its workers warming up in the background) on first use."""
    global _shared, _users
    if _shared is None:
        _shared = ExtractPool(workers, timeout, _call_later, _call_from_thread)
        for _ in range(_shared.workers):  # spawn every worker now, not on the first pages
            _shared.executor.submit(_noop)
    _users += 1
    return _shared


def release() -> None:
    global _shared, _users
    _users = max(0, _users - 1)
    if _users == 0 and _shared is not None:
        _shared.close()
        _shared = None
