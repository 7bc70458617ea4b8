"""The settings, as the CLI and older imports know them.

The settings themselves live in :mod:`appconfig.settings`, below every layer (``crawler``,
``storage`` and ``scheduler`` import it without reaching up into the CLI package); this module only
re-exports them so that ``from cbecwatch.config import get_settings`` keeps working.
"""

from appconfig.errors import ConfigError
from appconfig.settings import (
    DEFAULT_HOME,
    DEFAULT_USER_AGENT,
    FALSE_WORDS,
    QUIET_PREFIX,
    TRUE_WORDS,
    AlertSettings,
    Settings,
    env_flag,
    get_alert_settings,
    get_settings,
    load_alert_settings,
    load_settings,
    mask_password,
)

__all__ = [
    "DEFAULT_HOME", "DEFAULT_USER_AGENT", "FALSE_WORDS", "QUIET_PREFIX", "TRUE_WORDS", "AlertSettings",
    "ConfigError", "Settings", "env_flag", "get_alert_settings", "get_settings", "load_alert_settings",
    "load_settings", "mask_password",
]
