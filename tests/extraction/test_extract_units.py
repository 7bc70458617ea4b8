"""Unit-level behaviour of the extraction steps."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.extraction import agencies as ag
from crawler.extraction import extract
from crawler.extraction.cli import decode_document, run
from crawler.extraction.dates import effective, parse_date
from crawler.extraction.docnumber import doc_number, find_numbers, normalize
from crawler.extraction.figures import customs_codes
from crawler.extraction.html_text import html_to_text
from crawler.extraction.normalize import label_key
from crawler.extraction.relevance import relevance_score

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_package_loads_no_jieba_bs4_or_cn2an() -> None:
    code = ("import sys, crawler.extraction, crawler.extraction.relevance, crawler.extraction.html_text;"
            "print(sorted(m for m in ('jieba','cn2an','bs4','ahocorasick') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("span", "iso"), [
    ("二〇一八年七月二十四日", "2018-07-24"), ("二○一五年三月七日", "2015-03-07"),
    ("二O二二年十一月十四日", "2022-11-14"), ("二零一六年一月十二日", "2016-01-12"),
    ("2018年11月29日", "2018-11-29"), ("2016年01月15日", "2016-01-15"),
    ("2018-12-04-09:41:27", "2018-12-04"), ("2021-03-22 16:30", "2021-03-22"), ("[2021-03-22]", "2021-03-22"),
])
def test_dates_in_every_written_form(span: str, iso: str) -> None:
    assert parse_date(span) == dt.date.fromisoformat(iso)


def test_impossible_dates_are_none() -> None:
    assert parse_date("二〇一八年二月三十日") is None and parse_date("2018年13月1日") is None


@pytest.mark.parametrize(("text", "rule", "date"), [
    ("上述规定自2014年2月10日起实施。", "explicit", dt.date(2014, 2, 10)),
    ("本通知自发布之日起实施。", "on_publication", None),
    ("本办法自印发之日起施行。", "on_issue", None),
    ("一、…自2019年1月1日起，按照…执行。本公告自2020年7月1日起施行。", "explicit", dt.date(2020, 7, 1)),
    ("国务院同意。", None, None),
])
def test_effective_phrases(text: str, rule: str | None, date: dt.date | None) -> None:
    assert effective(text) == (rule, date)


def test_effective_on_publication_takes_the_publish_date_hint() -> None:
    text = "\n".join(["关于扩大跨境电商零售进口试点的通知", "商财发〔2021〕39号", "本通知自发布之日起实施。",
                      "商务部", "2021年3月18日"])
    r = extract(text, is_html=False, publish_date=dt.date(2021, 3, 22))
    assert r.effective_date == dt.date(2021, 3, 22) and r.issue_date == dt.date(2021, 3, 18)
    assert extract(text, is_html=False).effective_date is None


BRACKET_VARIANTS = ["国函〔2016〕17号", "国函[2016]17号", "国函［2016］17号", "国函﹝2016﹞17号",
                    "国函【2016】17号", "国函（2016）17号", "国函(2016)17号", "国函 〔2016〕 17 号"]


@pytest.mark.parametrize("raw", BRACKET_VARIANTS)
def test_document_number_brackets_fold_to_the_standard(raw: str) -> None:
    assert normalize(raw) == "国函〔2016〕17号"


def test_announcement_numbers_and_their_bracketed_reprint_forms() -> None:
    assert normalize("财政部等11部门公告2016年第40号") == "财政部等11部门公告2016年第40号"
    assert normalize("海关总署公告〔2018〕194号") == "海关总署公告2018年第194号"
    assert normalize("公告〔2023〕199号", customs_context=True) == "海关总署公告2023年第199号"


def test_cited_numbers_lose_to_the_header() -> None:
    lines = ["关于x的通知", "为…按照《关于y的通知》（财关税〔2016〕18号）执行", "财关税〔2018〕49号"]
    assert doc_number(lines, "关于x的通知", {}) == "财关税〔2018〕49号"
    body_only = ["关于x的通知", "按照《关于y的通知》（财关税〔2016〕18号）执行。"]
    assert doc_number(body_only, "关于x的通知", {}) is None
    assert [n for _, n in find_numbers("《关于y》（财关税〔2016〕18号）")] == ["财关税〔2016〕18号"]


def test_agency_aliases_and_signature_block() -> None:
    assert ag.from_title("商务部 发展改革委 财政部 海关总署 税务总局 市场监管总局关于…的通知")[-2:] == [
        "国家税务总局", "国家市场监督管理总局"]
    lines = ["特此通知。", "商务部 发展改革委 财政部", "海关总署 税务总局 市场监管总局", "2021年3月18日"]
    assert len(ag.from_signature(lines, 3)) == 6
    assert ag.canonical("环境保护部") == "生态环境部" and ag.canonical("濒管办").startswith("中华人民共和国")


def test_state_council_approval_does_not_make_it_an_issuer() -> None:
    text = "财政部关于x的通知\n财关税〔2016〕18号\n经国务院同意，现通知如下：\n一、…\n财政部\n2016年3月24日"
    assert extract(text, is_html=False).agencies == ["财政部"]


def test_customs_codes_need_a_customs_context() -> None:
    assert customs_codes("增列海关监管方式代码“9610”，2014年起") == ["9610"]
    assert customs_codes("网购保税进口（1210）和直购进口（9610）") == ["1210", "9610"]
    assert customs_codes("2019年共1210元，第9610号，9710个，1239家企业") == []
    assert customs_codes("京ICP备05070218号 邮编100730 2014 年") == []


def test_relevance_separates_cbec_from_other_notices() -> None:
    assert relevance_score("关于完善跨境电子商务零售进口税收政策的通知", "单次交易限值")[1] is True
    assert relevance_score("关于做好春季农业生产工作的通知", "各地要抓好春耕备耕。")[1] is False


def test_info_table_labels_are_normalised() -> None:
    assert label_key("索　引　号：") == "索引号" and label_key("【文　　号】") == "文号"
    page = html_to_text('<table class="bd1"><tr><td>发文字号：</td><td>国函〔2016〕17号</td>'
                        '<td>发布日期：2016年01月15日</td></tr></table>'
                        '<div id="UCAP-CONTENT">正文内容足够长的一段文字用于测试。</div>')
    assert page.info_table == {"发文字号": "国函〔2016〕17号", "发布日期": "2016年01月15日"}


def test_metas_are_read_case_insensitively_first_non_empty() -> None:
    page = html_to_text('<meta name="pubdate" content=""><META NAME="PubDate" CONTENT="2021-03-22 16:30">'
                        '<meta name="pubdate" content="1999-01-01">'
                        '<div id="zoom">正文内容足够长的一段文字用于测试。</div>')
    assert page.meta["pubdate"] == "2021-03-22 16:30"


def test_unknown_template_falls_back_to_the_largest_text_block() -> None:
    html = ("<div class='nav'><a>首页</a><a>北京</a><a>上海</a></div>"
            "<div class='x'><p>国务院关于同意在廊坊等2个城市设立"
            "跨境电子商务综合试验区的批复</p><p>一、同意在廊坊市、沧州市等2个城市设立跨境电子商务综合试验区。</p></div>"
            "<div class='footer'>京ICP备05070218号 天津 重庆</div>")
    r = extract(html)
    assert [c.name for c in r.cities] == ["廊坊市", "沧州市"]


def test_gbk_pages_decode_via_meta_charset(tmp_path: Path) -> None:
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
            '<div id="zoom"><p>海关总署公告2014年第12号（关于增列海关监管方式代码的公告）</p>'
            '<p>增列海关监管方式代码“9610”。'
            '</p><p>海关总署</p><p>2014年1月24日</p></div></body></html>')
    p = tmp_path / "page.html"
    p.write_bytes(html.encode("gb18030"))
    assert decode_document(p.read_bytes()) == html
    got = run(str(p), None)
    assert got["doc_number"] == "海关总署公告2014年第12号" and got["customs_codes"] == ["9610"]


def test_jieba_rejects_a_hit_inside_a_longer_word() -> None:
    r = extract("一、同意在中山市场监管所在地设立跨境电子商务综合试验区。", is_html=False)
    assert r.cities == []
    r = extract("一、同意在中山市等1个城市设立跨境电子商务综合试验区。", is_html=False)
    assert [c.name for c in r.cities] == ["中山市"]


def test_jieba_cache_lives_in_the_project_data_directory() -> None:
    from crawler.extraction.segment import cache_dir, tokenizer

    tk = tokenizer()
    assert Path(tk.cache_file).parent == cache_dir() and cache_dir().is_dir()
    import jieba

    assert tk is not jieba.dt  # a private instance, not the global tokenizer
    assert "雄安新区" in tk.lcut("同意在雄安新区设立")


def test_label_pairs_read_both_table_layouts_and_keep_the_first_value() -> None:
    from crawler.extraction.normalize import label_pairs

    # gov.cn: two label cells with their value cells in one row, full-width spaces and colons
    assert label_pairs(["索　引　号：", "000014349/2016-00012", "主题分类：", "商贸、海关、旅游"]) == {
        "索引号": "000014349/2016-00012", "主题分类": "商贸、海关、旅游"}
    # "label:value" in one cell (ASCII colon too); a later repeat of a label does not overwrite it
    assert label_pairs(["发文字号:国函〔2016〕17号", "发布日期：2016-01-15", "发文字号：别的"]) == {
        "发文字号": "国函〔2016〕17号", "发布日期": "2016-01-15"}
    # a trailing label with no value cell after it, and cells that are no labels at all
    assert label_pairs(["无标签的单元格", "成文日期："]) == {"成文日期": ""}
