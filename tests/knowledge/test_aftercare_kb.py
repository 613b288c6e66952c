"""Aftercare text and SNOMED CT site codes are knowledge: complete for every indication, cited,
and refused at load when a file is broken, naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE
from tests.knowledge.test_broken_kb import Mutation, edit, set_key
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.aftercare import verhoeff_valid
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load

GLABELLAR = "aftercare/indications/glabellar_lines.yaml"
GENERAL = "aftercare/general.yaml"
CODES = "interop/snomed_sites.yaml"


def test_every_indication_has_aftercare_with_timing_and_side_effects(kb: KnowledgeBase) -> None:
    assert set(kb.aftercare) == set(kb.indications)
    for sheet in kb.aftercare.values():
        assert sheet.onset.text and sheet.peak.text and sheet.duration.text and sheet.side_effects
    general = kb.aftercare_general
    assert general is not None and general.urgent.evidence == "label"
    words = " ".join(general.urgent.symptoms)
    for symptom in ("swallowing", "speaking", "breathing", "weakness"):
        assert symptom in words


def test_products_that_differ_say_so(kb: KnowledgeBase) -> None:
    daxxify = {p.product: p for p in kb.aftercare["glabellar_lines"].products}["daxibotulinumtoxina"]
    assert daxxify.duration is not None and "6 months" in daxxify.duration.text


def test_every_site_definition_is_coded_or_listed_as_unmapped(kb: KnowledgeBase) -> None:
    text = (KNOWLEDGE / CODES).read_text()
    for site in kb.site_definitions:
        assert site in kb.site_codes or site in text, site
    assert kb.site_codes["sternocleidomastoid"].code == "22823000"
    assert all(verhoeff_valid(c.code) for c in kb.site_codes.values())


def test_the_check_digit_catches_a_mistyped_code() -> None:
    assert verhoeff_valid("31764008")
    assert not verhoeff_valid("31764009")
    assert not verhoeff_valid("31746008")  # two digits swapped


CASES: list[tuple[str, Mutation, str, str]] = [
    ("unknown key", edit(GLABELLAR, set_key("colour", "blue")), GLABELLAR, "colour"),
    ("unknown indication", edit(GLABELLAR, set_key("indication", "elbow_lines")), GLABELLAR, "unknown indication"),
    (
        "unknown product",
        edit(GLABELLAR, lambda d: d["products"][0].__setitem__("product", "botox_plus")),
        GLABELLAR,
        "unknown product",
    ),
    ("uncited sentence", edit(GLABELLAR, lambda d: d["onset"].__setitem__("citations", [])), GLABELLAR, "citations"),
    (
        "dangling citation",
        edit(GLABELLAR, lambda d: d["peak"].__setitem__("citations", ["nobody_said_so"])),
        GLABELLAR,
        "unknown citation",
    ),
    (
        "evidence stronger than its sources",
        edit(GLABELLAR, lambda d: d["avoid"][0].__setitem__("evidence", "label")),
        GLABELLAR,
        "claims 'label' evidence",
    ),
    ("no side effects", edit(GLABELLAR, set_key("side_effects", [])), GLABELLAR, "side_effects"),
    ("missing timing", edit(GLABELLAR, lambda d: d.pop("duration")), GLABELLAR, "duration"),
    (
        "too few urgent symptoms",
        edit(GENERAL, lambda d: d["urgent"].__setitem__("symptoms", ["feeling unwell"])),
        GENERAL,
        "symptoms",
    ),
    ("general file missing", lambda root: (root / GENERAL).unlink(), GENERAL, "missing"),
    (
        "two files for one indication",
        lambda root: shutil.copy(root / GLABELLAR, root / "aftercare/indications/glabellar_copy.yaml"),
        GLABELLAR,
        "repeated",
    ),
    (
        "code for an unknown site",
        edit(CODES, lambda d: d["codes"][0].__setitem__("site", "elbow")),
        CODES,
        "unknown site definition",
    ),
    (
        "mistyped code",
        edit(CODES, lambda d: d["codes"][0].__setitem__("code", "22823001")),
        CODES,
        "check digit",
    ),
    ("code that is not a number", edit(CODES, lambda d: d["codes"][0].__setitem__("code", "SCM")), CODES, "code"),
    (
        "site both mapped and unmapped",
        edit(CODES, lambda d: d["unmapped"].append("sternocleidomastoid")),
        CODES,
        "both mapped and unmapped",
    ),
    (
        "code with an unknown source",
        edit(CODES, lambda d: d["codes"][0].__setitem__("citations", ["a_forum_post"])),
        CODES,
        "unknown citation",
    ),
]


@pytest.mark.parametrize(("mutation", "file", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_aftercare_or_codes_are_refused(tmp_path: Path, mutation: Mutation, file: str, expected: str) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    mutation(root)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    matching = [p for p in caught.value.problems if p.file == file and expected in f"{p.field}: {p.message}"]
    assert matching, "\n".join(str(p) for p in caught.value.problems)
