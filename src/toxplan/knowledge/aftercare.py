"""Schema of the aftercare knowledge (``knowledge/aftercare/``) and of the interoperability
codes (``knowledge/interop/``), with their cross-checks.

Aftercare is what a patient is told in writing after a treatment: when the effect starts,
peaks and wears off, what to avoid, the common side effects, and the symptoms of distant
spread of toxin (the boxed warning) that need urgent care. Every sentence is cited like any
other clinical fact; a product whose effect differs for an indication says so in its own entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from toxplan.knowledge.models import Cited, Identifier, Strict

if TYPE_CHECKING:
    from toxplan.knowledge.checks import _Checker
    from toxplan.knowledge.raw import RawKnowledge


class PatientText(Cited):
    """One sentence for the patient, in plain words, with its sources."""

    text: str = Field(min_length=3)


class ProductAftercare(Strict):
    """Where one product differs for the indication (e.g. a longer-lasting toxin)."""

    product: Identifier
    onset: PatientText | None = None
    peak: PatientText | None = None
    duration: PatientText | None = None
    side_effects: tuple[PatientText, ...] = ()
    """Added to the indication's own list."""


class IndicationAftercare(Strict):
    """``aftercare/indications/<indication>.yaml``."""

    indication: Identifier
    onset: PatientText
    peak: PatientText
    duration: PatientText
    avoid: tuple[PatientText, ...] = ()
    side_effects: tuple[PatientText, ...] = Field(min_length=1)
    products: tuple[ProductAftercare, ...] = ()


class UrgentCare(Cited):
    """The boxed-warning symptoms a patient must act on at once, and what to do."""

    heading: str
    symptoms: tuple[str, ...] = Field(min_length=3)
    action: str


class AftercareGeneral(Strict):
    """``aftercare/general.yaml``: what every sheet says whatever was treated."""

    urgent: UrgentCare
    avoid: tuple[PatientText, ...] = Field(min_length=1)
    side_effects: tuple[PatientText, ...] = ()
    note: PatientText


class SiteCode(Strict):
    """A SNOMED CT body-structure concept for one site definition."""

    site: Identifier
    """A site definition id (bilateral definitions cover both sides)."""
    code: str = Field(pattern=r"^[1-9][0-9]{5,17}$")
    display: str
    citations: tuple[Identifier, ...] = Field(min_length=1)


class SiteCodeFile(Strict):
    """``interop/snomed_sites.yaml``: mapped sites, and the sites left unmapped on purpose."""

    system: str = Field(pattern=r"^http://snomed\.info/sct$")
    codes: tuple[SiteCode, ...] = Field(min_length=1)
    unmapped: tuple[Identifier, ...] = ()
    """Site definitions for which no code could be confirmed from a cited source."""


def _verhoeff_table() -> list[list[int]]:
    """The dihedral group D5 multiplication table of the Verhoeff check digit."""
    table = []
    for i in range(10):
        row = []
        for j in range(10):
            if i < 5 and j < 5:
                row.append((i + j) % 5)
            elif i < 5:
                row.append(5 + (i + j) % 5)
            elif j < 5:
                row.append(5 + (i - j) % 5)
            else:
                row.append((i - j) % 5)
        table.append(row)
    return table


_D = _verhoeff_table()
_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
for _ in range(6):
    _P.append([_P[1][x] for x in _P[-1]])


def verhoeff_valid(code: str) -> bool:
    """SNOMED CT identifiers end in a Verhoeff check digit: a mistyped code fails it."""
    check = 0
    for position, digit in enumerate(reversed(code)):
        check = _D[check][_P[position % 8][int(digit)]]
    return check == 0


def check_aftercare(checker: _Checker, raw: RawKnowledge) -> None:
    """Cross-file checks: known indications, products and sites, cited facts, valid codes."""
    general = raw.aftercare_general
    if general is not None:
        checker.walk_cited("aftercare/general.yaml", general)
    checker.unique(((f, "indication", a.indication) for f, a in raw.aftercare), "aftercare indication")
    for file, sheet in raw.aftercare:
        checker.known(file, "indication", sheet.indication, checker.indications, "indication")
        for i, entry in enumerate(sheet.products):
            checker.known(file, f"products[{i}].product", entry.product, checker.products, "product")
        checker.walk_cited(file, sheet)
    codes = raw.site_codes
    if codes is None:
        return
    name = "interop/snomed_sites.yaml"
    definitions = {s.id for _, f in raw.site_files for s in f.sites}
    checker.unique(((name, f"codes[{i}].site", c.site) for i, c in enumerate(codes.codes)), "coded site")
    for i, code in enumerate(codes.codes):
        checker.known(name, f"codes[{i}].site", code.site, definitions, "site definition")
        if not verhoeff_valid(code.code):
            checker.add(name, f"codes[{i}].code", f"{code.code} fails the SNOMED CT check digit")
        for j, cid in enumerate(code.citations):
            checker.known(name, f"codes[{i}].citations[{j}]", cid, set(checker.citations), "citation")
    for i, site in enumerate(codes.unmapped):
        checker.known(name, f"unmapped[{i}]", site, definitions, "site definition")
        if site in {c.site for c in codes.codes}:
            checker.add(name, f"unmapped[{i}]", f"{site} is both mapped and unmapped")
