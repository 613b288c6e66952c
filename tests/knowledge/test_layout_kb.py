"""Regions and the chart's landmarks are knowledge data: a broken file is refused at load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE
from tests.knowledge.test_broken_kb import Mutation, edit
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load


def _drop_landmark(name: str) -> Mutation:
    return edit(
        "face/landmarks.yaml",
        lambda d: d.__setitem__("landmarks", [lm for lm in d["landmarks"] if lm["id"] != name]),
    )


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "indication in an undefined region",
        edit("indications.yaml", lambda d: d["indications"][0].__setitem__("region", "forehead")),
        "indications.yaml",
        "indications[0].region: unknown region 'forehead'",
    ),
    (
        "site in an undefined region",
        edit("sites/upper_face.yaml", lambda d: d["sites"][0].__setitem__("region", "brow")),
        "sites/upper_face.yaml",
        "sites[0].region: unknown region 'brow'",
    ),
    (
        "condition limited to an undefined region",
        edit("conditions.yaml", lambda d: next(c for c in d["conditions"] if c.get("regions"))["regions"].append("x")),
        "conditions.yaml",
        "unknown region 'x'",
    ),
    (
        "a landmark the chart draws from is missing",
        _drop_landmark("hairline"),
        "face/chart.yaml",
        "the chart needs landmark 'hairline'",
    ),
    (
        "a chart landmark in another view",
        edit("face/chart.yaml", lambda d: d["landmarks"]["back"].append("pupil_left")),
        "face/chart.yaml",
        "landmark 'pupil_left' is in view 'front', not 'back'",
    ),
    (
        "a region repeated",
        edit("regions.yaml", lambda d: d["regions"].append(dict(d["regions"][0]))),
        "regions.yaml",
        "region ids repeat",
    ),
    ("no regions file", lambda root: (root / "regions.yaml").unlink(), "regions.yaml", "missing"),
    ("no chart file", lambda root: (root / "face/chart.yaml").unlink(), "face/chart.yaml", "missing"),
]


@pytest.mark.parametrize(("mutation", "file", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_layout_is_refused(tmp_path: Path, mutation: Mutation, file: str, expected: str) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    mutation(root)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    matching = [p for p in caught.value.problems if p.file == file and expected in f"{p.field}: {p.message}"]
    assert matching, "\n".join(str(p) for p in caught.value.problems)


def test_every_shipped_indication_has_a_defined_region(kb: KnowledgeBase) -> None:
    assert {i.region for i in kb.indications.values()} <= set(kb.regions)


def test_the_chart_offers_aesthetic_areas_of_chart_regions(kb: KnowledgeBase) -> None:
    offered = {i.id for i in kb.indications.values() if kb.on_chart(i)}
    assert {"glabellar_lines", "forehead_lines", "platysma_bands"} <= offered
    assert not offered & {"upper_limb_spasticity", "axillary_hyperhidrosis", "chronic_migraine"}
