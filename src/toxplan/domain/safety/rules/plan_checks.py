"""Plan rules: what the knowledge base does not know, off-label use, danger zones, dilution."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units
from toxplan.domain.plans import DilutionChoice
from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indication_name, indications_named, product_name, site_name
from toxplan.knowledge.models import Product


@rule("UNRECOGNISED_INPUT")
def unknown_plan_input(ctx: CheckContext) -> Iterator[Finding]:
    kb = ctx.kb
    if ctx.product is None:
        yield Finding(
            "UNRECOGNISED_INPUT",
            "critical",
            f"Product '{ctx.plan.product}' is not in the knowledge base: no label limit, "
            f"interval or contraindication could be checked. Known: "
            f"{', '.join(sorted(product_name(kb, p) for p in kb.products))}.",
            Subject("product", ctx.plan.product),
            (),
        )
    for indication in ctx.plan.indications():
        if indication not in kb.indications:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "critical",
                f"Indication '{indication}' is not in the knowledge base: its doses and limits could not be checked.",
                Subject("indication", indication),
                (),
            )
    sites = kb.sites
    for index, injection in enumerate(ctx.plan.injections):
        if injection.site is not None and injection.site not in sites:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"Injection {index + 1}: site '{injection.site}' is not in the knowledge base: "
                f"its position and danger zones were not checked.",
                Subject("injection", injection.site, index),
                (),
            )
    known = kb.indications
    for index, (entry, product) in enumerate(zip(ctx.history, ctx.history_products, strict=True)):
        if product is not None and entry.indication in known:
            continue
        if product is None:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"History {entry.date}: product '{entry.product}' is not known: its "
                f"{entry.units} U were not counted toward any limit.",
                Subject("history", entry.product, index),
                (),
            )
        elif entry.indication not in kb.indications:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"History {entry.date}: indication '{entry.indication}' is not known: the dose "
                f"counts toward whole-product limits only.",
                Subject("history", entry.indication, index),
                (),
            )


@rule("OFF_LABEL_USE")
def off_label(ctx: CheckContext) -> Iterator[Finding]:
    product = ctx.product
    if product is None:
        return
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is not None and regimen.label_status == "on_label":
            continue
        labelled = indications_named(ctx.kb, ctx.kb.on_label_indications(product.id))
        basis = (
            f" Doses here come from {regimen.evidence.replace('_', ' ')} evidence."
            if regimen is not None
            else " The knowledge base has no dose for it with this product."
        )
        name = indication_name(ctx.kb, indication)
        yield Finding(
            "OFF_LABEL_USE",
            "info",
            f"{name[:1].upper()}{name[1:]} is not on the US label of {product_name(ctx.kb, product.id)} "
            f"(label: {labelled}).{basis}",
            Subject("indication", indication),
            regimen.citations if regimen is not None else product.citations,
        )


@rule("DANGER_ZONE")
def danger_zones(ctx: CheckContext) -> Iterator[Finding]:
    """Zones are anatomy: they hold whatever indication an injection is typed as."""
    kb = ctx.kb
    for index, injection in enumerate(ctx.plan.injections):
        point = injection.position
        if point is None:
            continue
        for zone, part in kb.zones_holding(injection.indication, point, site=injection.site):
            side = "" if part == "midline" else f", {part} side"
            yield Finding(
                "DANGER_ZONE",
                zone.severity,
                f"Injection {index + 1} ({site_name(kb, injection.site)} for "
                f"{indication_name(kb, injection.indication)}, at x {point.x_mm}, y {point.y_mm} mm) "
                f"lies in the danger zone '{zone.name}'{side}: {zone.reason}",
                Subject("injection", injection.site or "position", index),
                zone.citations,
            )


@rule("DILUTION_UNUSUAL", "LABEL_VALUE_UNCONFIRMED", "INPUT_MISSING")
def dilution(ctx: CheckContext) -> Iterator[Finding]:
    """The dilution against the label table; where the table is unconfirmed or incomplete,
    against ToxPlan's class band (loudly)."""
    product = ctx.product
    choice = ctx.plan.dilution
    if product is None or choice is None:
        return
    used = choice.dilution
    name = product_name(ctx.kb, product.id)
    if used.ready_to_use:
        yield from _solution(product, choice, name)
        return
    rows = [r for r in product.reconstitution if r.vial_units == used.vial_units]
    listed = used.vial_units in product.vial_size_units
    if choice.source == "given" and listed and any(r.diluent_ml == used.diluent_ml for r in rows):
        return  # a label vial and dilution, as given: nothing to say (the common case, kept cheap)
    subject = Subject("dilution", f"{show_units(used.vial_units)} U/{used.diluent_ml} mL")
    concentration = show_units(used.units_per_0_1_ml.quantize(Decimal("0.01")))
    if choice.source != "given":
        yield Finding(
            "INPUT_MISSING",
            "info",
            f"No dilution given: volumes assume {show_units(used.vial_units)} U in "
            f"{used.diluent_ml} mL ({choice.source}). Give vial_units and diluent_ml to check yours.",
            subject,
            (),
        )
    if not listed:
        sizes = ", ".join(f"{show_units(v.units)} U" for v in product.vial_sizes)
        yield Finding(
            "DILUTION_UNUSUAL",
            "warning",
            f"{name} comes in {sizes} vials, not {show_units(used.vial_units)} U.",
            subject,
            product.vial_sizes[0].citations,
        )
    if any(r.diluent_ml == used.diluent_ml for r in rows):
        return
    table_citations = tuple(dict.fromkeys(c for r in product.reconstitution for c in r.citations))
    table = "; ".join(
        f"{show_units(r.vial_units)} U + {r.diluent_ml} mL = {show_units(r.units_per_0_1_ml)} U/0.1 mL"
        for r in product.reconstitution
    )
    if product.reconstitution and used.vial_units not in product.reconstitution_incomplete_vials:
        yield Finding(
            "DILUTION_UNUSUAL",
            "warning",
            f"{show_units(used.vial_units)} U of {name} in {used.diluent_ml} mL gives {concentration} U per "
            f"0.1 mL, which is not in the label table ({table}).",
            subject,
            table_citations,
        )
        return
    band = ctx.kb.defaults.dilution_band if ctx.kb.defaults is not None else None
    if band is None:
        return
    known = f" (confirmed rows: {table})" if table else ""
    inside = band.min_units_per_0_1_ml <= used.units_per_0_1_ml <= band.max_units_per_0_1_ml
    words = (
        f"{show_units(used.vial_units)} U of {name} in {used.diluent_ml} mL gives {concentration} U per 0.1 mL. "
        f"The label's reconstitution table for {name} is {'incomplete' if table else 'unconfirmed'}"
        f"{' for this vial' if table else ''}{known}; "
        f"ToxPlan's default accepts {show_units(band.min_units_per_0_1_ml)}-"
        f"{show_units(band.max_units_per_0_1_ml)} U per 0.1 mL, the span of the class's confirmed tables."
    )
    yield Finding(
        "LABEL_VALUE_UNCONFIRMED" if inside else "DILUTION_UNUSUAL",
        "info" if inside else "warning",
        words if inside else f"{words} This dilution is outside it.",
        subject,
        (*table_citations, *band.citations),
    )


def _solution(product: Product, choice: DilutionChoice, name: str) -> Iterator[Finding]:
    """A ready-to-use solution: a vial size of the label, and nothing added to it."""
    used = choice.dilution
    assert product.solution is not None
    subject = Subject("dilution", f"{show_units(used.vial_units)} U ready to use")
    if used.vial_units not in {v.units for v in product.vial_sizes}:
        sizes = ", ".join(f"{show_units(v.units)} U" for v in product.vial_sizes)
        yield Finding(
            "DILUTION_UNUSUAL",
            "warning",
            f"{name} comes in {sizes} vials, not {show_units(used.vial_units)} U.",
            subject,
            product.vial_sizes[0].citations,
        )
    if choice.ignored_diluent_ml is not None:
        concentration = show_units(used.units_per_0_1_ml.quantize(Decimal("0.01")))
        yield Finding(
            "DILUTION_UNUSUAL",
            "warning",
            f"{name} is a ready-to-use solution of {concentration} U per 0.1 mL: nothing is added to the "
            f"vial. The {choice.ignored_diluent_ml} mL of diluent given was not applied; volumes are at the "
            f"label's concentration.",
            subject,
            product.solution.citations,
        )
