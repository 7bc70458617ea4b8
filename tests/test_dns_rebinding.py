"""A webhook goes to the address the SSRF guard checked, even when the name answers differently when
the connection is made (DNS rebinding). The resolver here is the system's ``getaddrinfo`` replaced for
one made-up name: the first answer is the "public" receiver, every later one the "internal" one."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from appconfig.settings import load_alert_settings
from scheduler.channels.pinning import PinnedBackend
from scheduler.channels.webhook import send_webhook
from scheduler.dispatch import send_one
from scheduler.messages import Message
from storage.models_alerts import Subscriber
from storage.secrets import seal
from storage.subscribers import new_webhook_secret

NAME = "hooks.rebind.test"


class Receiver(ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int]) -> None:
        self.hosts: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(address, Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    checked = Receiver(("127.0.0.1", 0))  # what the name answered when it was checked
    try:
        internal = Receiver(("127.0.0.2", checked.server_address[1]))  # what it answers afterwards
    except OSError:
        checked.shutdown()
        pytest.skip("127.0.0.2 is not a loopback address here")
    yield checked, internal
    checked.shutdown()
    internal.shutdown()


@pytest.fixture
def rebinding_resolver(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    real = socket.getaddrinfo
    answers: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        answer = "127.0.0.1" if not answers else "127.0.0.2"
        answers.append(answer)
        return real(answer, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def message() -> Message:
    return Message(key="msg_rebind", subject="s", text="t", html="<p>t</p>", payload={"type": "test"})


def test_the_name_resolved_at_connect_time_would_reach_the_internal_host(receivers: Any,
                                                                        rebinding_resolver: list[str]) -> None:
    # The premise: without pinning, httpx's own lookup (the second answer) decides where the POST goes.
    checked, internal = receivers
    socket.getaddrinfo(NAME, None)  # the guard's lookup
    url = f"http://{NAME}:{checked.server_address[1]}/hook"
    send_webhook(load_alert_settings(), url, [new_webhook_secret()], message())
    assert internal.hosts and not checked.hosts


def test_a_webhook_is_sent_to_the_checked_address_with_the_names_host_header(
        receivers: Any, rebinding_resolver: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    checked, internal = receivers
    monkeypatch.setenv("CBECWATCH_ALLOW_PRIVATE_TARGETS", "1")  # both receivers are on loopback
    port = checked.server_address[1]
    url = f"http://{NAME}:{port}/hook"
    subscriber = Subscriber(name="rebind", webhook_url=url, webhook_secret=seal(new_webhook_secret()))
    assert send_one(load_alert_settings(), "webhook", url, subscriber, message()) == 204
    assert rebinding_resolver[0] == "127.0.0.1" and checked.hosts == [f"{NAME}:{port}"]
    assert internal.hosts == []


def test_the_pinned_backend_connects_to_no_other_host() -> None:
    import httpcore

    backend = PinnedBackend(NAME, [ipaddress.ip_address("127.0.0.1")])
    with pytest.raises(httpcore.ConnectError, match="not the checked host"):
        backend.connect_tcp("169.254.169.254", 80, timeout=1)
