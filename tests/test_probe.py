"""``cbecwatch sources probe``: CMS recognition, the rows it would read and the entry, against the mirror."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from crawler.cms import Page, recognise
from crawler.declared import TEMPLATES, parse_source
from crawler.fetch import FetchError
from crawler.mirror.server import MirrorServer
from crawler.mirror.sites.hanweb import SITE as HANWEB_SITE
from crawler.probe import probe
from tests.conftest import FIXTURES

JPAAS_SHELL = FIXTURES / "probe" / "jpaas_column_synthetic.html"
SAVED_HANWEB = (Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "html" / "provincial"
                / "zj_fgw_hanweb_art_detail.html")
# SYNTHETIC: a page on no government CMS we know.
UNKNOWN = ("<html><head><title>某市政府</title></head>"
           "<body><ul><li><a href='/news/1.html'>新闻</a></li></ul></body></html>")


def notices(root: Path, site: str, host: str | None = None) -> list[dict[str, Any]]:
    rows = json.loads((root / site / "notices.json").read_text("utf-8"))
    rows = [n for n in rows if host is None or n.get("host", host) == host]
    return sorted(rows, key=lambda n: n["publish_date"], reverse=True)


def entry_of(report: Any) -> dict[str, Any]:
    entry = tomllib.loads(report.entry)["source"][0]
    if entry["template"] in TEMPLATES:
        parse_source(entry, "test")  # ready to paste: the loader takes it as it is
    return entry


def test_trs_list_of_mof_gss(app_home: Path, mirror: MirrorServer, mirror_root: Path) -> None:
    report = probe("https://gss.mof.gov.cn/gzdt/zhengcefabu/", mirror=mirror.url)
    assert report.recognition.cms == "trs" and report.recognition.confidence == "high"
    assert "createPageHTML paging script" in report.recognition.matched["trs"]
    expected = notices(mirror_root, "mof_gss")[:3]  # its first list page holds three rows
    assert [r.title for r in report.rows] == [n["title"] for n in expected]
    assert [r.date for r in report.rows] == [n["publish_date"] for n in expected]
    assert report.rows[0].url == "https://gss.mof.gov.cn" + expected[0]["path"]
    entry = entry_of(report)
    assert entry["template"] == "trs" and entry["lists"] == ["https://gss.mof.gov.cn/gzdt/zhengcefabu/"]
    assert entry["home"] == "https://gss.mof.gov.cn/"


def test_hanweb_datastore_rows_of_zj_fgw(app_home: Path, mirror: MirrorServer, mirror_root: Path) -> None:
    report = probe("http://fgw.zj.gov.cn/col/col1621004/index.html", mirror=mirror.url)
    assert report.recognition.cms == "hanweb"
    assert "datastore CDATA records" in report.recognition.matched["hanweb"]
    assert [r.title for r in report.rows] == [n["title"] for n in notices(mirror_root, HANWEB_SITE)]
    assert entry_of(report)["template"] == "hanweb"


def test_easysite_rows_of_customs_and_the_links_its_template_does_not_take(
        app_home: Path, mirror: MirrorServer) -> None:
    report = probe("http://www.customs.gov.cn/customs/302249/302266/302267/index.html", mirror=mirror.url)
    assert report.recognition.cms == "easysite" and report.recognition.confidence == "high"
    assert report.rows and all(r.url.endswith("/index.html") for r in report.rows)
    # the post-2025 article_<digits>.html scheme is not the template's detail_url: shown, not hidden
    assert any("/article_" in url for url in report.skipped)
    assert entry_of(report)["template"] == "easysite"


@pytest.fixture
def jpaas_mirror(mirror_root: Path) -> Any:
    """The mirror with the synthetic JPaaS shell as a column page; its unit API is the mirror's own."""
    target = mirror_root / "static" / "www.mofcom.gov.cn" / "probe-synthetic" / "zcfb" / "index.html"
    target.parent.mkdir(parents=True)
    shutil.copy(JPAAS_SHELL, target)
    with MirrorServer(mirror_root) as server:
        yield server


JPAAS_URL = "https://www.mofcom.gov.cn/probe-synthetic/zcfb/index.html"


def test_jpaas_shell_rows_come_from_one_unit_api_call(app_home: Path, jpaas_mirror: MirrorServer,
                                                     mirror_root: Path) -> None:
    report = probe(JPAAS_URL, mirror=jpaas_mirror.url)
    assert report.recognition.cms == "jpaas" and report.recognition.confidence == "high"
    assert report.units[0].params["tagId"] == "分页列表"
    assert report.units[0].query()["parseType"] == "bulidstatic"  # as MOFCOM's unitbuild.js sends it
    api_calls = [r for r in jpaas_mirror.take_requests() if r.path.endswith("/front/page/build/unit")]
    assert len(api_calls) == 1 and "pageId=fc8bdff48fa345a48b651c1285b70b8f" in api_calls[0].query
    # the rows of the unit's first page (the mirror's page size is its own)
    titles = {n["title"] for n in notices(mirror_root, "mofcom", "www.mofcom.gov.cn")}
    assert report.rows and {r.title for r in report.rows} <= titles
    assert all(r.date for r in report.rows)
    assert report.unit_api is not None and report.unit_api["count"] >= len(report.rows)
    entry = entry_of(report)
    assert entry["template"] == "jpaas" and entry["lists"] == [JPAAS_URL]
    assert "fc8bdff48fa345a48b651c1285b70b8f" in report.entry  # in the comment that shows how to pin it


