"""A realistic synthetic clinic for demonstrations, training and load tests.

Everything is written through the real services, so the demo data passes the same checks,
carries the same findings and audit trail as real records, and shows what the services let
through. Deterministic for a seed: one ``random.Random`` drives every choice and all times
derive from ``today`` (ids and audit timestamps are the database's own and do vary).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import random
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.repositories import inventory as vial_repo
from toxplan.db.repositories import listings
from toxplan.domain.plans import IndicationChoice, Plan, build_plan
from toxplan.errors import Conflict, ToxPlanError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import Role
from toxplan.services import clinics, consents, inventory, patients, planning, treatments, worklists
from toxplan.services.demo_outcomes import DemoOutcomes
from toxplan.services.demo_photos import add_demo_photos
from toxplan.services.patients import load as load_patient
from toxplan.services.schemas import Actor

CLINIC_NAME = "ToxPlan Demo Clinic"
CLINIC_PHONE = "+1-202-555-0100"
STAFF = (
    ("Dr. Helena Marsh", Role.MEDICAL_DIRECTOR),
    ("Sam Okafor", Role.INJECTOR),
    ("Lucía Ferrer", Role.INJECTOR),
    ("Jordan Pike", Role.FRONT_DESK),
    ("Priya Nair", Role.ADMIN),
)
FEMALE = (
    "Ana Amira Chloe Daniela Elena Fatima Grace Hana Ingrid Julia Kavya Laura Maya Nadia Olivia Paula Rosa "
    "Sofia Tara Yuki Zoe Mei Aisha Clara Emma"
).split()
MALE = "Adam Ben Carlos David Ethan Farid Hiro James Kofi Luca Marco Noah Omar Raj Tomas Victor".split()
FAMILY = (
    "Silva Johnson Nguyen Kowalski Müller Haddad Okafor Rossi García Tanaka Dubois Novak Larsen O'Brien Patel "
    "Kim Schmidt Moreau Costa Ivanova Mensah Andersen Cohen Yilmaz Fischer Santos Lindqvist Murphy Chen Ortiz"
).split()


@dataclass(frozen=True)
class Regimen:
    """A treatment pattern: product, indications, how common it is, and the usual return interval."""

    product: str
    indications: tuple[str, ...]
    weight: int
    return_days: tuple[int, int] = (120, 180)
    vial_units: Decimal | None = None
    """None: the plan's label dilution decides (the 100 U vial); 200 U for 155 U migraine sessions."""
    cosigned: bool = False
    """Off-label and therapeutic plans are co-signed by the medical director."""
    conditions: tuple[str, ...] = ()
    """Knowledge-base conditions a patient on this regimen has (the reason for treatment)."""

    @property
    def wrinkles(self) -> bool:
        """Wrinkle lines: graded on the facial wrinkle scale at follow-up, and the usual brand switchers."""
        return self.indications[0].endswith("_lines")


