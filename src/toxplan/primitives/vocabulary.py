"""The closed sets of words every layer shares: views of the face, sides, severities, depths."""

from __future__ import annotations

from typing import Literal, get_args

Severity = Literal["critical", "warning", "info"]
Depth = Literal["intramuscular", "intradermal", "subcutaneous", "intradetrusor", "intraglandular"]
View = Literal["front", "left", "right", "back"]
Side = Literal["left", "right"]

SEVERITY_RANK: dict[Severity, int] = {"info": 0, "warning": 1, "critical": 2}


VIEWS: tuple[View, ...] = get_args(View)


def as_view(text: str | None) -> View | None:
    """A stored view name as a ``View``; None when empty or not a view."""
    for view in VIEWS:
        if text == view:
            return view
    return None


def stricter(a: Severity, b: Severity) -> Severity:
    return a if SEVERITY_RANK[a] >= SEVERITY_RANK[b] else b
