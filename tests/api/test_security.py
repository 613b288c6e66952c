"""Sign-in security: Argon2 hashes, cookie flags, rate limiting, sign-out, no default accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import API, PASSWORD, assert_error, build_app, make_staff
from toxplan.credentials.passwords import hash_password, verify_password
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase


def test_passwords_are_argon2id_hashes_and_short_ones_are_refused() -> None:
    stored = hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")
    assert not verify_password(None, "anything at all")  # a user without a password never signs in
    with pytest.raises(InvalidInput) as refused:
        hash_password("short")
    assert refused.value.field == "password"


@pytest.fixture
def fresh_app(tmp_path: Path, kb: KnowledgeBase, password_hash: str):  # type: ignore[no-untyped-def]
    """Its own app and limiter, so failed sign-ins here never block the other tests."""
    app = build_app(tmp_path, kb)
    staff = make_staff(app, "Security clinic", password_hash, roles=("injector",))
    return app, staff.emails["injector"]


def test_sign_in_is_rate_limited_with_the_error_shape(fresh_app) -> None:  # type: ignore[no-untyped-def]
    app, email = fresh_app
    client = TestClient(app)
    for _ in range(5):
        assert_error(
            client.post(f"{API}/session", json={"email": email, "password": "wrong password!"}),
            401,
            "unauthenticated",
            "password",
        )
    blocked = client.post(f"{API}/session", json={"email": email, "password": PASSWORD})
    assert_error(blocked, 429, "rate_limited", "password")
    assert int(blocked.headers["retry-after"]) > 0


def test_session_cookie_flags_and_sign_out(fresh_app) -> None:  # type: ignore[no-untyped-def]
    app, email = fresh_app
    client = TestClient(app)
    answer = client.post(f"{API}/session", json={"email": email, "password": PASSWORD})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    behind_tls = TestClient(app).post(
        f"{API}/session", json={"email": email, "password": PASSWORD}, headers={"x-forwarded-proto": "https"}
    )
    assert "secure" in behind_tls.headers["set-cookie"].lower()
    csrf = {"x-csrf-token": answer.json()["csrf_token"]}
    assert client.get(f"{API}/session").status_code == 200
    assert client.delete(f"{API}/session", headers=csrf).status_code == 204
    token = answer.cookies.get("toxplan_session")
    again = TestClient(app)
    again.cookies.set("toxplan_session", token or "")
    assert_error(again.get(f"{API}/session"), 401, "unauthenticated", "session")  # revoked, not just forgotten


def test_a_new_installation_has_no_account_to_sign_in_with(tmp_path: Path, kb: KnowledgeBase) -> None:
    app = build_app(tmp_path, kb)
    for email in ("admin@example.org", "admin", "demo@demo.toxplan.org"):
        answer = TestClient(app).post(f"{API}/session", json={"email": email, "password": "admin"})
        assert answer.status_code == 401
