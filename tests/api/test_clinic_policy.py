"""The server applies the clinic policy its settings name (``TOXPLAN_POLICY``, or ``toxplan serve
--policy``): a check through the API is as strict as ``toxplan check`` with the same policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import API, ok, sign_in
from tests.conftest import request
from toxplan.app import create_app
from toxplan.credentials.passwords import hash_password
from toxplan.db.engine import unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import clinics
from toxplan.settings import get_settings

POLICY = """
name: Twelve weeks
intervals:
  - id: cosmetic_12_weeks
    categories: [aesthetic]
    minimum: {weeks: 12}
    across_indications: true
    reason: one cosmetic session per quarter
"""
HISTORY = [{"date": "2026-09-20", "product": "onabotulinumtoxina", "indication": "lateral_canthal_lines", "units": 24}]
"""Crow's feet nine weeks ago: the label has nothing against glabellar lines today."""


def retreatment_citations(kb: KnowledgeBase, directory: Path, environment: dict[str, str]) -> list[str]:
    database = f"sqlite:///{directory / 'toxplan.db'}"
    app = create_app(get_settings({"TOXPLAN_DATABASE_URL": database, **environment}), kb=kb)
    upgrade(app.state.engine)
    with unit_of_work(app.state.sessions) as session:
        clinic = clinics.create_clinic(session, "Policy clinic")
        user = {"name": "Ines Injector", "email": "ines@example.org", "role": "injector"}
        clinics.create_user(session, clinic.id, user, password_hash=hash_password("correct horse battery staple"))
    client = sign_in(app, "ines@example.org")
    data = request(history=HISTORY, reconstituted_at="2026-11-25T11:00:00+00:00")
    answer: dict[str, Any] = ok(client.post(f"{API}/check", json=data))
    return [f["citations"] for f in answer["findings"] if f["code"] == "RETREATMENT_TOO_SOON"]


def test_the_policy_named_in_the_settings_applies_to_every_check(
    kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> None:
    policy = tmp_path_factory.mktemp("policy") / "policy.yaml"
    policy.write_text(POLICY)
    strict = retreatment_citations(kb, tmp_path_factory.mktemp("strict"), {"TOXPLAN_POLICY": str(policy)})
    plain = retreatment_citations(kb, tmp_path_factory.mktemp("plain"), {})
    assert plain == []
    assert len(strict) == 1 and "policy:cosmetic_12_weeks" in str(strict[0])
