"""How findings name things: as clinicians say them, never by knowledge-base id.

Every rule builds its message from these helpers, so "glabellar_lines" reads "glabellar
lines", "corrugator_lateral_left" reads "left corrugator (lateral)" and a product reads by its
first brand ("BOTOX"). An id the knowledge base does not know is shown as given, since the
clinician typed it and an UNRECOGNISED_INPUT finding already says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import EvidenceLevel

MAX_CITATIONS = 3
"""A finding cites at most this many sources: its strongest, the label first."""

EVIDENCE_RANK: dict[EvidenceLevel, int] = {
    "label": 0,
    "manufacturer": 1,
    "trial": 2,
    "consensus": 3,
    "practice_report": 4,
    "anthropometry": 5,
    "estimate": 6,
}
TIER_RANK = {"T1": 0, "T2": 1, "T3": 2, "peer_reviewed": 2, "T4": 3}


def indication_name(kb: KnowledgeBase, indication_id: str) -> str:
    """``glabellar_lines`` -> ``glabellar lines``: the indication's name without its gloss."""
    key = ("indication_name", indication_id, None)
    found: str | None = kb.readings.get(key)
    if found is None:
        found = kb.readings[key] = _indication_name(kb, indication_id)
    return found


def _indication_name(kb: KnowledgeBase, indication_id: str) -> str:
    indication = kb.indications.get(indication_id)
    if indication is None:
        return indication_id
    name = indication.name.split(" (")[0]
    # Lower-case the first letter unless the name starts with an acronym ("OAB ...").
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def indications_named(kb: KnowledgeBase, indication_ids: Iterable[str]) -> str:
    """Several indications, sorted and joined: ``forehead lines, glabellar lines``."""
    return ", ".join(sorted(indication_name(kb, i) for i in indication_ids))


def site_name(kb: KnowledgeBase, site_id: str | None) -> str:
    """``corrugator_lateral_left`` -> ``left corrugator, lateral site``; None -> ``free position``."""
    if site_id is None:
        return "free position"
    key = ("site_name", site_id, None)
    found: str | None = kb.readings.get(key)
    if found is None:
        found = kb.readings[key] = _site_name(kb, site_id)
    return found


def _site_name(kb: KnowledgeBase, site_id: str) -> str:
    site = kb.sites.get(site_id)
    if site is None:
        return site_id
    name = site.definition.name
    name = name if name[:2].isupper() else name[:1].lower() + name[1:]
    return f"{site.side} {name}" if site.side else name


def product_name(kb: KnowledgeBase, product_id: str) -> str:
    """A product by its first brand (``BOTOX``); an unknown product as given."""
    product = kb.find_product(product_id)
    return product.brands[0] if product is not None else product_id


def strongest_citations(kb: KnowledgeBase, citation_ids: tuple[str, ...]) -> tuple[str, ...]:
    """At most ``MAX_CITATIONS`` of ``citation_ids``: label sources first, then by trust tier.

    Order among equals is kept, so the knowledge author's first choice wins a tie. Memoised
    per knowledge base: findings cite the same few tuples of sources over and over.
    """
    key = ("strongest_citations", "", citation_ids)
    found: tuple[str, ...] | None = kb.readings.get(key)
    if found is None:
        found = kb.readings[key] = _strongest(kb, citation_ids)
    return found


def _strongest(kb: KnowledgeBase, citation_ids: tuple[str, ...]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(citation_ids))
    if len(unique) <= 1:
        return unique

    def strength(indexed: tuple[int, str]) -> tuple[int, int, int]:
        index, cid = indexed
        citation = kb.citations.get(cid)
        if citation is None:
            return (len(EVIDENCE_RANK), len(TIER_RANK), index)
        return (EVIDENCE_RANK[citation.evidence], TIER_RANK.get(citation.tier, len(TIER_RANK)), index)

    ranked = sorted(enumerate(unique), key=strength)
    return tuple(cid for _, cid in ranked[:MAX_CITATIONS])
