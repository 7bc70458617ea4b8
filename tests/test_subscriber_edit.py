"""``subscribers edit`` changes a subscriber in place, checked like ``add``; ``subscribers remove`` keeps
what the subscriber was already owed (sent or dead-lettered) unless ``--drop-pending``."""

from __future__ import annotations

import json

import pytest
from alert_peers import SmtpServer, WebhookReceiver, receiver, smtp  # noqa: F401
from test_dispatch import env, statuses, store, subscribe  # noqa: F401

from cbecwatch.config import get_alert_settings
from scheduler.dispatch import Dispatcher
from storage.db import Database
from storage.models_alerts import DELIVERED


def listed(cli) -> dict[str, dict]:
    result = cli("subscribers", "list", "--json")
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_a_removed_subscriber_still_gets_what_it_was_owed_and_nothing_new(
        env: Database, smtp: SmtpServer, receiver: WebhookReceiver, cli) -> None:  # noqa: F811
    subscribe(env, receiver, "leaving")
    store(env)  # one email and one webhook wait in the outbox
    removed = cli("subscribers", "remove", "leaving")
    assert removed.returncode == 0, removed.stderr
    assert "its 2 waiting message(s) will still be sent" in removed.stdout
    assert "leaving" not in listed(cli)
    report = Dispatcher(env, get_alert_settings()).run_once()
    assert len(report.sent) == 2 and statuses(env) == [DELIVERED, DELIVERED]
    assert len(smtp.to("leaving@example.com")) == 1 and len(receiver.received) == 1
    store(env, title="国务院关于同意在鄂尔多斯等29个城市设立跨境电子商务综合试验区的批复",
          url="https://www.gov.cn/zhengce/content/2022-02/08/content_2.htm")
    assert statuses(env) == [DELIVERED, DELIVERED]  # no alert is made for a removed subscriber
    again = cli("subscribers", "add", "leaving", "--email", "back@example.com")  # the name is free again
    assert again.returncode == 0, again.stderr
    assert cli("subscribers", "remove", "leaving").stdout.strip() == "removed subscriber leaving"


def test_edit_changes_only_the_fields_given_and_keeps_the_webhook_secret(
        env: Database, smtp: SmtpServer, receiver: WebhookReceiver, cli) -> None:  # noqa: F811
    subscribe(env, receiver, "ops")  # the receiver verifies signatures with this secret
    edited = cli("subscribers", "edit", "ops", "--province", "浙江", "--digest", "9", "--admin", "--lang", "both")
    assert edited.returncode == 0, edited.stderr
    assert "webhook secret" not in edited.stdout  # the webhook did not change: its secret stays
    row = listed(cli)["ops"]
    assert (row["provinces"], row["mode"], row["digest_hour"], row["admin"], row["lang"]) == (
        ["浙江"], "digest", 9, True, "both")
    assert row["email"] == "ops@example.com" and row["webhook"]
    assert cli("subscribers", "edit", "ops", "--instant", "--no-admin", "--no-email").returncode == 0
    row = listed(cli)["ops"]
    assert (row["mode"], row["admin"], row["email"], row["provinces"]) == ("instant", False, None, ["浙江"])
    store(env, title="浙江省人民政府关于杭州市跨境电子商务综合试验区的通知",
          url="https://www.gov.cn/zhengce/content/2016-01/15/content_3.htm", text="浙江省杭州市。")
    report = Dispatcher(env, get_alert_settings()).run_once()
    assert len(report.sent) == 1  # the webhook alone: the email channel is gone
    [hook] = receiver.received
    assert hook.verified, "signed with the secret the subscriber had before the edit"


@pytest.mark.parametrize(("flags", "says"), [
    (("--webhook", "http://127.0.0.1:99999/x"), "port"),
    (("--email", "not-an-address"), "is not an email address"),
    (("--province", "江"), "unknown province '江'"),
    (("--kind", "everything"), "unknown event kind everything"),
    (("--no-email",), "give at least one channel"),
    ((), "nothing to change"),
])
def test_edit_refuses_what_add_refuses_in_one_line(env: Database, cli, flags: tuple[str, ...],  # noqa: F811
                                                   says: str) -> None:
    assert cli("subscribers", "add", "solo", "--email", "solo@example.com").returncode == 0
    result = cli("subscribers", "edit", "solo", *flags)
    assert result.returncode == 2 and says in result.stderr, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert listed(cli)["solo"]["email"] == "solo@example.com"  # nothing changed


def test_edit_applies_the_ssrf_guard(env: Database, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    assert cli("subscribers", "add", "solo", "--email", "solo@example.com").returncode == 0
    monkeypatch.setenv("CBECWATCH_ALLOW_PRIVATE_TARGETS", "0")
    result = cli("subscribers", "edit", "solo", "--webhook", "http://169.254.169.254/latest/meta-data")
    assert result.returncode == 2 and "subscriber 'solo'" in result.stderr, result.stderr
    assert cli("subscribers", "edit", "nobody", "--admin").returncode == 2
