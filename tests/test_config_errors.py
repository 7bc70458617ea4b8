"""Bad settings are refused with one line naming the setting, never read as something else."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("name", "value", "says"), [
    ("CBECWATCH_OBEY_ROBOTS", "ture", "CBECWATCH_OBEY_ROBOTS must be true or false"),
    ("CBECWATCH_ALLOW_PRIVATE_TARGETS", "maybe", "CBECWATCH_ALLOW_PRIVATE_TARGETS must be true or false"),
    ("CBECWATCH_MAX_PAGE_BYTES", "0", "CBECWATCH_MAX_PAGE_BYTES must be a positive whole number"),
    ("CBECWATCH_QUIET_DAYS_CUSTOMS", "-3", "CBECWATCH_QUIET_DAYS_CUSTOMS must be a positive whole number"),
    ("CBECWATCH_SEND_WORKERS", "lots", "CBECWATCH_SEND_WORKERS must be a number"),
    ("CBECWATCH_LOG_RETENTION_DAYS", "-1", "CBECWATCH_LOG_RETENTION_DAYS must be 0 or a positive whole number"),
    ("CBECWATCH_CRAWL_BACKEND", "celery", "CBECWATCH_CRAWL_BACKEND must be local or scrapyd, got 'celery'"),
    ("CBECWATCH_SCRAPYD_URLS", "10.0.0.5:6800", "CBECWATCH_SCRAPYD_URLS: '10.0.0.5:6800' is not an http(s) URL"),
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


def test_the_scrapyd_backend_without_nodes_is_refused(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_CRAWL_BACKEND", "scrapyd")
    result = cli("sources")
    assert result.returncode == 2
    assert result.stderr.strip() == ("cbecwatch: CBECWATCH_CRAWL_BACKEND=scrapyd needs CBECWATCH_SCRAPYD_URLS "
                                     "(e.g. http://10.0.0.5:6800)")
