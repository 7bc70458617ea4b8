"""Webhooks go to the address the SSRF guard checked, not to what the name resolves to a moment later.

httpx resolves a URL's host again when it connects; between our check and that connection a name can
change its answer (DNS rebinding: a public address for the check, 127.0.0.1 or 169.254.169.254 for the
connection). The transport below keeps the URL — so the ``Host`` header and, for https, the TLS server
name (SNI) and certificate check stay the name's — and only replaces the TCP connect: to the checked
addresses, in order, and to nothing else.
"""

from __future__ import annotations

import functools
import ipaddress
import ssl
import typing
from collections.abc import Sequence

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the name → address step done already, by the guard."""

    def __init__(self, host: str, addresses: Sequence[Address]) -> None:
        self.host = host.strip("[]").rstrip(".").lower()
        self.addresses = list(addresses)
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        if host.strip("[]").rstrip(".").lower() != self.host:  # never a host the guard did not see
            raise httpcore.ConnectError(f"{host} is not the checked host {self.host}")
        failure: Exception = httpcore.ConnectError(f"{host} has no checked address")
        for address in self.addresses:
            try:
                return self.inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks are not sent over Unix sockets")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every webhook POST: building one loads the CA bundle, which was 60 %
    of a send's CPU when each send built two (measured with cProfile, issue 16 item 4). A context is safe
    to share between threads and connections once configured."""
    return httpx.create_ssl_context(trust_env=False)


def pinned_transport(url: str, addresses: Sequence[Address]) -> httpx.HTTPTransport:
    """An httpx transport for ``url`` that connects only to ``addresses``."""
    # no proxy from the environment: it would resolve the name
    transport = httpx.HTTPTransport(verify=tls_context(), trust_env=False)
    # httpx takes no network backend of its own; its pool (httpcore, pinned <2 through httpx <1) does.
    transport._pool = httpcore.ConnectionPool(ssl_context=tls_context(),
                                              network_backend=PinnedBackend(httpx.URL(url).host, addresses))
    return transport
