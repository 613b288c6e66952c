"""The catalogue of finding codes: every code the safety engine may emit, with its baseline
severity. Codes are stable; clinic policies and stored records refer to them."""

from __future__ import annotations

from dataclasses import dataclass

from toxplan.primitives.vocabulary import Severity


@dataclass(frozen=True)
class CodeInfo:
    baseline: Severity
    """Severity the engine gives when the knowledge base does not set one."""
    summary: str


CODES: dict[str, CodeInfo] = {
    "SITE_DOSE_ABOVE_MAX": CodeInfo("critical", "an injection's units or volume exceed a per-site maximum"),
    "DOSE_ABOVE_LABEL": CodeInfo(
        "warning", "a site's, side's, muscle's or indication's dose exceeds the label's recommended dose"
    ),
    "SITE_COUNT_OUTSIDE_LABEL": CodeInfo(
        "warning", "more (or fewer) injection sites than the label gives for the indication or muscle"
    ),
    "SESSION_DOSE_ABOVE_MAX": CodeInfo(
        "critical", "a per-session or per-indication maximum (weight-based included) is exceeded"
    ),
    "CUMULATIVE_DOSE_ABOVE_MAX": CodeInfo(
        "critical", "history plus plan exceed a rolling-window maximum of the same product"
    ),
    "RETREATMENT_TOO_SOON": CodeInfo(
        "warning", "the same indication was treated more recently than the label's interval"
    ),
    "OTHER_TOXIN_RECENT": CodeInfo("warning", "a different botulinum toxin product was given within the last 4 months"),
    "CONTRAINDICATION": CodeInfo("critical", "a label contraindication applies"),
    "NEUROMUSCULAR_DISORDER": CodeInfo("warning", "a neuromuscular junction disorder or other label caution condition"),
    "PREGNANCY_OR_LACTATION": CodeInfo("warning", "the patient is pregnant or breastfeeding"),
    "DRUG_INTERACTION": CodeInfo("warning", "a medication belongs to a label interaction class"),
    "AGE_OUTSIDE_LABEL": CodeInfo("warning", "the patient's age is outside the label's range for the indication"),
    "OFF_LABEL_USE": CodeInfo("info", "the indication is not on this product's label"),
    "WEIGHT_REQUIRED": CodeInfo("critical", "a per-kg limit applies and no weight is given"),
    "COMBINATION_OUTSIDE_LABEL": CodeInfo(
        "warning", "an indication the label doses only with another is planned without it"
    ),
    "DANGER_ZONE": CodeInfo("warning", "an injection lies inside a danger zone"),
    "DILUTION_UNUSUAL": CodeInfo("warning", "the concentration is outside the label's reconstitution table"),
    "RECONSTITUTED_VIAL_EXPIRED": CodeInfo(
        "critical", "the vial was reconstituted longer ago than the label's in-use time"
    ),
    "UNRECOGNISED_INPUT": CodeInfo(
        "warning",
        "a product, indication, site, medication, condition or allergy the knowledge base does not know",
    ),
    "INPUT_MISSING": CodeInfo("info", "something a rule needs was not given, so that rule could not run fully"),
    "RULE_NOT_EVALUATED": CodeInfo("info", "the knowledge base lacks the label fact a rule needs"),
    "LABEL_VALUE_UNCONFIRMED": CodeInfo(
        "info", "a label value is unconfirmed, so ToxPlan's conservative default was applied"
    ),
    "INPUT_INTERPRETED": CodeInfo("info", "an entry was read in a way the clinician should confirm"),
}
"""Every finding code. Codes are stable: callers and stored records rely on them."""
