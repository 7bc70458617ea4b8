"""``/healthz`` (the report of ``cbecwatch status``; 503 when unhealthy) and ``/metrics``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from cbecwatch.web.deps import app_state, db_session

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="daemon heartbeat age and each source's last run; 503 when stale or broken")
def healthz(session: Annotated[Any, Depends(db_session)], state: Annotated[Any, Depends(app_state)]) -> Response:
    from storage.status import health_report

    report = health_report(session, state.settings, heartbeat_interval=state.heartbeat_interval)
    return JSONResponse(report, status_code=200 if report["healthy"] else 503)


@router.get("/metrics", summary="Prometheus text format")
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
