"""The finding codes the clinic and other parts of ToxPlan rely on."""

from __future__ import annotations

from toxplan.domain.safety.engine import RULES
from toxplan.domain.safety.findings import CODES

REQUIRED = [
    "SITE_DOSE_ABOVE_MAX",
    "DOSE_ABOVE_LABEL",
    "SESSION_DOSE_ABOVE_MAX",
    "CUMULATIVE_DOSE_ABOVE_MAX",
    "RETREATMENT_TOO_SOON",
    "OTHER_TOXIN_RECENT",
    "CONTRAINDICATION",
    "NEUROMUSCULAR_DISORDER",
    "PREGNANCY_OR_LACTATION",
    "DRUG_INTERACTION",
    "AGE_OUTSIDE_LABEL",
    "OFF_LABEL_USE",
    "WEIGHT_REQUIRED",
    "DANGER_ZONE",
    "DILUTION_UNUSUAL",
    "RECONSTITUTED_VIAL_EXPIRED",
    "UNRECOGNISED_INPUT",
]


def test_every_required_code_exists_and_some_rule_emits_it() -> None:
    emitted = {code for rule in RULES for code in rule.codes}
    for code in REQUIRED:
        assert code in CODES
        assert code in emitted, code


def test_every_catalogued_code_is_emitted_by_a_rule() -> None:
    emitted = {code for rule in RULES for code in rule.codes}
    assert set(CODES) == emitted
