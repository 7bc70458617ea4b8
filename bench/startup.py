"""Measurement 6: ``cbecwatch --help`` wall time against ``python -c pass``, and what it imports.

Both are timed as whole processes, interleaved, N runs each; the value is the ratio of the medians (the
interpreter's own start-up is the unit, so the number travels between machines). Separately, one process
builds the parser and prints the help, then reports which heavy modules it imported: the CLI's imports are
lazy, so none of Scrapy, Twisted, SQLAlchemy, Alembic or jieba may be loaded for ``--help``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.common import Result, bench_env, failed, median, percentile, run_timed, tail

HEAVY = ("scrapy", "twisted", "sqlalchemy", "alembic", "jieba", "lxml", "apscheduler", "httpx", "jinja2", "pydantic",
         "pypinyin")
PROBE = (
    "import contextlib, io, json, sys\n"
    "from cbecwatch.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main(['--help'])\n"
    f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
)


def measure(*, quick: bool, runs: int | None = None) -> list[Result]:
    runs = runs or (3 if quick else 15)
    env = bench_env()
    script = Path(sys.executable).with_name("cbecwatch")
    help_cmd = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "cbecwatch", "--help"]
    try:
        for cmd in (help_cmd, [sys.executable, "-c", "pass"]):  # warm the OS file cache once
            run_timed(cmd, env, timeout=60)
        helps, bases = [], []
        for _ in range(runs):
            done = run_timed(help_cmd, env, timeout=60)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(help_cmd)} failed: {tail(done.stderr)}")
            helps.append(done.seconds)
            bases.append(run_timed([sys.executable, "-c", "pass"], env, timeout=60).seconds)
        probe = run_timed([sys.executable, "-c", PROBE], env, timeout=60)
        heavy = json.loads(probe.stdout.strip().splitlines()[-1]) if probe.returncode == 0 else None
    except Exception as exc:
        return [failed("6", "start-up: cbecwatch --help / python -c pass", exc)]
    ratio = median(helps) / median(bases)
    details = {"runs": runs, "command": help_cmd, "help_ms": sorted(round(s * 1000, 1) for s in helps),
               "python_pass_ms": sorted(round(s * 1000, 1) for s in bases),
               "help_p90_ms": round(percentile(helps, 90) * 1000, 1), "heavy_modules_imported": heavy}
    return [
        Result("6", "start-up: cbecwatch --help / python -c pass", round(ratio, 2), "×",
               note=f"median {median(helps) * 1000:.0f} ms vs {median(bases) * 1000:.0f} ms over {runs} runs each "
                    f"(`{Path(help_cmd[0]).name}{' ' + ' '.join(help_cmd[1:])}`)", details=details),
        Result("6b", "start-up: heavy modules imported by --help", ", ".join(heavy) if heavy else
               ("none" if heavy == [] else "probe failed"), "", "none (lazy imports)", heavy == [],
               note=f"checked: {', '.join(HEAVY)}" if heavy is not None else tail(probe.stderr)),
    ]
