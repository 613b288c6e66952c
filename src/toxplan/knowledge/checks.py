"""Cross-file checks: every reference resolves, every fact is cited, every pattern adds up."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel

from toxplan.errors import Problem
from toxplan.knowledge.aftercare import check_aftercare
from toxplan.knowledge.base import build_term_indexes, expand_site, landmark_positions
from toxplan.knowledge.consent_models import consent_problems
from toxplan.knowledge.dose_models import MuscleTable
from toxplan.knowledge.layout_checks import check_layout
from toxplan.knowledge.models import (
    AgeRange,
    BetweenPlacement,
    Citation,
    Cited,
    DoseLimit,
    OffsetPlacement,
    Product,
    Regimen,
    Side,
)
from toxplan.knowledge.outcome_checks import check_outcomes
from toxplan.knowledge.photo_map import FILE as PHOTO_MAP_FILE
from toxplan.knowledge.photo_map import check_photo_map
from toxplan.knowledge.raw import RawKnowledge
from toxplan.knowledge.terms import ICD10, normalise
from toxplan.knowledge.zone_models import Band, BandAbove, Circle, DangerZone, Polygon, ZoneShape
from toxplan.primitives.geometry import compile_zone

TOLERANCE = Decimal("0.005")
ZONES = "face/danger_zones.yaml"


def zone_landmarks(shape: ZoneShape) -> list[tuple[str, str]]:
    """Each landmark a zone shape is drawn from, with the field naming it (sides filled in)."""
    if isinstance(shape, BandAbove | Circle):
        return [(name, f"landmarks[{j}]") for j, name in enumerate(shape.landmarks)]
    points = shape.line if isinstance(shape, Band) else shape.corners
    field = "line" if isinstance(shape, Band) else "corners"
    found = []
    for side in shape.sides or (None,):
        for j, point in enumerate(points):
            names = [point.landmark] if isinstance(point, OffsetPlacement) else [point.a, point.b]
            for name in names:
                if "{side}" in name and side is None:
                    found.append((name, f"{field}[{j}] (give sides: [left, right] to use {{side}})"))
                else:
                    found.append((name.replace("{side}", side or ""), f"{field}[{j}]"))
    return found


class _Checker:
    def __init__(self, raw: RawKnowledge) -> None:
        self.raw = raw
        self.problems: list[Problem] = []
        self.citations: dict[str, Citation] = {}
        for name, cfile in raw.citation_files:
            for i, c in enumerate(cfile.citations):
                if c.id in self.citations:
                    self.add(name, f"citations[{i}].id", f"citation id {c.id!r} is repeated")
                self.citations[c.id] = c
        assert raw.indication_file and raw.landmark_file and raw.condition_file
        self.indications = {i.id for i in raw.indication_file.indications}
        self.landmarks = {lm.id: lm for lm in raw.landmark_file.landmarks}
        self.products = {p.id for _, p in raw.products}
        self.allergens = {a.id for a in raw.condition_file.allergens}
        self.conditions = {c.id for c in raw.condition_file.conditions}
        self.sites: set[str] = set()
        self.site_definitions = {s.id for _, f in raw.site_files for s in f.sites}

    def add(self, file: str, field: str, message: str) -> None:
        self.problems.append(Problem(file, field, message))

    # --- citations ---------------------------------------------------------------------

    def cited(self, file: str, field: str, fact: Cited) -> None:
        levels = []
        for c in fact.citations:
            if c not in self.citations:
                self.add(file, f"{field}.citations", f"unknown citation {c!r}")
            else:
                levels.append(self.citations[c].evidence)
        if levels and fact.evidence != "estimate" and fact.evidence not in levels:
            self.add(
                file,
                f"{field}.evidence",
                f"claims {fact.evidence!r} evidence but its citations are {sorted(set(levels))}",
            )

    def walk_cited(self, file: str, model: BaseModel, path: str = "") -> None:
        """Check the citations of ``model`` and of every cited fact nested inside it."""
        if isinstance(model, Cited):
            self.cited(file, path or "(file)", model)
        for name in type(model).model_fields:
            value = getattr(model, name)
            items = value if isinstance(value, tuple) else (value,)
            for index, item in enumerate(items):
                if isinstance(item, BaseModel):
                    sub = f"{path}.{name}" if path else name
                    if isinstance(value, tuple):
                        sub += f"[{index}]"
                    self.walk_cited(file, item, sub)

    # --- references ----------------------------------------------------------------------

    def known(self, file: str, field: str, value: str, pool: set[str], what: str) -> None:
        if value not in pool:
            self.add(file, field, f"unknown {what} {value!r}")

    def unique(self, items: Iterable[tuple[str, str, str]], what: str) -> None:
        seen: dict[str, str] = {}
        for file, field, value in items:
            if value in seen:
                self.add(file, field, f"{what} {value!r} is repeated (first in {seen[value]})")
            seen.setdefault(value, file)

    def limits(self, file: str, path: str, limits: tuple[DoseLimit, ...]) -> None:
        for i, limit in enumerate(limits):
            for j, ind in enumerate(limit.indications):
                self.known(file, f"{path}[{i}].indications[{j}]", ind, self.indications, "indication")

    # --- files ---------------------------------------------------------------------------

    def check_products(self) -> None:
        names: dict[str, str] = {}
        for file, product in self.raw.products:
            if file != f"products/{product.id}.yaml":
                self.add(file, "id", f"file name does not match id {product.id!r}")
            for name in (product.id, product.inn, *product.brands, *product.aliases):
                key = normalise(name)
                if names.setdefault(key, product.id) != product.id:
                    self.add(file, "brands", f"name {name!r} also names product {names[key]!r}")
            self.check_product(file, product)

    def check_product(self, file: str, product: Product) -> None:
        vials = {v.units for v in product.vial_sizes}
        for i, row in enumerate(product.reconstitution):
            field = f"reconstitution[{i}]"
            if row.vial_units not in vials:
                self.add(file, f"{field}.vial_units", f"{row.vial_units} U is not a vial size")
            exact = row.vial_units / row.diluent_ml / 10
            if abs(exact - row.units_per_0_1_ml) > TOLERANCE:
                self.add(
                    file,
                    f"{field}.units_per_0_1_ml",
                    f"{row.units_per_0_1_ml} does not equal {row.vial_units} U / "
                    f"{row.diluent_ml} mL = {exact:.3f} U per 0.1 mL",
                )
        for i, comp in enumerate(product.formulation.components):
            self.known(file, f"formulation.components[{i}]", comp, self.allergens, "allergen")
        for i, ci in enumerate(product.contraindications):
            for j, a in enumerate(ci.allergens):
                self.known(file, f"contraindications[{i}].allergens[{j}]", a, self.allergens, "allergen")
            for j, c in enumerate(ci.conditions):
                self.known(file, f"contraindications[{i}].conditions[{j}]", c, self.conditions, "condition")
            for j, ind in enumerate(ci.indications):
                self.known(file, f"contraindications[{i}].indications[{j}]", ind, self.indications, "indication")
        self.limits(file, "limits", product.limits)

    def check_age_coverage(self) -> None:
        """No age gap: where a product's maxima for an indication depend on age, some maximum
        must cover every age (pediatric and adult rules meet, with nothing in between)."""
        maxima = ("session_max", "weight_based_max", "rolling_window_max", "per_side_max")
        regimens: dict[str, dict[str, Regimen]] = {}
        for _, regimen in self.raw.regimens:
            regimens.setdefault(regimen.product, {})[regimen.indication] = regimen
        for file, product in self.raw.products:
            for indication, regimen in sorted(regimens.get(product.id, {}).items()):
                scoped = [
                    lim
                    for lim in (*product.limits, *regimen.limits)
                    if lim.kind in maxima
                    and lim.severity == "critical"
                    and (lim in regimen.limits or not lim.indications or indication in lim.indications)
                ]
                if not any(lim.ages is not None for lim in scoped):
                    continue
                gap = _first_uncovered_age([lim.ages for lim in scoped])
                if gap is not None:
                    self.add(
                        file,
                        "limits",
                        f"{indication}: no critical maximum covers age {gap}, while other ages have one "
                        f"(add a pediatric or adult limit, or a ToxPlan default)",
                    )

    def check_regimens(self) -> None:
        for file, regimen in self.raw.regimens:
            expected = f"regimens/{regimen.product}/{regimen.indication}.yaml"
            if file != expected:
                self.add(file, "", f"file should be {expected} for its product and indication")
            self.known(file, "product", regimen.product, self.products, "product")
            self.known(file, "indication", regimen.indication, self.indications, "indication")
            self.check_variants(file, regimen)
            for i, table in enumerate(regimen.muscle_tables):
                self.check_muscle_table(file, f"muscle_tables[{i}]", table)

    def check_muscle_table(self, file: str, path: str, table: MuscleTable) -> None:
        """Every muscle is a known site and the numbers add up to the table's total."""
        for j, row in enumerate(table.rows):
            if row.muscle not in self.site_definitions and row.muscle not in self.sites:
                self.add(file, f"{path}.rows[{j}].muscle", f"unknown muscle (site) {row.muscle!r}")
            for dose, total, unit in (
                (row.units, table.total_units, "U"),
                (row.units_per_kg, table.total_units_per_kg, "U/kg"),
            ):
                if dose is not None and total is not None and dose.max > total.max:
                    self.add(
                        file,
                        f"{path}.rows[{j}]",
                        f"{row.muscle}: up to {dose.max} {unit} is more than the table's total of {total.max} {unit}",
                    )
        if table.dose_basis == "fixed" and table.total_units is not None:
            rows = [r.units for r in table.rows]
            if all(r is not None for r in rows):
                low = sum((r.min for r in rows if r is not None), Decimal(0)) * table.sides
                high = sum((r.max for r in rows if r is not None), Decimal(0)) * table.sides
                if abs(low - table.total_units.min) > TOLERANCE or abs(high - table.total_units.max) > TOLERANCE:
                    self.add(
                        file,
                        f"{path}.total_units",
                        f"rows add up to {low}-{high} U over {table.sides} side(s), not "
                        f"{table.total_units.min}-{table.total_units.max} U",
                    )

    def check_variants(self, file: str, regimen: Regimen) -> None:
        for i, variant in enumerate(regimen.variants):
            path = f"variants[{i}]"
            total = Decimal(0)
            count = 0
            for j, step in enumerate(variant.pattern):
                self.known(file, f"{path}.pattern[{j}].site", step.site, self.sites, "site")
                total += step.units * step.count
                count += step.count
                band = regimen.units_per_site
                if band is not None and not band.min <= step.units <= band.max:
                    self.add(
                        file,
                        f"{path}.pattern[{j}].units",
                        f"{step.units} U is outside units_per_site {band.min}-{band.max}",
                    )
            if abs(total - variant.total_units) > TOLERANCE:
                self.add(
                    file,
                    f"{path}.total_units",
                    f"pattern adds up to {total} U, not {variant.total_units} U",
                )
            sites = regimen.site_count
            if sites is not None and not sites.min <= count <= sites.max:
                self.add(
                    file,
                    f"{path}.pattern",
                    f"{count} injections is outside site_count {sites.min}-{sites.max}",
                )

    def check_sites(self) -> None:
        for file, sfile in self.raw.site_files:
            for i, site in enumerate(sfile.sites):
                if site.placement is None:
                    continue
                for side_id, side in expand_site(site):
                    self.check_placement(
                        file=file,
                        field=f"sites[{i}].placement",
                        placement=site.placement,
                        view=site.view,
                        side=side,
                        site_id=side_id,
                    )

    def check_placement(
        self,
        *,
        file: str,
        field: str,
        placement: OffsetPlacement | BetweenPlacement,
        view: str | None,
        side: Side | None,
        site_id: str,
    ) -> None:
        names = [placement.landmark] if isinstance(placement, OffsetPlacement) else [placement.a, placement.b]
        for name in names:
            if "{side}" in name and side is None:
                self.add(file, field, f"{site_id}: landmark {name!r} needs a bilateral site")
                continue
            resolved = name.replace("{side}", side or "")
            landmark = self.landmarks.get(resolved)
            if landmark is None:
                self.add(file, field, f"{site_id}: unknown landmark {resolved!r}")
            elif landmark.view != view:
                self.add(
                    file,
                    field,
                    f"{site_id}: landmark {resolved!r} is in view {landmark.view!r}, site in {view!r}",
                )

    def check_zones(self) -> None:
        """Every landmark a zone is drawn from exists in its view, the shape can be drawn on
        the template face, and every exemption names known indications and sites."""
        assert self.raw.zone_file
        zones = self.raw.zone_file.danger_zones
        for i, zone in enumerate(zones):
            self.check_zone_points(f"danger_zones[{i}]", zone)
            for j, exemption in enumerate(zone.exemptions):
                field = f"danger_zones[{i}].exemptions[{j}]"
                for k, ind in enumerate(exemption.indications):
                    self.known(ZONES, f"{field}.indications[{k}]", ind, self.indications, "indication")
                for k, site in enumerate(exemption.sites):
                    if site not in self.sites and site not in self.site_definitions:
                        self.add(ZONES, f"{field}.sites[{k}]", f"unknown site {site!r}")
        if any(p.file == ZONES for p in self.problems):
            return
        template = landmark_positions(self.landmarks)
        for i, zone in enumerate(zones):
            try:
                compile_zone(zone.shape, template, zone.view)
            except ValueError as exc:  # ShapeError included
                self.add(ZONES, f"danger_zones[{i}].shape", f"cannot be drawn on the template face: {exc}")

    def check_zone_points(self, field: str, zone: DangerZone) -> None:
        for name, where in zone_landmarks(zone.shape):
            landmark = self.landmarks.get(name)
            if landmark is None:
                self.add(ZONES, f"{field}.shape.{where}", f"unknown landmark {name!r}")
            elif landmark.view != zone.view:
                self.add(ZONES, f"{field}.shape.{where}", f"landmark {name!r} is not in view {zone.view!r}")
        if not isinstance(zone.shape, Band | Polygon):
            return
        side_view = zone.view in ("left", "right")
        wrong = "lateral_mm" if side_view else "anterior_mm"
        for j, point in enumerate(zone.shape.line if isinstance(zone.shape, Band) else zone.shape.corners):
            if (point.lateral_mm if side_view else point.anterior_mm) != 0:
                self.add(ZONES, f"{field}.shape", f"point {j}: the {zone.view} view does not use {wrong}")

    def check_terms(self) -> None:
        raw = self.raw
        assert raw.interactions and raw.condition_file
        conditions = {c.id: c for c in raw.condition_file.conditions}
        allergens = {a.id: a for a in raw.condition_file.allergens}
        _, drugs, _, cond_terms, allergen_terms = build_term_indexes(raw.interactions, conditions, allergens)
        combination_brands = {normalise(c.brand) for c in raw.interactions.combinations}
        for index, file, what in (
            (drugs, "interactions.yaml", "drugs"),
            (cond_terms, "conditions.yaml", "conditions"),
            (allergen_terms, "conditions.yaml", "allergens"),
        ):
            for term, keys in sorted(index.collisions().items()):
                if what == "drugs" and term in combination_brands:
                    continue  # a brand sold under several ingredients maps to all of them
                self.add(file, what, f"name {term!r} is shared by {sorted(keys)}")
        for i, condition in enumerate(raw.condition_file.conditions):
            for j, code in enumerate(condition.icd10):
                if not ICD10.fullmatch(code):
                    self.add("conditions.yaml", f"conditions[{i}].icd10[{j}]", f"{code!r} is not an ICD-10 code")
            for j, ind in enumerate(condition.indications):
                self.known(
                    "conditions.yaml",
                    f"conditions[{i}].indications[{j}]",
                    ind,
                    self.indications,
                    "indication",
                )

    def check_risks(self) -> None:
        """Condition markers and the purpose-severity table name known conditions and drugs,
        and no condition, drug or flag belongs to two risks."""
        raw = self.raw
        assert raw.interactions
        for i, marker in enumerate(raw.interactions.condition_markers):
            for j, condition in enumerate(marker.implies):
                field = f"condition_markers[{i}].implies[{j}]"
                self.known("interactions.yaml", field, condition, self.conditions, "condition")
        if raw.purpose_file is None:
            return
        drugs = {normalise(d.name) for c in raw.interactions.classes for d in c.drugs}
        owner: dict[str, str] = {}
        for i, risk in enumerate(raw.purpose_file.risks):
            for field, value, pool in (
                *((f"risks[{i}].conditions[{j}]", c, self.conditions) for j, c in enumerate(risk.conditions)),
                *((f"risks[{i}].drugs[{j}]", normalise(d), drugs) for j, d in enumerate(risk.drugs)),
            ):
                self.known("purpose_severity.yaml", field, value, pool, "condition or drug")
                claimed = owner.setdefault(value, risk.id)
                if claimed != risk.id:
                    self.add("purpose_severity.yaml", field, f"{value!r} already belongs to risk {claimed!r}")
            if risk.flag and owner.setdefault(f"flag:{risk.flag}", risk.id) != risk.id:
                self.add("purpose_severity.yaml", f"risks[{i}].flag", f"flag {risk.flag!r} is repeated")
        for flag in ("pregnant", "breastfeeding"):  # else a pregnant patient would pass silently
            if f"flag:{flag}" not in owner:
                self.add("purpose_severity.yaml", "risks", f"no risk records the {flag!r} screening answer")

    def check_combinations(self) -> None:
        if self.raw.combination_file is None:
            return
        for i, combo in enumerate(self.raw.combination_file.combinations):
            named = [(f"combinations[{i}].planned", combo.planned)]
            named += [(f"combinations[{i}].requires[{j}]", r) for j, r in enumerate(combo.requires)]
            for field, value in named:
                self.known("combinations.yaml", field, value, self.indications, "indication")


