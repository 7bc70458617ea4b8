"""``/metrics`` in the Prometheus text format (prometheus-client), one registry per app.

Request counts and durations are counted as they happen; the database's figures (crawl runs,
notices, deliveries by status, queue depth) are read when Prometheus scrapes, so several web
processes over one database report the same totals and nothing is double-counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from storage.db import Database


class DatabaseCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Any]:
        from storage.models import Notice, SourceRun
        from storage.models_alerts import PENDING, Delivery

        with self.db.session() as session:
            runs = session.execute(select(SourceRun.source, SourceRun.status, func.count())
                                   .group_by(SourceRun.source, SourceRun.status)).all()
            notices = session.execute(select(Notice.source, func.count()).group_by(Notice.source)).all()
            documents = session.scalar(select(func.count(func.distinct(Notice.document_id)))) or 0
            deliveries = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        crawl = CounterMetricFamily("cbecwatch_crawl_runs", "Source runs (one source in one crawl) by outcome",
                                    labels=["source", "status"])
        for source, status, count in runs:
            crawl.add_metric([source, status], count)
        yield crawl
        stored = GaugeMetricFamily("cbecwatch_notices", "Stored notice copies per source", labels=["source"])
        for source, count in notices:
            stored.add_metric([source], count)
        yield stored
        # One document may be stored by several sources; the listing shows documents.
        yield GaugeMetricFamily("cbecwatch_documents", "Stored documents (copies of one notice counted once)",
                                value=documents)
        by_status = GaugeMetricFamily("cbecwatch_deliveries", "Alert deliveries by status", labels=["status"])
        counts = dict(deliveries)
        for status, count in counts.items():
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily("cbecwatch_delivery_queue_depth", "Deliveries waiting to be sent (pending)",
                                value=counts.get(PENDING, 0))


class Metrics:
    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("cbecwatch_web_requests", "HTTP requests served by the web app",
                                ["route", "status"], registry=self.registry)
        self.duration = Histogram("cbecwatch_web_request_seconds", "Time to answer a request", ["route"],
                                  registry=self.registry)
        self.registry.register(DatabaseCollector(db))

    def observe(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.duration.labels(route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
