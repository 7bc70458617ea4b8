"""Scrapy settings of the cbecwatch project (``scrapy.cfg`` points here).

Politeness defaults follow what the public crawlers of these sites do: one request at a time per
host, a 2 s delay with jitter, AutoThrottle, robots.txt obeyed, an honest User-Agent with a contact.
Every knob comes from :mod:`cbecwatch.config`, so ``scrapy crawl`` and ``cbecwatch crawl`` agree.
"""

from appconfig.settings import get_settings

_config = get_settings()

BOT_NAME = "cbecwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = _config.user_agent
ROBOTSTXT_OBEY = _config.obey_robots
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = _config.download_delay
DOWNLOAD_DELAY_JITTER = _config.delay_jitter  # ±50 % of the delay by default
DOWNLOAD_TIMEOUT = _config.download_timeout
# A page larger than this is abandoned and reported (one 20 MB page must not fill memory and disk);
# the text stored of a page that fits is capped separately.
DOWNLOAD_MAXSIZE = _config.max_page_bytes
DOWNLOAD_WARNSIZE = _config.max_page_bytes // 2
CBECWATCH_MAX_TEXT_CHARS = _config.max_text_chars
# A notice's attachment links (附件) are followed under the same cap and politeness as pages.
CBECWATCH_ATTACHMENTS = _config.attachments
CBECWATCH_MAX_ATTACHMENTS = _config.max_attachments
# Extraction runs in this many worker processes, off the reactor thread all sources share (0: in-process);
# a page taking longer than the timeout is stored without facts and reported (crawler/extract_pool.py).
CBECWATCH_EXTRACT_WORKERS = _config.extract_workers
CBECWATCH_EXTRACT_TIMEOUT = _config.extract_timeout
# The workers run at this much lower CPU priority than the crawl (nice), so they never take the core the
# reactor thread needs to keep every source's downloads moving.
CBECWATCH_WORKER_NICE = _config.worker_nice
# An ok source with nothing new for this many days raises a source_quiet admin event; a source may
# declare its own cadence (``quiet_days``), and CBECWATCH_QUIET_DAYS_<SOURCE> overrides both.
CBECWATCH_QUIET_DAYS = _config.quiet_days
CBECWATCH_QUIET_DAYS_BY_SOURCE = _config.quiet_days_by_source
AUTOTHROTTLE_ENABLED = _config.autothrottle
AUTOTHROTTLE_START_DELAY = max(_config.download_delay, 1.0)
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = _config.retry_times
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]  # never 403/405/412: WAF decisions
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's robots.txt handling, with each host's answer kept for up to 24 h (crawler/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.CachedRobotsTxtMiddleware": 100,
    # Scrapy's retry, with exponential backoff between attempts (crawler/politeness.py).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.BackoffRetryMiddleware": 550,
    # Below Scrapy's redirect handling (600): a redirect to another host is reported, not followed.
    "crawler.offsite.OffsiteRedirectMiddleware": 610,
    # After decompression (590), before any callback: header, meta, then sniffed charset.
    "crawler.encoding.CharsetMiddleware": 585,
    # ``cbecwatch snapshot`` only (off unless CBECWATCH_SNAPSHOT_DIR): nearest the downloader, so it
    # saves every answer as received, redirects and robots.txt included (crawler/snapshot.py).
    "crawler.snapshot.SnapshotRecorder": 950,
}
SPIDER_MIDDLEWARES = {"crawler.snapshot.SnapshotLimit": 900}  # snapshot --limit; off otherwise
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy re-reads and parses the source of every callback on every response to warn about
# generators that return values; its cache misses on bound methods (5 % of a crawl's CPU in the
# bench profile). A development-time check, not needed at run time.
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 300,
    "crawler.pipelines.AttachmentPipeline": 400,
    "crawler.pipelines.StoragePipeline": 500,
}
# The storage stage commits notices in batches of up to this many, the first waiting at most this
# long (s) for the others; an item counts as done only once its batch has committed.
CBECWATCH_STORE_BATCH = 10
CBECWATCH_STORE_WAIT = 0.05
EXTENSIONS = {
    "crawler.health.SourceHealthExtension": 100,
}

CBECWATCH_DATABASE_URL = _config.database_url
CBECWATCH_BROKEN_AFTER = _config.broken_after
CBECWATCH_MAX_LIST_PAGES = _config.max_list_pages
CBECWATCH_RETRY_BACKOFF = _config.retry_backoff
CBECWATCH_REVISIT_DAYS = _config.revisit_days
CBECWATCH_REVISIT_MAX = _config.revisit_max
CBECWATCH_REVISIT_AFTER_HOURS = _config.revisit_after_hours
CBECWATCH_ROTATION_DAYS = _config.rotation_days
CBECWATCH_ROTATION_MAX = _config.rotation_max
# Browser-rendered fetching for the customs site (scrapy-playwright + Debian's Chromium), off by default.
CBECWATCH_CUSTOMS_BROWSER = _config.customs_browser
CBECWATCH_CHROMIUM = _config.chromium_path
CBECWATCH_PAGE_SIZE = 20
CBECWATCH_ROBOTS_CACHE_DIR = str(_config.cache_dir / "robots")
CBECWATCH_ROBOTS_CACHE_HOURS = _config.robots_cache_hours
# ``cbecwatch crawl --mirror URL`` (or CBECWATCH_MIRROR_URL for ``scrapy crawl``): every request goes
# to the local mirror instead of the real hosts, through this download handler.
CBECWATCH_MIRROR_URL = _config.mirror_url
MIRROR_HANDLER = "crawler.mirror.handler.MirrorDownloadHandler"
CBECWATCH_SNAPSHOT_DIR = _config.snapshot_dir
CBECWATCH_SNAPSHOT_LIMIT = _config.snapshot_limit
if CBECWATCH_MIRROR_URL:
    DOWNLOAD_HANDLERS = {"http": MIRROR_HANDLER, "https": MIRROR_HANDLER}
