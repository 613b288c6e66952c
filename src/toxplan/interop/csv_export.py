"""The clinic's CSV exports: treatments in a period (one row per injection), lot usage,
adverse events and follow-up outcomes.

Times are UTC in ISO 8601, decimals are written with their stored digits, and free text that
a spreadsheet would run as a formula (starting with = + - @) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import exports
from toxplan.services.schemas import Actor

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def text(value: str | None) -> str:
    """Free text, made safe to open in a spreadsheet."""
    if not value:
        return ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _treatments(session: Session, actor: Actor, span: exports.Period, kb: KnowledgeBase) -> Iterable[Sequence[Any]]:
    yield (
        "treatment_id", "visit_at", "patient_id", "family_name", "given_name", "birth_date", "product",
        "lot_number", "lot_expiry", "vial_units", "diluent_ml", "injection", "indication", "site", "snomed_code",
        "muscle", "units", "volume_ml", "depth", "view", "x_mm", "y_mm", "injector", "cosigner",
        "knowledge_version", "note",
    )  # fmt: skip
    for t, i, p, lot, injector, cosigner in exports.injections(session, actor, span):
        site = kb.sites.get(i.site) if i.site else None
        code = kb.site_codes.get(site.definition.id) if site else None
        yield (
            t.id, t.visit_at, p.id, text(p.family_name), text(p.given_name), p.birth_date, t.product,
            lot.lot_number, lot.expiry_date, t.vial_units, t.diluent_ml, i.seq + 1, i.indication, i.site,
            code.code if code else None, i.muscle, i.units, i.volume_ml, i.depth, i.view, i.x_mm, i.y_mm,
            text(injector), text(cosigner), t.knowledge_version, text(i.note),
        )  # fmt: skip


def _lots(session: Session, actor: Actor, span: exports.Period, kb: KnowledgeBase) -> Iterable[Sequence[Any]]:
    yield ("product", "lot_number", "expiry_date", "vial_units", "patients", "treatments", "units_given")
    for lot, patients, treatments, units in exports.lot_usage(session, actor, span):
        yield (lot.product, lot.lot_number, lot.expiry_date, lot.vial_units, patients, treatments, units)


def _adverse_events(session: Session, actor: Actor, span: exports.Period, kb: KnowledgeBase) -> Iterable[Sequence[Any]]:
    yield (
        "event_id", "onset_on", "type", "severity", "serious", "outcome", "sites", "description", "patient_id",
        "family_name", "given_name", "treatment_id", "visit_at", "product", "lot_number", "recorded_at",
    )  # fmt: skip
    for e, p, t, lot in exports.adverse_events(session, actor, span):
        yield (
            e.id, e.onset_on, e.type, e.severity, e.serious, e.outcome, e.sites, text(e.description), p.id,
            text(p.family_name), text(p.given_name), t.id, t.visit_at, t.product, lot.lot_number, e.recorded_at,
        )  # fmt: skip


def _follow_ups(session: Session, actor: Actor, span: exports.Period, kb: KnowledgeBase) -> Iterable[Sequence[Any]]:
    yield (
        "follow_up_id", "treatment_id", "visit_at", "patient_id", "family_name", "given_name", "product", "due_on",
        "reviewed_on", "fws_rest", "fws_max", "satisfaction", "touch_up_units", "effect_wore_off_on", "note",
    )  # fmt: skip
    for f, p, t in exports.follow_ups(session, actor, span):
        yield (
            f.id, t.id, t.visit_at, p.id, text(p.family_name), text(p.given_name), t.product, f.due_on,
            f.reviewed_on, f.fws_rest, f.fws_max, f.satisfaction, f.touch_up_units, f.effect_wore_off_on, text(f.note),
        )  # fmt: skip


Writer = Callable[[Session, Actor, exports.Period, KnowledgeBase], Iterable[Sequence[Any]]]
KINDS: dict[str, Writer] = {
    "treatments": _treatments,
    "lots": _lots,
    "adverse_events": _adverse_events,
    "follow_ups": _follow_ups,
}
"""What can be exported; treatments have one row per injection."""


def export_csv(session: Session, actor: Actor, kind: str, first: dt.date, last: dt.date, *, kb: KnowledgeBase) -> str:
    """The CSV text of one kind of record over the days ``first`` to ``last`` (an audited export)."""
    writer = KINDS.get(kind.replace("-", "_"))
    if writer is None:
        raise InvalidInput(f"choose one of {', '.join(KINDS)}", field="kind")
    span = exports.period(first, last)
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\r\n")
    for row in writer(session, actor, span, kb):
        table.writerow([cell(v) for v in row])
    return out.getvalue()
