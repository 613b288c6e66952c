"""What every command shares: output formats and the one error handler of this surface."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer

from toxplan.errors import KnowledgeBaseError, ToxPlanError
from toxplan.settings import Settings, get_settings


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


_started: Settings | None = None


def read_settings() -> Settings:
    """Read and check the settings once, as a command starts (the ``toxplan`` callback)."""
    global _started  # noqa: PLW0603 - one command per process, or per CliRunner call
    _started = None
    _started = get_settings()
    return _started


def settings() -> Settings:
    """The settings read when this command started (read now when called outside the CLI)."""
    return _started if _started is not None else get_settings()


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
