"""Who may call what: every route declares exactly one Allow rule, every role gets 403
exactly where the table below says it may not go, and one clinic never sees another's records.

The table is the specification, written out by hand: a new route fails here until it is added,
and a route whose rule drifts from the table (or whose service refuses a role the route lets
in) fails too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount

from tests.api.conftest import (
    API,
    NOW,
    PASSWORD,
    TODAY,
    Visit,
    World,
    assert_error,
    ok,
    sign_in,
    signed_visit,
    treatment_body,
)
from tests.api.photo_upload import multipart, upload
from toxplan.db.engine import unit_of_work
from toxplan.http.deps import Allow
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS, TREATING, Role
from toxplan.services import clinics

INJ, DIR, DESK, ADMIN = "injector", "medical_director", "front_desk", "admin"


def consent_body() -> dict[str, Any]:
    from tests.conftest import consent_data  # noqa: PLC0415
    from toxplan.knowledge.loader import load_cached  # noqa: PLC0415

    data = consent_data(load_cached(), product="botox", areas=["glabellar_lines"])
    return data


EVERYONE = ALL_ROLES
PRESCRIBERS = TREATING
READERS = CLINICAL_RECORD_READERS
PUBLIC = frozenset({"public"})

Call = Callable[[Visit], tuple[str, dict[str, Any] | None]]
"""From the shared records to the concrete path and JSON body of a call."""

ACCESS: dict[tuple[str, str], tuple[frozenset[str], Call]] = {
    ("GET", "/health"): (PUBLIC, lambda v: ("/health", None)),
    ("POST", "/session"): (PUBLIC, lambda v: ("/session", None)),  # called with a fresh client below
    ("GET", "/session"): (EVERYONE, lambda v: ("/session", None)),
    ("DELETE", "/session"): (EVERYONE, lambda v: ("/session", None)),
    **{
        ("GET", f"/kb/{n}"): (EVERYONE, lambda v, n=n: (f"/kb/{n}", None))
        for n in ("products", "indications", "sites", "landmarks", "danger-zones", "interactions", "sources")
    },
    ("POST", "/plan"): (EVERYONE, lambda v: ("/plan", {"product": "botox", "indications": ["glabellar_lines"]})),
    ("POST", "/check"): (
        PRESCRIBERS,
        lambda v: (
            "/check",
            {
                "treatment": {
                    "product": "botox",
                    "vial_units": 100,
                    "diluent_ml": 2.5,
                    "injections": [{"indication": "glabellar_lines", "site": "procerus", "units": 4}],
                }
            },
        ),
    ),
    ("GET", "/patients"): (EVERYONE, lambda v: ("/patients?q=a&limit=5", None)),
    ("POST", "/patients"): (
        EVERYONE,
        lambda v: (
            "/patients",
            {"given_name": "Eva", "family_name": "Access", "birth_date": "1980-01-01", "sex": "female"},
        ),
    ),
    ("GET", "/patients/{patient_id}"): (READERS, lambda v: (f"/patients/{v.patient_id}", None)),
    ("POST", "/patients/{patient_id}/screenings"): (
        READERS,
        lambda v: (f"/patients/{v.patient_id}/screenings", {"visit_on": TODAY.isoformat(), "pregnant": False}),
    ),
    ("POST", "/patients/{patient_id}/weights"): (
        READERS,
        lambda v: (f"/patients/{v.patient_id}/weights", {"weight_kg": 63.5}),
    ),
    ("POST", "/patients/{patient_id}/consents"): (
        READERS,
        lambda v: (
            f"/patients/{v.patient_id}/consents",
            {"form_version": "2026-1", "signed_by": "Ana Silva", "signed_at": NOW.isoformat()},
        ),
    ),
    **{
        ("GET", f"/patients/{{patient_id}}/{n}"): (READERS, lambda v, n=n: (f"/patients/{v.patient_id}/{n}", None))
        for n in ("treatments", "history-summary", "dose-windows", "adverse-events", "follow-ups")
    },
    ("POST", "/treatments"): (
        PRESCRIBERS,
        lambda v: (
            "/treatments",
            treatment_body(v.patient_id, v.lot_id, reconstitution_id=v.reconstitution_id, sites=[("procerus", 2)]),
        ),
    ),
    ("GET", "/treatments/{treatment_id}"): (READERS, lambda v: (f"/treatments/{v.treatment_id}", None)),
    ("POST", "/treatments/{treatment_id}/cosign"): (
        (DIR,),
        lambda v: (f"/treatments/{v.treatment_id}/cosign", {"password": PASSWORD}),
    ),
    ("POST", "/treatments/{treatment_id}/addenda"): (
        PRESCRIBERS,
        lambda v: (f"/treatments/{v.treatment_id}/addenda", {"text": "Patient asked about bruising; none seen."}),
    ),
    ("GET", "/cosign-queue"): ((DIR,), lambda v: ("/cosign-queue", None)),
    ("GET", "/follow-ups"): (READERS, lambda v: ("/follow-ups?open=true", None)),
    ("POST", "/follow-ups/{follow_up_id}"): (
        PRESCRIBERS,
        lambda v: (
            f"/follow-ups/{v.follow_up_id}",
            {"reviewed_on": TODAY.isoformat(), "fws_max": 0, "satisfaction": 5},
        ),
    ),
    ("GET", "/follow-ups/{follow_up_id}/reviews"): (
        READERS,
        lambda v: (f"/follow-ups/{v.follow_up_id}/reviews", None),
    ),
    ("POST", "/adverse-events"): (
        PRESCRIBERS,
        lambda v: (
            "/adverse-events",
            {
                "treatment_id": v.treatment_id,
                "type": "bruising",
                "onset_on": TODAY.isoformat(),
                "severity": "mild",
                "serious": False,
                "outcome": "recovering",
                "sites": ["procerus"],
            },
        ),
    ),
    ("GET", "/lots"): (READERS, lambda v: ("/lots", None)),
    ("POST", "/lots"): (
        READERS,
        lambda v: (
            "/lots",
            {
                "product": "botox",
                "lot_number": f"A{uuid.uuid4().hex[:7]}",
                "expiry_date": "2027-06-30",
                "vial_units": 100,
            },
        ),
    ),
    ("POST", "/reconstitutions"): (
        READERS,
        lambda v: (
            "/reconstitutions",
            {"lot_id": v.lot_id, "diluent_ml": 2.5, "reconstituted_at": (NOW - dt.timedelta(hours=1)).isoformat()},
        ),
    ),
    ("GET", "/recall/{lot_number}"): (READERS, lambda v: (f"/recall/{v.lot_number}", None)),
    ("GET", "/patients/{patient_id}/fhir"): (READERS, lambda v: (f"/patients/{v.patient_id}/fhir", None)),
    ("GET", "/treatments/{treatment_id}/record.pdf"): (
        READERS,
        lambda v: (f"/treatments/{v.treatment_id}/record.pdf", None),
    ),
    ("GET", "/treatments/{treatment_id}/aftercare.pdf"): (
        READERS,
        lambda v: (f"/treatments/{v.treatment_id}/aftercare.pdf", None),
    ),
    ("GET", "/exports/{kind}"): (READERS, lambda v: ("/exports/treatments?from=2026-11-01&to=2026-11-30", None)),
    ("GET", "/patients/{patient_id}/advice"): (
        PRESCRIBERS,
        lambda v: (f"/patients/{v.patient_id}/advice?indication=glabellar_lines&product=botox", None),
    ),
    ("GET", "/reports/safety"): ((DIR, ADMIN), lambda v: ("/reports/safety", None)),
    # photos (issue 11): uploads by prescribers, every look by readers
    ("POST", "/patients/{patient_id}/photos"): (
        PRESCRIBERS,
        lambda v: (f"/patients/{v.patient_id}/photos", multipart()),
    ),
    ("GET", "/patients/{patient_id}/photos"): (READERS, lambda v: (f"/patients/{v.patient_id}/photos", None)),
    **{
        ("GET", f"/photos/{{photo_id}}{n}"): (READERS, lambda v, n=n: (f"/photos/{photo_of(v)}{n}", None))
        for n in ("", "/image", "/thumbnail", "/chart")
    },
    ("GET", "/photos/{photo_id}/compare"): (
        READERS,
        lambda v: (f"/photos/{photo_of(v)}/compare?after={photo_of(v, later=True)}", None),
    ),
    ("POST", "/photos/{photo_id}/locate"): (
        READERS,
        lambda v: (f"/photos/{photo_of(v)}/locate", {"points": [{"x_px": 230, "y_px": 90}]}),
    ),
    ("POST", "/photos/{photo_id}/project"): (
        READERS,
        lambda v: (f"/photos/{photo_of(v)}/project", {"points": [{"x_mm": 0, "y_mm": 12}]}),
    ),
    # The signed-in user's own account: wrong current passwords and codes, so nothing changes.
    ("POST", "/session/password"): (
        EVERYONE,
        lambda v: ("/session/password", {"current_password": "not my password", "new_password": "a b c d e f g h"}),
    ),
    ("GET", "/session/second-factor"): (EVERYONE, lambda v: ("/session/second-factor", None)),
    ("POST", "/session/second-factor"): (EVERYONE, lambda v: ("/session/second-factor", None)),
    ("POST", "/session/second-factor/confirm"): (
        EVERYONE,
        lambda v: ("/session/second-factor/confirm", {"code": "000000"}),
    ),
    ("POST", "/session/second-factor/remove"): (
        EVERYONE,
        lambda v: ("/session/second-factor/remove", {"current_password": "not my password"}),
    ),
    # User management on a user made for these calls (``TARGET``), so no signed-in client is touched.
    ("GET", "/users"): ((ADMIN,), lambda v: ("/users", None)),
    ("POST", "/users"): (
        (ADMIN,),
        lambda v: (
            "/users",
            {
                "name": "New Colleague",
                "email": f"new.{uuid.uuid4().hex[:8]}@example.org",
                "role": "injector",
                "password": "violet harbour kettle 42",
            },
        ),
    ),
    ("PATCH", "/users/{user_id}"): ((ADMIN,), lambda v: (f"/users/{TARGET['user_id']}", {"name": "Renamed Colleague"})),
    ("POST", "/users/{user_id}/password"): (
        (ADMIN,),
        lambda v: (f"/users/{TARGET['user_id']}/password", {"new_password": "quiet orchard lantern 17"}),
    ),
    ("DELETE", "/users/{user_id}/second-factor"): (
        (ADMIN,),
        lambda v: (f"/users/{TARGET['user_id']}/second-factor", None),
    ),
    ("GET", "/audit"): ((DIR, ADMIN), lambda v: ("/audit?limit=5", None)),
    ("GET", "/audit/export"): ((DIR, ADMIN), lambda v: (f"/audit/export?since={TODAY.isoformat()}", None)),
    ("GET", "/vials"): (READERS, lambda v: ("/vials", None)),
    ("GET", "/consent-form"): (READERS, lambda v: ("/consent-form?product=botox&areas=glabellar_lines", None)),
    ("POST", "/patients/{patient_id}/consent-signatures"): (
        PRESCRIBERS,
        lambda v: (f"/patients/{v.patient_id}/consent-signatures", consent_body()),
    ),
    ("POST", "/vials/{vial_id}/discard"): (
        READERS,
        lambda v: (f"/vials/{v.reconstitution_id}/discard", {"reason": "end of clinic day"}),
    ),
}
TARGET: dict[str, str] = {}
"""A user of the first clinic with no session, for the user-management calls (see ``visit``)."""
REFUSED_BY_DESIGN = {
    ("POST", "/session/password"): {422},
    ("POST", "/session/second-factor/confirm"): {409, 422},
    ("POST", "/session/second-factor/remove"): {422},
}
"""Allowed calls made with a wrong password or code on purpose: the answer names the field."""

_photos: dict[tuple[str, bool], str] = {}
_uploaders: list[TestClient] = []


def photo_of(v: Visit, *, later: bool = False) -> str:
    """A photo of the visit's patient (uploaded once, by the clinic's injector)."""
    key = (v.patient_id, later)
    if key not in _photos:
        taken = (NOW - dt.timedelta(days=0 if later else 14)).isoformat()
        _photos[key] = ok(upload(_uploaders[0], v.patient_id, taken_at=taken), 201)["id"]
    return _photos[key]


@pytest.fixture(autouse=True, scope="module")
def _photo_uploader(world: World) -> None:
    _uploaders[:] = [world.clinic["injector"]]


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    route: BaseRoute
    dependant: Dependant | None


def all_routes(app: FastAPI) -> list[RouteInfo]:
    """Every route as served, with the dependencies it really runs.

    FastAPI 0.13x+ keeps included routers lazy (``app.routes`` lists ``_IncludedRouter``
    entries); ``iter_route_contexts`` expands them with the dependencies an inclusion adds.
    """
    try:
        from fastapi.routing import iter_route_contexts  # noqa: PLC0415
    except ImportError:  # older FastAPI: app.routes is already flat
        return [
            RouteInfo(
                getattr(r, "path", ""),
                frozenset(getattr(r, "methods", None) or ()),
                r,
                r.dependant if isinstance(r, APIRoute) else None,
            )
            for r in app.routes
        ]
    return [
        RouteInfo(
            c.path or "",
            frozenset(c.methods or ()),
            c.original_route,
            c.dependant if isinstance(c.original_route, APIRoute) else None,
        )
        for c in iter_route_contexts(app.routes)
    ]


def allow_rules(dependant: Dependant) -> list[Allow]:
    """Every Allow in a dependency tree (route, router and parameter dependencies)."""
    found, stack = [], list(dependant.dependencies)
    while stack:
        node = stack.pop()
        if isinstance(node.call, Allow):
            found.append(node.call)
        stack.extend(node.dependencies)
    return found


def test_every_route_declares_exactly_one_allow_rule(world: World) -> None:
    app = world.app
    generated = {app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url}
    problems = []
    for info in all_routes(app):
        if isinstance(info.route, Mount) and info.path in ("/static", "/api-docs-assets"):
            continue  # public files: the pages' scripts and styles, the API documentation's assets
        if info.dependant is None:
            # FastAPI's own schema and documentation pages carry no data and take no Allow rule.
            if info.path not in generated:
                problems.append(f"{info.path}: not an APIRoute, so it cannot declare an Allow rule")
            continue
        rules = allow_rules(info.dependant)
        if len(rules) != 1:
            problems.append(f"{sorted(info.methods)} {info.path}: {len(rules)} Allow rules")
    assert problems == []


def api_routes(world: World) -> dict[tuple[str, str], Dependant]:
    return {
        (method, info.path.removeprefix(API)): info.dependant
        for info in all_routes(world.app)
        if info.dependant is not None and info.path.startswith(API + "/")
        for method in info.methods
    }


def test_the_table_covers_every_api_route_with_its_declared_rule(world: World) -> None:
    routes = api_routes(world)
    assert set(routes) == set(ACCESS)
    for key, dependant in routes.items():
        (rule,) = allow_rules(dependant)
        declared = ("public",) if rule.public else rule.roles
        assert set(declared) == set(ACCESS[key][0]), key


@pytest.fixture(scope="module")
def visit(world: World) -> Visit:
    with unit_of_work(world.app.state.sessions) as session:
        target = clinics.create_user(
            session,
            world.clinic.clinic_id,
            {"name": "Target Colleague", "email": f"target.{uuid.uuid4().hex[:8]}@example.org", "role": "injector"},
        )
        TARGET["user_id"] = target.id
    return signed_visit(world.clinic["injector"])


def call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body and body.keys() == {"files", "data"}:  # a photo upload (multipart form)
        return client.request(method, f"{API}{path}", files=body["files"], data=body["data"])
    return client.request(method, f"{API}{path}", json=body)


@pytest.mark.parametrize("role", list(Role))  # in declared order: xdist workers must collect alike
@pytest.mark.parametrize("key", list(ACCESS), ids=lambda k: f"{k[0]} {k[1]}")
def test_403_exactly_when_the_role_is_not_allowed(world: World, visit: Visit, role: str, key: tuple[str, str]) -> None:
    allowed, build = ACCESS[key]
    path, body = build(visit)
    client = world.clinic[role]
    if key[1] == "/session" and key[0] != "GET":
        # Signing in or out replaces or ends the shared client's session: use a fresh one.
        client = sign_in(world.app, world.clinic.emails[role])
        if key[0] == "POST":
            body = {"email": world.clinic.emails[role], "password": "correct horse battery staple"}
    response = call(client, key[0], path, body)
    assert response.status_code not in (401, 500), response.text
    if role in allowed or allowed == PUBLIC:
        assert response.status_code != 403, response.text
        if key in REFUSED_BY_DESIGN:
            assert response.status_code in REFUSED_BY_DESIGN[key], response.text
            return
        # Valid enough to succeed; 409 only where a call may not repeat (a second co-signature).
        assert response.status_code < 300 or response.status_code == 409, response.text
    else:
        assert_error(response, 403, "forbidden", "role")


def test_front_desk_sees_names_and_birth_dates_only_and_cannot_sign(world: World, visit: Visit) -> None:
    desk = world.clinic["front_desk"]
    added = ok(
        desk.post(
            f"{API}/patients",
            json={
                "given_name": "Desk",
                "family_name": "Registered",
                "birth_date": "1975-05-05",
                "sex": "male",
                "conditions": ["epilepsy"],
                "weight_kg": 80,
            },
        ),
        201,
    )
    assert set(added) == {"id", "given_name", "family_name", "birth_date"}
    page = ok(desk.get(f"{API}/patients", params={"limit": 200}))
    assert page["items"] and all(set(p) == {"id", "given_name", "family_name", "birth_date"} for p in page["items"])
    assert_error(desk.get(f"{API}/patients/{visit.patient_id}"), 403, "forbidden", "role")
    assert_error(desk.get(f"{API}/treatments/{visit.treatment_id}"), 403, "forbidden", "role")
    body = treatment_body(visit.patient_id, visit.lot_id, reconstitution_id=visit.reconstitution_id)
    assert_error(desk.post(f"{API}/treatments", json=body), 403, "forbidden", "role")
    assert_error(desk.post(f"{API}/treatments/{visit.treatment_id}/cosign"), 403, "forbidden", "role")
    assert_error(
        desk.post(f"{API}/treatments/{visit.treatment_id}/addenda", json={"text": "Looks fine to me."}),
        403,
        "forbidden",
        "role",
    )


ID_CALLS = [key for key in ACCESS if "{" in key[1]] + [
    ("POST", "/treatments"),
    ("POST", "/adverse-events"),
    ("POST", "/reconstitutions"),
]


def unknown_field(key: tuple[str, str]) -> str:
    """The id the refusal names: the one in the path, else the first one the body refers to."""
    for name in ("patient_id", "treatment_id", "follow_up_id", "photo_id", "user_id", "vial_id"):
        if f"{{{name}}}" in key[1]:
            return name
    return {"/treatments": "patient_id", "/adverse-events": "treatment_id", "/reconstitutions": "lot_id"}[key[1]]


@pytest.mark.parametrize("key", ID_CALLS, ids=lambda k: f"{k[0]} {k[1]}")
def test_another_clinic_gets_404_for_this_clinics_ids(world: World, visit: Visit, key: tuple[str, str]) -> None:
    allowed, build = ACCESS[key]
    path, body = build(visit)
    role = DIR if DIR in allowed else allowed[0]
    response = call(world.other[role], key[0], path, body)
    if key == ("GET", "/recall/{lot_number}"):  # a lot number is not an id: the answer is no rows
        assert ok(response) == []
    elif key == ("GET", "/exports/{kind}"):  # a kind is not an id: the other clinic gets its own (empty) rows
        assert response.status_code == 200 and len(response.text.strip().splitlines()) == 1
    else:
        assert_error(response, 404, "not_found", unknown_field(key))


def test_another_clinics_lists_leave_this_clinics_records_out(world: World, visit: Visit) -> None:
    other = world.other
    name = ok(world.clinic["injector"].get(f"{API}/patients/{visit.patient_id}"))["family_name"]
    assert ok(other["front_desk"].get(f"{API}/patients", params={"q": name}))["total"] == 0
    assert ok(world.clinic["front_desk"].get(f"{API}/patients", params={"q": name}))["total"] == 1
    assert visit.lot_id not in {lot["id"] for lot in ok(other[INJ].get(f"{API}/lots"))}
    queue = ok(other[DIR].get(f"{API}/cosign-queue", params={"limit": 200}))
    assert visit.treatment_id not in {row["treatment_id"] for row in queue["items"]}
    follow_ups = ok(other[INJ].get(f"{API}/follow-ups", params={"open": "true", "limit": 200}))
    assert visit.follow_up_id not in {row["id"] for row in follow_ups["items"]}
