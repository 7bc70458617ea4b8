"""Chinese full-text search (storage.search, ``cbecwatch search``) on SQLite and PostgreSQL.

Texts are the official or reconstructed notices of tests/extraction/data and tests/data (see the README
there for where each comes from); the short notices written inline are SYNTHETIC.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from storage.models import Notice
from storage.notices import NoticeRecord, save_notice
from storage.search import plain_snippet, query_units, rebuild_index, search_notices, snippet_html

DATA = Path(__file__).parent / "extraction" / "data"


def _official(path: Path) -> tuple[str, str]:
    """Title (first line after the source comment) and whole text of a stored test notice."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return lines[0].strip(), "\n".join(lines)


CORPUS = {
    "tianjin12": (DATA / "cbecz-b2-2016-tianjin12.txt", "国函〔2016〕17号", dt.date(2016, 1, 15)),
    "tax49": (DATA / "tax-2018-49.txt", "财关税〔2018〕49号", dt.date(2018, 11, 29)),
    "cities24": (Path(__file__).parent / "data" / "reply-2019-137-24cities.txt", "国函〔2019〕137号",
                 dt.date(2019, 12, 24)),
    "xiongan46": (DATA / "cbecz-b5-2020-xiongan46.txt", "国函〔2020〕47号", dt.date(2020, 5, 6)),
}


def _record(key: str, text_: str, title: str, doc_number: str | None, day: dt.date | None,
            source: str = "govcn") -> NoticeRecord:
    return NoticeRecord(source=source, url=f"https://www.gov.cn/test/{key}.htm", title=title, text=text_,
                        doc_number=doc_number, publish_date=day, kind="other")


@pytest.fixture
def corpus(db) -> dict[str, int]:
    """The four notices saved through save_notice, as the crawler saves them; their ids by key."""
    ids = {}
    with db.session() as session, session.begin():
        for key, (path, number, day) in CORPUS.items():
            title, body = _official(path)
            ids[key] = save_notice(session, _record(key, body, title, number, day)).notice_id
    return ids


def _ids(db, query: str, **kwargs) -> list[int]:
    with db.session() as session:
        return [hit.notice_id for hit in search_notices(session, query, **kwargs)]


def test_a_place_name_finds_the_notices_naming_it(db, corpus) -> None:
    assert _ids(db, "雄安新区") == [corpus["xiongan46"]]
    found = _ids(db, "石家庄")
    assert found == [corpus["cities24"]]
    with db.session() as session:
        hit = search_notices(session, "石家庄")[0]
    assert "<mark>石家庄</mark>" in hit.snippet_html and len(plain_snippet(hit.snippet_html)) <= 125
    assert hit.doc_number == "国函〔2019〕137号" and hit.score > 0


def test_a_document_number_puts_its_notice_first(db, corpus) -> None:
    found = _ids(db, "财关税〔2018〕49号")
    assert found[0] == corpus["tax49"]
    # other brackets and full-width digits are the same number
    assert _ids(db, "财关税[２０１８]49号")[0] == corpus["tax49"]
    # a number no notice has finds nothing, not every notice sharing its prefix or year
    assert _ids(db, "财关税〔2018〕4901号") == []


def test_a_traditional_character_query_finds_the_simplified_text(db, corpus) -> None:
    assert _ids(db, "跨境電子商務零售進口稅收政策")[0] == corpus["tax49"]
    assert _ids(db, "雄安新區") == [corpus["xiongan46"]]


def test_a_multi_word_query_ranks_the_more_relevant_notice_first(db, corpus) -> None:
    with db.session() as session, session.begin():
        # SYNTHETIC: mentions the words once, in passing; the tax notice is about them.
        save_notice(session, _record("passing", "会议纪要：与会人员提到零售进口一事，另议。", "会议纪要", None, None))
    found = _ids(db, "零售进口 税收")
    assert found[0] == corpus["tax49"]
    # every word must match while some notice has them all: the passing mention lacks 税收
    passing = _ids(db, "会议纪要")[0]
    assert passing not in found
    # no notice has both 雄安 and 纪要: the notices with either come back rather than nothing
    assert set(_ids(db, "雄安 纪要")) == {corpus["xiongan46"], passing}


@pytest.mark.parametrize(("hostile", "finds"), [
    ('"', False), ('")', False), ("(((", False), ("\x00", False), ("   ", False), ("〔〕、，。", False), ("", False),
    ("'; DROP TABLE notices; --", False), ("AND", False), ("NEAR", False),
    # the words among the syntax still count: each notice here is about 跨境电商
    ("NEAR(跨境 电子商务)", True), ("跨境*", True), ("-跨境", True), ("跨境 OR", True), ("title:跨境", True),
    ("^跨境", True), ("跨境 & | ! <->", True), ("跨境' OR '1'='1", True),
    ("跨境 " + "税收 " * 5000 + "(", True),  # a pasted page is cut to its first words
])
def test_hostile_query_syntax_is_harmless(db, corpus, hostile: str, finds: bool) -> None:
    with db.session() as session:
        hits = search_notices(session, hostile)
    assert bool(hits) is finds
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == len(CORPUS)


