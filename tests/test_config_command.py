"""``cbecwatch config`` shows every setting in force and where it came from, with secrets masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def test_config_names_each_settings_source_and_masks_secrets(cli: Any, app_home: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "cbecwatch.toml").write_text('retry_backoff = 9\n[schedules]\ngovcn = "cron:30 7 * * 1-5"\n', "utf-8")
    monkeypatch.setenv("CBECWATCH_SMTP_URL", "smtp+starttls://alerts%40example.com:hunter2@smtp.example.com:587")
    monkeypatch.setenv("CBECWATCH_SECRET_KEY", "c2VjcmV0LWtleS1ub3QtcHJpbnRlZC0xMjM0NTY3ODk=")
    monkeypatch.setenv("CBECWATCH_WEB_TOKEN", "web-token-not-printed")
    result = cli("config", "--json")
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout and "c2VjcmV0" not in result.stdout
    assert "web-token-not-printed" not in result.stdout
    rows = {row["variable"]: row for row in json.loads(result.stdout)}
    assert rows["CBECWATCH_RETRY_BACKOFF"] == {"variable": "CBECWATCH_RETRY_BACKOFF", "key": "retry_backoff",
                                               "value": 9.0, "source": "file"}
    assert rows["CBECWATCH_DOWNLOAD_DELAY"]["source"] == "environment"  # the app_home fixture sets it
    assert rows["CBECWATCH_MAX_LIST_PAGES"] == {"variable": "CBECWATCH_MAX_LIST_PAGES", "key": "max_list_pages",
                                                "value": 3, "source": "default"}
    assert rows["CBECWATCH_SCHEDULE_<SOURCE>"]["value"] == {"govcn": "cron:30 7 * * 1-5"}
    assert rows["CBECWATCH_SMTP_URL"]["value"] == "smtp+starttls://alerts%40example.com:***@smtp.example.com:587"
    assert rows["CBECWATCH_SECRET_KEY"] == {"variable": "CBECWATCH_SECRET_KEY", "key": None, "value": "***",
                                            "source": "environment"}
    text = cli("config")
    assert text.returncode == 0 and str(app_home / "cbecwatch.toml") in text.stdout.splitlines()[0]
    assert any(line.split()[:3] == ["CBECWATCH_RETRY_BACKOFF", "file", "9.0"] for line in text.stdout.splitlines())
    assert "hunter2" not in text.stdout
