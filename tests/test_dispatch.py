"""The outbox dispatcher against real peers: aiosmtpd and a signature-checking HTTP receiver."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from alert_peers import SmtpServer, WebhookReceiver, payload_of, receiver, smtp, wait_for  # noqa: F401
from sqlalchemy import select

from cbecwatch.config import get_alert_settings, get_settings
from scheduler.dispatch import Dispatcher
from storage.db import Database, open_database
from storage.events import derive_events
from storage.models_alerts import DEAD, DELIVERED, PENDING, Delivery
from storage.notices import NoticeRecord, ensure_source, save_notice
from storage.outbox import enqueue
from storage.subscribers import SubscriberSpec, add_subscriber, new_webhook_secret
from storage.types import utcnow

EVIL_TITLE = '国务院关于<script>alert("x")</script>跨境电商的通知'


@pytest.fixture
def env(app_home: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer, database_url: str):  # noqa: F811
    monkeypatch.setenv("CBECWATCH_DATABASE_URL", database_url)  # SQLite, and PostgreSQL when available
    get_settings.cache_clear()
    monkeypatch.setenv("CBECWATCH_SMTP_URL", smtp.url)
    monkeypatch.setenv("CBECWATCH_RETRY_BASE", "0.2")
    monkeypatch.setenv("CBECWATCH_RETRY_MAX", "0.5")
    monkeypatch.setenv("CBECWATCH_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("CBECWATCH_DISPATCH_LEASE", "1")
    monkeypatch.setenv("CBECWATCH_SMTP_TIMEOUT", "3")
    monkeypatch.setenv("CBECWATCH_WEBHOOK_TIMEOUT", "3")
    get_alert_settings.cache_clear()
    db = open_database(get_settings().database_url)
    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院").last_success_at = utcnow()
    yield db
    db.dispose()
    get_alert_settings.cache_clear()


def subscribe(db: Database, hooks: WebhookReceiver, name: str, **filters: object) -> str:
    secret = new_webhook_secret()
    hooks.secrets[name] = secret
    with db.session() as session, session.begin():
        add_subscriber(session, SubscriberSpec(name, email=f"{name}@example.com", webhook_url=hooks.url(name),
                                               webhook_secret=secret, **filters))  # type: ignore[arg-type]
    return secret


BATCH7 = "国务院关于同意在廊坊等33个城市和地区设立跨境电子商务综合试验区的批复"


def store(db: Database, title: str = BATCH7,
          url: str = "https://www.gov.cn/zhengce/content/2022-11/24/content_1.htm",
          text: str = "一、同意设立。") -> None:
    record = NoticeRecord(source="govcn", url=url, title=title, text=text, doc_number="国函〔2022〕126号")
    with db.session() as session, session.begin():
        enqueue(session, derive_events(session, save_notice(session, record), record), record.text)


def statuses(db: Database) -> list[str]:
    with db.session() as session:
        return [d.status for d in session.scalars(select(Delivery).order_by(Delivery.id))]


def test_email_is_multipart_chinese_and_escapes_scraped_html(env: Database, smtp: SmtpServer,  # noqa: F811
                                                             receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    store(env, title=EVIL_TITLE, url="https://www.gov.cn/zhengce/content/x.htm?a=1&b=<2>")
    report = Dispatcher(env, get_alert_settings()).run_once()
    assert len(report.sent) == 2
    [mail] = smtp.to("ops@example.com")
    assert mail["Subject"].startswith("[cbecwatch] 新文件：国务院关于<script>")  # decoded from RFC 2047
    assert "=?utf-8?" in mail.as_string().lower()  # …and it was encoded on the wire
    parts = payload_of(mail)
    assert set(parts) == {"text/plain", "text/html"}
    assert "<script>" not in parts["text/html"] and "&lt;script&gt;" in parts["text/html"]
    assert 'href="https://www.gov.cn/zhengce/content/x.htm?a=1&amp;b=&lt;2&gt;"' in parts["text/html"]
    assert "国函〔2022〕126号" in parts["text/plain"] and "cbecwatch show" in parts["text/plain"]
    with env.session() as session:
        key = session.scalar(select(Delivery.key).where(Delivery.channel == "email"))
    assert mail["Message-ID"] == f"<{key}@cbecwatch>"  # the idempotency key, the same on every retry


def test_a_javascript_url_is_never_a_link(env: Database, smtp: SmtpServer,  # noqa: F811
                                          receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    store(env, url="javascript:alert(1)")
    Dispatcher(env, get_alert_settings()).run_once()
    html = payload_of(smtp.to("ops@example.com")[0])["text/html"]
    assert 'href="javascript' not in html


def test_webhook_carries_both_signatures_and_the_versioned_payload(env: Database, smtp: SmtpServer,  # noqa: F811
                                                                   receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    subscribe(env, receiver, "other", keywords=["不会出现的词"])
    store(env)
    Dispatcher(env, get_alert_settings()).run_once()
    [hook] = receiver.ok("ops")
    assert hook.verified and not receiver.unverified() and receiver.ok("other") == []
    payload = hook.payload
    assert (payload["type"], payload["version"], payload["id"], payload["subscriber"]) == (
        "cbecwatch.instant", 1, hook.id, "ops")
    [event] = payload["events"]
    assert event["kind"] == "notice_new" and event["doc_number"] == "国函〔2022〕126号"
    assert event["notice"]["url"].startswith("https://www.gov.cn/") and "facts" in event["notice"]
    with env.session() as session:
        keys = {d.key for d in session.scalars(select(Delivery).where(Delivery.channel == "webhook"))}
    assert keys == {hook.id}


def test_smtp_down_and_webhook_500_are_retried_with_the_same_key_until_delivered(
        env: Database, smtp: SmtpServer, receiver: WebhookReceiver) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    smtp.stop()
    receiver.status = 500
    store(env)
    dispatcher = Dispatcher(env, get_alert_settings())
    dispatcher.run_once()
    assert statuses(env) == [PENDING, PENDING]
    with env.session() as session:
        errors = [d.last_error for d in session.scalars(select(Delivery).order_by(Delivery.id))]
    assert "ConnectionRefusedError" in errors[0] and "HTTP 500" in errors[1]
    smtp.start()
    receiver.status = 200
    assert wait_for(lambda: (dispatcher.run_once(), statuses(env))[1] == [DELIVERED, DELIVERED], timeout=10)
    ids = {r.id for r in receiver.received}
    assert len(ids) == 1 and [r.status for r in receiver.received][-1] == 200 and len(receiver.received) >= 2
    assert len(smtp.to("ops@example.com")) == 1


def test_dead_letter_after_the_limit_and_retry_from_the_cli(env: Database, smtp: SmtpServer,  # noqa: F811
                                                           receiver: WebhookReceiver, cli) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")
    receiver.status = 503
    store(env)
    dispatcher = Dispatcher(env, get_alert_settings())
    assert wait_for(lambda: (dispatcher.run_once(), statuses(env))[1] == [DELIVERED, DEAD], timeout=10)
    failed = cli("deliveries", "--failed", "--json")
    [row] = json.loads(failed.stdout)
    assert row["status"] == DEAD and row["attempts"] == 3 and "HTTP 503" in row["last_error"]
    receiver.status = 200
    retried = cli("deliveries", "--retry", str(row["id"]))
    assert retried.returncode == 0, retried.stderr
    dispatcher.run_once()
    assert statuses(env) == [DELIVERED, DELIVERED]
    assert {r.id for r in receiver.received} == {row["key"]}
    assert cli("deliveries", "--retry", str(row["id"])).returncode == 2  # delivered: nothing to retry


def test_a_sender_that_dies_mid_send_leaves_the_delivery_to_go_again_under_its_key(
        env: Database, smtp: SmtpServer, receiver: WebhookReceiver) -> None:  # noqa: F811
    from storage.outbox import claim

    subscribe(env, receiver, "ops")
    store(env)
    dispatcher = Dispatcher(env, get_alert_settings())
    with env.session() as session, session.begin():  # "claimed, then the process died"
        assert claim(session, 2, utcnow(), dispatcher.policy)
    dispatcher.run_once()
    assert statuses(env) == [DELIVERED, PENDING]  # leased: not sent twice at once
    time.sleep(1.1)
    dispatcher.run_once()
    assert statuses(env) == [DELIVERED, DELIVERED] and len(receiver.ok("ops")) == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise imports imghdr
def test_apprise_channel_posts_to_a_local_json_endpoint(env: Database, smtp: SmtpServer,  # noqa: F811
                                                        receiver: WebhookReceiver) -> None:  # noqa: F811
    pytest.importorskip("apprise")
    port = receiver.httpd.server_address[1]
    with env.session() as session, session.begin():
        add_subscriber(session, SubscriberSpec("chat", apprise_urls=[f"json://127.0.0.1:{port}/plain/chat"]))
    store(env)
    Dispatcher(env, get_alert_settings()).run_once()
    assert statuses(env) == [DELIVERED]
    [post] = receiver.received
    assert "新文件" in json.loads(post.body)["title"]


def test_subscribers_from_a_toml_file(app_home: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", new_webhook_secret())
    config = tmp_path / "subscribers.toml"
    config.write_text("""
