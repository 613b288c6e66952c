"""The loaded knowledge base: validated models indexed by id, immutable once built."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from toxplan.errors import NotFound
from toxplan.knowledge.aftercare import AftercareGeneral, IndicationAftercare, SiteCode
from toxplan.knowledge.combinations import PlanCombination
from toxplan.knowledge.consent_models import ConsentForm, ConsentStatement
from toxplan.knowledge.dose_models import ToxPlanDefaults
from toxplan.knowledge.layout_models import BodyRegion, ChartLayout
from toxplan.knowledge.models import (
    Allergen,
    Citation,
    Condition,
    ConditionMarker,
    Depth,
    Drug,
    EvidenceLevel,
    Indication,
    InteractionClass,
    InteractionFile,
    Landmark,
    Manifest,
    Product,
    Regimen,
    Side,
    SiteDefinition,
    View,
)
from toxplan.knowledge.outcome_models import OutcomeKnowledge
from toxplan.knowledge.photo_map import PhotoLandmarkFile
from toxplan.knowledge.purpose import PatientRisk
from toxplan.knowledge.terms import DOSE_WORDS, SALT_WORDS, TermIndex, normalise
from toxplan.knowledge.zone_models import DangerZone, ZoneExemption
from toxplan.primitives.geometry import CompiledZone, Position, compile_zone, distance_mm, place


@dataclass(frozen=True)
class Site:
    """One concrete injection site (a bilateral definition yields two of these)."""

    id: str
    definition: SiteDefinition
    side: Side | None
    position: Position | None
    """On the template face; None for sites listed by muscle or region only."""
    indications: tuple[str, ...]
    """Indications whose label-standard patterns use this site."""

    @property
    def name(self) -> str:
        return f"{self.definition.name} ({self.side})" if self.side else self.definition.name

    @property
    def muscle(self) -> str:
        return self.definition.muscle

    @property
    def depth(self) -> Depth:
        return self.definition.depth

    @property
    def view(self) -> View | None:
        return self.definition.view


def expand_site(definition: SiteDefinition) -> list[tuple[str, Side | None]]:
    if definition.laterality == "bilateral":
        return [(f"{definition.id}_left", "left"), (f"{definition.id}_right", "right")]
    return [(definition.id, None)]


def exemption_sites(exemption: ZoneExemption, definitions: Mapping[str, SiteDefinition]) -> list[str]:
    """The concrete site ids an exemption names (a bilateral definition id names both sides)."""
    found: list[str] = []
    for name in exemption.sites:
        definition = definitions.get(name)
        found.extend([sid for sid, _ in expand_site(definition)] if definition is not None else [name])
    return found


def landmark_positions(landmarks: Mapping[str, Landmark]) -> dict[str, Position]:
    return {k: Position(lm.view, lm.x_mm, lm.y_mm) for k, lm in landmarks.items()}


@dataclass(frozen=True)
class DrugEntry:
    """A medicine: every label interaction class it belongs to, and the conditions it implies."""

    name: str
    drug: Drug | None
    """Its entry in an interaction class; None for a medicine known only as a condition marker."""
    classes: tuple[str, ...]
    markers: tuple[ConditionMarker, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    manifest: Manifest
    content_hash: str
    citations: Mapping[str, Citation]
    indications: Mapping[str, Indication]
    products: Mapping[str, Product]
    regimens: Mapping[tuple[str, str], Regimen]
    site_definitions: Mapping[str, SiteDefinition]
    sites: Mapping[str, Site]
    landmarks: Mapping[str, Landmark]
    danger_zones: tuple[DangerZone, ...]
    interactions: InteractionFile
    conditions: Mapping[str, Condition]
    allergens: Mapping[str, Allergen]
    drugs: Mapping[str, DrugEntry]
    drug_terms: TermIndex
    known_drug_terms: TermIndex
    condition_terms: TermIndex
    allergen_terms: TermIndex
    product_names: Mapping[str, str]
    template: Mapping[str, Position] = field(default_factory=dict)
    defaults: ToxPlanDefaults | None = None
    """ToxPlan's conservative values where a label value is unconfirmed (``defaults.yaml``)."""
    aftercare_general: AftercareGeneral | None = None
    aftercare: Mapping[str, IndicationAftercare] = field(default_factory=dict)
    """Aftercare text per indication (``knowledge/aftercare/``)."""
    site_codes: Mapping[str, SiteCode] = field(default_factory=dict)
    """SNOMED CT body-structure codes by site definition id (``knowledge/interop/``)."""
    risks: Mapping[str, PatientRisk] = field(default_factory=dict)
    """The purpose-severity table (purpose_severity.yaml), by risk id."""
    combinations: tuple[PlanCombination, ...] = ()
    """Indications a label doses only together with others (combinations.yaml)."""
    photo_landmarks: PhotoLandmarkFile | None = None
    """How each template landmark is found on a photo's face mesh (knowledge/photo_map.py)."""
    readings: dict[tuple[str, str, Any], Any] = field(default_factory=dict, compare=False, repr=False)
    consent_statements: Mapping[str, ConsentStatement] = field(default_factory=dict)
    consent_forms: Mapping[str, ConsentForm] = field(default_factory=dict)
    """Consent forms by id, one per product and purpose (``consent_models.py``)."""
    """Memo of free-text readings (medications, conditions, allergies): each text is read once."""
    outcomes: OutcomeKnowledge | None = None
    """Titration rules and label adverse-reaction rates (``knowledge/outcomes/``)."""
    regions: Mapping[str, BodyRegion] = field(default_factory=dict)
    """Body regions by id (``regions.yaml``): which lie on the face chart."""
    chart: ChartLayout | None = None
    """The landmarks the planning chart is drawn from (``face/chart.yaml``)."""

    def on_chart(self, indication: Indication) -> bool:
        """Whether the chart offers ``indication`` as a button: an aesthetic area of a region
        on the face chart (therapeutic and off-chart areas sit in a list)."""
        region = self.regions.get(indication.region)
        return region is not None and region.chart and indication.category == "aesthetic"

    @property
    def version(self) -> str:
        """Version stamped on every output: the manifest version and a hash of the content."""
        return f"{self.manifest.version}+{self.content_hash[:12]}"

    def product(self, name: str) -> Product:
        """A product by id, INN or brand name, case-insensitively."""
        key = self.product_names.get(normalise(name))
        if key is None:
            known = ", ".join(sorted(self.products))
            raise NotFound(f"unknown product {name!r}; known products: {known}", field="product")
        return self.products[key]

    def find_product(self, name: str) -> Product | None:
        key = self.product_names.get(name) or self.product_names.get(normalise(name))
        return None if key is None else self.products[key]

    def indication(self, indication_id: str) -> Indication:
        try:
            return self.indications[indication_id]
        except KeyError:
            known = ", ".join(sorted(self.indications))
            raise NotFound(
                f"unknown indication {indication_id!r}; known indications: {known}",
                field="indication",
            ) from None

    def site(self, site_id: str) -> Site:
        try:
            return self.sites[site_id]
        except KeyError:
            raise NotFound(f"unknown site {site_id!r}", field="site") from None

    def regimen(self, product_id: str, indication_id: str) -> Regimen | None:
        return self.regimens.get((product_id, indication_id))

    def regimens_of(self, product_id: str) -> Mapping[str, Regimen]:
        """A product's regimens by indication (indexed once per knowledge base)."""
        key = ("regimens_of", product_id, None)
        found: dict[str, Regimen] | None = self.readings.get(key)
        if found is None:
            found = self.readings[key] = {i: r for (p, i), r in self.regimens.items() if p == product_id}
        return found

    def on_label_indications(self, product_id: str) -> list[str]:
        return sorted(i for (p, i), r in self.regimens.items() if p == product_id and r.label_status == "on_label")

    def zones_for(self, view: View) -> tuple[tuple[DangerZone, CompiledZone], ...]:
        """The danger zones of ``view``, compiled on the template face (every injection there)."""
        key = ("zones", view, None)
        found: tuple[tuple[DangerZone, CompiledZone], ...] | None = self.readings.get(key)
        if found is None:
            found = self.readings[key] = tuple(
                (z, compile_zone(z.shape, self.template, z.view)) for z in self.danger_zones if z.view == view
            )
        return found

    def exempt(self, zone: DangerZone, indication: str, point: Position) -> ZoneExemption | None:
        """The exemption of ``zone`` covering an injection for ``indication`` at ``point``."""
        for exemption in zone.exemptions:
            if indication not in exemption.indications:
                continue
            for site_id in exemption_sites(exemption, self.site_definitions):
                where = self.sites[site_id].position if site_id in self.sites else None
                if where is not None and where.view == point.view and distance_mm(where, point) < exemption.within_mm:
                    return exemption
        return None

    def zones_holding(
        self, indication: str, point: Position, *, site: str | None = None
    ) -> tuple[tuple[DangerZone, str], ...]:
        """Zones (with the part, ``left``/``right``/``midline``) that hold an injection at ``point``.

        A zone applies whatever the injection's indication, unless one of its exemptions
        covers this indication at this point. Memoised: most injections sit at the template's
        own site positions (``site`` names it; the memo is then keyed by the site's id, which is
        cheaper to look up than the point).
        """
        own = self.sites.get(site) if site is not None else None
        key = ("zone_hits", indication, site if own is not None and own.position is point else point)
        found: tuple[tuple[DangerZone, str], ...] | None = self.readings.get(key)
        if found is None:
            x, y = float(point.x_mm), float(point.y_mm)
            hits = ((z, shape.holds(point.view, x, y)) for z, shape in self.zones_for(point.view))
            found = self.readings[key] = tuple(
                (z, part) for z, part in hits if part is not None and self.exempt(z, indication, point) is None
            )
        return found

    def muscle_sites(self, muscle: str) -> tuple[str, ...]:
        """The concrete site ids a per-muscle table row names: both sides of a bilateral
        definition, or the one site."""
        definition = self.site_definitions.get(muscle)
        if definition is not None:
            return tuple(site_id for site_id, _ in expand_site(definition))
        return (muscle,) if muscle in self.sites else ()

    def in_use_hours(self, product: Product) -> tuple[Decimal | None, bool]:
        """Hours a reconstituted vial of ``product`` may be used, and whether that is ToxPlan's
        default (the product's own label value being unconfirmed)."""
        if product.in_use is not None:
            return product.in_use.hours, False
        if self.defaults is not None:
            return self.defaults.in_use.hours, True
        return None, True

    def interaction_class(self, class_id: str) -> InteractionClass:
        """A label interaction class by id (indexed once per knowledge base)."""
        found = self.find_interaction_class(class_id)
        if found is None:
            raise KeyError(class_id)
        return found

    def find_interaction_class(self, class_id: str) -> InteractionClass | None:
        key = ("interaction_classes", "", None)
        found: dict[str, InteractionClass] | None = self.readings.get(key)
        if found is None:
            found = {}
            for cls in self.interactions.classes:
                found.setdefault(cls.id, cls)  # the first of a repeated id, as a search would find
            self.readings[key] = found
        return found.get(class_id)

    def risk_of_condition(self, condition_id: str) -> PatientRisk | None:
        return self._risk_index()[0].get(condition_id)

    def risk_of_drug(self, drug_key: str) -> PatientRisk | None:
        return self._risk_index()[1].get(drug_key)

    def _risk_index(self) -> tuple[dict[str, PatientRisk], dict[str, PatientRisk]]:
        """The purpose-severity risks by condition id and by normalised drug name (the first
        risk naming one wins, as the table is read in order)."""
        key = ("risk_index", "", None)
        found: tuple[dict[str, PatientRisk], dict[str, PatientRisk]] | None = self.readings.get(key)
        if found is None:
            by_condition: dict[str, PatientRisk] = {}
            by_drug: dict[str, PatientRisk] = {}
            for risk in self.risks.values():
                for condition in risk.conditions:
                    by_condition.setdefault(condition, risk)
                for drug in risk.drugs:
                    by_drug.setdefault(normalise(drug), risk)
            found = self.readings[key] = (by_condition, by_drug)
        return found

    def evidence_of(self, citation_ids: tuple[str, ...]) -> list[EvidenceLevel]:
        return [self.citations[c].evidence for c in citation_ids]


