"""Dose knowledge broken on purpose: age gaps, per-muscle tables that do not add up or name an
unknown muscle, a clinic policy that loosens the fixed-dose factor. Each must be refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KNOWLEDGE
from tests.knowledge.test_broken_kb import Mutation, edit
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.loader import load

BOTOX = "products/onabotulinumtoxina.yaml"
XEOMIN_ULS = "regimens/incobotulinumtoxina/upper_limb_spasticity.yaml"
BOTOX_ULS = "regimens/onabotulinumtoxina/upper_limb_spasticity.yaml"
XEOMIN_SIALORRHEA = "regimens/incobotulinumtoxina/sialorrhea.yaml"


def drop_limit(limit_id: str) -> Any:
    def change(data: Any) -> None:
        data["limits"] = [lim for lim in data["limits"] if lim["id"] != limit_id]

    return change


def table(data: Any, index: int = 0) -> Any:
    return data["muscle_tables"][index]


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "an adult-only cumulative maximum leaves children without one",
        edit(BOTOX, drop_limit("botox_pediatric_toxplan_default_3_months")),
        BOTOX,
        "no critical maximum covers age 0",
    ),
    (
        "a pediatric limit that starts at 2 leaves a gap below it",
        edit(
            BOTOX,
            lambda d: [
                lim.__setitem__("ages", {"from_years": 2, "under_years": 18})
                for lim in d["limits"]
                if lim["id"] == "botox_pediatric_toxplan_default_3_months"
            ],
        ),
        BOTOX,
        "no critical maximum covers age 0",
    ),
    (
        "a pediatric limit that stops at 17 leaves a gap before 18",
        edit(
            BOTOX,
            lambda d: [
                lim.__setitem__("ages", {"under_years": 17})
                for lim in d["limits"]
                if lim["id"] == "botox_pediatric_toxplan_default_3_months"
            ],
        ),
        BOTOX,
        "no critical maximum covers age 17",
    ),
]


@pytest.mark.parametrize(("mutation", "file", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_dose_knowledge_is_refused(tmp_path: Path, mutation: Mutation, file: str, expected: str) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    mutation(root)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    matching = [p for p in caught.value.problems if p.file == file and expected in f"{p.field}: {p.message}"]
    assert matching, "\n".join(str(p) for p in caught.value.problems)


TABLE_CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "a per-muscle table naming an unknown muscle",
        edit(XEOMIN_ULS, lambda d: table(d)["rows"][0].__setitem__("muscle", "flexor_digitorum_imaginarius")),
        XEOMIN_ULS,
        "unknown muscle (site) 'flexor_digitorum_imaginarius'",
    ),
    (
        "a muscle dose above the table's total",
        edit(XEOMIN_ULS, lambda d: table(d)["rows"][5].__setitem__("units", {"min": 50, "max": 450})),
        XEOMIN_ULS,
        "more than the table's total of 400 U",
    ),
    (
        "a per-kg muscle dose above the table's per-kg total",
        edit(BOTOX_ULS, lambda d: table(d)["rows"][0].__setitem__("units_per_kg", {"min": 1.5, "max": 7})),
        BOTOX_ULS,
        "more than the table's total of 6 U/kg",
    ),
    (
        "a fixed weight-band table whose glands do not add up to its total",
        edit(XEOMIN_SIALORRHEA, lambda d: table(d, 1)["rows"][0].__setitem__("units", {"min": 7, "max": 7})),
        XEOMIN_SIALORRHEA,
        "rows add up to 22",
    ),
    (
        "a row with both units and units per kg",
        edit(XEOMIN_ULS, lambda d: table(d)["rows"][0].__setitem__("units_per_kg", {"min": 1, "max": 2})),
        XEOMIN_ULS,
        "not both",
    ),
    (
        "a dosed table with an undosed row",
        edit(XEOMIN_ULS, lambda d: table(d)["rows"][0].pop("units")),
        XEOMIN_ULS,
        "every row needs units",
    ),
    (
        "a muscle listed twice",
        edit(XEOMIN_ULS, lambda d: table(d)["rows"].append(dict(table(d)["rows"][0]))),
        XEOMIN_ULS,
        "listed twice",
    ),
    (
        "an unordered muscle range",
        edit(XEOMIN_ULS, lambda d: table(d)["rows"][0].__setitem__("units", {"min": 100, "max": 25})),
        XEOMIN_ULS,
        "unordered",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "file", "expected"), [c[1:] for c in TABLE_CASES], ids=[c[0] for c in TABLE_CASES]
)
def test_broken_muscle_tables_are_refused(tmp_path: Path, mutation: Mutation, file: str, expected: str) -> None:
    test_broken_dose_knowledge_is_refused(tmp_path, mutation, file, expected)
