"""``cbecwatch sources probe``: what a new column page would give as a declared source.

One page (fetched, or a saved file) is recognised (:mod:`crawler.cms`), its rows are read with the
selectors of the matching template in :mod:`crawler.declared` — the very selectors a declared
source would use, so an empty row list here means the entry needs a ``rows`` override — and a
``[[source]]`` entry is written for ``crawler/sources.toml``. A JPaaS column page is a shell whose
rows come from the unit API: that API is called once, with the ids the page declares.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from crawler.cms import Page, Recognition, UnitScript, recognise, unit_scripts
from crawler.declared import TEMPLATE_KEYS, TEMPLATES, Template, parse_source
from crawler.fetch import Fetched, Fetcher, FetchError, read_saved
from crawler.parsing.dates import parse_china_date
from crawler.spiders.declared import _RECORD  # Hanweb's <datastore> rows, read as the declared spider reads them

# Until crawler/declared.py has its own "jpaas" template, rows are read with the shape the evidence
# shows (ul.txtList_01 > li on MOFCOM, li.cf on MIIT: every row an li with a[href][title] and a date).
_JPAAS_FALLBACK = Template(rows="li", detail_url=r"/art/\d{4}/art_([0-9a-f]{32})\.html$")
# The ids a unit sends; a jpaas entry may pin them as ``unit = {…}`` (it reads them from the page when not).
JPAAS_IDS = ("webId", "tplSetId", "tagId", "pageId")


@dataclass(frozen=True)
class Row:
    title: str
    url: str
    date: str | None  # ISO date, when the row shows one


@dataclass
class ProbeReport:
    page: Fetched
    recognition: Recognition
    rows: list[Row] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # links in the rows that are not notices (navigation …)
    rows_from: str = ""
    units: list[UnitScript] = field(default_factory=list)
    unit_api: dict[str, object] | None = None
    problems: list[str] = field(default_factory=list)
    entry: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.page.url, "final_url": self.page.final_url, "status": self.page.status,
            "redirects": [{"status": s, "to": to} for s, to in self.page.redirects], "notes": self.page.notes,
            "cms": self.recognition.cms, "confidence": self.recognition.confidence, "score": self.recognition.score,
            "signals": self.recognition.matched, "rows_from": self.rows_from,
            "rows": [row.__dict__ for row in self.rows], "skipped_links": self.skipped,
            "units": [{"api": u.api, "params": u.params, "script_id": u.script_id} for u in self.units],
            "unit_api": self.unit_api, "problems": self.problems, "entry": self.entry or None,
        }


def template_for(cms: str) -> Template:
    if cms in TEMPLATES:
        return TEMPLATES[cms]
    return _JPAAS_FALLBACK


def read_rows(html: str, base_url: str, template: Template) -> tuple[list[Row], list[str]]:
    """The notice rows of a list page as the declared spider reads them: rows → link → title and date,
    kept when the link matches the template's ``detail_url``."""
    if template.datastore:
        records = _RECORD.findall(html)
        if records:
            html = "<ul>" + "".join(records) + "</ul>"
    soup = BeautifulSoup(html, "lxml")
    rows: list[Row] = []
    skipped: list[str] = []
    seen: set[str] = set()
    detail = re.compile(template.detail_url)
    for row in soup.select(template.rows):
        anchor = row if row.name == "a" else row.select_one(template.link)
        if not isinstance(anchor, Tag) or not anchor.get("href"):
            continue
        url = urljoin(base_url, str(anchor["href"]).strip())
        if not detail.search(url):
            skipped.append(url)
            continue
        if url in seen:
            continue
        seen.add(url)
        title = str(anchor.get(template.title_attr) or "").strip() or anchor.get_text(" ", strip=True)
        stamp = " ".join(el.get_text(" ", strip=True) for el in row.select(template.date)) if template.date else ""
        date = parse_china_date(stamp)
        rows.append(Row(title, url, date.isoformat() if date else None))
    return rows, skipped


def saved_address(html: str) -> str | None:
    soup = BeautifulSoup(html, "lxml")
    for meta in soup.find_all("meta", attrs={"name": True}):
        content = str(meta.get("content") or "").strip()
        if str(meta["name"]).lower() == "url" and content.startswith(("http://", "https://")):
            return content
    return None


def call_unit_api(fetcher: Fetcher, page_url: str, unit: UnitScript) -> tuple[str, dict[str, object]]:
    """The HTML fragment of a JPaaS unit's first page, and what the answer said."""
    api = urljoin(page_url, unit.api)
    answer = fetcher.get(api, unit.query())
    info: dict[str, object] = {"url": answer.final_url, "status": answer.status}
    try:
        data = json.loads(answer.text)
    except ValueError as exc:
        raise FetchError(f"unit API {api} did not answer JSON (HTTP {answer.status})") from exc
    if not isinstance(data, dict):
        raise FetchError(f"unit API {api} answered {type(data).__name__}, not an object")
    info.update({"code": data.get("code"), "success": data.get("success")})
    fragment = (data.get("data") or {}).get("html") if isinstance(data.get("data"), dict) else None
    if not isinstance(fragment, str) or not fragment.strip():
        raise FetchError(f"unit API {api} answered no data.html fragment (code {data.get('code')!r})")
    count = re.search(r'\bcount="?(\d+)', fragment)
    info["count"] = int(count.group(1)) if count else None
    return fragment, info


