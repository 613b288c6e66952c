"""Schemathesis against a live server on PostgreSQL: ``toxplan serve --workers 2`` on a fresh
migrated database, every operation of the OpenAPI schema, each called signed in as a role its
Allow rule admits (the access table in ``test_access.py``), with valid and invalid generated
inputs. At least 5,000 requests; not one may get a 5xx.

Every generated case is sent as a role the operation admits and, where there is one, as a
role it refuses (a 403 that the audit records, whatever the input); a case that names records
is sent again with the ids of real records (which reach the services: signed treatments,
co-signatures, follow-ups, users). Requests go out from a pool of threads while the next cases
are generated. ``TOXPLAN_FUZZ_EXAMPLES`` sets the examples per operation and mode.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from tests.api.test_access import ACCESS, PUBLIC
from tests.db.conftest import migrated_postgres_database
from tests.live import server_processes
from tests.web import seed as seeding
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import clinics

pytestmark = [pytest.mark.postgres, pytest.mark.fuzz, pytest.mark.slow]
API = "/api/v1"
EXAMPLES = int(os.environ.get("TOXPLAN_FUZZ_EXAMPLES", "40"))
MIN_REQUESTS = 5_000
SESSION_ENDING = ("DELETE", f"{API}/session")
"""Signing out ends the session the other calls use: it runs once, last."""


class Sessions:
    """One signed-in client per role; a role is signed in again if its session ends."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.clients: dict[str, httpx.Client] = {}
        self.lock = threading.Lock()
        for role in seeding.ROLES:
            self.sign_in(role)

    def sign_in(self, role: str) -> None:
        client = self.clients.get(role) or httpx.Client(base_url=self.base, timeout=120)  # keeps the device cookie
        answer = client.post(f"{API}/session", json={"email": seeding.email(role), "password": seeding.PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["x-csrf-token"] = answer.json()["csrf_token"]
        self.clients[role] = client

    def credentials(self, role: str) -> tuple[dict[str, str], dict[str, str]]:
        with self.lock:
            client = self.clients[role]
            return {"x-csrf-token": client.headers["x-csrf-token"]}, {
                "toxplan_session": client.cookies["toxplan_session"]
            }


def roles_for(method: str, path: str) -> tuple[str, str | None]:
    """A role the operation admits, and one it refuses (None when it admits every role)."""
    allowed, _ = ACCESS[(method, path.removeprefix(API))]
    if allowed == PUBLIC:
        return "injector", None
    admitted = "medical_director" if "medical_director" in allowed else allowed[0]
    refused = next((role for role in seeding.ROLES if role not in allowed), None)
    return admitted, refused


def real_records(factory: Any, kb: KnowledgeBase, seeded: seeding.Seeded) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    treatment_id = seeding.record(factory, kb, seeded, now=now)
    with unit_of_work(factory) as session:
        (follow_up,) = treatment_repo.follow_ups(session, [treatment_id])
        victim = clinics.create_user(
            session,
            seeded.clinic_id,
            {"name": "Fuzzed Colleague", "email": f"fuzzed.{uuid.uuid4().hex[:6]}@clinic.test", "role": "injector"},
        )
        return {
            "patient_id": seeded.patient_id,
            "treatment_id": treatment_id,
            "follow_up_id": follow_up.id,
            "lot_id": seeded.lot_id,
            "lot_number": seeded.lot_number,
            "reconstitution_id": seeded.reconstitution_id,
            "user_id": victim.id,
        }


def with_real_ids(case: Any, ids: dict[str, str]) -> Any | None:
    """A copy of the case naming real records, or None when it names none."""
    path_names = ids.keys() & (case.path_parameters or {}).keys()
    body_names = ids.keys() & case.body.keys() if isinstance(case.body, dict) else set()
    if not path_names and not body_names:
        return None
    path_parameters = {**case.path_parameters, **{n: ids[n] for n in path_names}}
    body = {**case.body, **{n: ids[n] for n in body_names}} if body_names else case.body
    return case.operation.Case(
        method=case.method,
        path_parameters=path_parameters,
        headers=case.headers,
        cookies=case.cookies,
        query=case.query,
        body=body,
        media_type=case.media_type,
    )


OURS = (f"{API}/session", f"{API}/users", f"{API}/audit")
"""Sign-in, accounts and the audit log: any server error there fails the test."""


def generate(operation: Any, mode: GenerationMode) -> list[Any]:
    """Up to ``EXAMPLES`` cases of an operation, the same on every run; none when the
    operation has no invalid input to make."""
    cases: list[Any] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same requests on every run, so a failure reproduces
        database=None,
    )
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:
        return []
    return cases


class Run:
    """Sends cases from a pool of threads and keeps every status and every server error."""

    def __init__(self, base: str, sessions: Sessions, ids: dict[str, str]) -> None:
        self.base, self.sessions, self.ids = base, sessions, ids
        self.sent: list[int] = []
        self.failures: list[tuple[Any, str]] = []
        self.last: list[Any] = []
        self.local = threading.local()

    def send(self, case: Any, role: str) -> None:
        headers, cookies = self.sessions.credentials(role)
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()  # one kept-alive connection per thread
        response = case.call(
            base_url=self.base, session=self.local.session, headers=headers, cookies=cookies, timeout=120
        )
        self.sent.append(response.status_code)
        if response.status_code >= 500:  # schemathesis's not_a_server_error, without its report
            self.failures.append((case, f"{case.as_curl_command()} -> {response.status_code}"))

    def cases(self, operation: Any) -> list[Any]:
        # Invalid path parameters cannot be generated (Hypothesis gives up after seconds):
        # invalid inputs only where there is a query or a body.
        has_inputs = any(p.location != "path" for p in operation.iter_parameters()) or operation.body
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if has_inputs else [])
        return [case for mode in modes for case in generate(operation, mode)]

    def all(self, operations: list[Any]) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            pending: list[Future[None]] = []
            for operation in operations:
                method, path = operation.method.upper(), operation.path
                role, refused = roles_for(method, path)
                for case in self.cases(operation):
                    if (method, path) == SESSION_ENDING:
                        self.last.append(case)
                        continue
                    pending.append(pool.submit(self.send, case, role))
                    if refused is not None:  # the refusal path (403, audited) with the same input
                        pending.append(pool.submit(self.send, case, refused))
                    real = with_real_ids(case, self.ids)
                    if real is not None:
                        pending.append(pool.submit(self.send, real, role))
            for future in pending:
                future.result()
        for case in self.last:
            self.send(case, "injector")
            self.sessions.sign_in("injector")


def test_a_live_server_on_postgresql_never_answers_a_generated_request_with_a_server_error(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    with migrated_postgres_database() as url:
        factory = seeding.factory_for(url)
        seeded = seeding.seed(factory, kb, now=dt.datetime.now(dt.UTC))
        ids = real_records(factory, kb, seeded)
        with server_processes(url, tmp_path, workers=2) as (server,):
            schema = schemathesis.openapi.from_url(f"{server.url}{API}/openapi.json")
            operations = [result.ok() for result in schema.get_all_operations()]
            assert {(op.method.upper(), op.path.removeprefix(API)) for op in operations} == set(ACCESS)
            run = Run(server.url, Sessions(server.url), ids)
            run.all(operations)
        factory.kw["bind"].dispose()
    sent = run.sent
    print(f"{len(sent)} requests; statuses: {sorted(set(sent))}; {len(run.failures)} server errors")
    errors = [shown for _, shown in run.failures]
    assert errors == [], "\n".join(errors[:20])
    assert len(sent) >= MIN_REQUESTS
    assert sum(200 <= s < 300 for s in sent) > 300  # valid calls reached the services, not only refusals
    assert sent.count(403) > 500  # and the refusals were tried with the same inputs
