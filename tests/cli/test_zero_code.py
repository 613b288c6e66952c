"""Data, not code: a new indication in a new region with its own sites, and a ready-to-use
(liquid) product, added to a copy of the knowledge base as YAML only, work in every command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import KNOWLEDGE
from tests.fixtures.knowledge import ZERO_CODE, overlay
from toxplan.cli.main import app

runner = CliRunner()
PRODUCT = "EXAMPLA"
TEMPLE = [{"indication": "temple_lines", "site": f"temple_point_{side}", "units": 4} for side in ("left", "right")]


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return overlay(KNOWLEDGE, ZERO_CODE, tmp_path_factory.mktemp("zero_code") / "knowledge")


@pytest.fixture(autouse=True)
def _use(knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOXPLAN_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("TOXPLAN_CACHE_DIR", str(tmp_path / "cache"))


def run_json(*args: str, stdin: str | None = None) -> tuple[int, Any]:
    result = runner.invoke(app, [*args, "--format", "json"], input=stdin)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else result.output


def check(treatment: dict[str, Any]) -> tuple[int, Any]:
    body = {
        "date": "2026-11-25",
        "patient": {"birth_date": "1985-04-02", "weight_kg": 60, "pregnant": False, "breastfeeding": False},
        "treatment": {"product": PRODUCT, "injections": TEMPLE, **treatment},
    }
    return run_json("check", "-", stdin=json.dumps(body))


def test_the_knowledge_base_validates_with_the_additions(knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["kb", "validate", "--directory", str(knowledge_dir)])
    assert result.exit_code == 0, result.output


def test_kb_lists_the_region_indication_sites_and_solution() -> None:
    _, indications = run_json("kb", "indications")
    temple = next(i for i in indications if i["id"] == "temple_lines")
    assert temple["region"] == "temple"
    assert temple["on_label_products"] == ["examplabotulinumtoxina"]
    _, products = run_json("kb", "products")
    exampla = next(p for p in products if p["id"] == "examplabotulinumtoxina")
    assert exampla["presentation"] == "solution" and exampla["units_per_ml"] == 100
    assert exampla["reconstitution"] == []
    _, sites = run_json("kb", "sites", "--indication", "temple_lines")
    assert {s["id"] for s in sites} == {"temple_point_left", "temple_point_right"}
    assert sites[0]["position"]["view"] == "front"


def test_plan_uses_the_fixed_concentration_and_asks_for_no_saline() -> None:
    code, plan = run_json("plan", "--product", PRODUCT, "--indication", "temple_lines")
    assert code == 0, plan
    assert plan["dilution"] == {
        "vial_units": 50,
        "diluent_ml": None,
        "units_per_0_1_ml": 10,
        "source": "ready-to-use solution, label concentration",
        "ready_to_use": True,
    }
    assert [i["site"] for i in plan["injections"]] == ["temple_point_left", "temple_point_right"]
    assert [i["volume_ml"] for i in plan["injections"]] == [0.04, 0.04]
    assert plan["totals"]["units"] == 8 and plan["totals"]["vials"] == 1
    assert plan["indications"][0]["label_status"] == "on_label"


def test_plan_text_says_nothing_is_added() -> None:
    result = runner.invoke(app, ["plan", "--product", PRODUCT, "--indication", "temple_lines"])
    assert "50 U vial ready to use, nothing added = 10 U per 0.1 mL" in result.stdout
    assert "saline" not in result.stdout


def test_check_knows_the_new_indication_sites_and_product() -> None:
    code, result = check({"vial_units": 50, "reconstituted_at": "2026-11-25T20:00:00"})
    assert code == 0, result
    codes = {f["code"] for f in result["findings"]}
    assert not codes & {"UNRECOGNISED_INPUT", "DILUTION_UNUSUAL", "OFF_LABEL_USE", "RECONSTITUTED_VIAL_EXPIRED"}
    assert [i["volume_ml"] for i in result["injections"]] == [0.04, 0.04]


def test_check_warns_when_saline_is_named_for_a_solution() -> None:
    _, result = check({"vial_units": 50, "diluent_ml": 2.5})
    unusual = [f for f in result["findings"] if f["code"] == "DILUTION_UNUSUAL"]
    assert len(unusual) == 1 and unusual[0]["severity"] == "warning"
    assert "ready-to-use solution of 10 U per 0.1 mL" in unusual[0]["message"]
    assert result["totals"]["volume_ml"] == 0.08  # the label concentration, not the named saline


def test_an_opened_solution_past_its_in_use_time_is_critical() -> None:
    code, result = check({"reconstituted_at": "2026-11-25T08:00:00"})
    assert code == 1
    expired = [f for f in result["findings"] if f["code"] == "RECONSTITUTED_VIAL_EXPIRED"]
    assert expired and expired[0]["message"].startswith("The vial was opened 15 h 58 min before injection")


def test_a_solution_without_an_opening_time_says_what_was_not_checked() -> None:
    _, result = check({})
    missing = [f for f in result["findings"] if f["code"] == "INPUT_MISSING" and f["subject"]["type"] == "vial"]
    assert missing and missing[0]["message"].startswith("No opening time given: the 12 h in-use limit")
