"""The one way an error names the input it concerns: ``treatment.injections[2].units``.

Every surface reports the ``field`` of a refused input in this form: the CLI, the API, the
pages, a knowledge file's problems and a backup's rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
"""A key as the inputs spell them. Pydantic also puts the branch of a union it tried into an
error's location (``constrained-str``, ``CodedEntry``): those name no input and are left out."""

LOCATION_ROOTS = frozenset({"body", "query", "path", "header", "cookie"})
"""Where FastAPI found a value; not part of the field's own name."""


def field_path(location: Iterable[int | str]) -> str:
    """``("treatment", "injections", 2, "units")`` -> ``treatment.injections[2].units``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _NAME.match(part):
            path += f".{part}" if path else part
    return path
