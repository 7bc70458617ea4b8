"""Subscribers: who hears about which events, through which channels, and the TOML file form.

Filters are lists; an empty list lets everything through. Place filters (provinces, cities) apply to
events that name places — an event naming none (a national tax rule, a revised notice without
extracted places) passes them, because it applies everywhere. Admin events (a source broke or
recovered) reach only admin subscribers and ignore place and keyword filters.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appconfig.errors import ConfigError
from appconfig.files import check_subscribers
from storage.models_alerts import EVENT_KINDS, HELD, PENDING, Delivery, Event, Subscriber
from storage.secrets import ENV_PREFIX, SecretError, seal, unseal
from storage.targets import TargetError, check_apprise_url, check_webhook_url, private_targets_allowed

MODES = ("instant", "digest")
LANGS = ("zh", "en", "both")  # the language of a subscriber's mails and chat messages
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class SubscriberError(ValueError):
    """A subscriber definition the monitor cannot use; the message says which field and why."""


@dataclass
class SubscriberSpec:
    name: str
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    #: the environment variable that holds the secret: stored as a reference, never the value
    webhook_secret_env: str | None = None
    apprise_urls: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mode: str = "instant"
    digest_hour: int = 8
    admin: bool = False
    active: bool = True
    lang: str = "zh"

    def validate(self) -> SubscriberSpec:
        where = f"subscriber {self.name!r}"
        if not self.name or not self.name.strip():
            raise SubscriberError("a subscriber needs a name")
        if not (self.email or self.webhook_url or self.apprise_urls):
            raise SubscriberError(f"{where}: give at least one channel (email, webhook URL or apprise URL)")
        if self.email and not _EMAIL.match(self.email):
            raise SubscriberError(f"{where}: {self.email!r} is not an email address")
        allow_private = private_targets_allowed()
        try:
            if self.webhook_url:
                check_webhook_url(self.webhook_url, allow_private=allow_private)
            for url in self.apprise_urls or []:
                check_apprise_url(url, allow_private=allow_private)
        except TargetError as exc:
            raise SubscriberError(f"{where}: {exc}") from None
        if self.webhook_url:
            if not self.webhook_secret:
                self.webhook_secret = new_webhook_secret()
            for secret in self.webhook_secret.split():  # "new old" while a rotation is under way
                check_secret(secret, where)
        unknown = sorted(set(self.kinds) - set(EVENT_KINDS))
        if unknown:
            raise SubscriberError(f"{where}: unknown event kind {', '.join(unknown)}; "
                                  f"known kinds: {', '.join(EVENT_KINDS)}")
        if self.mode not in MODES:
            raise SubscriberError(f"{where}: mode must be instant or digest, got {self.mode!r}")
        if self.lang not in LANGS:
            raise SubscriberError(f"{where}: lang must be zh, en or both, got {self.lang!r}")
        if not 0 <= int(self.digest_hour) <= 23:
            raise SubscriberError(f"{where}: digest_hour must be 0–23 (Asia/Shanghai), got {self.digest_hour}")
        return self


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def check_secret(secret: str, where: str) -> None:
    body = secret.removeprefix("whsec_")
    try:
        if not secret.startswith("whsec_") or not base64.b64decode(body + "==", validate=False):
            raise ValueError
    except ValueError as exc:
        raise SubscriberError(f"{where}: webhook secret must look like whsec_<base64> "
                              "(leave it out to have one generated)") from exc


def apply_spec(subscriber: Subscriber, spec: SubscriberSpec) -> None:
    for f in fields(SubscriberSpec):
        if f.name in ("webhook_secret", "webhook_secret_env"):
            continue
        value = getattr(spec, f.name)
        setattr(subscriber, f.name, list(value) if isinstance(value, list) else value)
    subscriber.webhook_secret = (seal(spec.webhook_secret, env_name=spec.webhook_secret_env)
                                 if spec.webhook_secret else None)


def rotate_secret(session: Session, name: str, *, finish: bool = False) -> str:
    """Start a rotation (a new secret signs beside the current ones) or finish it (only the newest
    stays); returns the newest secret."""
    subscriber = get_subscriber(session, name)
    if subscriber.webhook_url is None:
        raise SubscriberError(f"subscriber {name!r} has no webhook")
    if (subscriber.webhook_secret or "").startswith(ENV_PREFIX):
        raise SubscriberError(f"subscriber {name!r} reads its secret from the environment: rotate it there")
    try:
        current = unseal(subscriber.webhook_secret, f"subscriber {name!r}")
    except SecretError as exc:
        raise SubscriberError(str(exc)) from None
    secrets_now = current[:1] if finish else [new_webhook_secret(), *current[:1]]
    subscriber.webhook_secret = seal(" ".join(secrets_now))
    return secrets_now[0]


def add_subscriber(session: Session, spec: SubscriberSpec, origin: str = "cli") -> Subscriber:
    spec.validate()
    if session.scalar(select(Subscriber).where(Subscriber.name == spec.name)) is not None:
        raise SubscriberError(f"a subscriber named {spec.name!r} exists already; remove it first")
    subscriber = Subscriber(origin=origin)
    apply_spec(subscriber, spec)
    session.add(subscriber)
    session.flush()
    return subscriber


#: the origin of a removed subscriber whose waiting messages are still to be sent (or dead-lettered)
REMOVED = "removed"


def _waiting(session: Session, subscriber: Subscriber) -> int:
    return session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.subscriber_id == subscriber.id, Delivery.status.in_((HELD, PENDING)))) or 0


def remove_subscriber(session: Session, name: str, *, drop_pending: bool = False) -> int:
    """Remove the subscriber; returns how many of its messages were still waiting to be sent.

    Those are kept by default: they were due before the subscriber was removed, so they are still
    sent (or become dead letters) while no new alert is made for it. The row stays behind as a
    tombstone under a freed name (``alice~removed-7``) until then. ``drop_pending`` deletes the row
    and its waiting messages with it (ON DELETE CASCADE), as before.
    """
    subscriber = get_subscriber(session, name)
    waiting = _waiting(session, subscriber)
    if drop_pending or not waiting:
        session.delete(subscriber)
    else:
        _retire(subscriber)
    return waiting


def _retire(subscriber: Subscriber) -> None:
    subscriber.origin = REMOVED
    subscriber.name = f"{subscriber.name[:100]}~removed-{subscriber.id}"  # the name is free for a new one
    subscriber.active = True  # held messages of a paused subscriber go out too: nothing is kept back


EDITABLE = frozenset(f.name for f in fields(SubscriberSpec)) - {"name", "webhook_secret_env"}


def edit_subscriber(session: Session, name: str, changes: dict[str, Any]) -> str | None:
    """Change the given fields of a command-line subscriber in place, checked as ``add`` checks them
    (the SSRF guard included). Returns the webhook secret made for a webhook it did not have before."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise SubscriberError(f"cannot edit {', '.join(unknown)} of a subscriber")
    row = get_subscriber(session, name)
    if row.origin == "config":
        raise SubscriberError(f"subscriber {name!r} comes from the subscribers file: edit it there")
    current = {key: getattr(row, key) for key in EDITABLE - {"webhook_secret"}}
    spec = SubscriberSpec(name=row.name, **{**current, **changes})
    keep_secret = ("webhook_secret" not in changes and spec.webhook_url and row.webhook_secret) or None
    spec.validate()  # makes a secret for a new webhook; a kept one is already sealed on the row
    made = spec.webhook_secret if spec.webhook_url and not keep_secret and "webhook_secret" not in changes else None
    apply_spec(row, spec)
    if keep_secret:
        row.webhook_secret = keep_secret
    return made