[[subscriber]]
name = "zhejiang"
email = "zj@example.com"
provinces = ["浙江省"]
kinds = ["pilot_places", "notice_new"]

[[subscriber]]
name = "ops"
webhook_url = "https://hooks.example.com/cbec?token=abc"
webhook_secret_env = "HOOK_SECRET"
admin = true
mode = "digest"
digest_hour = 7
""", encoding="utf-8")
    loaded = cli("subscribers", "load", str(config))
    assert loaded.returncode == 0 and "2 added" in loaded.stdout, loaded.stderr
    listed = json.loads(cli("subscribers", "list", "--json").stdout)
    assert [(r["name"], r["mode"], r["admin"]) for r in listed] == [("ops", "digest", True),
                                                                    ("zhejiang", "instant", False)]
    assert listed[0]["webhook"] == "https://hooks.example.com/cbec?…"  # the token is not shown
    config.write_text('[[subscriber]]\nname = "x"\nemial = "typo@example.com"\n', encoding="utf-8")
    refused = cli("subscribers", "load", str(config))
    assert refused.returncode == 2 and "unknown key 'emial' (did you mean 'email'?)" in refused.stderr
    removed = cli("subscribers", "remove", "zhejiang")
    assert removed.returncode == 0 and cli("subscribers", "remove", "zhejiang").returncode == 2


def test_removing_a_subscriber_with_drop_pending_says_how_many_undelivered_messages_go_with_it(
        env: Database, receiver: WebhookReceiver, cli) -> None:  # noqa: F811
    subscribe(env, receiver, "leaving")
    store(env)  # one email and one webhook wait in the outbox: no dispatcher has run
    removed = cli("subscribers", "remove", "leaving", "--drop-pending")
    assert removed.returncode == 0, removed.stderr
    assert "removed subscriber leaving; 2 undelivered message(s) dropped with it" in removed.stdout
    assert statuses(env) == []
