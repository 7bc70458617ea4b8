"""Measurement 7: page render p95 of the web app's ``/`` and ``/notices/{id}`` (issue 13).

The app runs as users run it (``cbecwatch serve``, uvicorn, a child process on 127.0.0.1) over a SQLite
database of synthetic notices made by measurement 5's generator (``bench.scale``: the migrated schema,
versions, facts and the place index). One httpx client asks each page N times, interleaved with the
baseline measured in the same run: ``/static/style.css``, a static file through the same server, app
middleware and client — the floor of any request. The value is page p95 / baseline p95; the absolute
milliseconds and the JSON API's p95 for the same listing (``/api/v1/notices``: the query without the
template) are in the note and the details.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import Result, bench_env, failed, median, percentile, tail

PAGES = {"7a": ("/", "page render p95: / (latest 50 with facets)"),
         "7b": ("/notices/{id}", "page render p95: /notices/{id}")}
BASELINE = "/static/style.css"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(client: httpx.Client, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"cbecwatch serve exited: {tail(server.stderr.read() if server.stderr else '')}")
        try:
            if client.get(BASELINE).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("cbecwatch serve did not answer within 60 s")


def _timed(client: httpx.Client, path: str) -> float:
    t0 = time.perf_counter()
    answer = client.get(path)
    seconds = time.perf_counter() - t0
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {answer.status_code}: {answer.text[:200]}")
    return seconds * 1000


def measure(*, quick: bool, count: int | None = None, repeats: int | None = None) -> list[Result]:
    from bench import scale
    from storage.db import open_database

    count = count or (2_000 if quick else 20_000)
    repeats = repeats or (20 if quick else 200)
    with tempfile.TemporaryDirectory(prefix="cbec-bench-web-") as tmp:
        home = Path(tmp)
        db = open_database(f"sqlite:///{home / 'cbecwatch.sqlite3'}")
        try:
            rng = random.Random(13)
            scale._insert(db, count, rng, scale._cities(rng))
        except Exception as exc:
            return [failed(key, name, exc) for key, (_, name) in PAGES.items()]
        finally:
            db.dispose()
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "cbecwatch", "serve", "--port", str(port)],
                                  env=bench_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                _wait_until_up(client, server)
                return _measure(client, count, repeats)
        except Exception as exc:
            return [failed(key, name, exc) for key, (_, name) in PAGES.items()]
        finally:
            server.terminate()
            server.wait(15)


def _measure(client: httpx.Client, count: int, repeats: int) -> list[Result]:
    rng = random.Random(7)
    ids = [rng.randint(1, count) for _ in range(repeats)]
    paths: dict[str, list[str]] = {"7a": ["/"] * repeats, "7b": [f"/notices/{i}" for i in ids],
                                   "api": ["/api/v1/notices"] * repeats, "baseline": [BASELINE] * repeats}
    for batch in paths.values():  # warm-up: templates compiled, caches filled, connection open
        _timed(client, batch[0])
    times: dict[str, list[float]] = {key: [] for key in paths}
    for i in range(repeats):  # interleaved, so a busy moment of the machine hits every series alike
        for key, batch in paths.items():
            times[key].append(_timed(client, batch[i]))
    floor = percentile(times["baseline"], 95)
    details: dict[str, Any] = {"notices": count, "repeats": repeats,
                               **{f"{key}_p95_ms": round(percentile(v, 95), 2) for key, v in times.items()},
                               **{f"{key}_median_ms": round(median(v), 2) for key, v in times.items()}}
    results = []
    for key, (_, name) in PAGES.items():
        p95 = percentile(times[key], 95)
        extra = f"; the JSON API for the same listing {percentile(times['api'], 95):.1f} ms" if key == "7a" else ""
        results.append(Result(key, name, round(p95 / floor, 1), "× baseline",
                              note=f"p95 {p95:.1f} ms (median {median(times[key]):.1f} ms) vs {floor:.1f} ms for "
                                   f"{BASELINE} through the same server, {repeats} requests each, {count:,} "
                                   f"notices{extra}", details=details))
    return results
