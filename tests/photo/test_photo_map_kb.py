"""The photo landmark map is knowledge data: broken on purpose, it must be refused at load."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import KNOWLEDGE
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load
from toxplan.photo.analysis import photo_map
from toxplan.photo.model import canonical_face

FILE = "face/photo_landmarks.yaml"


def _entry(data: dict[str, Any], landmark: str) -> dict[str, Any]:
    return next(e for e in data["landmarks"] if e["id"] == landmark)


def _set(landmark: str, **measure: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: _entry(data, landmark)["measure"].update(measure)


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown landmark", lambda d: _entry(d, "nasion").update(id="nasium"), "unknown landmark 'nasium'"),
    ("a side-view landmark", lambda d: _entry(d, "nasion").update(id="tragus_side_left"), "left-view landmark"),
    (
        "a front landmark left out",
        lambda d: d["landmarks"].remove(_entry(d, "glabella")),
        "front-view landmark 'glabella' is not mapped",
    ),
    ("a landmark mapped twice", lambda d: d["landmarks"].append(dict(_entry(d, "menton"))), "mapped twice"),
    ("index past the mesh", _set("menton", indices=[478]), "less than 478"),
    ("a contour at a carried landmark", _set("brow_left", at="hairline"), "'hairline' is not another measured"),
    ("the other eye's iris", _set("pupil_left", indices=[468]), "iris point(s) [468] of the other eye"),
    ("sides measured differently", _set("alare_right", kind="carried", indices=None), "measured differently"),
    ("the origin carried", lambda d: _entry(d, "pupil_left").update(measure={"kind": "carried"}), "frame's origin"),
    ("a midline point moved sideways", _set("menton", lateral_mm=3), "midline landmark has no lateral offset"),
    ("an unknown key", lambda d: d["scale"].update(colour="blue"), "colour"),
    ("an uncited scale", lambda d: d["scale"].update(citations=["no_such_source"]), "unknown citation"),
    ("a tolerance of nothing", lambda d: d["scale"].update(tolerance_percent=0), "tolerance_percent"),
    ("a pose limit past 45°", lambda d: d["frontal_limits"].update(yaw_deg=60), "yaw_deg"),
]


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_photo_map_is_refused(
    tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / FILE
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(_drop_none(data), sort_keys=False))
    with pytest.raises(KnowledgeBaseError) as refused:
        load(root)
    assert any(p.file == FILE and expected in f"{p.field}: {p.message}" for p in refused.value.problems), name


def test_a_missing_photo_map_loads_but_charting_on_a_photo_says_so(tmp_path: Path) -> None:
    """The map serves photos only: a knowledge base without it still checks plans, and
    charting on a photo is refused with the missing file named, never guessed."""
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / FILE).unlink()
    kb = load(root)
    assert kb.photo_landmarks is None
    with pytest.raises(KnowledgeBaseError, match=r"photo_landmarks\.yaml: file is missing"):
        photo_map(kb)


def test_left_landmarks_use_the_patients_left_half_of_the_mesh(kb: KnowledgeBase) -> None:
    """x > 0 on the canonical face is the patient's left (face-landmarks.md 4.1)."""
    vertices = canonical_face().vertices
    assert kb.photo_landmarks is not None
    for lm in kb.photo_landmarks.landmarks:
        indices = [i for i in getattr(lm.measure, "indices", ()) if i < len(vertices)]
        xs = vertices[indices, 0] if indices else []
        if lm.id.endswith("_left"):
            assert all(x > 0 for x in xs), lm.id
        elif lm.id.endswith("_right"):
            assert all(x < 0 for x in xs), lm.id
