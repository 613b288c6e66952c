"""The loaded knowledge base: validated models indexed by id, immutable once built."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toxplan.domain.geometry import CompiledZone, Position, compile_zone, place
from toxplan.errors import NotFound
from toxplan.knowledge.consent_models import ConsentForm, ConsentStatement
from toxplan.knowledge.models import (
    Allergen,
    Citation,
    Condition,
    DangerZone,
    Depth,
    Drug,
    EvidenceLevel,
    Indication,
    InteractionFile,
    Landmark,
    Manifest,
    Product,
    Regimen,
    Side,
    SiteDefinition,
    View,
)
from toxplan.knowledge.terms import DOSE_WORDS, SALT_WORDS, TermIndex, normalise


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


def landmark_positions(landmarks: Mapping[str, Landmark]) -> dict[str, Position]:
    return {k: Position(lm.view, lm.x_mm, lm.y_mm) for k, lm in landmarks.items()}


@dataclass(frozen=True)
class DrugEntry:
    """A drug and every label interaction class it belongs to."""

    drug: Drug
    classes: tuple[str, ...]


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
    readings: dict[tuple[str, str, Any], Any] = field(default_factory=dict, compare=False, repr=False)
    consent_statements: Mapping[str, ConsentStatement] = field(default_factory=dict)
    consent_forms: Mapping[str, ConsentForm] = field(default_factory=dict)
    """Consent forms by id, one per product and purpose (``consent_models.py``)."""
    """Memo of free-text readings (medications, conditions, allergies): each text is read once."""

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

    def on_label_indications(self, product_id: str) -> list[str]:
        return sorted(i for (p, i), r in self.regimens.items() if p == product_id and r.label_status == "on_label")

    def zones_for(self, indication: str, view: View) -> tuple[tuple[DangerZone, CompiledZone], ...]:
        """The danger zones for an injection for ``indication`` in ``view``, on the template."""
        key = ("zones", indication, view)
        found: tuple[tuple[DangerZone, CompiledZone], ...] | None = self.readings.get(key)
        if found is None:
            found = self.readings[key] = tuple(
                (z, compile_zone(z.shape, self.template))
                for z in self.danger_zones
                if z.view == view and (not z.indications or indication in z.indications)
            )
        return found

    def zones_holding(self, indication: str, point: Position) -> tuple[tuple[DangerZone, str], ...]:
        """Zones (with the landmark they were near) that hold an injection at ``point``.

        Memoised: most injections sit at the template's own site positions.
        """
        key = ("zone_hits", indication, point)
        found: tuple[tuple[DangerZone, str], ...] | None = self.readings.get(key)
        if found is None:
            x, y = float(point.x_mm), float(point.y_mm)
            hits = ((z, shape.holds(point.view, x, y)) for z, shape in self.zones_for(indication, point.view))
            found = self.readings[key] = tuple((z, near) for z, near in hits if near is not None)
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
    drugs = {k: DrugEntry(drug_of[k], tuple(v)) for k, v in classes_of.items()}
    drug_phrases: dict[str, list[str]] = {k: [e.drug.name, *e.drug.synonyms, *e.drug.brands] for k, e in drugs.items()}
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
