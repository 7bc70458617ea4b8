"""N declared sources for measurement 11: a sources TOML and the static pages a mirror serves for them.

Every source is a ``trs``-template ``[[source]]`` on a host of its own (``s007.scale-bench.example.gov.cn``),
served by the bundled mirror server through its host-prefix paths (``/<host>/zwgk/tzgg/index.html`` under
``static/<host>/``), so each source has its own robots.txt, per-host download slot and conditional requests,
as N real provincial sites would. Each has one list page and ``notices`` detail pages whose bodies are
recombined from the bundled www.gov.cn notices with other cities and figures. All of it is SYNTHETIC.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from crawler.mirror.server import DEFAULT_ROOT

LIST_PATH = "/zwgk/tzgg/index.html"
TITLES = ("关于促进{city}跨境电子商务健康发展的通知", "关于{city}跨境电商零售进口试点有关事项的公告",
          "{city}关于支持跨境电子商务综合试验区建设的若干措施", "关于做好{city}跨境电商出口退税工作的通知")
CITIES = ("天津市", "合肥市", "郑州市", "成都市", "大连市", "宁波市", "青岛市", "深圳市", "苏州市", "杭州市",
          "厦门市", "武汉市", "长沙市", "南宁市", "昆明市", "西安市", "哈尔滨市", "南京市", "福州市", "济南市")


@dataclass(frozen=True)
class ScaleSources:
    root: Path  # the mirror's data directory
    sources_file: Path  # the TOML naming every source (CBECWATCH_SOURCES_FILE)
    names: list[str]
    notices: int  # detail pages in all

    @property
    def count(self) -> int:
        return len(self.names)


def host_of(index: int) -> str:
    return f"s{index:03d}.scale-bench.example.gov.cn"


def _paragraphs() -> list[str]:
    """Body sentences of the bundled www.gov.cn notices: real-looking text for the extractor to work on."""
    site = DEFAULT_ROOT / "govcn"
    lines = [line.strip() for n in json.loads((site / "notices.json").read_text("utf-8"))
             for line in (site / n["body"]).read_text("utf-8").splitlines()]
    return [line for line in lines if len(line) > 20 and not line.startswith("#")] or ["一、支持跨境电子商务发展。"]


def _detail(title: str, day: dt.date, agency: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!-- SYNTHETIC page for bench/sources_scale.py -->\n<html><head><meta charset=\"utf-8\">"
            f"<meta name=\"ArticleTitle\" content=\"{escape(title)}\"><meta name=\"PubDate\" "
            f"content=\"{day.isoformat()} 09:00\"><meta name=\"ContentSource\" content=\"{escape(agency)}\">"
            f"<title>{escape(title)}</title></head><body><h2 class=\"title_con\">{escape(title)}</h2>"
            f"<div class=\"TRS_Editor\">{body}</div></body></html>\n")


def _list(rows: list[tuple[str, str, dt.date]]) -> str:
    items = "\n".join(f"<li><a href=\"{href}\" title=\"{escape(title)}\">{escape(title)}</a>"
                      f"<span>{day.isoformat()}</span></li>" for href, title, day in rows)
    return (f"<!-- SYNTHETIC list page for bench/sources_scale.py -->\n<html><head><meta charset=\"utf-8\">"
            f"<title>通知公告</title></head><body><ul class=\"list\">\n{items}\n</ul></body></html>\n")


def make_sources(dest: Path, count: int, notices: int = 3, seed: int = 11) -> ScaleSources:
    """``count`` sources with ``notices`` notices each under ``dest`` (a mirror root and a sources file)."""
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    known = re.compile("|".join(map(re.escape, CITIES)))
    root = dest / "mirror"
    (root / "static").mkdir(parents=True, exist_ok=True)
    entries, names = [], []
    start = dt.date(2024, 1, 1)
    for i in range(1, count + 1):
        host, name = host_of(i), f"scale_{i:03d}"
        agency = f"合成第{i}号省商务厅"
        site = root / "static" / host / "zwgk" / "tzgg"
        rows = []
        for j in range(notices):
            day = start + dt.timedelta(days=rng.randrange(700))
            city = rng.choice(CITIES)
            title = rng.choice(TITLES).format(city=city) + f"（第{i}-{j}号）"
            folder = f"{day:%Y%m}"
            href = f"./{folder}/t{day:%Y%m%d}_{i * 1000 + j}.html"
            text = [known.sub(lambda _: rng.choice(CITIES), p) for p in rng.sample(paragraphs, k=min(len(paragraphs),
                                                                                              rng.randint(3, 10)))]
            (site / folder).mkdir(parents=True, exist_ok=True)
            (site / href[2:]).write_text(_detail(title, day, agency, [f"{city}：{title}", *text]), "utf-8")
            rows.append((href, title, day))
        (site / "index.html").write_text(_list(sorted(rows, key=lambda r: r[2], reverse=True)), "utf-8")
        names.append(name)
        entries.append(f'[[source]]\nname = "{name}"\nagency = "{agency}"\ntemplate = "trs"\n'
                       f'home = "https://{host}/"\nlists = ["https://{host}{LIST_PATH}"]\n'
                       f'rows = "ul.list li"\npagination = "none"\n')
    sources_file = dest / "sources.toml"
    sources_file.write_text("# SYNTHETIC: bench/sources_mirror.py, measurement 11 (scale with the number of "
                            "sources)\n\n" + "\n".join(entries), "utf-8")
    return ScaleSources(root, sources_file, names, count * notices)
