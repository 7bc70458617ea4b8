"""The web app's routes through FastAPI's TestClient, on a database filled by real crawls of the mirror."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from web_support import (
    LOOPBACK,
    REPO,
    REVISED_NUMBER,
    cli_json,
    crawl_env,
    crawl_mirror_into,
    make_client,
    revised_notice_id,
    web_settings,
)


def test_api_notices_carry_the_fields_of_notices_json(client: TestClient, crawled) -> None:
    cli_rows = cli_json(crawled, "notices", "--limit", "500")
    api_rows = client.get("/api/v1/notices", params={"limit": 500}).json()["items"]
    assert api_rows == cli_rows  # same rows, same field names, same order
    assert len(api_rows) >= 20 and {"doc_number", "places", "publish_date", "kind"} <= set(api_rows[0])


def test_cursor_pages_cover_the_listing_once_in_order(client: TestClient) -> None:
    everything = [r["id"] for r in client.get("/api/v1/notices", params={"limit": 500}).json()["items"]]
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/notices", params={"limit": 4, **({"cursor": cursor} if cursor else {})}).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_api_filters_are_the_cli_filters(client: TestClient, crawled) -> None:
    for args, params in ((["--kind", "pilot_zone_batch"], {"kind": "pilot_zone_batch"}),
                         (["--city", "杭州"], {"city": "杭州"}), (["--province", "浙江"], {"province": "浙江"}),
                         (["--source", "govcn", "--since", "2016-01-01"], {"source": "govcn", "since": "2016-01-01"})):
        expected = [r["id"] for r in cli_json(crawled, "notices", *args)]
        got = [r["id"] for r in client.get("/api/v1/notices", params=params).json()["items"]]
        assert got == expected and got, args
    relevant = client.get("/api/v1/notices", params={"relevant": True, "limit": 500}).json()["items"]
    assert relevant and all(r["relevant"] for r in relevant)
    window = client.get("/api/v1/notices", params={"since": "2016-01-01", "until": "2016-12-31"}).json()["items"]
    assert window and all("2016-01-01" <= r["publish_date"] <= "2016-12-31" for r in window)


def test_bad_filters_are_refused_with_the_valid_names(client: TestClient) -> None:
    answer = client.get("/api/v1/notices", params={"kind": "tax"})
    assert answer.status_code == 400 and "valid kinds: pilot_zone_batch" in answer.json()["detail"]
    assert "known sources:" in client.get("/api/v1/notices", params={"source": "nosuch"}).json()["detail"]
    assert "unknown city" in client.get("/", params={"city": "不存在市"}).text
    assert client.get("/api/v1/notices", params={"cursor": "yesterday"}).status_code == 400
    assert client.get("/api/v1/notices", params={"since": "2016-13"}).status_code == 422


def test_notice_api_matches_show_json(client: TestClient, crawled) -> None:
    notice_id = revised_notice_id(client)
    assert client.get(f"/api/v1/notices/{notice_id}").json() == cli_json(crawled, "show", str(notice_id))
    assert client.get("/api/v1/notices/999999").status_code == 404


def test_listing_page_shows_facets_and_rows(client: TestClient) -> None:
    page = client.get("/", params={"kind": "pilot_zone_batch"}).text
    assert 'name="source"' in page and 'name="province"' in page and 'name="relevant"' in page
    assert "国函〔2016〕17号" in page and "天津市" in page  # number and designated places of the row
    assert "财关税〔2018〕49号" not in page  # a tax policy is not a pilot-zone batch
    assert "类型 Kind" in page and "文号 Number" in page  # labels in both languages


def test_notice_page_shows_places_figures_and_the_diff(client: TestClient) -> None:
    page = client.get(f"/notices/{revised_notice_id(client)}").text
    assert REVISED_NUMBER in page
    assert "26000 → 30000" in page  # the figure's history, old → new
    assert "<del>26000</del>" in page and "<ins>30000</ins>" in page  # the changed amount, in line
    assert "版本 1 → 2" in page
    zones = client.get("/api/v1/notices", params={"kind": "pilot_zone_batch", "city": "天津"}).json()["items"]
    batch_page = client.get(f"/notices/{zones[0]['id']}").text
    assert "120000" in batch_page and "Tianjin" in batch_page  # adcode and English name beside the place


def test_scraped_text_is_escaped_and_stored_pages_sanitised(crawled, tmp_path: Path) -> None:
    from storage.db import open_database
    from storage.notices import NoticeRecord, save_notice

    url = f"sqlite:///{tmp_path / 'hostile.sqlite3'}"
    db = open_database(url)
    with db.session() as session, session.begin():
        from storage.notices import ensure_source

        ensure_source(session, "govcn", "国务院")
        saved = save_notice(session, NoticeRecord(
            source="govcn", url="https://www.gov.cn/x.htm", title="<script>alert(1)</script>通知", text="正文",
            raw_html=b'<p onclick="steal()">\xe6\xad\xa3\xe6\x96\x87</p><script>steal()</script><img src="https://x/y">',
            raw_encoding="utf-8"))
    with make_client(url, tmp_path) as hostile:
        listing = hostile.get("/").text
        assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
        page = hostile.get(f"/notices/{saved.notice_id}", params={"page": 1}).text
        assert "正文</p>" in page and "steal()" not in page and "onclick" not in page and "<img" not in page


def test_zones_page_has_batches_and_a_map_drawn_offline(client: TestClient) -> None:
    page = client.get("/zones", params={"as_of": "2016-06-30"}).text
    assert '<svg id="zone-map"' in page and "pyecharts" in page and "MIT" in page
    assert page.count('class="city batch-1"') == 1  # 杭州市, the first batch
    assert page.count('class="city batch-2"') == 12  # 天津 … 苏州, the second
    assert 'class="city batch-3"' not in page  # not yet in force on that date
    assert "http://" not in page.split('<svg id="zone-map"')[1].split("</svg>")[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched from elsewhere
    assert client.get("/zones", params={"program": "nope"}).status_code == 400
    import re

    totals = [int(t) for t in re.findall(r'<td class="total">.*?</span> (\d+)</td>', page)]
    assert totals == [1, 13, 35, 59, 105, 132, 165, 178]  # the timeline's running count, batch by batch
    assert "+16 −3" in page  # 2025: 海南全岛 and 15 more, three revoked


def test_retail_zones_page_lists_the_expansions_and_marks_the_2021_rule(client: TestClient) -> None:
    page = client.get("/zones", params={"program": "retail_import", "as_of": "2019-12-31"}).text
    assert "商财发〔2018〕486号" in page and "平潭综合实验区" in page
    assert page.count("(按区域类型 scope by rule)") == 1 and "保税物流中心（B型）" in page  # 商财发〔2021〕39号
    assert "+48 not named by any source found" in page  # 商财发〔2020〕15号: a count without every name
    assert "places in force on 2019-12-31" in page and "named of 88 places" not in page  # not in force yet …
    assert "(共 88 个 · 40 named of 88)" in page  # … but its batch row's running total names both figures
    later = client.get("/zones", params={"program": "retail_import", "as_of": "2020-12-31"}).text
    assert "40 named of 88 places in force on 2020-12-31" in later and "共 88 个 · 40 named" in later
    assert client.get("/api/v1/zones", params={"program": "retail_import"}).json()["batches"][3]["total"] == 88


def test_pages_forbid_scripts_and_foreign_resources(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # so no script may run at all
    assert client.get("/api/docs").status_code == 404  # Swagger UI would load from a CDN


def test_sources_page_and_api_show_every_source(client: TestClient, crawled) -> None:
    rows = client.get("/api/v1/sources").json()["items"]
    assert [r["name"] for r in rows] == [r["name"] for r in cli_json(crawled, "sources")]
    assert all(r["status"] == "ok" and r["quiet_days"] == 0 for r in rows if r["name"] != "customs")
    page = client.get("/sources").text
    assert all(r["name"] in page for r in rows) and "无新通知天数 Quiet days" in page


def test_zones_and_events_api(client: TestClient, crawled) -> None:
    zones = client.get("/api/v1/zones", params={"as_of": "2022-12-31"}).json()
    assert zones["items"] == cli_json(crawled, "zones", "--as-of", "2022-12-31")
    retail = client.get("/api/v1/zones", params={"program": "retail_import"}).json()
    assert retail["items"] and {z["program"] for z in retail["items"]} == {"retail_import"}
    events = client.get("/api/v1/events", params={"limit": 500}).json()["items"]
    assert events and events[0]["kind"]
    later = client.get("/api/v1/events", params={"since": "2999-01-01T00:00:00Z"}).json()["items"]
    assert later == []


@pytest.mark.parametrize("path", ["/feeds/notices.atom", "/feeds/notices.rss"])
def test_atom_and_rss_parse_with_stable_ids_and_official_links(client: TestClient, path: str) -> None:
    parsed = feedparser.parse(client.get(path, params={"kind": "pilot_zone_batch"}).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = parsed.entries
    assert entries and all(e.link.startswith("https://") for e in entries)
    assert all(e.id == e.link for e in entries)  # the official URL: stable across crawls and databases
    first = entries[0]
    assert first.published_parsed and "设立 designated" in first.summary
    if path.endswith(".atom"):  # RSS 2.0 has no updated time
        assert "updated" in first
    again = feedparser.parse(client.get(path, params={"kind": "pilot_zone_batch"}).content)
    assert [e.id for e in again.entries] == [e.id for e in entries]


def test_json_feed_is_version_1_1(client: TestClient) -> None:
    answer = client.get("/feeds/notices.json", params={"source": "govcn"})
    assert answer.headers["content-type"].startswith("application/feed+json")
    feed = answer.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["items"]
    assert all(item["id"] == item["url"] and item["date_published"] for item in feed["items"])
    # feedparser 6 reads no JSON Feed, so the spec's required members are checked here: a title, and per
    # item a string id, content_text or content_html, and RFC 3339 dates
    assert isinstance(feed["title"], str) and feed["feed_url"].endswith("/feeds/notices.json?source=govcn")
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["content_text"] and item["url"].startswith("https://")
        assert dt.datetime.fromisoformat(item["date_published"]).tzinfo is not None
        assert dt.datetime.fromisoformat(item["date_modified"]).tzinfo is not None
    atom = feedparser.parse(client.get("/feeds/notices.atom", params={"source": "govcn"}).content)
    assert [item["id"] for item in feed["items"]] == [e.id for e in atom.entries]  # the same entries


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/notices", "/api/v1/notices/{notice_id}", "/api/v1/zones", "/api/v1/sources",
                 "/api/v1/events", "/feeds/notices.atom", "/healthz", "/metrics"):
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/api/v1/notices"]["get"]["parameters"]}
    assert {"source", "kind", "province", "city", "since", "until", "relevant", "limit", "cursor"} <= names


def test_other_hosts_need_the_token(crawled) -> None:
    url, workdir = crawled
    from cbecwatch.web import create_app
    from storage.db import open_database

    closed = TestClient(create_app(web_settings(url, workdir), database=open_database(url)),
                        client=("192.0.2.7", 4000))
    assert closed.get("/").status_code == 403
    app = create_app(web_settings(url, workdir, web_token="s3cret"), database=open_database(url))
    remote = TestClient(app, client=("192.0.2.7", 4000))
    assert remote.get("/api/v1/notices").status_code == 401
    assert remote.get("/api/v1/notices", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert remote.get("/api/v1/notices", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert remote.get("/", params={"token": "s3cret"}).status_code == 200
    assert remote.get("/zones").status_code == 200  # the ?token= link left a cookie for the next pages
    remote.cookies.clear()
    assert remote.get("/zones").status_code == 401
    assert TestClient(app, client=LOOPBACK).get("/").status_code == 200  # loopback needs none


def test_healthz_and_status_agree_and_fail_on_a_stale_heartbeat(client: TestClient, crawled) -> None:
    import datetime as dt

    from storage.db import open_database
    from storage.models_alerts import DaemonState
    from storage.types import utcnow

    url, workdir = crawled
    assert client.get("/healthz").status_code == 200
    env = crawl_env(workdir / "home", url)
    ok = subprocess.run([sys.executable, "-m", "cbecwatch", "status"], capture_output=True, text=True, env=env,
                        cwd=REPO, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("healthy"), ok.stdout + ok.stderr
    db = open_database(url)
    old = utcnow() - dt.timedelta(hours=1)
    with db.session() as session, session.begin():
        session.add(DaemonState(name="daemon", pid=1, host="h", started_at=old, beat_at=old, info={"pending": 2}))
    try:
        answer = client.get("/healthz")
        assert answer.status_code == 503 and "heartbeat" in answer.json()["problems"][0]
        assert answer.json()["daemon"]["queue"]["pending"] == 2
        stale = subprocess.run([sys.executable, "-m", "cbecwatch", "status", "--json"], capture_output=True,
                               text=True, env=env, cwd=REPO, timeout=120)
        assert stale.returncode == 1
        reported = json.loads(stale.stdout)
        assert reported["healthy"] is False and reported["daemon"]["stale"] and reported["daemon"]["pid"] == 1
    finally:
        with db.session() as session, session.begin():
            session.query(DaemonState).delete()
    assert client.get("/healthz").status_code == 200


def test_healthz_fails_while_a_source_is_broken(client: TestClient, crawled) -> None:
    from storage.db import open_database
    from storage.models import Source

    db = open_database(crawled[0])
    with db.session() as session, session.begin():
        source = session.get(Source, "mof_gss")
        before = (source.status, source.status_reason)
        source.status, source.status_reason = "broken", "HTTP 404 on the list page, 3 runs in a row"
    try:
        answer = client.get("/healthz")
        assert answer.status_code == 503
        assert answer.json()["problems"] == ["source mof_gss is broken: HTTP 404 on the list page, 3 runs in a row"]
        assert {"name": "mof_gss", "status": "broken"}.items() <= next(
            s for s in answer.json()["sources"] if s["name"] == "mof_gss").items()
    finally:
        with db.session() as session, session.begin():
            source = session.get(Source, "mof_gss")
            source.status, source.status_reason = before
    assert client.get("/healthz").status_code == 200


def test_metrics_in_prometheus_text_format(client: TestClient) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    client.get("/")
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    assert {"cbecwatch_crawl_runs", "cbecwatch_notices", "cbecwatch_deliveries", "cbecwatch_delivery_queue_depth",
            "cbecwatch_web_requests"} <= set(families)
    listed = client.get("/api/v1/notices", params={"limit": 500}).json()["items"]
    documents = families["cbecwatch_documents"].samples[0].value
    assert documents == len(listed)
    copies = sum(s.value for s in families["cbecwatch_notices"].samples)
    assert copies == sum(len(row["sources"]) for row in listed) > documents
    assert any(s.labels.get("route") == "/" for s in families["cbecwatch_web_requests"].samples)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # the module's other tests run on SQLite
def test_pages_and_api_answer_on_postgresql(database_url: str, tmp_path: Path) -> None:
    crawl_mirror_into(database_url, tmp_path)
    with make_client(database_url, tmp_path) as pg:
        rows = pg.get("/api/v1/notices", params={"limit": 500}).json()["items"]
        assert len(rows) >= 20
        pages = pg.get("/api/v1/notices", params={"limit": 5}).json()
        assert pages["next_cursor"] and len(pages["items"]) == 5
        for path in ("/", "/?province=浙江&relevant=1", f"/notices/{revised_notice_id(pg)}", "/zones", "/sources",
                     "/feeds/notices.atom", "/metrics"):
            assert pg.get(path).status_code == 200, path
        assert "26000 → 30000" in pg.get(f"/notices/{revised_notice_id(pg)}").text


@pytest.mark.slow
def test_daemon_web_serves_beside_the_daemon_and_stops_with_it(app_home: Path, mirror, monkeypatch) -> None:
    import signal
    import socket
    import time

    import httpx

    monkeypatch.setenv("CBECWATCH_CRAWL_SCHEDULE", "interval:3600")
    monkeypatch.setenv("CBECWATCH_CRAWL_JITTER", "0")  # the first crawl at once
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen([sys.executable, "-m", "cbecwatch", "daemon", "--web", f"127.0.0.1:{port}", "--source",
                               "govcn", "--mirror", mirror.url], cwd=REPO, env=dict(os.environ),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, items = time.monotonic() + 120, []
        while time.monotonic() < deadline and not items:
            with contextlib.suppress(httpx.TransportError):
                items = httpx.get(f"http://127.0.0.1:{port}/api/v1/notices", timeout=5).json()["items"]
            time.sleep(0.3)
        assert items, "the web app did not show the daemon's first crawl"
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert health["daemon"]["pid"] == daemon.pid and not health["daemon"]["stale"]
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, log = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, log[-2000:]
    assert "web app: started on http://127.0.0.1" in log
    with pytest.raises(httpx.TransportError):  # stopped with the daemon
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_demo_ends_with_the_command_that_opens_the_dashboard(cli, app_home: Path) -> None:
    import shlex
    import socket
    import time

    import httpx

    demo = cli("demo", timeout=300)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    last = demo.stdout.strip().splitlines()[-1]
    assert last.startswith("open the dashboard on this data: ")
    words = shlex.split(last.split(": ", 1)[1].split("  (then")[0])
    env = dict(os.environ)
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*words, "--port", str(port)], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline, page = time.monotonic() + 60, None
        while time.monotonic() < deadline and page is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200
        assert "国函〔2016〕17号" in page.text  # the crawled mirror, not an empty database
    finally:
        server.terminate()
        server.wait(15)
