"""Measurement 10: outbox dispatch throughput with 1, 2 and 4 ``cbecwatch dispatch`` processes on PostgreSQL.

Each run queues the same number of due webhook deliveries (10,000; quick 300) in a fresh schema of the
PostgreSQL database given (``--dispatch-database`` or ``CBECWATCH_TEST_PG_URL``), starts N dispatcher
processes on the empty outbox, waits until each is up, then commits the deliveries and times until the
receiver has every one (the drain, without the interpreters' start-up). 10a is deliveries/s with
one dispatcher; 10b and 10c are the ratios of 2 and 4 dispatchers against it, measured in the same run.
Without PostgreSQL the row is skipped: SQLite has one writer, so extra dispatchers cannot add anything there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text

from bench.common import Result, bench_env, cbecwatch_cmd, failed, skipped, tail
from bench.daemon import Receiver

DISPATCHERS = (1, 2, 4)
SUBSCRIBERS = 4
GOVCN_NOTICE = {"source": "govcn", "url": "https://www.gov.cn/zhengce/content/2022-11/24/content_1.htm",
                "title": "国务院关于同意在廊坊等33个城市和地区设立跨境电子商务综合试验区的批复",
                "text": "一、同意设立。", "doc_number": "国函〔2022〕126号"}


def queue_webhook_deliveries(db: Any, url_for: Any, count: int) -> tuple[set[str], dict[str, str]]:
    """``count`` due webhook deliveries (synthetic rows straight into the outbox, all announcing one stored
    notice's events) spread over a few subscribers whose URL is ``url_for(name)``; returns the keys and
    each subscriber's webhook secret. Shared with tests/test_dispatchers.py."""
    from storage.events import derive_events
    from storage.models_alerts import PENDING, Delivery, DeliveryEvent
    from storage.notices import NoticeRecord, ensure_source, save_notice
    from storage.outbox import new_key
    from storage.subscribers import SubscriberSpec, add_subscriber, new_webhook_secret
    from storage.types import utcnow

    record = NoticeRecord(**GOVCN_NOTICE)
    secrets: dict[str, str] = {}
    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
        [event, *_] = derive_events(session, save_notice(session, record), record)
        targets = []
        for n in range(SUBSCRIBERS):
            name = f"peer{n}"
            secrets[name] = new_webhook_secret()
            subscriber = add_subscriber(session, SubscriberSpec(name, webhook_url=url_for(name),
                                                                webhook_secret=secrets[name]))
            targets.append((subscriber.id, url_for(name)))
        now = utcnow()
        rows = [{"key": new_key(), "subscriber_id": targets[i % SUBSCRIBERS][0], "channel": "webhook",
                 "target": targets[i % SUBSCRIBERS][1], "kind": "instant", "status": PENDING, "attempts": 0,
                 "next_attempt_at": now, "created_at": now} for i in range(count)]
        session.execute(insert(Delivery), rows)
        ids = session.scalars(select(Delivery.id))
        session.execute(insert(DeliveryEvent), [{"delivery_id": id_, "event_id": event.id} for id_ in ids])
    return {row["key"] for row in rows}, secrets


def dispatcher_env(database_url: str, home: Path, **extra: str) -> dict[str, str]:
    """The settings both the bench and the test run dispatchers with: 8 sends at once, all to one host."""
    settings = {"CBECWATCH_DATABASE_URL": database_url, "CBECWATCH_SEND_WORKERS": "8",
                "CBECWATCH_PER_HOST_SENDS": "8", "CBECWATCH_DISPATCH_BATCH": "100",
                "CBECWATCH_DISPATCH_INTERVAL": "0.5"}
    return bench_env(home, **{**settings, **extra})


def _until(condition: Any, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}: {tail(logs[0].read_text())}")
        time.sleep(0.05)


def _drain(base_url: str, count: int, dispatchers: int, workdir: Path) -> dict[str, Any]:
    from storage.db import open_database

    schema = f"bench_dispatch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    receiver = Receiver()
    db = open_database(url)
    homes = [workdir / f"{dispatchers}-{n}" for n in range(dispatchers)]
    procs: list[subprocess.Popen[str]] = []
    try:
        # Started first, on the empty outbox, so the figure is the drain, not N interpreters starting on 2 cores
        # (4 took ~10 s to start under load when measured, longer than their drain of 1,000).
        for home in homes:
            home.mkdir(parents=True)
            procs.append(subprocess.Popen(cbecwatch_cmd("dispatch"), env=dispatcher_env(url, home),
                                          stdout=subprocess.DEVNULL, stderr=(home / "dispatch.log").open("w"),
                                          text=True))
        logs = [home / "dispatch.log" for home in homes]
        _until(lambda: all("dispatcher started" in log.read_text() for log in logs), 120, "dispatchers to start", logs)
        queue_webhook_deliveries(db, lambda name: f"{receiver.url}/{name}", count)
        t0 = time.perf_counter()  # committed: every row is due from here
        _until(lambda: len(receiver.posts) >= count, 900, f"{count} posts", logs)
        seconds = time.perf_counter() - t0
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        bad = [tail(log.read_text()) for proc, log in zip(procs, logs, strict=True) if proc.wait(timeout=60) != 0]
        if bad:
            raise RuntimeError(f"a dispatcher failed: {bad[0]}")
        time.sleep(0.2)  # a repeat would arrive now
        with receiver.lock:
            posts = len(receiver.posts)
        if posts != count:
            from storage.models_alerts import DELIVERED, Delivery

            with db.session() as session:
                left = list(session.execute(select(Delivery.status, Delivery.attempts, Delivery.last_error)
                                            .where(Delivery.status != DELIVERED).limit(3)))
            raise RuntimeError(f"{dispatchers} dispatchers: the receiver got {posts} posts for {count} deliveries; "
                               f"not delivered: {left}")
        return {"dispatchers": dispatchers, "deliveries": count, "seconds": round(seconds, 2),
                "per_second": round(count / seconds, 1)}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        receiver.close()
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(*, quick: bool, url: str | None = None, count: int | None = None) -> list[Result]:
    url = url or os.environ.get("CBECWATCH_TEST_PG_URL")
    name = "dispatch throughput, 1 dispatcher"
    if not url:
        return [skipped("10a", name, "no PostgreSQL: give --dispatch-database URL or set CBECWATCH_TEST_PG_URL")]
    count = count or (300 if quick else 10_000)  # quick: keeps the harness working, no verdict
    # The subscribers are added in this process; their receiver is on 127.0.0.1 (as bench_env says for children).
    os.environ["CBECWATCH_ALLOW_PRIVATE_TARGETS"] = "1"
    from cbecwatch.config import get_alert_settings

    get_alert_settings.cache_clear()
    try:
        with tempfile.TemporaryDirectory(prefix="cbec-bench-dispatch-") as tmp:
            runs = {n: _drain(url, count, n, Path(tmp)) for n in DISPATCHERS}
    except Exception as exc:
        return [failed("10a", name, f"{type(exc).__name__}: {exc}")]
    one = runs[1]["per_second"]
    rows = [Result("10a", name, one, "deliveries/s",
                   note=f"{count:,} queued webhook deliveries on PostgreSQL, drain time",
                   details={"runs": list(runs.values())})]
    for key, n in (("10b", 2), ("10c", 4)):
        rows.append(Result(key, f"dispatch throughput, {n} dispatchers / 1", round(runs[n]["per_second"] / one, 2),
                           "×", note=f"{runs[n]['per_second']:,} deliveries/s", details=runs[n]))
    return rows
