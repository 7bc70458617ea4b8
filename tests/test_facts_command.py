"""``cbecwatch facts``: rule figures over time, one row per figure and document, from real crawls."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from crawler.mirror.server import MirrorServer
from storage.facts import figure_history
from storage.notices import NoticeRecord, ensure_source, save_notice


def test_the_retail_import_limits_over_time_from_a_crawl_of_the_mirror(cli: Any, mirror: MirrorServer) -> None:
    assert cli("crawl", "--mirror", mirror.url, "--source", "mof_gss", "--source", "govcn").returncode == 0
    single = json.loads(cli("facts", "--name", "single_limit_yuan", "--json").stdout)
    assert [(r["date"], r["old"], r["new"], r["doc_number"]) for r in single] == [
        ("2016-03-24", None, "2000", "财关税〔2016〕18号"), ("2018-11-30", "2000", "5000", "财关税〔2018〕49号")]
    # 财关税〔2018〕49号 is one row, however many sources carry it
    assert sorted(single[1]["sources"]) == ["govcn", "mof_gss"] and single[1]["basis"] == "stated"
    annual = json.loads(cli("facts", "--name", "annual_limit_yuan", "--json").stdout)
    assert [(r["old"], r["new"]) for r in annual] == [(None, "20000"), ("20000", "26000")]

    text = cli("facts").stdout
    assert "single_limit_yuan (yuan)" in text and "2000 → 5000" in text and "20000 → 26000" in text
    assert "zones_added" not in text  # a per-document count, not a rule
    since = json.loads(cli("facts", "--name", "single_limit_yuan", "--since", "2017-01-01", "--json").stdout)
    assert [(r["old"], r["new"]) for r in since] == [("2000", "5000")]


def test_an_unknown_figure_name_is_a_one_line_error_listing_the_known_names(upgraded_cli: Any) -> None:
    cli = upgraded_cli
    result = cli("facts", "--name", "single_limit")
    assert result.returncode != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown figure 'single_limit'" in lines[0]
    assert "single_limit_yuan" in lines[0] and "annual_limit_yuan" in lines[0]
    assert cli("facts", "--name", "single_limit_yuan").returncode == 0  # known before anything is stored


def test_old_values_come_from_the_earlier_document_when_a_notice_does_not_state_them(db) -> None:
    def limit(url: str, source: str, number: str, day: dt.date, value: int) -> NoticeRecord:
        return NoticeRecord(source=source, url=url, title=f"关于调整限值的通知{number}",
                            text=f"单次交易限值为{value}元。", doc_number=number, publish_date=day, relevant=True,
                            extraction={"figures": [{"name": "single_limit_yuan", "value": value, "unit": "yuan"}]})

    with db.session() as session, session.begin():
        ensure_source(session, "mof_gss", "关税司")
        # SYNTHETIC: three documents; the second is carried by two sources, one of which read another value
        save_notice(session, limit("https://a/1", "govcn", "财关税〔2030〕1号", dt.date(2030, 1, 1), 5000))
        save_notice(session, limit("https://a/2", "govcn", "财关税〔2031〕2号", dt.date(2031, 1, 1), 6000))
        save_notice(session, limit("https://b/2", "mof_gss", "财关税(2031)2号", dt.date(2031, 1, 1), 6500))
        save_notice(session, limit("https://a/3", "govcn", "财关税〔2032〕3号", dt.date(2032, 1, 1), 6000))
    with db.session() as session:
        rows = figure_history(session, name="single_limit_yuan")
    assert [(r["old"], r["new"], r["basis"]) for r in rows] == [
        (None, "5000", None), ("5000", "6000", "earlier_document"), ("6000", "6000", "earlier_document")]
    assert rows[1]["sources"] == ["govcn", "mof_gss"] and rows[1]["disagreeing"] == {"mof_gss": "6500"}
