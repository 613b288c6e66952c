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
    moved = given.position
    # A point moved on the chart wins over the site's default position.
    position = Position(moved.view, moved.x_mm, moved.y_mm) if moved is not None else site.position if site else None
    if site is None:
        muscle, depth = None, given.depth
    else:
        muscle, depth = site.definition.muscle, given.depth or site.definition.depth
    values = (given.indication, given.units, given.site, position, muscle, depth, given.needle, given.note)
    return tuple.__new__(Injection, values)  # every field given: skips the named tuple's Python __new__


def plan_from_request(kb: KnowledgeBase, request: CheckRequest) -> Plan:
    treatment = request.treatment
    product = kb.find_product(treatment.product)
    injections = tuple(_injection(kb, i) for i in treatment.injections)
    dilution = None
    if product is not None:
        own = kb.regimens_of(product.id)
        regimens = [r for i in dict.fromkeys(x.indication for x in injections) if (r := own.get(i)) is not None]
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
