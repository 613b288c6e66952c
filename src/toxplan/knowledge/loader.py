"""Read the knowledge files, validate them, cross-check them and build the knowledge base.

Loading is all-or-nothing: every problem in every file is collected and reported together
with the file and the field it concerns, and no partial knowledge base is ever returned.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from toxplan.errors import KnowledgeBaseError, Problem
from toxplan.knowledge.aftercare import AftercareGeneral, IndicationAftercare, SiteCodeFile
from toxplan.knowledge.base import (
    KnowledgeBase,
    build_sites,
    build_term_indexes,
    expand_site,
    landmark_positions,
)
from toxplan.knowledge.cache import knowledge_cache_key, read_cached, write_cached
from toxplan.knowledge.checks import check_knowledge
from toxplan.knowledge.combinations import CombinationFile
from toxplan.knowledge.consent_models import ConsentForm, ConsentStatementFile
from toxplan.knowledge.dose_models import ToxPlanDefaults
from toxplan.knowledge.layout_models import ChartLayout, RegionFile
from toxplan.knowledge.models import (
    CitationFile,
    ConditionFile,
    IndicationFile,
    InteractionFile,
    LandmarkFile,
    Manifest,
    Product,
    Regimen,
    SiteFile,
)
from toxplan.knowledge.outcome_models import LabelReactionFile, OutcomeKnowledge, TitrationFile
from toxplan.knowledge.photo_map import FILE as PHOTO_MAP_FILE
from toxplan.knowledge.photo_map import PhotoLandmarkFile
from toxplan.knowledge.policy import Policy, policy_problems
from toxplan.knowledge.purpose import PurposeSeverityFile
from toxplan.knowledge.raw import RawKnowledge
from toxplan.knowledge.terms import normalise
from toxplan.knowledge.zone_models import DangerZoneFile
from toxplan.primitives.fields import field_path

M = TypeVar("M", bound=BaseModel)


def default_directory() -> Path:
    """The knowledge base shipped with ToxPlan: the copy bundled in the wheel, else the
    checkout's. (``TOXPLAN_KNOWLEDGE_DIR`` names another; callers pass it as ``directory``.)"""
    bundled = Path(__file__).resolve().parent.parent / "_knowledge"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[3] / "knowledge"


def _yaml() -> Any:
    """The YAML reader, imported only when files are really parsed (not on a cache hit)."""
    from toxplan.knowledge import yaml_io  # noqa: PLC0415

    return yaml_io


