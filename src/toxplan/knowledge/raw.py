"""The parsed knowledge files, before cross-checking and indexing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from toxplan.knowledge.aftercare import AftercareGeneral, IndicationAftercare, SiteCodeFile
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
from toxplan.knowledge.outcome_models import LabelReactionFile, TitrationFile
from toxplan.knowledge.photo_map import PhotoLandmarkFile
from toxplan.knowledge.purpose import PurposeSeverityFile
from toxplan.knowledge.zone_models import DangerZoneFile


@dataclass
class RawKnowledge:
    """Each file's validated model, with the file name it came from (for problem reports)."""

    directory: Path
    manifest: Manifest | None = None
    citation_files: list[tuple[str, CitationFile]] = field(default_factory=list)
    indication_file: IndicationFile | None = None
    products: list[tuple[str, Product]] = field(default_factory=list)
    regimens: list[tuple[str, Regimen]] = field(default_factory=list)
    site_files: list[tuple[str, SiteFile]] = field(default_factory=list)
    landmark_file: LandmarkFile | None = None
    zone_file: DangerZoneFile | None = None
    interactions: InteractionFile | None = None
    condition_file: ConditionFile | None = None
    defaults: ToxPlanDefaults | None = None
    aftercare_general: AftercareGeneral | None = None
    aftercare: list[tuple[str, IndicationAftercare]] = field(default_factory=list)
    site_codes: SiteCodeFile | None = None
    purpose_file: PurposeSeverityFile | None = None
    combination_file: CombinationFile | None = None
    titration: TitrationFile | None = None
    label_reactions: LabelReactionFile | None = None
    photo_landmarks: PhotoLandmarkFile | None = None
    region_file: RegionFile | None = None
    chart: ChartLayout | None = None
    texts: dict[str, str] = field(default_factory=dict)
    consent_statements: list[tuple[str, ConsentStatementFile]] = field(default_factory=list)
    consent_forms: list[tuple[str, ConsentForm]] = field(default_factory=list)

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.directory))
        except ValueError:
            return str(path)

    def hash_text(self, name: str, text: str) -> None:
        self.texts[name] = text

    def digest(self) -> str:
        """SHA-256 over every file's name and text: changes whenever any fact changes."""
        digest = hashlib.sha256()
        for name in sorted(self.texts):
            digest.update(name.encode() + b"\0" + self.texts[name].encode() + b"\0")
        return digest.hexdigest()
