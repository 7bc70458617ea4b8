"""Recorded responses: what ``cbecwatch snapshot`` saved from a crawl, served back by the mirror.

Layout, under a mirror data directory (``<root>/recorded/<host>/``):

- ``responses.json``: one entry per request, keyed ``METHOD /path[?query][ body:<sha1>]`` (the query
  with its parameters sorted, the body hash only for requests that had one), holding the real
  ``url``, the ``status``, the response ``headers`` as ``[name, value]`` pairs and the ``body`` file;
- the body files, named ``<12 hex of the key>-<last path segment>``, as the site sent them (text in
  its own charset; only a content encoding such as gzip is undone, so the files can be read and edited).

The mirror answers from these before its site emulators (``cbecwatch mirror --replay`` answers from
nothing else). The validators are the mirror's own, computed from the body as for every mirror
answer, so conditional requests get 304 here too. ``_snapshots/<source>.json`` keeps what the
snapshot's crawl stored, to compare a replayed crawl against.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from crawler.mirror.messages import MirrorRequest, MirrorResponse
from crawler.mirror.sites.common import _read_cached

DIRECTORY = "recorded"
MANIFEST = "responses.json"
# Not replayed: the mirror's HTTP layer writes its own framing, date and validators.
_DROPPED = {"content-type", "content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding",
            "date", "server", "etag", "last-modified"}


def canonical_query(pairs: list[tuple[str, str]] | dict[str, str]) -> str:
    """A query with one value per name (the last, as the mirror reads it), names sorted."""
    return urlencode(sorted(dict(pairs).items()))


def request_key(method: str, path: str, query: str = "", body: bytes = b"") -> str:
    key = f"{method.upper()} {unquote(path) or '/'}" + (f"?{query}" if query else "")
    return key + (f" body:{hashlib.sha1(body).hexdigest()[:12]}" if body else "")


def key_of_url(method: str, url: str, body: bytes = b"") -> tuple[str, str]:
    """``(host, key)`` of a request for *url*."""
    parts = urlsplit(url)
    return parts.hostname or "", request_key(method, parts.path, canonical_query(
        parse_qsl(parts.query, keep_blank_values=True)), body)


def body_file(key: str, path: str) -> str:
    last = path.rstrip("/").rsplit("/", 1)[-1] or "index"
    return f"{hashlib.sha1(key.encode()).hexdigest()[:12]}-{re.sub(r'[^A-Za-z0-9._-]+', '_', last)[:60]}"


def save(root: Path, host: str, entries: dict[str, dict[str, Any]]) -> None:
    """Merge *entries* into the host's manifest (several crawls may fill one directory)."""
    directory = root / DIRECTORY / host
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / MANIFEST
    merged = json.loads(manifest.read_text("utf-8")) if manifest.exists() else {}
    merged.update(entries)
    tmp = manifest.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(dict(sorted(merged.items())), ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(manifest)


def _modified(value: str | None) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None


def replay(request: MirrorRequest) -> MirrorResponse | None:
    """The recorded answer to *request*, or ``None`` when nothing was recorded for it."""
    manifest = request.root / DIRECTORY / request.host / MANIFEST
    if not manifest.is_file():
        return None
    entries: dict[str, dict[str, Any]] = _read_cached(manifest, json.loads)
    query = canonical_query(request.query)
    entry = entries.get(request_key(request.method, request.path, query, request.body))
    if entry is None and request.method == "HEAD":
        entry = entries.get(request_key("GET", request.path, query))
    if entry is None:
        return None
    headers = [(str(name), str(value)) for name, value in entry.get("headers", [])]
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "application/octet-stream")
    body = (manifest.parent / entry["body"]).read_bytes() if entry.get("body") else b""
    kept = {}
    for name, value in headers:  # one value per name: the mirror's response keeps a dict
        if name.lower() not in _DROPPED:
            kept[name] = value
    modified = next((v for n, v in headers if n.lower() == "last-modified"), None)
    return MirrorResponse(int(entry["status"]), body, content_type, kept, last_modified=_modified(modified),
                          conditional=int(entry["status"]) == 200)
