"""Hostile input never crashes or hangs the extractor (no timing assertions: pytest-timeout guards hangs)."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extraction import extract
from crawler.extraction.html_text import html_to_text

# Characters the extractor's patterns key on, so generated text actually reaches the hot paths.
CJK = ("同意在设立等个城市和地区撤销不再保留暂不适用自起施行实施发布之日印发号年月日"
       "〔〕［］【】（）、，。：；海关总署公告第代码元市省州")
ALPHABET = list(CJK) + list("0123456789〇一二三四五六七八九十 \n<>/")
NOTICEY = st.text(alphabet=st.sampled_from(ALPHABET), max_size=400)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=2000))
def test_arbitrary_unicode_never_crashes(s: str) -> None:
    d = extract(s).to_dict()
    assert isinstance(d["cities"], list)


@FAST
@given(NOTICEY)
def test_notice_shaped_noise_never_crashes(s: str) -> None:
    extract(s, is_html=False).to_dict()
    extract(s, is_html=True).to_dict()


HTML_PARTS = ["<div>", "</div>", "<p>", "</p", "<table class='bd1'>", "<td>", "发文字号：", "<!--", "-->",
              "<meta name='PubDate' content='2021-13-45'>", "<script>", "]]>", "同意在天津市、",
              "等2个城市设立", "<br>", "&#x0;", "&nbsp;", "<", ">"]


@FAST
@given(st.lists(st.sampled_from(HTML_PARTS), max_size=80))
def test_broken_html_never_crashes(parts: list[str]) -> None:
    html = "".join(parts)
    html_to_text(html)
    extract(html, is_html=True).to_dict()


def test_two_megabytes_of_text_complete() -> None:
    rng = random.Random(4)
    chunk = ("同意在天津市、上海市等2个城市设立跨境电子商务综合试验区，自2019年1月1日起施行。"
             "海关监管方式代码“9610”。")
    noise = "".join(rng.choice(CJK) for _ in range(5000))
    text = (chunk + noise) * (2_000_000 // (len(chunk) + len(noise)) + 1)
    d = extract(text, is_html=False).to_dict()
    assert d["cities"][:2] == [
        {"name": "天津市", "province": "天津市", "adcode": "120000", "level": "province"},
        {"name": "上海市", "province": "上海市", "adcode": "310000", "level": "province"},
    ]


def test_pathological_repetition_completes() -> None:
    for unit in ("在", "同意在", "自", "等", "、天津", "〔2016〕", "公告2016年第", "（", "9610"):
        extract(unit * 200_000, is_html=False)


def test_two_megabytes_of_nested_html_complete() -> None:
    para = "<p>同意在天津市等1个城市设立跨境电子商务综合试验区。</p>"
    html = "<div>" * 5000 + para * 20000 + "</div>" * 5000
    extract(html).to_dict()
