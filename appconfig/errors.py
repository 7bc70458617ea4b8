"""One line per bad value: pydantic's errors, said the way an operator can act on them."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError


class ConfigError(ValueError):
    """A setting has a value the monitor cannot use; the message names the setting."""


def closest(word: str, known: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_key(where: str, key: str, known: Iterable[str]) -> ConfigError:
    """``…: unknown key 'admn' (did you mean 'admin'?)``."""
    guess = closest(key, known)
    hint = f" (did you mean {guess!r}?)" if guess else f" (known: {', '.join(sorted(known))})"
    return ConfigError(f"{where}: unknown key {key!r}{hint}")


def expectation(error: dict[str, Any]) -> str:
    """What the value should have been, from one pydantic error."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":  # our own validators say it in full
        return str(ctx.get("error", error["msg"]))
    if kind.startswith("bool"):
        return "must be true or false (1/0, yes/no, on/off)"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "must be a number"
    if kind == "greater_than":
        return f"must be more than {ctx['gt']}"
    if kind == "greater_than_equal":
        bound = ctx["ge"]
        return f"must be {bound:g} or more" if isinstance(bound, int | float) else f"must be at least {bound}"
    if kind == "less_than_equal":
        return f"must be {ctx['le']} or less"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return {"string_type": "must be text", "list_type": "must be a list, e.g. [\"a\", \"b\"]",
                "dict_type": "must be a table", "model_type": "must be a table"}[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "extra_forbidden":
        return "is not a known key"
    return error["msg"].lower()


def one_line(exc: ValidationError, name_of: Callable[[tuple[Any, ...]], str]) -> ConfigError:
    """The first error as ``NAME must be …, got 'VALUE'`` (one bad value at a time is enough to act on)."""
    error = exc.errors(include_url=False)[0]
    shown = f", got {error['input']!r}" if error["type"] not in ("missing", "extra_forbidden") else ""
    return ConfigError(f"{name_of(tuple(error['loc']))} {expectation(error)}{shown}")
