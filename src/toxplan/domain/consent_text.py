"""The text of a consent form for one product and the areas chosen, and its SHA-256.

Pure: the same form, product and areas always give the same text and hash, so a signature can
be tied to exactly the words the patient read (the page shows the hash it will store, and the
server renders the text again and refuses a mismatch).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.consent_models import ConsentForm


@dataclass(frozen=True)
class ConsentSection:
    heading: str
    paragraphs: tuple[str, ...]
    boxed: tuple[bool, ...] = ()


@dataclass(frozen=True)
class ConsentDocument:
    form: ConsentForm
    product: str
    brand: str
    areas: tuple[str, ...]
    off_label: tuple[str, ...]
    """The chosen areas that are not on the product's US label."""
    sections: tuple[ConsentSection, ...]
    text: str
    sha256: str

    @property
    def version(self) -> str:
        return f"{self.form.id} {self.form.version}"


def brand_for(kb: KnowledgeBase, product_id: str, purpose: str) -> str:
    """The brand a patient knows the product by for this purpose (BOTOX Cosmetic for aesthetics)."""
    brands = kb.products[product_id].brands
    if purpose == "aesthetic":
        return next((b for b in brands if "cosmetic" in b.lower()), brands[0])
    return next((b for b in brands if "cosmetic" not in b.lower()), brands[0])


def form_for(kb: KnowledgeBase, product_id: str, purpose: str) -> ConsentForm | None:
    return next((f for f in kb.consent_forms.values() if f.product == product_id and f.purpose == purpose), None)


def area_name(kb: KnowledgeBase, indication_id: str) -> str:
    indication = kb.indications.get(indication_id)
    return indication.name.split(" (", maxsplit=1)[0].lower() if indication else indication_id.replace("_", " ")


def render(kb: KnowledgeBase, form: ConsentForm, areas: tuple[str, ...]) -> ConsentDocument:
    """The form for ``areas`` (indication ids, in the order given), with its text and hash."""
    brand = brand_for(kb, form.product, form.purpose)
    off_label = tuple(
        a for a in areas if (regimen := kb.regimen(form.product, a)) is None or regimen.label_status != "on_label"
    )
    names = [area_name(kb, a) for a in areas]

    def fill(text: str, listed: list[str]) -> str:
        joined = ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else "".join(listed)
        return " ".join(text.replace("{brand}", brand).replace("{areas}", joined).split())

    statements = kb.consent_statements
    risks = sorted(form.risks, key=lambda r: not statements[r].boxed)  # the boxed warning first
    sections = [
        ConsentSection("Areas to be treated", (", ".join(names) + ".",)),
        ConsentSection("What the treatment is", tuple(fill(statements[s].text, names) for s in form.about)),
        ConsentSection(
            "Risks",
            tuple(fill(statements[r].text, names) for r in risks),
            tuple(statements[r].boxed for r in risks),
        ),
        ConsentSection("Alternatives", tuple(fill(statements[a].text, names) for a in form.alternatives)),
    ]
    if off_label:
        listed = [area_name(kb, a) for a in off_label]
        sections.append(ConsentSection("Off-label use", (fill(statements[form.off_label].text, listed),)))
    sections.append(ConsentSection("I confirm", tuple(fill(d, names) for d in form.declarations)))
    lines = [form.title, f"Form {form.id}, version {form.version}"]
    for section in sections:
        lines.append("")
        lines.append(section.heading)
        lines.extend(section.paragraphs)
    text = "\n".join(lines)
    return ConsentDocument(
        form=form,
        product=form.product,
        brand=brand,
        areas=areas,
        off_label=off_label,
        sections=tuple(sections),
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
