"""Scrapy settings of the cbecwatch project (``scrapy.cfg`` points here).

Politeness defaults follow what the public crawlers of these sites do: one request at a time per
host, a 2 s delay with jitter, AutoThrottle, robots.txt obeyed, an honest User-Agent with a contact.
Every knob comes from :mod:`cbecwatch.config`, so ``scrapy crawl`` and ``cbecwatch crawl`` agree.
"""

from cbecwatch.config import get_settings

_config = get_settings()

BOT_NAME = "cbecwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = _config.user_agent
ROBOTSTXT_OBEY = _config.obey_robots
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = _config.download_delay
RANDOMIZE_DOWNLOAD_DELAY = True  # 0.5x–1.5x of the delay: jitter
DOWNLOAD_TIMEOUT = _config.download_timeout
AUTOTHROTTLE_ENABLED = _config.autothrottle
AUTOTHROTTLE_START_DELAY = max(_config.download_delay, 1.0)
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = _config.retry_times
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 300,
    "crawler.pipelines.StoragePipeline": 500,
}
EXTENSIONS = {
    "crawler.health.SourceHealthExtension": 100,
}

CBECWATCH_DATABASE_URL = _config.database_url
CBECWATCH_BROKEN_AFTER = _config.broken_after
CBECWATCH_MAX_LIST_PAGES = 3
CBECWATCH_PAGE_SIZE = 20
# ``cbecwatch crawl --mirror URL`` (or CBECWATCH_MIRROR_URL for ``scrapy crawl``): every request goes
# to the local mirror instead of the real hosts, through this download handler.
CBECWATCH_MIRROR_URL = _config.mirror_url
MIRROR_HANDLER = "crawler.mirror.handler.MirrorDownloadHandler"
if CBECWATCH_MIRROR_URL:
    DOWNLOAD_HANDLERS = {"http": MIRROR_HANDLER, "https": MIRROR_HANDLER}
