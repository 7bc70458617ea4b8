"""Storage round trips on SQLite and PostgreSQL: notices, versions, facts, timestamps, migrations."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest
from sqlalchemy import select

from storage.db import current_revision, dialect_name, head_revision, table_names, upgrade
from storage.models import Fact, Notice, NoticeVersion
from storage.notices import NoticeRecord, content_hash, doc_number_key, raw_html_of, save_notice

CHINA = dt.timezone(dt.timedelta(hours=8))


def record(text: str = "一、同意在天津市设立跨境电子商务综合试验区。", **overrides: object) -> NoticeRecord:
    values: dict[str, object] = {
        "source": "govcn", "url": "https://www.gov.cn/zhengce/content/2016-01/15/content_5033282.htm",
        "title": "国务院关于同意在天津等12个城市设立跨境电子商务综合试验区的批复", "text": text,
        "site_id": "5033282", "doc_number": "国函〔2016〕17号", "agencies": ["国务院"],
        "issue_date": dt.date(2016, 1, 12), "publish_date": dt.date(2016, 1, 15),
        "site_published_at": dt.datetime(2016, 1, 15, 17, 30, tzinfo=CHINA), "raw_html": "<p>页面</p>".encode(),
        "extraction": {"cities": [{"name": "天津市", "province": "天津市", "adcode": "120000"}],
                       "figures": [{"name": "zones_added", "value": 12, "unit": "个"}], "customs_codes": []},
    }
    values.update(overrides)
    return NoticeRecord(**values)  # type: ignore[arg-type]




def test_migrations_create_every_table_and_stop_at_head(db) -> None:
    assert {"sources", "crawl_runs", "source_runs", "notices", "notice_versions", "facts"} <= set(
        table_names(db.engine))
    assert current_revision(db.engine) == head_revision(db.engine)
    upgrade(db.engine)  # a second upgrade is a no-op
    assert current_revision(db.engine) == head_revision(db.engine)


def test_every_mapped_table_is_made_by_the_migrations(db) -> None:
    from storage.schema import metadata

    assert {"notices", "events", "deliveries", "attachments", "notice_places"} <= set(metadata.tables)
    assert set(metadata.tables) <= set(table_names(db.engine))


def test_dialect_name_answers_alike_for_engine_connection_and_session(db, database_url: str) -> None:
    # the storage modules branch on it; an engine, a bare connection and a session must all name the database
    expected = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with db.engine.connect() as conn, db.session() as session:
        assert {dialect_name(db.engine), dialect_name(conn), dialect_name(session)} == {expected}


def test_new_notice_is_stored_with_its_version_and_facts(db) -> None:
    with db.session() as session, session.begin():
        result = save_notice(session, record())
    assert result.outcome == "new" and result.version_number == 1
    with db.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.doc_number_key == "国函〔2016〕17号"
        assert notice.site_published_at == dt.datetime(2016, 1, 15, 9, 30, tzinfo=dt.UTC)
        version = notice.versions[0]
        assert raw_html_of(version) == "<p>页面</p>".encode()
        assert zlib.decompress(version.raw_html or b"") == "<p>页面</p>".encode()
        assert [(f.kind, f.name, f.adcode) for f in version.facts][:1] == [("city", "天津市", "120000")]
        assert any(f.kind == "figure" and f.value == "12" for f in version.facts)


def test_same_text_again_is_unchanged_and_edited_text_is_a_revision(db) -> None:
    with db.session() as session, session.begin():
        save_notice(session, record())
    with db.session() as session, session.begin():
        # full-width digits and extra spaces normalise away: not a revision
        again = save_notice(session, record("一、同意在天津市设立跨境电子商务综合试验区。  "))
    assert again.outcome == "unchanged"
    with db.session() as session, session.begin():
        revised = save_notice(session, record("一、同意在天津市、上海市设立跨境电子商务综合试验区。"))
    assert revised.outcome == "revised" and revised.version_number == 2
    with db.session() as session, session.begin():
        back = save_notice(session, record())
    assert back.outcome == "revised" and back.version_number == 1 and back.previous_number == 2
    with db.session() as session, session.begin():
        # the reverted text seen again is unchanged, not another revision
        steady = save_notice(session, record())
    assert steady.outcome == "unchanged" and steady.version_number == 1
    with db.session() as session:
        assert session.query(NoticeVersion).count() == 2
        assert session.query(Fact).filter(Fact.kind == "city").count() == 2


def test_naive_timestamps_are_refused(db) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as session, session.begin():
        save_notice(session, record(site_published_at=dt.datetime(2016, 1, 15, 17, 30)))


def test_hash_ignores_width_and_whitespace_but_not_edits() -> None:
    assert content_hash("限值３３元 ") == content_hash("限值33元")
    assert content_hash("限值33元") != content_hash("限值34元")


@pytest.mark.parametrize(
    "raw", ["国函[2016]17号", "国函［2016］17号", "国函﹝2016﹞17号", "国函【2016】17号", "国函 〔2016〕 17号"])
def test_document_number_brackets_fold_to_the_standard_form(raw: str) -> None:
    assert doc_number_key(raw) == "国函〔2016〕17号"


def test_processes_opening_a_new_database_together_migrate_it_once(database_url: str) -> None:
    """The daemon, its crawl child and a CLI command may all open a new database at the same
    moment; each must find a complete schema, none may fail on a table another one created."""
    import subprocess
    import sys
    import time

    start_at = time.time() + 3.0  # all children wait for this instant after their imports
    program = (
        "import sys, time\n"
        "from storage.db import open_database, current_revision, head_revision\n"
        f"time.sleep(max(0.0, {start_at} - time.time()))\n"
        "db = open_database(sys.argv[1])\n"
        "assert current_revision(db.engine) == head_revision(db.engine)\n"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", program, database_url], stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    failures = [child.stderr.read() for child in children if child.wait(timeout=120) != 0]
    assert not failures, failures[0]
