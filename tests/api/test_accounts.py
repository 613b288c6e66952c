"""Accounts: password policy, password change and admin reset end sessions, user and role
management keeps an admin, the authenticator-app second factor, and the audit log for admins
and medical directors."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import API, NOW, PASSWORD, Staff, assert_error, build_app, make_staff, ok, sign_in
from toxplan.credentials import totp
from toxplan.credentials.passwords import hash_password
from toxplan.errors import InvalidInput
from toxplan.http.deps import CSRF_HEADER
from toxplan.knowledge.base import KnowledgeBase

NEW = "lavender quarry bicycle 88"


@pytest.fixture
def clinic(tmp_path: Path, kb: KnowledgeBase, password_hash: str) -> tuple[FastAPI, Staff]:
    app = build_app(tmp_path, kb)
    return app, make_staff(app, "Accounts clinic", password_hash)


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "password1234", "qwertyuiop123", "short"])
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        hash_password(weak)
    assert refused.value.field == "password"


def test_a_password_like_the_users_own_name_is_refused() -> None:
    with pytest.raises(InvalidInput):
        hash_password("ana.silva@clinic.test", user_inputs=["ana.silva@clinic.test", "Ana Silva"])


def test_changing_the_password_needs_the_current_one_and_ends_every_session(clinic: tuple[FastAPI, Staff]) -> None:
    app, staff = clinic
    email = staff.emails["injector"]
    other_device = sign_in(app, email)
    me = staff["injector"]
    assert_error(
        me.post(f"{API}/session/password", json={"current_password": "wrong password here", "new_password": NEW}),
        422,
        "invalid_input",
        "current_password",
    )
    assert_error(
        me.post(f"{API}/session/password", json={"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"}),
        422,
        "invalid_input",
        "new_password",
    )
    answer = ok(me.post(f"{API}/session/password", json={"current_password": PASSWORD, "new_password": NEW}))
    assert other_device.get(f"{API}/session").status_code == 401  # every other session ended
    me.headers[CSRF_HEADER] = answer["csrf_token"]
    assert me.get(f"{API}/session").status_code == 200  # this client got a new one
    assert TestClient(app).post(f"{API}/session", json={"email": email, "password": PASSWORD}).status_code == 401
    assert TestClient(app).post(f"{API}/session", json={"email": email, "password": NEW}).status_code == 200


def test_guessing_the_current_password_from_a_stolen_session_is_throttled(clinic: tuple[FastAPI, Staff]) -> None:
    _, staff = clinic
    me = staff["front_desk"]
    statuses = [
        me.post(
            f"{API}/session/password", json={"current_password": f"guess number {i}", "new_password": NEW}
        ).status_code
        for i in range(7)
    ]
    assert statuses == [422] * 5 + [429] * 2


def test_an_admin_resets_a_password_and_the_users_sessions_end(clinic: tuple[FastAPI, Staff]) -> None:
    app, staff = clinic
    victim = staff["injector"]
    admin = staff["admin"]
    url = f"{API}/users/{staff.user_ids['injector']}/password"
    assert_error(staff["medical_director"].post(url, json={"new_password": NEW}), 403, "forbidden", "role")
    assert_error(admin.post(url, json={"new_password": "aaaaaaaaaaaa"}), 422, "invalid_input", "new_password")
    assert admin.post(url, json={"new_password": NEW}).status_code == 204
    assert victim.get(f"{API}/session").status_code == 401
    assert (
        TestClient(app).post(f"{API}/session", json={"email": staff.emails["injector"], "password": NEW}).status_code
        == 200
    )


def test_admins_manage_users_and_roles_but_never_remove_the_last_admin(clinic: tuple[FastAPI, Staff]) -> None:
    app, staff = clinic
    admin = staff["admin"]
    made = ok(
        admin.post(
            f"{API}/users",
            json={"name": "New Nurse", "email": "nurse@example.org", "role": "injector", "password": NEW},
        ),
        201,
    )
    assert_error(
        admin.post(
            f"{API}/users",
            json={"name": "Weak", "email": "weak@example.org", "role": "injector", "password": "aaaaaaaaaaaa"},
        ),
        422,
        "invalid_input",
        "password",
    )
    nurse = TestClient(app)
    assert nurse.post(f"{API}/session", json={"email": "nurse@example.org", "password": NEW}).status_code == 200
    assert ok(admin.patch(f"{API}/users/{made['id']}", json={"role": "front_desk"}))["role"] == "front_desk"
    assert nurse.get(f"{API}/patients/{made['id']}").status_code == 403  # the new role applies at once
    assert ok(admin.patch(f"{API}/users/{made['id']}", json={"active": False}))["active"] is False
    assert nurse.get(f"{API}/session").status_code == 401
    me = staff.user_ids["admin"]
    assert_error(admin.patch(f"{API}/users/{me}", json={"role": "injector"}), 409, "conflict", "role")
    assert_error(admin.patch(f"{API}/users/{me}", json={"active": False}), 409, "conflict", "role")
    ok(admin.patch(f"{API}/users/{made['id']}", json={"active": True, "role": "admin"}))
    assert ok(admin.patch(f"{API}/users/{me}", json={"role": "injector"}))["role"] == "injector"  # another admin now


def test_user_management_stays_in_the_clinic(clinic: tuple[FastAPI, Staff], password_hash: str) -> None:
    app, staff = clinic
    other = make_staff(app, "Elsewhere", password_hash, roles=("admin",))
    emails = {u["email"] for u in ok(other["admin"].get(f"{API}/users"))}
    assert staff.emails["injector"] not in emails
    target = staff.user_ids["injector"]
    assert_error(other["admin"].patch(f"{API}/users/{target}", json={"name": "Hijacked"}), 404, "not_found", "user_id")
    assert_error(
        other["admin"].post(f"{API}/users/{target}/password", json={"new_password": NEW}), 404, "not_found", "user_id"
    )


def enrol(client: TestClient, at: dt.datetime = NOW) -> str:
    setup = ok(client.post(f"{API}/session/second-factor"), 201)
    assert setup["uri"].startswith("otpauth://totp/") and setup["secret"] in setup["uri"]
    assert_error(
        client.post(f"{API}/session/second-factor/confirm", json={"code": "000000"}), 422, "invalid_input", "code"
    )
    ok(client.post(f"{API}/session/second-factor/confirm", json={"code": totp.code_at(setup["secret"], at)}))
    secret: str = setup["secret"]
    return secret


def test_an_authenticator_app_is_then_required_at_sign_in_and_a_code_works_once(clinic: tuple[FastAPI, Staff]) -> None:
    app, staff = clinic
    email = staff.emails["medical_director"]
    secret = enrol(staff["medical_director"], NOW - dt.timedelta(seconds=30))
    body = {"email": email, "password": PASSWORD}
    assert_error(TestClient(app).post(f"{API}/session", json=body), 401, "second_factor_required", "second_factor")
    wrong = {**body, "second_factor": "123456" if totp.code_at(secret, NOW) != "123456" else "654321"}
    assert_error(TestClient(app).post(f"{API}/session", json=wrong), 401, "unauthenticated", "second_factor")
    code = totp.code_at(secret, NOW)
    assert TestClient(app).post(f"{API}/session", json={**body, "second_factor": code}).status_code == 200
    replay = TestClient(app).post(f"{API}/session", json={**body, "second_factor": code})
    assert_error(replay, 401, "unauthenticated", "second_factor")  # a code is accepted once


def test_an_admin_removes_a_lost_authenticator(clinic: tuple[FastAPI, Staff]) -> None:
    app, staff = clinic
    enrol(staff["injector"])
    assert staff["admin"].delete(f"{API}/users/{staff.user_ids['injector']}/second-factor").status_code == 204
    answer = TestClient(app).post(f"{API}/session", json={"email": staff.emails["injector"], "password": PASSWORD})
    assert answer.status_code == 200


def test_a_required_second_factor_confines_the_session_to_enrolment(
    tmp_path: Path, kb: KnowledgeBase, password_hash: str
) -> None:
    app = build_app(tmp_path, kb)
    settings = app.state.settings
    app.state.settings = dataclasses.replace(
        settings, security=dataclasses.replace(settings.security, second_factor_roles=frozenset({"admin"}))
    )
    staff = make_staff(app, "Strict clinic", password_hash, roles=("admin", "injector"))
    admin = staff["admin"]
    assert ok(admin.get(f"{API}/session"))["must_enrol_second_factor"] is True
    assert_error(admin.get(f"{API}/users"), 403, "second_factor_enrolment_required", "second_factor")
    assert ok(staff["injector"].get(f"{API}/session"))["must_enrol_second_factor"] is False
    enrol(admin)
    assert admin.get(f"{API}/users").status_code == 200
    assert_error(
        admin.post(f"{API}/session/second-factor/remove", json={"current_password": PASSWORD}),
        409,
        "conflict",
        "second_factor",
    )


def test_the_audit_log_is_for_admins_and_directors_filtered_exported_and_itself_audited(
    clinic: tuple[FastAPI, Staff],
) -> None:
    app, staff = clinic
    TestClient(app).post(f"{API}/session", json={"email": staff.emails["injector"], "password": "wrong guess here"})
    for role in ("injector", "front_desk"):
        assert_error(staff[role].get(f"{API}/audit"), 403, "forbidden", "role")
    director = staff["medical_director"]
    failed = ok(director.get(f"{API}/audit", params={"entity": "failed_sign_in", "action": "create"}))
    assert failed["total"] == 1 and staff.emails["injector"] in failed["items"][0]["detail"]
    mine = ok(
        director.get(f"{API}/audit", params={"user_id": staff.user_ids["medical_director"], "entity": "audit_log"})
    )
    assert mine["total"] >= 1 and mine["items"][0]["action"] == "read"  # reading it was audited
    assert_error(
        director.get(f"{API}/audit", params={"since": "2026-11-26", "until": "2026-11-25"}),
        422,
        "invalid_input",
        "until",
    )
    exported = staff["admin"].get(f"{API}/audit/export", params={"since": NOW.date().isoformat()})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {"at", "user_id", "action", "entity", "patient_id", "detail"} <= set(rows[0])
    assert any(r["entity"] == "failed_sign_in" for r in rows)
    exports = ok(staff["admin"].get(f"{API}/audit", params={"action": "export", "entity": "audit_log"}))
    assert exports["total"] == 1


def test_two_admins_adding_the_same_email_at_once_get_one_user_and_one_conflict(
    tmp_path: Path, kb: KnowledgeBase, password_hash: str
) -> None:
    app = build_app(tmp_path, kb)
    staff = make_staff(app, "Race clinic", password_hash, roles=("admin",))
    second = sign_in(app, staff.emails["admin"])
    body = {"name": "Twice Added", "email": "twice@example.org", "role": "injector", "password": NEW}
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda c: c.post(f"{API}/users", json=body), (staff["admin"], second)))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
