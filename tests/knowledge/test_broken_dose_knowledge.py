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
