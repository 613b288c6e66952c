"""Path parameters shared by the API and the web pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from toxplan import limits

Key = Annotated[str, Path(min_length=1, max_length=limits.ID_INPUT, pattern=r"^[^\x00]+$")]
"""A record id or lot number in a path. PostgreSQL refuses NUL in text, so such a value is
invalid input here rather than a server error in the lookup."""
