"""``toxplan audit``: check the tamper evidence of the records."""

from __future__ import annotations

from typing import Annotated

import typer

from toxplan.cli.common import Format, FormatOption, clean_errors, emit
from toxplan.cli.db_commands import database_session

audit_app = typer.Typer(help="The audit log's tamper evidence.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    clinic: Annotated[str | None, typer.Option(help="Check this clinic's chain only (default: every chain).")] = None,
    format: FormatOption = Format.text,
) -> None:
    """Check every audit chain link by link and every signed treatment against its content hash.

    Exit status 0 when everything verifies, 1 when a problem is found (each one is listed:
    an event changed, missing or inserted, a treatment whose doses no longer match its hash),
    2 when the database cannot be read.
    """
    from toxplan.services.integrity import verify_database  # noqa: PLC0415

    with clean_errors(), database_session() as session:
        report = verify_database(session, clinic_id=clinic)
    if format is Format.json:
        emit({"ok": report.ok, "chains": report.chains, "treatments": report.treatments, "problems": report.problems})
    else:
        for chain, count in sorted(report.chains.items()):
            typer.echo(f"chain {chain}: {count} events")
        typer.echo(f"{report.treatments} signed treatments")
        for problem in report.problems:
            typer.echo(f"PROBLEM {problem}")
        typer.echo("verified: every chain links and every hash matches" if report.ok else "NOT VERIFIED")
    raise typer.Exit(0 if report.ok else 1)
