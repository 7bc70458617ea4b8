"""Running a crawl in this process: every selected source at once, one row per source in the run.

A Twisted reactor cannot be restarted, so one process runs one crawl: the CLI command is that
process, and the daemon starts it as a child process per run instead of calling this in-process.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import threading
from dataclasses import dataclass, field

from scrapy.settings import Settings

from appconfig.settings import Settings as AppSettings
from appconfig.settings import get_settings
from crawler.outcomes import FAILED_STATUSES
from storage.db import Database, open_database
from storage.models import CrawlRun, SourceRun
from storage.registry import rebuild_registry
from storage.types import utcnow

UNFINISHED = "the spider did not run to its end; see the log"


class UnknownSourceError(ValueError):
    pass


@dataclass
class SourceOutcome:
    source: str
    status: str
    reason: str | None
    items: int = 0
    new: int = 0
    revised: int = 0
    requests: int = 0
    list_requests: int = 0
    detail_requests: int = 0
    bytes: int = 0


@dataclass
class CrawlReport:
    run_id: int
    outcomes: list[SourceOutcome] = field(default_factory=list)
    log_file: str | None = None

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status in FAILED_STATUSES]


def scrapy_settings(app: AppSettings | None = None, *, mirror: str | None = None) -> Settings:
    os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    app = app or get_settings()
    settings.set("CBECWATCH_DATABASE_URL", app.database_url, priority="cmdline")
    for name, value in mirror_overrides(mirror, settings.get("MIRROR_HANDLER")).items():
        settings.set(name, value, priority="cmdline")
    return settings


def mirror_overrides(mirror: str | None, handler: str = "crawler.mirror.handler.MirrorDownloadHandler"
                     ) -> dict[str, object]:
    """The Scrapy settings that send a crawl to a local mirror (also given to Scrapyd jobs)."""
    if not mirror:
        return {}
    overrides: dict[str, object] = {"CBECWATCH_MIRROR_URL": mirror,
                                    "DOWNLOAD_HANDLERS": {"http": handler, "https": handler}}
    if "CBECWATCH_DOWNLOAD_DELAY" not in os.environ:
        # The mirror is our own server on 127.0.0.1: politeness delays only slow the demo down.
        overrides.update(DOWNLOAD_DELAY=0.001, AUTOTHROTTLE_ENABLED=False)
    return overrides


def available_sources(settings: Settings | None = None) -> list[str]:
    from scrapy.spiderloader import SpiderLoader

    return sorted(SpiderLoader.from_settings(settings or scrapy_settings()).list())


def select_sources(requested: list[str] | None, settings: Settings | None = None) -> list[str]:
    """The sources to crawl: those asked for, else every source not disabled in
    CBECWATCH_DISABLED_SOURCES. Unknown names, there or asked for, and asking for a disabled source
    are one-line errors: a typo must not silently crawl everything or nothing."""
    known = available_sources(settings)
    known_set = set(known)  # membership below, once per requested source: a list made it quadratic
    disabled = get_settings().disabled_sources
    misspelt = sorted(disabled - known_set)
    if misspelt:
        raise UnknownSourceError(f"CBECWATCH_DISABLED_SOURCES names unknown source {', '.join(misspelt)}; "
                                 f"known sources: {', '.join(known)}")
    unknown = [name for name in requested or () if name not in known_set]
    if unknown:
        raise UnknownSourceError(f"unknown source {', '.join(unknown)}; known sources: {', '.join(known)}")
    off = [name for name in requested or () if name in disabled]
    if off:
        raise UnknownSourceError(f"source {', '.join(off)} is disabled (CBECWATCH_DISABLED_SOURCES)")
    return list(requested) if requested else [name for name in known if name not in disabled]


def source_classes(settings: Settings | None = None) -> dict[str, type]:
    """Every source's spider class by name: its agency, home and the facts it relies on."""
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(settings or scrapy_settings())
    return {name: loader.load(name) for name in loader.list()}


