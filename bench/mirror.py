"""A bigger mirror for the crawl benchmarks, and a mirror server that times and weighs what it serves.

:func:`synthetic_mirror` copies the bundled mirror data and adds ``count`` www.gov.cn notices cloned from
the bundled ones: new ids, paths, dates and 发文字号, titles from a few real-looking patterns, and bodies
recombined from the bundled texts with other cities and numbers, so no two pages are alike and their
lengths vary (about 0.5–6 KB of text). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from crawler.mirror.server import DEFAULT_ROOT, LoggedRequest, MirrorHandler, MirrorServer

DIVISIONS = Path(__file__).resolve().parents[1] / "crawler" / "extraction" / "data" / "divisions.csv"
TITLES = (
    ("gw", "国务院", "国函", "国务院关于同意在{city}等{n}个城市和地区设立跨境电子商务综合试验区的批复"),
    ("gw", "国务院办公厅", "国办发", "国务院办公厅关于促进{city}跨境电商健康发展的指导意见"),
    ("bm", "商务部 发展改革委 财政部 海关总署 税务总局 市场监管总局", "商财发",
     "商务部等六部门关于扩大跨境电商零售进口试点（{city}等{n}个城市）的通知"),
    ("bm", "财政部 海关总署 税务总局", "财关税", "财政部 海关总署 税务总局关于调整跨境电子商务零售进口税收政策的通知"),
    ("bm", "海关总署", "海关总署公告", "关于跨境电子商务零售进出口商品有关监管事宜的公告（{city}）"),
)


def _cities() -> list[str]:
    with DIVISIONS.open(encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f)
                 if row["level"] == "prefecture" and row["name"].endswith("市")]
    return names or ["天津市", "上海市", "重庆市", "合肥市", "郑州市", "广州市", "成都市"]


def _vary(text: str, rng: random.Random, cities: list[str], known: re.Pattern[str]) -> str:
    """Other cities and other figures in the same sentences."""
    text = known.sub(lambda _: rng.choice(cities), text)
    return re.sub(r"\d{1,3}(?=个|%|万元|元)", lambda _: str(rng.randint(2, 120)), text)


def synthetic_mirror(dest: Path, count: int, seed: int = 6) -> Path:
    """A private copy of the bundled mirror with ``count`` more www.gov.cn notices; returns its root."""
    shutil.copytree(DEFAULT_ROOT, dest)
    site = dest / "govcn"
    base = json.loads((site / "notices.json").read_text("utf-8"))
    paragraphs = [line for n in base for line in (site / n["body"]).read_text("utf-8").splitlines()
                  if line.strip() and not line.startswith("# ")]
    rng = random.Random(seed)
    cities = _cities()
    known = re.compile("|".join(sorted(map(re.escape, cities), key=len, reverse=True)))
    (site / "bodies" / "bench").mkdir(parents=True, exist_ok=True)
    start = dt.date(2014, 1, 1)
    notices = list(base)
    for i in range(count):
        library, agency, prefix, pattern = TITLES[i % len(TITLES)]
        day = start + dt.timedelta(days=rng.randrange(4000))
        nid = str(8_000_000 + i)
        year = day.year
        city = rng.choice(cities)
        title = pattern.format(city=city, n=rng.randint(2, 50))
        pcode = (f"{prefix}{year}年第{i % 90 + 1}号" if "公告" in prefix
                 else f"{prefix}〔{year}〕{rng.randint(1, 200)}号")
        skeleton = (site / base[i % len(base)]["body"]).read_text("utf-8").splitlines()
        extra = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(0, 12)))
        body = "\n".join([skeleton[0], pcode, *[_vary(p, rng, cities, known) for p in skeleton[2:-3] + extra],
                          *skeleton[-3:]])
        (site / "bodies" / "bench" / f"{nid}.txt").write_text(body + "\n", encoding="utf-8")
        stamp = f"{day.isoformat()}-{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00"
        section = "content" if library == "gw" else "zhengceku"
        notices.append({
            "_comment": "SYNTHETIC benchmark notice cloned by bench/mirror.py",
            "id": nid, "library": library, "path": f"/zhengce/{section}/{day:%Y-%m}/{day:%d}/content_{nid}.htm",
            "title": title, "pcode": pcode, "puborg": agency, "index_no": f"000014349/{year}-{i:05d}",
            "subject": "商贸、海关、旅游\\对外经贸合作", "issue_date": (day - dt.timedelta(days=3)).isoformat(),
            "publish_date": day.isoformat(), "firstpublished": stamp, "lastmodified": stamp,
            "body": f"bodies/bench/{nid}.txt",
        })
    (site / "notices.json").write_text(json.dumps(notices, ensure_ascii=False, indent=1), encoding="utf-8")
    return dest


def add_notice(root: Path, marker: str) -> dict[str, str]:
    """Add one new www.gov.cn notice, dated today, to a mirror copy while it is served; returns the entry."""
    site = root / "govcn"
    notices = json.loads((site / "notices.json").read_text("utf-8"))
    template = next(n for n in notices if n.get("library") == "gw")
    today = dt.date.today()
    nid = str(9_000_000 + len(notices))
    entry = dict(template, id=nid, title=f"国务院关于同意在{marker}设立跨境电子商务综合试验区的批复",
                 path=f"/zhengce/content/{today:%Y-%m}/{today:%d}/content_{nid}.htm",
                 pcode=f"国函〔{today.year}〕{len(notices) + 300}号", publish_date=today.isoformat(),
                 issue_date=today.isoformat(), firstpublished=f"{today.isoformat()}-09:00:00",
                 lastmodified=f"{today.isoformat()}-09:00:00")
    entry["_comment"] = "SYNTHETIC benchmark notice added while the mirror runs (detection latency)"
    tmp = site / "notices.json.tmp"
    tmp.write_text(json.dumps([*notices, entry], ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(site / "notices.json")  # atomic: the server never reads half a file
    return entry


# -- a mirror that keeps a timed, weighed log ------------------------------------------------------------
@dataclass(frozen=True)
class Served:
    start: float  # perf_counter when the request was read
    end: float  # when the answer was written
    host: str
    path: str
    query: str
    status: int
    bytes: int  # body bytes sent (0 for a 304)

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}" + (f"?{self.query}" if self.query else "")


class _TimingHandler(MirrorHandler):
    # The stock handler writes headers and body in separate segments; with Nagle's algorithm on, the body
    # then waits for the client's delayed ACK (~40 ms on Linux), which would make every page cost 40 ms of
    # nothing on both sides of the ratio. TCP_NODELAY removes that stall.
    disable_nagle_algorithm = True
    _length = 0

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-length":
            self._length = int(value)
        super().send_header(keyword, value)

    def _serve(self, head: bool = False) -> None:
        start = time.perf_counter()
        self._length = 0
        super()._serve(head)
        entry: LoggedRequest | None = getattr(self.mirror._local, "entry", None)  # type: ignore[attr-defined]
        if entry is not None:
            self.mirror.served_append(Served(start, time.perf_counter(), entry.host, entry.path,  # type: ignore
                                             entry.query, entry.status, 0 if head else self._length))


class BenchMirror(MirrorServer):
    """:class:`MirrorServer` whose log also says when each request came, how long it took and its size."""

    def __init__(self, root: Path | str = DEFAULT_ROOT) -> None:
        super().__init__(root)
        self._local = threading.local()
        self.served: list[Served] = []
        # perf_counter + this = Unix time: lines the log up with timestamps a crawl wrote to its database
        self.epoch_offset = time.time() - time.perf_counter()
        self.httpd.RequestHandlerClass = type("BenchMirrorHandler", (_TimingHandler,), {"mirror": self})

    def log(self, entry: LoggedRequest) -> None:
        self._local.entry = entry
        super().log(entry)

    def served_append(self, entry: Served) -> None:
        with self._lock:
            self.served.append(entry)

    def take_served(self) -> list[Served]:
        with self._lock:
            taken, self.served = self.served, []
            self.requests = []
        return taken


@dataclass(frozen=True)
class Traffic:
    requests: int
    bytes: int
    robots: int
    window: float  # first request read → last answer written, seconds
    service: float  # summed server time, seconds

    @classmethod
    def of(cls, served: list[Served]) -> Traffic:
        if not served:
            return cls(0, 0, 0, 0.0, 0.0)
        return cls(len(served), sum(s.bytes for s in served), sum(s.path == "/robots.txt" for s in served),
                   max(s.end for s in served) - min(s.start for s in served), sum(s.end - s.start for s in served))

    def to_dict(self) -> dict[str, float | int]:
        return {"requests": self.requests, "bytes": self.bytes, "robots": self.robots,
                "window_s": round(self.window, 4), "server_time_s": round(self.service, 4)}
