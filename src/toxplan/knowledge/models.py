"""Typed schema of the knowledge files.

Every model forbids unknown keys, so a typo in a data file is a load error rather than a
silently ignored fact. Cross-file references (sites, landmarks, citations, ...) are checked
afterwards in ``checks.py``; this module only describes the shape of one file at a time.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The shared words (toxplan.primitives), re-exported for the schema's users.
from toxplan.primitives.vocabulary import Depth as Depth  # noqa: PLC0414
from toxplan.primitives.vocabulary import Severity as Severity  # noqa: PLC0414
from toxplan.primitives.vocabulary import Side as Side  # noqa: PLC0414
from toxplan.primitives.vocabulary import View as View  # noqa: PLC0414

EvidenceLevel = Literal[
    "label",  # the US prescribing information, or a word-for-word copy of it
    "manufacturer",  # the maker's own professional pages citing the label
    "trial",  # a published clinical trial or pooled trial analysis
    "consensus",  # a published expert consensus or review
    "practice_report",  # published practice reports, case series, technique papers
    "anthropometry",  # published facial measurement norms
    "estimate",  # derived by stated arithmetic from cited sources
]
"""How strong a fact is. A fact may only claim a level that one of its citations has."""

Category = Literal["aesthetic", "therapeutic"]
LabelStatus = Literal["on_label", "off_label"]

ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]
Positive = Annotated[Decimal, Field(gt=0)]
NonNegative = Annotated[Decimal, Field(ge=0)]


class Strict(BaseModel):
    """Base of every knowledge model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Cited(Strict):
    """A clinical fact: it names its sources and the strength of the evidence."""

    citations: tuple[Identifier, ...] = Field(min_length=1)
    evidence: EvidenceLevel


class Citation(Strict):
    """One source. Everything else refers to it by ``id``."""

    id: Identifier
    title: str
    publisher: str
    url: str | None = None
    year: int | None = None
    accessed: date | None = None
    evidence: EvidenceLevel
    tier: Literal["T1", "T2", "T3", "T4", "peer_reviewed"]
    note: str | None = None


