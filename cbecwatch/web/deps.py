"""Request dependencies: the app's state and a database session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request


def app_state(request: Request) -> Any:
    return request.app.state.cbecwatch


def db_session(request: Request) -> Iterator[Any]:
    with request.app.state.cbecwatch.db.session() as session:
        yield session
