"""A real crawl of the mirror's positive-list notice and its attachments (PDF list, XLS list, a scan,
a .wps file), then of a later amendment: both lists stored and parsed, ``hs`` answering for a code
the amendment added, one ``positive_list_changed`` event with its added and removed codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from attachment_fixtures import list_rows, xlsx_amendment

from crawler.mirror.server import MirrorServer

pytestmark = pytest.mark.slow

LIST_NOTICE = "/gzdt/zhengcefabu/202201/t20220130_3784234.htm"
AMENDMENT_PATH = "/gzdt/zhengcefabu/202306/t20230615_3901234.htm"
AMENDMENT_FILE = "/gzdt/zhengcefabu/202306/P020230615512300000001.xlsx"
ADDED = ("1", "33042000", "眼用化妆品", "")
REMOVED = ("1", "04100049", "其他蜂产品", "依法不属于普通食品或依法需要注册备案管理的特殊食品除外")


def run_json(cli: Any, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)


def crawl(cli: Any, mirror: MirrorServer) -> str:
    result = cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def add_amendment(root: Path) -> None:
    """SYNTHETIC: a later amendment in the shape of the real ones (增加 and 删除 sheets), added to the
    test's copy of the mirror the way a new announcement appears on the site."""
    site = root / "mof_gss"
    (site / "attachments" / "amendment-synthetic.xlsx").write_bytes(xlsx_amendment([ADDED], [REMOVED]))
    (site / "bodies" / "amendment-synthetic.txt").write_text(
        "# SYNTHETIC test body\n财政部等8部门公告2023年第99号\n现将调整跨境电子商务零售进口商品清单有关事项公告如下：\n"
        "一、将眼用化妆品纳入清单，将其他蜂产品移出清单。\n二、本公告自2023年7月1日起施行。\n特此公告。\n2023年6月15日\n",
        "utf-8")
    notices = json.loads((site / "notices.json").read_text("utf-8"))
    notices.append({"_comment": "SYNTHETIC test notice", "id": "t20230615_3901234", "path": AMENDMENT_PATH,
                    "charset": "header", "title": "关于调整跨境电子商务零售进口商品清单的公告（示例）",
                    "publish_date": "2023-06-15", "pubtime": "2023-06-15 10:00",
                    "body": "bodies/amendment-synthetic.txt",
                    "attachments": [{"text": "跨境电子商务零售进口商品清单调整表.xlsx", "path": AMENDMENT_FILE,
                                     "file": "attachments/amendment-synthetic.xlsx"},
                                    {"text": "别处的附件.pdf", "path": "https://www.example.com/files/other.pdf",
                                     "file": "attachments/amendment-synthetic.xlsx"}]})
    (site / "notices.json").write_text(json.dumps(notices, ensure_ascii=False), "utf-8")


def test_list_attachments_are_stored_parsed_and_an_amendment_answers_hs(cli: Any, mirror: MirrorServer,
                                                                        mirror_root: Path) -> None:
    out = crawl(cli, mirror)
    assert "4 attachment" in out
    notice = next(n for n in run_json(cli, "notices", "--source", "mof_gss") if n["url"].endswith(LIST_NOTICE))
    stored = {a["format"] + ":" + a["status"]: a for a in run_json(cli, "attachments", "--notice", str(notice["id"]))}
    base_rows = len(list_rows()) - 1  # the fixture holds one code back for the amendment
    assert stored["pdf:parsed"]["rows"] == base_rows and stored["pdf:parsed"]["pages"] == 3
    assert stored["xls:parsed"]["rows"] == base_rows
    assert "no text layer" in stored["pdf:needs_ocr"]["reason"]
    assert "WPS" in stored["wps:unreadable"]["reason"]

    before = run_json(cli, "hs", "33042000")
    assert before["on_list"] is False and before["list_size"] == base_rows
    sleeping = run_json(cli, "hs", "0410.0049")  # dotted input; stored from the XLS without its zero
    assert sleeping["on_list"] and sleeping["lines"][0]["since"]["doc_number"] == "财政部等8部门公告2022年第7号"

    add_amendment(mirror_root)
    out = crawl(cli, mirror)
    assert "1 new" in out
    answer = run_json(cli, "hs", "33042000")
    assert answer["on_list"] is True
    since = answer["lines"][0]["since"]
    assert since["doc_number"] == "财政部等8部门公告2023年第99号" and since["effective_on"] == "2023-07-01"
    assert since["mode"] == "amend" and since["url"].endswith(AMENDMENT_PATH)
    assert run_json(cli, "hs", "33042000", "--as-of", "2023-06-30")["on_list"] is False  # not yet in force
    gone = run_json(cli, "hs", "04100049")
    assert gone["on_list"] is False and gone["removed"][0]["removed_by"]["doc_number"].endswith("2023年第99号")
    heading = run_json(cli, "hs", "3304")
    assert [line["hs_code"] for line in heading["lines"]] == ["33041000", "33042000", "33049100", "33049900"]

    changes = [e for e in run_json(cli, "events", "--limit", "100") if e["kind"] == "positive_list_changed"]
    amendment_events = [e for e in changes if e["doc_number"] == "财政部等8部门公告2023年第99号"]
    assert len(amendment_events) == 1
    event = amendment_events[0]["data"]
    assert [r["hs_code"] for r in event["added"]] == ["33042000"]
    assert [(r["hs_code"], r["description"]) for r in event["removed"]] == [("04100049", "其他蜂产品")]
    assert event["counts"]["total"] == base_rows
    told = amendment_events[0]["summary"]
    assert "新增1个税号（33042000 眼用化妆品）" in told["zh"] and "删除1个（04100049 其他蜂产品）" in told["zh"]
    assert "1 tariff line added (33042000 眼用化妆品)" in told["en"]

    sources = {row["name"]: row for row in run_json(cli, "sources")}
    assert sources["mof_gss"]["last_run"]["offsite"] == 1  # the example.com attachment was not fetched
    assert not any("example.com" in r.host for r in mirror.take_requests())


