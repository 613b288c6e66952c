"""Engine tests run on the tiny knowledge base (tests/fixtures/kb/tiny): they test how the
rules work, not what the labels say, so a clinical data edit never breaks them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.fixtures.knowledge import tiny_kb
from toxplan.domain.checking import check
from toxplan.domain.requests import parse_check_request
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy

DAY = dt.date(2026, 11, 25)
NOON = dt.datetime(2026, 11, 25, 12, 0)
FROWN = [
    ("glabella_point", 4),
    ("frown_point_left", 4),
    ("frown_point_right", 4),
    ("near_eye_left", 4),
    ("near_eye_right", 4),
]


@pytest.fixture(scope="session")
def tiny() -> KnowledgeBase:
    return tiny_kb()


def shots(indication: str, sites: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"indication": indication, "site": site, "units": units} for site, units in sites]


def adult(**changes: Any) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "birth_date": "1986-03-14",
        "weight_kg": 62,
        "pregnant": False,
        "breastfeeding": False,
        "infection_at_site": False,
    }
    patient.update(changes)
    return patient


def past(date: str, product: str = "testtoxa", indication: str = "frown_lines", units: float = 20) -> dict[str, Any]:
    return {"date": date, "product": product, "indication": indication, "units": units}


def request(
    *,
    product: str = "testtoxa",
    injections: list[dict[str, Any]] | None = None,
    patient: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    vial_units: float | None = 100,
    diluent_ml: float | None = 2.5,
    reconstituted_at: str | None = "2026-11-25T11:00:00",
) -> dict[str, Any]:
    treatment: dict[str, Any] = {"product": product, "injections": injections or shots("frown_lines", FROWN)}
    for key, value in (("vial_units", vial_units), ("diluent_ml", diluent_ml), ("reconstituted_at", reconstituted_at)):
        if value is not None:
            treatment[key] = value
    return {"date": DAY.isoformat(), "patient": patient or adult(), "history": history or [], "treatment": treatment}


def findings(
    kb: KnowledgeBase, data: dict[str, Any], *, at: dt.datetime = NOON, policy: Policy | None = None
) -> list[Finding]:
    return list(check(kb, parse_check_request(data, today=DAY), at=at, policy=policy).result.findings)


def coded(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]
