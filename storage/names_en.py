"""English names of the places the extractor returns (issue 14), made when facts are shown, never stored.

The rule is the one Chinese official English follows: Hanyu Pinyin without tones, the syllables of a
name written as one word (Chifeng, Shijiazhuang), an apostrophe where a syllable starting with a, o
or e would otherwise run into the one before (Xi'an, Ma'anshan), and the administrative suffix
translated — 市 of a city dropped (赤峰市 → Chifeng), 省 → Province, 自治州 → "… Autonomous
Prefecture" with the peoples named in English, 新区 → New Area. pypinyin supplies the syllables; its
phrase dictionary already reads most polyphonic characters in place names right (长沙 Changsha,
蚌埠 Bengbu, 六安 Lu'an, 丽水 Lishui).

Where that rule is not what official English writes, :data:`EXCEPTIONS` (whole names) and
:data:`STEM_EXCEPTIONS` (the part before the suffix, so a name and its districts share it) say what
is, each with its reason and source, and ``tests/test_names_en.py`` checks every entry. The reasons
are few: names from Mongolian, Uygur or Tibetan keep their own spelling, as the State Council's rules
on minority-language place names require (呼和浩特 Hohhot, 乌鲁木齐 Urumqi, 拉萨 Lhasa); long-standing
conventional forms (哈尔滨 Harbin, 陕西 Shaanxi beside 山西 Shanxi); and polyphones pypinyin misreads
in a place name (珲春 Hunchun, not Huichun; 朝阳 Chaoyang, not Zhaoyang).

Importing this module loads pypinyin only (no jieba, no gazetteer): storage, the scheduler and the
CLI all call it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from pypinyin import Style, lazy_pinyin

# -- reviewed exceptions --------------------------------------------------------------------------------
# Sources, cited by key in each entry:
_MINORITY = ("minority-language name kept in its own romanisation (State Council 1976/1977 rules on "
             "transcribing minority-language place names; GB/T 17693)")
_XINHUA = "form used by Xinhua / english.gov.cn / english.scio.gov.cn reports"
_GOVCN_2018 = ("english.gov.cn and Xinhua reports of the 2018 batch (22 cities: Beijing, Hohhot, Shenyang, "
               "Changchun, Harbin, … Xi'an), as quoted at ecommerce.red/p/197.html")
_POLYPHONE = "pypinyin reads a polyphonic character with its common sound, not the sound of the place name"
_REGION = "official English name of the autonomous region / special administrative region (english.gov.cn)"

#: whole names (as the extractor returns them) → (English, reason)
EXCEPTIONS: dict[str, tuple[str, str]] = {
    "内蒙古自治区": ("Inner Mongolia Autonomous Region", _REGION),
    "西藏自治区": ("Tibet Autonomous Region", _REGION),
    "香港特别行政区": ("Hong Kong Special Administrative Region", _REGION),
    "澳门特别行政区": ("Macao Special Administrative Region", _REGION),
    "陕西省": ("Shaanxi Province", "conventional spelling that tells 陕西 from 山西 Shanxi (english.gov.cn)"),
    "青岛西海岸新区": ("Qingdao West Coast New Area", "national new area; official English name (english.gov.cn)"),
    "舟山群岛新区": ("Zhoushan Archipelago New Area", "national new area; official English name (english.gov.cn)"),
    "大兴安岭地区": ("Da Hinggan Ling Prefecture", _MINORITY + " (兴安 from Manchu/Mongolian Hinggan)"),
    "兴安盟": ("Hinggan League", _MINORITY + " (only the league: 兴安县 of Guangxi is Xing'an County)"),
    "单县": ("Shan County", _POLYPHONE + " (单 shàn as a place name)"),
}

#: the part of a name before its suffix → (English, reason); applies to the name and every suffix form
STEM_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "呼和浩特": ("Hohhot", _MINORITY + "; " + _GOVCN_2018),
    "乌鲁木齐": ("Urumqi", _MINORITY),
    "拉萨": ("Lhasa", _MINORITY),
    "哈尔滨": ("Harbin", "conventional form from Manchu; " + _GOVCN_2018),
    "喀什": ("Kashgar", _MINORITY),
    "二连浩特": ("Erenhot", _MINORITY),
    "珲春": ("Hunchun", _POLYPHONE + " (珲 hún in 珲春)"),
    "朝阳": ("Chaoyang", _POLYPHONE + " (朝 cháo in 朝阳, not zhāo)"),
    "鄂尔多斯": ("Ordos", _MINORITY + " (Xinhua also writes Erdos)"),
    "呼伦贝尔": ("Hulunbuir", _MINORITY),
    "锡林郭勒": ("Xilingol", _MINORITY),
    "乌兰察布": ("Ulanqab", _MINORITY),
    "巴彦淖尔": ("Bayannur", _MINORITY),
    "阿拉善": ("Alxa", _MINORITY),
    "日喀则": ("Xigaze", _MINORITY),
    "林芝": ("Nyingchi", _MINORITY),
    "昌都": ("Qamdo", _MINORITY),
    "那曲": ("Nagqu", _MINORITY),
    "阿里": ("Ngari", _MINORITY),
    "吐鲁番": ("Turpan", _MINORITY),
    "阿克苏": ("Aksu", _MINORITY),
    "和田": ("Hotan", _MINORITY),
    "阿勒泰": ("Altay", _MINORITY),
    "克拉玛依": ("Karamay", _MINORITY),
    "库尔勒": ("Korla", _MINORITY),
    "霍尔果斯": ("Horgos", _MINORITY),
    "伊犁": ("Ili", _MINORITY),
    "巴音郭楞": ("Bayingolin", _MINORITY),
    "克孜勒苏": ("Kizilsu", _MINORITY),
    "博尔塔拉": ("Bortala", _MINORITY),
    "格尔木": ("Golmud", _MINORITY),
    "甘孜": ("Garze", _MINORITY),
    "阿坝": ("Ngawa", _MINORITY),
    "迪庆": ("Dêqên", _MINORITY),
    "长白": ("Changbai", _POLYPHONE + " (长 cháng in 长白, not zhǎng)"),
    "长阳": ("Changyang", _POLYPHONE + " (长 cháng in 长阳, not zhǎng)"),
}

# The peoples named in autonomous areas, in their English form (english.gov.cn "Ethnic Groups" pages).
PEOPLES: dict[str, str] = {
    "壮族": "Zhuang", "回族": "Hui", "维吾尔": "Uygur", "藏族": "Tibetan", "蒙古族": "Mongolian",
    "蒙古": "Mongolian", "苗族": "Miao", "彝族": "Yi", "土家族": "Tujia", "傣族": "Dai", "景颇族": "Jingpo",
    "哈尼族": "Hani", "布依族": "Bouyei", "侗族": "Dong", "瑶族": "Yao", "白族": "Bai", "羌族": "Qiang",
    "朝鲜族": "Korean", "哈萨克": "Kazak", "哈萨克族": "Kazak", "柯尔克孜": "Kirgiz", "黎族": "Li",
    "傈僳族": "Lisu", "怒族": "Nu", "纳西族": "Naxi", "普米族": "Pumi", "拉祜族": "Lahu", "佤族": "Va",
    "仡佬族": "Gelao", "畲族": "She", "满族": "Manchu", "锡伯族": "Xibe", "达斡尔族": "Daur",
    "鄂温克族": "Ewenki", "鄂伦春族": "Oroqen", "撒拉族": "Salar", "土族": "Tu", "保安族": "Bonan",
    "东乡族": "Dongxiang", "裕固族": "Yugur", "仫佬族": "Mulao", "毛南族": "Maonan", "水族": "Shui",
    "京族": "Gin", "塔吉克族": "Tajik", "各族": "Multi-ethnic", "鄂伦春": "Oroqen",
}
_PEOPLE_AT_END = re.compile("(?:" + "|".join(sorted(PEOPLES, key=len, reverse=True)) + ")$")

# Suffix → English, longest first. ``None``: the suffix is dropped (a city is just its name).
_SUFFIXES: tuple[tuple[str, str | None], ...] = (
    ("特别行政区", "Special Administrative Region"), ("综合实验区", "Comprehensive Experimental Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("高新技术产业开发区", "High-tech Industrial Development Zone"), ("开发区", "Development Zone"),
    ("示范区", "Demonstration Zone"),
    ("自治区", "Autonomous Region"), ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"), ("新区", "New Area"), ("全岛", "Island"), ("林区", "Forestry District"),
    ("特区", "Special District"), ("矿区", "Mining District"), ("地区", "Prefecture"), ("省", "Province"),
    ("市", None), ("盟", "League"), ("旗", "Banner"), ("县", "County"), ("区", "District"),
)
_SYLLABLE_VOWEL = ("a", "o", "e")


def pinyin_word(chinese: str) -> str:
    """Toneless pinyin of *chinese* as one capitalised word, with the apostrophe that keeps
    syllables apart (西安 → Xi'an, 马鞍山 → Ma'anshan). Non-Chinese text passes unchanged."""
    syllables = lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True)
    word = ""
    for syllable in syllables:
        if word and syllable[:1] in _SYLLABLE_VOWEL and word[-1:].isalpha():
            word += "'"
        word += syllable
    return word[:1].upper() + word[1:]


def _stem_en(stem: str) -> str:
    if stem in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[stem][0]
    return pinyin_word(stem)


@functools.cache
def _city_stems() -> tuple[str, ...]:
    """Province and prefecture names without their suffix, longest first, read from the division data
    (a CSV read, not the extractor's gazetteer): zones are often named city first (湘潭昭山示范区)."""
    import csv
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "crawler" / "extraction" / "data" / "divisions.csv"
    stems: set[str] = set()
    try:
        with data.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row["level"] in ("province", "prefecture"):
                    stems.add(re.sub(r"(省|市|地区|盟)$", "", row["name"]))
    except OSError:  # an installation without the data still names zones, as one word
        return ()
    return tuple(sorted((s for s in stems if len(s) >= 2), key=len, reverse=True))


def _zone_stem_en(stem: str) -> str:
    """湘潭昭山 → Xiangtan Zhaoshan: the city or province a zone is named after is a word of its own."""
    for city in _city_stems():
        if stem.startswith(city) and len(stem) - len(city) >= 2:
            return f"{_stem_en(city)} {_stem_en(stem[len(city):])}"
    return _stem_en(stem)


def _peoples_en(stem: str) -> tuple[str, list[str]]:
    """Split 德宏傣族景颇族 into 德宏 and [Dai, Jingpo]. A stem keeps at least two characters (内蒙古 is
    a place, not 内 + Mongolian) unless it is a people itself (鄂温克族自治旗: Ewenki Autonomous Banner)."""
    peoples: list[str] = []
    while (found := _PEOPLE_AT_END.search(stem)) and (found.start() >= 2 or found.start() == 0):
        peoples.insert(0, PEOPLES[found.group()])
        stem = stem[:found.start()]
    return stem, peoples


@functools.lru_cache(maxsize=8192)
def place_name_en(name: str | None) -> str | None:
    """The English name of a place as the extractor names it (赤峰市 → Chifeng, 浙江省 → Zhejiang
    Province, 德宏傣族景颇族自治州 → Dehong Dai and Jingpo Autonomous Prefecture); None for no name."""
    text = (name or "").strip()
    if not text:
        return None
    if text in EXCEPTIONS:
        return EXCEPTIONS[text][0]
    return by_rule(text)


def by_rule(text: str) -> str:
    """The generated name: suffix rules and stem exceptions, without the whole-name table."""
    for suffix, english in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            stem = text[: -len(suffix)]
            if "Autonomous" in (english or ""):
                stem, peoples = _peoples_en(stem)
                who = " and ".join(peoples)
                return " ".join(filter(None, (_stem_en(stem) if stem else "", who, english)))
            base = _zone_stem_en(stem) if english and english.endswith(("Zone", "Area")) else _stem_en(stem)
            return base if english is None else f"{base} {english}"
    return _stem_en(text)


def province_en(province: str | None) -> str | None:
    """A province as the place rows carry it: 浙江省 → Zhejiang Province, 北京市 → Beijing."""
    return place_name_en(province)


def with_english(place: Mapping[str, Any]) -> dict[str, Any]:
    """A place dict (``name``, ``province`` …) with ``name_en`` and ``province_en`` beside them."""
    out = dict(place)
    out["name_en"] = place_name_en(place.get("name"))
    out["province_en"] = province_en(place.get("province"))
    return out


def bilingual(name: str | None) -> str:
    """How an English sentence names a place: Chifeng (赤峰市)."""
    english = place_name_en(name)
    return f"{english} ({name})" if english and name else (name or "")


def english_place_lists(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """*data* with ``name_en``/``province_en`` added to each place of the lists under *keys*."""
    out = dict(data)
    for key in keys:
        if isinstance(out.get(key), list):
            out[key] = [with_english(p) if isinstance(p, Mapping) else p for p in out[key]]
    return out


def shown_name(name: str | None, lang: str) -> str:
    """A place as the CLI prints it: 赤峰市 (zh), Chifeng (en), Chifeng (赤峰市) (both)."""
    if lang == "en":
        return place_name_en(name) or (name or "")
    if lang == "both":
        return bilingual(name)
    return name or ""
