"""The documents' Jinja environment and the filters that write times, units and names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from toxplan.knowledge.base import KnowledgeBase
from toxplan.presenters import number
from toxplan.reports.pdf import TEMPLATES


def when(value: dt.datetime | None) -> str:
    """A moment in UTC, saying so (the record is read far from the clinic's clock)."""
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def units(value: Decimal | float | int | None) -> str:
    return "–" if value is None else str(number(Decimal(str(value))))


def environment(kb: KnowledgeBase) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def indication(ind: str) -> str:
        found = kb.indications.get(ind)
        return found.name.split(" (", maxsplit=1)[0] if found else ind.replace("_", " ")

    def site(site_id: str | None) -> str:
        if site_id is None:
            return "free point"
        found = kb.sites.get(site_id)
        return found.name if found else site_id.replace("_", " ")

    def brand(product: str) -> str:
        found = kb.products.get(product)
        return f"{found.brands[0]} ({found.inn})" if found else product

    env.filters.update(when=when, units=units, indication=indication, site=site, brand=brand)
    env.filters["label"] = lambda value: "" if value is None else str(value).replace("_", " ")
    return env
