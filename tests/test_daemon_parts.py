"""The daemon's pieces without the long run: the single-daemon lock on both databases, triggers,
configuration errors, and ``daemon --once`` for cron users."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from alert_peers import SmtpServer, WebhookReceiver, receiver, smtp  # noqa: F401
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cbecwatch.config import ConfigError, get_alert_settings, load_alert_settings
from crawler.mirror.server import MirrorServer
from scheduler.daemon import CHINA, crontab_weekdays, trigger_for
from scheduler.lock import AlreadyRunning, DaemonLock
from storage.db import open_database
from storage.subscribers import new_webhook_secret


def test_a_second_daemon_lock_on_the_same_database_is_refused(database_url: str) -> None:
    first, second = open_database(database_url), open_database(database_url)
    try:
        with DaemonLock(first), pytest.raises(AlreadyRunning, match="another cbecwatch daemon is already running"):
            DaemonLock(second).acquire()
        with DaemonLock(second):  # released: the next one may start
            pass
    finally:
        first.dispose()
        second.dispose()


def test_schedules_are_interval_or_cron_in_shanghai_time(monkeypatch: pytest.MonkeyPatch) -> None:
    interval = trigger_for("interval:90", jitter=10)
    assert isinstance(interval, IntervalTrigger) and interval.interval == dt.timedelta(seconds=90)
    cron = trigger_for("cron:30 7 * * 1-5", jitter=0)
    assert isinstance(cron, CronTrigger) and str(cron.timezone) == "Asia/Shanghai"
    monday = dt.datetime(2026, 11, 23, 0, 0, tzinfo=CHINA)
    assert cron.get_next_fire_time(None, monday) == dt.datetime(2026, 11, 23, 7, 30, tzinfo=CHINA)
    friday_night = dt.datetime(2026, 11, 27, 8, 0, tzinfo=CHINA)
    assert cron.get_next_fire_time(None, friday_night) == dt.datetime(2026, 11, 30, 7, 30, tzinfo=CHINA)
    assert [crontab_weekdays(f) for f in ("*", "0", "7", "1-5", "0-2", "6,0", "*/2")] == [
        "*", "sun", "sun", "mon-fri", "sun,mon-tue", "sat,sun", "*/2"]
    monkeypatch.setenv("CBECWATCH_SCHEDULE_GOVCN", "cron:0 */2 * * *")
    assert load_alert_settings().schedule_for("govcn") == "cron:0 */2 * * *"
    monkeypatch.setenv("CBECWATCH_SCHEDULE_MOFCOM", "hourly")
    with pytest.raises(ConfigError, match="CBECWATCH_SCHEDULE_MOFCOM must be interval:SECONDS or cron"):
        load_alert_settings()


def test_daemon_once_crawls_dispatches_and_exits(cli, app_home: Path, mirror: MirrorServer,
                                                 smtp: SmtpServer, receiver: WebhookReceiver,  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_SMTP_URL", smtp.url)
    monkeypatch.setenv("CBECWATCH_SILENT_FIRST_RUN", "0")
    get_alert_settings.cache_clear()
    secret = new_webhook_secret()
    receiver.secrets["ops"] = secret
    added = cli("subscribers", "add", "ops", "--email", "ops@example.com", "--webhook", receiver.url("ops"),
                "--secret", secret, "--kind", "notice_new")
    assert added.returncode == 0, added.stderr
    tested = cli("subscribers", "test", "ops")
    assert tested.returncode == 0 and tested.stdout.count(": sent") == 2, tested.stdout
    assert receiver.ok("ops")[0].payload["type"] == "cbecwatch.test"

    once = cli("daemon", "--once", "--source", "govcn", "--mirror", mirror.url, timeout=120)
    assert once.returncode == 0, once.stderr
    assert "crawl govcn: done" in once.stderr and "dispatch: 6 sent" in once.stderr
    assert len(receiver.ok("ops")) == 4 and len(smtp.to("ops@example.com")) == 4  # test + 3 notices
    events = json.loads(cli("events", "--json").stdout)
    # with the extractor's facts the batches also give pilot_places, and 2018-49 a figure change
    assert sorted(e["kind"] for e in events).count("notice_new") == 3
    assert {e["kind"] for e in events} <= {"notice_new", "pilot_places", "figure_changed"}
    again = cli("daemon", "--once", "--source", "govcn", "--mirror", mirror.url, timeout=120)
    assert again.returncode == 0 and "dispatch:" not in again.stderr  # nothing new: nothing sent