def test_a_revision_replaces_the_indexed_text(db, corpus) -> None:
    title, _ = _official(CORPUS["xiongan46"][0])
    with db.session() as session, session.begin():
        # SYNTHETIC revision of the page: the text now names another place
        result = save_notice(session, _record("xiongan46", "同意在鄂尔多斯市设立跨境电子商务综合试验区。", title,
                                              "国函〔2020〕47号", dt.date(2020, 5, 6)))
    assert result.outcome == "revised"
    assert _ids(db, "满洲里") == []  # in the old text only (雄安新区 is in the title too)
    assert _ids(db, "鄂尔多斯") == [corpus["xiongan46"]]
    # the title is indexed too, and a page that goes back to its first text is found by it again
    with db.session() as session, session.begin():
        save_notice(session, _record("xiongan46", _official(CORPUS["xiongan46"][0])[1], title,
                                     "国函〔2020〕47号", dt.date(2020, 5, 6)))
    assert _ids(db, "满洲里") == [corpus["xiongan46"]] and _ids(db, "鄂尔多斯") == []


def test_a_new_title_on_an_unchanged_text_is_indexed(db, corpus) -> None:
    path, number, day = CORPUS["tax49"]
    _, body = _official(path)
    with db.session() as session, session.begin():
        assert save_notice(session, _record("tax49", body, "新标题甲乙丙", number, day)).outcome == "unchanged"
    assert _ids(db, "甲乙丙") == [corpus["tax49"]]


def test_deleting_a_notice_deletes_its_index_row(db, corpus) -> None:
    with db.session() as session, session.begin():
        session.execute(delete(Notice).where(Notice.id == corpus["xiongan46"]))
    assert _ids(db, "雄安新区") == []
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM notice_search")).scalar() == len(CORPUS) - 1


def test_filters_and_paging_narrow_the_hits(db, corpus) -> None:
    everything = _ids(db, "跨境电子商务综合试验区", limit=50)
    assert {corpus["tianjin12"], corpus["cities24"], corpus["xiongan46"]} <= set(everything)
    assert _ids(db, "跨境电子商务综合试验区", since=dt.date(2019, 1, 1)) == [
        i for i in everything if i in (corpus["cities24"], corpus["xiongan46"])]
    assert _ids(db, "跨境电子商务综合试验区", source="mofcom") == []
    assert _ids(db, "跨境电子商务综合试验区", limit=1, offset=1) == everything[1:2]
    assert _ids(db, "跨境电子商务综合试验区", offset=len(everything)) == []


def test_rebuild_indexes_every_notice_again(db, corpus) -> None:
    with db.session() as session, session.begin():
        session.execute(text("DELETE FROM notice_search"))
    assert _ids(db, "雄安新区") == []
    with db.session() as session, session.begin():
        assert rebuild_index(session) == len(CORPUS)
    assert _ids(db, "雄安新区") == [corpus["xiongan46"]]


def test_snippet_is_escaped_and_marks_the_words_as_written() -> None:
    body = "前言" * 40 + "<script>alert(1)</script> 關於跨境電子商務的 Cross-Border 通知"
    html_ = snippet_html(body, query_units("跨境电子商务 cross"))
    assert "<script>" not in html_ and "&lt;script&gt;" in html_
    assert "<mark>跨境</mark>" in html_ or "<mark>跨境電子商務</mark>" in html_
    assert "<mark>Cross</mark>" in html_ and html_.startswith("…")


def test_cli_search_after_a_crawl_of_the_mirror(cli, mirror) -> None:
    assert cli("crawl", "--source", "govcn", "--mirror", mirror.url).returncode == 0
    result = cli("search", "跨境电子商务综合试验区", "--json", "--limit", "3")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert 1 <= len(rows) <= 3 and [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert all("<mark>" in row["snippet_html"] and "【" in row["snippet"] for row in rows)
    printed = cli("search", "跨境电子商务综合试验区", "--limit", "1")
    assert printed.returncode == 0 and printed.stdout.startswith("  1. #") and "【" in printed.stdout
    rebuilt = cli("search", "--reindex")
    assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("search index rebuilt: ")
    assert cli("search", "〔〕").stdout.strip() == "no stored notice matches '〔〕'"
    missing = cli("search")
    assert missing.returncode == 2 and "needs a QUERY" in missing.stderr


def test_reparse_makes_a_missing_index_whole_again(db, corpus) -> None:
    from crawler.facts import reparse

    with db.session() as session, session.begin():
        session.execute(text("DELETE FROM notice_search"))
    with db.session() as session, session.begin():
        reparse(session)
    assert _ids(db, "雄安新区") == [corpus["xiongan46"]]


def test_upgrading_a_database_with_notices_indexes_them(db, corpus) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, upgrade

    cfg = alembic_config(db.engine)
    # the revision before the one that made the index (found by file name: revisions get renumbered)
    mine = next(r for r in ScriptDirectory.from_config(cfg).walk_revisions() if r.path.endswith("_notice_search.py"))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, str(mine.down_revision))
    with db.engine.connect() as conn:
        assert "notice_search" not in {name for (name,) in conn.execute(text(
            "SELECT name FROM sqlite_master" if db.engine.dialect.name == "sqlite" else
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))}
    upgrade(db.engine)
    assert _ids(db, "雄安新区") == [corpus["xiongan46"]]
    with db.session() as session, session.begin():  # and the delete trigger / foreign key is back
        session.execute(delete(Notice).where(Notice.id == corpus["xiongan46"]))
    assert _ids(db, "雄安新区") == []
