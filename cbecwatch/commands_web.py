"""``cbecwatch serve`` (the web app under uvicorn) and ``cbecwatch status`` (what ``/healthz`` says)."""

from __future__ import annotations

import argparse
import json
import sys

from cbecwatch.common import UserError


def add_commands(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="serve the read-only web dashboard, JSON API and feeds")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; other hosts need CBECWATCH_WEB_TOKEN)")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler="cbecwatch.commands_web:serve")
    status = sub.add_parser("status", help="the daemon's heartbeat and every source's last run, as /healthz says "
                            "(exit status 1 when unhealthy)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler="cbecwatch.commands_web:status")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cbecwatch.config import get_settings
    from cbecwatch.web.app import create_app, is_loopback

    settings = get_settings()
    if not is_loopback(args.host) and not settings.web_token:
        print(f"cbecwatch: note: serving on {args.host} without CBECWATCH_WEB_TOKEN: only requests from this "
              "machine (loopback) are answered; set the token to let other hosts in", file=sys.stderr)
    from cbecwatch.common import open_configured

    app = create_app(settings, database=open_configured())
    print(f"cbecwatch web on http://{args.host}:{args.port}/ (database {settings.shown_database_url}); "
          "Ctrl-C stops it", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    except OSError as exc:
        raise UserError(f"cannot serve on {args.host}:{args.port}: {exc}") from exc
    return 0


def status(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from cbecwatch.config import get_alert_settings, get_settings
    from storage.status import health_report

    with open_configured().session() as session:
        report = health_report(session, get_settings(), heartbeat_interval=get_alert_settings().heartbeat_interval)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if report["healthy"] else 1
    daemon = report["daemon"]
    print(f"{'healthy' if report['healthy'] else 'UNHEALTHY'} (checked {report['checked_at'][:19]} UTC)")
    if daemon is None:
        print("daemon: no heartbeat in this database (never run here)")
    else:
        print(f"daemon: pid {daemon['pid']} on {daemon['host']}, last heartbeat {daemon['age_seconds']:.0f} s ago"
              + (" — STALE" if daemon["stale"] else "")
              + f"; queue {daemon['queue']['pending']} pending, {daemon['queue']['held']} held, "
                f"{daemon['queue']['dead']} dead")
    for source in report["sources"]:
        when = (source["last_run_at"] or "never")[:16].replace("T", " ")
        reason = f" — {source['reason']}" if source["reason"] else ""
        print(f"  {source['name']:<13} {source['status']:<10} last run {when}{reason}")
    for problem in report["problems"]:
        print(f"problem: {problem}", file=sys.stderr)
    return 0 if report["healthy"] else 1
