"""The retail-import pilot cities shipped by expansion, and what crawled retail-import notices do to them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from storage.registry_seed import RegistryDataError, parse, shipped_batches

# What the shipped evidence reaches (the official totals are 10, 15, 37, then 86 + 海南全岛: only 石家庄市,
# 南通市 and 海南全岛 of the 2020 expansion's 51 places were found named, so 2020 on is 37 + 3, and 48
# are reported as unnamed).
RETAIL_AS_OF = {"2016-04-30": 0, "2016-12-31": 10, "2017-12-31": 10, "2018-12-31": 15, "2019-12-31": 37,
                "2020-12-31": 40, "2022-12-31": 40}
NUMBER_2018, NUMBER_2020, NUMBER_2021 = "商财发〔2018〕486号", "商财发〔2020〕15号", "商财发〔2021〕39号"


def retail_batches() -> list[Any]:
    return [b for b in shipped_batches() if b.program == "retail_import"]


def save_retail_notice(db: Any, ident: int, title: str, cities: list[str], *, number: str | None = None,
                       issued: str | None = None) -> None:
    """A crawled retail-import notice (synthetic: only its number, date and places matter)."""
    from storage.notices import NoticeRecord, save_notice
    from storage.registry_seed import resolve_place

    places = [resolve_place(c) for c in cities]
    extraction = {"cities": [{"name": p.name, "province": p.province, "adcode": p.adcode} for p in places],
                  "removed_cities": [], "customs_codes": []}
    with db.session() as session, session.begin():
        save_notice(session, NoticeRecord(
            source="govcn", url=f"https://www.gov.cn/zhengce/zhengceku/retail-{ident}.htm", title=title,
            text=f"SYNTHETIC 正文{ident}", doc_number=number, kind="retail_import_pilot",
            issue_date=dt.date.fromisoformat(issued) if issued else None, extraction=extraction))


def rebuilt(db: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    """The retail places in force per RETAIL_AS_OF date, and the programme's batches, after a rebuild."""
    from storage.registry import batches, rebuild_registry, zones

    with db.session() as session, session.begin():
        rebuild_registry(session)
        in_force = {day: [(z.name, z.province, z.adcode, z.batch, z.added_on, z.notice_id is not None)
                          for z in zones(session, "retail_import", dt.date.fromisoformat(day))]
                    for day in RETAIL_AS_OF}
        return in_force, batches(session, "retail_import")


def conflicts(db: Any) -> list[Any]:
    from sqlalchemy import select

    from storage.models_alerts import Event

    with db.session() as session:
        return list(session.scalars(select(Event).where(Event.kind == "registry_conflict")))


def test_a_fresh_database_knows_the_retail_cities_of_each_expansion(db: Any) -> None:
    in_force, summaries = rebuilt(db)
    assert {day: len(rows) for day, rows in in_force.items()} == RETAIL_AS_OF
    in_2020 = {row[0]: row for row in in_force["2020-12-31"]}
    assert in_2020["平潭综合实验区"][:5] == ("平潭综合实验区", "福建省", "350128", 1, dt.date(2016, 5, 11))
    assert in_2020["合肥市"][:5] == ("合肥市", "安徽省", "340100", 2, dt.date(2018, 1, 1))
    assert in_2020["义乌市"][:5] == ("义乌市", "浙江省", "330782", 3, dt.date(2019, 1, 1))
    assert in_2020["海南全岛"][:5] == ("海南全岛", "海南省", "460000", 4, dt.date(2020, 1, 17))
    assert not any(row[5] for row in in_force["2020-12-31"])  # shipped only, no crawl confirmed them
    assert [(b.batch, b.doc_number, len(b.added)) for b in summaries] == [
        (1, None, 10), (2, None, 5), (3, NUMBER_2018, 22), (4, NUMBER_2020, 3), (5, NUMBER_2021, 0)]
    assert "综合保税区" in (summaries[-1].scope_rule or "") and summaries[3].complete is False
    assert (summaries[3].unnamed, summaries[2].unnamed) == (48, 0)