def test_a_revised_page_links_its_unchanged_attachments_by_conditional_requests(
        cli: Any, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crawl(cli, mirror)
    body = mirror_root / "mof_gss" / "bodies" / "list-2022-7-synthetic.txt"
    body.write_text(body.read_text("utf-8") + "（本公告附件另见海关总署网站。）\n", "utf-8")
    monkeypatch.setenv("CBECWATCH_REVISIT_DAYS", "100000")
    monkeypatch.setenv("CBECWATCH_REVISIT_AFTER_HOURS", "0")
    mirror.take_requests()
    crawl(cli, mirror)
    attachment_answers = [r for r in mirror.take_requests() if "/P0" in r.path]
    assert len(attachment_answers) == 4 and all(r.status == 304 for r in attachment_answers)
    notice = next(n for n in run_json(cli, "notices", "--source", "mof_gss") if n["url"].endswith(LIST_NOTICE))
    links = run_json(cli, "attachments", "--notice", str(notice["id"]))
    assert sorted({link["version"] for link in links}) == [1, 2]
    assert len({link["attachment_id"] for link in links}) == 4  # stored once each, linked twice
    assert len([e for e in run_json(cli, "events") if e["kind"] == "positive_list_changed"]) == 1


def test_an_attachment_over_the_size_cap_is_reported_and_its_notice_still_stored(
        cli: Any, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_MAX_PAGE_BYTES", "9000")  # the .xls list is 9,728 bytes, pages are smaller
    result = cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    notice = next(n for n in run_json(cli, "notices", "--source", "mof_gss") if n["url"].endswith(LIST_NOTICE))
    formats = sorted(a["format"] for a in run_json(cli, "attachments", "--notice", str(notice["id"])))
    assert formats == ["pdf", "pdf", "wps"]
    row = next(r for r in run_json(cli, "sources") if r["name"] == "mof_gss")
    assert "too_large" in row["last_run"]["errors"]
    assert "P020220130376125416348.xls" in json.dumps(row, ensure_ascii=False)


def test_a_list_stored_before_attachments_were_followed_gets_them_on_its_next_revisit(
        cli: Any, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_ATTACHMENTS", "0")  # an installation from before attachments
    crawl(cli, mirror)
    assert run_json(cli, "attachments") == []
    monkeypatch.setenv("CBECWATCH_ATTACHMENTS", "1")
    monkeypatch.setenv("CBECWATCH_REVISIT_DAYS", "100000")
    monkeypatch.setenv("CBECWATCH_REVISIT_AFTER_HOURS", "0")
    mirror.take_requests()
    crawl(cli, mirror)
    page = [r for r in mirror.take_requests() if r.path == LIST_NOTICE]
    assert [r.status for r in page] == [200]  # asked without validators: a 304 would hide the annexes
    assert len(run_json(cli, "attachments")) == 4
    assert run_json(cli, "hs", "04029100")["on_list"] is True
    mirror.take_requests()
    crawl(cli, mirror)  # now they are stored: the revisit is conditional again
    assert [r.status for r in mirror.take_requests() if r.path == LIST_NOTICE] == [304]
