"""Plan rules: what the knowledge base does not know, off-label use, danger zones, dilution."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units
from toxplan.domain.plans import DilutionChoice, Injection
from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indication_name, indications_named, product_name, site_name
from toxplan.knowledge.base import Site
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
            else " The knowledge base has no dose for it with this product, so no dose, site count or "
            "interval of it could be checked (only the product's overall maximum)."
        )
        name = indication_name(ctx.kb, indication)
        yield Finding(
            "OFF_LABEL_USE",
            "info" if regimen is not None else "warning",  # a check that cannot run is not silent
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
            f"No full dilution given (vial_units and diluent_ml): volumes assume {show_units(used.vial_units)} U in "
            f"{used.diluent_ml} mL ({choice.source}). Give vial_units and diluent_ml to check yours.",
            subject,
            tuple(
                dict.fromkeys(c for r in product.reconstitution if r.vial_units == used.vial_units for c in r.citations)
            ),
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


REGIONS_ALSO = {"head_and_neck": frozenset({"upper_face", "neck"})}
"""Body regions whose indication may also use sites of other regions (chronic migraine sites
lie on the forehead and the neck as well as the head)."""
BY_MUSCLE = frozenset({"upper_limb", "lower_limb", "bladder"})
"""Regions whose doses are given per muscle or organ: there is no chart point to check."""


def _dosed_per_muscle(ctx: CheckContext, indication: str) -> bool:
    regimen = ctx.regimen(indication)
    if regimen is not None and any(r.units or r.units_per_kg for t in regimen.muscle_tables for r in t.rows):
        return True
    return ctx.kb.indications[indication].region in BY_MUSCLE


def _citations_for(ctx: CheckContext, indication: str) -> tuple[str, ...]:
    """The regimen's sources (its label's sites and doses), else the product's."""
    regimen = ctx.regimen(indication)
    if regimen is not None:
        return regimen.citations
    return ctx.product.citations if ctx.product is not None else ()


def _wrong_view(ctx: CheckContext, indication: str, injection: Injection, site: Site | None) -> str | None:
    """Where the indication's sites lie, when the injection's point is on another view of the
    chart (a glabellar point on the back view); None when the view fits or nothing says where."""
    point = injection.position
    if point is None:
        return None
    views = {s.view for s in ctx.kb.sites.values() if indication in s.indications and s.view is not None}
    if site is not None and site.view is not None:
        views.add(site.view)
    if not views or point.view in views:
        return None
    return "its sites are on the " + " and ".join(sorted(views)) + " view" + ("s" if len(views) > 1 else "")


@rule("UNRECOGNISED_INPUT", "INPUT_MISSING")
def site_fits_indication(ctx: CheckContext) -> Iterator[Finding]:
    """A site that is not one of the indication's (a neck muscle typed as upper limb
    spasticity), or a free point where the label doses per muscle: the figures checked may be
    the wrong ones, or none, so it is said."""
    kb = ctx.kb
    for index, injection in enumerate(ctx.plan.injections):
        indication = kb.indications.get(injection.indication)
        if indication is None:
            continue  # an unknown indication is already critical
        name = indication_name(kb, indication.id)
        site = kb.sites.get(injection.site) if injection.site else None
        wrong_view = _wrong_view(ctx, indication.id, injection, site)
        if wrong_view is not None and injection.position is not None:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"Injection {index + 1} ({name}) is placed on the {injection.position.view} view, where no "
                f"{name} site lies ({wrong_view}): the danger zones of the area it is meant for "
                f"could not hold it. Place it on the view of its area.",
                Subject("injection", injection.site or "position", index),
                _citations_for(ctx, indication.id),
            )
        if site is None:
            if injection.site is None and injection.position is not None and _dosed_per_muscle(ctx, indication.id):
                yield Finding(
                    "INPUT_MISSING",
                    "warning",
                    f"Injection {index + 1} ({name}, {show_units(injection.units)} U) is given only as a point on the "
                    f"{injection.position.view} chart, with no muscle or gland: the label's per-muscle doses and "
                    f"site counts could not be checked for it. Choose the muscle's site.",
                    Subject("injection", "position", index),
                    _citations_for(ctx, indication.id),
                )
            continue
        if indication.id in site.indications:
            continue
        region = site.definition.region
        same_region = region == indication.region or region in REGIONS_ALSO.get(indication.region, ())
        if same_region and not site.indications:
            continue
        used_for = (
            f"it is a site of {indications_named(kb, site.indications)}"
            if site.indications
            else "no label pattern uses it"
        )
        where = Subject("injection", site.id, index)
        citations = _citations_for(ctx, indication.id)
        if same_region:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "info",
                f"Injection {index + 1}: the {site_name(kb, site.id)} is not one of the label's sites for {name} "
                f"({used_for}); its dose was checked against {name}.",
                where,
                citations,
            )
            continue
        yield Finding(
            "UNRECOGNISED_INPUT",
            "warning",
            f"Injection {index + 1}: the {site_name(kb, site.id)} ({region.replace('_', ' ')}) is not a site of {name} "
            f"({indication.region.replace('_', ' ')}); {used_for}. The site or the indication is wrong, so the "
            f"figures checked may not be the ones that apply. Correct it before treating.",
            where,
            citations,
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
