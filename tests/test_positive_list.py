"""The positive list as versioned data on SQLite and PostgreSQL: attachments stored once by hash, full
and amending versions folded by date, lookups by code and heading, one event per change."""

from __future__ import annotations

import datetime as dt

from attachment_fixtures import list_rows, xls_list, xlsx_amendment
from sqlalchemy import func, select

from crawler.attachments.read import read_fetched
from scheduler.summaries import summaries
from storage.attachments import FetchedAttachment, attachment_rows, save_attachments
from storage.models_alerts import Event
from storage.models_attachments import Attachment, DatasetVersion
from storage.notices import NoticeRecord, ensure_source, save_notice
from storage.positive_list import list_at, lookup_hs, record_positive_list

ROWS = list_rows()
SOURCE = "mof_gss"


def announce(db, number: int, *, files: dict[str, bytes], effective: dt.date, issued: dt.date,
             text: str = "") -> list[Event]:
    """Store one list announcement with its attachments, as the storage stage does, in one transaction."""
    fetched = read_fetched([FetchedAttachment(f"https://gss.mof.gov.cn/files/{name}", name, body=body)
                            for name, body in files.items()])
    record = NoticeRecord(
        source=SOURCE, url=f"https://gss.mof.gov.cn/gzdt/zhengcefabu/t{number}.htm",
        title="关于调整跨境电子商务零售进口商品清单的公告",
        text=text or f"公告{number}", doc_number=f"财政部等部门公告{issued.year}年第{number}号", kind="positive_list",
        issue_date=issued, publish_date=issued, effective_date=effective, attachments=fetched)
    with db.session() as session, session.begin():
        ensure_source(session, SOURCE, "财政部关税司")
        result = save_notice(session, record)
        save_attachments(session, result.version_id, record.attachments)
        return record_positive_list(session, result.notice_id, result.version_id, silent_first_run=False)


def test_an_amendment_changes_the_list_from_its_effective_date_with_one_event(db) -> None:
    base = [r for r in ROWS if r[1] != "33042000"]
    first = announce(db, 7, files={"list.xls": xls_list(base)}, issued=dt.date(2022, 1, 28),
                     effective=dt.date(2022, 3, 1))
    assert len(first) == 1 and first[0].data["counts"] == {"added": len(base), "removed": 0, "changed": 0,
                                                            "total": len(base)}
    removed_row = next(r for r in ROWS if r[1] == "04100049")
    amendment = xlsx_amendment([("1", "33042000", "眼用化妆品", "")], [removed_row])
    events = announce(db, 99, files={"adjust.xlsx": amendment},
                      issued=dt.date(2023, 6, 15), effective=dt.date(2023, 7, 1))
    assert len(events) == 1
    data = events[0].data
    assert data["mode"] == "amend" and data["applies_from"] == "2023-07-01"
    assert data["added"] == [{"hs_code": "33042000", "description": "眼用化妆品"}]
    assert data["removed"] == [{"hs_code": "04100049", "description": "其他蜂产品"}]
    with db.session() as session:
        assert "33042000" not in list_at(session, dt.date(2023, 6, 30))
        in_force = list_at(session, dt.date(2023, 7, 1))
        assert "33042000" in in_force and "04100049" not in in_force
        answer = lookup_hs(session, "3304.20.00", dt.date(2024, 1, 1))
        assert answer["on_list"] and answer["lines"][0]["since"]["doc_number"] == "财政部等部门公告2023年第99号"
        kept = lookup_hs(session, "04029100", dt.date(2024, 1, 1))["lines"][0]
        assert kept["since"]["doc_number"] == "财政部等部门公告2022年第7号"  # on the list since the first
        ten_digits = lookup_hs(session, "0402910010", dt.date(2024, 1, 1))
        assert [line["hs_code"] for line in ten_digits["lines"]] == ["04029100"]  # the 8-digit line it falls under
        heading = lookup_hs(session, "0410", dt.date(2024, 1, 1))
        assert [line["hs_code"] for line in heading["lines"]] == ["04100010", "04100041", "04100042", "04100043",
                                                                  "04100090"]
        assert lookup_hs(session, "04029100", dt.date(2021, 12, 31))["on_list"] is False  # before any list


def test_the_same_rows_again_make_no_version_and_a_file_listed_twice_is_stored_once(db) -> None:
    files = {"list.xls": xls_list(ROWS[:10])}
    assert announce(db, 7, files=files, issued=dt.date(2022, 1, 28), effective=dt.date(2022, 3, 1))
    # the page is revised (another text), its attachment is the same file: no new list version, no event
    assert announce(db, 7, files=files, issued=dt.date(2022, 1, 28), effective=dt.date(2022, 3, 1),
                    text="公告7（修订）") == []
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
        assert session.scalar(select(func.count()).select_from(DatasetVersion)) == 1
        assert sorted(row["version"] for row in attachment_rows(session)) == [1, 2]


def test_a_later_full_list_removes_what_it_leaves_out_and_tells_changed_descriptions(db) -> None:
    announce(db, 7, files={"list.xls": xls_list(ROWS[:5])}, issued=dt.date(2022, 1, 28), effective=dt.date(2022, 3, 1))
    renamed = [ROWS[0], (ROWS[1][0], ROWS[1][1], "浓缩并已加糖的非固状乳及奶油（含粉）", ""), *ROWS[2:4], ROWS[6]]
    events = announce(db, 8, files={"list.xls": xls_list(renamed)}, issued=dt.date(2024, 1, 2),
                      effective=dt.date(2024, 2, 1))
    data = events[0].data
    assert [r["hs_code"] for r in data["added"]] == [ROWS[6][1]]
    assert [r["hs_code"] for r in data["removed"]] == [ROWS[4][1]]
    assert [(r["hs_code"], r["old_description"]) for r in data["changed"]] == [(ROWS[1][1], ROWS[1][2])]
    told = summaries({"kind": "positive_list_changed", "title": "关于调整跨境电子商务零售进口商品清单的公告",
                      "doc_number": "财政部等部门公告2024年第8号", **data})
    assert "新增1个税号" in told["zh"] and "删除1个" in told["zh"] and "调整1个" in told["zh"]
    assert "1 tariff line added" in told["en"] and "1 changed" in told["en"] and "from 2024-02-01" in told["en"]


def test_a_list_change_reads_in_the_mail_in_both_languages(db) -> None:
    from scheduler.messages import build_message

    announce(db, 7, files={"list.xls": xls_list(ROWS[:3])}, issued=dt.date(2022, 1, 28), effective=dt.date(2022, 3, 1))
    with db.session() as session:
        event = session.scalars(select(Event).where(Event.kind == "positive_list_changed")).one()
        message = build_message("k1", "alert", "ops", [event], lang="both")
    assert message.subject.startswith("[cbecwatch] 进口商品清单调整：")
    assert "新增3个税号（04029100 浓缩但未加糖的非固状乳及奶油" in message.text
    assert "3 tariff lines added (04029100" in message.text and "04029100" in message.html