def test_every_retail_entry_cites_evidence_and_the_2021_rule_names_no_city() -> None:
    entries = retail_batches()
    assert [len(b.places) for b in entries] == [10, 5, 37, 3, 0]
    assert [(b.count, b.unnamed) for b in entries][3] == (51, 48)
    assert all(b.evidence and all(p.adcode for p in b.places) for b in entries)
    assert [b.date for b in entries] == sorted(b.date for b in entries if b.date)
    rule = entries[-1]
    assert (rule.doc_number, rule.places, rule.effective_date) == (NUMBER_2021, (), dt.date(2021, 3, 22))
    earlier = {p.key for b in entries[:2] for p in b.places}
    assert earlier <= {p.key for p in entries[2].places}  # the 2018 notice restates the 15 earlier cities
    assert [b.title for b in entries if b.single_source] == ["商务部等六部门关于扩大跨境电商零售进口试点的通知"]


def test_a_scope_rule_entry_with_places_or_an_entry_with_neither_is_refused() -> None:
    head = 'programme = "retail_import"\n[evidence.x]\nwhat = "y"\n[[batch]]\ntitle = "t"\nevidence = ["x"]\n'
    with pytest.raises(RegistryDataError, match="a scope_rule entry names no places"):
        parse(head + 'scope_rule = "r"\nplaces = ["杭州市"]\n', "bad.toml")
    with pytest.raises(RegistryDataError, match="needs a title and places"):
        parse(head + "places = []\n", "bad.toml")


def test_a_crawled_copy_of_the_2018_notice_confirms_it(db: Any) -> None:
    shipped = [p.name for p in retail_batches()[2].places]
    title = retail_batches()[2].title
    save_retail_notice(db, 1, title, shipped, number=NUMBER_2018, issued="2018-11-28")
    in_force, _ = rebuilt(db)
    confirmed = {row[0] for row in in_force["2019-12-31"] if row[5]}
    assert "北京市" in confirmed and len(confirmed) == 22  # the 15 earlier ones keep their own entries
    assert not conflicts(db)


def test_a_crawled_2018_notice_naming_other_places_is_a_conflict_and_the_shipped_list_stands(db: Any) -> None:
    shipped = [p.name for p in retail_batches()[2].places]
    save_retail_notice(db, 2, retail_batches()[2].title, [*shipped[:-1], "衡水市"], number=NUMBER_2018,
                       issued="2018-11-28")
    in_force, _ = rebuilt(db)
    assert len(in_force["2019-12-31"]) == 37  # the shipped list stands
    (event,) = conflicts(db)
    assert (event.data["missing"], event.data["extra"]) == (["义乌市"], ["衡水市"])


@pytest.mark.parametrize("number", [NUMBER_2020, None])
def test_the_2020_notice_is_matched_by_number_or_date_and_completes_the_partial_list(db: Any, number: Any) -> None:
    # SYNTHETIC list: the real 50 were not found; 盐城市 and 株洲市 stand in for the other 48.
    official_form = "商务部 发展改革委 财政部 海关总署 税务总局 市场监管总局关于扩大跨境电商零售进口试点的通知"
    save_retail_notice(db, 3, official_form, ["石家庄市", "南通市", "盐城市", "株洲市", "海南全岛"], number=number,
                       issued="2020-01-17")
    in_force, summaries = rebuilt(db)
    assert len(in_force["2020-12-31"]) == 37 + 5 and len(summaries) == 5  # no extra batch from the crawl
    assert ("株洲市", "湖南省", "430200", 4, dt.date(2020, 1, 17), True) in in_force["2020-12-31"]
    assert summaries[3].unnamed == 51 - 5 and not summaries[3].complete  # a short copy says no more than it names
    assert not conflicts(db)


