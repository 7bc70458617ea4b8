"""The alerting commands: ``subscribers``, ``deliveries``, ``events`` and ``daemon``.

``add_commands`` registers them on the main parser (one line in ``cli.build_parser``); the
handlers below keep their imports lazy like the rest of the CLI.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

# cbecwatch.common loads the settings (pydantic) only when a database is opened: this module is
# loaded to build the parser, and `cbecwatch --help` must not pay for them.
from cbecwatch.common import UserError, open_configured, positive_count

KINDS_HELP = "notice_new, notice_revised, pilot_places, figure_changed, source_broken, source_recovered"


def add_commands(sub: Any) -> None:
    subs = sub.add_parser("subscribers", help="who gets alerts, through which channels")
    actions = subs.add_subparsers(dest="subscribers_command", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="add a subscriber (at least one channel)")
    _subscriber_flags(add, editing=False)
    add.set_defaults(handler="cbecwatch.commands_alerts:subscribers_add")
    edit = actions.add_parser("edit", help="change a subscriber in place: each flag given replaces that field "
                              "(a list flag replaces the whole list), checked as add checks it")
    _subscriber_flags(edit, editing=True)
    edit.set_defaults(handler="cbecwatch.commands_alerts:subscribers_edit")
    listing = actions.add_parser("list", help="list subscribers (secrets hidden)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler="cbecwatch.commands_alerts:subscribers_list")
    remove = actions.add_parser("remove", help="remove a subscriber; its waiting messages are still sent "
                                "(or dead-lettered) unless --drop-pending")
    remove.add_argument("name")
    remove.add_argument("--drop-pending", action="store_true", help="drop its undelivered messages with it")
    remove.set_defaults(handler="cbecwatch.commands_alerts:subscribers_remove")
    for verb, what in (("pause", "stop alerts to a subscriber for now (waiting messages are held)"),
                       ("resume", "send alerts to a paused subscriber again, the held ones first")):
        toggle = actions.add_parser(verb, help=what)
        toggle.add_argument("name")
        toggle.set_defaults(handler=f"cbecwatch.commands_alerts:subscribers_{verb}")
    rotate = actions.add_parser("rotate", help="start a webhook secret rotation (the new secret signs beside the "
                                "old one), or --finish it (only the new one stays)")
    rotate.add_argument("name")
    rotate.add_argument("--finish", action="store_true")
    rotate.set_defaults(handler="cbecwatch.commands_alerts:subscribers_rotate")
    test = actions.add_parser("test", help="send a test message through each of a subscriber's channels now")
    test.add_argument("name")
    test.set_defaults(handler="cbecwatch.commands_alerts:subscribers_test")
    load = actions.add_parser("load", help="sync the subscribers of a TOML file ([[subscriber]] tables)")
    load.add_argument("file")
    load.set_defaults(handler="cbecwatch.commands_alerts:subscribers_load")

    deliveries = sub.add_parser("deliveries", help="the alert outbox: what was sent, what waits, what failed")
    deliveries.add_argument("--failed", action="store_true", help="only dead letters and failing deliveries")
    deliveries.add_argument("--retry", type=int, metavar="ID", help="put a dead delivery back in line (same key)")
    deliveries.add_argument("--limit", type=positive_count, default=50)
    deliveries.add_argument("--json", action="store_true")
    deliveries.set_defaults(handler="cbecwatch.commands_alerts:deliveries")

    events = sub.add_parser("events", help="derived events, newest first")
    events.add_argument("--limit", type=positive_count, default=50)
    events.add_argument("--json", action="store_true")
    events.add_argument("--lang", choices=["zh", "en", "both"], default="zh",
                        help="tell each event as a sentence in this language (default: zh)")
    events.set_defaults(handler="cbecwatch.commands_alerts:events")

    daemon = sub.add_parser("daemon", help="run crawls on schedule and send alerts (one daemon per database)")
    daemon.add_argument("--once", action="store_true", help="crawl every source once, send what is due, exit")
    daemon.add_argument("--mirror", metavar="URL", help="crawl this local mirror (default CBECWATCH_MIRROR_URL)")
    daemon.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    daemon.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    daemon.add_argument("--web", nargs="?", const="127.0.0.1:8000", metavar="HOST:PORT",
                        help="also serve the web app (a child process, as `cbecwatch serve`; default 127.0.0.1:8000)")
    daemon.set_defaults(handler="cbecwatch.commands_alerts:daemon")


def _subscriber_flags(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The flags of ``add``, and of ``edit``, where a flag left out leaves its field as it is."""
    unset = None if editing else []
    parser.add_argument("name")
    parser.add_argument("--email", metavar="ADDRESS")
    parser.add_argument("--webhook", metavar="URL", help="signed JSON POSTs to this URL")
    parser.add_argument("--secret", metavar="whsec_…", help="webhook secret (default: a new one, printed once)")
    parser.add_argument("--apprise", action="append", default=unset, metavar="URL",
                        help="a chat channel as an Apprise URL, e.g. dingtalk://TOKEN (repeatable)")
    for flag, dest, what in (("--source", "sources", "only this source"), ("--kind", "kinds", f"only this event "
                             f"kind: {KINDS_HELP}"), ("--province", "provinces", "only events naming a place "
                             "in this province (events naming no place pass)"), ("--city", "cities", "only events "
                             "naming this city"), ("--keyword", "keywords", "only events whose notice contains it")):
        parser.add_argument(flag, dest=dest, action="append", default=unset, metavar="VALUE",
                            help=f"{what} (repeatable)")
    parser.add_argument("--digest", type=int, metavar="HOUR", help="one digest a day at HOUR (0–23, Asia/Shanghai) "
                        "instead of instant alerts")
    parser.add_argument("--lang", choices=["zh", "en", "both"], default=None if editing else "zh",
                        help="language of the mails and chat messages (default zh; webhooks carry both)")
    if not editing:
        parser.add_argument("--admin", action="store_true", help="also receive source broken/recovered/quiet alerts")
        return
    parser.add_argument("--admin", action=argparse.BooleanOptionalAction, default=None,
                        help="receive (or, --no-admin, stop receiving) source broken/recovered/quiet alerts")
    parser.add_argument("--instant", action="store_true", help="instant alerts again instead of a digest")
    for flag, field in (("--no-email", "email"), ("--no-webhook", "webhook_url"), ("--no-apprise", "apprise_urls")):
        parser.add_argument(flag, dest="cleared", action="append_const", const=field, default=[],
                            help=f"remove the subscriber's {flag.removeprefix('--no-')} channel")


