"""Recognising the patient's free-text lists against the knowledge base."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from toxplan.knowledge.base import MEDICATION_NOISE, KnowledgeBase
from toxplan.knowledge.terms import MatchHow, code_matches, icd10_codes, is_negated, normalise

NOTHING = frozenset(
    {"none", "nil", "nkda", "nka", "no known allergies", "no known drug allergies", "n a", "na"}
)


_DOSE_IN_TEXT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|g|ml)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Recognised:
    """One entry of a patient list and what it was read as."""

    index: int
    text: str
    keys: frozenset[str]
    """Matched drug names / condition ids / allergen ids; empty when not recognised."""
    how: MatchHow | None = None
    matched_terms: tuple[str, ...] = ()
    negated: bool = False
    low_exposure: bool = False
    """A drug form with little systemic exposure (eye drops, cream, inhaler)."""
    known_without_interaction: bool = False
    nothing: bool = False
    """The entry says there is nothing to list ("none", "NKDA")."""

    @property
    def recognised(self) -> bool:
        return bool(self.keys) or self.known_without_interaction or self.nothing

    def reading(self) -> str:
        """How the entry was read, for messages: shows corrections."""
        if self.how == "corrected":
            return f"'{self.text}' (read as {', '.join(self.matched_terms)})"
        return f"'{self.text}'"


def _low_exposure(kb: KnowledgeBase, norm: str, keys: frozenset[str]) -> bool:
    words = set(norm.split())
    return any(
        words & set(normalise(form).split()) for key in keys for form in kb.drugs[key].drug.low_exposure_forms
    )


def recognise_medications(kb: KnowledgeBase, entries: Sequence[str]) -> list[Recognised]:
    """Exact readings first (interacting, then harmless); a spelling correction only after."""
    found = []
    for index, text in enumerate(entries):
        norm = normalise(text)
        if norm in NOTHING:
            found.append(Recognised(index, text, frozenset(), nothing=True))
            continue
        match = kb.drug_terms.match(text, drop=MEDICATION_NOISE, fuzzy=False)
        known = match is None and kb.known_drug_terms.match(text, drop=MEDICATION_NOISE, fuzzy=False)
        if match is None and not known:
            match = kb.drug_terms.match(text, drop=MEDICATION_NOISE)
            known = match is None and kb.known_drug_terms.match(text, drop=MEDICATION_NOISE)
        keys = frozenset(k for k in match.keys if k in kb.drugs) if match else frozenset()
        if match and keys:
            low = _low_exposure(kb, norm, keys)
            found.append(Recognised(index, text, keys, match.how, match.matched_terms, low_exposure=low))
        else:
            # A combination brand whose ingredients interact with nothing is known too.
            found.append(Recognised(index, text, frozenset(), known_without_interaction=bool(known or match)))
    return found


def recognise_conditions(
    kb: KnowledgeBase, entries: Sequence[str], coded: Sequence[bool]
) -> list[Recognised]:
    found = []
    for index, (text, is_coded) in enumerate(zip(entries, coded, strict=True)):
        norm = normalise(text)
        if norm in NOTHING:
            found.append(Recognised(index, text, frozenset(), nothing=True))
            continue
        codes = icd10_codes(text)
        # "325 mg" in a problem list is a dose, never myasthenia gravis ("MG" must stand alone).
        cleaned = _DOSE_IN_TEXT.sub(" ", text)
        by_code = frozenset(
            c.id
            for c in kb.conditions.values()
            for known in c.icd10
            for entered in codes
            if code_matches(entered, known)
        )
        negated = not is_coded and is_negated(norm)
        if by_code:
            found.append(Recognised(index, text, by_code, "exact", tuple(codes), negated))
            continue
        match = kb.condition_terms.match(_without_negation(normalise(cleaned)) if negated else cleaned)
        if match:
            found.append(Recognised(index, text, match.keys, match.how, match.matched_terms, negated))
        else:
            found.append(Recognised(index, text, frozenset(), negated=negated))
    return found


def recognise_allergies(kb: KnowledgeBase, entries: Sequence[str]) -> list[Recognised]:
    found = []
    for index, text in enumerate(entries):
        norm = normalise(text)
        if norm in NOTHING:
            found.append(Recognised(index, text, frozenset(), nothing=True))
            continue
        match = kb.allergen_terms.match(text)
        if match is None:
            found.append(Recognised(index, text, frozenset()))
        else:
            found.append(Recognised(index, text, match.keys, match.how, match.matched_terms))
    return found


_NEGATION_WORDS = frozenset(
    "no not denies denied negative for without r o rule out ruled never hx history of fh fhx "
    "family resolved excluded".split()
)


def _without_negation(norm: str) -> str:
    return " ".join(w for w in norm.split() if w not in _NEGATION_WORDS)
