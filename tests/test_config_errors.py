"""Bad settings are refused with one line naming the setting, never read as something else."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("name", "value", "says"), [
    ("CBECWATCH_OBEY_ROBOTS", "ture", "CBECWATCH_OBEY_ROBOTS must be true or false"),
    ("CBECWATCH_ALLOW_PRIVATE_TARGETS", "maybe", "CBECWATCH_ALLOW_PRIVATE_TARGETS must be true or false"),
    ("CBECWATCH_MAX_PAGE_BYTES", "0", "CBECWATCH_MAX_PAGE_BYTES must be a positive whole number"),
    ("CBECWATCH_QUIET_DAYS_CUSTOMS", "-3", "CBECWATCH_QUIET_DAYS_CUSTOMS must be a positive whole number"),
    ("CBECWATCH_SEND_WORKERS", "lots", "CBECWATCH_SEND_WORKERS must be a positive whole number"),
    ("CBECWATCH_LOG_RETENTION_DAYS", "-1", "CBECWATCH_LOG_RETENTION_DAYS must be 0 or more, got '-1'"),
    ("CBECWATCH_CRAWL_BACKEND", "celery",
     "CBECWATCH_CRAWL_BACKEND must be one of 'local' or 'scrapyd', got 'celery'"),
    ("CBECWATCH_SCRAPYD_URLS", "10.0.0.5:6800",
     "CBECWATCH_SCRAPYD_URLS must be http(s) URLs separated by commas ('10.0.0.5:6800' is not one)"),
])
def test_a_bad_setting_is_one_line_naming_it(cli: Any, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                             says: str) -> None:
    monkeypatch.setenv(name, value)
    result = cli("sources")
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_data_directory_database_and_logs_are_the_owners_alone(cli: Any, app_home: Any, mirror: Any) -> None:
    import stat

    app_home.mkdir(exist_ok=True)
    app_home.chmod(0o755)  # as an older version left it
    result = cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    assert result.returncode == 0, result.stderr
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(app_home) == 0o700
    assert mode(app_home / "cbecwatch.sqlite3") == 0o600
    logs = list((app_home / "logs").glob("crawl-*.log"))
    assert logs and all(mode(log) == 0o600 for log in logs)


def test_printed_database_urls_never_show_the_password() -> None:
    from cbecwatch.config import mask_password

    assert mask_password("postgresql+psycopg://cbec:s3cr%40t@db:5432/cbec") == "postgresql+psycopg://cbec:***@db:5432/cbec"
    assert mask_password("postgresql://db/cbec") == "postgresql://db/cbec"
    assert mask_password("sqlite:////home/u/cbecwatch.sqlite3") == "sqlite:////home/u/cbecwatch.sqlite3"


def test_terminal_escapes_in_a_scraped_title_never_reach_the_terminal(cli: Any, app_home: Any) -> None:
    from storage.db import open_database
    from storage.notices import NoticeRecord, ensure_source, save_notice

    db = open_database(f"sqlite:///{app_home / 'cbecwatch.sqlite3'}")
    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
        save_notice(session, NoticeRecord(source="govcn", url="https://www.gov.cn/zhengce/content_9.htm",
                                          title="关于\x1b]0;pwned\x07跨境\x1b[2J电商的通知\x9b31m", text="正文。"))
    db.dispose()
    shown = cli("notices")
    assert shown.returncode == 0 and "关于" in shown.stdout
    assert not any(ch in shown.stdout for ch in "\x1b\x07\x9b"), repr(shown.stdout)
    assert cli("--version").stdout.startswith("cbecwatch ")


# Each bad input the issue lists (and a few more of each class) ends in one line and exit 2, never a traceback.
@pytest.mark.parametrize(("env", "args", "says"), [
    ({"CBECWATCH_OBEY_ROBOT": "1"}, ("sources",),
     "CBECWATCH_OBEY_ROBOT is not a setting (did you mean CBECWATCH_OBEY_ROBOTS?)"),
    ({"CBECWATCH_DATABASE_URL": "notaurl"}, ("notices",), "CBECWATCH_DATABASE_URL must be a database URL"),
    ({"CBECWATCH_DATABASE_URL": "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/none"}, ("notices",),
     "cannot open database postgresql+psycopg://postgres:***@127.0.0.1:1/none: (psycopg.OperationalError) "
     "connection failed"),
    ({"CBECWATCH_CRAWL_SCHEDULE": "cron:99 * * * *"}, ("sources",),
     "CBECWATCH_CRAWL_SCHEDULE must be interval:SECONDS"),
    ({"CBECWATCH_SCHEDULE_GOVCN": "hourly"}, ("sources",), "CBECWATCH_SCHEDULE_GOVCN must be interval:SECONDS"),
    ({"CBECWATCH_SCHEDULE_GOVCN": "interval:-5"}, ("sources",), "an interval is a positive number of seconds"),
    ({"CBECWATCH_SCHEDULE_GOVCN": "cron:1 2 3"}, ("sources",), "a cron schedule has five fields"),
    ({"CBECWATCH_SMTP_URL": "http://mail.example.com"}, ("sources",), "CBECWATCH_SMTP_URL must be smtp://"),
    ({"CBECWATCH_DOWNLOAD_DELAY": "-1"}, ("sources",), "CBECWATCH_DOWNLOAD_DELAY must be 0 or more, got '-1'"),
    ({"CBECWATCH_DOWNLOAD_TIMEOUT": "inf"}, ("sources",), "CBECWATCH_DOWNLOAD_TIMEOUT must be a number"),
    ({"CBECWATCH_RETRY_TIMES": "2.5"}, ("sources",), "CBECWATCH_RETRY_TIMES must be a whole number, got '2.5'"),
    ({"CBECWATCH_MAX_ATTEMPTS": "0"}, ("sources",), "CBECWATCH_MAX_ATTEMPTS must be a positive whole number"),
    ({"CBECWATCH_CONFIG_FILE": "/nonexistent/cbecwatch.toml"}, ("sources",), "CBECWATCH_CONFIG_FILE"),
    ({}, ("notices", "--limit", "-1"), "argument --limit: must be 1 or more, got -1"),
    ({}, ("deliveries", "--limit", "x"), "argument --limit: not a whole number: 'x'"),
    ({}, ("show", "notanumber"), "argument id: invalid int value"),
])
def test_a_bad_input_is_one_line_and_exit_2(cli: Any, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                            args: tuple[str, ...], says: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize(("toml", "says"), [
    ('retry_backoff = "fast"\n', "cbecwatch.toml: retry_backoff must be a number, got 'fast'"),
    ("obey_robot = true\n", "cbecwatch.toml: unknown key 'obey_robot' (did you mean 'obey_robots'?)"),
    ('obey_robots = "ture"\n', "cbecwatch.toml: obey_robots must be true or false"),
    ("retry_backoff = 5 x\n", "cbecwatch.toml: not valid TOML"),
    ('[schedules]\ngovcn = "cron:61 * * * *"\n', "cbecwatch.toml: schedules.govcn must be interval:SECONDS"),
    ("[quiet_days_by_source]\ncustoms = 0\n", "cbecwatch.toml: quiet_days_by_source.customs must be a positive"),
    ('quiet_days_by_source = "customs"\n', "cbecwatch.toml: quiet_days_by_source must be a table"),
])
def test_a_bad_value_in_the_settings_file_is_one_line_naming_its_key(cli: Any, app_home: Any, toml: str,
                                                                     says: str) -> None:
    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "cbecwatch.toml").write_text(toml, "utf-8")
    result = cli("sources")
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_home_that_cannot_be_a_directory_is_one_line(cli: Any, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Any) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CBECWATCH_HOME", str(blocker / "home"))
    monkeypatch.setenv("CBECWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = cli("daemon", "--once")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "CBECWATCH_HOME" in result.stderr and "cannot be used as the data directory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_environment_wins_over_the_file_and_the_file_over_the_defaults(app_home: Any,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from cbecwatch.config import load_alert_settings, load_settings

    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "cbecwatch.toml").write_text(
        'download_delay = 7\nretry_backoff = 9\nsend_workers = 3\n[schedules]\ngovcn = "cron:30 7 * * 1-5"\n'
        "[quiet_days_by_source]\ncustoms = 45\n", "utf-8")
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_DELAY", "1.5")
    monkeypatch.setenv("CBECWATCH_SCHEDULE_MOFCOM", "interval:600")
    settings, alerts = load_settings(), load_alert_settings()
    assert settings.download_delay == 1.5 and settings.retry_backoff == 9 and settings.delay_jitter == 0.5
    assert settings.quiet_days_by_source == {"customs": 45}
    assert alerts.send_workers == 3
    assert alerts.schedule_for("govcn") == "cron:30 7 * * 1-5" and alerts.schedule_for("mofcom") == "interval:600"
    assert alerts.schedule_for("customs") == "interval:3600"
def test_the_scrapyd_backend_without_nodes_is_refused(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_CRAWL_BACKEND", "scrapyd")
    result = cli("sources")
    assert result.returncode == 2
    assert result.stderr.strip() == ("cbecwatch: CBECWATCH_CRAWL_BACKEND=scrapyd needs CBECWATCH_SCRAPYD_URLS "
                                     "(e.g. http://10.0.0.5:6800)")
