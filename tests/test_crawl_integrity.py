"""A crawl never loses a notice and never trusts what it should not: a list page that fails once is
walked again in full, an off-site answer is not stored, a crawl killed by its time-out is a failed run,
and a source that stays quiet too long raises an admin event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import MirrorServer

pytestmark = pytest.mark.slow

GSS_LIST = "/gzdt/zhengcefabu/"
GSS_PAGE_2 = "/gzdt/zhengcefabu/index_1.htm"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBECWATCH_RETRY_BACKOFF", "0.1")


def write_faults(root: Path, faults: dict[str, dict[str, Any]]) -> None:
    (root / "faults.json").write_text(json.dumps(faults, ensure_ascii=False), "utf-8")


def stored_urls(cli: Any, source: str) -> set[str]:
    result = cli("notices", "--source", source, "--json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    return {row["url"] for row in json.loads(result.stdout)}


def mirror_paths(root: Path, site: str) -> set[str]:
    return {n["path"] for n in json.loads((root / site / "notices.json").read_text("utf-8"))}


def test_a_list_page_that_fails_once_is_walked_again_and_its_notices_are_not_lost(
        cli: Any, mirror: MirrorServer, mirror_root: Path) -> None:
    write_faults(mirror_root, {f"gss.mof.gov.cn{GSS_PAGE_2}": {"status": 404, "times": 1}})
    cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    first = stored_urls(cli, "mof_gss")
    expected = mirror_paths(mirror_root, "mof_gss")
    assert 0 < len(first) < len(expected)  # page 2 failed: its notices are missing for now
    mirror.take_requests()

    # The list's page 1 did not change, but the walk was partial: no 304 shortcut, and page 2 is
    # fetched although every row of page 1 is known.
    second = cli("crawl", "--mirror", mirror.url, "--source", "mof_gss")
    assert second.returncode == 0, second.stdout + second.stderr
    lists = [(r.path, r.status) for r in mirror.take_requests() if r.path.startswith(GSS_LIST)]
    assert lists[:2] == [(GSS_LIST, 200), (GSS_PAGE_2, 200)]
    assert {url.split("gss.mof.gov.cn", 1)[1] for url in stored_urls(cli, "mof_gss")} == expected

    # Now the walk completed: its validators are kept and the next run is one 304.
    assert cli("crawl", "--mirror", mirror.url, "--source", "mof_gss").returncode == 0
    lists = [(r.path, r.status) for r in mirror.take_requests() if r.path.startswith(GSS_LIST)]
    assert lists == [(GSS_LIST, 304)]
