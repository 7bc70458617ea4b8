"""Extraction off the reactor thread: worker processes with a time budget per page.

Every source of a crawl shares one Twisted reactor thread; parsing and extracting a notice there
(jieba, the gazetteer, a page's tree) held back every download and callback of every source, and one
hostile page could hold them for minutes. Here pages go to ``CBECWATCH_EXTRACT_WORKERS`` processes
(a ``concurrent.futures.ProcessPoolExecutor``) whose results come back to the reactor thread as
Deferreds, through ``reactor.callFromThread`` — which works with whichever reactor is installed.

* Workers are forked from a forkserver that has already loaded jieba and the division data
  (:func:`prestart`, at the start of a crawl), so a worker, and a replacement, starts warm instead of
  loading them again.
* At most one page per worker is handed over at a time (the rest wait here), so a page's budget
  (``CBECWATCH_EXTRACT_TIMEOUT``) counts its own work, not its wait behind others.
* A page over its budget fails with :class:`PageTimeout`; the pool is replaced (its processes
  killed) and the other pages it held are started again on the new one: nothing else is lost.
* A worker that dies by itself (out of memory, a crash in C) breaks the pool; its pages are retried
  once on a new pool, then fail.
* Workers run CBECWATCH_WORKER_NICE steps below the crawl's CPU priority: the reactor thread comes first.
* :class:`StoreWorker`: one more process that commits the storage pipeline's batches, in the order
  handed over (as the reactor thread did), so SQLAlchemy's work leaves the reactor thread too.
* Workers are spawned by a thread of their own, never on the reactor thread (spawning waits for the
  forkserver), and only once the first page arrives: a crawl with nothing new starts none.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import itertools
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from twisted.internet.defer import Deferred

PRELOAD = "crawler.extraction.preloaded"  # imported by the forkserver: jieba and the gazetteer loaded once
# … and the search index's tokenizer module (SQLAlchemy and the models with it, ~0.25 s of CPU), which
# extract_and_index imports on a worker's first page otherwise, in every worker and every replacement.
PRELOADS = [PRELOAD, "storage.search"]


class PageTimeout(Exception):
    """A page's extraction ran past its budget."""


@dataclass
class PageJob:
    url: str
    args: tuple[Any, ...]
    done: Deferred[Any]
    attempts: int = 0
    future: cf.Future[Any] | None = None
    fn: Callable[..., Any] | None = None  # the worker's job: extract_page unless given
    timer: Any = None
    generation: int = -1
    key: int = field(default_factory=itertools.count().__next__)


def extract_page(document: str, url: str | None, title: str | None, publish_date: dt.date | None,
                 is_html: bool) -> dict[str, Any]:
    """The worker's job: the facts of one page (:func:`crawler.facts.extract_notice`)."""
    from crawler.facts import extract_notice

    return extract_notice(document, url=url, title=title, publish_date=publish_date, is_html=is_html)


def extract_and_index(document: str, url: str | None, title: str | None, publish_date: dt.date | None,
                      is_html: bool, body: str) -> tuple[dict[str, Any], str | None]:
    """:func:`extract_page`, and the search-index tokens of the notice's text
    (:func:`storage.search.index_text`): jieba is loaded here already and the text is at hand, so the one
    storage worker, which every source's notices queue for, only inserts them. ``None`` when cutting
    fails: the storage worker then cuts the text itself, as it would have, and the facts still count."""
    facts = extract_page(document, url, title, publish_date, is_html)
    try:
        from storage.search import index_text

        return facts, index_text(body)
    except Exception:
        return facts, None


def _lower_priority(nice: int) -> None:
    """A worker's first act: step below the crawl's CPU priority (CBECWATCH_WORKER_NICE). On two cores the
    crawl's reactor thread, two extraction workers and the storage worker all want a core at once; measured
    on the bench mirror, the reactor thread then spent most of its crawl waiting in the run queue."""
    if nice > 0 and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)


def _warm(nice: int = 0) -> None:
    from crawler.extraction import warm_up

    _lower_priority(nice)
    warm_up()  # nothing left to do when forked from the preloaded forkserver


