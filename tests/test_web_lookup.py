"""Full-text search, the HS-code lookup and the copies of a document in the web app, on a database
filled by real crawls of the mirror (the 2022 positive-list notice there carries its annexes)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from web_support import cli_json


def test_search_page_lists_hits_with_marked_snippets_linking_to_notices(client: TestClient) -> None:
    page = client.get("/search", params={"q": "跨境电子商务综合试验区"})
    assert page.status_code == 200
    assert page.text.count('class="hit"') >= 2
    assert "<mark>" in page.text and "/notices/" in page.text


def test_search_api_ranks_the_numbered_notice_first_and_lists_each_document_once(client: TestClient) -> None:
    body = client.get("/api/v1/notices", params={"q": "财关税〔2018〕49号"}).json()
    assert body["items"], body
    first = body["items"][0]
    assert first["doc_number"] == "财关税〔2018〕49号"
    assert "<mark>" in first["snippet_html"] and {"sources", "places", "score"} <= set(first)
    documents = [row["document_id"] for row in body["items"]]
    assert len(documents) == len(set(documents))
    assert len({copy["source"] for copy in first["sources"]}) >= 2  # one document, several sources


def test_search_pages_by_rank_cursor_without_repeating_a_document(client: TestClient) -> None:
    first = client.get("/api/v1/notices", params={"q": "跨境", "limit": 2}).json()
    assert first["next_cursor"] and first["next_cursor"].startswith("rank~")
    second = client.get("/api/v1/notices", params={"q": "跨境", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert {r["document_id"] for r in first["items"]}.isdisjoint({r["document_id"] for r in second["items"]})
    refused = client.get("/api/v1/notices", params={"q": "跨境", "cursor": "2018-01-01~5"})
    assert refused.status_code == 400 and "rank~N" in refused.text


def test_hostile_search_text_is_escaped_and_finds_nothing_harmful(client: TestClient) -> None:
    page = client.get("/search", params={"q": '<script>alert(1)</script> " OR 1=1 -- NEAR(*)'})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


def test_hs_api_is_the_cli_answer_and_the_page_shows_it(client: TestClient, crawled: tuple[str, Path]) -> None:
    api = client.get("/api/v1/hs/04029100").json()
    assert api["on_list"] is True and api["lines"][0]["since"]["doc_number"]
    assert {k: v for k, v in api.items() if k != "as_of"} == {
        k: v for k, v in cli_json(crawled, "hs", "04029100").items() if k != "as_of"}
    page = client.get("/hs", params={"code": "0402.9100"})
    assert "04029100" in page.text and "在清单内" in page.text
    assert "不在清单内" in client.get("/hs", params={"code": "99999999"}).text
    assert client.get("/api/v1/hs/abc").status_code == 400


def test_notice_page_shows_every_source_copy_of_the_document(client: TestClient) -> None:
    listed = client.get("/api/v1/notices", params={"limit": 500}).json()["items"]
    document = next(r for r in listed if r["doc_number"] == "财关税〔2018〕49号")
    page = client.get(f"/notices/{document['id']}").text
    assert "各来源副本" in page
    for copy in document["sources"]:
        assert f'data-id="{copy["notice_id"]}"' in page and copy["source"] in page
    assert page.count('class="copy') == len(document["sources"]) >= 2
