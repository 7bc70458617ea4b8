"""Notification channels, one module each: ``email`` (SMTP), ``webhook`` (signed JSON POST) and
``apprise`` (chat services through the optional Apprise package).

Every channel takes a :class:`scheduler.messages.Message` and either returns (sent) or raises
:class:`ChannelError` with a message fit for the delivery log — never containing a password or token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: answers that will be the same on every retry: the delivery is a dead letter at once
PERMANENT_HTTP = frozenset({400, 401, 403, 404, 405, 410, 413, 422})


class ChannelError(Exception):
    """A failed attempt; ``status`` is the HTTP status or SMTP reply code when there was one;
    ``permanent`` when retrying cannot help; ``retry_after`` the seconds the receiver asked us to wait."""

    def __init__(self, message: str, status: int | None = None, *, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.permanent = permanent
        self.retry_after = retry_after


def redact(channel: str, target: str) -> str:
    """How a target is shown in logs and listings: apprise URLs carry tokens in every part, webhook
    URLs often in the query string."""
    if channel == "email":
        return target
    parts = urlsplit(target)
    if channel == "apprise":
        return f"{parts.scheme}://…"
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # stored before targets were checked: show it, do not crash the listing
        port = ":<invalid port>"
    return f"{parts.scheme}://{host}{port}{parts.path}" + ("?…" if parts.query else "")