def test_the_mirrors_own_jpaas_shell(app_home: Path, mirror: MirrorServer) -> None:
    report = probe("https://www.mofcom.gov.cn/zwgk/zcfb/index.html", mirror=mirror.url)
    if report.page.status == 404:
        pytest.skip("this mirror has no MOFCOM column shell yet (its JPaaS shapes come with another branch)")
    assert report.recognition.cms == "jpaas" and report.rows


def test_a_saved_jpaas_shell_is_recognised_and_with_its_address_listed(
        app_home: Path, jpaas_mirror: MirrorServer) -> None:
    saved = probe(str(JPAAS_SHELL))
    assert saved.recognition.cms == "jpaas" and saved.rows == [] and saved.entry == ""
    assert any("--url" in problem for problem in saved.problems)
    addressed = probe(str(JPAAS_SHELL), url=JPAAS_URL, mirror=jpaas_mirror.url)
    assert addressed.rows and addressed.entry


@pytest.mark.skipif(not SAVED_HANWEB.exists(), reason=f"saved real page not present: {SAVED_HANWEB}")
def test_a_saved_real_hanweb_detail_page_names_itself_and_is_no_list(app_home: Path) -> None:
    report = probe(str(SAVED_HANWEB))
    assert report.page.final_url == "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"
    assert report.recognition.cms == "hanweb"
    assert any("detail page" in problem for problem in report.problems) and not report.entry


def test_a_jpaas_shell_on_a_hanweb_style_address_is_jpaas() -> None:
    # Zhejiang kept its /col/col<N>/ addresses when it moved from Hanweb to JPaaS (live-evidence.md)
    shell = JPAAS_SHELL.read_text("utf-8")
    recognition = recognise(Page("https://fzggw.zj.gov.cn/col/col1229629046/index.html", shell))
    assert recognition.cms == "jpaas"
    assert recognition.matched["hanweb"] == ["/col/col<N>/ column address"]
    weak = recognise(Page("https://example.gov.cn/col/col1/index.html", UNKNOWN))
    assert weak.cms is None and weak.describe().startswith("unknown CMS: ") and "\n" not in weak.describe()


def test_an_unknown_cms_says_so_in_one_line(app_home: Path, tmp_path: Path, cli: Any) -> None:
    page = tmp_path / "unknown.html"
    page.write_text(UNKNOWN, "utf-8")
    report = probe(str(page), url="https://example.gov.cn/news/")
    assert report.recognition.cms is None and not report.entry
    result = cli("sources", "probe", str(page))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith("unknown CMS: ")


def test_redirects_are_followed_and_reported(app_home: Path, mirror_root: Path) -> None:
    (mirror_root / "faults.json").write_text(json.dumps(
        {"gss.mof.gov.cn/old/": {"status": 301, "headers": {"Location": "/gzdt/zhengcefabu/"}}}), "utf-8")
    with MirrorServer(mirror_root) as server:
        report = probe("https://gss.mof.gov.cn/old/", mirror=server.url)
    assert report.page.redirects == [(301, "https://gss.mof.gov.cn/gzdt/zhengcefabu/")]
    assert report.recognition.cms == "trs"
    assert entry_of(report)["lists"] == ["https://gss.mof.gov.cn/gzdt/zhengcefabu/"]


def test_a_502_with_a_real_page_is_read_and_reported(app_home: Path, mirror_root: Path) -> None:
    # SYNTHETIC body: a TRS list page, answered with 502 as MOF hosts do (live-evidence.md, #59695641150)
    page = ('<html><body><ul class="liBox"><li><a href="./202406/t20240601_1.htm" title="甲">甲</a>'
            "<span>2024-06-01</span></li></ul><script>createPageHTML(5, 0, \"index\", \"htm\");</script></body></html>")
    (mirror_root / "faults.json").write_text(json.dumps({"gss.mof.gov.cn/gzdt/zhengcefabu/": {
        "status": 502, "body": page}}), "utf-8")
    with MirrorServer(mirror_root) as server:
        report = probe("https://gss.mof.gov.cn/gzdt/zhengcefabu/", mirror=server.url)
    assert report.page.status == 502 and report.recognition.cms == "trs"
    assert [(r.title, r.date) for r in report.rows] == [("甲", "2024-06-01")]
    assert any(problem.startswith("HTTP 502 from ") for problem in report.problems)


def test_json_output(cli: Any) -> None:
    result = cli("sources", "probe", str(JPAAS_SHELL), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cms"] == "jpaas" and data["confidence"] == "high"
    assert data["units"][0]["params"]["pageId"] == "fc8bdff48fa345a48b651c1285b70b8f"
    assert "unitbuild.js script" in data["signals"]["jpaas"]


def test_robots_txt_is_obeyed(app_home: Path, mirror_root: Path) -> None:
    robots = mirror_root / "static" / "gss.mof.gov.cn" / "robots.txt"
    robots.parent.mkdir(parents=True)
    robots.write_text("User-agent: *\nDisallow: /gzdt/\n", "utf-8")
    forbidden = r"robots\.txt of gss\.mof\.gov\.cn forbids"
    with MirrorServer(mirror_root) as server, pytest.raises(FetchError, match=forbidden):
        probe("https://gss.mof.gov.cn/gzdt/zhengcefabu/", mirror=server.url)


@pytest.mark.parametrize(("target", "message"), [
    ("ftp://example.gov.cn/x", "cbecwatch: not an http(s) URL: 'ftp://example.gov.cn/x'"),
    ("http://127.0.0.1:1/list.html", "cbecwatch: cannot fetch http://127.0.0.1:1/list.html: "),
    ("no-such-page.html", "cbecwatch: cannot read no-such-page.html: "),
])
def test_bad_targets_are_one_line_errors(cli: Any, target: str, message: str) -> None:
    result = cli("sources", "probe", target)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(message), result.stderr
