"""Titration advice and the clinic safety report as JSON-ready data, CSV and terminal text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from toxplan.domain.rates import CONFIDENCE
from toxplan.domain.safety.wording import indication_name, product_name, site_name
from toxplan.domain.safety_report import SafetyReport
from toxplan.domain.titration import Advice, Course, PastInjection
from toxplan.knowledge.base import KnowledgeBase
from toxplan.presenters import number


def _injections(injections: tuple[PastInjection, ...]) -> list[dict[str, Any]]:
    return [{"site": i.site, "units": number(i.units)} for i in injections]


def _course_json(course: Course, used: bool) -> dict[str, Any]:
    review = course.review
    return {
        "date": course.treated_on.isoformat(),
        "product": course.product,
        "used": used,
        "total_units": number(course.total_units),
        "injections": _injections(course.injections),
        "review": None
        if review is None
        else {
            "reviewed_on": review.reviewed_on.isoformat() if review.reviewed_on else None,
            "fws_rest": review.fws_rest,
            "fws_max": review.fws_max,
            "satisfaction": review.satisfaction,
            "touch_up_units": None if review.touch_up_units is None else number(review.touch_up_units),
        },
        "effect_days": course.effect_days,
        "returned_days": course.returned_days,
        "adverse_events": [
            {"type": e.type, "onset_on": e.onset_on.isoformat(), "sites": list(e.sites)} for e in course.events
        ],
    }


def advice_json(advice: Advice) -> dict[str, Any]:
    """``{"indication", "product", "courses", "suggestion": {"total_units", "injections",
    "reasons"}, "label_range": {"min", "max"}, "knowledge_version"}``."""
    suggestion = advice.suggestion
    limits = advice.label_range
    total = suggestion.total_units
    return {
        "indication": advice.indication,
        "product": advice.product,
        "courses": [_course_json(v.course, v.used) for v in advice.courses],
        "suggestion": {
            "total_units": None if total is None else number(total),
            "injections": _injections(suggestion.injections),
            "reasons": [{"rule": r.rule, "text": r.text, "citations": list(r.citations)} for r in suggestion.reasons],
        },
        "label_range": {
            "min": None if limits is None or limits.min is None else number(limits.min),
            "max": None if limits is None or limits.max is None else number(limits.max),
        },
        "knowledge_version": advice.knowledge_version,
    }


def _u(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _course_line(kb: KnowledgeBase, course: Course, used: bool) -> str:
    parts = [f"{course.treated_on}  {product_name(kb, course.product)} {_u(course.total_units)} U"]
    review = course.review
    if review is not None:
        scores = [
            f"wrinkle scale {review.fws_max} at max" if review.fws_max is not None else "",
            f"satisfaction {review.satisfaction}/5" if review.satisfaction is not None else "",
            f"touch-up {_u(review.touch_up_units)} U" if review.touch_up_units else "",
        ]
        parts.append(f"review {review.reviewed_on}: " + (", ".join(s for s in scores if s) or "no scores"))
    duration = course.duration
    if duration is not None:
        parts.append(f"{duration[1]} after {duration[0]} days")
    if course.events:
        parts.append("side effects: " + ", ".join(e.type.replace("_", " ") for e in course.events))
    if not used:
        parts.append("not used: another product")
    return "  " + " · ".join(parts)


def advice_text(advice: Advice, kb: KnowledgeBase) -> str:
    name = f"{indication_name(kb, advice.indication)} with {product_name(kb, advice.product)}"
    suggestion = advice.suggestion
    lines = []
    if suggestion.injections:
        lines.append(f"Suggestion for {name}: {_u(suggestion.total_units or Decimal(0))} U")
        lines += [f"  {site_name(kb, i.site)}: {_u(i.units)} U" for i in suggestion.injections]
    else:
        lines.append(f"No dose suggested for {name}.")
    lines.append("Reasons:")
    for reason in suggestion.reasons:
        cited = f" [{', '.join(reason.citations)}]" if reason.citations else ""
        lines.append(f"  - {reason.text} ({reason.rule}){cited}")
    limits = advice.label_range
    if limits is not None:
        lines.append(f"Label range: {limits.describe()}")
    lines.append("Past courses, newest first:" if advice.courses else "No past course of this area.")
    lines += [_course_line(kb, v.course, v.used) for v in advice.courses]
    lines.append(f"knowledge base {advice.knowledge_version}")
    return "\n".join(lines)


# --- the clinic safety report --------------------------------------------------------------------

RATE_COLUMNS = (
    "dimension",
    "group",
    "group_name",
    "product",
    "indication",
    "event",
    "treatments_with_event",
    "treatments",
    "rate_percent",
    "ci95_low_percent",
    "ci95_high_percent",
    "label_rate_percent",
    "label_bound",
    "label_evidence",
    "label_sources",
    "clearly_above_label",
)
DURATION_COLUMNS = ("product", "indication", "treatments", "median_days", "q1_days", "q3_days", "min_days", "max_days")


def _pct(value: float) -> float:
    return round(value, 2)


def rate_rows_json(report: SafetyReport, name_of: Callable[[str, str], str]) -> list[dict[str, Any]]:
    """One dict per rate row, with the columns of ``RATE_COLUMNS``; ``name_of(dimension, group)``
    names injectors and lots."""
    rows = []
    for row in report.rows:
        label = row.label
        rows.append(
            {
                "dimension": row.dimension,
                "group": row.group,
                "group_name": name_of(row.dimension, row.group),
                "product": row.product,
                "indication": row.indication,
                "event": row.event,
                "treatments_with_event": row.rate.events,
                "treatments": row.rate.treatments,
                "rate_percent": _pct(row.rate.percent),
                "ci95_low_percent": _pct(row.rate.low_percent),
                "ci95_high_percent": _pct(row.rate.high_percent),
                "label_rate_percent": None if label is None else number(label.rate_percent),
                "label_bound": None if label is None else label.bound,
                "label_evidence": None if label is None else label.evidence,
                "label_sources": None if label is None else " ".join(label.citations),
                "clearly_above_label": row.flagged,
            }
        )
    return rows


def duration_rows_json(report: SafetyReport) -> list[dict[str, Any]]:
    rows = []
    for row in report.durations:
        q1, q3 = row.quartiles
        rows.append(
            {
                "product": row.product,
                "indication": row.indication,
                "treatments": len(row.days),
                "median_days": row.median,
                "q1_days": q1,
                "q3_days": q3,
                "min_days": row.days[0],
                "max_days": row.days[-1],
            }
        )
    return rows


def report_json(report: SafetyReport, name_of: Callable[[str, str], str]) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "treatments": report.treatments,
        "confidence": CONFIDENCE,
        "rates": rate_rows_json(report, name_of),
        "durations": duration_rows_json(report),
        "label_rates_unknown": [
            {"product": u.product, "indication": u.indication, "reason": u.reason, "citations": list(u.citations)}
            for u in report.unknown
        ],
        "knowledge_version": report.knowledge_version,
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A CSV cell; text a spreadsheet would run as a formula (a typed lot number or name
    starting with ``=``) is written with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """Rows as CSV (RFC 4180, a header line first); empty cells for missing values."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="raise", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()
