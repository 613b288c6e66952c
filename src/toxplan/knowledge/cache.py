"""A per-user cache of the loaded knowledge base, so a CLI call does not re-parse YAML.

Only a knowledge base that passed every check is written, and its file name is the SHA-256
of every knowledge file's name and text together with the ToxPlan and Python versions: an
edited file, another release or another interpreter never reads a stale entry. The cache
holds no clinical fact of its own; deleting it only costs time. Set ``TOXPLAN_CACHE_DIR`` to
move it, or to an empty string to turn it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from toxplan import __version__
from toxplan.knowledge.base import KnowledgeBase

ENV = "TOXPLAN_CACHE_DIR"
PATTERNS = (
    "knowledge.yaml",
    "indications.yaml",
    "interactions.yaml",
    "conditions.yaml",
    "purpose_severity.yaml",
    "combinations.yaml",
    "citations/*.yaml",
    "products/*.yaml",
    "regimens/*/*.yaml",
    "sites/*.yaml",
    "face/*.yaml",
    "outcomes/*.yaml",
    "consent/*.yaml",
    "consent/forms/*.yaml",
)


def cache_directory() -> Path | None:
    configured = os.environ.get(ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toxplan"


def knowledge_cache_key(directory: Path) -> str | None:
    """Digest of every knowledge file, or None when the files cannot all be read."""
    digest = hashlib.sha256(f"{__version__}|{sys.version}|".encode())
    try:
        for pattern in PATTERNS:
            for path in sorted(directory.glob(pattern)):
                digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def read_cached(key: str) -> KnowledgeBase | None:
    folder = cache_directory()
    if folder is None:
        return None
    try:
        with (folder / f"kb-{key}.pickle").open("rb") as handle:
            found = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return found if isinstance(found, KnowledgeBase) else None


def write_cached(key: str, kb: KnowledgeBase) -> None:
    folder = cache_directory()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as handle:
            pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, folder / f"kb-{key}.pickle")  # atomic: readers see all or nothing
    except OSError:
        return  # a read-only home only costs time
