"""Notification channels, one module each: ``email`` (SMTP), ``webhook`` (signed JSON POST) and
``apprise`` (chat services through the optional Apprise package).

Every channel takes a :class:`scheduler.messages.Message` and either returns (sent) or raises
:class:`ChannelError` with a message fit for the delivery log — never containing a password or token.
"""

from __future__ import annotations

from urllib.parse import urlsplit


class ChannelError(Exception):
    """A failed attempt; ``status`` is the HTTP status or SMTP reply code when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def redact(channel: str, target: str) -> str:
    """How a target is shown in logs and listings: apprise URLs carry tokens in every part, webhook
    URLs often in the query string."""
    if channel == "email":
        return target
    parts = urlsplit(target)
    if channel == "apprise":
        return f"{parts.scheme}://…"
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" + ("?…" if parts.query else "")