BOTOX = "onabotulinumtoxina"
REGIMENS = (
    Regimen(BOTOX, ("glabellar_lines",), 30),
    Regimen(BOTOX, ("glabellar_lines", "forehead_lines"), 12),
    Regimen(BOTOX, ("glabellar_lines", "forehead_lines", "lateral_canthal_lines"), 12),
    Regimen(BOTOX, ("lateral_canthal_lines",), 4),
    Regimen("abobotulinumtoxina", ("glabellar_lines",), 10),
    Regimen("incobotulinumtoxina", ("glabellar_lines",), 8),
    Regimen("prabotulinumtoxina", ("glabellar_lines",), 8),
    Regimen("daxibotulinumtoxina", ("glabellar_lines",), 5, return_days=(170, 240)),  # lasts longer
    Regimen("letibotulinumtoxina", ("glabellar_lines",), 3),
    Regimen(BOTOX, ("masseter",), 4, cosigned=True),  # off-label
    Regimen(BOTOX, ("chin",), 3, cosigned=True),  # off-label areas with a dose range to titrate in
    Regimen(BOTOX, ("mouth_corners",), 2, cosigned=True),
    Regimen(BOTOX, ("brow_lift",), 2, cosigned=True),
    Regimen(BOTOX, ("chronic_migraine",), 2, (84, 98), Decimal(200), True, ("migraine",)),  # every 12 weeks
    Regimen(BOTOX, ("axillary_hyperhidrosis",), 2, (150, 210), None, True, ("hyperhidrosis_condition",)),
)
TEMPLATES = (
    ("Glabellar 20 + crow's feet 24", ("glabellar_lines", "lateral_canthal_lines")),
    ("Glabellar + forehead + crow's feet 64", ("glabellar_lines", "forehead_lines", "lateral_canthal_lines")),
)
NO_SHOW_AFTER = dt.timedelta(days=30)
"""An unreviewed follow-up older than this was a no-show; newer ones are the worklist's."""
DEFAULT_DILUTION = (Decimal(100), Decimal("2.5"))
"""For products whose label gives no table (Xeomin): 4 U per 0.1 mL, the usual choice."""
OVERRIDE_REASONS = {
    "CUMULATIVE_DOSE_ABOVE_MAX": "Reviewed the dose history with the medical director; documented in the chart.",
    "SESSION_DOSE_ABOVE_MAX": "Dose agreed with the medical director for this patient; rationale in the chart.",
    "WEIGHT_REQUIRED": "Weight confirmed with the patient at the visit; scale record to follow.",
}
"""Plausible reasons for overridable critical findings; any other critical finding is skipped."""
PREGNANCY = ("Pregnancy", "Breastfeeding")
"""Known states, not history: asked at each visit's screening instead."""


@dataclass
class DemoSummary:
    clinic_id: str
    users: list[tuple[str, Role]]
    """(email, role) of each user; none has a password."""
    patients: int = 0
    treatments: int = 0
    follow_ups: int = 0
    """Follow-ups reviewed (every treatment also has a due one)."""
    adverse_events: int = 0
    photos: int = 0


@dataclass
class _Person:
    id: str
    name: str
    regimen: Regimen
    visits: list[dt.datetime]


