"""Consent forms are knowledge: every shipped form states the boxed warning, alternatives and
the off-label statement, every statement is cited, and broken forms are refused by name."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import KNOWLEDGE
from toxplan.domain.consent_text import form_for, render
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load

BOTOX_FORM = "consent/forms/onabotulinumtoxina_aesthetic.yaml"


def test_every_product_has_an_aesthetic_form_with_the_boxed_warning(kb: KnowledgeBase) -> None:
    for product in kb.products:
        form = form_for(kb, product, "aesthetic")
        assert form is not None, product
        assert any(kb.consent_statements[r].boxed for r in form.risks)
        doc = render(kb, form, ("glabellar_lines",))
        assert "Boxed warning" in doc.text.split("Risks", 1)[1].split("\n")[1]  # the first risk
        assert "Alternatives" in doc.text and "Off-label use" not in doc.text


def test_every_statement_names_its_sources(kb: KnowledgeBase) -> None:
    for statement in kb.consent_statements.values():
        assert statement.citations and all(c in kb.citations for c in statement.citations)


def test_the_off_label_statement_names_only_off_label_areas(kb: KnowledgeBase) -> None:
    form = form_for(kb, "prabotulinumtoxina", "aesthetic")
    assert form is not None
    doc = render(kb, form, ("glabellar_lines",))
    assert doc.off_label == ()
    botox = form_for(kb, "onabotulinumtoxina", "aesthetic")
    assert botox is not None
    doc = render(kb, botox, ("glabellar_lines", "masseter", "gummy_smile"))
    assert doc.off_label == ("masseter", "gummy_smile")
    assert "not approved on its US label for masseter reduction and gummy smile" in doc.text


def test_the_text_and_hash_change_with_the_areas(kb: KnowledgeBase) -> None:
    form = form_for(kb, "onabotulinumtoxina", "aesthetic")
    assert form is not None
    one, two = render(kb, form, ("glabellar_lines",)), render(kb, form, ("glabellar_lines", "forehead_lines"))
    assert one.sha256 != two.sha256 and render(kb, form, ("glabellar_lines",)).sha256 == one.sha256


def _broken(tmp_path: Path, relative: str, change: Any) -> str:
    root = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE, root)
    path = root / relative
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(KnowledgeBaseError) as refused:
        load(root)
    return str(refused.value)


def test_a_form_without_the_boxed_warning_is_refused(tmp_path: Path) -> None:
    message = _broken(tmp_path, BOTOX_FORM, lambda d: d["risks"].remove("boxed_distant_spread"))
    assert f"{BOTOX_FORM}: risks: a consent form must state the boxed warning" in message


def test_a_dangling_or_misplaced_statement_is_refused(tmp_path: Path) -> None:
    message = _broken(tmp_path, BOTOX_FORM, lambda d: d["alternatives"].extend(["no_such", "local_effects"]))
    assert "alternatives[2]: unknown consent statement 'no_such'" in message
    assert "alternatives[3]: 'local_effects' is a risk statement, not alternative" in message


def test_an_uncited_statement_is_refused(tmp_path: Path) -> None:
    message = _broken(tmp_path, "consent/statements.yaml", lambda d: d["statements"][0].__setitem__("citations", []))
    assert "consent/statements.yaml" in message and "citations" in message
