"""``cbecwatch snapshot`` and the mirror's replay: a crawl recorded from the mirror, served back, crawled again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawler.mirror import recorded
from crawler.mirror.server import MirrorServer

pytestmark = pytest.mark.slow
SOURCES = ("mof_gss", "mofcom", "zj_fgw")  # GBK TRS pages, a JSON API with a query, a declared Hanweb source


def stored(cli: Any, source: str) -> set[tuple[str, str, str]]:
    result = cli("notices", "--json", "--source", source)
    assert result.returncode == 0, result.stderr
    return {(n["url"], n["title"], n["publish_date"]) for n in json.loads(result.stdout)}


def snapshot_notices(out: Path, source: str) -> set[tuple[str, str, str]]:
    manifest = json.loads((out / "recorded" / "_snapshots" / f"{source}.json").read_text("utf-8"))
    assert manifest["status"] == "ok", manifest
    return {(n["url"], n["title"], n["publish_date"]) for n in manifest["notices"]}


def test_a_snapshot_served_in_replay_mode_crawls_to_the_same_notices(
        cli: Any, mirror_root: Path, tmp_path: Path) -> None:
    # the list page answers with a redirect, which the snapshot must keep as a redirect
    (mirror_root / "faults.json").write_text(json.dumps({"gss.mof.gov.cn/gzdt/zhengcefabu/": {
        "status": 301, "headers": {"Location": "https://gss.mof.gov.cn/gzdt/zhengcefabu/index.htm"}}}), "utf-8")
    out = tmp_path / "snapshot"
    with MirrorServer(mirror_root) as live:
        args = [arg for source in SOURCES for arg in ("--source", source)]
        result = cli("snapshot", *args, "--out", str(out), "--mirror", live.url)
        assert result.returncode == 0, result.stdout + result.stderr
    gss = json.loads((out / "recorded" / "gss.mof.gov.cn" / recorded.MANIFEST).read_text("utf-8"))
    assert gss["GET /gzdt/zhengcefabu/"]["status"] == 301
    list_page = gss["GET /gzdt/zhengcefabu/index.htm"]
    assert "charset=gbk" in (out / "recorded" / "gss.mof.gov.cn" / list_page["body"]).read_bytes().decode("gbk")
    assert any(key.startswith("GET /robots.txt") for key in gss)

    # a fresh database, and a mirror that answers from the snapshot only
    with MirrorServer(out, replay=True) as replay:
        crawl = cli("crawl", *args, "--mirror", replay.url)
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        answered = replay.take_requests()
    assert answered and all(r.status in (200, 301) for r in answered), [r for r in answered if r.status >= 400]
    for source in SOURCES:
        expected = snapshot_notices(out, source)
        assert expected and stored(cli, source) == expected, source


def test_limit_keeps_at_most_n_detail_pages_and_the_source_ok(cli: Any, mirror: MirrorServer, tmp_path: Path) -> None:
    out = tmp_path / "limited"
    result = cli("snapshot", "--source", "mof_gss", "--limit", "2", "--out", str(out), "--mirror", mirror.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(snapshot_notices(out, "mof_gss")) == 2
    details = [r for r in mirror.take_requests() if "/t20" in r.path]
    assert len(details) == 2


def test_replay_matches_queries_in_any_order_heads_and_conditional_requests(tmp_path: Path) -> None:
    # SYNTHETIC recorded response, written by the test
    key = recorded.request_key("GET", "/api/list", recorded.canonical_query({"b": "2", "a": "1"}))
    (tmp_path / "recorded" / "example.gov.cn").mkdir(parents=True)
    (tmp_path / "recorded" / "example.gov.cn" / "x-list").write_bytes(b'{"rows": []}')
    recorded.save(tmp_path, "example.gov.cn", {key: {
        "url": "https://example.gov.cn/api/list?b=2&a=1", "status": 200, "body": "x-list",
        "headers": [["Content-Type", "application/json"], ["Set-Cookie", "s=1; path=/"], ["ETag", '"real"']]}})
    with MirrorServer(tmp_path, replay=True) as server, httpx.Client(base_url=server.url) as client:
        first = client.get("/example.gov.cn/api/list?a=1&b=2")
        assert first.status_code == 200 and first.json() == {"rows": []}
        assert first.headers["content-type"] == "application/json" and first.headers["set-cookie"] == "s=1; path=/"
        again = client.get("/example.gov.cn/api/list?b=2&a=1", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert client.head("/example.gov.cn/api/list?a=1&b=2").status_code == 200
        assert client.get("/example.gov.cn/api/list?a=1").status_code == 404  # not recorded: no emulator guesses


def test_replay_needs_a_snapshot_directory(cli: Any, tmp_path: Path) -> None:
    result = cli("mirror", "--replay", "--root", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == ("cbecwatch: --replay needs --root DIR, a directory with the recorded/ "
                                     "responses of a snapshot")
