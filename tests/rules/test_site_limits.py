"""Per-site, per-side and site-count figures: enforced at check time with graded severity.

Table-driven: each row is one plan, the finding it must raise (or not) and its severity, just
over and just under each boundary, for every product with a per-site figure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import GLABELLAR, findings, injections, request, with_code
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy, policy_problems

PRODUCTS_GL = {  # product: (units per site, vial, diluent)
    "onabotulinumtoxina": (4, 100, 2.5),
    "abobotulinumtoxina": (10, 300, 2.5),
    "incobotulinumtoxina": (4, 100, 2.5),
    "prabotulinumtoxina": (4, 100, 2.5),
    "daxibotulinumtoxina": (8, 100, 1.25),
    "letibotulinumtoxina": (4, 100, 2.5),
}


def glabellar(product: str, lateral_units: float) -> dict[str, object]:
    per_site, vial, diluent = PRODUCTS_GL[product]
    sites = [(s, per_site) for s, _ in GLABELLAR]
    sites[3] = ("corrugator_lateral_left", lateral_units)
    return request(product=product, shots=injections("glabellar_lines", sites), vial_units=vial, diluent_ml=diluent)


def on_injection(found: list[Finding], code: str, row: int) -> list[Finding]:
    return [f for f in with_code(found, code) if f.subject.type == "injection" and f.subject.row == row]


def cites(kb: KnowledgeBase, finding: Finding, *expected: str) -> None:
    assert finding.citations and all(c in kb.citations for c in finding.citations)
    for citation in expected:
        assert citation in finding.citations, (citation, finding.citations)


@pytest.mark.parametrize("product", sorted(PRODUCTS_GL))
class TestUnitsPerSiteEveryGlabellarLabel:
    def test_the_label_dose_is_quiet(self, kb: KnowledgeBase, product: str) -> None:
        per_site = PRODUCTS_GL[product][0]
        found = findings(kb, glabellar(product, per_site))
        assert not on_injection(found, "DOSE_ABOVE_LABEL", 3)
        assert not on_injection(found, "SITE_DOSE_ABOVE_MAX", 3)

    def test_just_above_the_label_dose_is_a_warning(self, kb: KnowledgeBase, product: str) -> None:
        per_site = PRODUCTS_GL[product][0]
        found = on_injection(findings(kb, glabellar(product, per_site + 0.5)), "DOSE_ABOVE_LABEL", 3)
        assert [f.severity for f in found] == ["warning"]
        assert "left corrugator" in found[0].message and "glabellar lines" in found[0].message
        cites(kb, found[0])

    def test_exactly_twice_is_still_a_warning(self, kb: KnowledgeBase, product: str) -> None:
        per_site = PRODUCTS_GL[product][0]
        found = findings(kb, glabellar(product, 2 * per_site))
        assert not on_injection(found, "SITE_DOSE_ABOVE_MAX", 3)
        assert on_injection(found, "DOSE_ABOVE_LABEL", 3)

    def test_just_over_twice_is_critical_and_cites_label_and_default(self, kb: KnowledgeBase, product: str) -> None:
        per_site = PRODUCTS_GL[product][0]
        found = on_injection(findings(kb, glabellar(product, 2 * per_site + 0.5)), "SITE_DOSE_ABOVE_MAX", 3)
        assert [f.severity for f in found] == ["critical"]
        assert "ToxPlan" in found[0].message and "corrugator_lateral_left" not in found[0].message
        cites(kb, found[0])


EXAMPLES = [  # (description, product, indication, site, units, code, severity)
    (
        "100 U into one glabellar point",
        "onabotulinumtoxina",
        "glabellar_lines",
        "procerus",
        100,
        "SITE_DOSE_ABOVE_MAX",
        "critical",
    ),
    (
        "20 U into one corrugator point",
        "onabotulinumtoxina",
        "glabellar_lines",
        "corrugator_lateral_left",
        20,
        "SITE_DOSE_ABOVE_MAX",
        "critical",
    ),
    (
        "30 U into one extraocular muscle",
        "onabotulinumtoxina",
        "strabismus",
        "medial_rectus_left",
        30,
        "SITE_DOSE_ABOVE_MAX",
        "critical",
    ),
    (
        "26 U into one extraocular muscle",
        "onabotulinumtoxina",
        "strabismus",
        "lateral_rectus_left",
        26,
        "SITE_DOSE_ABOVE_MAX",
        "critical",
    ),
    (
        "6 U into one extraocular muscle",
        "onabotulinumtoxina",
        "strabismus",
        "lateral_rectus_left",
        6,
        "DOSE_ABOVE_LABEL",
        "warning",
    ),
    (
        "6 U at one blepharospasm site",
        "onabotulinumtoxina",
        "blepharospasm",
        "pretarsal_upper_medial_left",
        6,
        "SITE_DOSE_ABOVE_MAX",
        "warning",
    ),
    ("6 U per migraine site", "onabotulinumtoxina", "chronic_migraine", "procerus", 6, "DOSE_ABOVE_LABEL", "warning"),
    (
        "11 U per migraine site",
        "onabotulinumtoxina",
        "chronic_migraine",
        "procerus",
        11,
        "SITE_DOSE_ABOVE_MAX",
        "critical",
    ),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples_from_the_issue(kb: KnowledgeBase, example: tuple[str, str, str, str, float, str, str]) -> None:
    why, product, indication, site, units, code, severity = example
    shots = [{"indication": indication, "site": site, "units": units}]
    found = on_injection(findings(kb, request(product=product, shots=shots, vial_units=100, diluent_ml=1)), code, 0)
    assert severity in [f.severity for f in found], why
    cites(kb, found[0])


def test_strabismus_25_units_is_the_largest_single_injection(kb: KnowledgeBase) -> None:
    shots = [{"indication": "strabismus", "site": "medial_rectus_left", "units": 25}]
    found = findings(kb, request(shots=shots, vial_units=100, diluent_ml=1))
    assert not [f for f in with_code(found, "SITE_DOSE_ABOVE_MAX") if f.severity == "critical"]
    cites(
        kb,
        on_injection(
            findings(kb, request(shots=[{**shots[0], "units": 25.5}], vial_units=100, diluent_ml=1)),
            "SITE_DOSE_ABOVE_MAX",
            0,
        )[0],
        "botox_strabismus_hcp_dosing",
    )


def axillae(left: float, right: float) -> dict[str, object]:
    shots = [{"indication": "axillary_hyperhidrosis", "site": "axilla_left", "units": left / 10}] * 10
    shots += [{"indication": "axillary_hyperhidrosis", "site": "axilla_right", "units": right / 10}] * 10
    return request(shots=shots, vial_units=100, diluent_ml=4)


class TestPerSide:
    def test_50_units_per_axilla_is_quiet(self, kb: KnowledgeBase) -> None:
        found = findings(kb, axillae(50, 50))
        assert not [f for f in with_code(found, "DOSE_ABOVE_LABEL") if f.subject.type == "indication"]

    def test_one_axilla_above_50_is_a_warning_even_when_the_total_is_100(self, kb: KnowledgeBase) -> None:
        found = [f for f in with_code(findings(kb, axillae(60, 40)), "DOSE_ABOVE_LABEL") if "left side" in f.message]
        assert [f.severity for f in found] == ["warning"]
        assert "axillary hyperhidrosis" in found[0].message

    def test_one_axilla_above_twice_50_is_critical(self, kb: KnowledgeBase) -> None:
        found = [
            f for f in with_code(findings(kb, axillae(100.5, 10)), "SESSION_DOSE_ABOVE_MAX") if "left side" in f.message
        ]
        assert [f.severity for f in found] == ["critical"]


class TestSiteCount:
    def test_more_sites_than_the_label_is_a_warning(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [*GLABELLAR, ("procerus", 4)])
        found = with_code(findings(kb, request(shots=shots)), "SITE_COUNT_OUTSIDE_LABEL")
        assert [f.severity for f in found] == ["warning"] and "6 injections" in found[0].message

    def test_the_label_count_is_quiet(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request()), "SITE_COUNT_OUTSIDE_LABEL")

    def test_fewer_sites_is_only_information(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", GLABELLAR[:3])
        found = with_code(findings(kb, request(shots=shots)), "SITE_COUNT_OUTSIDE_LABEL")
        assert [f.severity for f in found] == ["info"]


class TestAreaFactor:
    def test_more_than_twice_the_glabellar_total_is_critical(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 8.2) for s, _ in GLABELLAR])  # 41 U > 2 x 20 U
        found = [
            f
            for f in with_code(findings(kb, request(shots=shots)), "SESSION_DOSE_ABOVE_MAX")
            if f.subject.type == "indication"
        ]
        assert [f.severity for f in found] == ["critical"] and "glabellar lines" in found[0].message

    def test_twice_the_total_is_a_warning_only(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 8) for s, _ in GLABELLAR])  # 40 U
        found = findings(kb, request(shots=shots))
        assert not with_code(found, "SESSION_DOSE_ABOVE_MAX")
        assert [f for f in with_code(found, "DOSE_ABOVE_LABEL") if f.subject.type == "indication"]

    def test_individualised_doses_are_never_critical_by_factor(self, kb: KnowledgeBase) -> None:
        # Xeomin cervical dystonia: 120 U initial; 300 U is above it but within the 400 U maximum.
        shots = [{"indication": "cervical_dystonia", "site": "trapezius_1_left", "units": 50}] * 6
        found = findings(kb, request(product="xeomin", shots=shots))
        assert not with_code(found, "SESSION_DOSE_ABOVE_MAX")
        assert [f.severity for f in with_code(found, "DOSE_ABOVE_LABEL") if f.subject.type == "indication"] == [
            "warning"
        ]


class TestPolicyFactor:
    def test_a_clinic_may_tighten_the_factor(self, kb: KnowledgeBase) -> None:
        policy = Policy(name="strict", fixed_dose_factor=Decimal("1.5"))
        found = findings(kb, glabellar("onabotulinumtoxina", 6.5), policy=policy)
        assert [f.severity for f in on_injection(found, "SITE_DOSE_ABOVE_MAX", 3)] == ["critical"]
        assert not on_injection(findings(kb, glabellar("onabotulinumtoxina", 6.5)), "SITE_DOSE_ABOVE_MAX", 3)

    def test_a_clinic_may_not_loosen_it(self, kb: KnowledgeBase) -> None:
        problems = policy_problems(Policy(name="loose", fixed_dose_factor=Decimal(3)), kb, "policy.yaml")
        assert problems and problems[0].field == "fixed_dose_factor"
        assert not policy_problems(Policy(name="same", fixed_dose_factor=Decimal(2)), kb, "policy.yaml")


@settings(max_examples=40, deadline=None)
@given(units=st.decimals(min_value=Decimal("0.5"), max_value=Decimal(200), places=1))
def test_per_site_severity_is_monotonic_in_the_dose(kb: KnowledgeBase, units: Decimal) -> None:
    """Property: under 4 U quiet, to 8 U a warning, above 8 U critical; never skipped."""
    found = findings(kb, glabellar("onabotulinumtoxina", float(units)))
    critical = on_injection(found, "SITE_DOSE_ABOVE_MAX", 3)
    warning = on_injection(found, "DOSE_ABOVE_LABEL", 3)
    if units <= 4:
        assert not critical and not warning
    elif units <= 8:
        assert warning and not critical
    else:
        assert critical and critical[0].severity == "critical"


@pytest.mark.parametrize(
    ("units", "code", "severity"),
    [(4, None, None), (5, "DOSE_ABOVE_LABEL", "warning"), (8.5, "SITE_DOSE_ABOVE_MAX", "critical")],
)
def test_xeomin_forehead_per_site_default_says_it_is_a_default(
    kb: KnowledgeBase, units: float, code: str | None, severity: str | None
) -> None:
    shots = [{"indication": "forehead_lines", "site": "frontalis_lower_midline", "units": units}]
    found = findings(kb, request(product="xeomin", shots=shots))
    hits = on_injection(found, "DOSE_ABOVE_LABEL", 0) + on_injection(found, "SITE_DOSE_ABOVE_MAX", 0)
    if code is None:
        assert not hits
    else:
        assert [(f.code, f.severity) for f in hits] == [(code, severity)]
        assert "ToxPlan's default" in hits[0].message and "unconfirmed" in hits[0].message
        cites(kb, hits[0], "xeomin_prescriberpoint")
