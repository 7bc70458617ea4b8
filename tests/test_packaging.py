"""The deployment files: compose.yaml, the Dockerfile, the systemd units and the Makefile's two installs.
There is no Docker engine in CI, so the stack is checked by reading the files (scripts/check_stack.py)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CHECK = [sys.executable, str(REPO / "scripts" / "check_stack.py")]


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CHECK, "--root", str(root)], capture_output=True, text=True, timeout=60)


def copy_stack(tmp_path: Path) -> Path:
    for name in ("compose.yaml", "Dockerfile", ".dockerignore"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def test_the_shipped_compose_file_and_dockerfile_pass_the_stack_check() -> None:
    result = check(REPO)
    assert result.returncode == 0, result.stderr
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    assert {"db", "migrate", "daemon", "web"} <= set(compose["services"])
    assert compose["services"]["db"]["image"].startswith("postgres:15")
    assert "pgdata" in compose["volumes"]
    assert compose["services"]["web"]["command"][:1] == ["serve"]
    # The crawl node is opt-in: `docker compose up` alone does not start it.
    assert compose["services"]["scrapyd"]["profiles"] == ["scrapyd"]
    assert compose["services"]["scrapyd"]["entrypoint"] == ["scrapyd"]
    conf = configparser.ConfigParser()
    conf.read(REPO / "deploy" / "scrapyd" / "scrapyd.conf", encoding="utf-8")
    assert conf["scrapyd"]["bind_address"] == "0.0.0.0" and conf["scrapyd"]["eggs_dir"].startswith("/data/")


def test_a_database_without_a_persistent_volume_or_healthcheck_is_refused(tmp_path: Path) -> None:
    root = copy_stack(tmp_path)
    compose = yaml.safe_load((root / "compose.yaml").read_text(encoding="utf-8"))
    del compose["services"]["db"]["volumes"]
    del compose["services"]["db"]["healthcheck"]
    (root / "compose.yaml").write_text(yaml.safe_dump(compose), encoding="utf-8")
    result = check(root)
    assert result.returncode == 1
    assert "no named (persistent) volume" in result.stderr
    assert "service db has no healthcheck" in result.stderr


def test_an_image_running_as_root_is_refused(tmp_path: Path) -> None:
    root = copy_stack(tmp_path)
    dockerfile = (root / "Dockerfile").read_text(encoding="utf-8").replace("USER cbecwatch", "USER root")
    (root / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    result = check(root)
    assert result.returncode == 1
    assert "non-root USER" in result.stderr


def test_the_image_installs_chromium_only_when_asked() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG WITH_CHROMIUM=0" in dockerfile
    assert 'if [ "$WITH_CHROMIUM" = "1" ]' in dockerfile
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests"} <= set(ignored)


@pytest.mark.parametrize("unit", ["cbecwatch.service", "cbecwatch-web.service"])
def test_systemd_units_run_unprivileged_from_the_documented_paths(unit: str) -> None:
    path = REPO / "deploy" / "systemd" / unit
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    service = parser["Service"]
    assert service["User"] == "cbecwatch"
    assert service["EnvironmentFile"] == "/etc/cbecwatch/cbecwatch.env"
    assert service["ExecStart"].startswith("/opt/cbecwatch/.venv/bin/cbecwatch ")
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    if unit == "cbecwatch.service":
        assert service["ExecStart"].endswith(" daemon")
        assert service["KillMode"] == "mixed"  # the daemon stops its own crawl children first
    if shutil.which("systemd-analyze"):
        verify = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True,
                                timeout=60)
        # The venv is not installed on the test machine; anything else systemd objects to is a defect.
        complaints = [line for line in verify.stderr.splitlines()
                      if line.strip() and "is not executable" not in line]
        assert not complaints, complaints


def test_make_run_installs_runtime_dependencies_only_and_make_test_the_test_extra(tmp_path: Path) -> None:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"

    def dry_run(target: str) -> str:
        return subprocess.run(["make", "-n", target, f"VENV={venv}"], cwd=REPO, capture_output=True, text=True,
                              check=True, timeout=60).stdout

    run, test = dry_run("run"), dry_run("test")
    assert "pip install --quiet -e '.[postgres]'" in run and "[test" not in run
    assert "pip install --quiet -e '.[test,postgres]'" in test
    assert f"{venv}/.installed-run" in run and f"{venv}/.installed-test" in test
