"""Declarative sources: the config format, its validation, and the real Hanweb page (the Zhejiang
commission's 2016 site: the Hanweb template stays tested after zj_fgw moved to JPaaS)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from cbecwatch.config import ConfigError
from crawler.declared import TEMPLATES, load_declared_sources
from crawler.runner import available_sources, source_classes
from crawler.spiders.declared import spider_class

# The real saved Hanweb page stays in ../shared (a third-party copy we do not redistribute).
HANWEB = (Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "html" / "provincial"
          / "zj_fgw_hanweb_art_detail.html")
HANWEB_URL = "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"


HANWEB_ENTRY = '''[[source]]
name = "zj_fgw_2016"
agency = "浙江省发展和改革委员会"
template = "hanweb"
home = "http://fgw.zj.gov.cn/"
lists = ["http://fgw.zj.gov.cn/col/col1621004/index.html"]
'''


def hanweb_spider(tmp_path: Path):
    [source] = load_declared_sources(write(tmp_path, HANWEB_ENTRY))
    return spider_class(source)()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, "utf-8")
    return path


ENTRY = '''[[source]]
name = "demo_city"
agency = "某市商务局"
template = "trs"
home = "https://example.gov.cn/"
lists = ["https://example.gov.cn/tzgg/index.html"]
'''


def test_an_entry_overrides_its_template_and_keeps_the_rest(tmp_path: Path) -> None:
    [source] = load_declared_sources(write(tmp_path, ENTRY + 'rows = "ul.news li"\nbody = "#content"\n'))
    assert source.template.rows == "ul.news li"
    assert source.template.body == ("#content",)
    assert source.template.pagination == TEMPLATES["trs"].pagination == "index_n"


@pytest.mark.parametrize(("extra", "message"), [
    ('colour = "red"\n', "unknown key 'colour'"),
    ('rowz = "ul li"\n', "unknown key 'rowz' (did you mean 'rows'?)"),
    ('datastore = "false"\n', "datastore must be true or false (a TOML boolean, without quotes), got 'false'"),
    ('relies_on = "one fact"\n', 'relies_on must be a list, e.g. relies_on = ["one fact"]'),
    ("max_pages = 0\n", "max_pages must be 1 or more, got 0"),
    ('pagination = "infinite"\n', "pagination must be one of"),
    ('detail_url = "(unclosed"\n', "detail_url is not a regular expression"),
])
def test_mistakes_in_an_entry_are_rejected_by_name(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match="source 'demo_city'") as error:
        load_declared_sources(write(tmp_path, ENTRY + extra))
    assert message in str(error.value)


def test_unknown_templates_missing_lists_and_duplicates_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown template 'wordpress'"):
        load_declared_sources(write(tmp_path, ENTRY.replace('"trs"', '"wordpress"')))
    with pytest.raises(ConfigError, match="lists is required"):
        load_declared_sources(write(tmp_path, ENTRY.replace('lists = ["https://example.gov.cn/tzgg/index.html"]', "")))
    with pytest.raises(ConfigError, match="used twice: demo_city"):
        load_declared_sources(write(tmp_path, ENTRY + "\n" + ENTRY))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_declared_sources(write(tmp_path, "[[source]\n"))


def test_declared_sources_are_scrapy_spiders_like_the_modules() -> None:
    assert "zj_fgw" in available_sources()
    spider = source_classes()["zj_fgw"]
    assert spider.agency == "浙江省发展和改革委员会"
    assert spider.columns == ("https://fzggw.zj.gov.cn/col/col1229629046/index.html",)
    assert spider.unit_ids == {}  # the ids are read from the column page on every run
    assert any("confirmed" in fact for fact in spider.relies_on)
    assert any("[lead" in fact or "[guess" in fact for fact in spider.relies_on)


@pytest.mark.skipif(not HANWEB.exists(), reason=f"saved real page not present: {HANWEB}")
def test_the_real_hanweb_page_parses_into_a_notice(tmp_path: Path) -> None:
    spider = hanweb_spider(tmp_path)
    response = HtmlResponse(HANWEB_URL, body=HANWEB.read_bytes(), request=Request(HANWEB_URL))
    item = spider.read_detail(response)
    assert item is not None
    assert item.title == "1-10月德清县固定资产投资结构趋稳趋优"
    assert item.site_id == "30332664"
    assert item.publish_date == dt.date(2016, 11, 22)
    assert item.agencies == ["省发改委"]
    assert item.text.startswith("1-10月，全县固定资产投资完成246.79亿元")
    assert "bdshare" not in item.text and "打印" not in item.text  # page furniture stays out


def test_hanweb_datastore_rows_and_paging(tmp_path: Path) -> None:
    spider = hanweb_spider(tmp_path)
    html = """<html><body><div id="4892867"><script type="text/xml"><datastore><recordset>
    <record><![CDATA[<li><a href="/art/2016/11/22/art_1621004_30332664.html" title="甲">甲</a>
    <span>2016-11-22</span></li>]]></record>
    <record><![CDATA[<li><a href="/col/col1/index.html">栏目</a></li>]]></record>
    </recordset></datastore></script></div></body></html>"""
    url = "http://fgw.zj.gov.cn/col/col1621004/index.html"
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    _, rows = spider.rows_of(response)
    assert len(rows) == 2
    assert spider.next_page_url(response, url, 1) == url + "?uid=4892867&pageNum=2"


JPAAS_ENTRY = '''[[source]]
name = "demo_jpaas"
agency = "某省商务厅"
template = "jpaas"
home = "https://example.gov.cn/"
lists = ["https://example.gov.cn/col/col1/index.html"]
'''


def test_a_jpaas_entry_names_only_its_column_page_and_may_pin_the_unit_ids(tmp_path: Path) -> None:
    [plain] = load_declared_sources(write(tmp_path, JPAAS_ENTRY))
    spider = spider_class(plain)
    assert spider.columns == ("https://example.gov.cn/col/col1/index.html",) and spider.unit_ids == {}
    assert spider.detail_url == TEMPLATES["jpaas"].detail_url and spider.page_size == 15
    pinned_entry = JPAAS_ENTRY + 'unit = {webId = "3185", pageId = "Abc"}\nunit_tag = "信息列表"\npage_size = 30\n'
    [pinned] = load_declared_sources(write(tmp_path, pinned_entry))
    spider = spider_class(pinned)
    assert spider.unit_ids == {"https://example.gov.cn/col/col1/index.html": {"webId": "3185", "pageId": "Abc"}}
    assert (spider.unit_tag, spider.page_size) == ("信息列表", 30)


@pytest.mark.parametrize(("text", "message"), [
    (JPAAS_ENTRY + 'unit = {webId = "3185"}\n', "unit must be a table of strings with a pageId"),
    (JPAAS_ENTRY.replace('index.html"]', 'index.html", "https://example.gov.cn/col/col2/index.html"]')
     + 'unit = {pageId = "a"}\n', "unit pins the ids of one column"),
    (JPAAS_ENTRY + 'pagination = "none"\n', 'pagination "unit" is the jpaas template'),
    (JPAAS_ENTRY + 'page_size = "15"\n', "page_size must be a whole number, got '15'"),
    (ENTRY + 'pagination = "unit"\n', 'pagination "unit" is the jpaas template'),
])
def test_jpaas_mistakes_are_rejected_by_name(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_declared_sources(write(tmp_path, text))


@pytest.mark.slow
def test_a_hanweb_entry_crawls_the_2016_site_in_the_mirror(
        cli, mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_SOURCES_FILE", str(write(tmp_path, HANWEB_ENTRY)))
    result = cli("crawl", "--mirror", mirror.url, "--source", "zj_fgw_2016")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "zj_fgw_2016: ok — 2 notices (2 new" in result.stdout
    # two datastore rows on page 1; page 2 (?uid=4892867&pageNum=2) is empty and ends the walk
    assert [r.query for r in mirror.take_requests() if r.path == "/col/col1621004/index.html"] == [
        "", "uid=4892867&pageNum=2"]
