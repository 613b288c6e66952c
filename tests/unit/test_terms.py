"""Free-text matching of medications, conditions and allergies."""

from __future__ import annotations

from toxplan.knowledge.terms import TermIndex, code_matches, icd10_codes, is_negated, normalise


def index() -> TermIndex:
    return TermIndex.build(
        {
            "gentamicin": ["gentamicin", "gentamycin", "Garamycin"],
            "oxybutynin": ["oxybutynin", "Ditropan XL"],
            "diphenhydramine": ["diphenhydramine", "Tylenol PM"],
            "acetaminophen": ["acetaminophen", "Tylenol PM"],
        }
    )


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  Lou Gehrig’s  Disease ") == "lou gehrigs disease"
    assert normalise("hydrOXYzine") == "hydroxyzine"


def test_exact_brand_and_phrase_with_dose() -> None:
    idx = index()
    assert idx.match("Garamycin").keys == {"gentamicin"}  # type: ignore[union-attr]
    found = idx.match("oxybutynin chloride 5 mg bid", drop=frozenset({"chloride", "mg", "bid"}))
    assert found is not None and found.keys == {"oxybutynin"}


def test_release_suffix_is_dropped_only_when_needed() -> None:
    found = index().match("Ditropan XL 10mg")
    assert found is not None and found.keys == {"oxybutynin"}


def test_combination_brand_maps_to_every_ingredient() -> None:
    found = index().match("tylenol pm")
    assert found is not None and found.keys == {"diphenhydramine", "acetaminophen"}


def test_misspelling_is_corrected_and_reported() -> None:
    found = index().match("oxybutinin")
    assert found is not None and found.how == "corrected" and found.keys == {"oxybutynin"}


def test_short_or_unknown_words_are_not_guessed() -> None:
    assert index().match("gent") is None
    assert index().match("vitamin d") is None


def test_negations_and_codes() -> None:
    assert is_negated(normalise("denies dysphagia"))
    assert is_negated(normalise("No hx of MG"))
    assert not is_negated(normalise("myasthenia gravis"))
    assert icd10_codes("ICD-10: g70.00") == ["G70.00"]
    assert code_matches("G70.00", "G70.0") and code_matches("G70", "G70.01")
    assert not code_matches("G70.1", "G70.00")
