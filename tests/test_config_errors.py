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
])
def test_a_bad_setting_is_one_line_naming_it(cli: Any, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                             says: str) -> None:
    monkeypatch.setenv(name, value)
    result = cli("sources")
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
