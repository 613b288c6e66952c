"""Matching free text (medication lists, problem lists, allergies) to knowledge-base terms.

Patients' lists come as typed by people: brand names, salts, doses, misspellings, codes and
negations ("denies dysphagia"). The matcher normalises text the same way for the index and
for the input, looks for the longest known phrase, and reports how it matched, so that a
correction or an unmatched entry can be shown to the clinician instead of being dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

_NON_WORD = re.compile(r"[^a-z0-9]+")
_NUMBERISH = re.compile(r"^\d+([.,]\d+)?(mg|mcg|g|ml|iu|u|units?|%|h|hr|hrs)?$")
ICD10 = re.compile(r"\b([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)\b")
"""An ICD-10(-CM) code: a letter, a digit, a digit or letter (Z3A weeks of gestation, O9A), then
an optional dot and up to four characters."""

DOSE_WORDS = frozenset(
    "mg mcg ug g ml l iu unit units tab tabs tablet tablets cap caps capsule capsules po iv im "
    "sc subq sq pr od bd bid tid qid qd qhs hs prn daily nightly weekly monthly once twice day "
    "per x mg/day dose doses puff puffs patch oral injection inj drops drop solution susp "
    "suspension syrup cream ointment gel spray inhaler soln".split()
)
"""Words of a sig or dose string; removed before name matching (never part of a name)."""

SALT_WORDS = frozenset(
    "hydrochloride hcl sulfate sulphate tartrate succinate fumarate mesylate maleate citrate "
    "bromide hydrobromide chloride sodium tosylate pamoate phosphate palmitate gluconate "
    "acetate besylate".split()
)
"""Salt words stripped before matching; kept only where the index itself names them."""

RELEASE_SUFFIXES = frozenset(["xl", "xr", "er", "la", "sr", "cr", "dr", "odt", "sl", "ls", "cd"])

NEGATION_PREFIXES = (
    "no ",
    "not ",
    "denies ",
    "denied ",
    "negative for ",
    "without ",
    "r o ",
    "rule out ",
    "ruled out ",
    "family history",
    "fhx ",
    "fh ",
    "no hx ",
    "no history ",
    "never ",
)
NEGATION_SUFFIXES = (" resolved", " ruled out", " negative", " excluded")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation (apostrophes vanish), collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_text = ascii_text.replace("'", "").replace("\u2019", "")
    return _NON_WORD.sub(" ", ascii_text).strip()


def is_negated(normalised: str) -> bool:
    """Whether a problem-list entry says the condition is absent, excluded or in family only."""
    padded = normalised + " "
    return padded.startswith(NEGATION_PREFIXES) or normalised.endswith(NEGATION_SUFFIXES)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


MatchHow = Literal["exact", "phrase", "corrected"]


@dataclass(frozen=True)
class TermMatch:
    """What a piece of text was recognised as."""

    keys: frozenset[str]
    """Keys of the matched entries (drug names, condition ids, allergen ids)."""
    how: MatchHow
    matched_terms: tuple[str, ...]
    """The index terms that matched, to show a correction to the user."""


@dataclass
class TermIndex:
    """Phrase → keys index with longest-phrase search and guarded fuzzy matching."""

    terms: dict[str, frozenset[str]]
    max_words: int
    _cache: dict[str, TermMatch | None] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, entries: Mapping[str, Iterable[str]]) -> TermIndex:
        """``entries`` maps a key to the phrases that name it."""
        collected: dict[str, set[str]] = {}
        for key, phrases in entries.items():
            for phrase in phrases:
                norm = normalise(phrase)
                if norm:
                    collected.setdefault(norm, set()).add(key)
        max_words = max((len(t.split()) for t in collected), default=1)
        return cls({t: frozenset(k) for t, k in collected.items()}, max_words)

    def collisions(self) -> dict[str, frozenset[str]]:
        """Phrases that name more than one key."""
        return {t: k for t, k in self.terms.items() if len(k) > 1}

    def match(self, text: str, *, drop: frozenset[str] = frozenset(), fuzzy: bool = True) -> TermMatch | None:
        """Recognise ``text``; words in ``drop`` (doses, salts) are ignored unless indexed.

        With ``fuzzy`` false only exact names and phrases count, so that a caller can try
        every exact reading (e.g. the list of harmless medicines) before any correction.
        """
        cache_key = f"{text}\x00{len(drop)}\x00{fuzzy}"
        if cache_key not in self._cache:
            found = self._match(text, drop)
            self._cache[cache_key] = None if (found and found.how == "corrected" and not fuzzy) else found
        return self._cache[cache_key]

    def _match(self, text: str, drop: frozenset[str]) -> TermMatch | None:
        norm = normalise(text)
        if norm in self.terms:
            return TermMatch(self.terms[norm], "exact", (norm,))
        words = [w for w in norm.split() if not _NUMBERISH.match(w)]
        words = [w for w in words if w not in drop or w in self.terms]
        found = self._phrases(words)
        if not found:
            words = [w for w in words if w not in RELEASE_SUFFIXES]
            found = self._phrases(words)
        if found:
            keys = frozenset().union(*(self.terms[t] for t in found))
            return TermMatch(keys, "phrase", tuple(found))
        return self._fuzzy(words)

    def _phrases(self, words: list[str]) -> list[str]:
        """Longest indexed phrases in ``words``, scanning left to right without overlap."""
        found: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.max_words, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + size])
                if phrase in self.terms:
                    found.append(phrase)
                    i += size
                    break
            else:
                i += 1
        return found

    def _fuzzy(self, words: list[str]) -> TermMatch | None:
        """One misspelt word close to exactly one term: same first letter, and within edit
        distance 1 for words of 6-7 letters, 2 for longer ones (so "biotin" never becomes
        "biaxin" and "Plavix" never "Elavil")."""
        for word in words:
            if len(word) < 6:
                continue
            limit = 1 if len(word) < 8 else 2
            best: dict[int, set[str]] = {}
            for term in self.terms:
                if " " in term or len(term) < 6 or term[0] != word[0]:
                    continue
                distance = _edit_distance(word, term, limit)
                if distance <= limit:
                    best.setdefault(distance, set()).add(term)
            if best:
                closest = best[min(best)]
                keys = frozenset().union(*(self.terms[t] for t in closest))
                if len(keys) == 1:
                    return TermMatch(keys, "corrected", tuple(sorted(closest)))
        return None


def icd10_codes(text: str) -> list[str]:
    """ICD-10 codes written in a problem-list entry (``G70.00``, ``ICD-10: G12.21``)."""
    return ICD10.findall(text.upper())


def code_matches(entered: str, known: str) -> bool:
    """A code matches its category and its children (G70 ↔ G70.00), never a sibling."""
    a, b = entered.replace(".", ""), known.replace(".", "")
    return a.startswith(b) or b.startswith(a)
