"""``toxplan report`` (printable PDFs) and ``toxplan export`` (FHIR R4 and CSV): records that
leave the building, read through the audited services as the user named by ``--user``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from toxplan.cli.common import clean_errors
from toxplan.cli.db_commands import _actor, database_session
from toxplan.cli.loading import knowledge
from toxplan.errors import InvalidInput

report_app = typer.Typer(help="Printable PDF documents of a signed treatment.", no_args_is_help=True)
export_app = typer.Typer(help="A patient's record as FHIR R4, or the clinic's records as CSV.", no_args_is_help=True)

User = Annotated[str, typer.Option(help="E-mail of the user asking (recorded in the audit log).")]
Clinic = Annotated[str | None, typer.Option(help="Clinic id, when the e-mail exists in several.")]


def write(output: Path | None, data: bytes) -> None:
    """Write to ``output``, or to standard output when it is None or ``-``."""
    if output is None or str(output) == "-":
        typer.get_binary_stream("stdout").write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror}", field="output") from None
    typer.echo(f"wrote {output} ({len(data):,} bytes)", err=True)


@report_app.command("treatment")
def report_treatment(
    treatment_id: Annotated[str, typer.Argument(help="Treatment id.")],
    output: Annotated[Path, typer.Option(help="PDF file to write.")],
    user: User,
    clinic: Clinic = None,
) -> None:
    """The signed treatment record as PDF: diagram, injections, totals, findings, signatures."""
    from toxplan.reports.record import treatment_record_pdf  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        with database_session() as session:
            pdf = treatment_record_pdf(
                session, _actor(session, user, clinic), treatment_id, kb=kb, now=dt.datetime.now(dt.UTC)
            )
        write(output, pdf)


@report_app.command("aftercare")
def report_aftercare(
    treatment_id: Annotated[str, typer.Argument(help="Treatment id.")],
    output: Annotated[Path, typer.Option(help="PDF file to write.")],
    user: User,
    clinic: Clinic = None,
) -> None:
    """The patient's aftercare sheet as PDF: what to expect, what to avoid, when to get help."""
    from toxplan.reports.aftercare import aftercare_pdf  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        with database_session() as session:
            pdf = aftercare_pdf(
                session, _actor(session, user, clinic), treatment_id, kb=kb, now=dt.datetime.now(dt.UTC)
            )
        write(output, pdf)


@export_app.command("fhir")
def export_fhir(
    patient: Annotated[str, typer.Option(help="Patient id.")],
    user: User,
    output: Annotated[Path | None, typer.Option(help="JSON file to write (default: standard output).")] = None,
    clinic: Clinic = None,
) -> None:
    """A patient's toxin record as a FHIR R4 Bundle (collection), validated before it is written."""
    import json  # noqa: PLC0415

    from toxplan.interop.fhir import patient_bundle  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        with database_session() as session:
            bundle = patient_bundle(session, _actor(session, user, clinic), patient, kb=kb, now=dt.datetime.now(dt.UTC))
        write(output, (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode())


@export_app.command("csv")
def export_csv(
    kind: Annotated[
        str, typer.Argument(help="treatments (one row per injection), lots, adverse_events or follow_ups.")
    ],
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC), YYYY-MM-DD.")],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (UTC), YYYY-MM-DD.")],
    user: User,
    output: Annotated[Path | None, typer.Option(help="CSV file to write (default: standard output).")] = None,
    clinic: Clinic = None,
) -> None:
    """The clinic's records of one kind over a period as CSV (treatments and follow-ups by visit
    day, adverse events by onset day, lots by the visits that used them)."""
    from toxplan.interop.csv_export import export_csv as make_csv  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        with database_session() as session:
            text = make_csv(session, _actor(session, user, clinic), kind, start.date(), end.date(), kb=kb)
        write(output, text.encode())
