"""Bare Scrapy: fetch a list of URLs through the mirror with the project's settings and no pipeline.

    python bench/bare_crawl.py URLS_FILE MIRROR_URL

The baseline of the crawl-throughput ratio. Same settings as ``cbecwatch crawl --mirror`` (the project's
``crawler.settings`` through :func:`crawler.runner.scrapy_settings`: concurrency, per-host slots, robots.txt,
retries, the mirror download handler; the delay comes from the same environment), but no item pipelines and
no health extension (which writes to the database), and a callback that only counts. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    urls_file, mirror = argv
    urls = [line.strip() for line in Path(urls_file).read_text("utf-8").splitlines() if line.strip()]
    started = time.perf_counter()

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Request, Response

    from crawler.runner import scrapy_settings

    settings = scrapy_settings(mirror=mirror)
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("EXTENSIONS", {}, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    class BareSpider(scrapy.Spider):
        name = "bare"
        pages = 0
        bytes = 0

        async def start(self):  # type: ignore[override]
            # One start request whose callback yields the rest, as the real spiders' list callbacks do:
            # requests fed from start() are paced by Scrapy's start-request loop (pauses of ~1 s seen here).
            yield Request(urls[0], callback=self.parse, dont_filter=True, meta={"first": True})

        def parse(self, response: Response):  # type: ignore[no-untyped-def]
            BareSpider.pages += 1
            BareSpider.bytes += len(response.body)
            if response.meta.get("first"):
                for url in urls[1:]:
                    yield Request(url, callback=self.parse, dont_filter=True)

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({"pages": BareSpider.pages, "bytes": BareSpider.bytes,
                      "elapsed_s": stats.get("elapsed_time_seconds"),
                      "process_s": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
