"""The daemon as a real subprocess against the mirror, with a real SMTP server and webhook receiver.

Measures the detection latency (a notice appears on the mirror → its webhook arrives) and prints it
with the crawl interval it ran with; it is reported, not asserted, because it depends on the machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alert_peers import SmtpServer, WebhookReceiver, receiver, smtp, wait_for  # noqa: F401
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crawler.mirror.server import MirrorServer
from storage.db import open_database
from storage.models import Source
from storage.models_alerts import DELIVERED, DIGESTED, HELD, Delivery
from storage.subscribers import new_webhook_secret

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
CRAWL_INTERVAL = 2
NEW_NOTICE = {
    "_comment": "SYNTHETIC test notice added while the daemon runs; 发文字号 and title are batch 7's (domain.md).",
    "id": "5728411", "library": "gw", "path": "/zhengce/content/2022-11/24/content_5728411.htm",
    "title": "国务院关于同意在廊坊等33个城市和地区设立跨境电子商务综合试验区的批复", "pcode": "国函〔2022〕126号",
    "puborg": "国务院", "index_no": "000014349/2022-00126", "subject": "商贸、海关、旅游\\对外经贸合作",
    "issue_date": "2022-11-14", "publish_date": "2022-11-24", "firstpublished": "2022-11-24-18:00:00",
    "lastmodified": "2022-11-24-18:00:00", "body": "bodies/batch7-2022.txt",
}
BODY = ["# SYNTHETIC test body", "国函〔2022〕126号", "河北省、山西省人民政府，商务部：",
        "一、同意在廊坊市、沧州市等33个城市和地区设立跨境电子商务综合试验区。",
        "二、综合试验区建设要以习近平新时代中国特色社会主义思想为指导。"]


def write_atomically(path: Path, text: str) -> None:
    """The mirror reads its data on every request: never let it see half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def add_notice(root: Path, body: list[str]) -> None:
    write_atomically(root / "govcn" / NEW_NOTICE["body"], "\n".join(body) + "\n")
    notices = json.loads((root / "govcn" / "notices.json").read_text("utf-8"))
    notices = [n for n in notices if n["id"] != NEW_NOTICE["id"]] + [NEW_NOTICE]
    write_atomically(root / "govcn" / "notices.json", json.dumps(notices, ensure_ascii=False, indent=1))


class Daemon:
    def __init__(self, log: Path, *args: str) -> None:
        self.log = log
        self.handle = log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "cbecwatch", "daemon", *args], cwd=REPO,
                                        env=dict(os.environ), stdout=self.handle, stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self.handle.close()


