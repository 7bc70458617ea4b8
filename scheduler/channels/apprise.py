"""Chat channels (DingTalk, WeCom, Feishu, Slack, Telegram …) through the optional Apprise package.

Apprise signs nothing and uses its own payload, so it is an extra for people, not the machine path:
install it with ``pip install 'cbecwatch[apprise]'``. Without it these deliveries fail with a clear
message and are retried (and end as dead letters) like any other failure.
"""

from __future__ import annotations

from scheduler.channels import ChannelError, redact
from scheduler.messages import Message

MAX_BODY = 3500  # chat services cut long messages; the mail and the webhook carry everything


def send_apprise(url: str, message: Message) -> None:
    try:
        import apprise
    except ImportError as exc:
        raise ChannelError("apprise is not installed: pip install 'cbecwatch[apprise]'") from exc
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise ChannelError(f"apprise does not understand the URL {redact('apprise', url)}")
    body = message.text if len(message.text) <= MAX_BODY else message.text[: MAX_BODY - 1] + "…"
    with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as output:
        ok = notifier.notify(title=message.subject, body=body)
        detail = output.getvalue().strip().splitlines()
    if not ok:
        raise ChannelError(f"apprise could not notify {redact('apprise', url)}"
                           + (f": {detail[-1][:300]}" if detail else ""))