@dataclass
class _Seeder:
    session: Session
    kb: KnowledgeBase
    today: dt.date
    rng: random.Random
    staff: dict[Role, list[Actor]] = field(default_factory=dict)
    lots: dict[tuple[str, Decimal, int], str] = field(default_factory=dict)
    vials: dict[tuple[dt.date, str, Decimal], tuple[str, Decimal]] = field(default_factory=dict)
    plans: dict[Regimen, Plan] = field(default_factory=dict)
    outcomes: DemoOutcomes | None = None
    """Doses titrated from past courses, reviews and side effects (``demo_outcomes``)."""

    # --- the clinic, its staff and stock ----------------------------------------------------

    def clinic(self) -> DemoSummary:
        clinic = clinics.create_clinic(self.session, CLINIC_NAME, phone=CLINIC_PHONE)
        users = []
        for name, role in STAFF:
            email = f"{_ascii(name.removeprefix('Dr. ')).replace(' ', '.')}@demo.toxplan.org".lower()
            user = clinics.create_user(self.session, clinic.id, {"name": name, "email": email, "role": role})
            self.staff.setdefault(role, []).append(clinics.actor_for(self.session, user.id))
            users.append((user.email, role))
        above = self.staff[Role.INJECTOR][-1].user_id
        self.outcomes = DemoOutcomes(self.session, self.kb, self.rng, self.today, above)
        return DemoSummary(clinic.id, users)

    def templates(self) -> None:
        """The clinic's saved starting points, as a busy aesthetic clinic would keep them."""
        for name, indications in TEMPLATES:
            plan = build_plan(self.kb, product=BOTOX, indications=[IndicationChoice(i) for i in indications])
            data = {
                "name": name,
                "product": BOTOX,
                "injections": [{"indication": i.indication, "site": i.site, "units": i.units} for i in plan.injections],
            }
            planning.save_template(self.session, self.staff[Role.MEDICAL_DIRECTOR][0], data, kb=self.kb)

    def count_stock(self, clinic_id: str) -> None:
        """Vials received per lot: those opened, and a few still in the fridge for lots in date."""
        opened = vial_repo.opened_per_lot(self.session, clinic_id)
        for lot in listings.lots(self.session, clinic_id):
            spare = self.rng.randint(3, 12) if lot.expiry_date > self.today + dt.timedelta(days=60) else 0
            lot.vials_received = opened.get(lot.id, 0) + spare

    def plan(self, regimen: Regimen) -> Plan:
        if regimen not in self.plans:
            choices = [IndicationChoice(i) for i in regimen.indications]
            plan = build_plan(self.kb, product=regimen.product, indications=choices, vial_units=regimen.vial_units)
            self.plans[regimen] = plan
        return self.plans[regimen]

    def lot(self, product: str, vial: Decimal, on: dt.date) -> str:
        """A lot per product and vial size for each 120-day window, expiring a year after it."""
        window = (self.today - on).days // 120
        key = (product, vial, window)
        if key not in self.lots:
            prefix = self.kb.products[product].brands[0][:2].upper()
            data = {
                "product": product,
                "lot_number": f"{prefix}{self.rng.randint(1000, 9999)}-{window:02d}{vial:.0f}",  # unique per key
                "expiry_date": self.today - dt.timedelta(days=120 * window) + dt.timedelta(days=365),
                "vial_units": vial,
            }
            self.lots[key] = inventory.add_lot(self.session, self.staff[Role.INJECTOR][0], data, kb=self.kb).id
        return self.lots[key]

    def vial(self, lot_id: str, dilution: tuple[Decimal, Decimal], units: Decimal, at: dt.datetime) -> str:
        """The vial open today for this lot and dilution, or a fresh one if it has too little left."""
        key = (at.date(), lot_id, dilution[1])
        made, left = self.vials.get(key, ("", Decimal(0)))
        if left < units:
            opened = at - dt.timedelta(minutes=15)
            data = {"lot_id": lot_id, "diluent_ml": dilution[1], "reconstituted_at": opened}
            made = inventory.reconstitute(self.session, self.staff[Role.INJECTOR][0], data, now=opened).id
            left = dilution[0]
        self.vials[key] = (made, left - units)
        return made

    # --- patients -------------------------------------------------------------------------------

    def person(self, index: int) -> _Person:
        rng = self.rng
        regimen = rng.choices(REGIMENS, weights=[r.weight for r in REGIMENS])[0]
        sex = rng.choices(("female", "male", "other"), weights=(82, 17, 1))[0]
        given = rng.choice(MALE if sex == "male" else FEMALE)
        family = rng.choice(FAMILY)
        age = rng.randint(25, 65) if rng.random() < 0.9 else rng.choice((rng.randint(19, 24), rng.randint(66, 74)))
        first = self.today - dt.timedelta(days=rng.randint(14, 730))
        kg = rng.gauss(82, 12) if sex == "male" else rng.gauss(65, 10)
        data = {
            "given_name": given,
            "family_name": family,
            "birth_date": first - dt.timedelta(days=365 * age + rng.randint(0, 364)),
            "sex": sex,
            "phone": f"+1-202-555-01{rng.randint(0, 99):02d}",
            "email": f"{_ascii(given)}.{_ascii(family)}{index}@example.com".lower().replace("'", ""),
            "weight_kg": Decimal(f"{min(max(kg, 45), 140):.1f}"),
            **self.facts(regimen),
        }
        front_desk = self.staff[Role.FRONT_DESK][0]
        patient = patients.create_patient(self.session, front_desk, data, today=first)
        return _Person(patient.id, f"{given} {family}", regimen, self.schedule(regimen, first))

    def facts(self, regimen: Regimen) -> dict[str, list[str]]:
        """Mostly harmless history in the knowledge base's words; a few cautions and interactions.

        Harmless: conditions without a label caution, medicines reviewed as interaction-free,
        allergies to nothing in any product (an allergy to a component is a contraindication).
        """
        rng, kb = self.rng, self.kb
        harmless = sorted(c.name for c in kb.conditions.values() if c.finding == "none" and c.severity == "info")
        conditions = [kb.conditions[c].name for c in regimen.conditions]
        conditions += rng.sample([c for c in harmless if c not in PREGNANCY], rng.choice((0, 0, 0, 1, 1, 2)))
        if rng.random() < 0.04:  # a label caution: a warning on every visit
            conditions.append(rng.choice(("Asthma", "Dry eye", "Pre-existing cardiovascular disease")))
        common = sorted(n for n in kb.interactions.known_without_interaction[0].names if n.islower())
        medications = rng.sample(common, rng.choice((0, 0, 0, 1, 1, 2)))
        if rng.random() < 0.04:  # a drug of a label interaction class: a warning on every visit
            medications.append(rng.choice(("cyclobenzaprine", "oxybutynin", "amitriptyline", "clindamycin")))
        components = {c for p in kb.products.values() for c in p.formulation.components} | {"lactose_intolerance"}
        safe = sorted(a.name for a in kb.allergens.values() if a.id not in components)
        allergies = rng.sample(safe, 1) if rng.random() < 0.15 else []
        return {"conditions": conditions, "medications": medications, "allergies": allergies}

    def schedule(self, regimen: Regimen, first: dt.date) -> list[dt.datetime]:
        """Visits every few months (now and then too soon), until today or the patient stops."""
        visits, on = [], first
        while on < self.today:
            at = dt.datetime.combine(on, dt.time(9 + self.rng.randint(0, 7), self.rng.choice((0, 20, 40))))
            visits.append(at.replace(tzinfo=dt.UTC))
            if self.rng.random() < 0.08:
                break
            early = regimen.wrinkles and self.rng.random() < 0.05
            on += dt.timedelta(days=self.rng.randint(70, 88) if early else self.rng.randint(*regimen.return_days))
        return visits

    # --- visits ---------------------------------------------------------------------------------

    def visit(self, person: _Person, at: dt.datetime, summary: DemoSummary) -> None:
        regimen = person.regimen
        if regimen.wrinkles and self.rng.random() < 0.06:  # trying another product
            regimen = self.rng.choice([r for r in REGIMENS if r.wrinkles])
        injector = self.rng.choice(self.staff[Role.INJECTOR])
        on = at.date()
        answers = {"visit_on": on, "pregnant": False, "breastfeeding": False, "infection_at_site": False}
        screening = patients.add_screening(self.session, injector, person.id, answers, today=self.today)
        plan = self.plan(regimen)
        self.consent(injector, person, regimen, at)
        label = plan.dilution.dilution if plan.dilution else None
        dilution = (label.vial_units, label.diluent_ml) if label else DEFAULT_DILUTION
        lot_id = self.lot(plan.product, dilution[0], on)
        data = {
            "patient_id": person.id,
            "lot_id": lot_id,
            "reconstitution_id": self.vial(lot_id, dilution, plan.units_for(), at),
            "visit_at": at,
            "screening_id": screening.id,
            "injections": self.results().injections(injector, person.id, plan, returning=at != person.visits[0]),
        }
        done = self.record(injector, data, at)
        if done is None:
            return
        summary.treatments += 1
        treatment_id = done.treatment.id
        if regimen.cosigned or self.rng.random() < 0.05:
            treatments.cosign(self.session, self.staff[Role.MEDICAL_DIRECTOR][0], treatment_id)
        given = done.treatment.total_units
        if done.follow_up.due_on <= self.today and self.rng.random() < 0.85:
            self.results().review(
                injector, done.follow_up.id, plan=plan, given=given, treated=on, wrinkles=regimen.wrinkles
            )
            summary.follow_ups += 1
        elif done.follow_up.due_on < self.today - NO_SHOW_AFTER:  # the patient never came back
            missed = done.follow_up.due_on + dt.timedelta(days=7)
            worklists.no_show(self.session, self.staff[Role.FRONT_DESK][0], done.follow_up.id, today=missed)
        injected = data["injections"]
        assert isinstance(injected, list)
        summary.adverse_events += self.results().side_effects(injector, treatment_id, plan.product, injected, on)

    def results(self) -> DemoOutcomes:
        assert self.outcomes is not None, "the clinic is made first"
        return self.outcomes

    def consent(self, injector: Actor, person: _Person, regimen: Regimen, at: dt.datetime) -> None:
        """Consent on the product's form when no current one covers this visit's areas."""
        category = self.kb.indications[regimen.indications[0]].category
        if category == "therapeutic":
            return  # the clinic's policy asks consent for aesthetic treatments only
        held = consents.current(self.session, person.id, valid_months=12, at=at)
        covered = {a for c in held if c.product == regimen.product for a in (c.areas or "").split()}
        if set(regimen.indications) <= covered:
            return
        doc = consents.document(self.kb, regimen.product, category, list(regimen.indications))
        data = {
            "product": regimen.product,
            "purpose": category,
            "areas": list(doc.areas),
            "text_sha256": doc.sha256,
            "signed_by": person.name,
            "signature": signature_png(),
        }
        consents.sign_consent(self.session, injector, person.id, data, kb=self.kb, now=at - dt.timedelta(minutes=20))

    def record(self, injector: Actor, data: dict[str, object], at: dt.datetime) -> treatments.RecordedTreatment | None:
        """Sign the treatment; on a critical finding retry once with a plausible reason, else skip."""
        now = at + dt.timedelta(minutes=30)
        for overrides in (
            [],
            [{"code": c, "category": "clinically_indicated", "reason": r} for c, r in OVERRIDE_REASONS.items()],
        ):
            try:
                with self.session.begin_nested():  # a refusal must leave nothing of this visit
                    done = treatments.record_treatment(
                        self.session, injector, {**data, "overrides": overrides}, kb=self.kb, now=now
                    )
                    self.session.flush()  # gives the follow-up its id
                    return done
            except Conflict as refused:
                if refused.field != "overrides":  # e.g. an expired vial: no reason makes it right
                    return None
            except ToxPlanError:  # anything else refused: skip this visit, never abort the seed
                return None
        return None


