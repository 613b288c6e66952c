"""Many servers, one PostgreSQL database: ``toxplan serve`` processes started on free ports,
driven over HTTP. Recordings for one patient are serialised across processes, sign-in
throttling and sessions are shared by them, and ``--workers N`` starts N worker processes."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.db.conftest import migrated_postgres_database
from tests.live import server_processes
from tests.web import seed as seeding
from toxplan.auth.throttle import ALLOWANCE
from toxplan.db.engine import unit_of_work
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import patients

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
API = "/api/v1"
HISTORY = [  # 200 U BOTOX for cervical dystonia 20 days ago: 400 U in 3 months leaves room for 150 U once
    ("sternocleidomastoid_left", 50),
    ("splenius_capitis_left", 50),
    ("trapezius_upper_left", 50),
    ("sternocleidomastoid_right", 50),
]
PLAN = [("splenius_capitis_right", 50), ("trapezius_upper_right", 50), ("sternocleidomastoid_left", 50)]


@dataclass(frozen=True)
class Chain:
    urls: list[str]
    factory: Any
    seeded: seeding.Seeded
    kb: KnowledgeBase


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Chain]:
    """Two separate server processes on one migrated PostgreSQL database, with a seeded clinic."""
    directory = tmp_path_factory.mktemp("chain")
    with migrated_postgres_database() as url:
        factory = seeding.factory_for(url)
        seeded = seeding.seed(factory, kb, now=dt.datetime.now(dt.UTC))
        with server_processes(url, directory, count=2) as servers:
            yield Chain([server.url for server in servers], factory, seeded, kb)
        factory.kw["bind"].dispose()


def signed_in(url: str, role: str, *, source: str = "127.0.0.1") -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=source))
    answer = client.post(f"{API}/session", json={"email": seeding.email(role), "password": seeding.PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["x-csrf-token"] = answer.json()["csrf_token"]
    return client


def patient_with_history(chain: Chain) -> str:
    now = dt.datetime.now(dt.UTC)
    injector = chain.seeded.actors["injector"]
    with unit_of_work(chain.factory) as session:
        patient = patients.create_patient(
            session,
            injector,
            {
                "given_name": "Race",
                "family_name": f"Case-{uuid.uuid4().hex[:6]}",
                "birth_date": "1980-05-05",
                "sex": "female",
            },
            today=now.date(),
        )
        patients.add_screening(
            session,
            injector,
            patient.id,
            {"visit_on": now.date(), "pregnant": False, "breastfeeding": False, "infection_at_site": False},
            today=now.date(),
        )
    seeding.record(
        chain.factory,
        chain.kb,
        chain.seeded,
        now=now,
        visit_at=now - dt.timedelta(days=20),
        injections=[{"indication": "cervical_dystonia", "site": s, "units": u} for s, u in HISTORY],
        patient_id=patient.id,
        lot_id=seeding.extra_lot(chain.factory, chain.kb, chain.seeded, now=now, vials=5),  # the history's vials
    )
    return patient.id


def test_two_recordings_through_two_processes_cannot_both_pass_the_cumulative_check(chain: Chain) -> None:
    first, second = signed_in(chain.urls[0], "injector"), signed_in(chain.urls[1], "medical_director")
    for _ in range(3):
        patient_id = patient_with_history(chain)
        body = {
            "patient_id": patient_id,
            "lot_id": chain.seeded.lot_id,
            "reconstitution_id": chain.seeded.reconstitution_id,
            "visit_at": dt.datetime.now(dt.UTC).isoformat(),
            "injections": [{"indication": "cervical_dystonia", "site": s, "units": u} for s, u in PLAN],
            "overrides": [],
            "password": seeding.PASSWORD,  # signing asks for the signer's password again
        }
        gate = threading.Barrier(2)

        def record(
            client: httpx.Client, payload: dict[str, Any] = body, gate: threading.Barrier = gate
        ) -> httpx.Response:
            gate.wait()
            return client.post(f"{API}/treatments", json=payload)

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(record, (first, second)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201, 409], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 409).json()["error"]
        assert "CUMULATIVE_DOSE_ABOVE_MAX" in refused["message"]
        history = first.get(f"{API}/patients/{patient_id}/treatments").json()
        assert len(history["items"] if isinstance(history, dict) else history) == 2  # 200 U + one 150 U


def test_sign_in_throttling_holds_across_processes(chain: Chain) -> None:
    email = seeding.email("front_desk")

    def guess(i: int) -> int:
        url = chain.urls[i % 2]
        headers = {"X-Forwarded-For": f"203.0.113.{i}"}  # no trusted proxy: not believed
        answer = httpx.post(
            f"{url}{API}/session", json={"email": email, "password": f"guess {i} wrong"}, headers=headers, timeout=120
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=60) as pool:
        statuses = list(pool.map(guess, range(60)))
    assert statuses.count(401) <= ALLOWANCE["pair"], statuses
    assert statuses.count(429) >= 60 - ALLOWANCE["pair"]
    for url in chain.urls:  # paused on both servers
        again = httpx.post(f"{url}{API}/session", json={"email": email, "password": seeding.PASSWORD}, timeout=60)
        assert again.status_code == 429
    owner = signed_in(chain.urls[1], "front_desk", source="127.0.0.2")  # the owner elsewhere gets in
    assert owner.get(f"{API}/session").status_code == 200


def test_a_session_opened_on_one_process_works_and_ends_on_the_other(chain: Chain) -> None:
    client = signed_in(chain.urls[0], "admin")
    cookie = client.cookies.get("toxplan_session")
    assert cookie
    other = httpx.Client(base_url=chain.urls[1], timeout=60)
    other.cookies.set("toxplan_session", cookie)
    other.headers["x-csrf-token"] = client.headers["x-csrf-token"]
    assert other.get(f"{API}/session").status_code == 200
    assert other.delete(f"{API}/session").status_code == 204
    assert client.get(f"{API}/session").status_code == 401


def test_serve_with_workers_starts_that_many_processes(tmp_path: Path, chain: Chain) -> None:
    with migrated_postgres_database() as url, server_processes(url, tmp_path, workers=2) as (server,):
        answers = [httpx.get(f"{server.url}{API}/health", timeout=30).status_code for _ in range(10)]
        assert answers == [200] * 10
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ") for pid in children]
        workers = [c for c in commands if b"spawn_main" in c]  # not multiprocessing's resource tracker
        assert len(workers) == 2, commands
