"""Declarative sources: a site section on a common government CMS, added with a config entry.

``crawler/sources.toml`` (or the file named by ``CBECWATCH_SOURCES_FILE``) holds one ``[[source]]``
table per section. A source names a CMS *template* — TRS, Hanweb, EasySite or JPaaS — whose selectors
(list rows, link, date, detail body and title, pagination, detail-URL id) are written once below,
and overrides any of them. A ``jpaas`` entry names the column page; its list unit's ids are read
from that page (or pinned with ``unit``, and then re-read from the page when they stop answering).
Unknown keys and templates are rejected on load with a message naming
the file, the source and the key, so a typo never turns into a silently empty source.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from appconfig.errors import ConfigError
from appconfig.files import check_sources
from crawler.spiders.jpaas import ART_BODY, ART_URL

BUNDLED = Path(__file__).with_name("sources.toml")
NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
PAGINATIONS = ("none", "index_n", "query", "next_link", "unit")


@dataclass(frozen=True)
class Template:
    """How one CMS lays out lists and detail pages; every field can be overridden per source."""

    rows: str = "ul li"
    link: str = "a[href]"
    title_attr: str = "title"
    date: str = "span"
    #: Hanweb ships list rows inside ``<datastore><record><![CDATA[…]]>`` in a script block.
    datastore: bool = False
    body: tuple[str, ...] = ("div.TRS_Editor",)
    title: tuple[str, ...] = ("h1",)
    detail_date: tuple[str, ...] = ()
    #: a regex over detail URLs: rows that do not match are not notices; group 1 is the stable id
    detail_url: str = r".*"
    pagination: str = "none"
    #: ``index_n``: the extension of ``index_1.htm``; ``query``: appended to the list URL, with
    #: ``{n}`` (the page number) and ``{uid}``; ``next_link``: a CSS selector of the next-page link
    page_pattern: str = ""
    page_attr: str = "href"
    uid: str = ""
    encoding: str | None = None
    #: ``jpaas``: the tagId of the list unit when a page has several (else the one named …列表),
    #: pinned unit ids (``{pageId = "…", webId = "…", …}``) and the page size asked for
    unit_tag: str = ""
    unit: tuple[tuple[str, str], ...] = ()
    page_size: int = 15


TEMPLATES: dict[str, Template] = {
    # TRS WCM static publishing: index.htm, index_1.htm …; t<date>_<id>.htm details, .TRS_Editor bodies
    # [lead: unconfirmed, several projects on MOF and NDRC sites; RSSHub ndrc routes for the body].
    "trs": Template(rows="ul.liBox li, ul.u-list li, ul.list li, div.list ul li", body=(
        "div.TRS_Editor", "div.TRS_UEDITOR", "div.my_doccontent", "div.article_con", "#zoom", "#zoomcon",
        "div.arc_cont"),
        title=("h2.title_con", "h1", "div.article_title"), detail_url=r"/(t\d{8}_\d+)\.s?html?$",
        pagination="index_n", page_pattern="htm"),
    # Hanweb (大汉): /col/col<id>/index.html lists, ?uid=<n>&pageNum=<n> paging [source:
    # jas0no7/local_spider_jason]; /art/YYYY/M/D/art_<col>_<id>.html details, body #zoom [source: the
    # saved real 浙江省发改委 page]; datastore CDATA rows [own knowledge of the CMS, not in the reference].
    "hanweb": Template(rows="div.default_pgContainer li, ul.list li, li", datastore=True,
                       body=("#zoom", "#zoomcon", "div.main-txt", "div.TRS_Editor"),
                       title=("p.con-title", "h1", "div.title"),
                       detail_date=(".small-title",), detail_url=r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_(\d+)\.html$",
                       pagination="query", page_pattern="?uid={uid}&pageNum={n}"),
    # EasySite (as www.customs.gov.cn before 2025) [confirmed: RSSHub gov/customs; mr-data-factory].
    "easysite": Template(rows="ul.conList_ul li, [class^='conList_ul'] li", body=(
        ".easysite-news-peruse", "div.easysite-news-content", "div.easysite-news-text"),
        title=("div.easysite-news-title h2", "h1"), detail_date=(".easysite-news-describe",),
        detail_url=r"/(\d+)/index\.html$", pagination="next_link",
        page_pattern="div.easysite-page-wrap a[title='下一页']", page_attr="tagname"),
    # JPaaS (大汉 JCMS's successor; MOFCOM and its sub-sites, MIIT, fzggw.zj.gov.cn): column shells
    # whose rows come from the unit API, rows li > a[title] + span in data.html, paramJson paging,
    # /art/YYYY/art_<32hex>.html details with a div.art-con[ergodic=article] body [confirmed:
    # #71114623176, #61866510366, #70462059670]. The logic is crawler/spiders/jpaas.py.
    "jpaas": Template(rows="li", body=ART_BODY, title=("div.art-title h1", "h1"), detail_url=ART_URL,
                      pagination="unit"),
}
TEMPLATE_KEYS = {f.name for f in fields(Template)}
SOURCE_KEYS = {"name", "agency", "template", "home", "lists", "relies_on", "max_pages"}


@dataclass(frozen=True)
class DeclaredSource:
    name: str
    agency: str
    template_name: str
    home: str
    lists: tuple[str, ...]
    template: Template
    relies_on: tuple[str, ...] = ()
    max_pages: int | None = None
    origin: str = field(default="", compare=False)


def _fail(origin: str, message: str) -> ConfigError:
    return ConfigError(f"{origin}: {message}")


def parse_source(entry: dict[str, Any], origin: str) -> DeclaredSource:
    check_sources({"source": [entry]}, origin)  # types and keys (appconfig.files); meanings below
    name = entry.get("name")
    where = f"{origin}, source {name!r}"
    if not isinstance(name, str) or not NAME.match(name):
        raise _fail(where, "name must be lower-case letters, digits and _ (a stable source id)")
    unknown = sorted(set(entry) - SOURCE_KEYS - TEMPLATE_KEYS)
    if unknown:
        known = ", ".join(sorted(SOURCE_KEYS | TEMPLATE_KEYS))
        raise _fail(where, f"unknown key(s) {', '.join(unknown)}; known: {known}")
    for key in ("agency", "template", "home"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise _fail(where, f"{key} is required (a string)")
    if entry["template"] not in TEMPLATES:
        raise _fail(where, f"unknown template {entry['template']!r}; known: {', '.join(sorted(TEMPLATES))}")
    lists = entry.get("lists")
    if not isinstance(lists, list) or not lists or not all(isinstance(u, str) and "://" in u for u in lists):
        raise _fail(where, "lists must be a non-empty list of list-page URLs")
    overrides = {key: entry[key] for key in TEMPLATE_KEYS if key in entry}
    for key in ("body", "title", "detail_date"):
        if key in overrides:
            value = overrides[key]
            overrides[key] = (value,) if isinstance(value, str) else tuple(value)
    if "unit" in overrides:
        overrides["unit"] = _unit_ids(overrides["unit"], where, lists)
    if "page_size" in overrides and not (isinstance(overrides["page_size"], int) and overrides["page_size"] > 0):
        raise _fail(where, "page_size must be a positive whole number")
    template = replace(TEMPLATES[entry["template"]], **overrides)
    if template.pagination not in PAGINATIONS:
        raise _fail(where, f"pagination must be one of {', '.join(PAGINATIONS)}")
    if (template.pagination == "unit") != (entry["template"] == "jpaas"):
        raise _fail(where, 'pagination "unit" is the jpaas template\'s, and the only one it has')
    try:
        re.compile(template.detail_url)
    except re.error as exc:
        raise _fail(where, f"detail_url is not a regular expression: {exc}") from exc
    return DeclaredSource(
        name=name, agency=entry["agency"], template_name=entry["template"], home=entry["home"],
        lists=tuple(lists), template=template, relies_on=tuple(entry.get("relies_on", ())),
        max_pages=entry.get("max_pages"), origin=origin,
    )


def _unit_ids(value: Any, where: str, lists: list[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not value.get("pageId") or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise _fail(where, 'unit must be a table of strings with a pageId, e.g. {pageId = "…", webId = "…"}')
    if len(lists) != 1:
        raise _fail(where, "unit pins the ids of one column: give exactly one list with it")
    return tuple(value.items())


def load_declared_sources(path: Path | str | None = None) -> list[DeclaredSource]:
    if path is None:
        from appconfig.settings import get_settings

        path = get_settings().sources_file or BUNDLED
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file {path} does not exist (CBECWATCH_SOURCES_FILE)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path} is not valid TOML: {exc}") from exc
    check_sources(data, str(path))
    sources = [parse_source(entry, str(path)) for entry in data.get("source", [])]
    # counted once, not names.count() per name: quadratic in the number of sources (bench row 11 declares 300)
    duplicates = sorted(name for name, seen in Counter(s.name for s in sources).items() if seen > 1)
    if duplicates:
        raise ConfigError(f"{path}: source name(s) used twice: {', '.join(duplicates)}")
    return sources
