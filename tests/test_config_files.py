"""The subscribers and sources files are checked against their models: wrong types and unknown keys are
one line naming the file, the table and the key — never read as something else."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from appconfig.files import SourceEntry, SubscriberEntry
from crawler.declared import SOURCE_KEYS, TEMPLATE_KEYS
from storage.subscribers import SubscriberError, SubscriberSpec, specs_from_toml

GOOD = '[[subscriber]]\nname = "zhejiang"\nemail = "ops@example.com"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "subscribers.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(("extra", "says"), [
    ('provinces = "浙江"\n',
     "subscriber 'zhejiang': provinces must be a list, e.g. provinces = [\"浙江\"], got '浙江'"),
    ('admin = "false"\n', "subscriber 'zhejiang': admin must be true or false (a TOML boolean, without quotes)"),
    ("digest_hour = 25\n", "subscriber 'zhejiang': digest_hour must be 23 or less, got 25"),
    ('digest_hour = "8"\n', "subscriber 'zhejiang': digest_hour must be a whole number, got '8'"),
    ("kinds = [1]\n", "subscriber 'zhejiang': kinds must be text, got 1"),
    ('provnces = ["浙江"]\n', "subscriber 'zhejiang': unknown key 'provnces' (did you mean 'provinces'?)"),
    ('mode = "weekly"\n', "subscriber 'zhejiang': mode must be instant or digest"),
])
def test_a_wrong_subscriber_value_is_one_line_naming_subscriber_and_key(tmp_path: Path, extra: str,
                                                                        says: str) -> None:
    path = write(tmp_path, GOOD + extra)
    with pytest.raises(SubscriberError) as error:
        specs_from_toml(path)
    message = str(error.value)
    assert message.startswith(str(path)) and says in message and "\n" not in message, message


def test_a_province_list_stays_whole_names(tmp_path: Path) -> None:
    [spec] = specs_from_toml(write(tmp_path, GOOD + 'provinces = ["浙江"]\nadmin = false\n'))
    assert spec.provinces == ["浙江"] and spec.admin is False


def test_a_file_without_subscriber_tables_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SubscriberError, match=r"subscriber must be \[\[subscriber\]\] tables"):
        specs_from_toml(write(tmp_path, '[subscriber]\nname = "x"\n'))
    with pytest.raises(SubscriberError, match="unknown key 'subscribers' \\(did you mean 'subscriber'\\?\\)"):
        specs_from_toml(write(tmp_path, '[[subscribers]]\nname = "x"\n'))


def test_the_models_know_exactly_the_keys_the_loaders_use() -> None:
    assert set(SubscriberEntry.model_fields) == {f.name for f in fields(SubscriberSpec)}
    assert set(SourceEntry.model_fields) == SOURCE_KEYS | TEMPLATE_KEYS


def test_loading_a_bad_subscribers_file_is_one_line_and_exit_2(cli, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + 'provinces = "浙江"\n')
    result = cli("subscribers", "load", str(path))
    assert result.returncode == 2 and "provinces must be a list" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert cli("subscribers", "list", "--json").stdout.strip() == "[]"  # nothing half-loaded
