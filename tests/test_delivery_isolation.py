"""One bad subscriber or one dead receiver never holds the others back, and alerts never go where they
must not: targets are checked (SSRF), permanent answers are dead letters at once, Retry-After is
honoured, a host that does not answer is left alone for a while, and every dead letter tells the admins."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from alert_peers import SmtpServer, WebhookReceiver, receiver, smtp, wait_for  # noqa: F401
from sqlalchemy import select
from test_dispatch import env, statuses, store, subscribe  # noqa: F401

from cbecwatch.config import get_alert_settings
from scheduler.dispatch import Dispatcher
from storage.db import Database
from storage.models_alerts import DEAD, DELIVERED, PENDING, Delivery, Event, Subscriber
from storage.subscribers import SubscriberSpec, add_subscriber, new_webhook_secret
from storage.types import utcnow


class BlackHole:
    """A host that accepts connections and never answers: the worst receiver there is."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.connections: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook/{name}"

    def close(self) -> None:
        self.running = False
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


def add(db: Database, name: str, **spec: Any) -> None:
    with db.session() as session, session.begin():
        add_subscriber(session, SubscriberSpec(name, **spec))


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/",
    "http://10.0.0.8/hook", "http://192.168.1.20/hook", "http://172.16.0.1/hook", "http://localhost:8080/hook",
    "http://127.0.0.1/hook", "http://[::1]/hook", "http://0x7f000001/hook", "http://2130706433/hook",
    "http://017700000001/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "http://100.64.1.1/hook",
])
def test_webhook_targets_on_private_or_metadata_hosts_are_refused(cli: Any, url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_ALLOW_PRIVATE_TARGETS", "0")
    result = cli("subscribers", "add", "x", "--webhook", url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "non-public address" in result.stderr or "metadata service" in result.stderr


def test_apprise_http_targets_are_checked_too(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_ALLOW_PRIVATE_TARGETS", "0")
    result = cli("subscribers", "add", "x", "--apprise", "json://169.254.169.254/steal")
    assert result.returncode == 2 and "169.254.169.254" in result.stderr


def test_a_bad_port_is_refused_and_an_old_bad_row_breaks_nobody(
        cli: Any, env: Database, smtp: SmtpServer, receiver: WebhookReceiver) -> None:  # noqa: F811
    result = cli("subscribers", "add", "x", "--webhook", "http://127.0.0.1:99999/x")
    assert result.returncode == 2 and "invalid port" in result.stderr and "Traceback" not in result.stderr
    # a row stored before targets were checked
    subscribe(env, receiver, "good")
    with env.session() as session, session.begin():
        session.add(Subscriber(name="legacy", webhook_url="http://127.0.0.1:99999/x",
                               webhook_secret=new_webhook_secret(), origin="cli"))
    store(env)
    assert cli("subscribers", "list").returncode == 0
    report = Dispatcher(env, get_alert_settings()).run_once()
    assert len(receiver.ok("good")) == 1 and len(report.dead) == 1  # the bad row is a dead letter at once
    listing = cli("deliveries")
    assert listing.returncode == 0 and "Traceback" not in listing.stderr


def test_a_target_that_became_private_is_refused_at_send_time(
        env: Database, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    store(env)
    monkeypatch.setenv("CBECWATCH_ALLOW_PRIVATE_TARGETS", "0")
    get_alert_settings.cache_clear()
    Dispatcher(env, get_alert_settings()).run_once()
    with env.session() as session:
        hook = session.scalars(select(Delivery).where(Delivery.channel == "webhook")).one()
        assert hook.status == DEAD and hook.attempts == 1 and "non-public address" in hook.last_error
    assert receiver.ok("ops") == []


def test_permanent_answers_are_dead_at_once_and_tell_the_admins(
        env: Database, smtp: SmtpServer, receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    add(env, "admin", email="admin@example.com", admin=True, kinds=["delivery_dead"])
    receiver.status = 410
    store(env)
    dispatcher = Dispatcher(env, get_alert_settings())
    dispatcher.run_once()
    with env.session() as session:
        hook = session.scalars(select(Delivery).where(Delivery.channel == "webhook")).one()
        assert hook.status == DEAD and hook.attempts == 1 and hook.last_status == 410
        [event] = session.scalars(select(Event).where(Event.kind == "delivery_dead")).all()
        assert event.admin and event.data["subscriber"] == "ops" and "HTTP 410" in event.data["error"]
    dispatcher.run_once()
    assert wait_for(lambda: len(smtp.to("admin@example.com")) == 1, timeout=10)


def test_retry_after_is_honoured(env: Database, receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    receiver.status = 503
    receiver.extra_headers = {"Retry-After": "120"}
    store(env)
    before = utcnow()
    Dispatcher(env, get_alert_settings()).run_once()
    with env.session() as session:
        hook = session.scalars(select(Delivery).where(Delivery.channel == "webhook")).one()
        assert hook.status == PENDING and hook.next_attempt_at >= before + dt.timedelta(seconds=119)


def test_a_dead_host_holds_no_other_delivery_back_and_its_breaker_opens(
        env: Database, smtp: SmtpServer, black_hole: BlackHole, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("CBECWATCH_WEBHOOK_TIMEOUT", "30")
    monkeypatch.setenv("CBECWATCH_PER_HOST_SENDS", "3")
    get_alert_settings.cache_clear()
    for name in ("a", "b", "c"):
        add(env, name, webhook_url=black_hole.url(name), webhook_secret=new_webhook_secret())
    add(env, "mail", email="mail@example.com")
    store(env)
    dispatcher = Dispatcher(env, get_alert_settings())
    passing = threading.Thread(target=dispatcher.run_once, daemon=True)
    passing.start()
    # the email goes out while all three webhooks still hang on the dead host
    assert wait_for(lambda: len(smtp.to("mail@example.com")) == 1, timeout=20)
    assert wait_for(lambda: len(black_hole.connections) == 3, timeout=20)
    assert passing.is_alive()  # the pass still waits on the dead host, and the email was not held back
    with env.session() as session:
        mail = session.scalars(select(Delivery).where(Delivery.channel == "email")).one()
        assert mail.status == DELIVERED
    black_hole.close()  # the hung sends fail now: three failures without an answer open the breaker
    passing.join(timeout=40)
    assert not passing.is_alive()
    store(env, url="https://www.gov.cn/zhengce/content/2022-11/24/content_2.htm")
    with env.session() as session, session.begin():  # make the first three due again at once
        for row in session.scalars(select(Delivery).where(Delivery.status == PENDING)):
            row.next_attempt_at = utcnow()
    report = dispatcher.run_once()
    assert len(report.deferred) >= 3 and not report.retrying  # no attempt spent on a host known dead
    assert "did not answer 3 times in a row" in (statuses_errors(env) or "")


def statuses_errors(db: Database) -> str:
    with db.session() as session:
        hooks = session.scalars(select(Delivery).where(Delivery.channel == "webhook"))
        return " | ".join(d.last_error or "" for d in hooks)


def test_a_paused_subscriber_holds_its_messages_until_resumed(
        cli: Any, env: Database, receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    paused = cli("subscribers", "pause", "ops")
    assert paused.returncode == 0 and "paused subscriber ops" in paused.stdout
    assert "PAUSED" in cli("subscribers", "list").stdout
    with env.session() as session, session.begin():
        session.scalars(select(Subscriber)).one().active = True  # the message is queued while active …
    store(env)
    assert cli("subscribers", "pause", "ops").returncode == 0  # … and held once paused
    Dispatcher(env, get_alert_settings()).run_once()
    assert receiver.ok("ops") == [] and statuses(env) == [PENDING, PENDING]
    resumed = cli("subscribers", "resume", "ops")
    assert resumed.returncode == 0 and "2 message(s) waiting" in resumed.stdout
    Dispatcher(env, get_alert_settings()).run_once()
    assert len(receiver.ok("ops")) == 1
    assert cli("subscribers", "pause", "nobody").returncode == 2


def stored_secret(db: Database, name: str) -> str:
    with db.session() as session:
        return session.scalars(select(Subscriber).where(Subscriber.name == name)).one().webhook_secret or ""


def test_webhook_secrets_are_sealed_at_rest_and_env_secrets_never_stored(
        cli: Any, env: Database, receiver: WebhookReceiver, tmp_path: Any,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.secrets import new_key

    monkeypatch.setenv("CBECWATCH_SECRET_KEY", new_key())
    secret = new_webhook_secret()
    receiver.secrets["sealed"] = secret
    assert cli("subscribers", "add", "sealed", "--webhook", receiver.url("sealed"), "--secret", secret).returncode == 0
    assert stored_secret(env, "sealed").startswith("fernet:") and secret not in stored_secret(env, "sealed")

    from_env = new_webhook_secret()
    receiver.secrets["fromenv"] = from_env
    monkeypatch.setenv("HOOK_SECRET", from_env)
    path = tmp_path / "subscribers.toml"
    path.write_text(f'[[subscriber]]\nname = "fromenv"\nwebhook_url = "{receiver.url("fromenv")}"\n'
                    'webhook_secret_env = "HOOK_SECRET"\n', "utf-8")
    assert cli("subscribers", "load", str(path)).returncode == 0
    assert stored_secret(env, "fromenv") == "env:HOOK_SECRET"

    store(env)
    Dispatcher(env, get_alert_settings()).run_once()
    assert len(receiver.ok("sealed")) == 1 and len(receiver.ok("fromenv")) == 1  # both signatures verified

    monkeypatch.setenv("CBECWATCH_SECRET_KEY", new_key())  # the wrong key: a clear reason, not a crash
    tested = cli("subscribers", "test", "sealed")
    assert tested.returncode == 1 and "sealed with another CBECWATCH_SECRET_KEY" in tested.stdout


def test_a_secret_rotation_signs_with_both_until_finished(
        cli: Any, env: Database, receiver: WebhookReceiver) -> None:  # noqa: F811
    old = subscribe(env, receiver, "ops")
    # Standard Webhooks carries one signature per secret; the GitHub-style header has room for one
    # (the newest), so a receiver checking it switches at once.
    receiver.check_github = False
    rotated = cli("subscribers", "rotate", "ops")
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip().rsplit(" ", 1)[-1]
    assert new.startswith("whsec_") and new != old
    for secret in (old, new):  # a receiver on either secret accepts the message during the changeover
        receiver.secrets["ops"] = secret
        assert cli("subscribers", "test", "ops").returncode == 0
    assert cli("subscribers", "rotate", "ops", "--finish").returncode == 0
    receiver.secrets["ops"] = old
    assert cli("subscribers", "test", "ops").returncode == 1  # the old secret no longer signs
    receiver.secrets["ops"] = new
    assert cli("subscribers", "test", "ops").returncode == 0
