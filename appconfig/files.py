"""Models of the two TOML files an operator writes: subscribers and declarative sources.

They check the *shape* of each table — types, unknown keys — in strict mode: TOML has real booleans,
numbers and lists, so ``admin = "false"`` or ``digest_hour = "8"`` is a mistake to point out, not a
value to guess at. What the values mean (is the webhook host allowed, is the template known, does the
regex compile) stays with the modules that own it (``storage.subscribers``, ``crawler.declared``).

A list field given a single string — ``provinces = "浙江"`` — is refused, not read as a one-element
list. Read as a string it used to become the characters 浙 and 江; read as a one-element list it would
still turn ``provinces = "浙江,江苏"`` into one province that matches nothing. The error shows the
fix (``provinces = ["浙江"]``), which is unambiguous in both cases.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from appconfig.errors import ConfigError, closest, expectation

Text = Annotated[str, StringConstraints(min_length=1)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SubscriberEntry(_Table):
    """One ``[[subscriber]]`` table; the fields are :class:`storage.subscribers.SubscriberSpec`'s."""

    name: Text
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_secret_env: str | None = None
    apprise_urls: list[Text] = Field(default_factory=list)
    sources: list[Text] = Field(default_factory=list)
    kinds: list[Text] = Field(default_factory=list)
    provinces: list[Text] = Field(default_factory=list)
    cities: list[Text] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)
    mode: str = "instant"
    digest_hour: Annotated[int, Field(ge=0, le=23)] = 8
    admin: bool = False
    active: bool = True
    lang: str = "zh"


class SubscribersFile(_Table):
    subscriber: list[SubscriberEntry] = Field(default_factory=list)


class SourceEntry(_Table):
    """One ``[[source]]`` table: the source keys, then every template key (``crawler.declared.Template``)."""

    name: Text
    agency: Text
    template: Text
    home: Text
    lists: Annotated[list[Text], Field(min_length=1)]
    relies_on: list[str] = Field(default_factory=list)
    max_pages: Annotated[int, Field(ge=1)] | None = None
    rows: str | None = None
    link: str | None = None
    title_attr: str | None = None
    date: str | None = None
    datastore: bool | None = None
    body: str | list[str] | None = None  # one selector or several tried in order
    title: str | list[str] | None = None
    detail_date: str | list[str] | None = None
    detail_url: str | None = None
    pagination: str | None = None
    page_pattern: str | None = None
    page_attr: str | None = None
    uid: str | None = None
    encoding: str | None = None
    unit_tag: str | None = None
    unit: dict[str, str] | None = None
    page_size: Annotated[int, Field(ge=1)] | None = None


class SourcesFile(_Table):
    source: list[SourceEntry] = Field(default_factory=list)


T = TypeVar("T", bound=_Table)


def _entry(data: Any, table: str, index: int) -> dict[str, Any]:
    try:
        entry = data[table][index]
    except (KeyError, IndexError, TypeError):
        return {}
    return entry if isinstance(entry, dict) else {}


def _table_name(data: Any, table: str, index: int) -> str:
    name = _entry(data, table, index).get("name")
    return f"{table} {name!r}" if isinstance(name, str) and name else f"{table} #{index + 1}"


def _describe(error: dict[str, Any], data: Any, model: type[_Table]) -> str:
    loc = tuple(error["loc"])
    where, key, entry_model = "", str(loc[-1]) if loc else "", model
    if len(loc) >= 2 and isinstance(loc[1], int):  # ("subscriber", 2, "admin", …)
        where = _table_name(data, str(loc[0]), loc[1]) + ": "
        entry_model = model.model_fields[str(loc[0])].annotation.__args__[0]  # type: ignore[union-attr]
        key = str(loc[2]) if len(loc) > 2 else key
        value = _entry(data, str(loc[0]), loc[1]).get(key)
        if isinstance(value, dict) and len(loc) > 3 and loc[3] in value:  # unit.pageId, not body.str
            key = f"{key}.{loc[3]}"
    if error["type"] == "extra_forbidden":
        guess = closest(key, entry_model.model_fields)
        return f"{where}unknown key {key!r}" + (f" (did you mean {guess!r}?)" if guess else "")
    if error["type"] == "missing":
        return f"{where}{key} is required"
    shown = error["input"]
    if error["type"] == "list_type" and not where:  # subscriber = {…} instead of [[subscriber]]
        return f"{key} must be [[{key}]] tables, got {shown!r}"
    if error["type"] == "list_type" and isinstance(shown, str):
        return f"{where}{key} must be a list, e.g. {key} = {json.dumps([shown], ensure_ascii=False)}, got {shown!r}"
    if error["type"].startswith("bool"):
        return f"{where}{key} must be true or false (a TOML boolean, without quotes), got {shown!r}"
    return f"{where}{key} {expectation(error)}, got {shown!r}"


def check_file(model: type[T], data: Any, origin: str) -> T:
    """The file's tables as ``model``, or one :class:`ConfigError` line naming the file, table and key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # a union (str | list[str]) reports one error per member; the first is the one to show
        raise ConfigError(f"{origin}: {_describe(errors[0], data, model)}") from None


def check_subscribers(data: Any, origin: str) -> SubscribersFile:
    return check_file(SubscribersFile, data, origin)


def check_sources(data: Any, origin: str) -> SourcesFile:
    return check_file(SourcesFile, data, origin)
