"""The mirror answers like the real sites: JSON API shapes, feeds, detail pages, 304s and faults."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from crawler.mirror.handler import mirror_url
from crawler.mirror.server import MirrorServer


def get(mirror: MirrorServer, url: str, **headers: str) -> httpx.Response:
    return httpx.get(mirror_url(url, mirror.url), headers=headers, timeout=10)


def test_mirror_url_keeps_host_path_and_query() -> None:
    assert (mirror_url("https://sousuo.www.gov.cn/search-gov/data?t=a&p=1", "http://127.0.0.1:9/")
            == "http://127.0.0.1:9/sousuo.www.gov.cn/search-gov/data?t=a&p=1")
    assert mirror_url("http://www.gov.cn", "http://127.0.0.1:9") == "http://127.0.0.1:9/www.gov.cn/"


def test_search_api_has_the_real_shape_and_pages(mirror: MirrorServer) -> None:
    url = "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&q=跨境电子商务&searchfield=title&p=1&n=1"
    data = get(mirror, url).json()
    assert data["code"] == 200
    row = data["searchVO"]["listVO"][0]
    assert set(row) >= {"title", "url", "pcode", "puborg", "pubtimeStr", "ptime"}
    assert "<em>跨境电子商务</em>" in row["title"]
    assert row["pubtimeStr"] == "2020.05.06" and row["url"].startswith("https://www.gov.cn/zhengce/content/")
    assert data["searchVO"]["totalpage"] == 2
    second = get(mirror, url.replace("p=1", "p=2")).json()["searchVO"]["listVO"][0]
    assert second["pcode"] == "国函〔2016〕17号"


def test_search_api_answers_no_hits_with_code_1001(mirror: MirrorServer) -> None:
    data = get(mirror, "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&q=不存在的词&searchfield=title&p=1"
               ).json()
    assert data == {"code": 1001, "msg": "抱歉，没有找到相关结果", "searchVO": {}}


def test_search_api_ignores_q_without_searchfield_as_the_live_one_does(mirror: MirrorServer) -> None:
    # one 2025-26 client reports q is ignored without searchfield (#59695641150): every row comes back
    data = get(mirror, "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&q=不存在的词&p=1").json()
    assert data["code"] == 200 and data["searchVO"]["listVO"]


def test_feed_and_detail_page(mirror: MirrorServer) -> None:
    feed = get(mirror, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json").json()
    assert isinstance(feed, list) and {"TITLE", "URL", "DOCRELPUBTIME"} <= set(feed[0])
    page = get(mirror, feed[0]["URL"])
    assert page.status_code == 200 and "charset=utf-8" in page.headers["content-type"]
    assert 'id="UCAP-CONTENT"' in page.text and "firstpublishedtime" in page.text
    assert "标　　题：" in page.text  # full-width spaces, as on the real site


def test_conditional_requests_get_304(mirror: MirrorServer) -> None:
    url = json.loads(get(mirror, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json").text)[0]["URL"]
    first = get(mirror, url)
    assert "ETag" in first.headers and "Last-Modified" in first.headers
    assert get(mirror, url, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert get(mirror, url, **{"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert get(mirror, url, **{"If-None-Match": '"other"'}).status_code == 200


def test_faults_and_static_files_and_404(mirror: MirrorServer, mirror_root: Path) -> None:
    (mirror_root / "faults.json").write_text(json.dumps({
        "www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json": {
            "status": 412, "body": "<script>document.cookie='__jsl_clearance=1';location.reload()</script>",
            "headers": {"Set-Cookie": "__jsluid_h=abc; path=/"}},
    }))
    blocked = get(mirror, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json")
    assert blocked.status_code == 412 and "__jsluid_h" in blocked.headers["set-cookie"]
    assert "Allow: /zhengce/" in get(mirror, "https://www.gov.cn/robots.txt").text
    assert get(mirror, "https://www.gov.cn/no/such/page.htm").status_code == 404
    logged = mirror.take_requests()
    assert [entry.status for entry in logged] == [412, 200, 404]
    assert logged[0].host == "www.gov.cn"
