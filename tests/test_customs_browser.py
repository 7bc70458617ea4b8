"""The optional browser fetch for customs: plain HTTP meets the 412 cookie challenge, headless
Chromium (scrapy-playwright) runs it and gets the notices. Runs only where Chromium and
scrapy-playwright are installed (``apt-get install chromium``; ``pip install 'cbecwatch[browser]'``)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import MirrorServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("scrapy_playwright") is None, reason="scrapy-playwright missing"),
    pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                       reason="Chromium missing (apt-get install chromium)"),
]


def customs(cli: Any) -> dict[str, Any]:
    return next(row for row in json.loads(cli("sources", "--json").stdout) if row["name"] == "customs")


def test_the_browser_gets_through_the_cookie_challenge_that_blocks_plain_http(
        cli: Any, mirror: MirrorServer, mirror_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (mirror_root / "customs" / "site.json").write_text('{"challenge": "jsl"}', "utf-8")
    monkeypatch.setenv("CBECWATCH_DOWNLOAD_TIMEOUT", "20")

    cli("crawl", "--mirror", mirror.url, "--source", "customs")
    row = customs(cli)
    assert row["status"] == "blocked"
    assert "HTTP 412 (JavaScript cookie challenge)" in row["reason"]

    monkeypatch.setenv("CBECWATCH_CUSTOMS_BROWSER", "1")
    result = cli("crawl", "--mirror", mirror.url, "--source", "customs", timeout=180)
    row = customs(cli)
    assert row["status"] == "ok", (row["reason"], result.stdout, result.stderr)
    assert row["last_run"]["new"] == 4
    challenged = [r for r in mirror.take_requests() if r.status == 412]
    assert challenged  # the browser met the challenge too, and solved it
