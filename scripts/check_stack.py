"""Validate the container stack without a Docker engine: compose.yaml and the Dockerfile carry what
the deployment needs (CI runs this when `docker info` fails; with an engine it builds the image).

    python scripts/check_stack.py [--root DIR]     # exit 1 with one line per problem
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

PG_DATA = "/var/lib/postgresql/data"


def compose_problems(compose: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    services = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())
    for name in ("db", "daemon", "web"):
        if name not in services:
            problems.append(f"compose.yaml: no service {name!r}")
    db = services.get("db") or {}
    if not str(db.get("image", "")).startswith("postgres:15"):
        problems.append(f"compose.yaml: service db must run image postgres:15…, got {db.get('image')!r}")
    if not (db.get("healthcheck") or {}).get("test"):
        problems.append("compose.yaml: service db has no healthcheck")
    mounts = [str(v) for v in db.get("volumes") or []]
    if not any(m.split(":")[0] in declared_volumes and m.split(":")[1:2] == [PG_DATA] for m in mounts):
        problems.append(f"compose.yaml: service db keeps {PG_DATA} on no named (persistent) volume")
    for name, service in services.items():
        for mount in service.get("volumes") or []:
            source = str(mount).split(":")[0]
            if not source.startswith((".", "/", "~")) and source not in declared_volumes:
                problems.append(f"compose.yaml: service {name} mounts undeclared volume {source!r}")
    for name in ("daemon", "web"):
        service = services.get(name) or {}
        if not (service.get("image") or service.get("build")):
            problems.append(f"compose.yaml: service {name} has neither image nor build")
        condition = ((service.get("depends_on") or {}).get("db") or {}).get("condition")
        if condition != "service_healthy":
            problems.append(f"compose.yaml: service {name} must wait for db to be healthy (depends_on.db.condition)")
        url = str((service.get("environment") or {}).get("CBECWATCH_DATABASE_URL", ""))
        if not url.startswith("postgresql") or "@db:" not in url:
            problems.append(f"compose.yaml: service {name} does not point CBECWATCH_DATABASE_URL at the db service")
    if (services.get("daemon") or {}).get("command", [None])[0] != "daemon":
        problems.append("compose.yaml: service daemon does not run `cbecwatch daemon`")
    web_command = [str(part) for part in (services.get("web") or {}).get("command") or []]
    if web_command[:1] != ["serve"] or "0.0.0.0" not in web_command:
        problems.append("compose.yaml: service web does not run `cbecwatch serve --host 0.0.0.0`")
    if not ((services.get("web") or {}).get("healthcheck") or {}).get("test"):
        problems.append("compose.yaml: service web has no healthcheck")
    return problems


def dockerfile_problems(text: str) -> list[str]:
    problems: list[str] = []
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    froms = [line.split()[1] for line in lines if line.upper().startswith("FROM ")]
    if not froms or not froms[-1].startswith("python:3.11-slim-bookworm"):
        problems.append(f"Dockerfile: the image must be FROM python:3.11-slim-bookworm, got {froms}")
    if not any(re.fullmatch(r"ARG WITH_CHROMIUM(=0)?", line) for line in lines):
        problems.append("Dockerfile: no build argument WITH_CHROMIUM (default 0)")
    if not re.search(r"apt-get install[^\n]*\bchromium\b", text):
        problems.append("Dockerfile: WITH_CHROMIUM=1 does not install Debian's chromium")
    users = [line.split()[1] for line in lines if line.upper().startswith("USER ")]
    if not users or users[-1] in {"root", "0", "0:0"}:
        problems.append("Dockerfile: the image must run as a non-root USER")
    if not any(line.upper().startswith("ENTRYPOINT") and "cbecwatch" in line for line in lines):
        problems.append("Dockerfile: ENTRYPOINT is not the cbecwatch command")
    return problems


def stack_problems(root: Path) -> list[str]:
    problems: list[str] = []
    compose_file, dockerfile = root / "compose.yaml", root / "Dockerfile"
    for path in (compose_file, dockerfile, root / ".dockerignore"):
        if not path.is_file():
            problems.append(f"{path.name}: missing")
    if compose_file.is_file():
        try:
            compose = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            return [f"compose.yaml: not YAML: {exc}".splitlines()[0]]
        problems += compose_problems(compose if isinstance(compose, dict) else {})
    if dockerfile.is_file():
        problems += dockerfile_problems(dockerfile.read_text(encoding="utf-8"))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    problems = stack_problems(parser.parse_args().root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("compose.yaml and Dockerfile: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
