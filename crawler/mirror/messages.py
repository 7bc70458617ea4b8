"""The request and response the mirror's site emulators see and return."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class MirrorRequest:
    method: str
    host: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]
    root: Path


@dataclass
class MirrorResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: float | None = None  # epoch seconds
    conditional: bool = True


def json_response(data: object, status: int = 200) -> MirrorResponse:
    return MirrorResponse(status, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                          "application/json; charset=utf-8")
