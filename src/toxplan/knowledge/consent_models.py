"""Typed schema of the consent forms (``knowledge/consent/``).

A form is written once per product and purpose (aesthetic or therapeutic) from cited
statements shared by every form (``consent/statements.yaml``): what the treatment is, its
risks (the boxed warning's symptoms first), the alternatives, and the off-label statement the
form adds for each chosen area that is not on the product's US label. Cross-file references
are checked by ``consent_problems``; the loader keeps the forms on the knowledge base.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from toxplan.errors import Problem
from toxplan.knowledge.models import Category, Cited, Identifier, Strict

StatementKind = Literal["about", "risk", "alternative", "off_label"]


class ConsentStatement(Cited):
    """One paragraph of a consent form, in plain words. ``{brand}`` and ``{areas}`` are filled in."""

    id: Identifier
    kind: StatementKind
    text: str = Field(min_length=20)
    boxed: bool = False
    """Part of the products' boxed warning: shown first among the risks, marked as such."""


class ConsentStatementFile(Strict):
    statements: tuple[ConsentStatement, ...] = Field(min_length=1)


class ConsentForm(Strict):
    """The consent form for one product and purpose; its version is stored with each signature."""

    id: Identifier
    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    product: Identifier
    purpose: Category
    title: str
    about: tuple[Identifier, ...] = Field(min_length=1)
    risks: tuple[Identifier, ...] = Field(min_length=1)
    alternatives: tuple[Identifier, ...] = Field(min_length=1)
    off_label: Identifier
    declarations: tuple[str, ...] = Field(min_length=1)
    """What the patient confirms by signing (not clinical facts: uncited)."""


def consent_problems(
    statements: Iterable[tuple[str, ConsentStatementFile]],
    forms: Iterable[tuple[str, ConsentForm]],
    *,
    products: set[str],
) -> list[Problem]:
    """Dangling statement ids, statements used as the wrong kind, unknown products, a form
    without the boxed warning, two forms for one product and purpose."""
    problems: list[Problem] = []
    known = {s.id: s for _, f in statements for s in f.statements}
    seen: dict[tuple[str, str], str] = {}
    for file, form in forms:
        if file != f"consent/forms/{form.id}.yaml":
            problems.append(Problem(file, "id", f"file name does not match id {form.id!r}"))
        if form.product not in products:
            problems.append(Problem(file, "product", f"unknown product {form.product!r}"))
        key = (form.product, form.purpose)
        if key in seen:
            problems.append(Problem(file, "purpose", f"{form.purpose} form for {form.product} repeats {seen[key]}"))
        seen.setdefault(key, file)
        groups: tuple[tuple[str, tuple[str, ...], str], ...] = (
            ("about", form.about, "about"),
            ("risks", form.risks, "risk"),
            ("alternatives", form.alternatives, "alternative"),
            ("off_label", (form.off_label,), "off_label"),
        )
        for field, ids, kind in groups:
            for i, statement_id in enumerate(ids):
                where = field if field == "off_label" else f"{field}[{i}]"
                statement = known.get(statement_id)
                if statement is None:
                    problems.append(Problem(file, where, f"unknown consent statement {statement_id!r}"))
                elif statement.kind != kind:
                    problems.append(
                        Problem(file, where, f"{statement_id!r} is a {statement.kind} statement, not {kind}")
                    )
        if not any(known[r].boxed for r in form.risks if r in known):
            problems.append(Problem(file, "risks", "a consent form must state the boxed warning"))
    return problems
