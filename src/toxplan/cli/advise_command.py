"""``toxplan advise``: titration advice for a returning patient from the records."""

from __future__ import annotations

from typing import Annotated

import typer

from toxplan.cli.common import Format, FormatOption, clean_errors, emit
from toxplan.cli.db_commands import _actor, database_session
from toxplan.cli.loading import knowledge
from toxplan.services.schemas import Actor


def advise(
    patient: Annotated[str, typer.Option(help="Patient id.")],
    indication: Annotated[str, typer.Option(help="Indication (area) id, e.g. glabellar_lines.")],
    product: Annotated[
        str | None,
        typer.Option(help="Product to plan with (id, INN or brand). Default: the product of the latest course."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(help="E-mail of the injector or medical director asking (recorded in the audit log)."),
    ] = None,
    clinic: Annotated[str | None, typer.Option(help="Clinic id, when the e-mail exists in several.")] = None,
    format: FormatOption = Format.text,
) -> None:
    """Suggest the next course's dose in an area from the patient's past courses there.

    Only courses of the same product inform the dose: units are never converted between products.

    The suggestion stays within the label's range; every reason names its rule and sources.

    With no usable history it suggests the label's starting dose. The read is audited.
    """
    from toxplan.outcome_views import advice_json, advice_text  # noqa: PLC0415
    from toxplan.services.titration import advise_patient  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        with database_session() as session:
            actor: Actor | None = _actor(session, user, clinic) if user else None
            advice = advise_patient(session, actor, patient_id=patient, indication=indication, kb=kb, product=product)
    if format is Format.json:
        emit(advice_json(advice))
    else:
        typer.echo(advice_text(advice, kb))