class Duration(Strict):
    """A span as the label words it: days, weeks or calendar months (exactly one)."""

    days: int | None = Field(default=None, gt=0)
    weeks: int | None = Field(default=None, gt=0)
    months: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> Duration:
        given = [v for v in (self.days, self.weeks, self.months) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of days, weeks or months")
        return self

    def approx_days(self) -> float:
        """Length for ordering durations (a month counts as 30.44 days)."""
        if self.days is not None:
            return float(self.days)
        if self.weeks is not None:
            return 7.0 * self.weeks
        assert self.months is not None
        return 30.44 * self.months

    def describe(self) -> str:
        for value, word in ((self.days, "day"), (self.weeks, "week"), (self.months, "month")):
            if value is not None:
                return f"{value} {word}{'s' if value != 1 else ''}"
        raise AssertionError("unreachable")


class UnitRange(Strict):
    min: NonNegative
    max: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> UnitRange:
        if self.min > self.max:
            raise ValueError(f"range is unordered: min {self.min} > max {self.max}")
        return self


class CountRange(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> CountRange:
        if self.min > self.max:
            raise ValueError(f"range is unordered: min {self.min} > max {self.max}")
        return self


class AgeRange(Strict):
    """Ages in years: ``from_years`` inclusive, ``under_years`` exclusive."""

    from_years: NonNegative | None = None
    under_years: Positive | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.from_years is None and self.under_years is None:
            raise ValueError("give from_years, under_years or both")
        if self.from_years is not None and self.under_years is not None and self.from_years >= self.under_years:
            raise ValueError(f"range is unordered: from_years {self.from_years} >= under_years {self.under_years}")
        return self

    def contains(self, age_years: Decimal) -> bool:
        if self.from_years is not None and age_years < self.from_years:
            return False
        return not (self.under_years is not None and age_years >= self.under_years)

    def describe(self) -> str:
        if self.from_years is not None and self.under_years is not None:
            return f"{self.from_years} to under {self.under_years} years"
        if self.from_years is not None:
            return f"{self.from_years} years and older"
        return f"under {self.under_years} years"


class WeightRange(Strict):
    """Body weight in kg: ``from_kg`` inclusive, ``under_kg`` exclusive."""

    from_kg: NonNegative | None = None
    under_kg: Positive | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WeightRange:
        if self.from_kg is None and self.under_kg is None:
            raise ValueError("give from_kg, under_kg or both")
        if self.from_kg is not None and self.under_kg is not None and self.from_kg >= self.under_kg:
            raise ValueError(f"range is unordered: from_kg {self.from_kg} >= under_kg {self.under_kg}")
        return self

    def contains(self, weight_kg: Decimal) -> bool:
        if self.from_kg is not None and weight_kg < self.from_kg:
            return False
        return not (self.under_kg is not None and weight_kg >= self.under_kg)


# --- dose limits: one model per kind --------------------------------------------------------


class _LimitBase(Cited):
    id: Identifier
    severity: Severity = "critical"
    indications: tuple[Identifier, ...] = ()
    """Indications the limit covers; empty means every indication of the product."""
    ages: AgeRange | None = None
    """Patients the limit applies to; empty means every patient."""
    note: str | None = None


class SiteMax(_LimitBase):
    """Most units and/or volume in one injection."""

    kind: Literal["site_max"]
    max_units: Positive | None = None
    max_volume_ml: Positive | None = None

    @model_validator(mode="after")
    def _something(self) -> SiteMax:
        if self.max_units is None and self.max_volume_ml is None:
            raise ValueError("give max_units, max_volume_ml or both")
        return self


class SessionMax(_LimitBase):
    """Most units in one treatment session, over the covered indications."""

    kind: Literal["session_max"]
    max_units: Positive


class WeightBasedMax(_LimitBase):
    """Per-kg session maximum, optionally 'the lesser of N U/kg or M U'."""

    kind: Literal["weight_based_max"]
    units_per_kg: Positive
    cap_units: Positive | None = None
    weights: WeightRange | None = None


class RollingWindowMax(_LimitBase):
    """Most units of this product over a rolling window that ends with the planned session."""

    kind: Literal["rolling_window_max"]
    max_units: Positive
    window: Duration
    units_per_kg: Positive | None = None
    """When given, the maximum is the lesser of ``units_per_kg`` x weight and ``max_units``."""


class PerSideMax(_LimitBase):
    """Most units on one side of the body (one limb, one axilla, one eye) in a session.

    Injections are grouped by the side of their site (left or right); midline sites belong
    to no side. ``units_per_kg`` makes it 'the lesser of N U/kg or M U per limb'.
    """

    kind: Literal["per_side_max"]
    max_units: Positive | None = None
    units_per_kg: Positive | None = None
    side_word: str = "side"
    """How messages name one side: limb, leg, arm, axilla, eye."""

    @model_validator(mode="after")
    def _something(self) -> PerSideMax:
        if self.max_units is None and self.units_per_kg is None:
            raise ValueError("give max_units, units_per_kg or both")
        return self


DoseLimit = Annotated[
    SiteMax | SessionMax | WeightBasedMax | RollingWindowMax | PerSideMax, Field(discriminator="kind")
]


# --- products -------------------------------------------------------------------------------


class VialSize(Cited):
    units: Positive


class ReconstitutionRow(Cited):
    """One row of the label's reconstitution table."""

    vial_units: Positive
    diluent_ml: Positive
    units_per_0_1_ml: Positive
    """As printed in the label; the loader checks it against vial_units / diluent_ml."""


class InUse(Cited):
    """How long a vial may be used once made ready: reconstituted (a powder) or first opened
    (a ready-to-use solution)."""

    hours: Positive
    storage: str


class ReadyToUse(Cited):
    """A solution sold ready to use: a fixed concentration, nothing is added to the vial."""

    units_per_ml: Positive


class Storage(Cited):
    unopened: str


class Formulation(Cited):
    components: tuple[Identifier, ...] = Field(min_length=1)
    """Allergen ids of the active substance and excipients."""
    contains_human_albumin: bool
    contains_milk_protein: bool


class Contraindication(Cited):
    """A label contraindication. ``when`` says what in the patient triggers it."""

    id: Identifier
    when: Literal["component_allergy", "infection_at_site", "allergen", "condition"]
    allergens: tuple[Identifier, ...] = ()
    conditions: tuple[Identifier, ...] = ()
    indications: tuple[Identifier, ...] = ()
    """Indications it is limited to (e.g. bladder ones); empty means all."""
    message: str


class PregnancyLactation(Cited):
    """What the label says about use in pregnancy and breastfeeding (not a contraindication)."""

    pregnancy: str
    lactation: str


class Product(Cited):
    id: Identifier
    inn: str
    brands: tuple[str, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    """Further names accepted on input: spellings seen in practice, older brand names."""
    manufacturer: str
    vial_sizes: tuple[VialSize, ...] = Field(min_length=1)
    presentation: Literal["powder", "solution"] = "powder"
    """``powder``: reconstituted with ``diluent`` (the ``reconstitution`` table); ``solution``:
    ready to use at the concentration of ``solution``, with no diluent."""
    diluent: str | None = None
    """What a powder is reconstituted with (saline); a solution has none."""
    solution: ReadyToUse | None = None
    """The concentration of a ready-to-use solution."""
    reconstitution: tuple[ReconstitutionRow, ...] = ()
    """Empty when the label table is not in the knowledge base: dilution is then unverified."""
    reconstitution_incomplete_vials: tuple[Positive, ...] = ()
    """Vial sizes whose label table rows are only partly confirmed: their other dilutions inside
    ToxPlan's class band are reported as unverified rather than unusual."""
    window_maxima: tuple[WindowMaximum, ...] = ()
    """The label's largest dose over a treatment window, used to add up different toxins as
    fractions of their own maxima (units are never converted)."""
    in_use: InUse | None = None
    storage: Storage | None = None
    formulation: Formulation
    contraindications: tuple[Contraindication, ...] = ()
    limits: tuple[DoseLimit, ...] = ()
    pregnancy_lactation: PregnancyLactation | None = None
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _presentation(self) -> Product:
        if self.presentation == "powder":
            if self.diluent is None:
                raise ValueError("a powder names its diluent")
            if self.solution is not None:
                raise ValueError("a powder has no 'solution' concentration; give presentation: solution")
            return self
        if self.solution is None:
            raise ValueError("a ready-to-use solution gives its 'solution' concentration (units_per_ml)")
        extra = [
            name
            for name, value in (
                ("diluent", self.diluent),
                ("reconstitution", self.reconstitution),
                ("reconstitution_incomplete_vials", self.reconstitution_incomplete_vials),
            )
            if value
        ]
        if extra:
            raise ValueError(f"a ready-to-use solution is not reconstituted: remove {', '.join(extra)}")
        return self

    @property
    def ready_to_use(self) -> bool:
        return self.presentation == "solution"

    @property
    def vial_size_units(self) -> frozenset[Decimal]:
        return frozenset(v.units for v in self.vial_sizes)


# --- indications and regimens ---------------------------------------------------------------


Region = Identifier
"""A body region id of ``regions.yaml`` (checked when the knowledge base loads)."""


class Indication(Cited):
    id: Identifier
    name: str
    category: Category
    region: Region
    description: str


class PatternInjection(Strict):
    site: Identifier
    units: Positive
    count: int = Field(default=1, ge=1)
    """Number of identical injections at this site (e.g. 20 intradetrusor injections)."""


class Variant(Cited):
    """One label-standard injection pattern (an indication may offer several)."""

    id: str = Field(pattern=r"^[a-z0-9+_-]+$")
    description: str
    total_units: Positive
    pattern: tuple[PatternInjection, ...] = Field(min_length=1)


class Interval(Cited):
    minimum: Duration
    severity: Severity = "warning"
    wording: str
    """The label's own words, shown to the clinician."""
    ages: AgeRange | None = None
    """Patients it applies to (``age_intervals`` only); empty means every patient."""


class Regimen(Cited):
    """How one product is used for one indication."""

    product: Identifier
    indication: Identifier
    label_status: LabelStatus
    ages: AgeRange | None = None
    depth: Depth
    concentration_units_per_0_1_ml: Positive | None = None
    """Concentration the source's pattern assumes, when it names one."""
    recommended_total_units: UnitRange | None = None
    """Dose the label recommends for the indication; above it raises DOSE_ABOVE_LABEL."""
    units_per_site: UnitRange | None = None
    """Recommended units per injection; above it raises DOSE_ABOVE_LABEL (see ``dose_basis``)."""
    units_per_site_is_default: bool = False
    """True where the label's per-site dose is unconfirmed and ``units_per_site`` is ToxPlan's
    cautious default (the product's confirmed dose for a neighbouring area); messages say so."""
    units_per_side: UnitRange | None = None
    """Recommended units per side (one axilla, one eye), where the label doses per side."""
    site_count: CountRange | None = None
    dose_basis: Literal["fixed", "individualised"] = "fixed"
    """``fixed``: the source gives one dose per site and per area (cosmetic areas, chronic
    migraine, bladder); more than the clinic's factor (ToxPlan default 2) times it is critical.
    ``individualised``: a starting dose or range the clinician titrates; only stated maxima are
    critical."""
    min_interval: Interval | None = None
    age_intervals: tuple[Interval, ...] = ()
    """Longer intervals for some ages (e.g. Dysport pediatric upper limb: 16 weeks)."""
    muscle_tables: tuple[MuscleTable, ...] = ()
    """The label's per-muscle dose tables (spasticity, dystonia, sialorrhea weight bands)."""
    default_variant: str | None = None
    variants: tuple[Variant, ...] = ()
    """Empty when the source gives no fixed pattern (doses individualised per muscle)."""
    limits: tuple[DoseLimit, ...] = ()
    """Limits of this indication alone; their ``indications`` must be left empty."""
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _default_variant(self) -> Regimen:
        ids = [v.id for v in self.variants]
        if len(ids) != len(set(ids)):
            raise ValueError(f"variant ids repeat: {ids}")
        if self.variants and self.default_variant not in ids:
            raise ValueError(f"default_variant {self.default_variant!r} is not one of {ids}")
        if not self.variants and self.default_variant is not None:
            raise ValueError("default_variant given but there are no variants")
        for limit in self.limits:
            if limit.indications:
                raise ValueError(f"limit {limit.id}: leave 'indications' empty inside a regimen")
        for interval in self.age_intervals:
            if interval.ages is None:
                raise ValueError("every one of age_intervals names the ages it applies to")
        return self


# --- face geometry --------------------------------------------------------------------------


class Landmark(Cited):
    """A named point of the template face, in millimetres, in one view's frame."""

    id: Identifier
    view: View
    x_mm: Decimal
    y_mm: Decimal
    status: Literal["norm", "estimate"]
    derivation: str


class _PlacementBase(Strict):
    lateral_mm: Decimal = Decimal(0)
    """Front and back views: away from the midline (mirrored for the right side)."""
    anterior_mm: Decimal = Decimal(0)
    """Side views: toward the face."""
    up_mm: Decimal = Decimal(0)


class OffsetPlacement(_PlacementBase):
    """At an offset from one landmark."""

    kind: Literal["offset"]
    landmark: str
    """Landmark id; ``{side}`` is replaced by left or right for bilateral sites."""


class BetweenPlacement(_PlacementBase):
    """On the segment between two landmarks, then offset."""

    kind: Literal["between"]
    a: str
    b: str
    fraction: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    """0 is at ``a``, 1 is at ``b``."""


Placement = Annotated[OffsetPlacement | BetweenPlacement, Field(discriminator="kind")]


class SiteDefinition(Cited):
    """An injection site. Bilateral definitions yield ``<id>_left`` and ``<id>_right``."""

    id: Identifier
    name: str
    muscle: str
    region: str
    depth: Depth
    laterality: Literal["bilateral", "midline", "single"]
    view: View | None = None
    placement: Placement | None = None
    """Where the site lies relative to landmarks; absent for limb, bladder and axilla sites."""
    description: str
    """The placement in words, as a clinician would read it."""

    @model_validator(mode="after")
    def _view_with_placement(self) -> SiteDefinition:
        if (self.view is None) != (self.placement is None):
            raise ValueError("give view and placement together, or neither")
        if self.placement is not None and self.view in ("left", "right"):
            if self.placement.lateral_mm != 0:
                raise ValueError("side views use anterior_mm, not lateral_mm")
        elif self.placement is not None and self.placement.anterior_mm != 0:
            raise ValueError("front and back views use lateral_mm, not anterior_mm")
        return self


class SiteFile(Strict):
    sites: tuple[SiteDefinition, ...] = Field(min_length=1)


class LandmarkFile(Strict):
    landmarks: tuple[Landmark, ...] = Field(min_length=1)


# --- interactions, conditions, allergens ----------------------------------------------------


class Drug(Strict):
    name: str
    """Generic (INN or US) name."""
    synonyms: tuple[str, ...] = ()
    """Other spellings: international names, common misspellings."""
    brands: tuple[str, ...] = ()
    atc: tuple[str, ...] = ()
    low_exposure_forms: tuple[str, ...] = ()
    """Words marking a form with little systemic exposure (eye drops, ointment, inhaler)."""
    link: Literal["label_class", "literature", "compendium", "theoretical"]
    """How strongly the drug is tied to a botulinum toxin interaction."""


class InteractionClass(Cited):
    id: Identifier
    name: str
    effect: str
    """What the label says happens."""
    severity: Severity = "warning"
    recent_within: Duration | None = None
    """For past doses (other toxin products): how long after a dose the interaction applies."""
    drugs: tuple[Drug, ...] = Field(min_length=1)


class Combination(Strict):
    """A brand whose name hides its ingredients (e.g. an 'PM' painkiller)."""

    brand: str
    ingredients: tuple[str, ...] = Field(min_length=1)


class ConditionMarker(Cited):
    """A medicine whose use implies a condition the problem list may not record
    (pyridostigmine: myasthenia gravis). Counted as that condition, and the finding says so."""

    name: str
    synonyms: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    atc: tuple[str, ...] = ()
    implies: tuple[Identifier, ...] = Field(min_length=1)
    """Condition ids of conditions.yaml."""
    other_uses: str | None = None
    """Other reasons the medicine is given, shown so the clinician can confirm the diagnosis."""


class KnownDrugs(Cited):
    """Common medicines reviewed and found in no label interaction class."""

    names: tuple[str, ...] = Field(min_length=1)


class InteractionFile(Strict):
    classes: tuple[InteractionClass, ...] = Field(min_length=1)
    condition_markers: tuple[ConditionMarker, ...] = ()
    combinations: tuple[Combination, ...] = ()
    known_without_interaction: tuple[KnownDrugs, ...] = ()


class Condition(Cited):
    id: Identifier
    name: str
    category: Literal[
        "neuromuscular_junction",
        "motor_neuron",
        "dysphagia",
        "respiratory",
        "bladder",
        "ophthalmic",
        "infection",
        "other_caution",
        "no_label_caution",
    ]
    finding: Literal["NEUROMUSCULAR_DISORDER", "CONTRAINDICATION", "none"]
    severity: Severity = "warning"
    indications: tuple[Identifier, ...] = ()
    """Indications it matters for; with ``regions`` empty too, it matters for all."""
    regions: tuple[Region, ...] = ()
    """Body regions (an indication's ``region``) it matters for, e.g. a skin infection of the face."""
    icd10: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    message: str


class Allergen(Strict):
    id: Identifier
    name: str
    synonyms: tuple[str, ...] = ()


class ConditionFile(Strict):
    conditions: tuple[Condition, ...] = Field(min_length=1)
    allergens: tuple[Allergen, ...] = Field(min_length=1)


class CitationFile(Strict):
    citations: tuple[Citation, ...] = Field(min_length=1)


class IndicationFile(Strict):
    indications: tuple[Indication, ...] = Field(min_length=1)


class Manifest(Strict):
    """``knowledge/knowledge.yaml``: the name and version of the knowledge base."""

    name: str
    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    description: str


# Schema of the per-muscle tables, the window maxima and ToxPlan's defaults lives in its own
# module; importing it here lets the models above refer to it.
from toxplan.knowledge.dose_models import MuscleTable, WindowMaximum  # noqa: E402