def check_knowledge(raw: RawKnowledge) -> list[Problem]:
    """Every cross-file problem of an otherwise well-formed knowledge base."""
    checker = _Checker(raw)
    assert raw.landmark_file and raw.zone_file and raw.interactions and raw.condition_file
    assert raw.indication_file
    checker.unique(
        (
            (f, f"sites[{i}].id", sid)
            for f, sf in raw.site_files
            for i, s in enumerate(sf.sites)
            for sid, _ in expand_site(s)
        ),
        "site id",
    )
    checker.sites = {sid for _, sf in raw.site_files for s in sf.sites for sid, _ in expand_site(s)}
    checker.unique(
        (("face/landmarks.yaml", f"landmarks[{i}].id", lm.id) for i, lm in enumerate(raw.landmark_file.landmarks)),
        "landmark id",
    )
    checker.unique(
        (("indications.yaml", f"indications[{i}].id", x.id) for i, x in enumerate(raw.indication_file.indications)),
        "indication id",
    )
    checker.unique(
        (("conditions.yaml", f"conditions[{i}].id", x.id) for i, x in enumerate(raw.condition_file.conditions)),
        "condition id",
    )
    checker.unique(
        (("conditions.yaml", f"allergens[{i}].id", x.id) for i, x in enumerate(raw.condition_file.allergens)),
        "allergen id",
    )
    checker.unique(
        (("face/danger_zones.yaml", f"danger_zones[{i}].id", x.id) for i, x in enumerate(raw.zone_file.danger_zones)),
        "danger zone id",
    )
    checker.unique(((f, "product", f"{r.product}/{r.indication}") for f, r in raw.regimens), "regimen")
    checker.check_products()
    checker.check_regimens()
    checker.check_age_coverage()
    checker.check_sites()
    checker.check_zones()
    checker.check_terms()
    check_aftercare(checker, raw)
    checker.check_risks()
    checker.check_combinations()
    checker.problems += check_outcomes(raw, checker.sites)
    if raw.photo_landmarks is not None:  # how landmarks are found on a photo (photo_map.py)
        checker.problems += check_photo_map(raw.photo_landmarks, checker.landmarks)
        checker.walk_cited(PHOTO_MAP_FILE, raw.photo_landmarks)
    checker.problems += consent_problems(raw.consent_statements, raw.consent_forms, products=checker.products)
    checker.problems += check_layout(raw)
    for file, model in [*_all_files(raw), *raw.consent_statements]:
        checker.walk_cited(file, model)
    return checker.problems


