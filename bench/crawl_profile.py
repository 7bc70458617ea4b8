"""Where a full crawl's time goes: one ``cbecwatch crawl --mirror`` under cProfile, summarised.

Run by :mod:`bench.crawl` when the throughput ratio misses its target (or with ``--profile``). The summary
groups own time (tottime) by area — the extractor, jieba, storage, SQLAlchemy, Scrapy/Twisted, HTML parsing,
start-up imports — and gives the cumulative time of the pipeline stages and the slowest functions.
"""

from __future__ import annotations

import pstats
import sys
from pathlib import Path
from typing import Any

from bench.common import bench_env, run_timed, tail

# First match wins: (area, substring of the file path or of the function's "file:line(name)" key).
AREAS = (
    ("import machinery", "<frozen importlib"),
    ("jieba", "/jieba/"),
    ("extractor (crawler/extraction)", "/crawler/extraction/"),
    ("storage (storage/)", "/storage/"),
    ("spiders & pipelines (crawler/)", "/crawler/"),
    ("SQLAlchemy", "/sqlalchemy/"),
    ("sqlite3 (C)", "sqlite3"),
    ("Scrapy", "/scrapy/"),
    ("Twisted", "/twisted/"),
    ("HTML parsing (lxml/parsel/bs4/w3lib)", "lxml"),
    ("HTML parsing (lxml/parsel/bs4/w3lib)", "/parsel/"),
    ("HTML parsing (lxml/parsel/bs4/w3lib)", "/bs4/"),
    ("HTML parsing (lxml/parsel/bs4/w3lib)", "/w3lib/"),
    ("regular expressions", "re.Pattern"),
    ("regular expressions", "/re/"),
    ("compression/hashing", "zlib"),
    ("compression/hashing", "hashlib"),
    ("Alembic (migrations)", "/alembic/"),
    ("Jinja/mako", "/jinja2/"),
)
STAGES = (
    ("ExtractionPipeline.process_item", "pipelines.py", "process_item", "Extraction"),
    ("StoragePipeline.process_item", "pipelines.py", "process_item", "Storage"),
    ("StoragePipeline.flush (batched commits)", "pipelines.py", "flush", "Storage"),
    ("crawler.extraction.extract", "extraction/pipeline.py", "extract", None),
    ("save_notice", "storage/notices.py", "save_notice", None),
    ("spider parse_detail (page parsing)", "spiders/base.py", "parse_detail", None),
    ("rebuild_registry", "storage/registry.py", "rebuild_registry", None),
    ("open_database / migrations", "storage/db.py", "open_database", None),
    ("jieba dictionary load", "jieba/__init__.py", "initialize", None),
)


def _area(filename: str, name: str) -> str:
    key = f"{filename}:{name}"
    for area, marker in AREAS:
        if marker in key:
            return area
    return "other (stdlib, builtins)"


def summarise(profile_file: Path, top: int = 12) -> dict[str, Any]:
    stats = pstats.Stats(str(profile_file))
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, dict[Any, Any]]] = stats.stats  # type: ignore
    total = stats.total_tt  # type: ignore[attr-defined]
    areas: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in raw.items():
        area = _area(filename, name)
        areas[area] = areas.get(area, 0.0) + tt
    stages = {}
    for label, file_part, func, qualifier in STAGES:
        cum = 0.0
        for (filename, line, name), (_cc, _nc, _tt, ct, _callers) in raw.items():
            if name == func and filename.endswith(file_part):
                if qualifier and not _in_class(filename, line, qualifier):
                    continue
                cum = max(cum, ct)
        stages[label] = {"cumulative_s": round(cum, 3), "share": round(cum / total, 3) if total else None}
    slowest = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return {
        "total_s": round(total, 3),
        "by_area": {k: {"own_s": round(v, 3), "share": round(v / total, 3)}
                    for k, v in sorted(areas.items(), key=lambda kv: kv[1], reverse=True)},
        "stages": stages,
        "top_own_time": [{"function": f"{Path(f).name}:{line}({name})", "calls": nc, "own_s": round(tt, 3),
                          "cumulative_s": round(ct, 3)}
                         for (f, line, name), (_cc, nc, tt, ct, _callers) in slowest],
    }


def _in_class(filename: str, line: int, class_prefix: str) -> bool:
    """Whether the function at ``line`` sits in a class whose name starts with ``class_prefix``."""
    try:
        lines = Path(filename).read_text("utf-8").splitlines()[:line]
    except OSError:
        return False
    for text in reversed(lines):
        if text.startswith("class "):
            return text[6:].startswith(class_prefix)
    return False


def profile_crawl(mirror: Any, home: Path) -> dict[str, Any]:
    """One full crawl (fresh database) under cProfile; returns the summary (or the error)."""
    home.mkdir(parents=True, exist_ok=True)
    out = home / "crawl.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "cbecwatch", "crawl", "--mirror", mirror.url]
    mirror.take_served()
    done = run_timed(cmd, bench_env(home), timeout=1800)
    mirror.take_served()
    if not out.exists():
        return {"error": f"no profile written (exit {done.returncode}): {tail(done.stderr)}"}
    summary = summarise(out)
    summary["wall_s"] = round(done.seconds, 2)
    return summary


def render(summary: dict[str, Any]) -> list[str]:
    """A few lines for the terminal."""
    if "error" in summary:
        return [f"  profile: {summary['error']}"]
    lines = [f"  profile of one full crawl ({summary['total_s']} s of Python time under cProfile):"]
    areas = ", ".join(f"{k} {v['share']:.0%}" for k, v in list(summary["by_area"].items())[:8])
    lines.append(f"    own time by area: {areas}")
    stages = ", ".join(f"{k} {v['share']:.0%}" for k, v in summary["stages"].items() if v["cumulative_s"])
    lines.append(f"    cumulative: {stages}")
    top = ", ".join(f"{t['function']} {t['own_s']}s" for t in summary["top_own_time"][:6])
    lines.append(f"    top own time: {top}")
    return lines


if __name__ == "__main__":  # python -m bench.crawl_profile FILE.prof
    import json

    print(json.dumps(summarise(Path(sys.argv[1])), indent=1, ensure_ascii=False))
