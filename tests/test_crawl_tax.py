"""Real crawls of the tax and tariff sources against the mirror: MOF's createPageHTML-only paging and
its 502s (judged by the body), the STA's 2026 template, the policy library's POST list API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import MirrorServer

pytestmark = pytest.mark.slow

GSS_LIST = "/gzdt/zhengcefabu/"
GSS_DETAIL = "/gzdt/zhengcefabu/201811/t20181130_3082343.htm"
# SYNTHETIC: written for this test in the shape of the Squid error page MOF's CDN edges answer 502 with
# (#59695641150: "502 Bad Gateway", "Node information", "The following error was encountered").
SQUID_502 = ("<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body>"
             "<h1>502 Bad Gateway</h1><p>Node information: PS-TEST-01</p>"
             "<p>The following error was encountered: Connection Failed</p></body></html>")


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_RETRY_BACKOFF", "0.1")


def source_row(cli: Any, name: str) -> dict[str, Any]:
    result = cli("sources", "--json")
    assert result.returncode == 0, result.stderr
    return next(row for row in json.loads(result.stdout) if row["name"] == name)


def write_faults(root: Path, faults: dict[str, dict[str, Any]]) -> None:
    (root / "faults.json").write_text(json.dumps(faults, ensure_ascii=False), "utf-8")


def crawl(cli: Any, mirror: MirrorServer, source: str) -> dict[str, Any]:
    result = cli("crawl", "--mirror", mirror.url, "--source", source)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return source_row(cli, source)


# -- 财政部关税司 -----------------------------------------------------------------------------
def test_mof_gss_pages_on_by_the_createpagehtml_call_alone(cli: Any, mirror: MirrorServer) -> None:
    page_one = mirror_get_text(mirror, GSS_LIST)
    assert 'createPageHTML(2, 0, "index", "htm")' in page_one and "countPage" not in page_one
    mirror.take_requests()
    row = crawl(cli, mirror, "mof_gss")
    assert row["status"] == "ok", row["reason"]
    lists = [r.path for r in mirror.take_requests() if r.path.startswith(GSS_LIST) and "/20" not in r.path]
    assert lists == [GSS_LIST, GSS_LIST + "index_1.htm"]  # page 2 from the call's count, not a variable
    assert row["last_run"]["new"] == 5


def test_mof_gss_uses_a_502_that_carries_the_real_page(cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    write_faults(mirror_root, {f"gss.mof.gov.cn{GSS_LIST}": {"status": 502, "real_page": True},
                               f"gss.mof.gov.cn{GSS_DETAIL}": {"status": 502, "real_page": True}})
    row = crawl(cli, mirror, "mof_gss")
    assert row["status"] == "ok", row["reason"]
    assert row["last_run"]["new"] == 5 and not row["last_run"]["errors"]
    statuses = {r.path: r.status for r in mirror.take_requests()}
    assert statuses[GSS_LIST] == 502 and statuses[GSS_DETAIL] == 502
    notices = json.loads(cli("notices", "--json", "--source", "mof_gss").stdout)
    assert "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知" in {n["title"] for n in notices}


def test_mof_gss_counts_a_502_error_page_as_a_failure(cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    write_faults(mirror_root, {f"gss.mof.gov.cn{GSS_DETAIL}": {"status": 502, "body": SQUID_502}})
    row = crawl(cli, mirror, "mof_gss")
    assert row["status"] == "partial", row["reason"]
    assert row["last_run"]["errors"] == {"http_status": 1} and row["last_run"]["new"] == 4
    assert f"HTTP 502 from gss.mof.gov.cn for {GSS_DETAIL}" in row["reason"]

    write_faults(mirror_root, {f"gss.mof.gov.cn{GSS_LIST}": {"status": 502, "body": SQUID_502}})
    row = crawl(cli, mirror, "mof_gss")
    assert row["status"] == "failed" and "HTTP 502 from gss.mof.gov.cn" in row["reason"]


def mirror_get_text(mirror: MirrorServer, path: str, host: str = "gss.mof.gov.cn") -> str:
    import urllib.request

    with urllib.request.urlopen(f"{mirror.url}/{host}{path}") as answer:
        return answer.read().decode("gbk" if host == "gss.mof.gov.cn" else "utf-8")


# -- 国家税务总局 最新文件 ------------------------------------------------------------------------
def test_chinatax_reads_the_2026_list_and_the_zoomcon_body(cli: Any, mirror: MirrorServer) -> None:
    listing = mirror_get_text(mirror, "/chinatax/n810341/n810755/index.html", host="www.chinatax.gov.cn")
    assert 'class="common_list"' in listing and "whlist" not in listing and "<span>[2024-03-01]</span>" in listing
    assert 'id="zoomcon"' in mirror_get_text(mirror, "/chinatax/n810341/n810755/c5200111/content.html",
                                             host="www.chinatax.gov.cn")
    row = crawl(cli, mirror, "chinatax")
    assert row["status"] == "ok", row["reason"]
    assert row["last_run"]["new"] == 3 and not row["last_run"]["errors"]
    notices = json.loads(cli("notices", "--json", "--source", "chinatax").stdout)
    newest = next(n for n in notices if n["url"].endswith("/c5200111/content.html"))
    assert newest["publish_date"] == "2024-03-01"
    shown = json.loads(cli("show", str(newest["id"]), "--json").stdout)
    assert "发票" in shown["text"] and "责任编辑" not in shown["text"]  # the #zoomcon body, not the page chrome


# -- 税收政策法规库 ---------------------------------------------------------------------------
LIBRARY_API = "/getFileListByCodeId"


def add_library_notices(root: Path, count: int) -> None:
    """SYNTHETIC notices, listed in column c100012 only, so that its list API answers two pages."""
    path = root / "chinatax" / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    notices += [{"_comment": "SYNTHETIC test notice", "id": f"c59000{i:02d}", "host": "fgk.chinatax.gov.cn",
                 "path": f"/zcfgk/c100012/c59000{i:02d}/content.html",
                 "title": f"国家税务总局关于示例事项的公告（{i}）",
                 "doc_number": f"国家税务总局公告2025年第{i}号", "publish_date": f"2025-03-{i + 1:02d}",
                 "issue_date": f"2025-02-{i + 1:02d}", "pubtime": f"2025-03-{i + 1:02d} 10:00",
                 "body": "bodies/vat-synthetic.txt", "columns": ["c100012"]} for i in range(count)]
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")


def test_fgk_rows_come_from_the_post_list_api_page_by_page(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    shell = mirror_get_text(mirror, "/zcfgk/c100012/listflfg.html", host="fgk.chinatax.gov.cn")
    assert "var channelId" in shell and "content.html" not in shell  # the rows are not in the page
    add_library_notices(mirror_root, 11)  # 13 rows in c100012: pages of 10 and 3
    mirror.take_requests()
    row = crawl(cli, mirror, "chinatax_fgk")
    assert row["status"] == "ok", row["reason"]
    assert row["last_run"]["new"] == 14 and not row["last_run"]["errors"]
    requests = mirror.take_requests()
    posts = [r for r in requests if r.path == LIBRARY_API]
    assert len(posts) == 3 and {r.method for r in posts} == {"POST"} and {r.host for r in posts} == {
        "www.chinatax.gov.cn"}  # c100012 pages 1 and 2, c102416 page 1
    details = [r for r in requests if r.path.endswith("/content.html")]
    assert len(details) == 14 and {r.host for r in details} == {"fgk.chinatax.gov.cn"}  # www row URLs read as fgk

    notices = json.loads(cli("notices", "--json", "--source", "chinatax_fgk").stdout)
    shown = json.loads(cli("show", str(next(n["id"] for n in notices if "c3939781" in n["url"])), "--json").stdout)
    # the page's 成文日期 and the row's publication date, not the PubDate meta (the regeneration time)
    assert shown["issue_date"] == "2018-11-29" and shown["publish_date"] == "2018-11-30"
    assert shown["doc_number"] == "财关税〔2018〕49号" and "SZfaguiku" not in shown["agencies"]

    # a second run posts page 1 again (the shell is no guide to new rows) and fetches no detail
    assert crawl(cli, mirror, "chinatax_fgk")["last_run"]["new"] == 0
    again = mirror.take_requests()
    assert [r.path for r in again if r.path == LIBRARY_API] == [LIBRARY_API] * 2
    assert not [r for r in again if r.path.endswith("/content.html")]


def test_fgk_reports_a_shell_without_channel_id_and_a_foreign_column_as_drift(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    write_faults(mirror_root, {"fgk.chinatax.gov.cn/zcfgk/c100012/listflfg.html": {
        "status": 200, "body": "<html><body><div class='list'></div></body></html>"}})
    row = crawl(cli, mirror, "chinatax_fgk")
    assert "layout drift: no channelId in the column page of c100012" in row["reason"]

    answer = {"code": 200, "results": {"data": {"page": 1, "rows": 10, "total": 1, "results": [
        {"title": "某法律", "url": "https://fgk.chinatax.gov.cn/zcfgk/c100009/c5233383/content.html",
         "channelName": "法律", "domainMetaList": []}]}}}
    write_faults(mirror_root, {"www.chinatax.gov.cn/getFileListByCodeId": {
        "status": 200, "body": json.dumps(answer, ensure_ascii=False), "content_type": "application/json"}})
    row = crawl(cli, mirror, "chinatax_fgk")
    assert row["status"] == "drift", row["reason"]
    assert "column c100012 lists ['法律'] instead of 税务规范性文件" in row["reason"]
