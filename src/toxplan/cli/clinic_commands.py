"""``toxplan clinic``: the clinic's own details that its documents print."""

from __future__ import annotations

from typing import Annotated

import typer

from toxplan.cli.common import clean_errors
from toxplan.cli.db_commands import _actor, database_session

clinic_app = typer.Typer(help="The clinic's details printed on records and aftercare sheets.", no_args_is_help=True)


@clinic_app.command("phone")
def phone(
    number: Annotated[str, typer.Argument(help="Phone number patients call, e.g. +1-202-555-0100 ('' clears it).")],
    user: Annotated[str, typer.Option(help="E-mail of an admin or medical director of the clinic.")],
    clinic: Annotated[str | None, typer.Option(help="Clinic id, when the e-mail exists in several.")] = None,
) -> None:
    """Set the phone number printed on aftercare sheets and treatment records."""
    from toxplan.services.clinics import set_phone  # noqa: PLC0415

    with clean_errors(), database_session() as session:
        changed = set_phone(session, _actor(session, user, clinic), number)
        shown = changed.phone or "none"
        name = changed.name
    typer.echo(f"{name}: phone {shown}")