def build_sites(
    definitions: Mapping[str, SiteDefinition],
    template: Mapping[str, Position],
    used_by: Mapping[str, set[str]],
) -> dict[str, Site]:
    """Expand definitions into concrete sites placed on the template face."""
    sites: dict[str, Site] = {}
    for definition in definitions.values():
        for site_id, side in expand_site(definition):
            position = None
            if definition.placement is not None and definition.view is not None:
                position = place(definition.placement, definition.view, side, template)
            indications = tuple(sorted(used_by.get(site_id, set())))
            sites[site_id] = Site(site_id, definition, side, position, indications)
    return sites


def build_term_indexes(
    interactions: InteractionFile,
    conditions: Mapping[str, Condition],
    allergens: Mapping[str, Allergen],
) -> tuple[dict[str, DrugEntry], TermIndex, TermIndex, TermIndex, TermIndex]:
    classes_of: dict[str, list[str]] = {}
    drug_of: dict[str, Drug] = {}
    for cls in interactions.classes:
        for drug in cls.drugs:
            key = normalise(drug.name)
            classes_of.setdefault(key, []).append(cls.id)
            drug_of.setdefault(key, drug)
    markers_of: dict[str, list[ConditionMarker]] = {}
    for marker in interactions.condition_markers:
        markers_of.setdefault(normalise(marker.name), []).append(marker)
    drugs = {
        k: DrugEntry(
            drug_of[k].name if k in drug_of else markers_of[k][0].name,
            drug_of.get(k),
            tuple(classes_of.get(k, ())),
            tuple(markers_of.get(k, ())),
        )
        for k in dict.fromkeys([*classes_of, *markers_of])
    }
    drug_phrases: dict[str, list[str]] = {}
    for key, entry in drugs.items():
        names = [entry.name]
        if entry.drug is not None:
            names += [*entry.drug.synonyms, *entry.drug.brands]
        for marker in entry.markers:
            names += [*marker.synonyms, *marker.brands]
        drug_phrases[key] = list(dict.fromkeys(names))
    for combo in interactions.combinations:
        for ingredient in combo.ingredients:
            drug_phrases.setdefault(normalise(ingredient), []).append(combo.brand)
    known = {normalise(n): [n] for group in interactions.known_without_interaction for n in group.names}
    condition_phrases = {c.id: [c.name, *c.synonyms] for c in conditions.values()}
    allergen_phrases = {a.id: [a.name, *a.synonyms] for a in allergens.values()}
    return (
        drugs,
        TermIndex.build(drug_phrases),
        TermIndex.build(known),
        TermIndex.build(condition_phrases),
        TermIndex.build(allergen_phrases),
    )


MEDICATION_NOISE = DOSE_WORDS | SALT_WORDS
"""Words dropped from a medication entry before its name is looked up."""
