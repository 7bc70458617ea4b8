"""Hypothesis properties of the page readers a crawl runs on whatever a site sends: the extractor on
mutated notice pages, every spider's list callback on mutated list pages and list APIs, and the probe's
readers (the goods tables are in test_properties_goods.py). Random and mutated input never raises
(beyond the errors a reader reports as a source's parse or layout-drift failure), and what comes out
stays well formed.

Seeds are the repository's own pages: ``tests/extraction/data`` (saved notices) and the list pages
and JSON list APIs the mirror (``crawler/mirror``) serves each spider, read in-process as a crawl
against the mirror would fetch them. ``bench/fuzz.py`` fuzzes ``extract()`` on plain strings; the
properties here go through the crawl's own decode step and keep the failing shapes as examples.
``database=None`` keeps runs from writing a .hypothesis directory into the checkout."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes

from crawler.cms import Page, recognise, unit_scripts
from crawler.declared import TEMPLATES
from crawler.encoding import CharsetMiddleware, decode_page
from crawler.extraction.divisions import gazetteer
from crawler.extraction.docnumber import normalize
from crawler.extraction.normalize import to_simplified
from crawler.facts import extract_notice
from crawler.health import BLOCKED, LAYOUT_DRIFT, PARSE
from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.server import DEFAULT_ROOT as MIRROR_ROOT
from crawler.mirror.server import answer
from crawler.offsite import host_allowed
from crawler.probe import read_rows, template_for
from crawler.runner import scrapy_settings, source_classes
from crawler.spiders.base import NoticeSpider

TESTS = Path(__file__).resolve().parent
PAGES = settings(database=None, deadline=None, max_examples=100,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- mutations ---------------------------------------------------------------------------------------
TAGS = ("<p>", "</p>", "<div>", "</div>", "<table><tr><td>", "</td></tr></table>", "<br>", "<script>", "</script>",
        "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<title>", "</title>", "<h1>",
        "<meta name=\"PubDate\" content=\"", "<td>发文字号：</td><td>", "<b>发布日期：", "<a href=\"", "<span class=\"",
        "<", ">", "&", "&#x0;", "&#1114112;", "&amp;", "&nbsp;", "<svg><foreignObject>", "<select><option>",
        "<frameset>", "<template>", "<plaintext>")
TOKENS = ("〔", "〕", "号", "年", "月", "日", "第", "省", "市", "、", "。", "；", "同意在", "设立",
          "跨境电子商务综合试验区", "试点", "撤销", "不适用", "等3个城市", "二〇一九年十二月", "2019年13月45日",
          "9999年1月1日", "0000-00-00", "国函〔2099〕99999号", "海关总署公告2018年第194号",
          "\u3000", "\u202e", "\x1b[2J", "\r\n", "\x00", "\ufeff")
CHARSETS = ("utf-8", "gbk", "gb2312", "gb18030", "big5", "utf-16", "utf-32", "rot13", "base64", "hex", "zlib",
            "x-unknown", "", "utf-8\"><script>", "latin-1", "cp1252", "shift_jis", "idna", "punycode", "unicode_escape")
ENCODINGS = ("utf-8", "gb18030", "gbk", "big5", "utf-16", "latin-1")
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]")


def _span(draw: st.DrawFn, length: int) -> tuple[int, int]:
    start = draw(st.integers(0, length))
    return start, min(length, start + draw(st.integers(0, 400)))


def mutate_text(draw: st.DrawFn, text: str) -> str:
    """One mutation a careless site (or a hostile one) could make to the page's characters."""
    kind = draw(st.sampled_from(("delete", "duplicate", "swap", "tag", "token", "charset", "truncate", "nest",
                                 "cjk", "digits", "random")))
    a, b = _span(draw, len(text))
    at = draw(st.integers(0, len(text)))
    if kind == "delete":
        return text[:a] + text[b:]
    if kind == "duplicate":
        return text[:at] + text[a:b] * draw(st.integers(1, 5)) + text[at:]
    if kind == "swap":
        c, d = _span(draw, len(text))
        (a, b), (c, d) = sorted([(a, b), (c, d)])
        return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:] if b <= c else text
    if kind == "tag":
        return text[:at] + "".join(draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=6))) + text[at:]
    if kind == "token":
        return text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    if kind == "charset":
        charset = draw(st.sampled_from(CHARSETS))
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}"><meta charset="{charset}">'
        replaced = re.sub(r"charset=[\"']?[\w-]+", f"charset={charset}", text, count=1)
        return replaced if replaced != text else meta + text
    if kind == "truncate":
        return text[:at]
    if kind == "nest":
        depth = draw(st.integers(10, 3000))
        tag = draw(st.sampled_from(("div", "span", "p", "table", "font", "li")))
        return text[:at] + f"<{tag}>" * depth + "同意在杭州市设立跨境电子商务综合试验区" + \
            f"</{tag}>" * draw(st.integers(0, depth)) + text[at:]
    if kind == "cjk":  # every CJK character of a slice replaced by a random one
        fresh = iter(draw(st.lists(CJK, min_size=b - a, max_size=b - a)))
        return text[:a] + _CJK_RUN.sub(lambda _: next(fresh, "字"), text[a:b]) + text[b:]
    if kind == "digits":
        return text[:a] + text[a:b].translate(FULL_WIDTH) + text[b:]
    return text[:at] + draw(st.text(max_size=40)) + text[at:]


