"""Shared fixtures: the shipped knowledge base and a builder for check requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from toxplan.domain.checking import check
from toxplan.domain.requests import parse_check_request
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load
from toxplan.knowledge.policy import Policy

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
DAY = dt.date(2026, 11, 25)
NOON = dt.datetime(2026, 11, 25, 12, 0)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(KNOWLEDGE)


GLABELLAR = [
    ("procerus", 4),
    ("corrugator_medial_left", 4),
    ("corrugator_medial_right", 4),
    ("corrugator_lateral_left", 4),
    ("corrugator_lateral_right", 4),
]


def injections(indication: str, sites: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"indication": indication, "site": site, "units": units} for site, units in sites]


def healthy_adult(**changes: Any) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "birth_date": "1986-03-14",
        "sex": "female",
        "weight_kg": 62,
        "pregnant": False,
        "breastfeeding": False,
        "infection_at_site": False,
        "conditions": [],
        "medications": [],
        "allergies": [],
    }
    patient.update(changes)
    return patient


def request(
    *,
    product: str = "onabotulinumtoxina",
    shots: list[dict[str, Any]] | None = None,
    patient: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    vial_units: float | None = 100,
    diluent_ml: float | None = 2.5,
    reconstituted_at: str | None = "2026-11-25T11:00:00",
) -> dict[str, Any]:
    treatment: dict[str, Any] = {
        "product": product,
        "injections": shots if shots is not None else injections("glabellar_lines", GLABELLAR),
    }
    if vial_units is not None:
        treatment["vial_units"] = vial_units
    if diluent_ml is not None:
        treatment["diluent_ml"] = diluent_ml
    if reconstituted_at is not None:
        treatment["reconstituted_at"] = reconstituted_at
    return {
        "date": DAY.isoformat(),
        "patient": healthy_adult() if patient is None else patient,
        "history": history or [],
        "treatment": treatment,
    }


def findings(
    kb: KnowledgeBase, data: dict[str, Any], *, at: dt.datetime = NOON, policy: Policy | None = None
) -> list[Finding]:
    parsed = parse_check_request(data, today=DAY)
    return list(check(kb, parsed, at=at, policy=policy).result.findings)


def with_code(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


def units(value: float) -> Decimal:
    return Decimal(str(value))


def consent_data(
    kb: KnowledgeBase,
    *,
    product: str = "onabotulinumtoxina",
    purpose: str = "aesthetic",
    areas: list[str] | None = None,
    signed_at: dt.datetime | None = None,
    name: str = "Ana Silva",
) -> dict[str, Any]:
    """A consent as the tablet sends it: the form's hash, a typed name and a drawn signature.
    Without ``areas``, every area the product's form for ``purpose`` covers."""
    from toxplan.services.consents import areas_of, document  # noqa: PLC0415
    from toxplan.services.demo import signature_png  # noqa: PLC0415

    doc = document(kb, product, purpose, areas or areas_of(kb, kb.product(product).id, purpose))
    data: dict[str, Any] = {
        "product": product,
        "purpose": purpose,
        "areas": list(doc.areas),
        "text_sha256": doc.sha256,
        "signed_by": name,
        "signature": signature_png(),
    }
    if signed_at is not None:
        data["signed_at"] = signed_at
    return data


def consent_before(
    session: Any,
    actor: Any,
    patient_id: str,
    kb: KnowledgeBase,
    *,
    visit_at: dt.datetime,
    now: dt.datetime,
    areas: list[str],
    product: str = "onabotulinumtoxina",
) -> None:
    """Sign the form consent a treatment needs, an hour before its visit, for its areas: signing
    requires a current consent covering the product and every treated area."""
    from toxplan.services import consents  # noqa: PLC0415

    data = consent_data(kb, product=product, areas=sorted(set(areas)), signed_at=visit_at - dt.timedelta(hours=1))
    consents.sign_consent(session, actor, patient_id, data, kb=kb, now=now)
