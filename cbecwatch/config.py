"""One place for configuration: defaults, then the environment (``CBECWATCH_*``).

Every other module asks :func:`get_settings` instead of reading ``os.environ`` itself, so that a
reader can see here every knob the monitor has.
"""

from __future__ import annotations

import os
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


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(ValueError):
    """A setting has a value the monitor cannot use; the message names the setting."""


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
    sources_file: str = ""
    customs_browser: bool = False
    chromium_path: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    def ensure_dirs(self) -> None:
        for path in (self.home, self.cache_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True)


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
        sources_file=os.environ.get("CBECWATCH_SOURCES_FILE", ""),
        customs_browser=_env_bool("CBECWATCH_CUSTOMS_BROWSER", False),
        chromium_path=os.environ.get("CBECWATCH_CHROMIUM", ""),
    )


@cache
def get_settings() -> Settings:
    return load_settings()
