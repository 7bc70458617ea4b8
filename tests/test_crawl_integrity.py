"""A crawl never loses a notice and never trusts what it should not: a list page that fails once is
walked again in full, an off-site answer is not stored, a crawl killed by its time-out is a failed run,
and a source that stays quiet too long raises an admin event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import MirrorServer

pytestmark = pytest.mark.slow

GSS_LIST = "/gzdt/zhengcefabu/"
GSS_PAGE_2 = "/gzdt/zhengcefabu/index_1.htm"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_RETRY_BACKOFF", "0.1")


def write_faults(root: Path, faults: dict[str, dict[str, Any]]) -> None:
    (root / "faults.json").write_text(json.dumps(faults, ensure_ascii=False), "utf-8")


def stored_urls(cli: Any, source: str) -> set[str]:
    result = cli("notices", "--source", source, "--json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    return {row["url"] for row in json.loads(result.stdout)}


def mirror_paths(root: Path, site: str) -> set[str]:
    return {n["path"] for n in json.loads((root / site / "notices.json").read_text("utf-8"))}


def test_a_list_page_that_fails_once_is_walked_again_and_its_notices_are_not_lost(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    write_faults(mirror_root, {f"gss.mof.gov.cn{GSS_PAGE_2}": {"status": 404, "times": 1}})
    cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    first = stored_urls(cli, "mof_gss")
    expected = mirror_paths(mirror_root, "mof_gss")
    assert 0 < len(first) < len(expected)  # page 2 failed: its notices are missing for now
    mirror.take_requests()

    # The list's page 1 did not change, but the walk was partial: no 304 shortcut, and page 2 is
    # fetched although every row of page 1 is known.
    second = cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    assert second.returncode == 0, second.stdout + second.stderr
    lists = [(r.path, r.status) for r in mirror.take_requests() if r.path.startswith(GSS_LIST)]
    assert lists[:2] == [(GSS_LIST, 200), (GSS_PAGE_2, 200)]
    assert {url.split("gss.mof.gov.cn", 1)[1] for url in stored_urls(cli, "mof_gss")} == expected

    # Now the walk completed: its validators are kept and the next run is one 304.
    assert cli("crawl", "--mirror", mirror.url, "--source", "mof_gss").returncode == 0
    lists = [(r.path, r.status) for r in mirror.take_requests() if r.path.startswith(GSS_LIST)]
    assert lists == [(GSS_LIST, 304)]


def add_govcn_notice(root: Path, **fields: Any) -> None:
    path = root / "govcn" / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    notices.append({"id": "9990001", "library": "gw", "title": "关于跨境电子商务零售进口的公告（转载）",
                    "pcode": "", "puborg": "国务院", "issue_date": "2026-11-02", "publish_date": "2026-11-03",
                    "firstpublished": "2026-11-03-09:00:00", "lastmodified": "2026-11-03-09:00:00",
                    "body": "bodies/batch2-2016.txt", **fields})
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")


def source_row(cli: Any, name: str) -> dict[str, Any]:
    rows = {row["name"]: row for row in json.loads(cli("sources", "--json").stdout)}
    return rows[name]


def test_an_off_site_redirect_is_counted_reported_and_never_stored(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    # a page of ours that redirects to another host (a retired or hijacked section)
    add_govcn_notice(mirror_root, id="9990002", path="/zhengce/content/2026-11/03/content_9990002.htm")
    write_faults(mirror_root, {"www.gov.cn/zhengce/content/2026-11/03/content_9990002.htm": {
        "status": 302, "headers": {"Location": "https://evil.example.net/zhengce/content_9990002.htm"}}})

    result = cli("crawl", "--mirror", mirror.url, "--source", "govcn")
    assert "1 off-site answers not stored" in result.stdout, result.stdout
    urls = stored_urls(cli, "govcn")
    assert urls and not any("9990002" in url for url in urls)
    assert not any("example" in r.host for r in mirror.take_requests())  # never even asked
    row = source_row(cli, "govcn")
    assert row["last_run"]["offsite"] == 1 and row["last_run"]["errors"] == {"offsite": 1}
    assert row["status"] == "partial" and "off-site redirect" in row["reason"]
    assert "evil.example.net" in row["reason"]


def test_a_list_row_pointing_off_site_is_skipped_and_counted(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    path = mirror_root / "customs" / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    notices.insert(0, dict(notices[0], id="offsite", path="https://www.example.com/customs/2026/notice.html",
                           title="海关总署公告（其他网站转载）"))
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")

    result = cli("crawl", "--mirror", mirror.url, "--source", "customs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not any("example" in r.host for r in mirror.take_requests())
    assert not any("example.com" in url for url in stored_urls(cli, "customs"))
    row = source_row(cli, "customs")
    assert row["status"] == "ok" and row["last_run"]["offsite"] == 1  # a skipped row is not an error


def test_a_page_over_the_size_cap_is_reported_and_texts_are_cut_at_the_text_cap(
        cli: Any, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_govcn_notice(mirror_root, path="/zhengce/content/2026-11/03/content_9990001.htm")
    huge = "<html><body>" + "跨境电子商务" * 40_000 + "</body></html>"
    write_faults(mirror_root, {"www.gov.cn/zhengce/content/2026-11/03/content_9990001.htm": {
        "status": 200, "body": huge}})
    monkeypatch.setenv("CBECWATCH_MAX_PAGE_BYTES", "200000")
    monkeypatch.setenv("CBECWATCH_MAX_TEXT_CHARS", "300")
    result = cli("crawl", "--mirror", mirror.url, "--source", "govcn")
    row = source_row(cli, "govcn")
    assert row["last_run"]["errors"].get("too_large") == 1, result.stdout + result.stderr
    assert "CBECWATCH_MAX_PAGE_BYTES" in row["reason"] and "content_9990001" in row["reason"]
    assert row["last_run"]["truncated"] >= 1  # the real notices are longer than 300 characters
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert len(shown["text"]) <= 300


def test_a_crawl_killed_by_the_daemon_time_out_is_a_failed_run(
        cli: Any, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    assert source_row(cli, "govcn")["status"] == "ok"
    write_faults(mirror_root, {"www.gov.cn": {"delay": 20}, "sousuo.www.gov.cn": {"delay": 20}})
    monkeypatch.setenv("CBECWATCH_CRAWL_TIMEOUT", "4")
    once = cli("daemon", "--once", "--source", "govcn", "--mirror", mirror.url)
    assert once.returncode == 1 and "time-out" in once.stderr, once.stderr
    row = source_row(cli, "govcn")
    assert row["status"] == "failed" and "CBECWATCH_CRAWL_TIMEOUT" in row["reason"], row
    assert row["consecutive_failures"] == 1 and row["last_run"]["status"] == "failed"
    assert row["last_run"]["errors"] == {"timeout": 1}


def test_an_ok_source_with_nothing_new_past_its_cadence_raises_source_quiet_once(
        cli: Any, app_home: Path, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from sqlalchemy import update

    from storage.db import open_database
    from storage.models import Notice, SourceRun

    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    db = open_database(f"sqlite:///{app_home / 'cbecwatch.sqlite3'}")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    with db.session() as session, session.begin():
        session.execute(update(Notice).values(first_seen_at=long_ago))
        session.execute(update(SourceRun).values(started_at=long_ago))
    db.dispose()

    def quiet_events() -> list[dict[str, Any]]:
        return [e for e in json.loads(cli("events", "--json").stdout) if e["kind"] == "source_quiet"]

    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    assert quiet_events() == []  # 20 days is within the default cadence of 30
    monkeypatch.setenv("CBECWATCH_QUIET_DAYS_GOVCN", "14")
    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    events = quiet_events()
    assert len(events) == 1 and events[0]["admin"] is True and "20" in events[0]["title"], events
    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    assert len(quiet_events()) == 1  # one event per quiet spell, not one per run


def test_a_disabled_source_is_not_crawled_and_a_misspelt_one_is_an_error(
        upgraded_cli: Any, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = upgraded_cli  # no crawl runs here, so nothing else would create the schema `sources` reads
    monkeypatch.setenv("CBECWATCH_DISABLED_SOURCES", "customs,zj_fgw")
    result = cli("crawl", "--mirror", mirror.url, "--source", "customs")
    assert result.returncode != 0 and "customs is disabled (CBECWATCH_DISABLED_SOURCES)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    monkeypatch.setenv("CBECWATCH_DISABLED_SOURCES", "custom")
    result = cli("crawl", "--mirror", mirror.url)
    assert result.returncode != 0 and "unknown source custom;" in result.stderr, result.stderr
    monkeypatch.setenv("CBECWATCH_DISABLED_SOURCES", "customs")
    assert cli("daemon", "--once", "--source", "customs", "--mirror", mirror.url).returncode != 0
    rows = {row["name"]: row for row in json.loads(cli("sources", "--json").stdout)}
    assert rows["customs"]["status"] == "disabled"


def test_customs_blocked_by_ruishu_is_covered_through_the_govcn_department_files(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    (mirror_root / "customs" / "site.json").write_text('{"challenge": "ruishu"}', "utf-8")
    result = cli("crawl", "--mirror", mirror.url, "--source", "customs")
    assert result.returncode == 0, result.stdout + result.stderr  # the notices arrived another way
    assert "customs: blocked (covered via govcn)" in result.stderr
    row = source_row(cli, "customs")
    assert row["status"] == "covered"
    assert row["reason"].startswith("blocked (covered via govcn): blocked by www.customs.gov.cn: HTTP 412 (瑞数")
    urls = stored_urls(cli, "customs")
    # 财关税〔2018〕49号, co-issued by 海关总署, reprinted in the 部门文件; nothing of another agency
    assert urls and all(url.startswith("https://www.gov.cn/zhengce/") for url in urls)
    requests = mirror.take_requests()
    searches = [r for r in requests if r.path == "/search-gov/data"]
    assert searches and all("bmfl=" in r.query and "t=zhengcelibrary_bm" in r.query for r in searches)

    strict = cli("crawl", "--mirror", mirror.url, "--source", "customs", "--strict")
    assert strict.returncode == 1


def test_a_headless_refusal_and_a_ruishu_page_are_blocked_not_errors(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    write_faults(mirror_root, {"www.customs.gov.cn": {"status": 400, "body": ""},
                               "sousuo.www.gov.cn": {"status": 503}})
    cli("crawl", "--mirror", mirror.url, "--source", "customs")
    row = source_row(cli, "customs")
    assert row["status"] == "blocked" and "HTTP 400 with an empty body" in row["reason"], row


def test_the_rotation_revisits_old_notices_bounded_per_run_and_catches_a_2016_revision(
        cli: Any, app_home: Path, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from sqlalchemy import update

    from storage.db import open_database
    from storage.models import Notice

    assert cli("crawl", "--mirror", mirror.url, "--source", "mof_gss").returncode == 0
    mirror.take_requests()
    db = open_database(f"sqlite:///{app_home / 'cbecwatch.sqlite3'}")
    with db.session() as session, session.begin():
        session.execute(update(Notice).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40)))
    db.dispose()

    monkeypatch.setenv("CBECWATCH_ROTATION_MAX", "2")
    assert cli("crawl", "--mirror", mirror.url, "--source", "mof_gss").returncode == 0
    details = [r for r in mirror.take_requests() if "/t20" in r.path]
    assert len(details) == 2 and {r.status for r in details} == {304}  # bounded, conditional, unchanged
    rotation = source_row(cli, "mof_gss")["rotation"]
    assert rotation == {"days": 30.0, "checked": 2, "stored": 5}

    old = next(n for n in json.loads((mirror_root / "mof_gss" / "notices.json").read_text("utf-8"))
               if n["publish_date"].startswith("2016"))
    body = mirror_root / "mof_gss" / old["body"]
    body.write_text(body.read_text("utf-8") + "\n三、本通知自发布之日起执行。\n", "utf-8")
    monkeypatch.setenv("CBECWATCH_ROTATION_MAX", "10")
    assert cli("crawl", "--mirror", mirror.url, "--source", "mof_gss").returncode == 0
    assert source_row(cli, "mof_gss")["last_run"]["revised"] == 1
    assert source_row(cli, "mof_gss")["rotation"]["checked"] == 5


def test_diff_shows_places_and_words_that_changed_between_two_versions(
        cli: Any, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    body = mirror_root / "govcn" / "bodies" / "batch2-2016.txt"
    text = body.read_text("utf-8").replace("深圳市、苏州市等12个城市", "深圳市、苏州市、厦门市等13个城市")
    body.write_text(text, "utf-8")
    monkeypatch.setenv("CBECWATCH_REVISIT_DAYS", "100000")
    monkeypatch.setenv("CBECWATCH_REVISIT_AFTER_HOURS", "0")
    assert cli("crawl", "--mirror", mirror.url, "--source", "govcn").returncode == 0
    notice = next(n for n in json.loads(cli("notices", "--json").stdout) if n["doc_number"] == "国函〔2016〕17号")

    shown = cli("diff", str(notice["id"]), "--json")
    assert shown.returncode == 0, shown.stderr
    result = json.loads(shown.stdout)
    assert (result["from"]["version"], result["to"]["version"]) == (1, 2)
    assert [p["name"] for p in result["changes"]["places_added"]] == ["厦门市"]
    # whole words, never half of one; the one-word equality between the two edits joins them
    assert "苏州市[-等12-]个城市" in result["diff"]["text"]
    assert "苏州市{+、厦门市等13+}个城市" in result["diff"]["text"]

    printed = cli("diff", str(notice["id"]))
    assert "places added: 厦门市" in printed.stdout
    assert "prefix dict" not in printed.stderr  # jieba's loading chatter stays out of the command's output
    assert cli("diff", str(notice["id"]), "--from", "2", "--to", "1").returncode == 2
    assert cli("diff", "99999").returncode == 2
    revised = [e for e in json.loads(cli("events", "--json").stdout) if e["kind"] == "notice_revised"]
    assert revised and revised[0]["data"]["diff"]["added"] >= 1


PROVINCE_LIST = """<!-- SYNTHETIC: an EasySite list whose next page sits on another host -->
<html><body><ul class="conList_ul">
<li><a href="/zwgk/tzgg/202611/1001/index.html" title="关于跨境电商的通知">关于跨境电商的通知</a>
<span>2026-11-03</span></li>
</ul><div class="easysite-page-wrap"><a title="下一页" tagname="https://elsewhere.example.net/tzgg/2.html">下一页</a></div>
</body></html>"""
PROVINCE_DETAIL = """<!-- SYNTHETIC --><html><head><meta name="ArticleTitle" content="关于跨境电商的通知">
<meta name="PubDate" content="2026-11-03 09:00"></head><body>
<div class="easysite-news-title"><h2>关于跨境电商的通知</h2></div>
<div class="easysite-news-peruse"><p>一、支持跨境电子商务发展。</p></div></body></html>"""


def test_a_list_request_to_a_host_the_source_does_not_own_is_reported_not_silently_dropped(
        cli: Any, mirror: MirrorServer, mirror_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = mirror_root / "static" / "swt.example-province.gov.cn" / "zwgk" / "tzgg"
    (site / "202611" / "1001").mkdir(parents=True)
    (site / "index.html").write_text(PROVINCE_LIST, "utf-8")
    (site / "202611" / "1001" / "index.html").write_text(PROVINCE_DETAIL, "utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "example_swt"\nagency = "某省商务厅"\ntemplate = "easysite"\n'
                       'home = "https://swt.example-province.gov.cn/"\n'
                       'lists = ["https://swt.example-province.gov.cn/zwgk/tzgg/index.html"]\n'
                       'detail_url = "/(\\\\d+)/index\\\\.html$"\n', "utf-8")
    monkeypatch.setenv("CBECWATCH_SOURCES_FILE", str(sources))
    cli("crawl", "--mirror", mirror.url, "--source", "example_swt")
    row = source_row(cli, "example_swt")
    assert row["last_run"]["new"] == 1
    assert row["status"] == "partial" and "were dropped: declare them in allowed_hosts" in row["reason"], row
    assert not any("example.net" in r.host for r in mirror.take_requests())
