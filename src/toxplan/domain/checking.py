"""From a check request to a plan and its findings: the use case behind `toxplan check`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from toxplan.domain.geometry import Position
from toxplan.domain.plans import Injection, Plan, choose_dilution
from toxplan.domain.requests import CheckRequest, InjectionIn
from toxplan.domain.safety.engine import CheckResult, evaluate
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy


@dataclass(frozen=True)
class CheckedPlan:
    plan: Plan
    result: CheckResult


def _injection(kb: KnowledgeBase, given: InjectionIn) -> Injection:
    site = kb.sites.get(given.site) if given.site else None
    position = site.position if site else None
    if given.position is not None:  # a point moved on the chart wins over the site's default
        position = Position(given.position.view, given.position.x_mm, given.position.y_mm)
    return Injection(
        indication=given.indication,
        units=given.units,
        site=given.site,
        position=position,
        muscle=site.muscle if site else None,
        depth=given.depth or (site.depth if site else None),
        needle=given.needle,
        note=given.note,
    )


def plan_from_request(kb: KnowledgeBase, request: CheckRequest) -> Plan:
    treatment = request.treatment
    product = kb.find_product(treatment.product)
    injections = tuple(_injection(kb, i) for i in treatment.injections)
    dilution = None
    if product is not None:
        regimens = [
            r for i in dict.fromkeys(x.indication for x in injections) if (r := kb.regimen(product.id, i)) is not None
        ]
        dilution = choose_dilution(product, regimens, treatment.vial_units, treatment.diluent_ml)
    return Plan(product.id if product else treatment.product, dilution, injections)


def check_moment(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When the in-use clock stops: now for today's plan, else the end of the planned day."""
    if day == now.date():
        return now
    end = dt.datetime.combine(day, dt.time(23, 59))
    return end.replace(tzinfo=now.tzinfo) if now.tzinfo else end


def check(
    kb: KnowledgeBase,
    request: CheckRequest,
    *,
    at: dt.datetime | None = None,
    policy: Policy | None = None,
) -> CheckedPlan:
    """Build the plan the request describes and run every safety rule on it."""
    if request.date is None:
        raise ValueError("complete the request (requests.complete) before checking it")
    plan = plan_from_request(kb, request)
    result = evaluate(
        kb,
        plan,
        patient=request.patient,
        history=request.history,
        on=request.date,
        at=at,
        reconstituted_at=request.treatment.reconstituted_at,
        policy=policy,
    )
    return CheckedPlan(plan, result)
