"""Real peers for the alert tests, all on 127.0.0.1: an aiosmtpd SMTP server that keeps what it
receives, and an HTTP webhook receiver that verifies both signatures with the reference
``standardwebhooks`` library and ``hmac`` — so the tests never check our signing against itself.

Test modules import the fixtures: ``from alert_peers import smtp, receiver  # noqa: F401``.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """An SMTP server on a fixed port that a test can stop ("down") and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    verified: bool
    at: float
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.headers.get("webhook-id", "")


class BackloggedServer(ThreadingHTTPServer):
    """``listen()`` backlog 128, not socketserver's 5: several dispatchers with 8 sends each overflowed 5 and
    the kernel reset connections ("Connection reset by peer"), which timed the receiver, not the sender."""

    request_queue_size = 128


class WebhookReceiver:
    """POST /hook/<name>: verifies signatures with that name's secret, answers ``status`` (settable)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.received: list[Received] = []
        self.status = 200
        self.extra_headers: dict[str, str] = {}  # e.g. Retry-After with a 503
        self.check_github = True  # also insist on X-Hub-Signature-256 (signed with the newest secret only)
        self.delay = 0.0
        self.arrivals = 0  # counted before the delay: "a request is in flight"
        # Cleared, it holds every request before its answer; ``held_ports`` are the senders' client ports, so a
        # test can tell which process has a send in flight (see ``tcp_ports_of``).
        self.gate = threading.Event()
        self.gate.set()
        self.held_ports: set[int] = set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.handle(self, self.path, headers, body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = BackloggedServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook/{name}"

    def handle(self, handler: BaseHTTPRequestHandler, path: str, headers: dict[str, str], body: bytes) -> None:
        secret = self.secrets.get(path.rsplit("/", 1)[-1], "")
        verified, payload = False, {}
        try:
            payload = Webhook(secret).verify(body, headers)
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            verified = not self.check_github or hmac.compare_digest(expected, headers.get("x-hub-signature-256", ""))
        except Exception:  # WebhookVerificationError, an empty or malformed secret …
            verified = False
        # /plain/… takes unsigned posts (Apprise's json:// signs nothing); /hook/… insists on signatures.
        status = self.status if verified or path.startswith("/plain/") else 401
        arrived = time.monotonic()
        with self.lock:
            self.arrivals += 1
        if not self.gate.is_set():
            port = handler.client_address[1]
            with self.lock:
                self.held_ports.add(port)
            self.gate.wait(timeout=60)
            with self.lock:
                self.held_ports.discard(port)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.received.append(Received(path, headers, body, status, verified, arrived, payload))
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", "0")
            for name, value in self.extra_headers.items():
                handler.send_header(name, value)
            handler.end_headers()
        except OSError:  # the sender died while we were slow: that is what some tests do
            pass

    def ok(self, name: str) -> list[Received]:
        """Verified, accepted posts to /hook/<name>."""
        with self.lock:
            return [r for r in self.received if r.path.endswith(f"/{name}") and r.status == 200]

    def unverified(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if not r.verified]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def tcp_ports_of(pid: int) -> set[int]:
    """The local TCP ports of process ``pid``'s open sockets (Linux /proc: socket inodes of its descriptors,
    looked up in the connection tables), i.e. the client ports its requests come from."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed between listing and reading
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def wait_for(condition: Any, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def payload_of(message: EmailMessage) -> dict[str, str]:
    """The text and HTML parts of a received mail, decoded."""
    parts = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            parts[part.get_content_type()] = part.get_content()
    return parts


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hooks = WebhookReceiver()
    yield hooks
    hooks.close()
