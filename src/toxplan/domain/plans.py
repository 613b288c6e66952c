"""Treatment plans: the label-standard layout, edits to it, and its totals."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from toxplan.domain.dilution import Dilution, VialUse, syringe_marks, vials_needed
from toxplan.domain.geometry import Position
from toxplan.domain.safety.wording import indication_name
from toxplan.errors import InvalidInput, NotFound, PlanNotAvailable
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.dose_models import MuscleTable
from toxplan.knowledge.models import Depth, Product, Regimen
from toxplan.primitives.memo import cached
from toxplan.primitives.numbers import UNITS_STEP, round_half_up


class Injection(NamedTuple):
    """One injection: a named site of the knowledge base, or a free position on the chart."""

    indication: str
    units: Decimal
    site: str | None = None
    position: Position | None = None
    muscle: str | None = None
    depth: Depth | None = None
    needle: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class IndicationChoice:
    """An indication to plan, with the label variant to use (e.g. platysma bands ``2+2``)."""

    indication: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> IndicationChoice:
        """``glabellar_lines`` or ``platysma_bands:2+2``."""
        name, _, variant = text.partition(":")
        return cls(name.strip(), variant.strip() or None)


SOLUTION_SOURCE = "ready-to-use solution, label concentration"


@dataclass(frozen=True)
class DilutionChoice:
    dilution: Dilution
    source: str
    """Where it came from: given, the label table, or the regimen's stated concentration."""
    ignored_diluent_ml: Decimal | None = None
    """Diluent named for a ready-to-use solution, which is not diluted (so not applied)."""


@dataclass(frozen=True)
class Totals:
    units: Decimal
    volume_ml: Decimal | None
    syringe_marks: Decimal | None
    vials: VialUse | None
    injections: int


@dataclass(frozen=True)
class Plan:
    product: str
    dilution: DilutionChoice | None
    injections: tuple[Injection, ...]
    notes: tuple[str, ...] = ()
    """What the clinician must do with the plan, e.g. individualise a label starting template."""

    def volume_ml(self, injection: Injection) -> Decimal | None:
        return None if self.dilution is None else self.dilution.dilution.volume_ml(injection.units)

    def indications(self) -> list[str]:
        """Indications in the order they first appear in the plan."""
        return list(self.units_by_indication)

    def units_for(self, indication: str | None = None) -> Decimal:
        if indication is None:
            return sum(self.units_by_indication.values(), Decimal(0))
        return self.units_by_indication.get(indication, Decimal(0))

    @cached
    def units_by_indication(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for injection in self.injections:
            totals[injection.indication] = totals.get(injection.indication, Decimal(0)) + injection.units
        return totals

    @cached
    def count_by_indication(self) -> dict[str, int]:
        """Injections per indication."""
        counts: dict[str, int] = {}
        for injection in self.injections:
            counts[injection.indication] = counts.get(injection.indication, 0) + 1
        return counts

    def totals(self, indication: str | None = None) -> Totals:
        chosen = [i for i in self.injections if indication is None or i.indication == indication]
        units = sum((i.units for i in chosen), Decimal(0))
        if self.dilution is None:
            return Totals(units, None, None, None, len(chosen))
        dilution = self.dilution.dilution
        volume = dilution.volume_ml(units)
        vials = vials_needed(units, dilution.vial_units)
        return Totals(units, volume, syringe_marks(volume), vials, len(chosen))

    # --- edits: each returns a new plan -------------------------------------------------

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self.injections):
            raise InvalidInput(
                f"there is no injection {index}; the plan has {len(self.injections)}",
                field="injection",
            )

    def with_units(self, index: int, units: Decimal) -> Plan:
        self._check_index(index)
        if units <= 0:
            raise InvalidInput("units must be greater than 0", field="units")
        changed = self.injections[index]._replace(units=units)
        return replace(self, injections=(*self.injections[:index], changed, *self.injections[index + 1 :]))

    def without(self, index: int) -> Plan:
        self._check_index(index)
        return replace(self, injections=self.injections[:index] + self.injections[index + 1 :])

    def with_injection(self, injection: Injection) -> Plan:
        if injection.units <= 0:
            raise InvalidInput("units must be greater than 0", field="units")
        return replace(self, injections=(*self.injections, injection))


def at_site(kb: KnowledgeBase, site_id: str, indication: str, units: Decimal) -> Injection:
    """An injection at a named site, with the site's muscle, depth and template position."""
    site = kb.site(site_id)
    return Injection(indication, units, site.id, site.position, site.muscle, site.depth)


def at_position(indication: str, units: Decimal, position: Position) -> Injection:
    """An injection at a free point of the chart frame."""
    return Injection(indication, units, None, position)


