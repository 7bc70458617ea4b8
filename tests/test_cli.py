"""The command line: help, errors as one line, database commands, empty listings."""

from __future__ import annotations

import json
import subprocess
import sys


def test_help_lists_the_commands_without_loading_heavy_modules() -> None:
    code = ("import sys; from cbecwatch.cli import build_parser; build_parser().format_help(); "
            "print(sorted(m for m in ('scrapy', 'sqlalchemy', 'jieba', 'twisted') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]"
    helped = subprocess.run([sys.executable, "-m", "cbecwatch", "--help"], capture_output=True, text=True, timeout=60)
    for command in ("crawl", "notices", "show", "sources", "mirror", "db", "demo"):
        assert command in helped.stdout


def test_db_upgrade_and_current(cli) -> None:
    upgraded = cli("db", "upgrade")
    assert upgraded.returncode == 0 and "is at revision" in upgraded.stdout
    current = cli("db", "current")
    assert current.returncode == 0 and "(newest: " in current.stdout


def test_empty_database_lists_nothing_and_show_names_the_missing_id(cli) -> None:
    assert json.loads(cli("notices", "--json").stdout) == []
    assert "no notices stored yet" in cli("notices").stdout
    missing = cli("show", "42")
    assert missing.returncode == 2 and missing.stderr.strip() == "cbecwatch: no notice with id 42"


def test_bad_database_url_is_one_line(cli, monkeypatch) -> None:
    monkeypatch.setenv("CBECWATCH_DATABASE_URL", "nosuchdb://x")
    result = cli("notices")
    assert result.returncode == 2
    assert result.stderr.startswith("cbecwatch: cannot open database nosuchdb://x")
    assert "Traceback" not in result.stderr


def test_bad_setting_is_named(cli, monkeypatch) -> None:
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_DELAY", "soon")
    result = cli("crawl", "--source", "govcn")
    assert result.returncode == 2
    assert "CBECWATCH_DOWNLOAD_DELAY must be a number" in result.stderr


def test_extract_prints_one_json_object_with_the_public_keys(cli, tmp_path) -> None:
    from pathlib import Path

    source = Path(__file__).parent / "extraction" / "data" / "tax-2018-49.txt"
    result = cli("extract", str(source), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"title", "doc_number", "agencies", "issue_date", "publish_date", "effective_date", "kind", "cities",
            "figures", "customs_codes", "relevant"} <= set(data)
    assert (data["doc_number"], data["effective_date"], data["kind"]) == (
        "财关税〔2018〕49号", "2019-01-01", "tax_policy")
    assert {"name": "single_limit_yuan", "value": 5000, "unit": "yuan"} in data["figures"]

    missing = cli("extract", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
