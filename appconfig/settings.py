"""Typed settings: defaults, then an optional ``cbecwatch.toml``, then the ``CBECWATCH_*`` environment.

Every other module asks :func:`get_settings` / :func:`get_alert_settings` instead of reading
``os.environ`` itself, so that a reader can see here every knob the monitor has. Values are checked
by pydantic when they load: a bad one is a :class:`ConfigError` of one line naming the variable (or
the file's key), the value and what was expected, and a ``CBECWATCH_*`` name that is no setting is
refused with the closest real name — a misspelt variable must not be silently ignored.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from appconfig.errors import ConfigError, closest, one_line, unknown_key
from appconfig.schedules import check_schedule
from appconfig.values import (  # noqa: F401  (parse_flag, env_flag, the words and mask_password are re-exported)
    FALSE_WORDS,
    FLAG_WORDS,
    TRUE_WORDS,
    Count,
    Flag,
    PositiveInt,
    PositiveSeconds,
    Seconds,
    _comma_list,
    _lower,
    _url_list,
    env_flag,
    mask_password,
    parse_flag,
)
from appconfig.version import VERSION

PREFIX = "CBECWATCH_"
QUIET_PREFIX = "CBECWATCH_QUIET_DAYS_"
SCHEDULE_PREFIX = "CBECWATCH_SCHEDULE_"
#: variables read outside these two classes (secrets on use, the test database, the file's own name)
OTHER_NAMES = frozenset({"CBECWATCH_SECRET_KEY", "CBECWATCH_TEST_PG_URL", "CBECWATCH_CONFIG_FILE"})
SECRET_NAMES = frozenset({"CBECWATCH_SECRET_KEY"})
DEFAULT_HOME = Path("~/.local/share/cbecwatch")
DEFAULT_CONTACT = "https://github.com/cbecwatch/cbecwatch/issues"
DEFAULT_USER_AGENT = (
    "cbecwatch/{version} (+https://github.com/cbecwatch/cbecwatch; policy monitor; contact: {contact})"
)
Source = PydanticBaseSettingsSource


class _Layer(BaseSettings):
    """The environment wins over the file (passed in as init values), which wins over the defaults."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True, extra="forbid",
                                      populate_by_name=True)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Source, env_settings: Source,
                                   dotenv_settings: Source, file_secret_settings: Source) -> tuple[Source, ...]:
        return env_settings, init_settings


