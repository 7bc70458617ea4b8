"""Where alerts may be sent: a webhook or Apprise target must be a well-formed URL on a public host.

A monitor that POSTs to any URL a subscriber file names is an SSRF tool: the cloud metadata service
(169.254.169.254, ``metadata.google.internal``), the database on localhost, the intranet. So a target's
host is resolved and every address it resolves to must be public — not loopback, private, link-local,
multicast, reserved or unspecified, in any notation (``0x7f000001``, ``2130706433``, ``[::ffff:127.0.0.1]``
are all 127.0.0.1 once resolved). Checked when a subscriber is added and again before each send (a
name can start resolving elsewhere); a webhook is then sent to the address checked, not to what the
name resolves to at connect time (``scheduler/channels/pinning.py``), so a name that answers a public
address to the check and 127.0.0.1 to the connection (DNS rebinding) reaches nothing internal.
Trusted private receivers need an explicit opt-in,
``CBECWATCH_ALLOW_PRIVATE_TARGETS=1`` (the tests use it for their 127.0.0.1 receivers).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

#: names of cloud metadata services, refused whatever they resolve to
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "metadata.azure.com", "instance-data",
                            "instance-data.ec2.internal"})
#: Apprise schemes that POST to a host the URL names (the others name a chat service by token)
APPRISE_HTTP_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


class TargetError(ValueError):
    """A target that must not be used; the message names it (without secrets) and says why."""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_webhook_url(url: str, *, allow_private: bool, resolve: bool = True, pin: bool = False) -> list[Address]:
    """Refuse a webhook URL that must not be used; returns the addresses checked, which the sender
    connects to (``pin``: resolve even when private targets are allowed, so that check and connection
    see the same address — a name may answer differently a moment later, DNS rebinding)."""
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname or ''}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"webhook URL must be http(s)://host/…, got {url!r}")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError as exc:
        raise TargetError(f"webhook URL {shown} has an invalid port: {exc}") from None
    return check_host(parts.hostname, what=f"webhook URL {shown}", allow_private=allow_private, resolve=resolve,
                      pin=pin)


def check_apprise_url(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    parts = urlsplit(url)
    if not parts.scheme:
        raise TargetError("apprise URL must look like service://…")
    if parts.scheme.lower() in APPRISE_HTTP_SCHEMES and parts.hostname:
        try:
            parts.port  # noqa: B018
        except ValueError as exc:
            raise TargetError(f"apprise URL {parts.scheme}://… has an invalid port: {exc}") from None
        check_host(parts.hostname, what=f"apprise URL {parts.scheme}://{parts.hostname}",
                   allow_private=allow_private, resolve=resolve)


def check_host(host: str, *, what: str, allow_private: bool, resolve: bool = True, pin: bool = False) -> list[Address]:
    name = host.strip("[]").rstrip(".").lower()
    if name in METADATA_HOSTS:
        raise TargetError(f"{what}: {host} is a cloud metadata service")
    if allow_private and not pin:
        return []
    addresses = addresses_of(name, what) if resolve else literal_address(name)
    for address in [] if allow_private else addresses:
        if not address.is_global or address.is_multicast:
            raise TargetError(f"{what} resolves to {address}, a non-public address "
                              "(set CBECWATCH_ALLOW_PRIVATE_TARGETS=1 for a trusted private receiver)")
    return addresses


def literal_address(name: str) -> list[Address]:
    try:
        return [unmapped(ipaddress.ip_address(name))]
    except ValueError:
        return []


def addresses_of(name: str, what: str) -> list[Address]:
    """Every address the name resolves to, the way the HTTP client will resolve it (getaddrinfo also
    reads the legacy numeric notations)."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetError(f"{what}: cannot resolve {name}: {exc}") from None
    unique = dict.fromkeys(unmapped(ipaddress.ip_address(info[4][0].split("%", 1)[0])) for info in infos)
    return list(unique)


def unmapped(address: Address) -> Address:
    """``::ffff:127.0.0.1`` is 127.0.0.1: judge the IPv4 address inside."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def private_targets_allowed() -> bool:
    """CBECWATCH_ALLOW_PRIVATE_TARGETS, read on every check (the subscribers of a running daemon are
    re-validated with the setting in force)."""
    from appconfig.settings import env_flag

    return env_flag("CBECWATCH_ALLOW_PRIVATE_TARGETS", False)
