"""Recognising the patient's free-text lists against the knowledge base."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from toxplan.knowledge.base import MEDICATION_NOISE, KnowledgeBase
from toxplan.knowledge.terms import MatchHow, code_matches, icd10_codes, is_negated, normalise

NOTHING = frozenset(
    {"none", "nil", "nkda", "nka", "no known allergies", "no known drug allergies", "n a", "na"}
    | {"none known", "nil known", "no meds", "no medications", "no medication", "no current medications"}
    | {"no regular medications", "denies medications", "no known medical conditions", "nil of note"}
)


_DOSE_IN_TEXT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|g|ml)\b", re.IGNORECASE)


class Recognised(NamedTuple):
    """One entry of a patient list and what it was read as."""

    row: int
    """Position of the entry in the patient's list."""
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
    forms = (form for key in keys if (drug := kb.drugs[key].drug) is not None for form in drug.low_exposure_forms)
    return any(words & set(normalise(form).split()) for form in forms)


MEMO_LIMIT = 50_000


def _memoised(kb: KnowledgeBase, kind: str, text: str, coded: bool = False) -> Recognised:
    """Readings depend only on the text and the knowledge base, so each is worked out once."""
    key = (kind, text, coded)
    found: Recognised | None = kb.readings.get(key)
    if found is None:
        if len(kb.readings) > MEMO_LIMIT:  # bound memory in a long-running server
            kb.readings.clear()
        if kind == "medication":
            found = _read_medication(kb, text)
        elif kind == "condition":
            found = _read_condition(kb, text, coded)
        else:
            found = _read_allergy(kb, text)
        kb.readings[key] = found
    return found


def _read_medication(kb: KnowledgeBase, text: str) -> Recognised:
    """Exact readings first (interacting, then harmless); a spelling correction only after."""
    norm = normalise(text)
    if norm in NOTHING:
        return Recognised(0, text, frozenset(), nothing=True)
    match = kb.drug_terms.match(text, drop=MEDICATION_NOISE, fuzzy=False)
    known = match is None and kb.known_drug_terms.match(text, drop=MEDICATION_NOISE, fuzzy=False)
    if match is None and not known:
        match = kb.drug_terms.match(text, drop=MEDICATION_NOISE)
        known = match is None and kb.known_drug_terms.match(text, drop=MEDICATION_NOISE)
    keys = frozenset(k for k in match.keys if k in kb.drugs) if match else frozenset()
    if match and keys:
        low = _low_exposure(kb, norm, keys)
        return Recognised(0, text, keys, match.how, match.matched_terms, low_exposure=low)
    # A combination brand whose ingredients interact with nothing is known too.
    return Recognised(0, text, frozenset(), known_without_interaction=bool(known or match))


def _read_condition(kb: KnowledgeBase, text: str, coded: bool) -> Recognised:
    norm = normalise(text)
    if norm in NOTHING:
        return Recognised(0, text, frozenset(), nothing=True)
    negated = not coded and is_negated(norm)
    codes = icd10_codes(text)
    if codes:
        by_code = frozenset(
            c.id
            for c in kb.conditions.values()
            for known in c.icd10
            for entered in codes
            if code_matches(entered, known)
        )
        if by_code:
            return Recognised(0, text, by_code, "exact", tuple(codes), negated)
    # "325 mg" in a problem list is a dose, never myasthenia gravis ("MG" must stand alone).
    cleaned = _DOSE_IN_TEXT.sub(" ", text)
    match = kb.condition_terms.match(_without_negation(normalise(cleaned)) if negated else cleaned)
    if match:
        return Recognised(0, text, match.keys, match.how, match.matched_terms, negated)
    return Recognised(0, text, frozenset(), negated=negated)


def _read_allergy(kb: KnowledgeBase, text: str) -> Recognised:
    if normalise(text) in NOTHING:
        return Recognised(0, text, frozenset(), nothing=True)
    match = kb.allergen_terms.match(text)
    if match is None:
        return Recognised(0, text, frozenset())
    return Recognised(0, text, match.keys, match.how, match.matched_terms)


def _at_row(kb: KnowledgeBase, kind: str, text: str, row: int, coded: bool = False) -> Recognised:
    """The reading of ``text`` as the ``row``-th entry of its list (memoised too: a patient's
    list comes back in the same order check after check)."""
    key = (kind, text, (coded, row))
    found: Recognised | None = kb.readings.get(key)
    if found is None:
        found = kb.readings[key] = _memoised(kb, kind, text, coded)._replace(row=row)
    return found


def recognise_medications(kb: KnowledgeBase, entries: Sequence[str]) -> list[Recognised]:
    return [_at_row(kb, "medication", text, i) for i, text in enumerate(entries)]


def recognise_conditions(kb: KnowledgeBase, entries: Sequence[str], coded: Sequence[bool]) -> list[Recognised]:
    return [
        _at_row(kb, "condition", text, i, is_coded)
        for i, (text, is_coded) in enumerate(zip(entries, coded, strict=True))
    ]


def recognise_allergies(kb: KnowledgeBase, entries: Sequence[str]) -> list[Recognised]:
    return [_at_row(kb, "allergy", text, i) for i, text in enumerate(entries)]


_NEGATION_WORDS = frozenset(
    "no not denies denied negative for without r o rule out ruled never hx history of fh fhx "
    "family resolved excluded".split()
)


def _without_negation(norm: str) -> str:
    return " ".join(w for w in norm.split() if w not in _NEGATION_WORDS)