def _subscriber_row(s: Any) -> dict[str, Any]:
    from scheduler.channels import redact

    return {"name": s.name, "email": s.email, "webhook": redact("webhook", s.webhook_url) if s.webhook_url else None,
            "apprise": [redact("apprise", u) for u in s.apprise_urls or []], "sources": s.sources, "kinds": s.kinds,
            "provinces": s.provinces, "cities": s.cities, "keywords": s.keywords, "mode": s.mode,
            "digest_hour": s.digest_hour if s.mode == "digest" else None, "admin": s.admin, "origin": s.origin,
            "active": s.active, "lang": s.lang}


def subscribers_add(args: argparse.Namespace) -> int:
    from cbecwatch.common import check_filters
    from storage.subscribers import SubscriberError, SubscriberSpec, add_subscriber

    check_filters(sources=args.sources, cities=args.cities, provinces=args.provinces)
    spec = SubscriberSpec(name=args.name, email=args.email, webhook_url=args.webhook, webhook_secret=args.secret,
                          apprise_urls=args.apprise, sources=args.sources, kinds=args.kinds,
                          provinces=args.provinces, cities=args.cities, keywords=args.keywords,
                          mode="digest" if args.digest is not None else "instant",
                          digest_hour=args.digest if args.digest is not None else 8, admin=args.admin,
                          lang=args.lang)
    db = open_configured(writes=True)
    try:
        with db.session() as session, session.begin():
            add_subscriber(session, spec)
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    print(f"added subscriber {spec.name}")
    if spec.webhook_url and not args.secret:
        print(f"webhook secret (shown once; give it to the receiver): {spec.webhook_secret}")
    return 0


