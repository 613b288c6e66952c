"""Products are powders (reconstituted with a diluent) or ready-to-use solutions (a fixed
concentration, nothing added); a product that mixes the two is refused when it loads."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KNOWLEDGE
from tests.knowledge.test_broken_kb import Mutation, edit
from toxplan.domain.dilution import Dilution
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load

BOTOX = "products/onabotulinumtoxina.yaml"
SOLUTION = {"units_per_ml": 100, "citations": ["botox_pdr_reconstitution"], "evidence": "label"}


def _as_solution(data: Any) -> None:
    data.update(presentation="solution", solution=SOLUTION)
    data.pop("diluent")


CASES: list[tuple[str, Mutation, str]] = [
    ("a powder without its diluent", edit(BOTOX, lambda d: d.pop("diluent")), "a powder names its diluent"),
    (
        "a powder with a solution concentration",
        edit(BOTOX, lambda d: d.__setitem__("solution", SOLUTION)),
        "a powder has no 'solution' concentration",
    ),
    (
        "a solution with a reconstitution table",
        edit(BOTOX, _as_solution),
        "a ready-to-use solution is not reconstituted: remove reconstitution, reconstitution_incomplete_vials",
    ),
    (
        "a solution without its concentration",
        edit(BOTOX, lambda d: d.update(presentation="solution", reconstitution=[], diluent=None)),
        "gives its 'solution' concentration",
    ),
]


@pytest.mark.parametrize(("mutation", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_mixed_presentation_is_refused(tmp_path: Path, mutation: Mutation, expected: str) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    mutation(root)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    assert [p for p in caught.value.problems if p.file == BOTOX and expected in p.message], caught.value


def test_every_shipped_product_is_a_powder(kb: KnowledgeBase) -> None:
    assert {p.presentation for p in kb.products.values()} == {"powder"}
    assert all(p.diluent for p in kb.products.values())


def test_a_solution_holds_its_label_concentration() -> None:
    vial = Dilution.solution(Decimal(50), Decimal(100))
    assert vial.ready_to_use and vial.saline_ml is None
    assert vial.diluent_ml == Decimal("0.5")
    assert vial.units_per_0_1_ml == Decimal(10)
    assert vial.volume_ml(Decimal(4)) == Decimal("0.04")
    assert Dilution(Decimal(100), Decimal("2.5")).saline_ml == Decimal("2.5")
