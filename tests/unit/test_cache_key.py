"""The knowledge cache is named by every knowledge file and by the code that reads them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE
from toxplan.knowledge import cache


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge"))


FILES = ["defaults.yaml", "aftercare/general.yaml", "interop/snomed_sites.yaml", "regions.yaml"]


@pytest.mark.parametrize("name", FILES)
def test_an_edit_to_any_knowledge_file_changes_the_key(folder: Path, name: str) -> None:
    before = cache.knowledge_cache_key(folder)
    path = folder / name
    path.write_text(path.read_text() + "\n# edited\n")
    assert cache.knowledge_cache_key(folder) != before


def test_another_release_or_schema_changes_the_key(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.knowledge_cache_key(folder)
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    assert cache.knowledge_cache_key(folder) != before
    monkeypatch.undo()
    monkeypatch.setattr(cache, "schema_version", lambda: "another schema")
    assert cache.knowledge_cache_key(folder) != before


def test_the_schema_version_is_a_digest_of_the_schema_and_primitives_code() -> None:
    version = cache.schema_version()
    assert len(version) == 16 and int(version, 16) >= 0
    assert cache.SCHEMA_PACKAGES == ("knowledge", "primitives")
