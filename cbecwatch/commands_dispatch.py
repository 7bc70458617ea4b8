"""``cbecwatch dispatch``: extra outbox dispatchers beside the daemon (issue 16 item 4)."""

from __future__ import annotations

import argparse

from cbecwatch.common import positive_count


def add_command(sub: argparse._SubParsersAction) -> None:
    dispatch = sub.add_parser("dispatch", help="send due alert deliveries only (no crawls); several may run on "
                                               "one PostgreSQL beside the daemon")
    dispatch.add_argument("--once", action="store_true", help="send what is due now, then exit")
    dispatch.add_argument("--workers", type=positive_count, metavar="N",
                          help="concurrent sends in this process (default CBECWATCH_SEND_WORKERS)")
    dispatch.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    dispatch.set_defaults(handler="cbecwatch.commands_dispatch:dispatch")


def dispatch(args: argparse.Namespace) -> int:
    from cbecwatch.common import open_configured
    from cbecwatch.config import get_alert_settings
    from scheduler.daemon import configure_logging
    from scheduler.dispatch_worker import run_dispatcher

    configure_logging(args.verbose)
    alerts = get_alert_settings()
    if args.workers is not None:
        alerts = alerts.model_copy(update={"send_workers": args.workers})
    return run_dispatcher(open_configured(writes=True), alerts, once=args.once)
