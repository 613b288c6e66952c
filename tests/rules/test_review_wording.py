"""Over a broad set of plans (every regimen's pattern, every product with every indication, at
and above the label dose, adults and children, with problem lists, medicines and histories):
no finding names a knowledge-base id, and every finding cites a source where the knowledge
base holds one."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DAY, healthy_adult
from toxplan.domain.checking import check
from toxplan.domain.requests import parse_check_request
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase

AT = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)

PATIENTS: list[dict[str, Any]] = [
    healthy_adult(),
    healthy_adult(
        birth_date="2016-06-01",
        weight_kg=20,
        conditions=[
            "myasthenia gravis",
            "Z3A.12",
            "cellulitis of the forehead",
            "Bell's palsy",
            "brow ptosis",
            "no MG",
        ],
        medications=["gentamicin", "pyridostigmine", "baclofen", "Firdapse"],
        allergies=["albumin", "milk"],
        pregnant=True,
        breastfeeding=True,
        infection_at_site=True,
    ),
    {},
]
HISTORY = [
    {"date": "2026-11-20", "product": product, "indication": indication, "units": 300}
    for product, indication in (
        ("dysport", "cervical_dystonia"),
        ("xeomin", "glabellar_lines"),
        ("botox", "upper_limb_spasticity"),
        ("daxxify", "cervical_dystonia"),
        ("jeuveau", "glabellar_lines"),
        ("letybo", "glabellar_lines"),
        ("botox", "glabellar_lines"),
    )
]
UNCITABLE = {"INPUT_INTERPRETED"}
"""Codes about how free text was read: the knowledge base holds no source for a reading."""


def plans(kb: KnowledgeBase) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for (product, indication), regimen in sorted(kb.regimens.items()):
        for variant in regimen.variants:
            shots = [
                {"indication": indication, "site": step.site, "units": float(step.units)}
                for step in variant.pattern
                for _ in range(step.count)
            ]
            yield product, shots
            yield product, [dict(s, units=s["units"] * 3) for s in shots]
        for table in regimen.muscle_tables:
            sites = [s for row in table.rows for s in kb.muscle_sites(row.muscle)[:1]]
            yield product, [{"indication": indication, "site": s, "units": 30} for s in sites]
    for product, indication in itertools.product(sorted(kb.products), sorted(kb.indications)):
        sites = [s.id for s in kb.sites.values() if indication in s.indications][:2] or ["procerus"]
        yield product, [{"indication": indication, "site": s, "units": 60} for s in sites]
        yield product, [{"indication": indication, "position": {"x_mm": 20, "y_mm": 20, "view": "front"}, "units": 9}]


def all_findings(kb: KnowledgeBase) -> Iterator[Finding]:
    for (product, shots), patient, history in itertools.product(plans(kb), PATIENTS, ([], HISTORY)):
        data = {
            "date": DAY.isoformat(),
            "patient": patient,
            "history": history,
            "treatment": {
                "product": product,
                "vial_units": 100,
                "diluent_ml": 2.5,
                "reconstituted_at": "2026-11-24T08:00:00+00:00",
                "injections": shots,
            },
        }
        yield from check(kb, parse_check_request(data, today=DAY), at=AT).result.findings


@pytest.fixture(scope="module")
def found(kb: KnowledgeBase) -> list[Finding]:
    return list(all_findings(kb))


def knowledge_ids(kb: KnowledgeBase) -> set[str]:
    ids = set(kb.indications) | set(kb.sites) | set(kb.conditions) | set(kb.citations)
    ids |= {z.id for z in kb.danger_zones} | {c.id for c in kb.interactions.classes}
    ids |= {lim.id for r in kb.regimens.values() for lim in r.limits}
    ids |= {lim.id for p in kb.products.values() for lim in p.limits}
    ids |= {c.id for p in kb.products.values() for c in p.contraindications}
    # one-word ids are the words themselves ("blepharospasm", "procerus"); product ids are not
    return {i for i in ids if "_" in i} | set(kb.products)


def test_the_set_is_broad(found: list[Finding]) -> None:
    codes = {f.code for f in found}
    assert len(found) > 10_000
    assert {"SITE_DOSE_ABOVE_MAX", "SESSION_DOSE_ABOVE_MAX", "CUMULATIVE_DOSE_ABOVE_MAX", "DANGER_ZONE"} <= codes
    assert {"CONTRAINDICATION", "NEUROMUSCULAR_DISORDER", "PREGNANCY_OR_LACTATION", "DRUG_INTERACTION"} <= codes
    assert {"OTHER_TOXIN_RECENT", "RETREATMENT_TOO_SOON", "AGE_OUTSIDE_LABEL", "OFF_LABEL_USE"} <= codes


def test_no_message_names_a_knowledge_base_id(kb: KnowledgeBase, found: list[Finding]) -> None:
    ids = knowledge_ids(kb)
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True)) + r")\b")
    leaks = {(f.code, m.group(1)) for f in found if (m := pattern.search(f.message))}
    assert not leaks


def test_every_finding_cites_a_source_where_the_knowledge_base_has_one(kb: KnowledgeBase, found: list[Finding]) -> None:
    uncited = {
        (f.code, f.subject.type)
        for f in found
        if not f.citations
        and f.code not in UNCITABLE
        # an entry the knowledge base does not know has no source of its own
        and not (f.code == "UNRECOGNISED_INPUT" and f.subject.type == "history")
    }
    assert not uncited
    assert all(c in kb.citations for f in found for c in f.citations)
    assert all(len(f.citations) <= 3 for f in found)
