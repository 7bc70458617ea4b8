"""The mirror's HTTP server: real sockets on 127.0.0.1, one server for every site.

The first path segment names the real host (``/www.gov.cn/zhengce/...``). A request is answered by,
in order: a fault from ``faults.json`` (status, delay, challenge, empty JSON, an error status over
the real page — to test how sources break), a response recorded by ``cbecwatch snapshot``
(:mod:`crawler.mirror.recorded`), a site emulator from :mod:`crawler.mirror.sites` (JSON APIs and
pages rendered from the site's ``notices.json``), a static file under ``static/<host>/``, else 404.
In replay mode the emulators are off, so a snapshot is served exactly as it was recorded. Every
answer carries an ETag and, where known, Last-Modified, and conditional requests get 304, like the
real servers that support them. The data directory is read on every request, so a test can add a
notice while the server runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.recorded import replay
from crawler.mirror.sites import SITES

log = logging.getLogger(__name__)
DEFAULT_ROOT = Path(__file__).with_name("site")
ROBOTS_ALLOW_ALL = b"User-agent: *\nAllow: /\n"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    host: str
    path: str
    query: str
    status: int


class QuietHTTPServer(ThreadingHTTPServer):
    """A client that gives up (a crawler's time-out against a ``delay`` fault) is expected here:
    no traceback for it."""

    # One socket serves every host. socketserver's listen backlog of 5 overflowed when a crawl of 100
    # sources opened its connections together: the kernel dropped the SYNs and the clients retried after
    # 1, 2, 4, 8 … s, so the crawl waited (51 s for 100 sources, 7.5 s of it CPU; bench row 11).
    request_queue_size = 512

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            log.debug("mirror: client %s went away", client_address)
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class MirrorServer:
    """``with MirrorServer(root) as mirror: ... mirror.url ...`` or ``serve_forever()``."""

    def __init__(self, root: Path | str = DEFAULT_ROOT, host: str = "127.0.0.1", port: int = 0, *,
                 replay: bool = False) -> None:
        self.root = Path(root)
        self.replay = replay  # answer from recorded responses only (a snapshot), no site emulators
        if not self.root.is_dir():
            raise FileNotFoundError(f"mirror data directory {self.root} does not exist")
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        handler = type("BoundMirrorHandler", (MirrorHandler,), {"mirror": self})
        self.httpd = QuietHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def take_requests(self) -> list[LoggedRequest]:
        with self._lock:
            taken, self.requests = self.requests, []
        return taken

    def start(self) -> MirrorServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="mirror", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MirrorHandler(BaseHTTPRequestHandler):
    mirror: MirrorServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("mirror: " + format, *args)

    def _serve(self, head: bool = False) -> None:
        parts = urlsplit(self.path)
        segments = unquote(parts.path).lstrip("/").split("/", 1)
        host, path = segments[0], "/" + (segments[1] if len(segments) > 1 else "")
        length = int(self.headers.get("Content-Length") or 0)
        request = MirrorRequest(
            method=self.command, host=host, path=path,
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            body=self.rfile.read(length) if length else b"",
            headers={k.lower(): v for k, v in self.headers.items()}, root=self.mirror.root,
        )
        try:
            response = answer(request, replay_only=self.mirror.replay)
        except Exception as exc:  # a broken fixture must show as a 500, not kill the server
            log.exception("mirror: error answering %s %s", host, path)
            response = MirrorResponse(500, f"mirror error: {exc}".encode(), "text/plain; charset=utf-8")
        response = apply_conditional(request, response)
        self.mirror.log(LoggedRequest(self.command, host, path, parts.query, response.status))
        self.send_response(response.status)
        if response.status != 304:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", "0" if response.status == 304 else str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head and response.status != 304:
            self.wfile.write(response.body)


def load_faults(root: Path) -> dict[str, dict[str, object]]:
    path = root / "faults.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text("utf-8"))


#: how often each ``times``-limited fault has fired, per data directory and fault key
_FAULT_USES: dict[tuple[str, str], int] = {}
_FAULT_LOCK = threading.Lock()


def fault_for(request: MirrorRequest) -> MirrorResponse | None:
    """``faults.json`` maps ``host/path`` (or ``host`` for the whole site) to a behaviour. A fault with
    ``"times": N`` fires for the first N matching requests only: a page that fails once, then heals."""
    faults = load_faults(request.root)
    key = f"{request.host}{request.path}" if f"{request.host}{request.path}" in faults else request.host
    fault = faults.get(key)
    if not fault:
        return None
    if fault.get("times") is not None:
        with _FAULT_LOCK:
            used = _FAULT_USES.get((str(request.root), key), 0)
            if used >= int(fault["times"]):  # type: ignore[call-overload]
                return None
            _FAULT_USES[(str(request.root), key)] = used + 1
    time.sleep(float(fault.get("delay", 0)))  # type: ignore[arg-type]
    if fault.get("status") is None:
        return None  # a pure delay
    headers = {str(k): str(v) for k, v in dict(fault.get("headers", {})).items()}  # type: ignore[call-overload]
    if fault.get("real_page"):
        # the status of the fault with the page the site would serve, as MOF hosts answer 502 (#59695641150)
        page = site_answer(request)
        return MirrorResponse(int(fault["status"]), page.body, page.content_type, {**page.headers, **headers},
                              conditional=False)
    body = str(fault.get("body", "")).encode(str(fault.get("encoding", "utf-8")))
    return MirrorResponse(int(fault["status"]), body, str(fault.get("content_type", "text/html; charset=utf-8")),
                          headers, conditional=False)


def answer(request: MirrorRequest, *, replay_only: bool = False) -> MirrorResponse:
    fault = fault_for(request)
    if fault is not None:
        return fault
    recorded = replay(request)
    if recorded is not None:
        return recorded
    return site_answer(request, replay_only=replay_only)


def site_answer(request: MirrorRequest, *, replay_only: bool = False) -> MirrorResponse:
    for site in [] if replay_only else SITES:
        if request.host in site.hosts:
            response = site.handle(request)
            if response is not None:
                return response
    static = static_file(request)
    if static is not None:
        return static
    if request.path == "/robots.txt":
        return MirrorResponse(200, ROBOTS_ALLOW_ALL, "text/plain")
    return MirrorResponse(404, b"<html><body><h1>404 Not Found</h1></body></html>")


def static_file(request: MirrorRequest) -> MirrorResponse | None:
    base = (request.root / "static" / request.host).resolve()
    target = (base / request.path.lstrip("/")).resolve()
    if not str(target).startswith(str(base)):
        return None
    if target.is_dir():
        for index in ("index.html", "index.htm"):
            if (target / index).is_file():
                target = target / index
                break
    if not target.is_file():
        return None
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("json"):
        charset_file = target.with_name(target.name + ".charset")
        charset = charset_file.read_text().strip() if charset_file.exists() else "utf-8"
        content_type = f"{content_type}; charset={charset}" if charset else content_type
    return MirrorResponse(200, target.read_bytes(), content_type, last_modified=target.stat().st_mtime)


def apply_conditional(request: MirrorRequest, response: MirrorResponse) -> MirrorResponse:
    if response.status != 200 or not response.conditional:
        return response
    etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
    response.headers.setdefault("ETag", etag)
    if response.last_modified is not None:
        response.headers.setdefault("Last-Modified", formatdate(response.last_modified, usegmt=True))
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if etag in [tag.strip() for tag in if_none_match.split(",")]:
            return MirrorResponse(304, b"", headers={"ETag": etag})
        return response
    since = request.headers.get("if-modified-since")
    if since and response.last_modified is not None:
        try:
            if int(response.last_modified) <= parsedate_to_datetime(since).timestamp():
                return MirrorResponse(304, b"", headers=dict(response.headers))
        except (TypeError, ValueError):
            pass
    return response