def subscribers_edit(args: argparse.Namespace) -> int:
    from cbecwatch.common import check_filters
    from storage.subscribers import SubscriberError, edit_subscriber

    check_filters(sources=args.sources or [], cities=args.cities or [], provinces=args.provinces or [])
    given = {"email": args.email, "webhook_url": args.webhook, "webhook_secret": args.secret,
             "apprise_urls": args.apprise, "sources": args.sources, "kinds": args.kinds,
             "provinces": args.provinces, "cities": args.cities, "keywords": args.keywords, "admin": args.admin,
             "lang": args.lang}
    changes: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
    if args.digest is not None and args.instant:
        raise UserError("give --digest HOUR or --instant, not both")
    if args.digest is not None:
        changes.update(mode="digest", digest_hour=args.digest)
    elif args.instant:
        changes["mode"] = "instant"
    for field in args.cleared:
        if field in changes:
            raise UserError(f"--no-{field.split('_')[0]} and a new value for it: give one of them")
        changes[field] = [] if field == "apprise_urls" else None
    if "webhook_url" in changes and changes["webhook_url"] is None:
        changes["webhook_secret"] = None
    if not changes:
        raise UserError("nothing to change: give at least one flag (see cbecwatch subscribers edit --help)")
    try:
        with open_configured(writes=True).session() as session, session.begin():
            made = edit_subscriber(session, args.name, changes)
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    print(f"changed subscriber {args.name}: {', '.join(sorted(changes))}")
    if made:
        print(f"webhook secret (shown once; give it to the receiver): {made}")
    return 0


def subscribers_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from storage.models_alerts import Subscriber
    from storage.subscribers import REMOVED

    with open_configured().session() as session:
        rows = [_subscriber_row(s) for s in session.scalars(
            select(Subscriber).where(Subscriber.origin != REMOVED).order_by(Subscriber.name))]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no subscribers — add one with `cbecwatch subscribers add NAME --email ADDRESS`")
    for r in rows:
        channels = ", ".join(filter(None, [r["email"], r["webhook"], *r["apprise"]]))
        filters = "; ".join(f"{k} {', '.join(r[k])}" for k in ("sources", "kinds", "provinces", "cities", "keywords")
                            if r[k]) or "everything"
        mode = f"digest at {r['digest_hour']:02d}:00" if r["mode"] == "digest" else "instant"
        paused = "" if r["active"] else "PAUSED "
        admin = "admin " if r["admin"] else ""
        print(f"{r['name']:<16} {mode:<16} {r['lang']:<4} {paused}{admin}{channels} — {filters}")
    return 0


def subscribers_remove(args: argparse.Namespace) -> int:
    from storage.subscribers import SubscriberError, remove_subscriber

    try:
        with open_configured(writes=True).session() as session, session.begin():
            waiting = remove_subscriber(session, args.name, drop_pending=args.drop_pending)
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    if not waiting:
        print(f"removed subscriber {args.name}")
    elif args.drop_pending:
        print(f"removed subscriber {args.name}; {waiting} undelivered message(s) dropped with it")
    else:
        print(f"removed subscriber {args.name}; its {waiting} waiting message(s) will still be sent "
              "(--drop-pending drops them)")
    return 0


def _set_active(name: str, active: bool) -> int:
    from storage.subscribers import SubscriberError, set_active

    try:
        with open_configured(writes=True).session() as session, session.begin():
            waiting = set_active(session, name, active)
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    state = "resumed" if active else "paused"
    print(f"{state} subscriber {name}" + (f"; {waiting} message(s) waiting" if waiting else ""))
    return 0


def subscribers_pause(args: argparse.Namespace) -> int:
    return _set_active(args.name, False)


def subscribers_resume(args: argparse.Namespace) -> int:
    return _set_active(args.name, True)


def subscribers_rotate(args: argparse.Namespace) -> int:
    from storage.subscribers import SubscriberError, rotate_secret

    try:
        with open_configured(writes=True).session() as session, session.begin():
            newest = rotate_secret(session, args.name, finish=args.finish)
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    if args.finish:
        print(f"subscriber {args.name}: rotation finished; only the newest secret signs now")
    else:
        print(f"subscriber {args.name}: new webhook secret (shown once; both old and new sign until "
              f"`subscribers rotate {args.name} --finish`): {newest}")
    return 0


