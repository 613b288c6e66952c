"""Reading what the CLI needs from disk: the knowledge base, a policy, a request."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import ENV_DIR, load_cached, load_policy, parse_yaml
from toxplan.knowledge.policy import Policy

POLICY_ENV = "TOXPLAN_POLICY"


def knowledge() -> KnowledgeBase:
    return load_cached(os.environ.get(ENV_DIR) or None)


def policy_from(path: Path | None, kb: KnowledgeBase) -> Policy | None:
    chosen = path or (Path(os.environ[POLICY_ENV]) if os.environ.get(POLICY_ENV) else None)
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
        return parse_yaml(text)  # JSON is YAML too
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise InvalidInput(f"not valid JSON or YAML: {problem}", field="request") from None
