"""A per-user cache of the loaded knowledge base, so a CLI call does not re-parse YAML.

Only a knowledge base that passed every check is written. Its file name is the SHA-256 of
every knowledge file's name and text, the ToxPlan version, the schema version (a digest of
the modules whose objects the cache holds: the knowledge schema, loader and indexes, and the
primitives they build on) and the Python version: an edited file, another release, a changed
schema or another interpreter never reads a stale entry. The cache holds no clinical fact of
its own; deleting it only costs time. The caller names the folder (``TOXPLAN_CACHE_DIR``,
read by ``toxplan.settings``); this module reads no environment.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path

from toxplan import __version__
from toxplan.knowledge.base import KnowledgeBase

SCHEMA_PACKAGES = ("knowledge", "primitives")
"""Packages (under ``toxplan``) whose classes a cached knowledge base is made of."""


@cache
def schema_version() -> str:
    """Digest of the schema's source: changes whenever a model, an index or the math changes."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in SCHEMA_PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            digest.update(f"{package}/{path.name}".encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def knowledge_cache_key(directory: Path) -> str | None:
    """Digest of every knowledge file and of the code that reads them, or None when the files
    cannot all be read."""
    try:
        digest = hashlib.sha256(f"{__version__}|{schema_version()}|{sys.version}|".encode())
        for path in sorted(directory.rglob("*.yaml")):
            digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def read_cached(folder: Path, key: str) -> KnowledgeBase | None:
    try:
        with (folder / f"kb-{key}.pickle").open("rb") as handle:
            found = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return found if isinstance(found, KnowledgeBase) else None


def write_cached(folder: Path, key: str, kb: KnowledgeBase) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as handle:
            pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, folder / f"kb-{key}.pickle")  # atomic: readers see all or nothing
    except OSError:
        return  # a read-only home only costs time