def subscribers_test(args: argparse.Namespace) -> int:
    from cbecwatch.config import get_alert_settings
    from scheduler.channels import ChannelError, redact
    from scheduler.dispatch import send_one
    from scheduler.messages import build_message
    from storage.outbox import new_key
    from storage.subscribers import SubscriberError, get_subscriber

    try:
        with open_configured(writes=True).session() as session:
            subscriber = get_subscriber(session, args.name)
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    failed = 0
    for channel, target in subscriber.channels():
        message = build_message(new_key(), "test", subscriber.name, [], lang=subscriber.lang or "zh")
        try:
            send_one(get_alert_settings(), channel, target, subscriber, message)
            print(f"{channel} {redact(channel, target)}: sent ({message.key})")
        except ChannelError as exc:
            failed += 1
            print(f"{channel} {redact(channel, target)}: FAILED — {exc}")
    return 1 if failed else 0


def subscribers_load(args: argparse.Namespace) -> int:
    from pathlib import Path

    from storage.subscribers import SubscriberError, sync_from_file

    try:
        with open_configured(writes=True).session() as session, session.begin():
            added, updated, removed = sync_from_file(session, Path(args.file))
    except SubscriberError as exc:
        raise UserError(str(exc)) from exc
    print(f"{args.file}: {added} added, {updated} updated, {removed} removed")
    return 0


def deliveries(args: argparse.Namespace) -> int:
    from scheduler.channels import redact
    from storage.outbox import list_deliveries, retry

    db = open_configured(writes=args.retry is not None)
    if args.retry is not None:
        try:
            with db.session() as session, session.begin():
                delivery = retry(session, args.retry)
                key = delivery.key
        except LookupError as exc:
            raise UserError(str(exc)) from exc
        print(f"delivery {args.retry} ({key}) is pending again; the daemon (or `cbecwatch daemon --once`) sends it")
        return 0
    with db.session() as session:
        rows = [{"id": d.id, "key": d.key, "status": d.status, "kind": d.kind, "channel": d.channel,
                 "target": redact(d.channel, d.target), "subscriber": d.subscriber.name, "attempts": d.attempts,
                 "next_attempt_at": d.next_attempt_at.isoformat(), "last_error": d.last_error,
                 "last_status": d.last_status, "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
                 "events": [e.id for e in d.events]}
                for d in list_deliveries(session, failed=args.failed, limit=args.limit)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no failed deliveries" if args.failed else "no deliveries yet")
    for r in rows:
        when = r["delivered_at"] or f"next {r['next_attempt_at']}"
        error = f" — {r['last_error']}" if r["last_error"] else ""
        print(f"{r['id']:>5} {r['status']:<9} {r['channel']:<7} {r['subscriber']:<14} {r['target']:<36} "
              f"{r['attempts']} tries, {when}{error}")
    return 0


def events(args: argparse.Namespace) -> int:
    from storage.queries import event_rows

    with open_configured().session() as session:
        rows = event_rows(session, limit=args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no events yet")
    for r in rows:
        flag = " (baseline)" if r["baseline"] else ""
        told = {"zh": r["summary"]["zh"], "en": r["summary"]["en"]}.get(args.lang,
                                                                     " / ".join(r["summary"].values()))
        print(f"{r['id']:>5} {r['created_at'][:19]} {r['kind']:<16} {r['source'] or '':<8} {told}{flag}")
    return 0


def daemon(args: argparse.Namespace) -> int:
    from cbecwatch.config import get_alert_settings, get_settings
    from crawler.runner import UnknownSourceError, select_sources
    from scheduler.daemon import configure_logging, run_daemon
    from scheduler.lock import AlreadyRunning
    from storage.subscribers import SubscriberError

    configure_logging(args.verbose)
    app, alerts = get_settings(), get_alert_settings()
    app.ensure_dirs()
    try:
        sources = select_sources(args.source)
    except UnknownSourceError as exc:
        raise UserError(str(exc)) from exc
    web = None
    if getattr(args, "web", None):
        host, _, port = args.web.rpartition(":")
        if not port.isdigit():
            raise UserError(f"--web takes HOST:PORT, got {args.web!r}")
        web = (host or "127.0.0.1", int(port))
    try:
        return run_daemon(open_configured(writes=True), app, alerts, sources,
                          mirror=args.mirror or app.mirror_url or None, once=args.once, web=web)
    except (AlreadyRunning, SubscriberError) as exc:
        raise UserError(str(exc)) from exc


def secret_key(args: argparse.Namespace) -> int:
    from storage.secrets import new_key

    print(new_key())
    return 0
