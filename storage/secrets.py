"""Webhook secrets at rest: never stored in plain text when the operator gives a key, and never stored at
all when they come from the environment.

What ``subscribers.webhook_secret`` holds, one of:

* ``env:NAME`` — the secret lives in the environment variable NAME (``webhook_secret_env`` in the
  subscribers file) and is read on every send; the database never sees it;
* ``fernet:<token>`` — sealed with ``CBECWATCH_SECRET_KEY`` (a Fernet key: ``cbecwatch secret-key`` prints
  a new one), so a copied database file gives nothing away;
* a bare ``whsec_…`` — only when no key is configured (the README says why to set one).

Rotation: a stored value may hold two secrets separated by a space (new first); both are used to sign,
as Standard Webhooks allows several signatures, so receivers can switch over without a gap.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken

KEY_VARIABLE = "CBECWATCH_SECRET_KEY"
ENV_PREFIX, SEALED_PREFIX = "env:", "fernet:"


class SecretError(ValueError):
    """A stored secret cannot be read; the message names the subscriber and what to do."""


def _fernet() -> Fernet | None:
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        return None
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise SecretError(f"{KEY_VARIABLE} is not a Fernet key (32 url-safe base64 bytes): {exc}") from None


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(secrets: str, *, env_name: str | None = None) -> str:
    """What to store for ``secrets`` (one, or 'new old' during a rotation)."""
    if env_name:
        return ENV_PREFIX + env_name
    fernet = _fernet()
    return SEALED_PREFIX + fernet.encrypt(secrets.encode()).decode() if fernet else secrets


def unseal(stored: str | None, who: str) -> list[str]:
    """The secrets to sign with, newest first; raises :class:`SecretError` with a one-line reason."""
    if not stored:
        return []
    if stored.startswith(ENV_PREFIX):
        name = stored[len(ENV_PREFIX):]
        value = os.environ.get(name, "").strip()
        if not value:
            raise SecretError(f"{who}: environment variable {name} (its webhook secret) is not set")
        return value.split()
    if stored.startswith(SEALED_PREFIX):
        fernet = _fernet()
        if fernet is None:
            raise SecretError(f"{who}: its webhook secret is sealed; set {KEY_VARIABLE} to the key it was sealed with")
        try:
            return fernet.decrypt(stored[len(SEALED_PREFIX):].encode()).decode().split()
        except InvalidToken:
            raise SecretError(f"{who}: its webhook secret was sealed with another {KEY_VARIABLE}") from None
    return stored.split()