def run_crawl(
    sources: list[str] | None = None, *, mirror: str | None = None, trigger: str = "cli", verbose: bool = False,
) -> CrawlReport:
    app = get_settings()
    app.ensure_dirs()
    settings = scrapy_settings(app, mirror=mirror)
    selected = select_sources(sources, settings)

    db = open_database(app.database_url)
    with db.session() as session, session.begin():
        run = CrawlRun(trigger=trigger, mirror_url=mirror, pid=os.getpid(), host=socket.gethostname())
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        return _crawl(db, settings, app, selected, run_id, verbose)
    except BaseException:
        # SIGTERM before Scrapy installed its own handlers (or any crash): close the run, never leave it
        # ``running``; its sources that started get a failed run with the reason.
        from crawler.runstore import close_unfinished_source_runs

        with db.session() as session, session.begin():
            close_unfinished_source_runs(session, run_id, "interrupted: the crawl process was stopped",
                                         app.broken_after, "interrupted")
            crawl_run = session.get(CrawlRun, run_id)
            if crawl_run is not None and crawl_run.status == "running":
                crawl_run.status, crawl_run.finished_at = "failed", utcnow()
        raise
    finally:
        db.dispose()


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _crawl(db: Database, settings: Settings, app: AppSettings, selected: list[str], run_id: int, verbose: bool
           ) -> CrawlReport:
    # Until Scrapy's reactor installs its graceful handlers, SIGTERM unwinds through run_crawl's cleanup.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    log_file = app.log_dir / f"crawl-{run_id}.log"
    settings.set("CBECWATCH_CRAWL_RUN_ID", run_id, priority="cmdline")
    if not verbose:
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", False, priority="cmdline")

    from scrapy.crawler import CrawlerProcess

    if settings.getint("CBECWATCH_EXTRACT_WORKERS", 0) > 0:
        from crawler.extract_pool import prestart

        prestart()  # the extraction workers' forkserver loads jieba while Scrapy starts
    process = CrawlerProcess(settings)
    for name in selected:
        process.crawl(name)
    # Everything loaded so far (Scrapy, Twisted, SQLAlchemy, the spiders, the settings) lives as long as
    # the process: out of the collector's reach, a full collection during the crawl looks at the
    # crawl's own objects only (measured: 4 full collections of ~110 ms each in a bench crawl).
    gc.freeze()
    process.start()

    return close_crawl_run(db, run_id, selected, None if verbose else str(log_file), app.broken_after)


def close_crawl_run(db: Database, run_id: int, selected: list[str], log_file: str | None = None,
                    broken_after: int = 3) -> CrawlReport:
    """After the spiders of a crawl run ended (here, or as Scrapyd jobs): read each source's verdict,
    rebuild the registry and close the run. A source without a finished run did not run to its end;
    one that started but wrote no verdict (a forced stop) is closed as a failed run."""
    from crawler.runstore import close_unfinished_source_runs

    report = CrawlReport(run_id=run_id, log_file=log_file)
    with db.session() as session, session.begin():
        close_unfinished_source_runs(session, run_id, UNFINISHED, broken_after, "interrupted")
        rows = {r.source: r for r in session.query(SourceRun).filter(SourceRun.crawl_run_id == run_id)}
        for name in selected:
            row = rows.get(name)
            if row is None or row.finished_at is None:
                report.outcomes.append(SourceOutcome(name, "failed", UNFINISHED))
                continue
            report.outcomes.append(SourceOutcome(
                name, row.status, row.reason, row.items, row.new_notices, row.revised_notices, row.requests,
                row.list_requests, row.detail_requests, row.bytes))
        # The registry is derived from the notices; keep it in step with what this run stored.
        rebuild_registry(session)
        crawl_run = session.get(CrawlRun, run_id)
        assert crawl_run is not None
        crawl_run.finished_at = utcnow()
        crawl_run.status = "failed" if report.failed else "ok"
    return report
