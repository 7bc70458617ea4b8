"""Several ``cbecwatch dispatch`` processes on one PostgreSQL outbox (issue 16 item 4).

Real subprocesses drain queued webhook deliveries to the signature-checking receiver of
``tests/alert_peers.py``; the receiver counts each idempotency key (``webhook-id``). The deliveries are
synthetic rows written straight into the outbox by ``bench/dispatch.py`` (the bench's row 10 drains the
same rows), one per key, all announcing one stored notice's events: the claim is tested, not matching.
"""

from __future__ import annotations

import collections
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alert_peers import WebhookReceiver, receiver, tcp_ports_of, wait_for  # noqa: F401
from sqlalchemy import func, select

from bench.dispatch import dispatcher_env, queue_webhook_deliveries
from storage.db import Database, open_database
from storage.models_alerts import DELIVERED, PENDING, Delivery

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def pg(database_url: str) -> Iterator[tuple[Database, str]]:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer and no row locks: several dispatchers only queue behind each other "
                    "there, so the shared-outbox claim is a PostgreSQL feature")
    database = open_database(database_url)
    yield database, database_url
    database.dispose()


def queue(db: Database, hooks: WebhookReceiver, count: int) -> set[str]:
    """``count`` due webhook deliveries to ``hooks``, which learns each subscriber's secret."""
    keys, secrets = queue_webhook_deliveries(db, hooks.url, count)
    hooks.secrets.update(secrets)
    return keys


def start_dispatcher(database_url: str, home: Path, *args: str, **settings: str) -> subprocess.Popen[str]:
    """Its log goes to ``home/dispatch.log`` (a pipe nobody reads would fill and stall it)."""
    home.mkdir(parents=True)
    env = dispatcher_env(database_url, home, **settings)
    return subprocess.Popen([sys.executable, "-m", "cbecwatch", "dispatch", *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=(home / "dispatch.log").open("w"), text=True)


def log_of(home: Path) -> str:
    return (home / "dispatch.log").read_text(encoding="utf-8", errors="replace")


def sent_by(stderr: str) -> int:
    match = re.search(r"dispatcher \d+ stopped: (\d+) sent", stderr)
    assert match, stderr[-2000:]
    return int(match.group(1))


def keys_received(hooks: WebhookReceiver) -> collections.Counter[str]:
    with hooks.lock:
        assert all(r.verified and r.status == 200 for r in hooks.received)
        return collections.Counter(r.id for r in hooks.received)


def attempts_by_key(db: Database) -> dict[str, tuple[str, int]]:
    with db.session() as session:
        return {key: (status, attempts) for key, status, attempts
                in session.execute(select(Delivery.key, Delivery.status, Delivery.attempts))}


def test_two_dispatchers_drain_ten_thousand_deliveries_each_sent_once(
        pg: tuple[Database, str], receiver: WebhookReceiver, tmp_path: Path) -> None:  # noqa: F811
    db, url = pg
    keys = queue(db, receiver, 10_000)
    homes = [tmp_path / f"home{n}" for n in range(2)]
    workers = [start_dispatcher(url, home, "--once") for home in homes]
    for worker in workers:
        worker.wait(timeout=150)
    outputs = [log_of(home) for home in homes]
    assert [worker.returncode for worker in workers] == [0, 0], [out[-2000:] for out in outputs]
    counted = keys_received(receiver)
    assert set(counted) == keys
    assert [key for key, times in counted.items() if times > 1] == []  # none sent twice under one key
    rows = attempts_by_key(db)
    assert {status for status, _ in rows.values()} == {DELIVERED}
    assert {attempts for _, attempts in rows.values()} == {1}  # none claimed twice
    shares = [sent_by(out) for out in outputs]
    assert sum(shares) == 10_000 and min(shares) > 0, shares  # both dispatchers took part


def test_a_killed_dispatchers_claims_go_out_from_the_other_after_the_lease(
        pg: tuple[Database, str], receiver: WebhookReceiver, tmp_path: Path) -> None:  # noqa: F811
    db, url = pg
    count, batch = 1500, 100
    keys = queue(db, receiver, count)
    lease = {"CBECWATCH_DISPATCH_LEASE": "3", "CBECWATCH_DISPATCH_BATCH": str(batch)}
    doomed = start_dispatcher(url, tmp_path / "doomed", **lease)
    assert wait_for(lambda: len(receiver.received) >= 100, timeout=60), "the first dispatcher sent nothing"
    survivor = start_dispatcher(url, tmp_path / "survivor", **lease)
    assert wait_for(lambda: len(receiver.received) >= count // 3, timeout=60)
    # Kill it while it surely holds a claim: hold the receiver's answers until one of the doomed dispatcher's
    # sends is in flight (a kill timed by counts alone can land between its batches, when it holds nothing).
    receiver.gate.clear()
    try:
        assert wait_for(lambda: receiver.held_ports & tcp_ports_of(doomed.pid), timeout=30, interval=0.02), \
            "the first dispatcher sent nothing while the receiver held its answers"
        doomed.send_signal(signal.SIGKILL)  # mid-send: it holds a claimed batch, some of it sent, none marked
        doomed.wait(timeout=10)
    finally:
        receiver.gate.set()
    with db.session() as session:
        stranded = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == PENDING,
                                                                               Delivery.attempts == 1))
    assert wait_for(lambda: {s for s, _ in attempts_by_key(db).values()} == {DELIVERED}, timeout=90, interval=0.5)
    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(timeout=30) == 0, log_of(tmp_path / "survivor")[-2000:]
    assert doomed.returncode == -signal.SIGKILL
    counted = keys_received(receiver)
    rows = attempts_by_key(db)
    assert set(counted) == keys  # nothing lost
    repeated = {key for key, times in counted.items() if times > 1}
    reclaimed = {key for key, (_, attempts) in rows.items() if attempts > 1}
    assert reclaimed, f"the killed dispatcher held no claim ({stranded} pending rows leased at the kill)"
    # The only repeats are the documented re-send: claims of the killed one, sent again after their lease.
    assert repeated <= reclaimed and len(reclaimed) <= batch
    assert max(counted.values()) == 2 if repeated else max(counted.values()) == 1


def test_a_claim_skips_rows_another_open_claim_holds_instead_of_waiting(
        pg: tuple[Database, str], receiver: WebhookReceiver) -> None:  # noqa: F811
    from storage.outbox import RetryPolicy, claim_due
    from storage.types import utcnow

    db, _ = pg
    queue(db, receiver, 50)
    policy = RetryPolicy(lease_seconds=60)
    with db.session() as first, db.session() as second:
        with first.begin():
            held = {row.id for row in claim_due(first, utcnow(), policy, 30)}
            with second.begin():  # the first transaction is still open: its rows are locked, not yet leased
                rest = {row.id for row in claim_due(second, utcnow(), policy, 50)}
        assert len(held) == 30 and len(rest) == 20 and not held & rest
        with first.begin():
            assert claim_due(first, utcnow(), policy, 50) == []  # both leases committed: nothing is due
