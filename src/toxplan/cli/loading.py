"""Reading what the CLI needs from disk: the knowledge base, a policy, a request."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from toxplan.cli.common import settings
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load_cached, load_policy
from toxplan.knowledge.policy import Policy


def knowledge() -> KnowledgeBase:
    """The knowledge base of the settings (``TOXPLAN_KNOWLEDGE_DIR``, ``TOXPLAN_CACHE_DIR``)."""
    current = settings()
    return load_cached(current.knowledge_dir, current.cache_dir)


def policy_from(path: Path | None, kb: KnowledgeBase) -> Policy | None:
    """The policy named by ``--policy``, else by ``TOXPLAN_POLICY``, else none."""
    chosen = path or settings().policy_path
    if chosen is None:
        return None
    if not chosen.is_file():
        raise InvalidInput(f"policy file {chosen} does not exist", field="policy")
    return load_policy(chosen, kb)


def read_request(source: str) -> Any:
    """Decode a JSON or YAML request from a file, or from standard input for ``-``."""
    if source == "-":
        text = sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInput(f"file {source} does not exist", field="request")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read {source}: {exc}", field="request") from None
    if not text.strip():
        raise InvalidInput("the request is empty", field="request")
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_refuse_duplicates)
    except ValueError:
        pass  # not JSON: try YAML, which reports its own errors
    from toxplan.knowledge.yaml_io import YamlError, parse_yaml  # noqa: PLC0415 - only for YAML input

    try:
        return parse_yaml(text)
    except YamlError as exc:
        problem = str(exc).splitlines()[0]
        raise InvalidInput(f"not valid JSON or YAML: {problem}", field="request") from None


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput(f"key {key!r} appears twice", field="request")
        result[key] = value
    return result
