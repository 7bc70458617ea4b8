"""Page parsing on the real saved gov.cn page and on the mirror's 政策文件库 template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request

from crawler.extraction.normalize import label_key
from crawler.parsing.dates import CHINA, from_epoch_ms, parse_china_date, parse_china_datetime
from crawler.parsing.page import html_to_text, read_label_table, read_metas
from crawler.spiders.govcn import GovcnSpider

# The real saved gov.cn page lives in ../shared (a third-party copy we do not redistribute).
GONGBAO = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "html" / "govcn" / "gongbao_2007_23_detail.html"
needs_saved_page = pytest.mark.skipif(not GONGBAO.exists(), reason=f"saved real page not present: {GONGBAO}")


@needs_saved_page
def test_metas_of_the_real_gongbao_page_are_read_case_insensitively() -> None:
    metas = read_metas(Selector(GONGBAO.read_text("utf-8")))
    assert metas["manuscriptid"] == "711039"  # single-quoted attribute on the real page
    assert metas["firstpublishedtime"] == "2007-08-20-23:59:59"
    assert metas["lanmu"] == "2007年第23号"


@needs_saved_page
def test_the_real_gongbao_page_parses_into_a_notice() -> None:
    url = "https://www.gov.cn/gongbao/content/2007/content_711039.htm"
    response = HtmlResponse(url, body=GONGBAO.read_bytes(), encoding="utf-8", request=Request(url))
    item = GovcnSpider().read_detail(response)
    assert item is not None
    assert item.site_id == "711039"
    assert item.title.startswith("全国人民代表大会常务委员会关于批准财政部发行特别国债")
    assert "2007年末国债余额限额的决议" in item.title  # the <br>　 inside the title leaves no gap
    assert item.site_published_at == dt.datetime(2007, 8, 20, 23, 59, 59, tzinfo=CHINA)
    assert item.publish_date == dt.date(2007, 8, 20)
    assert "特别国债" in item.text and "<" not in item.text


def test_info_table_labels_with_full_width_spaces() -> None:
    html = """<table class="bd1"><tr><td><b>索 引 号：</b></td><td>000014349/2016-00017</td>
    <td><b>主题分类：</b></td><td>商贸</td></tr><tr><td><b>标　　题：</b></td><td>某批复</td></tr>
    <tr><td><b>发文字号：</b></td><td>国函〔2016〕17号</td><td><b>发布日期：</b></td><td>2016年01月15日</td></tr>
    <tr><td>成文日期：2016年01月12日</td></tr></table>"""
    info = read_label_table(Selector(html), "table.bd1 tr")
    assert info == {"索引号": "000014349/2016-00017", "主题分类": "商贸", "标题": "某批复",
                    "发文字号": "国函〔2016〕17号", "发布日期": "2016年01月15日", "成文日期": "2016年01月12日"}
    assert label_key("【文　　号】") == "文号"


def test_body_text_keeps_paragraphs_and_drops_scripts_and_widgets() -> None:
    html = ('<div id="UCAP-CONTENT"><p>第一段\u3000内容</p><script>var x=1;</script>'
            '<div class="shuzi">12</div><p>第二段</p></div>')
    assert html_to_text(html, (".shuzi",)) == "第一段 内容\n第二段"


def test_page_date_formats() -> None:
    assert parse_china_datetime("2018-12-04-09:41:27") == dt.datetime(2018, 12, 4, 9, 41, 27, tzinfo=CHINA)
    assert parse_china_date("2018.11.30") == dt.date(2018, 11, 30)
    assert parse_china_date("[2018-11-30]") == dt.date(2018, 11, 30)
    assert parse_china_date("2016年01月12日") == dt.date(2016, 1, 12)
    assert parse_china_date("2018-02-30") is None
    assert parse_china_date("") is None
    assert from_epoch_ms(1543536000000) == dt.datetime(2018, 11, 30, 8, 0, tzinfo=CHINA)
    assert from_epoch_ms("nonsense") is None


@pytest.mark.parametrize(("stamp", "expected"), [
    # MOFCOM JPaaS PubDate metas carry minutes (live-evidence.md, #71114623176).
    ("2026-09-29 17:03", dt.datetime(2026, 9, 29, 17, 3, tzinfo=CHINA)),
    ("2026-09-29 17:03:05", dt.datetime(2026, 9, 29, 17, 3, 5, tzinfo=CHINA)),
    ("2026-09-29T17:03", dt.datetime(2026, 9, 29, 17, 3, tzinfo=CHINA)),
    ("2026年9月29日 17:03", dt.datetime(2026, 9, 29, 17, 3, tzinfo=CHINA)),
    ("2026 年 9 月 29 日 17:03", dt.datetime(2026, 9, 29, 17, 3, tzinfo=CHINA)),
    ("发布时间：2026-09-29", dt.datetime(2026, 9, 29, tzinfo=CHINA)),
])
def test_page_stamps_keep_their_time_of_day(stamp: str, expected: dt.datetime) -> None:
    assert parse_china_datetime(stamp) == expected
