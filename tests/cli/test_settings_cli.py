"""Settings are checked as a command starts: a bad TOXPLAN_* value ends it with the variable's
name and exit status 2, never a traceback; ``--help`` still works. ``toxplan serve`` hands the
clinic policy (--policy or TOXPLAN_POLICY) to the app it serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toxplan.cli.main import app

runner = CliRunner()
POLICY = "name: Our clinic\nseverity_floors:\n  - {code: DRUG_INTERACTION, severity: critical, reason: we defer}\n"


def toxplan(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **environment}
    command = [sys.executable, "-c", "from toxplan.cli.main import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def test_a_bad_value_stops_the_command_with_its_name() -> None:
    done = toxplan("dilution", "--vial-units", "100", "--diluent-ml", "2.5", TOXPLAN_SESSION_HOURS="twelve")
    assert done.returncode == 2
    assert done.stderr.startswith("toxplan: error: TOXPLAN_SESSION_HOURS: ")
    assert "Traceback" not in done.stderr
    missing = toxplan("kb", "products", TOXPLAN_KNOWLEDGE_DIR="/no/such/folder")
    assert missing.returncode == 2 and "TOXPLAN_KNOWLEDGE_DIR" in missing.stderr


def test_help_needs_no_valid_settings() -> None:
    done = toxplan("serve", "--help", TOXPLAN_SESSION_HOURS="twelve")
    assert done.returncode == 0 and "TOXPLAN_POLICY" in done.stdout


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path) -> dict[str, Any]:
    """What ``toxplan serve`` would hand to uvicorn."""
    import uvicorn  # noqa: PLC0415

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.update(target=target, **options))
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'toxplan.db'}")
    monkeypatch.setenv("TOXPLAN_CACHE_DIR", str(cache))
    return seen


def test_serve_applies_the_policy_of_its_settings(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    monkeypatch.setenv("TOXPLAN_POLICY", str(policy))
    done = runner.invoke(app, ["serve"])
    assert done.exit_code == 0, done.output
    assert served["target"].state.policy.name == "Our clinic"


def test_serve_policy_option_reaches_every_worker(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    monkeypatch.setenv("TOXPLAN_POLICY", "")  # restored after the test: serve sets it for its workers
    done = runner.invoke(app, ["serve", "--policy", str(policy), "--workers", "2"])
    assert done.exit_code == 0, done.output
    assert served["target"] == "toxplan.app:app_from_environment"
    assert os.environ["TOXPLAN_POLICY"] == str(policy.resolve())


def test_serve_refuses_a_broken_policy_before_it_starts(served: dict[str, Any], tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: Lax\nseverity_floors: [{code: CUMULATIVE_DOSE_ABOVE_MAX, severity: info, reason: r}]\n")
    done = runner.invoke(app, ["serve", "--policy", str(policy), "--workers", "2"])
    assert done.exit_code == 3 and "may not lower" in done.stderr
    assert served == {}
    missing = runner.invoke(app, ["serve", "--policy", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "policy" in missing.stderr