def set_active(session: Session, name: str, active: bool) -> int:
    """Pause or resume a subscriber; returns how many of its messages are waiting. A paused subscriber
    gets no new alerts and its waiting messages are held (not dropped) until it is resumed."""
    subscriber = get_subscriber(session, name)
    subscriber.active = active
    return _waiting(session, subscriber)


def get_subscriber(session: Session, name: str) -> Subscriber:
    subscriber = session.scalar(select(Subscriber).where(Subscriber.name == name, Subscriber.origin != REMOVED))
    if subscriber is None:
        raise SubscriberError(f"no subscriber named {name!r}")
    return subscriber


# -- the config-file form --------------------------------------------------------------------------


def specs_from_toml(path: Path) -> list[SubscriberSpec]:
    """``[[subscriber]]`` tables; unknown keys are refused so that a typo never silently drops a filter."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SubscriberError(f"cannot read subscribers file {path}: {exc}") from exc
    try:  # types and keys first (appconfig.files): "false" is no boolean, "浙江" no list of provinces
        tables = check_subscribers(data, str(path)).subscriber
    except ConfigError as exc:
        raise SubscriberError(str(exc)) from None
    specs: list[SubscriberSpec] = []
    for table in tables:
        where = f"{path}: subscriber {table.name!r}"
        values: dict[str, Any] = table.model_dump()
        env_name = values.get("webhook_secret_env")
        if env_name:  # keeps the secret out of the file and out of the database
            values["webhook_secret"] = os.environ.get(env_name) or None
            if not values["webhook_secret"]:
                raise SubscriberError(f"{where}: environment variable {env_name} (webhook_secret_env) is empty")
        try:
            specs.append(SubscriberSpec(**values).validate())
        except SubscriberError as exc:
            raise SubscriberError(f"{path}: {exc}") from None
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SubscriberError(f"{path}: subscriber names must be unique: {', '.join(duplicates)}")
    return specs


def sync_from_file(session: Session, path: Path) -> tuple[int, int, int]:
    """Make the file's subscribers the config-origin ones: add, update, remove. CLI-added stay."""
    specs = specs_from_toml(path)
    existing = {s.name: s for s in session.scalars(select(Subscriber))}
    added = updated = removed = 0
    for spec in specs:
        row = existing.get(spec.name)
        if row is None:
            row = Subscriber(origin="config")
            session.add(row)
            added += 1
        elif row.origin != "config":
            raise SubscriberError(f"{path}: subscriber {spec.name!r} was added on the command line; "
                                  "rename it in the file or remove it first")
        else:
            updated += 1
        apply_spec(row, spec)
    wanted = {s.name for s in specs}
    for name, row in existing.items():
        if row.origin == "config" and name not in wanted:
            if _waiting(session, row):  # gone from the file, but what it was already owed still goes out
                _retire(row)
            else:
                session.delete(row)
            removed += 1
    session.flush()
    return added, updated, removed


