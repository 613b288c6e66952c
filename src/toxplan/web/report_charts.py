"""Charts of the clinic safety report, drawn server-side by Matplotlib as SVG.

Matplotlib's object API (``Figure``, no pyplot) keeps no global state, so requests may draw at
the same time. The SVG carries no date and fixed element ids, so the same numbers give the same
file. The page shows them as images; the numbers themselves are in its tables and CSV files.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from toxplan.domain.safety.wording import indication_name, product_name
from toxplan.domain.safety_report import RateRow, SafetyReport
from toxplan.knowledge.base import KnowledgeBase

MAX_ROWS = 30
"""The rate chart shows at most this many rows: flags first, then each product and area."""
INK, MUTED, ACCENT, CRITICAL, LABEL = "#1d2433", "#5b6475", "#1f6f8b", "#b3261e", "#9a6700"
DIMENSION_NAMES = {"area": "", "injector": "Injector ", "lot": "Lot "}


def _figure(width: float, height: float) -> Any:
    import matplotlib as mpl  # noqa: PLC0415 - Matplotlib takes ~0.3 s to load; only these charts need it
    from matplotlib.figure import Figure  # noqa: PLC0415

    mpl.rcParams["svg.hashsalt"] = "toxplan"  # fixed ids: reproducible files
    mpl.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, small)
    mpl.rcParams["font.family"] = "DejaVu Sans"
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _svg(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _empty(message: str) -> bytes:
    figure = _figure(8, 1.2)
    axes = figure.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, fontsize=11)
    return _svg(figure)


def chart_rows(report: SafetyReport) -> list[RateRow]:
    """Rows with a label to compare with: every product and area, and any flagged injector or
    lot (the tables list them all); flags first."""
    rows = [r for r in report.rows if r.label is not None and (r.dimension == "area" or r.flagged)]
    rows.sort(
        key=lambda r: (not r.flagged, list(DIMENSION_NAMES).index(r.dimension), r.group, r.indication or "", r.event)
    )
    return rows[:MAX_ROWS]


def rates_svg(report: SafetyReport, kb: KnowledgeBase, name_of: Callable[[str, str], str]) -> bytes:
    """A forest plot: each rate with its 95 % interval, the label's rate as a diamond, flags in red."""
    rows = chart_rows(report)
    if not rows:
        return _empty("No treatment in this period has a label rate to compare with.")
    figure = _figure(9, 1.4 + 0.34 * len(rows))
    axes = figure.add_subplot()
    for y, row in enumerate(reversed(rows)):
        colour = CRITICAL if row.flagged else ACCENT
        axes.plot([row.rate.low_percent, row.rate.high_percent], [y, y], color=colour, linewidth=2)
        axes.plot(row.rate.percent, y, "o", color=colour, markersize=6)
        assert row.label is not None
        axes.plot(float(row.label.rate_percent), y, "D", color=LABEL, markersize=6, markerfacecolor="white")
    labels = [_row_label(row, kb, name_of) for row in reversed(rows)]
    axes.set_yticks(range(len(rows)), labels, fontsize=8, color=INK)
    axes.set_xlabel("% of treatments with the event (95 % Wilson interval)", color=INK)
    axes.set_xlim(left=0)
    axes.grid(axis="x", color="#d7dce5", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.plot([], [], "o-", color=ACCENT, label="clinic rate and interval")
    axes.plot([], [], "o-", color=CRITICAL, label="clearly above the label")
    axes.plot([], [], "D", color=LABEL, markerfacecolor="white", linestyle="none", label="label rate")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    figure.suptitle(
        f"Adverse-event rates against the labels, {report.start} to {report.end}", x=0.01, ha="left", fontsize=11
    )
    return _svg(figure)


def _row_label(row: RateRow, kb: KnowledgeBase, name_of: Callable[[str, str], str]) -> str:
    who = "" if row.dimension == "area" else f"{DIMENSION_NAMES[row.dimension]}{name_of(row.dimension, row.group)} · "
    product = product_name(kb, row.product) if row.product else ""
    area = indication_name(kb, row.indication) if row.indication else ""
    return f"{who}{product} {area} · {row.event.replace('_', ' ')} ({row.rate.events}/{row.rate.treatments})"


def durations_svg(report: SafetyReport, kb: KnowledgeBase) -> bytes:
    """Box plots of the days until the effect wore off, per product and area."""
    rows = report.durations
    if not rows:
        return _empty("No review in this period recorded when the effect wore off.")
    figure = _figure(9, 1.4 + 0.42 * len(rows))
    axes = figure.add_subplot()
    data = [list(r.days) for r in reversed(rows)]
    boxes = axes.boxplot(data, orientation="horizontal", patch_artist=True, widths=0.55, showfliers=True)
    for box in boxes["boxes"]:
        box.set(facecolor="#e5ecf7", edgecolor=ACCENT)
    for median in boxes["medians"]:
        median.set(color=INK, linewidth=2)
    labels = [
        f"{product_name(kb, r.product)} {indication_name(kb, r.indication)} (n={len(r.days)})" for r in reversed(rows)
    ]
    axes.set_yticks(range(1, len(rows) + 1), labels, fontsize=8, color=INK)
    axes.set_xlabel("Days from treatment until the effect wore off", color=INK)
    axes.grid(axis="x", color="#d7dce5", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.suptitle(f"Duration of effect, treatments {report.start} to {report.end}", x=0.01, ha="left", fontsize=11)
    return _svg(figure)
