"""``toxplan plan``, ``check`` and ``dilution``: the clinical core on the command line.

These commands read the knowledge base and run the domain; they never import the database,
the web app or the document code, so a `toxplan check` process starts quickly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from toxplan.cli.common import Format, FormatOption, clean_errors, emit
from toxplan.cli.loading import knowledge, policy_from, read_request
from toxplan.domain.checking import check as run_check
from toxplan.domain.checking import check_moment
from toxplan.domain.dilution import Dilution, show_marks, show_units, show_volume, syringe_marks
from toxplan.domain.plans import IndicationChoice, build_plan
from toxplan.domain.requests import CheckRequest, parse_check_request
from toxplan.errors import InvalidInput
from toxplan.presenters import check_json, findings_text, plan_json, plan_text
from toxplan.primitives.numbers import UNITS_STEP, round_half_up


def decimal_option(value: float | None, field: str) -> Decimal | None:
    if value is None:
        return None
    result = Decimal(str(value))
    if not result.is_finite() or result <= 0:
        raise InvalidInput("must be a number greater than 0", field=field)
    return result


def plan(
    product: Annotated[str, typer.Option(help="Product id, INN or brand name (e.g. botox).")],
    indication: Annotated[
        list[str],
        typer.Option(
            help="Indication id; repeat for several. Choose a variant as ID:VARIANT, e.g. platysma_bands:2+2."
        ),
    ],
    vial_units: Annotated[float | None, typer.Option(help="Vial size in units.")] = None,
    diluent_ml: Annotated[float | None, typer.Option(help="Saline added to the vial, in mL.")] = None,
    format: FormatOption = Format.text,
) -> None:
    """Lay out the label-standard plan: sites, units, volume and syringe marks per injection."""
    with clean_errors():
        kb = knowledge()
        built = build_plan(
            kb,
            product=product,
            indications=[IndicationChoice.parse(i) for i in indication],
            vial_units=decimal_option(vial_units, "vial_units"),
            diluent_ml=decimal_option(diluent_ml, "diluent_ml"),
        )
        if format is Format.json:
            emit(plan_json(built, kb))
        else:
            typer.echo(plan_text(built, kb))


def local_times(request: CheckRequest) -> CheckRequest:
    """A reconstitution time written without a zone is local time on this machine, with the
    UTC offset of its own date (not today's: a daylight-saving change may lie between)."""
    made = request.treatment.reconstituted_at
    if made is None or made.tzinfo is not None:
        return request
    treatment = request.treatment.model_copy(update={"reconstituted_at": made.astimezone()})
    return request.model_copy(update={"treatment": treatment})


def check(
    request: Annotated[str, typer.Argument(help="JSON or YAML request file, or - for standard input.")],
    policy: Annotated[
        Path | None,
        typer.Option(help="Clinic policy file (YAML) that makes rules stricter. Also $TOXPLAN_POLICY."),
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """Check a planned treatment against the labels, the patient and their history.

    Exit status 0 when no finding is critical, 1 when one is, 2 when the request is invalid.
    """
    with clean_errors():
        kb = knowledge()
        clinic_policy = policy_from(policy, kb)
        now = dt.datetime.now().astimezone()  # local time, with its zone
        parsed = local_times(parse_check_request(read_request(request), today=now.date()))
        assert parsed.date is not None
        at = check_moment(parsed.date, now)
        if parsed.date != now.date():  # the end of that day by its own UTC offset (daylight saving)
            at = at.replace(tzinfo=None).astimezone()
        checked = run_check(kb, parsed, at=at, policy=clinic_policy)
    if format is Format.json:
        emit(check_json(checked, kb))
    else:
        typer.echo(findings_text(checked.result.findings, kb))
        typer.echo("")
        typer.echo(plan_text(checked.plan, kb))
    raise typer.Exit(1 if checked.result.critical else 0)


def dilution(
    vial_units: Annotated[float, typer.Option(help="Vial size in units.")],
    diluent_ml: Annotated[float, typer.Option(help="Saline added, in mL.")],
    dose: Annotated[list[float] | None, typer.Option(help="Units per injection; repeat for several.")] = None,
    format: FormatOption = Format.text,
) -> None:
    """Concentration of a reconstituted vial, and the volume and syringe marks for a dose."""
    with clean_errors():
        vial = decimal_option(vial_units, "vial_units")
        diluent = decimal_option(diluent_ml, "diluent_ml")
        assert vial is not None and diluent is not None
        solution = Dilution(vial, diluent)
        doses = [d for d in (decimal_option(x, "dose") for x in dose or []) if d is not None]
    rows = []
    for units in doses:
        volume = solution.volume_ml(units)
        rows.append(
            {
                "units": float(show_units(units)) if units % 1 else int(units),
                "volume_ml": float(show_volume(volume)),
                "syringe_units": float(show_marks(syringe_marks(volume))),
            }
        )
    per_tenth = round_half_up(solution.units_per_0_1_ml, UNITS_STEP)
    if format is Format.json:
        emit(
            {
                "vial_units": vial_units,
                "diluent_ml": diluent_ml,
                "units_per_ml": float(round_half_up(solution.units_per_ml, UNITS_STEP)),
                "units_per_0_1_ml": float(per_tenth),
                "doses": rows,
            }
        )
        return
    typer.echo(f"{show_units(vial)} U + {diluent} mL = {show_units(per_tenth)} U per 0.1 mL")
    for row in rows:
        typer.echo(
            f"{row['units']} U = {row['volume_ml']:.3f} mL = {row['syringe_units']} marks on a U-100 insulin syringe"
        )