@pytest.fixture
def env(app_home: Path, mirror: MirrorServer, smtp: SmtpServer, receiver: WebhookReceiver,  # noqa: F811
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    settings = {
        "CBECWATCH_SMTP_URL": smtp.url, "CBECWATCH_MIRROR_URL": mirror.url,
        "CBECWATCH_CRAWL_SCHEDULE": f"interval:{CRAWL_INTERVAL}", "CBECWATCH_CRAWL_JITTER": "0",
        "CBECWATCH_CRAWL_TIMEOUT": "60", "CBECWATCH_DISPATCH_INTERVAL": "0.5",
        "CBECWATCH_DIGEST_CHECK_INTERVAL": "1", "CBECWATCH_HEARTBEAT_INTERVAL": "5", "CBECWATCH_RETRY_BASE": "0.5",
        "CBECWATCH_RETRY_MAX": "1", "CBECWATCH_DISPATCH_LEASE": "3", "CBECWATCH_WEBHOOK_TIMEOUT": "10",
        "CBECWATCH_BROKEN_AFTER": "2", "CBECWATCH_SUBSCRIBERS_FILE": str(tmp_path / "subscribers.toml"),
        # revisit stored notices on every run (by default: recent ones, at most daily) to see the revision
        "CBECWATCH_REVISIT_AFTER_HOURS": "0", "CBECWATCH_REVISIT_DAYS": "100000",
    }
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    names = {"match": 'keywords = ["跨境电子商务"]', "nomatch": 'keywords = ["保税维修"]',
             "daily": 'mode = "digest"\ndigest_hour = 0', "admin": 'admin = true\nkinds = ["source_broken", '
             '"source_recovered"]'}
    tables = []
    for name, extra in names.items():
        receiver.secrets[name] = new_webhook_secret()
        tables.append(f'[[subscriber]]\nname = "{name}"\nemail = "{name}@example.com"\n'
                      f'webhook_url = "{receiver.url(name)}"\nwebhook_secret = "{receiver.secrets[name]}"\n{extra}\n')
    (tmp_path / "subscribers.toml").write_text("\n".join(tables), encoding="utf-8")
    return settings


def database():
    return open_database(os.environ["CBECWATCH_DATABASE_URL"])


def source_runs_finished(db) -> int:
    with db.session() as session:
        source = session.get(Source, "govcn")
        return 0 if source is None or source.last_run_at is None else 1


def kinds(posts) -> list[list[str]]:
    return [[e["kind"] for e in p.payload["events"]] for p in posts]


def test_daemon_end_to_end(env, mirror: MirrorServer, smtp: SmtpServer, receiver: WebhookReceiver,  # noqa: F811
                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    daemon = Daemon(tmp_path / "daemon.log", "--source", "govcn")
    db_file = Path(make_url(os.environ["CBECWATCH_DATABASE_URL"]).database or "")
    db = database() if wait_for(db_file.exists, 15) else None
    try:
        assert db is not None and wait_for(lambda: source_runs_finished(db), 30), daemon.text()
        time.sleep(0.5)
        assert receiver.received == [] and smtp.messages == [], "the first crawl is a silent baseline"

        second = subprocess.run([sys.executable, "-m", "cbecwatch", "daemon"], cwd=REPO, env=dict(os.environ),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2 and "another cbecwatch daemon is already running" in second.stderr

        # A new notice appears on the mirror.
        changed_at = time.monotonic()
        add_notice(mirror.root, BODY)
        assert wait_for(lambda: receiver.ok("match"), 30), daemon.text()
        latency = receiver.ok("match")[0].at - changed_at
        assert wait_for(lambda: smtp.to("match@example.com") and receiver.ok("daily") and smtp.to("daily@"), 15)
        time.sleep(CRAWL_INTERVAL * 2 + 1)  # more crawls of the same page must not alert again
        # one message (with the extractor merged it also carries the pilot_places event)
        [first] = kinds(receiver.ok("match"))
        assert first[0] == "notice_new" and set(first) <= {"notice_new", "pilot_places"}
        assert len(smtp.to("match@example.com")) == 1
        assert receiver.ok("nomatch") == [] and smtp.to("nomatch@") == [] and receiver.unverified() == []
        with capsys.disabled():
            print(f"\ndetection latency (mirror change → webhook received): {latency:.2f} s "
                  f"with a {CRAWL_INTERVAL} s crawl interval")

        # The notice is revised: one revision alert, with the diff.
        add_notice(mirror.root, [*BODY, "三、请商务部会同有关部门加强指导和服务。"])
        assert wait_for(lambda: len(receiver.ok("match")) == 2, 30), daemon.text()
        time.sleep(CRAWL_INTERVAL + 1)
        assert kinds(receiver.ok("match"))[1] == ["notice_revised"]
        diff = receiver.ok("match")[1].payload["events"][0]["diff"]
        assert diff["added"] == 1 and "三、请商务部会同有关部门加强指导和服务。" in diff["text"]
        mails = smtp.to("match@example.com")
        assert len(mails) == 2 and "文件修订" in mails[1]["Subject"]

        # The digest subscriber got one message for the day; the revision waits for tomorrow's.
        [digest] = receiver.ok("daily")
        assert digest.payload["type"] == "cbecwatch.digest" and len(smtp.to("daily@")) == 1

        # The source breaks (two failed runs), then recovers: admins hear about both, once each.
        write_atomically(mirror.root / "faults.json", json.dumps({"sousuo.www.gov.cn": {"status": 404},
                                                                  "www.gov.cn": {"status": 404}}))
        assert wait_for(lambda: receiver.ok("admin"), 40), daemon.text()
        (mirror.root / "faults.json").unlink()
        assert wait_for(lambda: len(receiver.ok("admin")) == 2, 40), daemon.text()
        assert kinds(receiver.ok("admin")) == [["source_broken"], ["source_recovered"]]
        assert len(smtp.to("admin@")) == 2 and receiver.ok("nomatch") == []
    finally:
        code = daemon.stop(signal.SIGTERM)
        if db is not None:
            db.dispose()
    log = daemon.text()
    assert code == 0 and "daemon stopped" in log, log[-3000:]
    assert "Traceback" not in log, log


def test_nothing_is_lost_when_peers_are_down_or_the_daemon_is_killed(
        env, mirror: MirrorServer, smtp: SmtpServer, receiver: WebhookReceiver,  # noqa: F811
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_SILENT_FIRST_RUN", "0")  # the three bundled notices are news here
    monkeypatch.setenv("CBECWATCH_MAX_ATTEMPTS", "1000")  # with 1 s back-off, 8 tries would die mid-outage
    smtp.stop()
    receiver.status = 500
    daemon = Daemon(tmp_path / "daemon.log", "--source", "govcn")
    db = None
    try:
        assert wait_for(lambda: len(receiver.received) >= 6, 40), daemon.text()  # failing attempts
        db = database()
        with db.session() as session:
            rows = list(session.scalars(select(Delivery)))
        assert rows and all(d.status != DELIVERED for d in rows) and any(d.last_error for d in rows)

        # Peers recover, but the webhook is slow: kill -9 the daemon while a POST is in flight.
        smtp.start()
        receiver.delay, receiver.status = 2.0, 200
        before = receiver.arrivals
        assert wait_for(lambda: receiver.arrivals > before, 20), daemon.text()
        daemon.process.kill()
        daemon.stop()
        receiver.delay = 0.0

        restarted = Daemon(tmp_path / "daemon.log", "--source", "govcn")
        try:
            def all_delivered() -> bool:
                with db.session() as session:
                    # held: came after today's digest went out, waits for tomorrow's (one a day)
                    return all(d.status in (DELIVERED, DIGESTED, HELD) for d in session.scalars(select(Delivery)))
            assert wait_for(all_delivered, 60), restarted.text()
        finally:
            assert restarted.stop() == 0
        with db.session() as session:
            deliveries = list(session.scalars(select(Delivery).where(Delivery.status == DELIVERED)))
        webhook_keys = {d.key for d in deliveries if d.channel == "webhook"}
        email_keys = {d.key for d in deliveries if d.channel == "email"}
        # Every message arrived; repeats (if any) carry a key already seen — never a new one.
        assert {r.id for r in receiver.received if r.status == 200} == webhook_keys
        assert {r.id for r in receiver.received} <= webhook_keys and receiver.unverified() == []
        got = {m["X-Cbecwatch-Delivery"] for m in smtp.messages}
        assert got == email_keys and all(m["Message-ID"] == f"<{m['X-Cbecwatch-Delivery']}@cbecwatch>"
                                         for m in smtp.messages)
        assert len(receiver.ok("match")) >= 3  # three bundled notices, one instant alert each
        # The POST in flight at the kill was received but never marked: it went again, same key.
        accepted = [r.id for r in receiver.received if r.status == 200]
        assert len(accepted) > len(set(accepted))
    finally:
        if daemon.process.poll() is None:
            daemon.stop(signal.SIGKILL)
        if db is not None:
            db.dispose()
