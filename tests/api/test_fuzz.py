"""Requests generated from the OpenAPI schema, signed in as an injector: whatever arrives, the
server answers with a status it chose, never a 5xx.

Bounded to stay quick (20 examples per operation, no shrinking); the ``fuzz`` marker lets a
developer deselect it (``-m "not fuzz"``), but it is part of the default run.

The schema is loaded at import, as ``@schema.parametrize()`` needs it to make one test per
operation (``schemathesis.pytest.from_fixture`` fails on pytest 9: it sets the removed
``Function._nodeid``). Loading the schema touches no database; the database is migrated and
the injector signed in by the fixture below.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import API, build_app, make_staff, signed_visit
from tests.conftest import KNOWLEDGE
from toxplan.http.deps import CSRF_HEADER, SESSION_COOKIE
from toxplan.knowledge.loader import load

DIRECTORY = Path(tempfile.mkdtemp(prefix="toxplan-fuzz-"))
"""A database of its own: generated patients and lots stay out of the other tests."""
atexit.register(shutil.rmtree, DIRECTORY, ignore_errors=True)  # also in xdist workers that run no fuzz case
APP = build_app(DIRECTORY, load(KNOWLEDGE))
schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", APP).exclude(
    method="DELETE",
    path=f"{API}/session",  # signing out would end the session every later call uses
)


@pytest.fixture(scope="module")
def signed_in(password_hash: str) -> Iterator[dict[str, Any]]:
    """The injector's session cookie and CSRF token, sent with every generated call, and the
    ids of a real visit: random ids only ever reach "not found", real ones reach the services."""
    client = make_staff(APP, "Fuzz clinic", password_hash, roles=("injector",))["injector"]
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    visit = signed_visit(client)
    yield {
        "cookies": {SESSION_COOKIE: token},
        "headers": {CSRF_HEADER: client.headers[CSRF_HEADER]},
        "ids": {
            "patient_id": visit.patient_id,
            "lot_id": visit.lot_id,
            "lot_number": visit.lot_number,
            "reconstitution_id": visit.reconstitution_id,
            "treatment_id": visit.treatment_id,
            "follow_up_id": visit.follow_up_id,
        },
    }
    APP.state.engine.dispose()


SEEN: dict[str, int] = {}


def use_real_ids(case: Any, ids: dict[str, str]) -> None:
    """Every other example of an operation names the real visit in its path and body."""
    key = f"{case.method} {case.path}"
    SEEN[key] = SEEN.get(key, 0) + 1
    if SEEN[key] % 2:
        return
    for name in ids.keys() & (case.path_parameters or {}).keys():
        case.path_parameters[name] = ids[name]
    if isinstance(case.body, dict):
        for name in ids.keys() & case.body.keys():
            case.body[name] = ids[name]


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=20,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same requests on every run, so a failure reproduces
)
def test_no_request_makes_a_server_error(case: Any, signed_in: dict[str, Any]) -> None:
    use_real_ids(case, signed_in["ids"])
    response = case.call(headers=signed_in["headers"], cookies=signed_in["cookies"])
    case.validate_response(response, checks=[not_a_server_error])