def _read(path: Path, model: type[M], raw: RawKnowledge, problems: list[Problem]) -> M | None:
    name = raw.relative(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw.hash_text(name, text)
        data = _yaml().parse_yaml(text)
    except (OSError, UnicodeDecodeError, _yaml().YamlError) as exc:
        problems.append(Problem(name, "", f"cannot read: {exc}"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(Problem(name, field_path(error["loc"]), error["msg"]))
        return None


def _read_all(
    directory: Path, pattern: str, model: type[M], raw: RawKnowledge, problems: list[Problem]
) -> list[tuple[str, M]]:
    found = []
    for path in sorted(directory.glob(pattern)):
        item = _read(path, model, raw, problems)
        if item is not None:
            found.append((raw.relative(path), item))
    return found


def _required(directory: Path, name: str, model: type[M], raw: RawKnowledge, problems: list[Problem]) -> M | None:
    path = directory / name
    if not path.is_file():
        problems.append(Problem(name, "", "file is missing"))
        return None
    return _read(path, model, raw, problems)


def _optional(directory: Path, name: str, model: type[M], raw: RawKnowledge, problems: list[Problem]) -> M | None:
    """A file a knowledge base may leave out: the feature it serves then says so when used."""
    path = directory / name
    return _read(path, model, raw, problems) if path.is_file() else None


def read_raw(directory: Path) -> tuple[RawKnowledge, list[Problem]]:
    """Parse and validate every file; cross-references are not checked yet."""
    problems: list[Problem] = []
    raw = RawKnowledge(directory)
    if not directory.is_dir():
        return raw, [Problem(str(directory), "", "knowledge directory does not exist")]
    raw.manifest = _required(directory, "knowledge.yaml", Manifest, raw, problems)
    raw.citation_files = _read_all(directory, "citations/*.yaml", CitationFile, raw, problems)
    raw.indication_file = _required(directory, "indications.yaml", IndicationFile, raw, problems)
    raw.products = _read_all(directory, "products/*.yaml", Product, raw, problems)
    raw.regimens = _read_all(directory, "regimens/*/*.yaml", Regimen, raw, problems)
    raw.site_files = _read_all(directory, "sites/*.yaml", SiteFile, raw, problems)
    raw.landmark_file = _required(directory, "face/landmarks.yaml", LandmarkFile, raw, problems)
    raw.zone_file = _required(directory, "face/danger_zones.yaml", DangerZoneFile, raw, problems)
    raw.interactions = _required(directory, "interactions.yaml", InteractionFile, raw, problems)
    raw.condition_file = _required(directory, "conditions.yaml", ConditionFile, raw, problems)
    raw.defaults = _required(directory, "defaults.yaml", ToxPlanDefaults, raw, problems)
    raw.aftercare_general = _required(directory, "aftercare/general.yaml", AftercareGeneral, raw, problems)
    raw.aftercare = _read_all(directory, "aftercare/indications/*.yaml", IndicationAftercare, raw, problems)
    raw.site_codes = _required(directory, "interop/snomed_sites.yaml", SiteCodeFile, raw, problems)
    raw.purpose_file = _required(directory, "purpose_severity.yaml", PurposeSeverityFile, raw, problems)
    raw.combination_file = _required(directory, "combinations.yaml", CombinationFile, raw, problems)
    raw.titration = _required(directory, "outcomes/titration.yaml", TitrationFile, raw, problems)
    raw.label_reactions = _required(directory, "outcomes/label_reactions.yaml", LabelReactionFile, raw, problems)
    # Optional: without it, charting on a photo says the map is missing (photo/analysis.py).
    raw.photo_landmarks = _optional(directory, PHOTO_MAP_FILE, PhotoLandmarkFile, raw, problems)
    raw.consent_statements = _read_all(directory, "consent/statements.yaml", ConsentStatementFile, raw, problems)
    raw.consent_forms = _read_all(directory, "consent/forms/*.yaml", ConsentForm, raw, problems)
    raw.region_file = _required(directory, "regions.yaml", RegionFile, raw, problems)
    raw.chart = _required(directory, "face/chart.yaml", ChartLayout, raw, problems)
    if not raw.citation_files:
        problems.append(Problem("citations/", "", "no citation file found"))
    return raw, problems


def load(directory: Path | None = None, *, cache_dir: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base in ``directory`` (default: the shipped one); raise
    KnowledgeBaseError listing every problem.

    With a ``cache_dir`` a knowledge base that passed every check is kept there, pickled, under
    a name made of the SHA-256 of all its files' text (see ``cache.py``): the next process with
    the same files skips parsing and checking, and any edit changes the name.
    """
    target = directory or default_directory()
    key = knowledge_cache_key(target) if cache_dir is not None else None
    if cache_dir is not None and key is not None:
        cached = read_cached(cache_dir, key)
        if cached is not None:
            return cached
    raw, problems = read_raw(target)
    if not problems:
        problems = check_knowledge(raw)
    if problems:
        raise KnowledgeBaseError(problems)
    kb = _build(raw)
    if cache_dir is not None and key is not None:
        write_cached(cache_dir, key, kb)
    return kb


@lru_cache(maxsize=4)
def load_cached(directory: Path | None = None, cache_dir: Path | None = None) -> KnowledgeBase:
    """The knowledge base for a process: loaded once, shared read-only (both arguments as
    for ``load``: ``Settings.knowledge_dir`` and ``Settings.cache_dir``)."""
    return load(directory, cache_dir=cache_dir)


def _build(raw: RawKnowledge) -> KnowledgeBase:
    assert raw.manifest and raw.indication_file and raw.landmark_file and raw.zone_file
    assert raw.interactions and raw.condition_file and raw.titration and raw.label_reactions
    assert raw.region_file and raw.chart
    landmarks = {lm.id: lm for lm in raw.landmark_file.landmarks}
    template = landmark_positions(landmarks)
    definitions = {s.id: s for _, f in raw.site_files for s in f.sites}
    used_by: dict[str, set[str]] = {}
    for _, regimen in raw.regimens:
        for variant in regimen.variants:
            for step in variant.pattern:
                used_by.setdefault(step.site, set()).add(regimen.indication)
        for row in (row for table in regimen.muscle_tables for row in table.rows):
            definition = definitions.get(row.muscle)
            for site_id in [s for s, _ in expand_site(definition)] if definition else [row.muscle]:
                used_by.setdefault(site_id, set()).add(regimen.indication)
    conditions = {c.id: c for c in raw.condition_file.conditions}
    allergens = {a.id: a for a in raw.condition_file.allergens}
    drugs, drug_terms, known_terms, condition_terms, allergen_terms = build_term_indexes(
        raw.interactions, conditions, allergens
    )
    products = {p.id: p for _, p in raw.products}
    return KnowledgeBase(
        manifest=raw.manifest,
        content_hash=raw.digest(),
        citations={c.id: c for _, f in raw.citation_files for c in f.citations},
        indications={i.id: i for i in raw.indication_file.indications},
        products=products,
        regimens={(r.product, r.indication): r for _, r in raw.regimens},
        site_definitions=definitions,
        sites=build_sites(definitions, template, used_by),
        landmarks=landmarks,
        danger_zones=raw.zone_file.danger_zones,
        interactions=raw.interactions,
        conditions=conditions,
        allergens=allergens,
        drugs=drugs,
        drug_terms=drug_terms,
        known_drug_terms=known_terms,
        condition_terms=condition_terms,
        allergen_terms=allergen_terms,
        product_names=_product_names(products),
        template=template,
        defaults=raw.defaults,
        aftercare_general=raw.aftercare_general,
        aftercare={a.indication: a for _, a in raw.aftercare},
        site_codes={c.site: c for c in raw.site_codes.codes} if raw.site_codes else {},
        risks={r.id: r for r in raw.purpose_file.risks} if raw.purpose_file else {},
        combinations=raw.combination_file.combinations if raw.combination_file else (),
        outcomes=OutcomeKnowledge(titration=raw.titration, label_reactions=raw.label_reactions),
        photo_landmarks=raw.photo_landmarks,
        consent_statements={s.id: s for _, f in raw.consent_statements for s in f.statements},
        consent_forms={f.id: f for _, f in raw.consent_forms},
        regions={r.id: r for r in raw.region_file.regions},
        chart=raw.chart,
    )


def _product_names(products: dict[str, Product]) -> dict[str, str]:
    names: dict[str, str] = {}
    for product in products.values():
        for name in (product.id, product.inn, *product.brands, *product.aliases):
            names[normalise(name)] = product.id
            names[name] = product.id  # as written: the common case needs no normalising
    return names


def load_policy(path: Path, kb: KnowledgeBase) -> Policy:
    """Read a clinic policy; refuse it whole if anything in it is unknown or looser than the label."""
    raw = RawKnowledge(path.parent)
    problems: list[Problem] = []
    policy = _read(path, Policy, raw, problems)
    if policy is not None:
        problems.extend(policy_problems(policy, kb, raw.relative(path)))
    if problems or policy is None:
        raise KnowledgeBaseError(problems)
    return policy
