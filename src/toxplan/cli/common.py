"""What every command shares: output formats and the one error handler of this surface."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer

from toxplan.errors import KnowledgeBaseError, ToxPlanError


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]


@contextmanager
def clean_errors() -> Iterator[None]:
    """One handler for this surface: typed errors become a message and an exit status."""
    try:
        yield
    except KnowledgeBaseError as exc:
        typer.echo(f"toxplan: {exc}", err=True)
        raise typer.Exit(3) from None
    except ToxPlanError as exc:
        typer.echo(f"toxplan: error: {exc}", err=True)
        raise typer.Exit(2) from None


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
