"""Which government CMS a page was published with, from the marks each one leaves in its HTML.

Used by ``cbecwatch sources probe`` (off the crawl's hot path, hence BeautifulSoup). Each CMS has a
few *signals* — a link scheme, a class name, a script — weighted 3 (only this CMS writes it), 2
(typical) or 1 (common elsewhere too). The CMS with the highest total wins; a page whose best total
is below :data:`RECOGNISED` is reported as unknown rather than guessed. The signals come from the
evidence behind the declared templates (``crawler/declared.py``) and, for JPaaS, from
``live-evidence.md`` "MOFCOM (JPaaS)": a ``unitbuild.js`` script whose ``url`` attribute is the unit
API and whose ``queryData`` names ``tagId`` and ``pageId``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from crawler.spiders.jpaas import UNIT_DEFAULTS, parse_query_data

RECOGNISED = 3  # one strong signal, or a typical one with a weak one
HIGH = 6  # two strong signals
UNIT_API = "/front/page/build/unit"
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
_JPAAS_ATTRS = {"webid": "webId", "tplsetid": "tplSetId", "parsetype": "parseType", "pagetype": "pageType",
                "edittype": "editType", "pageid": "pageId", "tagid": "tagId"}


@dataclass
class Page:
    """A page to recognise: its address (for link schemes), its text and its parsed tree."""

    url: str
    text: str
    soup: BeautifulSoup = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.soup = BeautifulSoup(self.text, "lxml")

    def hrefs(self) -> list[str]:
        """Every link target written in the page, also those inside script blocks and CDATA (Hanweb
        keeps its list rows there, out of the parsed tree)."""
        return _HREF.findall(self.text)


@dataclass(frozen=True)
class Signal:
    cms: str
    label: str
    weight: int
    test: Callable[[Page], bool]


def _links(pattern: str) -> Callable[[Page], bool]:
    regex = re.compile(pattern)
    return lambda page: any(regex.search(href) for href in page.hrefs())


def _text(pattern: str) -> Callable[[Page], bool]:
    regex = re.compile(pattern)
    return lambda page: regex.search(page.text) is not None


def _css(selector: str) -> Callable[[Page], bool]:
    return lambda page: page.soup.select_one(selector) is not None


def _url_or_links(pattern: str) -> Callable[[Page], bool]:
    regex = re.compile(pattern)
    return lambda page: regex.search(page.url) is not None or _links(pattern)(page)


SIGNALS: tuple[Signal, ...] = (
    Signal("trs", "t<date>_<id>.htm detail links", 3, _url_or_links(r"/t\d{8}_\d+\.s?html?(?:$|[?#])")),
    Signal("trs", "TRS_Editor body class", 3, _css(".TRS_Editor, .TRS_UEDITOR")),
    Signal("trs", "createPageHTML paging script", 3, _text(r"createPageHTML\s*\(")),
    Signal("trs", "index_N list pages", 2, _url_or_links(r"/index_\d+\.s?html?$")),
    Signal("trs", "countPage script variable", 1, _text(r"\bcountPage\s*=")),
    Signal("hanweb", "datastore CDATA records", 3, _text(r"<datastore>[\s\S]*?<record>\s*<!\[CDATA\[")),
    Signal("hanweb", "art_<col>_<id>.html detail links", 3,
           _url_or_links(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html")),
    Signal("hanweb", "jcms_files assets", 2, _text(r"/jcms_files/jcms\d")),
    Signal("hanweb", "jpage dataproxy.jsp paging", 2, _text(r"/module/web/jpage/dataproxy\.jsp")),
    Signal("hanweb", "/col/col<N>/ column address", 1, _url_or_links(r"/col/col\d+/")),
    Signal("easysite", "conList_ul list rows", 3, _css("[class^='conList_ul'], ul.conList_ul")),
    Signal("easysite", "easysite-* classes", 3, _text(r"class=\"[^\"]*\beasysite-")),
    Signal("easysite", "[NEXTPAGE] paging placeholder", 1, _text(r"\[NEXTPAGE\]")),
    Signal("jpaas", "unitbuild.js script", 3, _css("script[src*='unitbuild.js']")),
    Signal("jpaas", "unit API url attribute", 3, lambda page: bool(unit_scripts(page.soup))),
    Signal("jpaas", "queryData with pageId", 3, lambda page: any(u.params.get("pageId") for u in
                                                                 unit_scripts(page.soup))),
    Signal("jpaas", "art_<32hex>.html detail links", 2, _url_or_links(r"/art/\d{4}/art_[0-9a-f]{32}\.html")),
)
CMS_NAMES = {"trs": "TRS WCM", "hanweb": "Hanweb (大汉)", "easysite": "EasySite", "jpaas": "JPaaS (大汉 JCMS)"}


@dataclass(frozen=True)
class Recognition:
    cms: str | None  # a template name (trs, hanweb, easysite, jpaas), or None when unknown
    score: int
    confidence: str  # high, medium, low or none
    matched: dict[str, list[str]]  # signal labels found, per CMS

    def describe(self) -> str:
        if self.cms is None:
            weak = "; ".join(f"{cms}: {', '.join(labels)}" for cms, labels in self.matched.items())
            return "unknown CMS: no TRS, Hanweb, EasySite or JPaaS signal strong enough" + (
                f" (weak signals: {weak})" if weak else "")
        return (f"{CMS_NAMES[self.cms]} (template {self.cms}), {self.confidence} confidence, score {self.score}: "
                + ", ".join(self.matched[self.cms]))


def recognise(page: Page) -> Recognition:
    matched: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for signal in SIGNALS:
        if signal.test(page):
            matched.setdefault(signal.cms, []).append(signal.label)
            scores[signal.cms] = scores.get(signal.cms, 0) + signal.weight
    if not scores:
        return Recognition(None, 0, "none", {})
    # JPaaS is the successor of Hanweb on the same hosts: a JPaaS shell keeps /col/col<N>/ addresses,
    # so on a tie the unit script decides.
    best = max(scores, key=lambda cms: (scores[cms], cms == "jpaas"))
    score = scores[best]
    if score < RECOGNISED:
        return Recognition(None, score, "none", matched)
    confidence = "high" if score >= HIGH else "medium" if score >= RECOGNISED + 1 else "low"
    return Recognition(best, score, confidence, matched)


@dataclass(frozen=True)
class UnitScript:
    """One JPaaS unit of a column page: the API it calls and the query it sends."""

    api: str  # the url attribute, as written (usually root-relative)
    params: dict[str, str]
    script_id: str = ""

    @property
    def is_list(self) -> bool:
        tag = self.params.get("tagId", "")
        return "列表" in tag or "分页" in tag

    def query(self) -> dict[str, str]:
        """The query parameters of the first page, as unitbuild.js sends them."""
        return {**UNIT_DEFAULTS, **self.params}


def unit_scripts(soup: BeautifulSoup) -> list[UnitScript]:
    """Every ``<script … url=".../front/page/build/unit" queryData="{…}">`` of the page, list units first."""
    units = []
    for tag in soup.find_all("script"):
        if not isinstance(tag, Tag) or UNIT_API not in str(tag.get("url", "")):
            continue
        params = parse_query_data(str(tag.get("querydata", ""))) or {}
        for attr, name in _JPAAS_ATTRS.items():  # the parser lower-cases attribute names
            if name not in params and tag.get(attr):
                params[name] = str(tag.get(attr))
        units.append(UnitScript(str(tag["url"]), params, str(tag.get("id", ""))))
    return sorted(units, key=lambda unit: not unit.is_list)