def mutate_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    """One mutation of the bytes on the wire: cut, repeated or swapped ranges (half a multi-byte
    character), NUL, BOMs, invalid sequences."""
    kind = draw(st.sampled_from(("delete", "duplicate", "swap", "insert", "truncate")))
    a, b = _span(draw, len(body))
    at = draw(st.integers(0, len(body)))
    if kind == "delete":
        return body[:a] + body[b:]
    if kind == "duplicate":
        return body[:at] + body[a:b] + body[at:]
    if kind == "swap":
        return body[a:b] + body[:a] + body[b:]
    if kind == "insert":
        noise = draw(st.sampled_from((b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x80\x80", b"\xc3",
                                      b"\xe8\xb7", b"\x1b[31m", b"\r", b"\x00" * 64)))
        return body[:at] + noise + body[at:]
    return body[:at]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str], strip: re.Pattern[str] | None = None) -> tuple[bytes, str]:
    """A seed page mutated as text, encoded in some charset, mutated as bytes; with the encoding a
    crawl would have taken from the response headers. ``strip``: removed from the text after mutating."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        text = mutate_text(draw, text)
    if strip is not None:
        text = strip.sub("", text)
    encoding = draw(st.sampled_from(ENCODINGS))
    body = text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        body = mutate_bytes(draw, body)
    header = draw(st.sampled_from((encoding, encoding, "utf-8", "rot13", "x-bogus", "base64", "")))
    return body[:300_000], header


# -- 1. the extractor, as the crawl pipeline calls it ------------------------------------------------
WRAPPER = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
           '<div class="TRS_Editor"><p>{body}</p></div></body></html>')


@cache
def notice_pages() -> list[str]:
    """The saved notice pages, and the saved notice texts set in a minimal page."""
    data = TESTS / "extraction" / "data"
    pages = [p.read_text("utf-8", errors="replace") for p in sorted(data.glob("*.html"))]
    for path in [*sorted(data.glob("*.txt")), TESTS / "data" / "reply-2019-137-24cities.txt"]:
        lines = [ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("#")]  # SYNTHETIC notes
        pages.append(WRAPPER.format(title=html.escape(lines[0]), body="</p><p>".join(map(html.escape, lines[1:]))))
    return pages


SANE_DAYS = (dt.date(1949, 1, 1), dt.date(2100, 12, 31))
# The issuer may count its co-issuers: 财政部等8部门公告2022年第7号.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5\d]{1,40}(?:〔(?:19|20)\d\d〕\d{1,5}号|(?:19|20)\d\d年第\d{1,5}号)")
# find_places designates only in a sentence (or the one after a sentence) naming the zones; it reads
# the text converted to simplified characters, so the traditional forms name them too.
DESIGNATION_CONTEXT = re.compile(r"试验区|试点|示范区|综试区|跨境")
ZONE_WORDS = re.compile(r"[试試][验驗][区區]|[试試][点點]|示[范範][区區]|[综綜][试試][区區]|跨境")
UNRESOLVED_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,10}(?:市|地区|自治州|盟|新区|全岛|综合实验区)")
URL = "https://www.gov.cn/zhengce/content/property.htm"


def crawl_extract(body: bytes, encoding: str) -> tuple[str, dict[str, object]]:
    """What ExtractionPipeline.process_item does with a fetched page (without the spider's tree)."""
    page = decode_page(body, encoding, URL)
    return page, extract_notice(page, url=URL, title=None, publish_date=None, is_html=True)


def assert_well_formed(page: str, facts: dict[str, object]) -> None:
    for key in ("title", "doc_number", "effective_rule", "program", "issue_date", "publish_date", "effective_date"):
        assert facts[key] is None or isinstance(facts[key], str), key
    for key in ("issue_date", "publish_date", "effective_date"):
        if facts[key] is not None:
            assert SANE_DAYS[0] <= dt.date.fromisoformat(str(facts[key])) <= SANE_DAYS[1], (key, facts[key])
    number = facts["doc_number"]
    if number is not None:
        assert DOC_NUMBER.fullmatch(str(number)) and normalize(str(number)) is not None, number
    assert isinstance(facts["kind"], str) and isinstance(facts["relevant"], bool)
    assert 0.0 <= float(facts["relevance"]) <= 1.0  # type: ignore[arg-type]
    assert all(isinstance(w, str) for w in facts["warnings"])  # type: ignore[union-attr]
    gaz = gazetteer()
    for role in ("cities", "removed_cities", "exempt_cities"):
        for place in facts[role]:  # type: ignore[union-attr]
            if place["adcode"] is None:  # a new zone type's name, kept by its shape
                assert UNRESOLVED_PLACE.fullmatch(place["name"]), place
            else:
                division = gaz.by_code[place["adcode"]]
                assert place["province"] == gaz.province_name(division), place
    visible = to_simplified(html.unescape(re.sub(r"<[^>]*>", "", page)))
    if not DESIGNATION_CONTEXT.search(visible) and not DESIGNATION_CONTEXT.search(to_simplified(page)):
        assert facts["cities"] == [], facts["cities"]  # no designation without the zones named


@PAGES
@given(st.data())
def test_a_mutated_notice_page_extracts_without_raising_into_well_formed_facts(data: st.DataObject) -> None:
    body, encoding = data.draw(mutated(notice_pages()))
    page, facts = crawl_extract(body, encoding)
    assert_well_formed(page, facts)


@PAGES
@given(st.data())
def test_a_mutated_page_without_the_zones_named_designates_no_city(data: st.DataObject) -> None:
    body, encoding = data.draw(mutated(notice_pages(), strip=ZONE_WORDS))
    page, facts = crawl_extract(body, encoding)
    assert_well_formed(page, facts)


# -- 2. every spider's list callback, on the list pages and list APIs the mirror serves ----------------
@cache
def list_seeds() -> list[tuple[str, Request, bytes, str]]:
    """``(source, list request, body, content type)`` of every list page a crawl against the mirror
    reads first, and of the list pages those lead to (JPaaS unit API, 政策文件库 search, next pages)."""
    settings_ = scrapy_settings()
    seeds: list[tuple[str, Request, bytes, str]] = []
    for name, spider_class in sorted(source_classes(settings_).items()):
        spider = list_spider(spider_class)
        queue = [request for _, make in spider.list_strategies() for request in make()]
        for request in queue:  # grows while it is read: the list pages the first ones lead to
            answer = mirror_answer(request)
            seeds.append((name, request, answer.body, answer.content_type))
            if len(queue) < 8:
                response = list_response(request, answer.body, answer.content_type, spider)
                queue += [out for out in spider.parse_list(response)
                          if isinstance(out, Request) and out.meta.get("cbec_kind") == "list"]
    return seeds


def list_spider(spider_class: type[NoticeSpider]) -> NoticeSpider:
    spider = spider_class()
    spider.settings = scrapy_settings()  # what Crawler gives it; the list callbacks read the page budget
    return spider


def mirror_answer(request: Request) -> MirrorResponse:
    parts = urlsplit(request.url)
    return answer(MirrorRequest(request.method, parts.hostname or "", parts.path or "/", dict(parse_qsl(parts.query)),
                                request.body or b"", {}, MIRROR_ROOT))


class _Crawler:
    def __init__(self, spider: NoticeSpider | None) -> None:
        self.spider = spider


def list_response(request: Request, body: bytes, content_type: str, spider: NoticeSpider | None = None) -> Response:
    """The response as the list callback sees it: built as Scrapy builds it, then through the
    crawl's CharsetMiddleware (which settles declared charsets that are no text codec)."""
    headers = {"Content-Type": content_type}
    response_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
    response = response_class(request.url, status=200, body=body, headers=headers, request=request)
    return CharsetMiddleware(_Crawler(spider)).process_response(request, response)  # type: ignore[arg-type]


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats() | st.text(max_size=30)
                           | st.sampled_from(("", "0", "-1", "null", "<a href='//evil.example/x'>x</a>", "javascript:x",
                                              "https://evil.example/a.htm", "../../../etc/passwd", "2019-13-45")),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=3), max_leaves=8)