def _first_uncovered_age(ranges: list[AgeRange | None]) -> Decimal | None:
    """The youngest age (0-120 years) that none of ``ranges`` covers; None covers every age."""
    if any(r is None for r in ranges):
        return None
    bounds = sorted({Decimal(0), *(b for r in ranges if r for b in (r.from_years, r.under_years) if b is not None)})
    for age in bounds:
        if age <= 120 and not any(r.contains(age) for r in ranges if r is not None):
            return age
    return None


def _all_files(raw: RawKnowledge) -> list[tuple[str, BaseModel]]:
    files: list[tuple[str, BaseModel]] = [*raw.products, *raw.regimens, *raw.site_files]
    for name, model in (
        ("indications.yaml", raw.indication_file),
        ("face/landmarks.yaml", raw.landmark_file),
        ("face/danger_zones.yaml", raw.zone_file),
        ("interactions.yaml", raw.interactions),
        ("conditions.yaml", raw.condition_file),
        ("defaults.yaml", raw.defaults),
        ("purpose_severity.yaml", raw.purpose_file),
        ("combinations.yaml", raw.combination_file),
        ("outcomes/titration.yaml", raw.titration),
        ("outcomes/label_reactions.yaml", raw.label_reactions),
    ):
        if model is not None:
            files.append((name, model))
    return files
