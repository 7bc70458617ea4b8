"""The pilot-zone registry on day one (shipped history), its exports, and what crawled replies do to it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import MirrorServer
from storage.registry_seed import RegistryDataError, parse, shipped_batches

AS_OF = {"2015-12-31": 1, "2016-12-31": 13, "2018-12-31": 35, "2019-12-31": 59, "2020-12-31": 105,
         "2022-02-28": 132, "2022-12-31": 165, "2025-04-24": 165, "2025-12-31": 165 + 16 - 3}
REVOKED_2025 = {"海口市", "三亚市", "阿拉山口市"}


def zones(cli: Any, *args: str) -> list[dict[str, Any]]:
    result = cli("zones", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fresh_install_answers_the_official_totals_before_any_crawl(upgraded_cli: Any) -> None:
    cli = upgraded_cli  # `db upgrade`, then zones: no crawl
    for day, total in AS_OF.items():
        assert len(zones(cli, "--as-of", day)) == total, day
    in_2019 = zones(cli, "--as-of", "2019-12-31")
    assert {z["origin"] for z in in_2019} == {"shipped"} and not any(z["confirmed"] for z in in_2019)
    yiwu = next(z for z in in_2019 if z["name"] == "义乌市")
    assert (yiwu["province"], yiwu["adcode"], yiwu["batch"]) == ("浙江省", "330782", 3)
    names = {day: {z["name"] for z in zones(cli, "--as-of", day)} for day in ("2025-04-24", "2025-04-25")}
    assert names["2025-04-24"] >= REVOKED_2025 and not REVOKED_2025 & names["2025-04-25"]  # revoked on publication
    assert {"海南全岛", "博尔塔拉蒙古自治州"} <= names["2025-04-25"] - names["2025-04-24"]
    last = json.loads(cli("zones", "--batches", "--json").stdout)[-1]
    assert (last["batch"], last["doc_number"], len(last["added"])) == (8, "国函〔2025〕40号", 16)
    assert set(last["removed"]) == REVOKED_2025 and last["complete"] and last["unnamed"] == 0


def test_every_shipped_batch_cites_evidence_and_names_gazetteer_places() -> None:
    batches = [b for b in shipped_batches() if b.program == "cbec_zone"]
    assert [len(b.places) for b in batches] == [1, 12, 22, 24, 46, 27, 33, 16]
    assert all(b.evidence and all(p.adcode for p in b.places) for b in batches)
    assert [b.date.isoformat() for b in batches if b.date] == sorted(b.date.isoformat() for b in batches if b.date)
    assert {b.doc_number for b in batches if b.single_source} == {"国函〔2019〕137号", "国函〔2022〕126号",
                                                                  "国函〔2025〕40号"}
    assert {p.name for p in batches[-1].revoked} == REVOKED_2025 and all(b.complete for b in batches)


def test_bad_registry_data_is_refused_in_one_line() -> None:
    text = ('programme = "cbec_zone"\n[evidence.x]\nwhat = "y"\n'
            '[[batch]]\ntitle = "t"\nplaces = ["不存在市"]\nevidence = ["x"]\n')
    with pytest.raises(RegistryDataError, match="'不存在市' is not in the gazetteer"):
        parse(text, "bad.toml")
    with pytest.raises(RegistryDataError, match="unknown evidence"):
        parse(text.replace('evidence = ["x"]', 'evidence = ["z"]').replace("不存在市", "杭州市"), "bad.toml")
    good = text.replace("不存在市", "杭州市")
    with pytest.raises(RegistryDataError, match="count must be a whole number of places, at least the 1 listed"):
        parse(good + "count = 0\n", "bad.toml")
    with pytest.raises(RegistryDataError, match="2 places unnamed, yet complete"):
        parse(good + "count = 3\ncomplete = true\n", "bad.toml")
    with pytest.raises(RegistryDataError, match="both added and revoked"):
        parse(good + 'revoked = ["杭州市"]\n', "bad.toml")
    (counted,) = parse(good + "count = 3\n", "ok.toml")
    assert (counted.unnamed, counted.complete) == (2, False)


def test_a_revocation_must_end_a_place_an_earlier_entry_added() -> None:
    from storage.registry_seed import _check_revocations

    text = ('programme = "cbec_zone"\n[evidence.x]\nwhat = "y"\n'
            '[[batch]]\ntitle = "a"\nissue_date = 2020-01-01\nplaces = ["杭州市"]\nevidence = ["x"]\n'
            '[[batch]]\ntitle = "b"\nissue_date = 2021-01-01\nplaces = ["宁波市"]\nrevoked = ["{gone}"]\n'
            'evidence = ["x"]\n')
    _check_revocations(parse(text.format(gone="杭州市"), "ok.toml"))
    with pytest.raises(RegistryDataError, match="revokes \\['温州市'\\], which no earlier entry added"):
        _check_revocations(parse(text.format(gone="温州市"), "bad.toml"))


def test_csv_and_geojson_exports_carry_province_adcode_batch_and_programme(upgraded_cli: Any) -> None:
    cli = upgraded_cli
    rows = list(csv.DictReader(io.StringIO(cli("zones", "--csv", "--as-of", "2016-12-31").stdout)))
    assert len(rows) == 13
    assert rows[0] == {"program": "cbec_zone", "batch": "1", "name": "杭州市", "name_en": "Hangzhou",
                       "province": "浙江省", "province_en": "Zhejiang Province", "adcode": "330100",
                       "doc_number": "国函〔2015〕44号", "since": "2015-03-07",
                       "origin": "shipped", "confirmed": "False", "unverified": "False"}
    collection = json.loads(cli("zones", "--geojson", "--as-of", "2020-12-31").stdout)
    assert collection["type"] == "FeatureCollection" and "ships no coordinates" in collection["note"]
    assert len(collection["features"]) == 105
    xiongan = next(f for f in collection["features"] if f["properties"]["name"] == "雄安新区")
    assert xiongan["type"] == "Feature" and xiongan["geometry"] is None  # no data file names it: no guess
    hangzhou = next(f for f in collection["features"] if f["properties"]["name"] == "杭州市")
    lon, lat = hangzhou["geometry"]["coordinates"]  # pyecharts (a dependency) names it: the map's own point
    assert hangzhou["geometry"]["type"] == "Point" and 119 < lon < 121 and 29 < lat < 31
    assert "pyecharts" in collection["coordinates_source"]
    assert {k: xiongan["properties"][k] for k in ("province", "adcode", "batch", "program")} == {
        "province": "河北省", "adcode": "130000", "batch": 5, "program": "cbec_zone"}
    refused = cli("zones", "--batches", "--csv")
    assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1


def reply(mirror_root: Path, ident: str, number: str, title: str, issued: str, posted: str, places: str) -> None:
    """Add a State Council reply to the govcn mirror (synthetic: only its number, date and places matter)."""
    body = mirror_root / "govcn" / "bodies" / f"{ident}.txt"
    body.write_text(f"# SYNTHETIC test body\n{number}\n河北省人民政府，商务部：\n"
                    f"你们关于设立跨境电子商务综合试验区的请示收悉。现批复如下：\n"
                    f"一、同意在{places}设立跨境电子商务综合试验区。\n", "utf-8")
    path = mirror_root / "govcn" / "notices.json"
    notices = json.loads(path.read_text("utf-8"))
    page = f"/zhengce/content/{posted[:7]}/{posted[8:]}/content_{ident}.htm"
    notices.append({"id": ident, "library": "gw", "path": page,
                    "title": title, "pcode": number, "puborg": "国务院", "issue_date": issued, "publish_date": posted,
                    "firstpublished": f"{posted}-10:00:00", "body": f"bodies/{ident}.txt"})
    path.write_text(json.dumps(notices, ensure_ascii=False), "utf-8")


@pytest.mark.slow
def test_batch_numbers_follow_the_programme_not_the_crawl_and_a_contradiction_is_an_admin_event(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    assert cli("crawl", "--source", "govcn", "--mirror", mirror.url).returncode == 0
    # crawled after batches 2 and 5, yet dated 2026: the ninth document of the programme, not the third
    reply(mirror_root, "5999999", "国函〔2026〕99号", "国务院关于同意在衡水等1个城市设立跨境电子商务综合试验区的批复",
          "2026-11-20", "2026-11-23", "衡水市")
    # batch 7's number with only two of its 33 places: the shipped list stands, an admin hears of it
    reply(mirror_root, "5728411", "国函〔2022〕126号",
          "国务院关于同意在廊坊等33个城市和地区设立跨境电子商务综合试验区的批复", "2022-11-14", "2022-11-24",
          "廊坊市、沧州市")
    result = cli("crawl", "--source", "govcn", "--mirror", mirror.url)
    assert "2 new" in result.stdout, result.stdout + result.stderr

    numbered = {b["doc_number"]: b for b in json.loads(cli("zones", "--batches", "--json").stdout)}
    assert numbered["国函〔2026〕99号"]["batch"] == 9 and numbered["国函〔2026〕99号"]["added"] == ["衡水市"]
    assert numbered["国函〔2026〕99号"]["origin"] == "crawled"
    assert (numbered["国函〔2022〕126号"]["batch"], len(numbered["国函〔2022〕126号"]["added"])) == (7, 33)
    assert numbered["国函〔2022〕126号"]["notice_id"] is None  # not confirmed by a page that disagrees
    assert len(zones(cli, "--as-of", "2022-12-31")) == 165
    assert next(z for z in zones(cli, "--as-of", "2026-12-31") if z["name"] == "衡水市")["batch"] == 9

    conflicts = [e for e in json.loads(cli("events", "--json").stdout) if e["kind"] == "registry_conflict"]
    assert len(conflicts) == 1 and conflicts[0]["doc_number"] == "国函〔2022〕126号"
    assert cli("reparse").returncode == 0  # rebuilding again announces nothing new
    assert len([e for e in json.loads(cli("events", "--json").stdout) if e["kind"] == "registry_conflict"]) == 1


def place(name: str) -> dict[str, str | None]:
    from storage.registry_seed import resolve_place

    found = resolve_place(name)
    return {"name": found.name, "province": found.province, "adcode": found.adcode}


def save_reply(db: Any, ident: int, title: str, day: str, cities: list[str], removed: list[str] = (),
               number: str | None = None) -> None:
    import datetime as dt

    from storage.notices import NoticeRecord, save_notice

    extraction = {"cities": [place(c) for c in cities], "removed_cities": [place(c) for c in removed],
                  "customs_codes": []}
    with db.session() as session, session.begin():
        save_notice(session, NoticeRecord(source="govcn", url=f"https://www.gov.cn/zhengce/content/{ident}.htm",
                                          title=title, text=f"正文{ident}", doc_number=number,
                                          publish_date=dt.date.fromisoformat(day), kind="pilot_zone_batch",
                                          extraction=extraction))


def registry(db: Any, day: str) -> list[Any]:
    import datetime as dt

    from storage.registry import rebuild_registry
    from storage.registry import zones as in_force

    with db.session() as session, session.begin():
        rebuild_registry(session)
        return [(z.name, z.batch, z.notice_id is not None) for z in in_force(session, None, dt.date.fromisoformat(day))]


def test_a_crawled_copy_of_the_2025_reply_confirms_its_list_and_revocations(db: Any) -> None:
    shipped = shipped_batches()[7]
    save_reply(db, 1, shipped.title, "2025-04-25", [p.name for p in shipped.places],
               [p.name for p in shipped.revoked], number=shipped.doc_number)
    in_2025 = registry(db, "2025-12-31")
    assert len(in_2025) == 178 and ("邵阳市", 8, True) in in_2025
    assert not {z[0] for z in in_2025} & REVOKED_2025
    assert ("海口市", 3, False) in registry(db, "2025-04-24")
    assert not conflicts(db)


def test_a_copy_of_the_2025_reply_with_other_revocations_is_a_conflict_and_the_shipped_ones_stand(db: Any) -> None:
    shipped = shipped_batches()[7]
    # SYNTHETIC misreading: 义乌市 in place of 阿拉山口市
    save_reply(db, 1, shipped.title, "2025-04-25", [p.name for p in shipped.places], ["海口市", "三亚市", "义乌市"],
               number=shipped.doc_number)
    in_2025 = {z[0] for z in registry(db, "2025-12-31")}
    assert "义乌市" in in_2025 and not in_2025 & REVOKED_2025
    (event,) = conflicts(db)
    assert (event.data["missing"], event.data["extra"]) == ([], [])
    assert event.data["crawled_revoked"] == ["海口市", "三亚市", "义乌市"]
    assert set(event.data["shipped_revoked"]) == REVOKED_2025


def test_a_crawled_reply_the_data_does_not_know_applies_its_revocations(db: Any) -> None:
    # SYNTHETIC 2026 reply: adds 衡水市 and revokes 义乌市
    save_reply(db, 2, "国务院关于同意在衡水等1个城市设立跨境电子商务综合试验区的批复", "2026-05-01", ["衡水市"],
               ["义乌市"], number="国函〔2026〕1号")
    in_2026 = registry(db, "2026-12-31")
    assert len(in_2026) == 178 + 1 - 1 and ("衡水市", 9, True) in in_2026
    assert ("义乌市", 3, False) in registry(db, "2026-04-30")


def test_a_registry_seeded_from_older_data_gains_the_new_entries_and_revocations_on_first_use(db: Any) -> None:
    import datetime as dt

    from sqlalchemy import delete, update

    from storage.registry import PilotZone, ensure_registry, rebuild_registry
    from storage.registry import zones as in_force

    with db.session() as session, session.begin():  # what a registry seeded before batch 8 was shipped held
        rebuild_registry(session)
        session.execute(delete(PilotZone).where(PilotZone.batch == 8, PilotZone.program == "cbec_zone"))
        session.execute(update(PilotZone).values(removed_on=None))
    with db.session() as session, session.begin():
        assert len(in_force(session, None, dt.date(2025, 12, 31))) == 165
        ensure_registry(session)
        assert len(in_force(session, None, dt.date(2025, 12, 31))) == 178


def conflicts(db: Any) -> list[Any]:
    from sqlalchemy import select

    from storage.models_alerts import Event

    with db.session() as session:
        return list(session.scalars(select(Event).where(Event.kind == "registry_conflict")))


def test_a_copy_whose_places_were_not_found_neither_confirms_nor_contradicts(db: Any) -> None:
    from sqlalchemy import select

    from storage.models_alerts import Event

    save_reply(db, 2, "国务院关于同意在天津等12个城市设立跨境电子商务综合试验区的批复", "2016-01-15", [],
               number="国函〔2016〕17号")
    in_2016 = registry(db, "2016-12-31")
    assert len(in_2016) == 13 and not any(confirmed for _, _, confirmed in in_2016)
    with db.session() as session:
        assert not session.scalars(select(Event).where(Event.kind == "registry_conflict")).all()


def test_an_upgraded_database_with_only_crawled_rows_is_seeded_on_first_use(db: Any) -> None:
    import datetime as dt

    from storage.registry import PilotZone, ensure_registry
    from storage.registry import zones as in_force

    with db.session() as session, session.begin():  # what a 0008 registry held: crawled rows only
        session.add(PilotZone(program="cbec_zone", name="天津市", batch=1, origin="crawled"))
    with db.session() as session, session.begin():
        ensure_registry(session)
        assert len(in_force(session, None, dt.date(2019, 12, 31))) == 59


def test_points_come_from_cpca_data_only_for_the_place_the_row_names(tmp_path: Path) -> None:
    from cbecwatch.zone_points import point

    table = tmp_path / "adcodes.csv"  # cpca's resources/adcodes.csv layout; values made up for the test
    table.write_text("adcode,name,longitude,latitude\n330782000000,义乌市,120.1,29.3\n"
                     "130000000000,河北省,114.5,38.0\nbad,row,x,y\n", "utf-8")
    assert point("义乌市", "330782", table) == {"type": "Point", "coordinates": [120.1, 29.3]}
    assert point("雄安新区", "130000", table) is None  # the province's centre is not the new area's
    assert point("杭州市", "330100", table) is None  # not in the data: no point rather than a guess