def probe(target: str, *, mirror: str | None = None, url: str | None = None,
          fetcher: Fetcher | None = None) -> ProbeReport:
    """Probe *target*: an http(s) URL, or the path of a saved page (``url`` = its real address)."""
    own = fetcher is None
    fetcher = fetcher or Fetcher(mirror=mirror)
    try:
        if "://" in target and not Path(target).exists():
            fetched = fetcher.get(target)
        else:
            fetched = read_saved(Path(target), url)
            address = None if url else saved_address(fetched.text)
            if address:  # a page saved by a browser names itself; links and the entry need that address
                fetched = read_saved(Path(target), address)
                fetched.notes.append(f"its address, {address}, from the page's <meta name=\"url\">")
        report = ProbeReport(fetched, recognise(Page(fetched.final_url, fetched.text)))
        if fetched.status >= 400:  # MOF hosts answer 502 with a real page: read it, but say so
            report.problems.append(f"HTTP {fetched.status} from {fetched.final_url}: the page was read anyway")
        cms = report.recognition.cms
        if cms is None:
            return report
        template = template_for(cms)
        if cms == "jpaas":
            _jpaas_rows(report, fetcher, template, saved=fetched.final_url.startswith("file:"))
        else:
            report.rows, report.skipped = read_rows(fetched.text, fetched.final_url, template)
            report.rows_from = "the page"
            if not report.rows and re.search(template.detail_url, fetched.final_url.split("?")[0]):
                report.problems.append(f"{fetched.final_url} is a {cms} detail page: probe its column (list) "
                                       "page for the rows and the entry")
                return report
        if not report.rows and (cms != "jpaas" or report.unit_api is not None):  # else: said why above
            report.problems.append(f"no notice rows with the {cms} template's selectors (rows {template.rows!r}, "
                                   f"detail_url {template.detail_url!r}): the entry needs a rows override")
        if fetched.final_url.startswith("file:"):
            report.problems.append("no [[source]] entry for a saved file without its address: give --url")
        else:
            report.entry = source_entry(report)
        return report
    finally:
        if own:
            fetcher.close()


def _jpaas_rows(report: ProbeReport, fetcher: Fetcher, template: Template, *, saved: bool) -> None:
    report.units = unit_scripts(Page(report.page.final_url, report.page.text).soup)
    listing = next((u for u in report.units if u.params.get("pageId")), None)
    if listing is None:
        report.problems.append("JPaaS unit script without a pageId: no unit API to call")
        return
    if saved:
        report.problems.append("a saved file: the unit API is not called (give --url, the page's address)")
        return
    try:
        fragment, report.unit_api = call_unit_api(fetcher, report.page.final_url, listing)
    except FetchError as exc:
        report.problems.append(str(exc))
        return
    report.rows, report.skipped = read_rows(fragment, report.page.final_url, template)
    report.rows_from = f"the unit API (tagId {listing.params.get('tagId', '?')}, pageId {listing.params['pageId']})"


def _source_name(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "site").removeprefix("www.").removesuffix(".gov.cn").removesuffix(".cn")
    segments = [s for s in parts.path.split("/") if s and not re.match(r"index(_\d+)?\.", s)]
    name = "_".join([*host.split(".")[:2], *segments[-1:]])
    name = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return (name if re.match(r"^[a-z]", name) else f"src_{name}")[:41]


def _agency(page: Fetched) -> str:
    soup = BeautifulSoup(page.text, "lxml")
    for meta in ("SiteName", "sitename", "ColumnName"):
        found = soup.find("meta", attrs={"name": meta})
        if isinstance(found, Tag) and found.get("content"):
            return str(found["content"]).strip()
    title = soup.title.get_text(strip=True) if soup.title else ""
    return re.split(r"[_|｜-]", title)[-1].strip() or "TODO: the agency"


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list of strings is valid TOML


def source_entry(report: ProbeReport) -> str:
    """A ``[[source]]`` entry for crawler/sources.toml: checked by the loader when it knows the template."""
    cms = report.recognition.cms or ""
    page = report.page
    list_url = page.final_url
    parts = urlsplit(list_url)
    signals = ", ".join(report.recognition.matched.get(cms, []))
    lines = ["[[source]]", f"name = {_toml(_source_name(list_url))}  # a stable id: check it before the first crawl",
             f"agency = {_toml(_agency(page))}  # from the page's SiteName or title: check it",
             f"template = {_toml(cms)}",
             f"home = {_toml(f'{parts.scheme}://{parts.netloc}/')}", f"lists = {_toml([list_url.split('?')[0]])}"]
    comments = []
    if cms == "trs":
        paging = re.search(r"createPageHTML\s*\(\s*\d+\s*,\s*\d+\s*,\s*\"[^\"]*\"\s*,\s*\"(\w+)\"", page.text)
        if paging and paging.group(1) != template_for(cms).page_pattern:
            lines.append(f"page_pattern = {_toml(paging.group(1))}")
    if cms == "jpaas" and report.units:
        unit = next((u for u in report.units if u.params.get("pageId")), report.units[0])
        lists_units = [u for u in report.units if u.is_list]
        if len(lists_units) > 1 and "unit_tag" in TEMPLATE_KEYS:  # which list unit the rows came from
            lines.append(f"unit_tag = {_toml(unit.params.get('tagId', ''))}")
        pinned = ", ".join(f"{name} = {_toml(unit.params[name])}" for name in JPAAS_IDS if name in unit.params)
        comments += ["the ids the page declares; the jpaas template reads them from the page on every run, so an",
                     f"id rotation heals. To pin them: unit = {{{pinned}}}"]
    if cms not in TEMPLATES:
        comments.append(f"the {cms} template is not in this version of crawler/declared.py yet")
    today = dt.date.today().isoformat()
    lines.append(f"relies_on = [{_toml(f'{cms} signals: {signals} [probe: cbecwatch sources probe, {today}]')}]")
    entry = "\n".join([*lines, *(f"# {c}" for c in comments)]) + "\n"
    if cms in TEMPLATES:
        import tomllib

        parse_source(tomllib.loads(entry)["source"][0], "the probe's entry")  # a ConfigError is our bug
    return entry
