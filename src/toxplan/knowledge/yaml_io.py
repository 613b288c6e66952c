"""Strict YAML reading for knowledge files, policies and requests.

PyYAML silently keeps the last of two equal keys and reads 0.1 as a binary float; both would
let a typo or a rounding slip into a dose. This loader refuses duplicate keys and reads every
decimal number exactly, as written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

YamlError = yaml.YAMLError
if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same rules, faster


class StrictLoader(_Base):
    """Safe YAML loader that refuses duplicate keys and reads decimals exactly."""


def _mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _decimal(loader: Any, node: yaml.ScalarNode) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def parse_yaml(text: str) -> Any:
    """Parse YAML (JSON is YAML too) with the strict rules above."""
    return yaml.load(text, Loader=StrictLoader)