def test_a_2020_copy_missing_a_shipped_name_is_a_conflict(db: Any) -> None:
    save_retail_notice(db, 6, retail_batches()[3].title, ["南通市", "株洲市", "海南全岛"], number=NUMBER_2020,
                       issued="2020-01-17")
    in_force, _ = rebuilt(db)
    assert len(in_force["2020-12-31"]) == 40
    assert [e.data["missing"] for e in conflicts(db)] == [["石家庄市"]]


def test_the_2021_rule_is_confirmed_by_a_copy_naming_no_city(db: Any) -> None:
    title = retail_batches()[-1].title
    save_retail_notice(db, 4, title, [], number=NUMBER_2021, issued="2021-03-18")
    _, summaries = rebuilt(db)
    assert summaries[-1].notice_id is not None and summaries[-1].added == []
    assert not conflicts(db)


def test_a_crawled_2021_notice_naming_cities_contradicts_the_rule(db: Any) -> None:
    save_retail_notice(db, 5, retail_batches()[-1].title, ["衡水市"], number=NUMBER_2021, issued="2021-03-18")
    in_force, summaries = rebuilt(db)
    assert len(in_force["2022-12-31"]) == 40 and summaries[-1].added == []
    assert [e.data["extra"] for e in conflicts(db)] == [["衡水市"]]


def test_zones_answers_the_comprehensive_zones_unless_another_programme_is_asked(cli: Any) -> None:
    def count(*args: str) -> int:
        result = cli("zones", "--json", *args)
        assert result.returncode == 0, result.stderr
        return len(json.loads(result.stdout))

    assert count("--as-of", "2019-12-31") == 59
    assert count("--program", "retail_import", "--as-of", "2019-12-31") == 37
    assert count("--program", "all", "--as-of", "2019-12-31") == 59 + 37
    partial = cli("zones", "--program", "retail_import", "--as-of", "2020-12-31")
    assert f"48 places of {NUMBER_2020} (in force from 2020-01-17) are not named by any source" in partial.stderr
    assert "海南全岛" in partial.stdout and "石家庄市" in partial.stdout
    assert "not named" not in cli("zones", "--program", "retail_import", "--as-of", "2019-12-31").stderr
    printed = cli("zones", "--program", "retail_import", "--batches").stdout
    assert (f"batch 4 ({NUMBER_2020}, 2020-01-17): +3 石家庄市、南通市、海南全岛 "
            "(+48 not named by any source found); total 40 named of 88") in printed
    assert f"batch 3 ({NUMBER_2018}, 2018-11-28): +22 " in printed and "; total 37\n" in printed
    assert f"batch 5 ({NUMBER_2021}, 2021-03-18): +0; scope by rule, no places named: 所有自贸试验区" in printed
    batches_json = json.loads(cli("zones", "--program", "retail_import", "--batches", "--json").stdout)
    assert [b["unnamed"] for b in batches_json] == [0, 0, 0, 48, 0]
    # 商财发〔2020〕15号 counts 51 places and names 3: the running total says both, never 40 as if whole
    assert [(b["total_named"], b["total"]) for b in batches_json] == [(10, 10), (15, 15), (37, 37), (40, 88), (40, 88)]


def test_a_registry_seeded_before_the_retail_data_was_shipped_gains_it_on_first_use(db: Any) -> None:
    from sqlalchemy import delete

    from storage.registry import PilotZone, ensure_registry, rebuild_registry, zones

    with db.session() as session, session.begin():  # what an installation seeded with cbec_zones.toml alone held
        rebuild_registry(session)
        session.execute(delete(PilotZone).where(PilotZone.program == "retail_import"))
    with db.session() as session, session.begin():
        ensure_registry(session)
        assert len(zones(session, "retail_import", dt.date(2019, 12, 31))) == 37
        assert len(zones(session, None, dt.date(2019, 12, 31))) == 59
