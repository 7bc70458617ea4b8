"""Real Scrapy crawls of the JPaaS sources (mofcom, mofcom_dzsws, zj_fgw) against the mirror, which
answers as the live JPaaS does: column shells with the unit ids in ``queryData``, the unit API with
``data.html`` fragments, ``paramJson`` paging, ``success=false`` for ids it does not know."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from crawler.mirror.server import LoggedRequest, MirrorServer
from crawler.spiders.jpaas import parse_query_data, pick_unit, units_in

pytestmark = pytest.mark.slow

UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
JPAAS = ("mofcom", "mofcom_dzsws", "zj_fgw")
SHELLS = {"mofcom": ("www.mofcom.gov.cn", "/zwgk/zcfb/index.html"),
          "mofcom_dzsws": ("dzsws.mofcom.gov.cn", "/gztz/index.html"),
          "zj_fgw": ("fzggw.zj.gov.cn", "/col/col1229629046/index.html")}
SITE_DIRS = {"mofcom": "mofcom", "mofcom_dzsws": "mofcom", "zj_fgw": "zj_fgw"}


def crawl(cli: Any, mirror: MirrorServer, *sources: str) -> dict[str, dict[str, Any]]:
    args = [arg for name in sources for arg in ("--source", name)]
    result = cli("crawl", "--mirror", mirror.url, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(cli("sources", "--json").stdout)
    return {row["name"]: row for row in rows if row["name"] in sources}


def unit_calls(requests: list[LoggedRequest], host: str) -> list[dict[str, str]]:
    return [{k: v[-1] for k, v in parse_qs(r.query).items()} for r in requests if r.host == host and r.path == UNIT]


def shell_hits(requests: list[LoggedRequest], name: str) -> int:
    host, path = SHELLS[name]
    return sum(1 for r in requests if (r.host, r.path) == (host, path))


def rotate(mirror_root: Path, site: str, host: str, page_id: str) -> str:
    path = mirror_root / site / "units.json"
    units = json.loads(path.read_text("utf-8"))
    column = units["hosts"][host]["columns"][0]
    old, column["pageId"] = column["pageId"], page_id
    path.write_text(json.dumps(units, ensure_ascii=False), "utf-8")
    return old


def add_notice(mirror_root: Path, site: str, **notice: str) -> None:
    path = mirror_root / site / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    body = next(n["body"] for n in notices if n["host"] == notice["host"])
    notices.append({"source": "电子商务和信息化司", "body": body, **notice})
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")


def test_every_jpaas_source_reads_the_unit_api_and_pages_to_page_2(
        cli: Any, mirror: MirrorServer, app_home: Path) -> None:
    rows = crawl(cli, mirror, *JPAAS)
    for name in JPAAS:
        assert rows[name]["status"] == "ok", (name, rows[name]["reason"])
    assert {name: rows[name]["last_run"]["new"] for name in JPAAS} == {"mofcom": 3, "mofcom_dzsws": 2, "zj_fgw": 3}
    requests = mirror.take_requests()

    # mofcom asks with its pinned ids, so it needs no shell; the others read the ids from theirs
    assert [shell_hits(requests, name) for name in JPAAS] == [0, 1, 1]
    mofcom = unit_calls(requests, "www.mofcom.gov.cn")
    assert [call.get("paramJson") for call in mofcom] == [None, '{"pageNo":2,"pageSize":2}']
    assert mofcom[0] == {"parseType": "bulidstatic", "webId": "8f43c7ad3afc411fb56f281724b73708",
                         "tplSetId": "52551ea0e2c14bca8c84792f7aa37ead", "pageType": "column", "tagId": "分页列表",
                         "editType": "null", "pageId": "fc8bdff48fa345a48b651c1285b70b8f"}
    # the sub-site's own webId/tplSetId and tagId come from its page, not from the main site
    dzsws = unit_calls(requests, "dzsws.mofcom.gov.cn")
    assert {(c["webId"], c["tagId"], c["pageId"]) for c in dzsws} == {
        ("3c5e7a9b1d2f4e6a8c0b2d4f6a8c0e21", "信息列表", "a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d")}
    assert [json.loads(c.get("paramJson", "{}")).get("pageNo", 1) for c in dzsws] == [1, 2]
    # Zhejiang has no pagination element: page 2 is asked with page 1's size, and its short page ends the walk
    zj = unit_calls(requests, "fzggw.zj.gov.cn")
    assert [c.get("paramJson") for c in zj] == [None, '{"pageNo":2,"pageSize":2}']
    assert zj[0]["webId"] == "3185" and zj[0]["tplSetId"] == "o0YcVHHq5vWtr3uiCp4SY"

    notices = json.loads(cli("notices", "--json", "--source", "zj_fgw").stdout)
    newest = notices[0]
    assert newest["url"] == "https://fzggw.zj.gov.cn/col/col1229629046/art/2026/art_4d2e8f1a6b3c4e5f9a7b2c1d0e9f8a71.html"
    assert (newest["title"], newest["publish_date"]) == ("关于推进跨境电商产业园高质量发展的通知（示例）", "2026-09-24")
    shown = json.loads(cli("show", str(newest["id"]), "--json").stdout)
    assert "9610、9710、9810模式" in shown["text"] and "打印" not in shown["text"]
    dzsws_notices = json.loads(cli("notices", "--json", "--source", "mofcom_dzsws").stdout)
    assert {n["publish_date"] for n in dzsws_notices} == {"2024-05-20", "2023-04-03"}
    # PubDate keeps its minutes; MakeTime, a day later here, is kept apart as the page's own time
    with sqlite3.connect(app_home / "cbecwatch.sqlite3") as db:
        stamps = db.execute("SELECT site_published_at, site_modified_at FROM notices WHERE url LIKE ?",
                            ("%art_6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b54.html",)).fetchone()
    assert stamps == ("2024-05-20 07:47:00.000000", "2024-05-21 01:12:00.000000")  # UTC of 15:47 / 09:12 China


def test_a_rotated_page_id_heals_itself(cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    crawl(cli, mirror, *JPAAS)
    mirror.take_requests()
    stale = rotate(mirror_root, "mofcom", "www.mofcom.gov.cn", "0f0e0d0c0b0a49f8a7b6c5d4e3f2a1b0")
    rotate(mirror_root, "mofcom", "dzsws.mofcom.gov.cn", "9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b")
    rotate(mirror_root, "zj_fgw", "fzggw.zj.gov.cn", "Nw4PqR7sTu0VxY3zAb6Cd")
    add_notice(mirror_root, "mofcom", id="7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c65", host="dzsws.mofcom.gov.cn",
               column="/gztz/index.html", path="/gztz/art/2026/art_7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c65.html",
               title="关于跨境电商综试区考核评估的通知（示例）", publish_date="2026-09-29", pubtime="2026-09-29 17:03")

    rows = crawl(cli, mirror, *JPAAS)
    for name in JPAAS:
        assert rows[name]["status"] == "ok", (name, rows[name]["reason"])
    assert rows["mofcom_dzsws"]["last_run"]["new"] == 1
    requests = mirror.take_requests()
    # mofcom's pinned pageId now answers success=false: it reads the current one from the column page
    assert shell_hits(requests, "mofcom") == 1
    assert [c["pageId"] for c in unit_calls(requests, "www.mofcom.gov.cn")] == [
        stale, "0f0e0d0c0b0a49f8a7b6c5d4e3f2a1b0"]
    assert {c["pageId"] for c in unit_calls(requests, "fzggw.zj.gov.cn")} == {"Nw4PqR7sTu0VxY3zAb6Cd"}
    shown = json.loads(cli("notices", "--json", "--source", "mofcom_dzsws").stdout)[0]
    assert (shown["title"], shown["publish_date"]) == ("关于跨境电商综试区考核评估的通知（示例）", "2026-09-29")


def test_a_gateway_that_repeats_page_1_ends_the_walk(cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    path = mirror_root / "zj_fgw" / "units.json"
    units = json.loads(path.read_text("utf-8"))
    units["hosts"]["fzggw.zj.gov.cn"]["columns"][0]["repeat_first_page"] = True  # #71407467212, from abroad
    path.write_text(json.dumps(units, ensure_ascii=False), "utf-8")
    rows = crawl(cli, mirror, "zj_fgw")
    assert rows["zj_fgw"]["status"] == "ok" and rows["zj_fgw"]["last_run"]["new"] == 2
    assert len(unit_calls(mirror.take_requests(), "fzggw.zj.gov.cn")) == 2  # page 2 was page 1 again: no page 3


def test_a_failed_page_2_makes_the_walk_partial(cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    path = mirror_root / "zj_fgw" / "units.json"
    units = json.loads(path.read_text("utf-8"))
    units["hosts"]["fzggw.zj.gov.cn"]["columns"][0]["fail_pages"] = [2]
    path.write_text(json.dumps(units, ensure_ascii=False), "utf-8")
    cli("crawl", "--mirror", mirror.url, "--source", "zj_fgw")
    row = next(r for r in json.loads(cli("sources", "--json").stdout) if r["name"] == "zj_fgw")
    assert row["status"] == "partial" and row["last_run"]["new"] == 2
    assert "JPaaS list API answered non-JSON for page 2 of https://fzggw.zj.gov.cn/col/" in row["reason"]


def test_a_shell_without_a_list_unit_is_drift_and_a_dead_unit_is_empty(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    redesigned = "<html><body><div id='app'></div><script src='/app.js'></script></body></html>"
    faults = {"fzggw.zj.gov.cn/col/col1229629046/index.html": {"status": 200, "body": redesigned},
              f"dzsws.mofcom.gov.cn{UNIT}": {"status": 200, "content_type": "application/json",
                                             "body": '{"success": false, "code": "500", "message": "页面不存在"}'}}
    (mirror_root / "faults.json").write_text(json.dumps(faults), "utf-8")
    result = cli("crawl", "--mirror", mirror.url, "--source", "zj_fgw", "--source", "mofcom_dzsws")
    assert result.returncode == 1
    rows = {r["name"]: r for r in json.loads(cli("sources", "--json").stdout)}
    assert rows["zj_fgw"]["status"] == "drift"
    assert "no JPaaS list unit" in rows["zj_fgw"]["reason"]
    assert rows["mofcom_dzsws"]["status"] == "empty"
    assert "JPaaS list API answered success=false (页面不存在) for page 1" in rows["mofcom_dzsws"]["reason"]
    assert rows["mofcom_dzsws"]["last_run"]["list_requests"] == 3  # the shell, the unit, one retry


def test_the_list_unit_is_picked_by_its_tag_not_by_the_script_id() -> None:
    from parsel import Selector

    page = Selector("""<html><body>
      <script id="分页列表" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
              queryData="{'tagId':'当前位置','pageId':'p1'}"></script>
      <script id="cb38aba59e094b359a406e13e4ca33ed" src="/x/unitbuild.js"
              url="/api-gateway/jpaas-publish-server/front/page/build/unit"
              queryData="{'tagId':'分页列表','pageId':'95d89972d8aa4fcea511701cd0f212d9'}"></script>
      <script url="/other" queryData="{'tagId':'分页列表','pageId':'x'}"></script></body></html>""")
    units = units_in(page, "https://www.mofcom.gov.cn/xwfb/rcxwfb/index.html")
    assert [u.query["tagId"] for u in units] == ["当前位置", "分页列表"]
    chosen = pick_unit(units, None)
    assert chosen is not None and chosen.query["pageId"] == "95d89972d8aa4fcea511701cd0f212d9"
    assert chosen.api == "https://www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert pick_unit(units, "信息列表") is None
    assert parse_query_data("{'tagId':'分页列表'") is None