def mutate_json(draw: st.DrawFn, value: object, depth: int = 0) -> object:
    """The API answer with values replaced by other types, keys dropped, lists emptied or repeated."""
    if depth > 12 or draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES) if draw(st.booleans()) else value
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if draw(st.integers(0, 7))}
        return {k: mutate_json(draw, v, depth + 1) for k, v in kept.items()}
    if isinstance(value, list):
        items = [mutate_json(draw, v, depth + 1) for v in value]
        return items * draw(st.integers(0, 3)) if draw(st.integers(0, 4)) == 0 else items
    if isinstance(value, str) and value.lstrip().startswith(("<", "{", "[")):  # an HTML fragment or JSON in JSON
        return mutate_text(draw, value)
    return value


@st.composite
def mutated_list_page(draw: st.DrawFn) -> tuple[str, Request, bytes, str]:
    name, request, body, content_type = draw(st.sampled_from(list_seeds()))
    text = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if document is not None and draw(st.booleans()):
        body = json.dumps(mutate_json(draw, document), ensure_ascii=draw(st.booleans())).encode("utf-8")
    else:
        body, _ = draw(mutated([text]))
    if draw(st.integers(0, 9)) == 0:
        content_type = draw(st.sampled_from(("text/html; charset=rot13", "application/json", "text/plain",
                                             "application/octet-stream", "text/html; charset=gbk")))
    return name, request, body, content_type