def choose_dilution(
    product: Product,
    regimens: list[Regimen],
    vial_units: Decimal | None,
    diluent_ml: Decimal | None,
) -> DilutionChoice | None:
    """The dilution to plan with: as given, else the label row matching the pattern.

    A ready-to-use solution is never diluted: its vial (as given, else its smallest) holds the
    label's concentration, whatever ``diluent_ml`` says (the dilution rule reports that).
    """
    if product.solution is not None:
        sizes = sorted(v.units for v in product.vial_sizes)
        vial = vial_units if vial_units is not None else sizes[0]
        solution = Dilution.solution(vial, product.solution.units_per_ml)
        return DilutionChoice(solution, SOLUTION_SOURCE, ignored_diluent_ml=diluent_ml)
    if vial_units is not None and diluent_ml is not None:
        return DilutionChoice(Dilution(vial_units, diluent_ml), "given")
    wanted = next((r.concentration_units_per_0_1_ml for r in regimens if r.concentration_units_per_0_1_ml), None)
    rows = [r for r in product.reconstitution if vial_units is None or r.vial_units == vial_units]
    if diluent_ml is not None:
        rows = [r for r in rows if r.diluent_ml == diluent_ml]
    if wanted is not None:
        rows = [r for r in rows if r.units_per_0_1_ml == wanted] or rows
    if rows:
        # Prefer the 100 U vial, the size every product's table lists first.
        row = min(rows, key=lambda r: (abs(r.vial_units - 100), r.diluent_ml))
        return DilutionChoice(Dilution(row.vial_units, row.diluent_ml), "label reconstitution table")
    vial = vial_units if vial_units is not None else max(v.units for v in product.vial_sizes)
    if diluent_ml is not None:
        # a diluent volume without the vial size is not a concentration: say which vial was assumed
        source = "given" if vial_units is not None else f"the diluent given; a {vial} U vial assumed"
        return DilutionChoice(Dilution(vial, diluent_ml), source)
    if wanted is not None:
        return DilutionChoice(Dilution(vial, vial / (wanted * 10)), "concentration stated with the dose")
    return None


def build_plan(
    kb: KnowledgeBase,
    *,
    product: str,
    indications: list[IndicationChoice],
    vial_units: Decimal | None = None,
    diluent_ml: Decimal | None = None,
) -> Plan:
    """The label-standard plan for each indication, in the order asked.

    An indication whose label individualises doses per muscle gets the label's starting
    template instead (the low end of each muscle's range, one limb), marked "individualise".
    """
    chosen = kb.product(product)
    if not indications:
        raise InvalidInput("name at least one indication", field="indication")
    regimens = [_regimen(kb, chosen, choice.indication) for choice in indications]
    injections: list[Injection] = []
    notes: list[str] = []
    for choice, regimen in zip(indications, regimens, strict=True):
        if not regimen.variants:
            template = template_table(regimen)
            assert template is not None  # _regimen refused the indication otherwise
            injections.extend(_template_injections(kb, choice.indication, template))
            notes.append(
                f"{indication_name(kb, choice.indication)}: individualise. This is the label's starting template "
                f"({template.description.strip()}) at the low end of each muscle's range, on the left "
                f"side; choose the muscles, doses and side for the patient, then run `toxplan check`."
            )
            continue
        variant_id = choice.variant or regimen.default_variant
        variant = next((v for v in regimen.variants if v.id == variant_id), None)
        if variant is None:
            options = ", ".join(v.id for v in regimen.variants)
            raise NotFound(
                f"{choice.indication} has no variant {variant_id!r}; choose one of: {options}",
                field="indication",
            )
        for step in variant.pattern:
            injections.extend(at_site(kb, step.site, choice.indication, step.units) for _ in range(step.count))
    dilution = choose_dilution(chosen, regimens, vial_units, diluent_ml)
    return Plan(chosen.id, dilution, tuple(injections), tuple(notes))


def template_table(regimen: Regimen) -> MuscleTable | None:
    """The per-muscle table ``toxplan plan`` may lay out: adult, dosed in units."""
    for table in regimen.muscle_tables:
        adult = table.ages is None or table.ages.contains(Decimal(30))
        dosed = all(row.units is not None for row in table.rows)
        if table.template and adult and dosed and table.weights is None and table.dose_basis != "muscles_only":
            return table
    return None


def _template_injections(kb: KnowledgeBase, indication: str, table: MuscleTable) -> list[Injection]:
    found = []
    for row in table.rows:
        assert row.units is not None
        sites = kb.muscle_sites(row.muscle)
        site = next((s for s in sites if s.endswith("_left")), sites[0])
        count = row.sites.min if row.sites is not None and row.sites.min > 0 else 1
        each = round_half_up(row.units.min / count, UNITS_STEP)
        words = f"individualise: label range {row.units.min}-{row.units.max} U" + (
            f" in {row.sites.min}-{row.sites.max} sites" if row.sites is not None else ""
        )
        for _ in range(count):
            found.append(at_site(kb, site, indication, each)._replace(note=words))
    return found


def _regimen(kb: KnowledgeBase, product: Product, indication: str) -> Regimen:
    kb.indication(indication)
    regimen = kb.regimen(product.id, indication)
    if regimen is None:
        labelled = ", ".join(kb.on_label_indications(product.id)) or "none"
        raise PlanNotAvailable(
            f"the knowledge base has no pattern for {indication} with {product.brands[0]} "
            f"({product.id}); its label covers: {labelled}. Chart the injections yourself "
            f"and run `toxplan check` on them.",
            field="indication",
        )
    if not regimen.variants and template_table(regimen) is None:
        dose = regimen.recommended_total_units
        detail = f" (recommended total {dose.min}-{dose.max} U)" if dose else ""
        muscles = sorted({row.muscle for table in regimen.muscle_tables for row in table.rows})
        listed = (
            f" Muscles the knowledge base names for it: {', '.join(m.replace('_', ' ') for m in muscles)}."
            if muscles
            else ""
        )
        raise PlanNotAvailable(
            f"the source gives no fixed injection pattern or adult per-muscle starting doses for "
            f"{indication} with {product.brands[0]}: doses are individualised per muscle{detail}.{listed} "
            f"Chart the injections yourself (`toxplan kb sites --indication {indication}`) and run "
            f"`toxplan check` on them.",
            field="indication",
        )
    return regimen