class ExtractPool:
    """Pages in, facts out as Deferreds fired on the reactor thread. ``call_later(delay, fn, *args)`` and
    ``call_from_thread(fn, *args)`` are the reactor's (passed in, so no reactor is imported here)."""

    def __init__(self, workers: int, timeout: float, call_later: Callable[..., Any],
                 call_from_thread: Callable[..., Any], nice: int = 0) -> None:
        self.workers, self.timeout, self.nice = max(1, workers), timeout, nice
        self.call_later, self.call_from_thread = call_later, call_from_thread
        self.generation = 0
        self.running: dict[int, PageJob] = {}
        self.waiting: deque[PageJob] = deque()
        self.replaced = 0  # pools replaced after a timeout or a dead worker
        self.executor: cf.ProcessPoolExecutor | None = None  # started on the first page: none, none paid
        self.ready = False

    def _new_executor(self) -> cf.ProcessPoolExecutor:
        """A pool whose workers are spawned by a thread of its own: spawning waits for the forkserver
        (two seconds the first time, while it loads jieba), which must not stall the reactor thread.
        Pages wait here until the workers are up."""
        executor = _executor(self.workers, initializer=_warm, initargs=(self.nice,))
        self.ready = False
        generation = self.generation
        _spawn_in_background(executor, self.workers, lambda: self.call_from_thread(self._up, generation))
        return executor

    def _up(self, generation: int) -> None:
        if generation == self.generation:
            self.ready = True
            self._fill()

    def submit(self, url: str, document: str, *, title: str | None, publish_date: dt.date | None,
               is_html: bool) -> Deferred[dict[str, Any]]:
        return self._queue(PageJob(url, (document, url, title, publish_date, is_html), Deferred()))

    def submit_indexed(self, url: str, document: str, *, title: str | None, publish_date: dt.date | None,
                       is_html: bool, body: str) -> Deferred[tuple[dict[str, Any], str | None]]:
        """:meth:`submit`, firing with the facts and the search-index tokens of *body*
        (:func:`extract_and_index`), under the same budget."""
        return self._queue(PageJob(url, (document, url, title, publish_date, is_html, body), Deferred(),
                                   fn=extract_and_index))

    def _queue(self, job: PageJob) -> Deferred[Any]:
        self.waiting.append(job)
        if self.executor is None:
            self.executor = self._new_executor()
        self._fill()
        return job.done

    def _fill(self) -> None:
        while self.ready and self.waiting and len(self.running) < self.workers:
            self._start(self.waiting.popleft())

    def _start(self, job: PageJob) -> None:
        job.attempts += 1
        job.generation = self.generation
        self.running[job.key] = job
        job.timer = self.call_later(self.timeout, self._expired, job, job.generation)
        try:
            job.future = self.executor.submit(job.fn or extract_page, *job.args)  # type: ignore[union-attr]
        except BrokenProcessPool as exc:  # a worker died while idle: this page has not started
            job.attempts -= 1
            self._replace(f"a worker died: {exc}")
            return
        generation = job.generation
        job.future.add_done_callback(lambda f: self.call_from_thread(self._finished, job, generation, f))

    def _finished(self, job: PageJob, generation: int, future: cf.Future[Any]) -> None:
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
        self.generation += 1
        old, self.executor = self.executor, self._new_executor()
        self.replaced += 1
        if old is not None:
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
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)


def prestart() -> None:
    """Start the forkserver now: it loads jieba and the division data (about two seconds of CPU) in
    its own process while the crawl starts up, so the first pages find their workers warm. Returns at
    once."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOADS)
    forkserver.ensure_running()


def _executor(workers: int, initializer: Callable[..., None] | None = None,
              initargs: tuple[Any, ...] = ()) -> cf.ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADS)
    return cf.ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs)


def _spawn_in_background(executor: cf.ProcessPoolExecutor, workers: int, then: Callable[[], None]) -> None:
    """Spawn the executor's workers (a no-op job each) on a thread, then call ``then`` (from that thread)."""
    def spawn() -> None:
        with contextlib.suppress(Exception):  # a pool broken or closed meanwhile: its own jobs report that
            cf.wait([executor.submit(_noop) for _ in range(workers)])
        then()

    threading.Thread(target=spawn, name="cbecwatch-spawn-workers", daemon=True).start()


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


def acquire(workers: int, timeout: float, nice: int = 0) -> ExtractPool:
    """The process's pool, started (its workers warming up in the background) on first use."""
    global _shared, _users
    if _shared is None:
        _shared = ExtractPool(workers, timeout, _call_later, _call_from_thread, nice)
    _users += 1
    return _shared


def release() -> None:
    global _shared, _users
    _users = max(0, _users - 1)
    if _users == 0 and _shared is not None:
        _shared.close()
        _shared = None


class StoreWorker:
    """One worker process that runs the storage batches, in the order handed over; results come back
    to the reactor thread as Deferreds. Started on the first batch, spawned off the reactor thread."""

    def __init__(self, call_from_thread: Callable[..., Any], nice: int = 0) -> None:
        self.call_from_thread, self.nice = call_from_thread, nice
        self.executor: cf.ProcessPoolExecutor | None = None
        self.ready = False
        self.queued: list[tuple[Callable[..., Any], tuple[Any, ...], Deferred[Any]]] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> Deferred[Any]:
        done: Deferred[Any] = Deferred()
        self.queued.append((fn, args, done))
        if self.executor is None:
            self.executor = _executor(1, initializer=_lower_priority, initargs=(self.nice,))
            _spawn_in_background(self.executor, 1, lambda: self.call_from_thread(self._up))
        if self.ready:
            self._hand_over()
        return done

    def _up(self) -> None:
        self.ready = True
        self._hand_over()

    def _hand_over(self) -> None:
        queued, self.queued = self.queued, []
        for fn, args, done in queued:  # one worker: run in this order
            future = self.executor.submit(fn, *args)  # type: ignore[union-attr]
            future.add_done_callback(lambda f, done=done: self.call_from_thread(_deliver, f, done))

    def after_all(self) -> Deferred[Any]:
        """Fires once everything handed over so far has been run (one worker: in order)."""
        return self.submit(_noop)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)


def _deliver(future: cf.Future[Any], done: Deferred[Any]) -> None:
    error = future.exception()
    if error is not None:
        done.errback(error)
    else:
        done.callback(future.result())


_store_worker: StoreWorker | None = None
_store_users = 0


def acquire_store_worker(nice: int = 0) -> StoreWorker:
    global _store_worker, _store_users
    if _store_worker is None:
        _store_worker = StoreWorker(_call_from_thread, nice)
    _store_users += 1
    return _store_worker


def release_store_worker() -> None:
    global _store_worker, _store_users
    _store_users = max(0, _store_users - 1)
    if _store_users == 0 and _store_worker is not None:
        _store_worker.close()
        _store_worker = None
