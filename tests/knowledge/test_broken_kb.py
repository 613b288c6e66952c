"""Knowledge files broken on purpose: each must be refused, naming the file and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import KNOWLEDGE
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.loader import load

Mutation = Callable[[Path], None]


def edit(relative: str, change: Callable[[Any], None]) -> Mutation:
    def apply(root: Path) -> None:
        path = root / relative
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    return apply


def first_variant(data: Any) -> Any:
    return data["variants"][0]


def set_key(key: str, value: Any) -> Callable[[Any], None]:
    return lambda data: data.__setitem__(key, value)


GLABELLAR = "regimens/onabotulinumtoxina/glabellar_lines.yaml"
BOTOX = "products/onabotulinumtoxina.yaml"

CASES: list[tuple[str, Mutation, str, str]] = [
    ("unknown key", edit(BOTOX, set_key("colour", "blue")), BOTOX, "colour"),
    (
        "dangling citation",
        edit(GLABELLAR, set_key("citations", ["no_such_source"])),
        GLABELLAR,
        "unknown citation 'no_such_source'",
    ),
    ("uncited fact", edit(BOTOX, set_key("citations", [])), BOTOX, "citations"),
    (
        "unordered range",
        edit(GLABELLAR, set_key("recommended_total_units", {"min": 30, "max": 20})),
        GLABELLAR,
        "unordered",
    ),
    (
        "pattern that does not add up",
        edit(GLABELLAR, lambda d: first_variant(d)["pattern"][0].__setitem__("units", 5)),
        GLABELLAR,
        "adds up to",
    ),
    (
        "pattern at an unknown site",
        edit(GLABELLAR, lambda d: first_variant(d)["pattern"][0].__setitem__("site", "nowhere")),
        GLABELLAR,
        "unknown site 'nowhere'",
    ),
    (
        "evidence stronger than its sources",
        edit("face/landmarks.yaml", lambda d: d["landmarks"][0].__setitem__("evidence", "label")),
        "face/landmarks.yaml",
        "claims 'label' evidence",
    ),
    (
        "reconstitution row that does not compute",
        edit(BOTOX, lambda d: d["reconstitution"][0].__setitem__("units_per_0_1_ml", 7)),
        BOTOX,
        "units_per_0_1_ml",
    ),
    (
        "unknown allergen in a formulation",
        edit(BOTOX, lambda d: d["formulation"]["components"].append("unobtainium")),
        BOTOX,
        "unknown allergen 'unobtainium'",
    ),
    (
        "unknown landmark in a placement",
        edit(
            "face/danger_zones.yaml",
            lambda d: d["danger_zones"][0]["shape"]["line"][1].__setitem__("landmark", "chin_dimple"),
        ),
        "face/danger_zones.yaml",
        "unknown landmark 'chin_dimple'",
    ),
    (
        "danger zone band that turns back on itself",
        edit(
            "face/danger_zones.yaml",
            lambda d: d["danger_zones"][0]["shape"]["line"].append(
                {"kind": "offset", "landmark": "brow_medial_{side}"}
            ),
        ),
        "face/danger_zones.yaml",
        "turns back",
    ),
    (
        "danger zone exemption at an unknown site",
        edit(
            "face/danger_zones.yaml",
            lambda d: d["danger_zones"][1]["exemptions"][0].__setitem__("sites", ["third_eye"]),
        ),
        "face/danger_zones.yaml",
        "unknown site 'third_eye'",
    ),
    (
        "label combination naming an unknown indication",
        edit("combinations.yaml", lambda d: d["combinations"][0]["requires"].append("frown_lines")),
        "combinations.yaml",
        "unknown indication 'frown_lines'",
    ),
    (
        "purpose-severity risk naming an unknown drug",
        edit("purpose_severity.yaml", lambda d: d["risks"][3]["drugs"].append("gentamycine forte")),
        "purpose_severity.yaml",
        "unknown condition or drug",
    ),
    (
        "purpose-severity table without the pregnancy risk",
        edit("purpose_severity.yaml", lambda d: d["risks"].pop(0)),
        "purpose_severity.yaml",
        "no risk records the 'pregnant' screening answer",
    ),
    (
        "condition marker implying an unknown condition",
        edit("interactions.yaml", lambda d: d["condition_markers"][0].__setitem__("implies", ["myasthenia"])),
        "interactions.yaml",
        "unknown condition 'myasthenia'",
    ),
    (
        "danger zone limited to indications (zones are anatomy)",
        edit("face/danger_zones.yaml", lambda d: d["danger_zones"][1].__setitem__("indications", ["blepharospasm"])),
        "face/danger_zones.yaml",
        "Extra inputs are not permitted",
    ),
    (
        "limit with an unknown kind",
        edit(BOTOX, lambda d: d["limits"][0].__setitem__("kind", "daily_max")),
        BOTOX,
        "limits[0]",
    ),
    ("missing file", lambda root: (root / "conditions.yaml").unlink(), "conditions.yaml", "missing"),
    (
        "duplicate YAML key",
        lambda root: (root / "knowledge.yaml").write_text(
            (root / "knowledge.yaml").read_text() + "\nversion: 2026.1.1\n"
        ),
        "knowledge.yaml",
        "duplicate key 'version'",
    ),
    (
        "regimen filed under the wrong product",
        lambda root: shutil.move(root / GLABELLAR, root / "regimens/prabotulinumtoxina/glabellar_lines_copy.yaml"),
        "regimens/prabotulinumtoxina/glabellar_lines_copy.yaml",
        "file should be",
    ),
]


@pytest.mark.parametrize(("mutation", "file", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_knowledge_is_refused(tmp_path: Path, mutation: Mutation, file: str, expected: str) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    mutation(root)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    matching = [p for p in caught.value.problems if p.file == file and expected in f"{p.field}: {p.message}"]
    assert matching, "\n".join(str(p) for p in caught.value.problems)


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        load(tmp_path / "nothing")
