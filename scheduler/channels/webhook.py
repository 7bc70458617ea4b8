"""Signed webhooks: one JSON POST per delivery, with two signatures over the exact body bytes.

* Standard Webhooks: ``webhook-id`` (the delivery key, the same on every retry: the receiver's
  idempotency key), ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
  ``v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, where the key is the base64 part of
  the subscriber's ``whsec_…`` secret.
* GitHub style: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``, keyed with the
  secret string exactly as configured (``whsec_…`` included).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from email.utils import parsedate_to_datetime

import httpx

from appconfig.settings import AlertSettings
from appconfig.version import VERSION
from scheduler.channels import PERMANENT_HTTP, ChannelError, redact
from scheduler.channels.pinning import Address, pinned_transport, tls_context
from scheduler.messages import Message


def body_of(message: Message) -> bytes:
    return json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secrets: str | list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Headers with one Standard Webhooks signature per secret (newest first: several during a
    rotation, space-separated as the spec allows) and the GitHub-style one with the newest."""
    secrets = [secrets] if isinstance(secrets, str) else secrets
    signed = f"{msg_id}.{timestamp}.".encode() + body
    standard = []
    for secret in secrets:
        key = base64.b64decode(secret.removeprefix("whsec_") + "==")
        standard.append("v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode())
    github = hmac.new(secrets[0].encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": " ".join(standard),
            "X-Hub-Signature-256": f"sha256={github}"}


def send_webhook(settings: AlertSettings, url: str, secrets: list[str], message: Message,
                 addresses: Sequence[Address] = ()) -> int:
    """POST the payload; returns the 2xx status, raises :class:`ChannelError` otherwise. ``addresses``:
    the ones the SSRF guard checked, the only ones connected to (empty: the name is resolved as usual)."""
    if not secrets:
        raise ChannelError("the subscriber has a webhook URL but no secret")
    body = body_of(message)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"cbecwatch/{VERSION} (webhook)",
               **sign(secrets, message.key, int(time.time()), body)}
    try:
        transport = pinned_transport(url, addresses) if addresses else None
        with httpx.Client(timeout=settings.webhook_timeout, follow_redirects=False, transport=transport,
                          verify=tls_context()) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise ChannelError(f"cannot POST to {redact('webhook', url)}: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        code = response.status_code
        raise ChannelError(f"{redact('webhook', url)} answered HTTP {code}", code, permanent=code in PERMANENT_HTTP,
                           retry_after=retry_after_seconds(response.headers.get("Retry-After")))
    return response.status_code


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)