# -- matching ---------------------------------------------------------------------------------------
#: the peoples named in the names of autonomous regions, prefectures and counties (壮族自治区, 德宏傣族
#: 景颇族自治州, 巴音郭楞蒙古自治州): the part of such a name that a user leaves out with 自治区/州
_PEOPLES = ("壮族|回族|维吾尔|藏族|蒙古族|蒙古|苗族|彝族|土家族|傣族|景颇族|哈尼族|布依族|侗族|瑶族|白族|羌族|"
            "朝鲜族|哈萨克|柯尔克孜|黎族|傈僳族|怒族|纳西族|普米族|拉祜族|佤族|仡佬族|畲族|满族|锡伯族|达斡尔族|"
            "鄂温克族|鄂伦春族|撒拉族|土族|保安族|东乡族|裕固族|仫佬族|毛南族|水族|京族|塔吉克族|各族")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "盟")  # longest first
#: short forms of autonomous prefectures and counties (德宏州, 甘孜州): never 广州 or 杭州 themselves
_SHORT_SUFFIXES = ("州", "县")
_PEOPLE_AT_END = re.compile(rf"(?:{_PEOPLES})$")


def place_stem(name: object) -> str:
    """A place name without its administrative suffix, for comparing what a user wrote with what the
    extractor stored (浙江 / 浙江省, 德宏 / 德宏傣族景颇族自治州, 广西 / 广西壮族自治区, 内蒙古 / 内蒙古自治区)."""
    text = str(name or "").strip()
    stem = next((text[:-len(suffix)] for suffix in _SUFFIXES if text.endswith(suffix) and len(text) > len(suffix)),
                None) or next((text[:-1] for suffix in _SHORT_SUFFIXES if text.endswith(suffix) and len(text) >= 3),
                              text)
    while (people := _PEOPLE_AT_END.search(stem)) and people.start() >= 2:  # 内蒙古 keeps its 蒙古
        stem = stem[:people.start()]
    return stem


def _place_match(wanted: list[Any], named: list[Any]) -> bool:
    """Whole names, suffixes aside — never substrings: 海南 (the province) must not match Qinghai's
    海南藏族自治州, nor 江 match 江苏."""
    stems = {place_stem(n) for n in named if n}
    return any(w and place_stem(w) in stems for w in wanted)


def matches(subscriber: Subscriber, event: Event, text: str = "") -> bool:
    """Whether this event is for this subscriber. ``text`` is the notice text, for keywords."""
    if not subscriber.active or event.baseline or subscriber.origin == REMOVED:
        return False
    if event.admin and not subscriber.admin:
        return False
    if subscriber.kinds and event.kind not in subscriber.kinds:
        return False
    if subscriber.sources and event.source not in subscriber.sources:
        return False
    if event.admin:
        return True
    # Provinces are compared with the event's provinces and cities with its cities: a province filter
    # matched against city names is how 海南 came to mean 海南藏族自治州.
    named = event.provinces + event.cities
    if (subscriber.provinces or subscriber.cities) and named and not (
            _place_match(subscriber.provinces, event.provinces) or _place_match(subscriber.cities, event.cities)):
        return False
    if subscriber.keywords:
        haystack = " ".join([event.title or "", event.doc_number or "", text])
        if not any(str(k) in haystack for k in subscriber.keywords):
            return False
    return True
