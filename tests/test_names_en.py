"""English place names: the pinyin rule, every reviewed exception, and every place the extractor can return."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from storage.names_en import (
    EXCEPTIONS,
    STEM_EXCEPTIONS,
    bilingual,
    by_rule,
    pinyin_word,
    place_name_en,
    province_en,
    with_english,
)

DATA = Path(__file__).resolve().parent.parent / "crawler" / "extraction" / "data"
REPLY_2019 = Path(__file__).parent / "data" / "reply-2019-137-24cities.txt"
#: 国函〔2019〕137号 as an English-language report names its 24 cities
CITIES_2019_EN = ["Shijiazhuang", "Taiyuan", "Chifeng", "Fushun", "Hunchun", "Suifenhe", "Xuzhou", "Nantong",
                  "Wenzhou", "Shaoxing", "Wuhu", "Fuzhou", "Quanzhou", "Ganzhou", "Jinan", "Yantai", "Luoyang",
                  "Huangshi", "Yueyang", "Shantou", "Foshan", "Luzhou", "Haidong", "Yinchuan"]
_CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(("name", "english"), [
    ("赤峰市", "Chifeng"), ("西安市", "Xi'an"), ("呼和浩特市", "Hohhot"), ("乌鲁木齐市", "Urumqi"), ("拉萨市", "Lhasa"),
    ("哈尔滨市", "Harbin"), ("喀什地区", "Kashgar Prefecture"), ("二连浩特市", "Erenhot"), ("满洲里市", "Manzhouli"),
    ("绥芬河市", "Suifenhe"), ("珲春市", "Hunchun"), ("阿拉山口市", "Alashankou"), ("雄安新区", "Xiong'an New Area"),
    ("海南全岛", "Hainan Island"), ("马鞍山市", "Ma'anshan"), ("浙江省", "Zhejiang Province"), ("北京市", "Beijing"),
    ("德宏傣族景颇族自治州", "Dehong Dai and Jingpo Autonomous Prefecture"), ("义乌市", "Yiwu"),
    ("鄂温克族自治旗", "Ewenki Autonomous Banner"), ("平潭综合实验区", "Pingtan Comprehensive Experimental Zone"),
    ("大连金普新区", "Dalian Jinpu New Area"), ("兴安县", "Xing'an County"), ("吕梁市", "Lüliang"),
])
def test_names_follow_english_usage(name: str, english: str) -> None:
    assert place_name_en(name) == english


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_every_whole_name_exception_is_applied_needed_and_sourced(name: str) -> None:
    english, source = EXCEPTIONS[name]
    assert place_name_en(name) == english
    assert by_rule(name) != english, "the rule already gives this: the entry is not needed"
    assert len(source) > 20 and not _CJK.search(english)


@pytest.mark.parametrize("stem", sorted(STEM_EXCEPTIONS))
def test_every_stem_exception_is_applied_needed_and_sourced(stem: str) -> None:
    english, source = STEM_EXCEPTIONS[stem]
    assert place_name_en(stem) == english and by_rule(stem + "市") == english  # the city form drops 市
    assert pinyin_word(stem) != english, "pypinyin already gives this: the entry is not needed"
    assert len(source) > 20 and not _CJK.search(english)


def test_a_stem_exception_reaches_every_suffix_form() -> None:
    assert place_name_en("朝阳区") == "Chaoyang District" and place_name_en("朝阳县") == "Chaoyang County"
    assert place_name_en("伊犁哈萨克自治州") == "Ili Kazak Autonomous Prefecture"


def test_every_place_of_the_gazetteer_has_an_english_name_without_chinese() -> None:
    names = []
    for file in ("divisions.csv", "supplement.csv"):
        with (DATA / file).open(encoding="utf-8", newline="") as f:
            names += [row["name"] for row in csv.DictReader(f)]
    assert len(names) > 3400
    bad = [(n, place_name_en(n)) for n in names if not place_name_en(n) or _CJK.search(place_name_en(n) or "")]
    assert bad == []


def test_province_and_place_dicts_get_english_beside_the_chinese() -> None:
    assert province_en("陕西省") == "Shaanxi Province" and province_en("山西省") == "Shanxi Province"
    assert province_en(None) is None and place_name_en("") is None
    place = with_english({"name": "珲春市", "province": "吉林省", "adcode": "222404"})
    assert place == {"name": "珲春市", "province": "吉林省", "adcode": "222404", "name_en": "Hunchun",
                     "province_en": "Jilin Province"}
    assert bilingual("赤峰市") == "Chifeng (赤峰市)"


def test_extract_json_gives_the_24_cities_of_the_2019_batch_in_english(cli) -> None:
    result = cli("extract", str(REPLY_2019), "--json")
    assert result.returncode == 0, result.stderr
    cities = json.loads(result.stdout)["cities"]
    assert [c["name_en"] for c in cities] == CITIES_2019_EN
    assert cities[0]["name"] == "石家庄市" and cities[0]["province_en"] == "Hebei Province"
    assert cities[2]["province_en"] == "Inner Mongolia Autonomous Region"
