"""The label's per-muscle tables: checked per muscle, laid out as templates, listed by kb sites."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import KNOWLEDGE, findings, healthy_adult, request, with_code
from toxplan.cli.main import app
from toxplan.domain.plans import IndicationChoice, build_plan
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase

runner = CliRunner()


def muscle(found: list[Finding], code: str, site_word: str) -> list[Finding]:
    return [f for f in with_code(found, code) if site_word in f.message]


def xeomin_uls(site: str, units: float, count: int = 1) -> dict[str, object]:
    shots = [{"indication": "upper_limb_spasticity", "site": site, "units": units / count}] * count
    return request(product="xeomin", shots=shots, vial_units=200, diluent_ml=4)


ROWS = [  # site, label range top, sites max
    ("biceps_brachii_left", 200, 4),
    ("flexor_carpi_radialis_left", 100, 2),
    ("pronator_quadratus_right", 50, 1),
    ("adductor_pollicis_left", 30, 1),
]


@pytest.mark.parametrize(("site", "top", "sites"), ROWS)
class TestXeominAdultUpperLimbTable:
    def test_the_top_of_the_range_is_quiet(self, kb: KnowledgeBase, site: str, top: int, sites: int) -> None:
        found = findings(kb, xeomin_uls(site, top, sites))
        assert not [f for f in with_code(found, "DOSE_ABOVE_LABEL") if f.subject.type == "injection"]
        assert not with_code(found, "SITE_COUNT_OUTSIDE_LABEL")

    def test_just_above_the_range_is_a_warning_naming_the_muscle(
        self, kb: KnowledgeBase, site: str, top: int, sites: int
    ) -> None:
        found = [
            f
            for f in with_code(findings(kb, xeomin_uls(site, top + 1)), "DOSE_ABOVE_LABEL")
            if f.subject.type == "injection"
        ]
        assert [f.severity for f in found] == ["warning"]
        name = kb.sites[site].definition.name.lower()
        assert name.split()[0] in found[0].message.lower() and "_" not in found[0].message
        assert "xeomin_medlibrary_label" in found[0].citations

    def test_more_sites_than_the_table_is_a_warning(self, kb: KnowledgeBase, site: str, top: int, sites: int) -> None:
        found = with_code(findings(kb, xeomin_uls(site, 10 * (sites + 1), sites + 1)), "SITE_COUNT_OUTSIDE_LABEL")
        assert [f.severity for f in found] == ["warning"]


def test_a_muscle_table_does_not_apply_to_a_child(kb: KnowledgeBase) -> None:
    child = healthy_adult(birth_date="2016-01-01", weight_kg=30)
    data = request(
        product="xeomin",
        shots=[{"indication": "upper_limb_spasticity", "site": "biceps_brachii_left", "units": 210}],
        patient=child,
    )
    assert not [f for f in with_code(findings(kb, data), "DOSE_ABOVE_LABEL") if "table gives" in f.message]


def test_botox_pediatric_table_is_per_kg(kb: KnowledgeBase) -> None:
    child = healthy_adult(birth_date="2016-01-01", weight_kg=20)  # biceps 1.5-3 U/kg = 30-60 U
    shots = [{"indication": "upper_limb_spasticity", "site": "biceps_brachii_left", "units": 15}] * 4
    assert not muscle(
        findings(kb, request(shots=shots, patient=child, vial_units=100, diluent_ml=2)), "DOSE_ABOVE_LABEL", "biceps"
    )
    more = [{**shots[0], "units": 16}] * 4  # 64 U
    found = muscle(
        findings(kb, request(shots=more, patient=child, vial_units=100, diluent_ml=2)), "DOSE_ABOVE_LABEL", "biceps"
    )
    assert found and "U/kg" in found[0].message


def test_botox_sternocleidomastoid_above_100_units_is_a_warning(kb: KnowledgeBase) -> None:
    shots = [{"indication": "cervical_dystonia", "site": "sternocleidomastoid_left", "units": 55}] * 2
    found = muscle(
        findings(kb, request(shots=shots, vial_units=100, diluent_ml=2)), "DOSE_ABOVE_LABEL", "sternocleidomastoid"
    )
    assert [f.severity for f in found] == ["warning"]
    quiet = [{**shots[0], "units": 50}] * 2
    assert not muscle(
        findings(kb, request(shots=quiet, vial_units=100, diluent_ml=2)), "DOSE_ABOVE_LABEL", "sternocleidomastoid"
    )


def glands(parotid: float, submandibular: float) -> list[dict[str, object]]:
    return [
        {"indication": "sialorrhea", "site": f"{g}_{side}", "units": u}
        for g, u in (("parotid", parotid), ("submandibular", submandibular))
        for side in ("left", "right")
    ]


SIALORRHEA = [  # why, age, weight, parotid, submandibular, code expected (None: quiet), severity
    ("child 15 kg, band dose 9/6", 8, 15, 9, 6, None, None),
    ("child 15 kg, 10 U per parotid", 8, 15, 10, 6, "DOSE_ABOVE_LABEL", "warning"),
    ("child 15 kg, 19 U per parotid (over twice 9)", 8, 15, 19, 6, "SITE_DOSE_ABOVE_MAX", "critical"),
    ("child 15 kg, the adult 100 U", 8, 15, 30, 20, "SESSION_DOSE_ABOVE_MAX", "critical"),
    ("child 29.9 kg, band dose 18/12", 12, 29.9, 18, 12, None, None),
    ("child 30 kg, band dose 22.5/15", 12, 30, 22.5, 15, None, None),
    ("adult, 30/20", 40, 70, 30, 20, None, None),
    ("adult, 61 U per parotid", 40, 70, 61, 20, "SITE_DOSE_ABOVE_MAX", "critical"),
    ("child 11 kg: no label dose", 3, 11, 6, 4, "DOSE_ABOVE_LABEL", "warning"),
]


@pytest.mark.parametrize("case", SIALORRHEA, ids=[c[0] for c in SIALORRHEA])
def test_xeomin_sialorrhea_by_age_and_weight(kb: KnowledgeBase, case: tuple) -> None:  # type: ignore[type-arg]
    why, age, weight, parotid, sub, code, severity = case
    patient = healthy_adult(birth_date=f"{2026 - age - 1}-06-01", weight_kg=weight)
    found = findings(
        kb, request(product="xeomin", shots=glands(parotid, sub), patient=patient, vial_units=100, diluent_ml=4)
    )
    relevant = [f for f in found if f.code in ("DOSE_ABOVE_LABEL", "SITE_DOSE_ABOVE_MAX", "SESSION_DOSE_ABOVE_MAX")]
    if code is None:
        assert not relevant, why
    else:
        assert severity in [f.severity for f in relevant if f.code == code], why


def test_a_child_without_weight_cannot_be_banded(kb: KnowledgeBase) -> None:
    patient = healthy_adult(birth_date="2018-06-01")
    patient.pop("weight_kg")
    found = with_code(
        findings(kb, request(product="xeomin", shots=glands(9, 6), patient=patient, vial_units=100, diluent_ml=4)),
        "WEIGHT_REQUIRED",
    )
    assert found and found[0].severity == "critical"


class TestTemplates:
    def test_xeomin_upper_limb_gets_the_label_template_marked_individualise(self, kb: KnowledgeBase) -> None:
        plan = build_plan(kb, product="xeomin", indications=[IndicationChoice("upper_limb_spasticity")])
        assert plan.notes and "individualise" in plan.notes[0]
        assert plan.units_for() == 250  # the low end of every row
        assert all(i.site and i.site.endswith("_left") and i.note for i in plan.injections)

    def test_a_template_checks_clean_of_dose_findings(self, kb: KnowledgeBase) -> None:
        plan = build_plan(
            kb,
            product="dysport",
            indications=[IndicationChoice("lower_limb_spasticity")],
            vial_units=500,
            diluent_ml=2.5,
        )
        shots = [{"indication": i.indication, "site": i.site, "units": float(i.units)} for i in plan.injections]
        found = findings(kb, request(product="dysport", shots=shots, vial_units=500, diluent_ml=2.5))
        assert not [f for f in found if f.code in ("DOSE_ABOVE_LABEL", "SITE_DOSE_ABOVE_MAX", "SESSION_DOSE_ABOVE_MAX")]

    def test_cli_plan_for_a_therapeutic_indication_exits_0_with_the_note(self) -> None:
        result = runner.invoke(
            app, ["plan", "--product", "xeomin", "--indication", "upper_limb_spasticity", "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (
            data["individualise"] is True
            and data["notes"]
            and data["injections"][0]["note"].startswith("individualise")
        )

    def test_without_adult_starting_doses_the_plan_still_refuses_and_names_the_muscles(self) -> None:
        result = runner.invoke(app, ["plan", "--product", "xeomin", "--indication", "cervical_dystonia"])
        assert result.exit_code == 2 and "sternocleidomastoid" in result.stderr and "kb sites" in result.stderr


@pytest.mark.parametrize(
    ("indication", "site"),
    [
        ("upper_limb_spasticity", "biceps_brachii_left"),
        ("cervical_dystonia", "splenius_capitis_right"),
        ("lower_limb_spasticity", "soleus_left"),
    ],
)
def test_kb_sites_lists_the_table_muscles(indication: str, site: str) -> None:
    result = runner.invoke(app, ["kb", "sites", "--indication", indication, "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert site in {r["id"] for r in rows}
    assert indication in next(r for r in rows if r["id"] == site)["indications"]


def test_kb_validate_refuses_a_table_with_an_unknown_muscle(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "regimens/incobotulinumtoxina/upper_limb_spasticity.yaml"
    data = yaml.safe_load(path.read_text())
    data["muscle_tables"][0]["rows"][0]["muscle"] = "no_such_muscle"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(app, ["kb", "validate", "--directory", str(root)])
    assert result.exit_code == 1 and "no_such_muscle" in result.stderr
