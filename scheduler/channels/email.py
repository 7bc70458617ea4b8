"""Email over SMTP: multipart text + HTML, UTF-8 headers, the delivery key as Message-ID.

``CBECWATCH_SMTP_URL`` chooses the transport: ``smtp://host:port`` (plain, e.g. a local relay),
``smtp+starttls://user:pass@host:587`` or ``smtps://user:pass@host:465`` (TLS from the start).
User and password are URL-encoded in the URL.
"""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from appconfig.settings import AlertSettings
from scheduler.channels import ChannelError
from scheduler.messages import Message

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


def compose(message: Message, to: str, sender: str) -> EmailMessage:
    mail = EmailMessage()  # the default policy encodes Chinese subjects as RFC 2047 UTF-8 words
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    # A resend after a crash keeps the Message-ID, so mail clients and filters can drop the repeat.
    mail["Message-ID"] = f"<{message.key}@cbecwatch>"
    mail["X-Cbecwatch-Delivery"] = message.key
    mail.set_content(message.text, charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail


def send_email(settings: AlertSettings, to: str, message: Message) -> None:
    if not settings.smtp_url:
        raise ChannelError("no SMTP server configured: set CBECWATCH_SMTP_URL (e.g. smtp+starttls://user:pass@host:587)")
    url = urlsplit(settings.smtp_url)
    if url.scheme not in SCHEMES or not url.hostname:
        raise ChannelError(f"CBECWATCH_SMTP_URL must start with {', '.join(s + '://' for s in SCHEMES)}")
    host, port = url.hostname, url.port or SCHEMES[url.scheme]
    try:
        Address(addr_spec=to)
        mail = compose(message, to, settings.mail_from)
    except (ValueError, IndexError) as exc:
        raise ChannelError(f"cannot address mail to {to!r}: {exc}") from exc
    try:
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=settings.smtp_timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=settings.smtp_timeout)
        with client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(mail)
    except smtplib.SMTPResponseException as exc:
        raise ChannelError(f"SMTP {host}:{port} answered {exc.smtp_code}: {exc.smtp_error!r}", exc.smtp_code) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"cannot send mail through {host}:{port}: {type(exc).__name__}: {exc}") from exc
