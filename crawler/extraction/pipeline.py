"""extract(): one notice (plain text or an HTML page) -> Extraction. Each step lives in its own module."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import agencies as ag
from . import dates, relative
from .batch_lead import lead_batch
from .citations import interpreted_number, mask, subject
from .divisions import gazetteer
from .docnumber import doc_number, find_numbers
from .figures import all_figures, customs_codes
from .kind import classify, from_text, list_taking_effect, program
from .model import Extraction, Figure
from .nesting import LIBXML_MAX_DEPTH, MAX_DEPTH
from .normalize import clean_text, join_split_numbers, reflow, split_lines, strip_noise, to_simplified
from .places import find_places
from .relevance import relevance_score

MAX_INPUT = 4_000_000  # characters; a notice is 5-20 k, anything far beyond is a broken page
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|table|meta|span|br|title)\b", re.I)
# The genre word may carry a qualifier: 的实施意见, 的指导意见, 的若干措施, 的工作方案, 的实施细则.
_GENRE = (r"(?:实施|指导|若干|工作|行动|管理|暂行|试行)?"
          r"(?:通知|批复|公告|意见|决定|函|办法|规定|复函|通告|方案|措施|细则)")
_TITLE_SHAPE = re.compile(rf"关于.{{1,120}}的{_GENRE}|公告\s*\d{{4}}\s*年\s*第")
_PUBLISH_META_KEYS = ("pubdate", "publishdate", "firstpublishedtime", "published_time", "visible_date")
_LEAD_IN = re.compile(r"如下|现将|现就|决定|为了|为促进|为贯彻|根据|按照")
_CUSTOMS_HOST = re.compile(r"customs\.gov\.cn", re.I)
# Kinds whose places are designations of a national programme; any other document only names places.
DESIGNATING = ("pilot_zone_batch", "retail_import_pilot")


def looks_like_html(document: str) -> bool:
    return bool(_HTML_SNIFF.search(document[:4096]))


# A database copy runs the title, its own bracketed number and the addressees into one line:
# 国务院关于同意在廊坊等33个城市…的批复(国函(2022)126号)河北省、…人民政府,商务部:你们关于…
_RUN_IN_TITLE = re.compile(r"^(?P<title>[^《》（()）\n]{0,40}关于[^《》（()）\n]{1,120}"
                           r"的(?:通知|批复|公告|意见|决定|函|复函))"
                           r"\s*(?P<number>[（(][^（()）\n]{0,30}(?:[（(][^（()）\n]{0,8}[)）])?[^（()）\n]{0,12}[)）])\s*\S")
_LIST_ENTRY = re.compile(r"^[·•●▪◆■□\-—]|\d{4}[-./]\d{1,2}[-./]\d{1,2}\s*$")
_HEADLINE = re.compile(r"[\u4e00-\u9fa5]")
_NOT_HEADLINE = re.compile(r"[。，,：:；;]|^\d|\d{4}\s*[-年./]")
_SENTENCE_MARK = re.compile(r"[。，,：:；;！？!?]|^\d")


def _text_title(lines: Sequence[str]) -> str | None:
    """The title of a plain text: the first title-shaped line of the opening (after any breadcrumb
    首页>>…>>, which reprints put above it), else a report's headline: a short first line that is no
    sentence, number or date."""
    for i, ln in enumerate(lines[:20]):
        ln = ln.rsplit(">", 1)[-1].strip()
        if _LIST_ENTRY.search(ln):  # an entry of a list of related documents, not this one's title
            continue
        if _TITLE_SHAPE.search(ln) and len(ln) <= 160 and not ln.endswith(("：", ":", "。")):
            return ln
        # A centred title wrapped over two lines (…等46个城市和地区设立 / 跨境电子商务综合试验区的批复): the
        # first half has 关于 but no genre word, and the two halves joined are title-shaped.
        # The second half is no title by itself (site chrome 关于我们 above a real title joins nothing).
        if "关于" in ln and i + 1 < len(lines) and len(ln) <= 60 and not _TITLE_SHAPE.search(lines[i + 1]):
            joined = ln + lines[i + 1].strip()
            if _TITLE_SHAPE.fullmatch(joined[joined.find("关于"):]) and not _SENTENCE_MARK.search(joined):
                return joined
        run_in = _RUN_IN_TITLE.match(ln)
        if run_in and find_numbers(run_in.group("number")):
            return run_in.group("title")
    first = lines[0] if lines else ""
    if 4 <= len(first) <= 40 and _HEADLINE.search(first) and not _NOT_HEADLINE.search(first) \
            and not find_numbers(first) and not ag.is_agency_line(first):
        return first
    return None


def _page_or_text_title(page_title: str | None, lines: Sequence[str]) -> str | None:
    """The page's <title>, unless it is only a site name (中国政府网) and the text prints a title-shaped
    one (a centred title, wrapped or not, above the number)."""
    if page_title and _TITLE_SHAPE.search(page_title):
        return page_title
    text_title = _text_title(lines)
    if text_title and _TITLE_SHAPE.search(text_title):
        return text_title
    return page_title or text_title


def _headlines(lines: Sequence[str]) -> tuple[str, ...]:
    """Short opening lines that are no sentence (site names, a record's name, a headline), read from the
    masked text so that a cited 《title》 line counts for nothing."""
    return tuple(ln for ln in lines if 4 <= len(ln) <= 40 and _HEADLINE.search(ln) and not _SENTENCE_MARK.search(ln))


def _is_title_line(ln: str) -> bool:
    return len(ln) <= 160 and "。" not in ln and bool(_TITLE_SHAPE.search(ln))


def _salutation(lines: Sequence[str]) -> int | None:
    """Index of the 主送 line: the first early line ending with a colon, before any sentence of the body.
    A lead-in such as 现将有关事项公告如下： also ends with a colon but is the body (announcements have no
    addressees)."""
    for i, ln in enumerate(lines[:8]):
        if ln.endswith(("：", ":")) and "。" not in ln and len(ln) < 800 and not _LEAD_IN.search(ln):
            return i
        if "。" in ln:
            return None
    return None


def _context_provinces(line: str | None) -> frozenset[str]:
    if not line:
        return frozenset()
    gaz = gazetteer()
    out = set()
    for h in gaz.scan(line):
        div, _, _ = gaz.resolve(h.surface)
        if div is not None and div.level == "province":
            out.add(div.adcode)
    return frozenset(out)


def _publish_date(info: Mapping[str, str], meta: Mapping[str, str], hint: dt.date | None,
                  lines: Sequence[str], lead: dt.date | None = None,
                  reported: dt.date | None = None) -> dt.date | None:
    # The info table is the page's own statement of the original posting; gov.cn's firstpublishedtime is
    # the date *this* copy went up, which for a repost is days later (corpus tax-2018-49.html). A lead that
    # says when the notice was published (12月6日，海关总署发布…) beats a 发布日期 line of the reprint page.
    # A 发布时间 line later than the date of the notice the lead reports is the report page's own date.
    labelled = dates.labelled_date(lines, ("发布日期", "发布时间"))
    if labelled and reported and labelled > reported:
        labelled = None
    return (dates.parse_date(info.get("发布日期")) or hint
            or dates.first_meta_date(meta, _PUBLISH_META_KEYS) or lead or labelled)


def extract(document: str, *, url: str | None = None, is_html: bool | None = None,
            publish_date: dt.date | None = None, title: str | None = None, root: Any = None) -> Extraction:
    if document and len(document) > MAX_INPUT:
        root = None  # the tree is of the whole page; what is read is its beginning
    document = (document or "")[:MAX_INPUT]
    # Before every other step: a reprint in traditional characters reads as the simplified original, and
    # the emoji reprint sites inject go. The crawler's tree is of the unconverted page, so parse again.
    normal = strip_noise(to_simplified(document))
    if normal != document:
        document, root = normal, None
    if title:
        title = strip_noise(to_simplified(title))
    if is_html is None:
        is_html = looks_like_html(document)
    meta: dict[str, str] = {}
    info: dict[str, str] = {}
    page_title = None
    flat_warning = None
    if is_html:
        from .html_text import html_to_text

        page = html_to_text(document, url, root=root)
        text, meta, info, page_title = page.text, page.meta, page.info_table, page.title
        if page.flattened:
            flat_warning = (f"page nested deeper than {LIBXML_MAX_DEPTH} levels: read with the markup below "
                            f"{MAX_DEPTH} levels removed")
    else:
        text = clean_text(document)
    lines = join_split_numbers(split_lines(text))
    if not is_html:
        lines = reflow(lines)
    while lines and lines[0].startswith("#"):  # comment header of saved plain-text copies
        lines.pop(0)
    text = "\n".join(lines)
    for key, value in _labelled_lines(lines).items():
        info.setdefault(key, value)
    res = Extraction()
    if flat_warning:
        res.warnings.append(flat_warning)
    res.title = (clean_text(title).strip() if title else None) or _page_or_text_title(page_title, lines)

    customs = bool(_CUSTOMS_HOST.search(url or "")) or "海关总署" in (res.title or "")[:8] \
        or info.get("发文机关") == "海关总署"
    masked_text = mask(text)
    masked = masked_text.split("\n")  # line for line the same as ``lines``, cited text blanked
    reported = subject(text)
    about = reported if reported and reported.is_notice else None
    res.doc_number = (doc_number(lines, res.title, info, customs, masked) or (about.number if about else None)
                      or interpreted_number(text, res.title))

    # Body: everything after the title/number header. The salutation only gives context (provinces).
    skip = {i for i, ln in enumerate(lines[:4]) if ln == res.title or _is_title_line(ln)
            or (len(ln) >= 6 and res.title and ln in res.title)}  # the halves of a wrapped title
    sal = _salutation([ln for i, ln in enumerate(lines) if i not in skip])
    body = [ln for i, ln in enumerate(lines) if i not in skip]
    masked_body = [ln for i, ln in enumerate(masked) if i not in skip]
    sal_line = body[sal] if sal is not None else None
    if sal is not None:
        body, masked_body = body[sal + 1:], masked_body[sal + 1:]

    res.issue_date, date_idx = _issue_date(info, lines)
    own_issue = res.issue_date  # signed or labelled: this document's own date, not a reported notice's
    yl_issue, yl_publish = relative.yearless_lead(lines, res.title)
    res.publish_date = _publish_date(info, meta, publish_date, lines, yl_publish,
                                     about.date if about else None)
    english = dates.english_metadata(lines)
    res.issue_date = res.issue_date or english.get("issue_date")
    # A report dates its subject by the verb of its lead: 印发 gives the notice's issue, 公布/发布 its publication.
    lead_issue, lead_publish = _lead_dates(reported, lines, res.title)
    res.issue_date = res.issue_date or lead_issue or yl_issue
    res.publish_date = (res.publish_date or english.get("publish_date") or lead_publish
                        or _report_date(lines, res.title))
    list_title = None if about else list_taking_effect(text)
    rule, eff = dates.effective(text, about.title if about else list_title)
    res.effective_rule = rule
    res.effective_date = {"explicit": eff, "on_publication": res.publish_date,
                          "on_issue": res.issue_date}.get(rule or "")
    if rule is None:
        labelled = info.get("生效日期") or info.get("施行日期") or info.get("实施日期")
        line = dates.dateline([ln for ln in lines[:9] if ln != res.title])  # the report's or page's own date
        # 自明年1月1日起 counts from the document's own date: its signature, else its dateline (a report's
        # 今年 is the report's year, not that of the notice it reports), else the date of the event it tells.
        base = own_issue or line or res.publish_date or relative.last_date_before(text)
        res.effective_date = (dates.parse_date(labelled) or english.get("effective_date")
                              or dates.yearless_effective(text, line.year if line else None,
                                                          about.title if about else None)
                              or relative.relative_effective(text, base))
        res.effective_rule = "explicit" if res.effective_date else None

    res.agencies = ag.merge(ag.from_signature(lines, date_idx),
                            ag.split_agencies(info.get("发文机关", "")) or [],
                            ag.from_title(res.title), ag.from_number(res.doc_number))

    # The kind is read from the document's own title and operative text; a report without an official
    # header takes the kind of the notice it reports.
    res.kind = classify(res.title, res.doc_number, masked_text)
    if res.kind == "other" and about:
        res.kind = classify(about.lead + about.title, about.number or res.doc_number, masked_text)
    # A report's lead that announces a batch in its own words (count + programme + verb of addition).
    batch = lead_batch(masked) if res.kind in ("other", "pilot_zone_batch") else None
    by_lead = res.kind == "other" and batch is not None  # the lead's own count is the batch's size
    if res.kind == "other":
        res.kind = from_text(res.title, masked_text, _headlines(masked[:3]), lead_batch=by_lead)
    if res.kind == "other" and list_title:
        res.kind = "positive_list"
    body_text = "\n".join(body)
    res.customs_codes = customs_codes((res.title or "") + "\n" + body_text)
    res.program = program(res.kind, res.customs_codes, body_text)

    res.relevance, res.relevant = relevance_score(res.title or "", text)
    found = find_places(masked_body, gazetteer(), _context_provinces(sal_line))
    if res.relevant and res.kind in DESIGNATING:
        res.cities, res.removed_cities = found.designated, found.removed
        res.zones_expected = found.expected
        if batch:
            gone = {p.name for p in found.removed} | {p.name for p in found.exempt}
            known = {p.name for p in res.cities}
            res.cities += [p for p in batch.places if p.name not in known | gone]
            res.zones_expected = batch.count if by_lead else res.zones_expected or batch.count
        if not res.cities and about and res.kind == "pilot_zone_batch":
            # The report's subject is the reply (国务院日前发布《关于同意在…设立…的批复》): its title's places.
            titled = find_places([about.title], gazetteer(), frozenset())
            res.cities, res.zones_expected = titled.designated, titled.expected
    elif found.designated or found.removed:
        res.warnings.append("places named but not designated: not a relevant designating document")
    if res.relevant or res.kind != "other":  # exceptions (暂不适用) and districts: any notice of the programmes
        res.exempt_cities, res.customs_districts = found.exempt, found.customs_districts
    if res.zones_expected is None and res.title and res.cities:
        res.zones_expected = find_places([res.title], gazetteer(), frozenset()).expected
    res.figures = all_figures(body_text)
    if res.cities and res.kind in ("pilot_zone_batch", "retail_import_pilot"):
        # A report of one city's place in a batch still says the batch's size (设立46个此类试验区).
        added = res.zones_expected or _batch_size(masked_text) or len(res.cities)
        res.figures.append(Figure("zones_added", added, "zones"))
    elif res.kind == "pilot_zone_batch" and (added := _batch_size(masked_text)):
        res.figures.append(Figure("zones_added", added, "zones"))  # a report that names no place still counts
    if res.zones_expected is not None and res.cities and res.zones_expected != len(res.cities):
        res.warnings.append(f"count mismatch: text says {res.zones_expected}, found {len(res.cities)}")
    return res


# 国务院批准在27个城市和地区设立… / 同意新设27个跨境电子商务综合试验区: the size of the batch, said without places.
# 国务院共批准在全国设立46个此类试验区 names the zones by a second mention; 批复同意，再在27个城市… runs on.
_BATCH_SIZE = re.compile(r"(?:批准|同意|批复)[^。；，,]{0,8}?(?:[，,]\s*(?:再|又|还)?)?(?:在|新设|设立)\s*"
                         r"(\d{1,3}|[一二三四五六七八九十百]{1,4})\s*个(?:城市|地区|跨境|此类|该类|综合试验区|综试区)|"
                         # a report's own verbs: 新确定22个城市设立… / 又把24个城市列为…综合试验区
                         r"(?:新确定|把|将)\s*(\d{1,3}|[一二三四五六七八九十百]{1,4})\s*个城市"
                         r"(?:设立|建设|列为)[^。；]{0,20}?(?:综合试验区|综试区)")


def _batch_size(text: str) -> int | None:
    from .places import cn_int

    m = _BATCH_SIZE.search(text[:3000])
    return cn_int(m.group(1) or m.group(2)) if m else None


# Law-library records print the metadata as text lines: 【发文号】公告〔2020〕44号, 【颁布单位】海关总署.
_LABELLED = re.compile(r"^[\d.、\s]*[【\[]?\s*(发文字号|发文号|文号|颁布单位|发布单位|发文机关|发布机关|发文单位|"
                       r"成文日期|施行日期|实施日期|生效日期)\s*[】\]]?\s*[:：]?\s*(\S.{0,60})$")
_LABEL_KEY = {"颁布单位": "发文机关", "发布单位": "发文机关", "发布机关": "发文机关", "发文单位": "发文机关"}


def _labelled_lines(lines: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ln in lines[:30]:
        m = _LABELLED.match(ln)
        if m:
            out.setdefault(_LABEL_KEY.get(m.group(1), m.group(1)), m.group(2).strip())
    return out


# 财政部…于2016年3月24日联合印发 / 2026年2月6日，财政部、海关总署、国家税务总局发布…: a lead that opens with
# its date (or says 于 date) and names who published, without a 《title》.
_PUBLISHED_ON = re.compile(r"(?:于|^|(?<=[。！？]))[ \t]*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[ \t]*[，,]?[ \t]*"
                           r"(?:[\u4e00-\u9fa5、]{0,40}?)(?:正式|联合)?(发布|公布|印发|签发|下发)", re.M)


_ISSUE_VERBS = ("印发", "签发", "下发")  # they date the issue; 发布/公布 date the publication


def _lead_dates(reported: Any, lines: Sequence[str], title: str | None) -> tuple[dt.date | None, dt.date | None]:
    """(issue, publish) said by a report's lead: the subject's date goes with its verb (印发 -> issue);
    财政部…于2016年3月24日联合印发 without a 《title》 in the sentence counts too."""
    if reported and reported.date:
        return (reported.date, None) if reported.issued else (None, reported.date)
    m = _PUBLISHED_ON.search("\n".join(ln for ln in lines[:4] if ln != title))
    if m and m.group(2) in _ISSUE_VERBS:
        return dates.parse_date(m.group(1)), None
    return None, None


_SAME_DAY = re.compile(r"(?:今天|今日|当天|当日|本日)[^。；]{0,12}?(?:发布|公布|印发|出台)")


def _report_date(lines: Sequence[str], title: str | None) -> dt.date | None:
    """A report's own date: a date-only line under its headline, or 于2019年12月27日发布 in its lead."""
    top = [ln for ln in lines[:3] if ln != title]
    for ln in top[:2]:
        d = dates.date_line(ln) or (dates.parse_date(ln) if dates.META_DATE.fullmatch(ln.strip("[]【】 ")) else None)
        # The report's own date is its subject's publication only when the lead says it happened that day
        # (…今天发布公告); 日前/近日 or no word at all leaves the notice's own date unknown.
        if d and _SAME_DAY.search("\n".join(lines[:6])):
            return d
    m = _PUBLISHED_ON.search("\n".join(lines[:4]))
    if m and m.group(2) not in _ISSUE_VERBS:  # 印发 dates the issue
        return dates.parse_date(m.group(1))
    return _day_before_dateline(lines, title)


# 昨天上午，财政部…联合对外发布通知: a newspaper's lead counts from the paper's dateline.
# What was published must be a document (通知, 公告, 《…》): 昨天海关公布的数据显示 dates statistics, not a notice.
_YESTERDAY = re.compile(r"(?:^|[。！？\n])[^。！？\n]{0,12}?(?:昨天|昨日)[^。；！？]{0,40}?(?:发布|公布)"
                        r"[^。；！？]{0,12}?(?:通知|公告|《|批复|清单|办法|意见|政策)")
# The dateline a news page prints under the headline: 2018-12-01 07:29:00 来源:某报 (a date, a time, a source).
_STAMP_LINE = re.compile(r"^\s*((?:19|20)\d\d\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}日?)\s*"
                         r"(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:来源|$)")


def _day_before_dateline(lines: Sequence[str], title: str | None) -> dt.date | None:
    """The publication a lead dates by 昨天 (…昨天上午…发布): the day before the report's dateline."""
    top = [ln for ln in lines[:8] if ln != title]
    if not _YESTERDAY.search("\n".join(top)):
        return None
    for ln in top[:4]:
        m = _STAMP_LINE.match(ln)
        d = dates.parse_date(m.group(1)) if m else dates.dateline([ln])
        if d:
            return d - dt.timedelta(days=1)
    return None


def _issue_date(info: Mapping[str, str], lines: Sequence[str]) -> tuple[dt.date | None, int | None]:
    sig, idx = dates.signature_date(lines, ag.is_agency_line)
    table = dates.parse_date(info.get("成文日期"))
    if table:
        return table, idx
    if sig:
        return sig, idx
    return dates.labelled_date(lines, ("成文日期", "发文日期", "印发日期")), None
