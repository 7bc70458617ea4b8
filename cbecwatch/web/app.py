"""The web app's factory: one FastAPI application over the monitor's database, read-only.

FastAPI (on Starlette) rather than bare Starlette: the JSON API gets its OpenAPI document
(``/openapi.json``) and typed, validated query parameters (dates, booleans, limits) from the route
signatures, so the API cannot drift from its description; the pages are plain Jinja2 templates
rendered on the server (autoescaped) and work without JavaScript.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from cbecwatch.config import Settings, get_alert_settings, get_settings
from storage.db import Database, open_database

HERE = Path(__file__).resolve().parent
FACETS_TTL = 30.0  # seconds a listing's facet counts are reused
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


def is_loopback(host: str | None) -> bool:
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


TOKEN_COOKIE = "cbecwatch_token"


def presented_token(request: Request) -> str | None:
    """The token of a request: Authorization: Bearer, else ?token=, else the cookie a ?token= link set."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE)


def templates_environment() -> Jinja2Templates:
    # Autoescape everything: every title, number and place name on these pages was scraped.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    from storage.glossary import agency_name, code_name, figure_name, kind_name, program_name

    env.globals.update(kind_name=kind_name, figure_name=figure_name, program_name=program_name,
                       agency_name=agency_name, code_name=code_name)
    return Jinja2Templates(env=env)


class AppState:
    """What every request reads: settings, the database, the declared sources (read once: loading
    the spiders costs a Scrapy import) and the templates."""

    def __init__(self, settings: Settings, database: Database) -> None:
        from crawler.runner import available_sources

        self.settings = settings
        self.db = database
        self.sources = available_sources()
        self.templates = templates_environment()
        self.heartbeat_interval = get_alert_settings().heartbeat_interval
        self._facets: tuple[float, dict[str, dict[str, int]]] | None = None
        from storage.registry import ensure_registry

        with database.session() as session, session.begin():
            ensure_registry(session)  # a fresh install's zones page answers from the shipped history

    def session(self) -> Iterator[Any]:
        with self.db.session() as session:
            yield session

    def facets(self, session: Any) -> dict[str, dict[str, int]]:
        """The listing's facet counts, at most FACETS_TTL seconds old: counting every notice per source,
        kind, province and city is most of a page's time at 20k notices (bench 7a), and the counts move
        only when a crawl stores something."""
        from storage.queries import facet_counts

        now = time.monotonic()
        if self._facets is None or now - self._facets[0] > FACETS_TTL:
            self._facets = (now, facet_counts(session))
        return self._facets[1]


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """The application; *database* defaults to the settings' URL (migrated on open, like the CLI)."""
    from cbecwatch.web import api, feeds, lookup, ops, pages
    from cbecwatch.web.metrics import Metrics

    settings = settings or get_settings()
    state = AppState(settings, database or open_database(settings.database_url))
    # No Swagger UI or ReDoc: both load their scripts from a CDN; /openapi.json is the document.
    app = FastAPI(title="cbecwatch", version=_version(), docs_url=None, redoc_url=None,
                  description="Read-only API of the cbecwatch monitor of Chinese cross-border e-commerce policy. "
                              "Field names are those of `cbecwatch notices --json` and `show --json`.")
    app.state.cbecwatch = state
    metrics = Metrics(state.db)
    app.state.metrics = metrics

    @app.middleware("http")
    async def guard_and_count(request: Request, call_next: Any) -> Response:
        # Loopback needs no token (the default bind is 127.0.0.1); anything else needs the token, and
        # without one configured nothing from outside is served at all.
        remember = False
        if not is_loopback(request.client.host if request.client else None):
            token = settings.web_token
            if not token:
                return PlainTextResponse("cbecwatch: requests from other hosts need CBECWATCH_WEB_TOKEN to be set "
                                         "on the server", status_code=403)
            if not hmac.compare_digest((presented_token(request) or "").encode(), token.encode()):
                return PlainTextResponse("cbecwatch: a valid token is required (Authorization: Bearer TOKEN or "
                                         "?token=TOKEN)", status_code=401, headers={"WWW-Authenticate": "Bearer"})
            remember = request.query_params.get("token") == token
        started = time.perf_counter()
        response = await call_next(request)
        # No script runs on these pages and nothing loads from elsewhere; a scraped string that slipped
        # past escaping could still do nothing.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if remember:  # a browser opened with ?token= keeps working on the pages it links to
            response.set_cookie(TOKEN_COOKIE, settings.web_token, httponly=True, samesite="strict")
        route = request.scope.get("route")
        metrics.observe(getattr(route, "path", "unmatched"), response.status_code, time.perf_counter() - started)
        return response

    from cbecwatch.web.filters import BadRequest

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        # Our own refusals (an unknown kind, source, place or cursor) name what was wrong.
        if request.url.path.startswith(("/api/", "/feeds/")):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return PlainTextResponse(f"cbecwatch: {exc}", status_code=400)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(lookup.pages)
    app.include_router(api.router)
    app.include_router(lookup.api)
    app.include_router(feeds.router)
    app.include_router(ops.router)
    return app


def _version() -> str:
    from cbecwatch import __version__

    return __version__
