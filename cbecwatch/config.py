"""One place for configuration: defaults, then the environment (``CBECWATCH_*``).

Every other module asks :func:`get_settings` instead of reading ``os.environ`` itself, so that a
reader can see here every knob the monitor has.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DEFAULT_HOME = Path("~/.local/share/cbecwatch")
DEFAULT_USER_AGENT = (
    "cbecwatch/{version} (+https://github.com/cbecwatch/cbecwatch; policy monitor; contact: {contact})"
)


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _env_int(name: str, default: int) -> int:
    return int(_env_float(name, default))


TRUE_WORDS, FALSE_WORDS = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


def env_flag(name: str, default: bool) -> bool:
    """A yes/no setting. Anything but the usual words is an error: ``CBECWATCH_OBEY_ROBOTS=ture`` must
    not quietly turn robots.txt off."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}")


_env_bool = env_flag


def mask_password(url: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user:***@host/db``."""
    return re.sub(r"(?<=://)([^/:@]*):[^/@]*@", r"\1:***@", url)


class ConfigError(ValueError):
    """A setting has a value the monitor cannot use; the message names the setting."""


QUIET_PREFIX = "CBECWATCH_QUIET_DAYS_"


def _env_positive_int(name: str, default: int) -> int:
    value = _env_int(name, default)
    if value < 1:
        raise ConfigError(f"{name} must be a positive whole number, got {value}")
    return value


def _env_non_negative_int(name: str, default: int) -> int:
    value = _env_int(name, default)
    if value < 0:
        raise ConfigError(f"{name} must be 0 or a positive whole number, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    user_agent: str
    contact: str
    download_delay: float = 2.0
    download_timeout: float = 30.0
    retry_times: int = 3
    obey_robots: bool = True
    autothrottle: bool = True
    broken_after: int = 3
    mirror_url: str = ""
    delay_jitter: float = 0.5
    retry_backoff: float = 2.0
    max_list_pages: int = 3
    revisit_days: int = 30
    revisit_max: int = 10
    revisit_after_hours: float = 24.0
    #: every stored notice is fetched again at least once in this many days, at most rotation_max per run
    rotation_days: float = 30.0
    rotation_max: int = 10
    sources_file: str = ""
    customs_browser: bool = False
    chromium_path: str = ""
    robots_cache_hours: float = 24.0
    snapshot_dir: str = ""  # set by `cbecwatch snapshot`: where the crawl's responses are saved
    snapshot_limit: int = 0  # detail pages per source in a snapshot (0: no limit)
    max_page_bytes: int = 8 * 1024 * 1024
    max_text_chars: int = 400_000
    #: sources not to crawl (CBECWATCH_DISABLED_SOURCES=customs,zj_fgw)
    disabled_sources: frozenset[str] = frozenset()
    #: days without a new notice after which an ``ok`` source raises ``source_quiet``
    quiet_days: int = 30
    #: per-source overrides of quiet_days (CBECWATCH_QUIET_DAYS_<SOURCE>)
    quiet_days_by_source: dict[str, int] = field(default_factory=dict)
    #: crawl logs and raw HTML of old notice versions are deleted after this many days (0: kept for ever)
    log_retention_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    def ensure_dirs(self) -> None:
        """The data directory holds webhook secrets, tokenised URLs and logs: only its owner may read it."""
        for path in (self.home, self.cache_dir, self.log_dir):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a home we do not own (a shared mount) keeps its mode
            self.home.chmod(0o700)

    @property
    def shown_database_url(self) -> str:
        """The database URL as it may be printed or logged: the password masked."""
        return mask_password(self.database_url)


def load_settings() -> Settings:
    """Build settings from the environment; raises :class:`ConfigError` naming a bad variable."""
    from cbecwatch import __version__

    home = Path(os.environ.get("CBECWATCH_HOME") or DEFAULT_HOME).expanduser()
    database_url = os.environ.get("CBECWATCH_DATABASE_URL") or f"sqlite:///{home / 'cbecwatch.sqlite3'}"
    contact = os.environ.get("CBECWATCH_CONTACT", "https://github.com/cbecwatch/cbecwatch/issues")
    user_agent = os.environ.get("CBECWATCH_USER_AGENT") or DEFAULT_USER_AGENT.format(
        version=__version__, contact=contact
    )
    return Settings(
        home=home,
        database_url=database_url,
        user_agent=user_agent,
        contact=contact,
        download_delay=_env_float("CBECWATCH_DOWNLOAD_DELAY", 2.0),
        download_timeout=_env_float("CBECWATCH_DOWNLOAD_TIMEOUT", 30.0),
        retry_times=_env_int("CBECWATCH_RETRY_TIMES", 3),
        obey_robots=_env_bool("CBECWATCH_OBEY_ROBOTS", True),
        autothrottle=_env_bool("CBECWATCH_AUTOTHROTTLE", True),
        broken_after=_env_int("CBECWATCH_BROKEN_AFTER", 3),
        mirror_url=os.environ.get("CBECWATCH_MIRROR_URL", ""),
        delay_jitter=_env_float("CBECWATCH_DELAY_JITTER", 0.5),
        retry_backoff=_env_float("CBECWATCH_RETRY_BACKOFF", 2.0),
        max_list_pages=_env_int("CBECWATCH_MAX_LIST_PAGES", 3),
        revisit_days=_env_int("CBECWATCH_REVISIT_DAYS", 30),
        revisit_max=_env_int("CBECWATCH_REVISIT_MAX", 10),
        revisit_after_hours=_env_float("CBECWATCH_REVISIT_AFTER_HOURS", 24.0),
        rotation_days=_env_float("CBECWATCH_ROTATION_DAYS", 30.0),
        rotation_max=_env_int("CBECWATCH_ROTATION_MAX", 10),
        sources_file=os.environ.get("CBECWATCH_SOURCES_FILE", ""),
        customs_browser=_env_bool("CBECWATCH_CUSTOMS_BROWSER", False),
        chromium_path=os.environ.get("CBECWATCH_CHROMIUM", ""),
        robots_cache_hours=_env_float("CBECWATCH_ROBOTS_CACHE_HOURS", 24.0),
        snapshot_dir=os.environ.get("CBECWATCH_SNAPSHOT_DIR", ""),
        snapshot_limit=_env_int("CBECWATCH_SNAPSHOT_LIMIT", 0),
        max_page_bytes=_env_positive_int("CBECWATCH_MAX_PAGE_BYTES", 8 * 1024 * 1024),
        max_text_chars=_env_positive_int("CBECWATCH_MAX_TEXT_CHARS", 400_000),
        disabled_sources=frozenset(
            name.strip() for name in os.environ.get("CBECWATCH_DISABLED_SOURCES", "").split(",") if name.strip()),
        quiet_days=_env_positive_int("CBECWATCH_QUIET_DAYS", 30),
        quiet_days_by_source={
            key[len(QUIET_PREFIX):].lower(): _env_positive_int(key, 30)
            for key in os.environ if key.startswith(QUIET_PREFIX) and len(key) > len(QUIET_PREFIX)},
        log_retention_days=_env_non_negative_int("CBECWATCH_LOG_RETENTION_DAYS", 30),
    )


@cache
def get_settings() -> Settings:
    return load_settings()


# -- alerts and the daemon (issue 5) ------------------------------------------------------------------
@dataclass(frozen=True)
class AlertSettings:
    """Notification channels, the outbox dispatcher and the daemon's schedule.

    Schedules are in Asia/Shanghai time. ``CBECWATCH_SCHEDULE_<SOURCE>`` overrides the default for
    one source, as ``interval:SECONDS`` or ``cron:MIN HOUR DOM MON DOW`` (e.g. ``cron:30 7 * * 1-5``).
    """

    smtp_url: str = ""  # smtp://[user:pass@]host[:port], smtp+starttls://…, smtps://… (SSL)
    mail_from: str = "cbecwatch <cbecwatch@localhost>"
    smtp_timeout: float = 30.0
    webhook_timeout: float = 15.0
    subscribers_file: str = ""  # TOML, synced into the database when the daemon starts
    silent_first_run: bool = True  # a source's first successful crawl is a baseline: no alerts
    crawl_schedule: str = "interval:3600"
    crawl_jitter: float = 120.0
    crawl_timeout: float = 1800.0
    misfire_grace: float = 600.0
    dispatch_interval: float = 5.0
    dispatch_batch: int = 50
    max_attempts: int = 8
    retry_base: float = 30.0
    retry_max: float = 3600.0
    dispatch_lease: float = 120.0
    digest_check_interval: float = 60.0
    heartbeat_interval: float = 60.0
    #: send to private, loopback and link-local hosts (trusted receivers on an intranet; the tests)
    allow_private_targets: bool = False
    #: concurrent sends in one dispatch pass, and at most this many at once to one host
    send_workers: int = 8
    per_host_sends: int = 2
    schedules: dict[str, str] = field(default_factory=dict)
    #: where crawls run: ``local`` (a child process per crawl) or ``scrapyd`` (a job on one of scrapyd_urls)
    crawl_backend: str = "local"
    scrapyd_urls: tuple[str, ...] = ()
    scrapyd_project: str = "cbecwatch"
    #: seconds between two listjobs.json polls of a running Scrapyd job
    scrapyd_poll_interval: float = 2.0

    def schedule_for(self, source: str) -> str:
        return self.schedules.get(source.lower(), self.crawl_schedule)


def load_alert_settings() -> AlertSettings:
    prefix = "CBECWATCH_SCHEDULE_"
    schedules = {k[len(prefix):].lower(): v for k, v in os.environ.items() if k.startswith(prefix) and v}
    settings = AlertSettings(
        smtp_url=os.environ.get("CBECWATCH_SMTP_URL", ""),
        mail_from=os.environ.get("CBECWATCH_MAIL_FROM") or AlertSettings.mail_from,
        smtp_timeout=_env_float("CBECWATCH_SMTP_TIMEOUT", 30.0),
        webhook_timeout=_env_float("CBECWATCH_WEBHOOK_TIMEOUT", 15.0),
        subscribers_file=os.environ.get("CBECWATCH_SUBSCRIBERS_FILE", ""),
        silent_first_run=_env_bool("CBECWATCH_SILENT_FIRST_RUN", True),
        crawl_schedule=os.environ.get("CBECWATCH_CRAWL_SCHEDULE") or AlertSettings.crawl_schedule,
        crawl_jitter=_env_float("CBECWATCH_CRAWL_JITTER", 120.0),
        crawl_timeout=_env_float("CBECWATCH_CRAWL_TIMEOUT", 1800.0),
        misfire_grace=_env_float("CBECWATCH_MISFIRE_GRACE", 600.0),
        dispatch_interval=_env_float("CBECWATCH_DISPATCH_INTERVAL", 5.0),
        dispatch_batch=_env_int("CBECWATCH_DISPATCH_BATCH", 50),
        max_attempts=_env_int("CBECWATCH_MAX_ATTEMPTS", 8),
        retry_base=_env_float("CBECWATCH_RETRY_BASE", 30.0),
        retry_max=_env_float("CBECWATCH_RETRY_MAX", 3600.0),
        dispatch_lease=_env_float("CBECWATCH_DISPATCH_LEASE", 120.0),
        digest_check_interval=_env_float("CBECWATCH_DIGEST_CHECK_INTERVAL", 60.0),
        heartbeat_interval=_env_float("CBECWATCH_HEARTBEAT_INTERVAL", 60.0),
        allow_private_targets=env_flag("CBECWATCH_ALLOW_PRIVATE_TARGETS", False),
        send_workers=_env_positive_int("CBECWATCH_SEND_WORKERS", 8),
        per_host_sends=_env_positive_int("CBECWATCH_PER_HOST_SENDS", 2),
        schedules=schedules,
        crawl_backend=(os.environ.get("CBECWATCH_CRAWL_BACKEND") or "local").strip().lower(),
        scrapyd_urls=tuple(url.strip().rstrip("/") for url in os.environ.get("CBECWATCH_SCRAPYD_URLS", "").split(",")
                           if url.strip()),
        scrapyd_project=os.environ.get("CBECWATCH_SCRAPYD_PROJECT") or "cbecwatch",
        scrapyd_poll_interval=_env_float("CBECWATCH_SCRAPYD_POLL_INTERVAL", 2.0),
    )
    if settings.crawl_backend not in ("local", "scrapyd"):
        raise ConfigError(f"CBECWATCH_CRAWL_BACKEND must be local or scrapyd, got {settings.crawl_backend!r}")
    if settings.crawl_backend == "scrapyd" and not settings.scrapyd_urls:
        raise ConfigError("CBECWATCH_CRAWL_BACKEND=scrapyd needs CBECWATCH_SCRAPYD_URLS (e.g. http://10.0.0.5:6800)")
    for url in settings.scrapyd_urls:
        if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url):
            raise ConfigError(f"CBECWATCH_SCRAPYD_URLS: {url!r} is not an http(s) URL")
    for source, spec in {"default": settings.crawl_schedule, **schedules}.items():
        kind, _, value = spec.partition(":")
        if kind not in ("interval", "cron") or not value.strip():
            raise ConfigError(f"schedule of {source} must be interval:SECONDS or cron:MIN HOUR DOM MON DOW, "
                              f"got {spec!r}")
    if settings.max_attempts < 1:
        raise ConfigError("CBECWATCH_MAX_ATTEMPTS must be at least 1")
    return settings


@cache
def get_alert_settings() -> AlertSettings:
    return load_alert_settings()
