"""The command line: help, errors as one line, database commands, empty listings."""

from __future__ import annotations

import json
import subprocess
import sys


def test_help_lists_the_commands_without_loading_heavy_modules() -> None:
    code = ("import sys; from cbecwatch.cli import build_parser; build_parser().format_help(); "
            "print(sorted(m for m in ('scrapy', 'sqlalchemy', 'jieba', 'twisted', 'pydantic', 'pypinyin') "
            "if m in sys.modules))")
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


def test_empty_database_lists_nothing_and_show_names_the_missing_id(upgraded_cli) -> None:
    cli = upgraded_cli
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


def test_notices_filtered_by_city_province_and_kind(cli, app_home) -> None:
    import datetime as dt
    import os

    from storage.db import open_database
    from storage.notices import NoticeRecord, ensure_source, save_notice

    def place(name: str, province: str, adcode: str) -> dict[str, str]:
        return {"name": name, "province": province, "adcode": adcode}

    db = open_database(os.environ["CBECWATCH_DATABASE_URL"])
    with db.session() as session, session.begin():
        ensure_source(session, "govcn", "国务院")
        for number, kind, cities, day in (
                ("国函〔2016〕17号", "pilot_zone_batch", [place("天津市", "天津市", "120000"),
                                                         place("杭州市", "浙江省", "330100")], dt.date(2016, 1, 15)),
                ("浙政发〔2020〕1号", "other", [place("宁波市", "浙江省", "330200")], dt.date(2020, 5, 1)),
                ("财关税〔2018〕49号", "tax_policy", [], dt.date(2018, 11, 30))):
            save_notice(session, NoticeRecord(
                source="govcn", url=f"https://www.gov.cn/{number}.htm", title=f"标题 {number}", text=number,
                doc_number=number, kind=kind, publish_date=day,
                extraction={"cities": cities, "removed_cities": []}))
    db.dispose()

    def numbers(*args: str) -> list[str]:
        result = cli("notices", "--json", *args)
        assert result.returncode == 0, result.stderr
        return [n["doc_number"] for n in json.loads(result.stdout)]

    assert numbers("--city", "天津") == numbers("--city", "天津市") == ["国函〔2016〕17号"]
    assert numbers("--province", "浙江") == ["浙政发〔2020〕1号", "国函〔2016〕17号"]
    assert numbers("--kind", "tax_policy") == ["财关税〔2018〕49号"]
    assert numbers("--province", "浙江省", "--kind", "other") == ["浙政发〔2020〕1号"]
    printed = cli("notices", "--city", "杭州")
    assert printed.returncode == 0 and "国函〔2016〕17号" in printed.stdout and "浙政发" not in printed.stdout
    assert cli("notices", "--city", "乌鲁木齐").stdout.strip() == "no stored notice matches"

    unknown = cli("notices", "--kind", "pilot")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert unknown.stderr.strip() == (
        "cbecwatch: unknown kind 'pilot'; valid kinds: pilot_zone_batch, retail_import_pilot, positive_list, "
        "tax_policy, customs_announcement, other")
