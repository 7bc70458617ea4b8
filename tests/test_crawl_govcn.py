"""Real Scrapy crawls of the gov.cn source against the mirror, through the CLI as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from crawler.mirror.server import MirrorServer

REPO = Path(__file__).resolve().parent.parent


def add_notice(mirror_root: Path, **fields: str) -> None:
    path = mirror_root / "govcn" / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    notices.append(fields)
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")


def test_crawl_stores_every_notice_with_number_and_dates(cli, mirror: MirrorServer) -> None:
    result = cli("crawl", "--source", "govcn", "--mirror", mirror.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "govcn: ok — 3 notices (3 new" in result.stdout
    assert "Traceback" not in result.stderr

    listed = json.loads(cli("notices", "--json").stdout)
    by_number = {n["doc_number"]: n for n in listed}
    assert set(by_number) == {"国函〔2016〕17号", "国函〔2020〕47号", "财关税〔2018〕49号"}
    tax = by_number["财关税〔2018〕49号"]
    # the info table's 发布日期 (original publication), not the later gov.cn repost in the meta
    assert tax["publish_date"] == "2018-11-30" and tax["issue_date"] == "2018-11-29"
    assert tax["agencies"] == ["财政部", "海关总署", "国家税务总局"]  # canonical names
    assert (tax["kind"], tax["effective_date"], tax["relevant"]) == ("tax_policy", "2019-01-01", True)
    batch2 = by_number["国函〔2016〕17号"]
    assert batch2["url"] == "https://www.gov.cn/zhengce/content/2016-01/15/content_5033282.htm"
    assert (batch2["issue_date"], batch2["publish_date"]) == ("2016-01-12", "2016-01-15")

    assert (batch2["kind"], batch2["effective_date"]) == ("pilot_zone_batch", None)  # a 批复 states none

    shown = json.loads(cli("show", str(batch2["id"]), "--json").stdout)
    assert "同意在天津市、上海市" in shown["text"] and len(shown["versions"]) == 1
    cities = [f for f in shown["versions"][0]["facts"] if f["kind"] == "city"]
    assert len(cities) == 12 and cities[0] == {
        "kind": "city", "name": "天津市", "province": "天津市", "adcode": "120000", "value": None, "unit": None,
        "name_en": "Tianjin", "province_en": "Tianjin"}
    assert "杭州市" not in [c["name"] for c in cities]  # cited as the earlier model, not designated


def test_zones_registry_confirms_the_shipped_batches_with_the_crawled_replies(cli, mirror: MirrorServer) -> None:
    assert cli("crawl", "--source", "govcn", "--mirror", mirror.url).returncode == 0
    zones = json.loads(cli("zones", "--json", "--as-of", "2022-12-31").stdout)
    assert len(zones) == 165  # the shipped history; the crawl confirmed two of its batches
    tianjin = next(z for z in zones if z["name"] == "天津市")
    assert (tianjin["batch"], tianjin["doc_number"], tianjin["since"], tianjin["confirmed"]) == (
        2, "国函〔2016〕17号", "2016-01-12", True)
    xiongan = next(z for z in zones if z["name"] == "雄安新区")
    assert (xiongan["batch"], xiongan["province"], xiongan["confirmed"]) == (5, "河北省", True)
    assert {z["batch"] for z in zones if z["confirmed"]} == {2, 5}
    assert len(json.loads(cli("zones", "--json", "--as-of", "2019-12-31").stdout)) == 59
    batches = json.loads(cli("zones", "--batches", "--program", "cbec_zone", "--json").stdout)
    assert [(b["batch"], len(b["added"]), b["notice_id"] is not None) for b in batches][:5] == [
        (1, 1, False), (2, 12, True), (3, 22, False), (4, 24, False), (5, 46, True)]
    printed = cli("zones", "--batches").stdout
    assert "跨境电子商务综合试验区 batch 5 (国函〔2020〕47号, 2020-04-27): +46 雄安新区、大同市" in printed
    assert not [e for e in json.loads(cli("events", "--json").stdout) if e["kind"] == "registry_conflict"]

    reparsed = cli("reparse")
    assert reparsed.returncode == 0, reparsed.stderr
    # 181 zone rows (165 of 2022 + the 16 of 2025; the 3 it revokes keep their rows, ended) and the 40
    # shipped retail-import places
    assert "re-extracted 3 versions: 0 changed, 0 failed; registry has 221 places" in reparsed.stdout


def test_notices_of_a_city_or_province_come_from_the_crawled_places(cli, mirror: MirrorServer) -> None:
    assert cli("crawl", "--source", "govcn", "--mirror", mirror.url).returncode == 0

    def numbers(*args: str) -> list[str]:
        result = cli("notices", "--json", *args)
        assert result.returncode == 0, result.stderr
        return [n["doc_number"] for n in json.loads(result.stdout)]

    # 国函〔2016〕17号 approves 天津等12个城市; 杭州 is only cited there as the earlier model zone
    assert numbers("--city", "天津") == numbers("--city", "天津市") == ["国函〔2016〕17号"]
    assert numbers("--city", "雄安新区") == ["国函〔2020〕47号"]
    assert numbers("--city", "杭州") == []
    assert numbers("--province", "河北", "--kind", "pilot_zone_batch") == ["国函〔2020〕47号"]
    assert numbers("--city", "天津", "--kind", "tax_policy") == []
    assert cli("reparse").returncode == 0  # re-extraction rewrites the index to the same places
    assert numbers("--city", "天津") == ["国函〔2016〕17号"]

    # Scripts see the places each listed notice names; `show` prints them
    listed = json.loads(cli("notices", "--json", "--city", "天津").stdout)
    places = listed[0]["places"]
    assert len(places) == 12 and places[0] == {"name": "天津市", "province": "天津市", "adcode": "120000",
                                               "role": "designated", "name_en": "Tianjin", "province_en": "Tianjin"}
    assert "杭州市" not in [p["name"] for p in places]
    shown = cli("show", str(listed[0]["id"]))
    assert "designated places: 天津市 (天津市, 120000), 上海市 (上海市, 310000)" in shown.stdout
    assert json.loads(cli("show", str(listed[0]["id"]), "--json").stdout)["places"] == places


def test_second_crawl_finds_nothing_new_and_a_new_notice_is_found(cli, mirror: MirrorServer,
                                                                  mirror_root: Path) -> None:
    assert cli("crawl", "--source", "govcn", "--mirror", mirror.url).returncode == 0
    mirror.take_requests()
    again = cli("crawl", "--source", "govcn", "--mirror", mirror.url)
    assert "govcn: ok — 0 notices (0 new, 0 revised, 0 unchanged)" in again.stdout, again.stdout
    assert not [r for r in mirror.take_requests() if "content_" in r.path]  # no detail page refetched

    shutil.copy(mirror_root / "govcn" / "bodies" / "batch2-2016.txt", mirror_root / "govcn" / "bodies" / "new.txt")
    add_notice(mirror_root, id="5999999", library="gw", path="/zhengce/content/2026-11/23/content_5999999.htm",
               title="国务院关于同意在某地设立跨境电子商务综合试验区的批复", pcode="国函〔2026〕99号", puborg="国务院",
               issue_date="2026-11-20", publish_date="2026-11-23", firstpublished="2026-11-23-10:00:00",
               body="bodies/new.txt")
    third = cli("crawl", "--source", "govcn", "--mirror", mirror.url)
    assert "govcn: ok — 1 notices (1 new, 0 revised, 0 unchanged)" in third.stdout, third.stdout
    newest = json.loads(cli("notices", "--json", "--since", "2026-01-01").stdout)
    assert [n["doc_number"] for n in newest] == ["国函〔2026〕99号"]


def test_revised_body_makes_a_second_version(cli, mirror: MirrorServer, mirror_root: Path, monkeypatch) -> None:
    # revisit every stored notice at once (by default only recent ones, at most daily)
    monkeypatch.setenv("CBECWATCH_REVISIT_DAYS", "100000")
    monkeypatch.setenv("CBECWATCH_REVISIT_AFTER_HOURS", "0")
    assert cli("crawl", "--source", "govcn", "--mirror", mirror.url).returncode == 0
    body = mirror_root / "govcn" / "bodies" / "tax-2018-49.txt"
    body.write_text(body.read_text("utf-8").replace("26000元", "30000元"), "utf-8")
    result = cli("crawl", "--source", "govcn", "--mirror", mirror.url)
    # the two untouched notices answer 304 to the conditional revisit; the edited one is a revision
    assert "(0 new, 1 revised, 2 unchanged)" in result.stdout, result.stdout
    tax = next(n for n in json.loads(cli("notices", "--json").stdout) if n["doc_number"] == "财关税〔2018〕49号")
    versions = json.loads(cli("show", str(tax["id"]), "--json").stdout)["versions"]
    assert [v["number"] for v in versions] == [1, 2]


def test_unreachable_site_gives_one_clear_line_and_a_failure_status(cli, app_home: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port on 127.0.0.1 that nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = cli("crawl", "--mirror", closed)
    assert result.returncode == 1
    assert "govcn: failed" in result.stdout
    # whichever of the two hosts is tried first is named
    assert re.search(r"cannot reach (sousuo\.)?www\.gov\.cn: connection refused", result.stdout + result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    sources = json.loads(cli("sources", "--json").stdout)
    govcn = next(s for s in sources if s["name"] == "govcn")
    assert govcn["status"] == "failed" and "connection refused" in govcn["reason"]


def test_layout_drift_and_empty_answers_are_reported(cli, mirror: MirrorServer, mirror_root: Path) -> None:
    (mirror_root / "faults.json").write_text(json.dumps({
        "sousuo.www.gov.cn/search-gov/data": {"status": 200, "body": json.dumps({"code": 1001, "searchVO": {}}),
                                              "content_type": "application/json"},
        "www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json": {"status": 200, "body": "[]",
                                                         "content_type": "application/json"},
    }))
    result = cli("crawl", "--mirror", mirror.url)
    assert result.returncode == 1
    assert "govcn: empty" in result.stdout or "govcn: drift" in result.stdout, result.stdout


def test_unknown_source_is_a_clear_error(cli) -> None:
    result = cli("crawl", "--source", "nosuch")
    assert result.returncode == 2
    assert "unknown source nosuch; known sources: " in result.stderr and "govcn" in result.stderr


def test_scrapy_commands_work_from_the_repository_root(cli, mirror: MirrorServer, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, CBECWATCH_MIRROR_URL=mirror.url)
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=60)
    assert "govcn" in listed.stdout.split()
    crawled = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "govcn", "-s", "LOG_LEVEL=WARNING"], cwd=REPO,
                             env=env, capture_output=True, text=True, timeout=120)
    assert crawled.returncode == 0, crawled.stderr
    assert "govcn: ok — 3 notices (3 new" in crawled.stdout
