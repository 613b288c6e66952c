"""Sign-in that holds: throttled in the database before the password is checked, addresses
taken from X-Forwarded-For only behind a configured proxy, failures audited, demo accounts
only in demo mode, and sessions that end when idle."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import API, NOW, PASSWORD, assert_error, build_app, make_staff
from tests.live import server_thread
from toxplan.auth.throttle import ALLOWANCE
from toxplan.credentials import totp
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent
from toxplan.http.deps import get_now
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import clinics
from toxplan.settings.security import security_from

WRONG = "not the password at all"


def app_with(tmp_path: Path, kb: KnowledgeBase, **security: object) -> FastAPI:
    app = build_app(tmp_path, kb)
    settings = app.state.settings
    app.state.settings = dataclasses.replace(settings, security=dataclasses.replace(settings.security, **security))
    return app


@pytest.fixture
def owner(tmp_path: Path, kb: KnowledgeBase, password_hash: str) -> tuple[FastAPI, str]:
    app = app_with(tmp_path, kb)
    staff = make_staff(app, "Throttle clinic", password_hash, roles=("injector",))
    return app, staff.emails["injector"]


def failed_sign_ins(app: FastAPI) -> list[AuditEvent]:
    with unit_of_work(app.state.sessions) as session:
        query = select(AuditEvent).where(AuditEvent.entity == "failed_sign_in").order_by(AuditEvent.at)
        return list(session.scalars(query))


def test_sixty_concurrent_guesses_rotating_x_forwarded_for_evaluate_at_most_five(owner: tuple[FastAPI, str]) -> None:
    app, email = owner
    with server_thread(app) as url:

        def guess(i: int) -> int:
            headers = {"X-Forwarded-For": f"198.51.100.{i + 1}"}  # not believed: no trusted proxy
            body = {"email": email, "password": f"{WRONG} {i}"}
            return httpx.post(f"{url}{API}/session", json=body, headers=headers, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=60) as pool:
            statuses = list(pool.map(guess, range(60)))
        assert statuses.count(401) <= ALLOWANCE["pair"], statuses  # evaluated (and wrong)
        assert statuses.count(401) + statuses.count(429) == 60
        evaluated = [e for e in failed_sign_ins(app) if "wrong e-mail or password" in (e.detail or "")]
        assert len(evaluated) == statuses.count(401)
        assert len(failed_sign_ins(app)) == 60  # every failure is audited, refused or evaluated
        # The attacker's address stays paused, whatever it claims to be.
        again = httpx.post(
            f"{url}{API}/session",
            json={"email": email, "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.99"},
        )
        assert again.status_code == 429
        # The owner, from another address, signs in at once.
        fresh = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        answer = fresh.post(f"{url}{API}/session", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(
    tmp_path: Path, kb: KnowledgeBase, password_hash: str
) -> None:
    app = app_with(
        tmp_path, kb, trusted_proxies=security_from({"TOXPLAN_TRUSTED_PROXIES": "127.0.0.0/8"}).trusted_proxies
    )
    email = make_staff(app, "Proxy clinic", password_hash, roles=("injector",)).emails["injector"]
    with server_thread(app) as url:
        attacker = {"X-Forwarded-For": "203.0.113.5"}
        for _ in range(ALLOWANCE["pair"]):
            assert (
                httpx.post(
                    f"{url}{API}/session", json={"email": email, "password": WRONG}, headers=attacker
                ).status_code
                == 401
            )
        assert (
            httpx.post(f"{url}{API}/session", json={"email": email, "password": WRONG}, headers=attacker).status_code
            == 429
        )
        # Behind the proxy, the owner at another client address is another address.
        owner = {"X-Forwarded-For": "198.51.100.77, 127.0.0.1"}
        assert (
            httpx.post(f"{url}{API}/session", json={"email": email, "password": PASSWORD}, headers=owner).status_code
            == 200
        )
    details = " ".join(e.detail or "" for e in failed_sign_ins(app))
    assert "203.0.113.5" in details and "127.0.0.1" not in details


def test_a_trusted_browser_gets_in_while_strangers_attack_the_account(owner: tuple[FastAPI, str]) -> None:
    app, email = owner
    browser = TestClient(app)
    assert browser.post(f"{API}/session", json={"email": email, "password": PASSWORD}).status_code == 200
    assert browser.cookies.get("toxplan_device")
    for i in range(ALLOWANCE["account"] + 5):  # many addresses (a botnet behind the same test client)
        TestClient(app).post(
            f"{API}/session", json={"email": email, "password": WRONG}, headers={"X-Forwarded-For": f"10.1.0.{i}"}
        )
    assert browser.post(f"{API}/session", json={"email": email, "password": PASSWORD}).status_code == 200


def test_failed_sign_ins_are_audited_in_the_accounts_clinic(owner: tuple[FastAPI, str]) -> None:
    app, email = owner
    client = TestClient(app)
    assert_error(
        client.post(f"{API}/session", json={"email": email, "password": WRONG}), 401, "unauthenticated", "password"
    )
    assert_error(
        client.post(f"{API}/session", json={"email": "nobody@example.org", "password": WRONG}),
        401,
        "unauthenticated",
        "password",
    )
    events = failed_sign_ins(app)
    known, unknown = events
    assert known.clinic_id is not None and known.entity_id is not None and email in (known.detail or "")
    assert unknown.clinic_id is None and "nobody@example.org" in (unknown.detail or "")
    assert all(e.action == "create" for e in events)


def test_demo_accounts_sign_in_only_in_demo_mode(tmp_path: Path, kb: KnowledgeBase, password_hash: str) -> None:
    app = app_with(tmp_path, kb)
    with unit_of_work(app.state.sessions) as session:
        clinic = clinics.create_clinic(session, "ToxPlan Demo Clinic")
        clinics.create_user(
            session,
            clinic.id,
            {"name": "Demo Injector", "email": "demo.injector@demo.toxplan.org", "role": "injector"},
            password_hash=password_hash,
        )
    body = {"email": "demo.injector@demo.toxplan.org", "password": PASSWORD}
    demo_client = TestClient(app)
    app.state.settings = dataclasses.replace(
        app.state.settings, security=dataclasses.replace(app.state.settings.security, demo=True)
    )
    assert demo_client.post(f"{API}/session", json=body).status_code == 200
    assert demo_client.get(f"{API}/session").status_code == 200
    app.state.settings = dataclasses.replace(
        app.state.settings, security=dataclasses.replace(app.state.settings.security, demo=False)
    )
    assert_error(TestClient(app).post(f"{API}/session", json=body), 401, "unauthenticated", "email")
    assert_error(demo_client.get(f"{API}/session"), 401, "unauthenticated", "session")  # its session ends too


def test_a_session_ends_after_the_idle_timeout_but_not_while_used(owner: tuple[FastAPI, str]) -> None:
    app, email = owner
    clock = [NOW]

    async def now() -> dt.datetime:
        return clock[0]

    app.dependency_overrides[get_now] = now
    client = TestClient(app)
    assert client.post(f"{API}/session", json={"email": email, "password": PASSWORD}).status_code == 200
    for _ in range(6):  # three hours of a request every 25 minutes
        clock[0] += dt.timedelta(minutes=25)
        assert client.get(f"{API}/session").status_code == 200
    clock[0] += dt.timedelta(minutes=31)
    assert_error(client.get(f"{API}/session"), 401, "unauthenticated", "session")
    clock[0] -= dt.timedelta(minutes=30)  # ended for good, even if the clock were to go back
    assert client.get(f"{API}/session").status_code == 401


def test_a_busy_session_still_ends_at_its_absolute_lifetime(owner: tuple[FastAPI, str]) -> None:
    app, email = owner
    clock = [NOW]

    async def now() -> dt.datetime:
        return clock[0]

    app.dependency_overrides[get_now] = now
    client = TestClient(app)
    assert client.post(f"{API}/session", json={"email": email, "password": PASSWORD}).status_code == 200
    for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 h 40 min
        clock[0] += dt.timedelta(minutes=20)
        assert client.get(f"{API}/session").status_code == 200
    clock[0] += dt.timedelta(minutes=21)  # 12 h 01 min after signing in, 21 min after the last request
    assert_error(client.get(f"{API}/session"), 401, "unauthenticated", "session")


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "nul\\u0000@example.org", "password": "whatever it is"}',
        b'{"email": "lone\\ud878@example.org", "password": "whatever it is"}',
        b'{"email": "someone@example.org", "password": "lone \\ud878 surrogate"}',
    ],
)
def test_odd_sign_in_input_is_refused_not_a_server_error(owner: tuple[FastAPI, str], body: bytes) -> None:
    app, _ = owner
    answer = TestClient(app).post(f"{API}/session", content=body, headers={"content-type": "application/json"})
    assert answer.status_code in (401, 422), answer.text


def test_an_authenticator_code_in_other_digits_is_wrong_not_an_error() -> None:
    secret = totp.new_secret()
    assert totp.accepted_step(secret, "\u0661\u0662\u0663\u0664\u0665\u0666", now=NOW, after=None) is None
    assert totp.accepted_step(secret, totp.code_at(secret, NOW), now=NOW, after=None) is not None