# Found by this property: a page declaring charset=idna (a text codec that refuses errors="replace")
# passed CharsetMiddleware and crashed Scrapy's response.text; text_codec now refuses such codecs.
IDNA_LIST = (b'<html><head><meta charset="idna"></head><body><div class="common_list"><ul class="list"><li>'
             b'<a href="/chinatax/n810341/n810755/c5200111/content.html">\xe5\x85\xac\xe5\x91\x8a</a>'
             b'<span>[2024-03-01]</span></li></ul></div></body></html>')
IDNA_REQUEST = Request("http://www.chinatax.gov.cn/chinatax/n810341/n810755/index.html",
                       meta={"cbec_kind": "list", "cbec_parse": "parse_latest"})


GOVCN_FEED = Request("https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json",
                     meta={"cbec_kind": "list", "cbec_parse": "parse_feed"})


@PAGES
@given(mutated_list_page())
# Found by this property: JSON rows that are no object, page counts that are no number raised from the
# list callbacks; parse_list now reports them as the list page's parse error.
@example(("govcn", GOVCN_FEED, b"[null]", "application/json"))
@example(("govcn", GOVCN_FEED, b'[{"TITLE": "x", "URL": 7}, 3]', "application/json"))
@example(("chinatax", IDNA_REQUEST, IDNA_LIST, "application/json"))
@example(("chinatax", IDNA_REQUEST, IDNA_LIST.replace(b"idna", b"punycode"), "text/html"))
# Found by this property: an attribute *name* with a control character (a UTF-16 page read as GB18030)
# made parsel's .attrib raise ValueError in link_rows; the readers now ask lxml for one attribute.
@example(("chinatax", IDNA_REQUEST, IDNA_LIST.replace(b'idna"', b'utf-8"').replace(b"<a ", b'<a \x0bx="1" '),
          "text/html"))
def test_a_mutated_list_page_never_raises_and_every_request_stays_on_the_source(
        case: tuple[str, Request, bytes, str]) -> None:
    name, request, body, content_type = case
    spider = list_spider(source_classes(scrapy_settings())[name])
    response = list_response(request, body, content_type, spider)
    outputs = list(spider.parse_list(response))  # drift and parse failures are recorded in spider.health
    assert all(error in (PARSE, LAYOUT_DRIFT, BLOCKED) for error in spider.health.errors), spider.health.errors
    for output in outputs:
        assert isinstance(output, Request), output
        assert host_allowed(output.url, spider.allowed_domains), (output.url, spider.allowed_domains)


def test_the_list_seeds_cover_every_source() -> None:
    assert {name for name, *_ in list_seeds()} == set(source_classes(scrapy_settings()))


# -- the probe's readers (crawler/cms.py, crawler/probe.py) on the same mutated list pages -----------
@cache
def shell_pages() -> list[tuple[str, str]]:
    """``(url, html)`` of the HTML list pages and column shells above, and the saved JPaaS shell."""
    pages = [(request.url, body.decode("utf-8", errors="replace"))
             for _, request, body, content_type in list_seeds() if content_type.startswith("text/html")]
    shell = TESTS / "fixtures" / "probe" / "jpaas_column_synthetic.html"
    return [*pages, ("https://fzggw.zj.gov.cn/col/col1229629046/index.html", shell.read_text("utf-8"))]


@PAGES
@given(st.data())
def test_recognising_the_cms_of_a_mutated_page_and_reading_its_rows_never_raises(data: st.DataObject) -> None:
    url, text = data.draw(st.sampled_from(shell_pages()))
    body, encoding = data.draw(mutated([text]))
    page = Page(url, decode_page(body, encoding, url))
    recognition = recognise(page)
    assert recognition.cms in (None, *TEMPLATES, "jpaas") and recognition.score >= 0
    assert recognition.describe()
    for unit in unit_scripts(page.soup):
        assert isinstance(unit.api, str) and all(isinstance(v, str) for v in unit.query().values())
    rows, _ = read_rows(page.text, url, template_for(recognition.cms or "trs"))
    for row in rows:
        assert isinstance(row.title, str) and row.url.startswith(("http://", "https://"))
        assert row.date is None or SANE_DAYS[0] <= dt.date.fromisoformat(row.date) <= SANE_DAYS[1]