class Settings(_Layer):
    home: Path = DEFAULT_HOME
    database_url: str = ""  # empty: SQLite in home
    user_agent: str = ""  # empty: an honest cbecwatch/VERSION with the contact
    contact: str = DEFAULT_CONTACT
    download_delay: Seconds = 2.0
    download_timeout: PositiveSeconds = 30.0
    retry_times: Count = 3
    obey_robots: Flag = True
    autothrottle: Flag = True
    broken_after: PositiveInt = 3
    mirror_url: str = ""
    delay_jitter: Seconds = 0.5
    retry_backoff: Seconds = 2.0
    max_list_pages: PositiveInt = 3
    revisit_days: Count = 30
    revisit_max: Count = 10
    revisit_after_hours: Seconds = 24.0
    #: every stored notice is fetched again at least once in this many days, at most rotation_max per run
    rotation_days: Seconds = 30.0
    rotation_max: Count = 10
    sources_file: str = ""
    customs_browser: Flag = False
    chromium_path: str = Field("", validation_alias="CBECWATCH_CHROMIUM")
    robots_cache_hours: Seconds = 24.0
    snapshot_dir: str = ""  # set by `cbecwatch snapshot`: where the crawl's responses are saved
    snapshot_limit: Count = 0  # detail pages per source in a snapshot (0: no limit)
    max_page_bytes: PositiveInt = 8 * 1024 * 1024
    max_text_chars: PositiveInt = 400_000
    #: follow a notice's attachment links (附件), at most max_attachments per notice
    attachments: Flag = True
    max_attachments: PositiveInt = 20
    #: extraction worker processes per crawl (0: extract on the crawl's own thread) and the seconds one
    #: page may take before it is given up (stored without facts, reported, the worker replaced)
    extract_workers: Count = Field(default_factory=lambda: os.cpu_count() or 1)
    extract_timeout: PositiveSeconds = 30.0
    #: how much lower (0-19, as nice(1)) the extraction and storage workers' CPU priority is than the
    #: crawl's: when the cores are busy the crawl's reactor thread, which downloads for every source,
    #: runs first and the workers take the rest (their queue drains at the end of the crawl)
    worker_nice: Annotated[int, Field(ge=0, le=19)] = 10
    #: the web app's access token: required (Bearer header or ?token=) for requests not from loopback
    web_token: str = ""
    #: sources not to crawl (CBECWATCH_DISABLED_SOURCES=customs,zj_fgw)
    disabled_sources: Annotated[frozenset[str], NoDecode, BeforeValidator(_comma_list)] = frozenset()
    #: days without a new notice after which an ``ok`` source raises ``source_quiet``
    quiet_days: PositiveInt = 30
    #: per-source overrides of quiet_days (CBECWATCH_QUIET_DAYS_<SOURCE>, or a [quiet_days_by_source] table)
    quiet_days_by_source: Annotated[dict[str, PositiveInt], NoDecode] = Field(default_factory=dict)
    #: crawl logs and raw HTML of old notice versions are deleted after this many days (0: kept for ever)
    log_retention_days: Count = 30
    extra: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _derived_defaults(cls, data: Any) -> Any:
        """The database and the User-Agent follow the home and the contact unless set themselves."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        home = Path(str(data.get("home") or DEFAULT_HOME)).expanduser()
        data["home"] = home
        data["database_url"] = data.get("database_url") or f"sqlite:///{home / 'cbecwatch.sqlite3'}"
        contact = data.get("contact") or DEFAULT_CONTACT
        data["user_agent"] = data.get("user_agent") or DEFAULT_USER_AGENT.format(version=VERSION, contact=contact)
        return data

    @field_validator("database_url")
    @classmethod
    def _a_database_url(cls, url: str) -> str:
        from sqlalchemy.engine import make_url  # only the URL parser; the engine is storage's business
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(url)
        except ArgumentError:
            raise ValueError("must be a database URL such as sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
                             ) from None
        return url

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    def ensure_dirs(self) -> None:
        """The data directory holds webhook secrets, tokenised URLs and logs: only its owner may read it."""
        try:
            for path in (self.home, self.cache_dir, self.log_dir):
                path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"CBECWATCH_HOME {str(self.home)!r} cannot be used as the data directory: "
                              f"{exc.strerror or exc}") from None
        with contextlib.suppress(OSError):  # a home we do not own (a shared mount) keeps its mode
            self.home.chmod(0o700)

    @property
    def shown_database_url(self) -> str:
        """The database URL as it may be printed or logged: the password masked."""
        return mask_password(self.database_url)


class AlertSettings(_Layer):
    """Notification channels, the outbox dispatcher and the daemon's schedule.

    Schedules are in Asia/Shanghai time. ``CBECWATCH_SCHEDULE_<SOURCE>`` overrides the default for
    one source, as ``interval:SECONDS`` or ``cron:MIN HOUR DOM MON DOW`` (e.g. ``cron:30 7 * * 1-5``).
    """

    smtp_url: str = ""  # smtp://[user:pass@]host[:port], smtp+starttls://…, smtps://… (SSL)
    mail_from: str = "cbecwatch <cbecwatch@localhost>"
    smtp_timeout: PositiveSeconds = 30.0
    webhook_timeout: PositiveSeconds = 15.0
    subscribers_file: str = ""  # TOML, synced into the database when the daemon starts
    silent_first_run: Flag = True  # a source's first successful crawl is a baseline: no alerts
    crawl_schedule: Annotated[str, BeforeValidator(check_schedule)] = "interval:3600"
    crawl_jitter: Seconds = 120.0
    crawl_timeout: PositiveSeconds = 1800.0
    #: crawls the daemon runs at once: each local one is a process of ~100 MB, so 300 sources due together
    #: must queue, not start 300 processes (later ones wait their turn; a source still waiting is skipped)
    crawl_concurrency: PositiveInt = 8
    misfire_grace: PositiveSeconds = 600.0
    dispatch_interval: PositiveSeconds = 5.0
    dispatch_batch: PositiveInt = 50
    max_attempts: PositiveInt = 8
    retry_base: Seconds = 30.0
    retry_max: Seconds = 3600.0
    dispatch_lease: PositiveSeconds = 120.0
    digest_check_interval: PositiveSeconds = 60.0
    heartbeat_interval: PositiveSeconds = 60.0
    #: send to private, loopback and link-local hosts (trusted receivers on an intranet; the tests)
    allow_private_targets: Flag = False
    #: concurrent sends in one dispatch pass, and at most this many at once to one host
    send_workers: PositiveInt = 8
    per_host_sends: PositiveInt = 2
    schedules: Annotated[dict[str, Annotated[str, BeforeValidator(check_schedule)]], NoDecode] = Field(
        default_factory=dict)
    #: where crawls run: ``local`` (a child process per crawl) or ``scrapyd`` (a job on one of scrapyd_urls)
    crawl_backend: Annotated[Literal["local", "scrapyd"], BeforeValidator(_lower)] = "local"
    scrapyd_urls: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_url_list)] = ()
    scrapyd_project: str = "cbecwatch"
    #: seconds between two listjobs.json polls of a running Scrapyd job
    scrapyd_poll_interval: PositiveSeconds = 2.0

    @field_validator("smtp_url")
    @classmethod
    def _an_smtp_url(cls, url: str) -> str:
        if url and not re.match(r"(smtp|smtp\+starttls|smtps)://[^/]", url):
            raise ValueError("must be smtp://, smtp+starttls:// or smtps://[USER:PASSWORD@]HOST[:PORT]")
        return url

    def schedule_for(self, source: str) -> str:
        return self.schedules.get(source.lower(), self.crawl_schedule)


LAYERS: tuple[type[_Layer], ...] = (Settings, AlertSettings)
#: the per-source tables, filled from CBECWATCH_<PREFIX><SOURCE> variables
PREFIXED = {"quiet_days_by_source": QUIET_PREFIX, "schedules": SCHEDULE_PREFIX}


def env_name(field: str) -> str:
    for layer in LAYERS:
        if field in layer.model_fields:
            alias = layer.model_fields[field].validation_alias
            return alias if isinstance(alias, str) else PREFIX + field.upper()
    return PREFIX + field.upper()


def known_env_names() -> set[str]:
    return {env_name(field) for layer in LAYERS for field in layer.model_fields} | OTHER_NAMES


def check_env_names(environ: Mapping[str, str]) -> None:
    """A ``CBECWATCH_*`` variable that is no setting is a typo until proven otherwise."""
    known = known_env_names()
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known:
            continue
        if any(upper.startswith(prefix) and len(upper) > len(prefix) for prefix in PREFIXED.values()):
            continue
        guess = closest(upper, known)
        raise ConfigError(f"{name} is not a setting" + (f" (did you mean {guess}?)" if guess else ""))


def config_file(environ: Mapping[str, str]) -> Path | None:
    """``CBECWATCH_CONFIG_FILE``, else ``cbecwatch.toml`` in the data directory if there is one."""
    named = environ.get("CBECWATCH_CONFIG_FILE", "").strip()
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"CBECWATCH_CONFIG_FILE {named!r} is not a readable file")
        return path
    home = Path(environ.get("CBECWATCH_HOME") or DEFAULT_HOME).expanduser()
    path = home / "cbecwatch.toml"
    return path if path.is_file() else None


def read_config_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    fields = {field for layer in LAYERS for field in layer.model_fields}
    for key in data:
        if key not in fields:
            raise unknown_key(str(path), key, fields)
    return data


def _prefixed(environ: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {key[len(prefix):].lower(): value for key, value in environ.items()
            if key.upper().startswith(prefix) and len(key) > len(prefix) and value.strip()}


Origin = Literal["default", "environment", "file"]
LayerT = TypeVar("LayerT", bound=_Layer)


def origin(field: str, environ: Mapping[str, str], file_values: Mapping[str, Any]) -> Origin:
    name = env_name(field)
    if field in PREFIXED and _prefixed(environ, PREFIXED[field]):
        return "environment"
    if environ.get(name, "").strip() or environ.get(name.lower(), "").strip():
        return "environment"
    return "file" if field in file_values else "default"


def build_layer(layer: type[LayerT], environ: Mapping[str, str]) -> LayerT:
    path = config_file(environ)
    file_values = read_config_file(path)
    init = {key: value for key, value in file_values.items() if key in layer.model_fields}
    for field, prefix in PREFIXED.items():
        if field in layer.model_fields:
            table = init.get(field, {})
            init[field] = {**(table if isinstance(table, dict) else {}), **_prefixed(environ, prefix)}
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: {field} must be a table, got {table!r}")

    def name_of(loc: tuple[Any, ...]) -> str:
        field = str(loc[0]) if loc else "?"
        if field == "CBECWATCH_CHROMIUM":
            field = "chromium_path"
        if field in PREFIXED and len(loc) > 1:
            if _prefixed(environ, PREFIXED[field]).get(str(loc[1])) is not None:
                return f"{PREFIXED[field]}{str(loc[1]).upper()}"
            return f"{path}: {field}.{loc[1]}"
        if origin(field, environ, file_values) == "file":
            return f"{path}: {field}"
        return env_name(field)

    try:
        return layer(**init)
    except ValidationError as exc:
        raise one_line(exc, name_of) from None


def load_settings() -> Settings:
    """Build settings from the file and the environment; raises :class:`ConfigError` naming a bad one."""
    check_env_names(os.environ)
    return build_layer(Settings, os.environ)


def load_alert_settings() -> AlertSettings:
    check_env_names(os.environ)
    settings = build_layer(AlertSettings, os.environ)
    if settings.crawl_backend == "scrapyd" and not settings.scrapyd_urls:  # two settings together: not a field's
        raise ConfigError("CBECWATCH_CRAWL_BACKEND=scrapyd needs CBECWATCH_SCRAPYD_URLS (e.g. http://10.0.0.5:6800)")
    return settings


@cache
def get_settings() -> Settings:
    return load_settings()


@cache
def get_alert_settings() -> AlertSettings:
    return load_alert_settings()

