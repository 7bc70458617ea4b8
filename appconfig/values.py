"""The value types settings are made of: strict yes/no words, positive whole numbers, seconds,
comma lists and URL lists, each refusing a bad value with the words a one-line error quotes.

They are kept apart from :mod:`appconfig.settings` (the settings themselves) so that module reads as
the list of knobs it is."""

from __future__ import annotations

import contextlib
import math
import os
import re
from typing import Annotated

from pydantic import BeforeValidator, Field

from appconfig.errors import ConfigError

TRUE_WORDS, FALSE_WORDS = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})
FLAG_WORDS = "true or false (1/0, yes/no, on/off)"


def parse_flag(value: object) -> bool:
    """Only the usual words: ``CBECWATCH_OBEY_ROBOTS=ture`` must not quietly turn robots.txt off."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"must be {FLAG_WORDS}")


def env_flag(name: str, default: bool) -> bool:
    """A yes/no variable read on its own (outside the settings), as strictly as the settings read theirs."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse_flag(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {FLAG_WORDS}, got {raw!r}") from None


def _positive_int(value: object) -> int:
    with contextlib.suppress(TypeError, ValueError):
        number = float(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
        if number is not None and math.isfinite(number) and number == int(number) and number >= 1:
            return int(number)
    raise ValueError("must be a positive whole number")


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return frozenset(name.strip() for name in value.split(",") if name.strip())
    return value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _url_list(value: object) -> object:
    """``http://a:6800, http://b:6800/`` → two URLs without their trailing slash; each must be http(s)."""
    if isinstance(value, str):
        value = [url for url in value.split(",") if url.strip()]
    if isinstance(value, list | tuple):
        urls = tuple(str(url).strip().rstrip("/") for url in value)
        for url in urls:
            if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url):
                raise ValueError(f"must be http(s) URLs separated by commas ({url!r} is not one)")
        return urls
    return value


Flag = Annotated[bool, BeforeValidator(parse_flag)]
PositiveInt = Annotated[int, BeforeValidator(_positive_int)]
Count = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def mask_password(url: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user:***@host/db``."""
    return re.sub(r"(?<=://)([^/:@]*):[^/@]*@", r"\1:***@", url)
