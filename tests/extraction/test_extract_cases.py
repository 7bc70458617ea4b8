"""End-to-end expectations on the corpus copies and the synthetic notices (data/cases.json)."""

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction.cli import run

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))


def _mismatches(got: dict[str, Any], expect: dict[str, Any]) -> list[tuple[Any, ...]]:
    bad: list[tuple[Any, ...]] = []
    for key, want in expect.items():
        if key == "figures":
            figures = {f["name"]: f["value"] for f in got["figures"]}
            bad += [(key, k, figures.get(k), v) for k, v in want.items() if figures.get(k) != v]
        elif key.endswith("_count"):
            if len(got[key[:-6]]) != want:
                bad.append((key, len(got[key[:-6]]), want))
        elif key == "cities_include":
            codes = {c["name"]: c["adcode"] for c in got["cities"]}
            bad += [(key, n, codes.get(n), a) for n, a in want.items() if codes.get(n) != a]
        elif key in ("cities", "removed_cities", "exempt_cities"):
            names = [c["name"] for c in got[key]]
            if names != want:
                bad.append((key, names, want))
        elif got.get(key) != want:
            bad.append((key, got.get(key), want))
    return bad


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_notice_facts_match_expected(case: dict[str, Any]) -> None:
    got = run(str(DATA / case["file"]), case.get("url"))
    assert _mismatches(got, case["expect"]) == []


def test_to_dict_has_the_public_keys_and_is_json_safe() -> None:
    got = run(str(DATA / "tax-2018-49.txt"), None)
    for key in ("title", "doc_number", "agencies", "issue_date", "publish_date", "effective_date", "kind",
                "cities", "figures", "customs_codes", "relevant"):
        assert key in got
    json.dumps(got, ensure_ascii=False)
    assert all(set(f) == {"name", "value", "unit"} for f in got["figures"])


def test_city_entries_carry_province_and_adcode() -> None:
    got = run(str(DATA / "cbecz-b2-2016-tianjin12.txt"), None)
    tianjin = {"name": "天津市", "province": "天津市", "adcode": "120000", "level": "province"}
    assert got["cities"][0] == tianjin
    assert got["cities"][3]["province"] == "安徽省" and got["cities"][3]["adcode"] == "340100"


def test_salutation_model_zone_and_chrome_are_not_cities() -> None:
    for name in ("cbecz-b2-2016-tianjin12.txt", "cbecz-b2-2016-tianjin12.html"):
        names = [c["name"] for c in run(str(DATA / name), None)["cities"]]
        assert "杭州市" not in names and "辽宁省" not in names and "四川省" not in names


def test_customs_districts_are_not_cities() -> None:
    got = run(str(DATA / "syn-gacc-2020-75-b2b.txt"), None)
    assert got["cities"] == []
    assert "黄埔海关" in got["customs_districts"] and "北京海关" in got["customs_districts"]