def signature_png() -> str:
    """A small drawn-looking signature (a wave on white), as a base64 PNG, for demo consents."""
    width, height = 120, 32
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            wave = 16 + 9 * math.sin(x / 7) * (1 if x < 100 else 0)
            row.append(0 if abs(y - wave) < 1.5 and 8 < x < 110 else 255)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def seed_demo(
    session: Session, kb: KnowledgeBase, *, today: dt.date, patients: int = 300, seed: int = 2026
) -> DemoSummary:
    """Create the demo clinic with ``patients`` patients and two years of treatments before ``today``.

    Writes in the caller's unit of work (one transaction); returns what was made.
    """
    seeder = _Seeder(session, kb, today, random.Random(seed))
    summary = seeder.clinic()
    seeder.templates()
    people = [seeder.person(i) for i in range(patients)]
    summary.patients = len(people)
    # In the order they happened, so each check sees the history a real visit would have seen.
    visits = sorted((at, i) for i, person in enumerate(people) for at in person.visits)
    for at, i in visits:
        seeder.visit(people[i], at, summary)
    injector = seeder.staff[Role.INJECTOR][0]  # one woman's photos (demo_photos.py: the portrait is of a woman)
    sitter = next((p for p in people if p.visits and load_patient(session, injector, p.id).sex == "female"), None)
    if sitter is not None:
        summary.photos = add_demo_photos(session, injector, sitter.id, sitter.visits[-1], today)
    seeder.count_stock(summary.clinic_id)
    return summary
