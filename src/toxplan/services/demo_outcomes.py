"""What comes of the demo clinic's treatments: doses titrated from past courses, reviews that
depend on the dose, and side effects at rates near the labels'.

Returning patients get the titration advisor's suggestion most of the time (through the same
audited service the planning page uses), so their histories show doses moving within the
label's range. Side effects are drawn per treatment and area at the label's rate where the
knowledge base has one (a little below it), else at a modest background rate. One injector's
eyelid ptosis after BOTOX glabellar treatment runs at 8 % against the label's 3 %: with the few
hundred treatments of a demo year that is about what it takes for the safety report to flag it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.domain.plans import Plan
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import outcomes, titration, treatments
from toxplan.services.schemas import Actor

LABEL_SHARE = 0.8
"""The demo's rates where the label gives one, as a share of the label's: near it, not at it."""
FOLLOW_ADVICE = 0.85
"""How often the injector doses as the advisor suggests (else the label's pattern)."""
BACKGROUND = {
    "bruising": 0.025,
    "injection_site_pain": 0.01,
    "headache": 0.015,
}
"""Rates of common minor events where the label gives none for the product and area."""
AREA_EVENTS = {
    "glabellar_lines": {"eyelid_ptosis": 0.015, "brow_ptosis": 0.005},
    "forehead_lines": {"brow_ptosis": 0.015, "asymmetry": 0.01},
    "lateral_canthal_lines": {"dry_eye": 0.005, "asymmetry": 0.01},
    "masseter": {"muscle_weakness": 0.03, "asymmetry": 0.01},
    "chin": {"asymmetry": 0.02},
    "mouth_corners": {"asymmetry": 0.02},
    "brow_lift": {"asymmetry": 0.02, "eyelid_ptosis": 0.005},
}
"""Area-specific events without a label rate (practice reports give rates of this order)."""
ABOVE = ("onabotulinumtoxina", "glabellar_lines", "eyelid_ptosis", 12)
"""(product, area, event, n): the one injector whose rate runs above the label's has the event
after every n-th such treatment (8.3 % against the label's 3 %). Spaced, not drawn, so that the
flag shows for any seed once the year holds a hundred or so of her treatments."""
EVENT_SITES = {
    ("glabellar_lines", "eyelid_ptosis"): ("corrugator_lateral_left", "corrugator_lateral_right"),
    ("forehead_lines", "brow_ptosis"): ("frontalis_lower_lateral_left", "frontalis_lower_lateral_right"),
    ("chronic_migraine", "eyelid_ptosis"): ("migraine_corrugator_left", "migraine_corrugator_right"),
}
SITELESS = ("headache", "dry_eye", "muscle_weakness")


@dataclass
class DemoOutcomes:
    session: Session
    kb: KnowledgeBase
    rng: random.Random
    today: dt.date
    above_injector: str
    """User id of the injector whose ptosis rate runs above the label's."""
    above_seen: int = 0

    def injections(self, injector: Actor, patient_id: str, plan: Plan, *, returning: bool) -> list[dict[str, object]]:
        """The doses to give: the advisor's suggestion per area for a returning patient (most of
        the time), else the label's pattern."""
        chosen: list[dict[str, object]] = []
        for indication in plan.indications():
            label: list[dict[str, object]] = [
                {"indication": i.indication, "site": i.site, "units": i.units}
                for i in plan.injections
                if i.indication == indication
            ]
            if not returning or self.rng.random() > FOLLOW_ADVICE:
                chosen += label
                continue
            advice = titration.advise_patient(
                self.session, injector, patient_id=patient_id, indication=indication, kb=self.kb, product=plan.product
            )
            suggested: list[dict[str, object]] = [
                {"indication": indication, "site": i.site, "units": i.units} for i in advice.suggestion.injections
            ]
            chosen += suggested or label
        return chosen

    def review(
        self, injector: Actor, follow_up_id: str, *, plan: Plan, given: Decimal, treated: dt.date, wrinkles: bool
    ) -> None:
        """The two-week review: residual lines are likelier below the label's starting dose."""
        rng = self.rng
        due = treated + dt.timedelta(days=14)
        lasted = treated + dt.timedelta(days=rng.randint(*((90, 150) if wrinkles else (70, 120))))
        data: dict[str, object] = {
            "reviewed_on": min(due + dt.timedelta(days=rng.randint(0, 3)), self.today),
            "satisfaction": rng.choices((2, 3, 4, 5), weights=(3, 12, 40, 45))[0],
            "effect_wore_off_on": lasted if lasted <= self.today else None,
        }
        graded = all(self.kb.indications[i].category == "aesthetic" for i in plan.indications())
        if graded:
            ratio = given / plan.units_for() if plan.units_for() else Decimal(1)
            # Off-label starting doses are deliberately low: residual lines are commoner there.
            off_label = any(self._off_label(plan.product, i) for i in plan.indications())
            low = ratio < 1 or (ratio == 1 and off_label)
            weights = (25, 40, 25, 10) if low else (45, 40, 12, 3) if ratio == 1 else (55, 38, 6, 1)
            data["fws_rest"] = rng.choices((0, 1, 2), weights=(60, 35, 5))[0]
            data["fws_max"] = rng.choices((0, 1, 2, 3), weights=weights)[0]
            if rng.random() < 0.05:
                data["touch_up_units"] = Decimal(rng.choice((2, 4)))
        outcomes.record_follow_up(self.session, injector, follow_up_id, data, today=self.today)

    def _off_label(self, product: str, indication: str) -> bool:
        regimen = self.kb.regimen(product, indication)
        return regimen is not None and regimen.label_status == "off_label"

    def rate(self, product: str, indication: str, event: str) -> float:
        label = {r.event: r for r in self.kb.outcomes.reactions_for(product, indication)} if self.kb.outcomes else {}
        if event in label:
            rate = LABEL_SHARE * float(label[event].rate_percent) / 100
        else:
            rate = AREA_EVENTS.get(indication, {}).get(event, BACKGROUND.get(event, 0.0))
        return rate

    def side_effects(
        self, injector: Actor, treatment_id: str, product: str, injections: list[dict[str, object]], on: dt.date
    ) -> int:
        """Draw each event type per area of the treatment; record those that happen."""
        recorded = 0
        for indication in sorted({str(i["indication"]) for i in injections}):
            sites = sorted({str(i["site"]) for i in injections if i["indication"] == indication and i["site"]})
            label = (
                {r.event for r in self.kb.outcomes.reactions_for(product, indication)} if self.kb.outcomes else set()
            )
            kinds = sorted(label | set(AREA_EVENTS.get(indication, {})) | set(BACKGROUND))
            for kind in kinds:
                if (product, indication, kind) == ABOVE[:3] and injector.user_id == self.above_injector:
                    self.above_seen += 1
                    happens = self.above_seen % ABOVE[3] == 0
                else:
                    happens = self.rng.random() < self.rate(product, indication, kind)
                if happens:
                    recorded += self._record(injector, treatment_id, indication, kind, sites=sites, on=on)
        return recorded

    def _record(
        self, injector: Actor, treatment_id: str, indication: str, kind: str, *, sites: list[str], on: dt.date
    ) -> int:
        rng = self.rng
        onset = min(on + dt.timedelta(days=rng.randint(1, 7)), self.today)
        near = [s for s in EVENT_SITES.get((indication, kind), ()) if s in sites] or sites
        data = {
            "treatment_id": treatment_id,
            "type": kind,
            "onset_on": onset,
            "severity": "moderate" if rng.random() < 0.2 else "mild",
            "serious": False,
            "outcome": "recovered" if (self.today - onset).days > 30 else "recovering",
            "sites": [] if kind in SITELESS or not near else [rng.choice(near)],
            "description": f"{kind.replace('_', ' ').capitalize()} reported by the patient by phone.",
        }
        try:
            outcomes.record_adverse_event(self.session, injector, data, today=self.today)
        except InvalidInput:
            return 0
        treatments.add_addendum(self.session, injector, treatment_id, f"Adverse event reported: {data['description']}")
        return 1
