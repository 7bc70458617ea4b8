"""Subscribers who read English (or both languages) get the sentence form, through the real SMTP
server and webhook receiver; the webhook payload carries both languages beside its usual fields."""

from __future__ import annotations

import json
from pathlib import Path

from alert_peers import SmtpServer, WebhookReceiver, payload_of, receiver, smtp  # noqa: F401
from test_dispatch import env, subscribe  # noqa: F401

from cbecwatch.config import get_alert_settings
from crawler.extraction import extract
from scheduler.dispatch import Dispatcher
from storage.db import Database
from storage.events import derive_events
from storage.notices import NoticeRecord, save_notice
from storage.outbox import enqueue

DATA = Path(__file__).parent / "data"
BATCH_2019 = DATA / "reply-2019-137-24cities.txt"
TAX_2018 = Path(__file__).parent / "extraction" / "data" / "tax-2018-49.txt"
BATCH_EN = ("State Council approves 24 new cross-border e-commerce comprehensive pilot zones: Chifeng (赤峰市), "
            "Foshan (佛山市), Fushun (抚顺市), Fuzhou (福州市)")
BATCH_ZH = "国务院批复同意在石家庄市等24个城市设立跨境电子商务综合试验区"
LIMIT_EN = "Single-transaction limit raised from ¥2,000 to ¥5,000"
LIMIT_ZH = "单次交易限值由2000元提高至5000元"


def store_file(db: Database, path: Path, url: str) -> None:
    """Store a notice with the facts the real extractor reads from *path*, as the crawler does."""
    text = path.read_text("utf-8")
    facts = extract(text, url=url).to_dict()
    record = NoticeRecord(source="govcn", url=url, title=facts["title"], text=text, doc_number=facts["doc_number"],
                          agencies=facts["agencies"], kind=facts["kind"], relevant=True, extraction=facts)
    with db.session() as session, session.begin():
        enqueue(session, derive_events(session, save_notice(session, record), record), record.text)


def mails(smtp: SmtpServer, address: str) -> tuple[object, object]:  # noqa: F811
    """(zone-batch mail, tax mail) of one subscriber: concurrent sends arrive in any order."""
    received = smtp.to(address)
    assert len(received) == 2
    batch = next(m for m in received if "24" in payload_of(m)["text/plain"].split("==")[1])
    return batch, next(m for m in received if m is not batch)


def test_an_english_subscriber_gets_sentences_for_a_zone_batch_and_a_limit_change(
        env: Database, smtp: SmtpServer, receiver: WebhookReceiver, cli) -> None:  # noqa: F811
    subscribe(env, receiver, "brand", lang="en")
    subscribe(env, receiver, "desk", lang="both")
    subscribe(env, receiver, "bureau")  # the default: Chinese, as before
    store_file(env, BATCH_2019, "https://www.gov.cn/zhengce/content/2019-12/24/content_5463595.htm")
    store_file(env, TAX_2018, "https://www.gov.cn/xinwen/2018-11/30/content_5344768.htm")
    report = Dispatcher(env, get_alert_settings()).run_once()
    assert not report.dead and not report.retrying

    batch, tax = mails(smtp, "brand@example.com")
    assert batch["Subject"].startswith(f"[cbecwatch] Pilot places (+1 more): {BATCH_EN[:60]}")
    text = payload_of(batch)["text/plain"]
    assert BATCH_EN in text and "Hunchun (珲春市)" in text and "Chinese title only" in text
    assert BATCH_ZH not in text and "发文字号" not in text and "zones_added" not in text
    assert "Rule changed" in tax["Subject"] and LIMIT_EN in tax["Subject"]
    tax_text = payload_of(tax)["text/plain"]
    assert LIMIT_EN in tax_text and "Annual transaction limit raised from ¥20,000 to ¥26,000" in tax_text
    assert "General Administration of Customs (GACC)" in tax_text and "=5000" not in tax_text
    assert BATCH_EN in payload_of(batch)["text/html"]

    both = payload_of(mails(smtp, "desk@example.com")[0])["text/plain"]
    assert BATCH_ZH in both and BATCH_EN in both
    chinese = mails(smtp, "bureau@example.com")
    assert chinese[0]["Subject"].startswith("[cbecwatch] 新增试点地区")
    assert BATCH_ZH in payload_of(chinese[0])["text/plain"] and BATCH_EN not in payload_of(chinese[0])["text/plain"]
    assert LIMIT_ZH in payload_of(chinese[1])["text/plain"]

    hooks = receiver.ok("brand")
    assert len(hooks) == 2 and all(h.verified for h in hooks)
    events = [e for h in hooks for e in h.payload["events"]]
    places = next(e for e in events if e["kind"] == "pilot_places")
    assert places["summary"] == {"zh": BATCH_ZH, "en": places["summary"]["en"]}
    assert places["summary"]["en"].startswith(BATCH_EN)
    assert len(places["places"]) == 24 and all(p["name_en"] for p in places["places"])
    assert places["places"][0] | {} == {**places["places"][0], "name": "石家庄市", "name_en": "Shijiazhuang",
                                        "province_en": "Hebei Province"}
    # the payload's existing fields stay as they were
    assert {"id", "kind", "title", "url", "doc_number", "cities", "notice", "program"} <= set(places)
    assert places["notice"]["facts"]["cities"][4]["name_en"] == "Hunchun"
    changed = next(e for e in events if e["kind"] == "figure_changed")
    assert changed["summary"]["en"].startswith(LIMIT_EN) and changed["summary"]["zh"].startswith(LIMIT_ZH)

    told = cli("events", "--lang", "en")  # the command line tells the same sentences
    assert told.returncode == 0 and BATCH_EN in told.stdout and LIMIT_EN in told.stdout


def test_lang_from_the_command_line_and_the_subscribers_file(cli, tmp_path: Path) -> None:
    assert cli("subscribers", "add", "ann", "--email", "ann@example.com", "--lang", "en").returncode == 0
    listed = json.loads(cli("subscribers", "list", "--json").stdout)
    assert [(s["name"], s["lang"]) for s in listed] == [("ann", "en")]
    bad = cli("subscribers", "add", "bob", "--email", "bob@example.com", "--lang", "fr")
    assert bad.returncode == 2 and "invalid choice: 'fr'" in bad.stderr
    file = tmp_path / "subscribers.toml"
    file.write_text('[[subscriber]]\nname = "desk"\nemail = "desk@example.com"\nlang = "both"\n', "utf-8")
    assert cli("subscribers", "load", str(file)).returncode == 0
    listed = {s["name"]: s["lang"] for s in json.loads(cli("subscribers", "list", "--json").stdout)}
    assert listed == {"ann": "en", "desk": "both"}
    file.write_text('[[subscriber]]\nname = "desk"\nemail = "desk@example.com"\nlang = "english"\n', "utf-8")
    refused = cli("subscribers", "load", str(file))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"cbecwatch: {file}: subscriber 'desk': lang must be zh, en or both, got 'english'"]  # names the file


def test_notices_show_and_zones_give_english_names_beside_places(env: Database, cli) -> None:  # noqa: F811
    store_file(env, BATCH_2019, "https://www.gov.cn/zhengce/content/2019-12/24/content_5463595.htm")
    assert cli("reparse").returncode == 0  # rebuilds the pilot-zone registry from the stored facts
    [notice] = json.loads(cli("notices", "--json").stdout)
    assert [p["name_en"] for p in notice["places"]][:3] == ["Shijiazhuang", "Taiyuan", "Chifeng"]
    assert notice["places"][2]["province_en"] == "Inner Mongolia Autonomous Region"
    shown = json.loads(cli("show", str(notice["id"]), "--json").stdout)
    assert shown["places"][4]["name_en"] == "Hunchun"
    assert {f["name_en"] for f in shown["versions"][0]["facts"] if f["kind"] == "city"} >= {"Suifenhe", "Haidong"}
    assert "Chifeng (赤峰市) (Inner Mongolia Autonomous Region (内蒙古自治区)" in cli(
        "show", str(notice["id"]), "--lang", "both").stdout
    # the registry ships every batch; the 2019 one is batch 4
    zones = [z for z in json.loads(cli("zones", "--json").stdout) if z["doc_number"] == "国函〔2019〕137号"]
    assert len(zones) == 24 and {z["name_en"] for z in zones} >= {"Hunchun", "Chifeng", "Yinchuan"}
    assert all(z["province_en"] for z in json.loads(cli("zones", "--json").stdout))
    batches = json.loads(cli("zones", "--batches", "--json").stdout)
    batch4 = next(b for b in batches if b["doc_number"] == "国函〔2019〕137号")
    assert batch4["added_en"][:2] == ["Shijiazhuang", "Taiyuan"]
    english = cli("zones", "--batches", "--lang", "en").stdout
    assert "cross-border e-commerce comprehensive pilot zone batch 4" in english and "Hunchun, " in english
