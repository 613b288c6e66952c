"""The account, users and audit-log pages: forms that work, refusals that name the field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web import seed as seeding
from tests.web.conftest import FORM_TOKEN, Browser, Login
from toxplan.credentials import totp

NEW = "lavender quarry bicycle 88"


def test_changing_the_password_on_the_page(login: Login, app: FastAPI) -> None:
    browser = login("injector")
    elsewhere = login("injector")
    page = browser.get("/account")
    assert page.status_code == 200 and "Change your password" in page.text
    mismatch = browser.post(
        "/account/password",
        {"current_password": seeding.PASSWORD, "new_password": NEW, "new_password_again": NEW + "x"},
    )
    assert mismatch.status_code == 422 and "the two new passwords differ" in mismatch.text
    weak = browser.post(
        "/account/password",
        {"current_password": seeding.PASSWORD, "new_password": "aaaaaaaaaaaa", "new_password_again": "aaaaaaaaaaaa"},
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    done = browser.post(
        "/account/password", {"current_password": seeding.PASSWORD, "new_password": NEW, "new_password_again": NEW}
    )
    assert done.status_code == 200 and "Password changed" in done.text
    assert browser.get("/patients").status_code == 200
    assert elsewhere.client.get("/patients", follow_redirects=False).status_code == 303  # signed out there


def test_setting_up_an_authenticator_app_on_the_page(login: Login, anonymous: Browser) -> None:
    browser = login("medical_director")
    browser.get("/account")
    started = browser.post("/account/second-factor")
    assert started.status_code == 200 and "<svg" in started.text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', started.text)
    assert secret
    done = browser.post(
        "/account/second-factor/confirm", {"code": totp.code_at(secret.group(1), dt.datetime.now(dt.UTC))}
    )
    assert "Authenticator app set up" in done.text
    form = anonymous.client.get("/sign-in")
    token = FORM_TOKEN.search(form.text)
    assert token
    fields = {"email": seeding.email("medical_director"), "password": seeding.PASSWORD, "form_token": token.group(1)}
    asked = anonymous.client.post("/sign-in", data=fields)
    assert asked.status_code == 401 and "authenticator app" in asked.text


def test_admins_manage_users_on_the_page(login: Login) -> None:
    admin = login("admin")
    listing = admin.get("/users")
    assert listing.status_code == 200 and seeding.email("front_desk") in listing.text
    weak = admin.post(
        "/users", {"name": "Weak", "email": "weak@clinic.test", "role": "injector", "password": "aaaaaaaaaaaa"}
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.text and "weak@clinic.test" in weak.text
    added = admin.post(
        "/users", {"name": "New Nurse", "email": "nurse@clinic.test", "role": "injector", "password": NEW}
    )
    assert "User added" in added.text and "nurse@clinic.test" in added.text
    row = re.compile(
        r'<span class="muted">([^<]+)</span></td>\s*<td><form method="post" action="/users/([0-9a-f-]{36})"'
    )
    ids = dict(row.findall(added.text))
    assert {"admin@clinic.test", "front-desk@clinic.test", "nurse@clinic.test"} <= set(ids)
    last_admin = admin.post(f"/users/{ids['admin@clinic.test']}", {"role": "injector"})
    assert last_admin.status_code == 409 and "at least one active admin" in last_admin.text
    reset = admin.post(f"/users/{ids['front-desk@clinic.test']}/password", {"new_password": NEW})
    assert "Password reset" in reset.text


def test_the_audit_page_filters_and_links_the_export(login: Login, anonymous: Browser) -> None:
    anonymous.client.post("/sign-in", data={"email": "x@y.z", "password": "wrong", "form_token": "x"})
    director = login("medical_director")
    page = director.get("/audit", params={"entity": "session"})
    assert page.status_code == 200 and "Audit log" in page.text
    assert 'href="/api/v1/audit/export?entity=session"' in page.text
    assert "event" in page.text
    bad = director.get("/audit", params={"since": "not a date"})
    assert bad.status_code == 422 and "give a date" in bad.text
    exported = director.client.get("/api/v1/audit/export", params={"entity": "audit_log"})
    assert exported.status_code == 200 and "read,audit_log" in exported.text


def test_a_required_second_factor_sends_the_admin_to_enrol(app: FastAPI, login: Login) -> None:
    settings = app.state.settings
    app.state.settings = dataclasses.replace(
        settings, security=dataclasses.replace(settings.security, second_factor_roles=frozenset({"admin"}))
    )
    client = TestClient(app, headers={"Accept": "text/html"})
    browser = Browser(client)
    form = client.get("/sign-in")
    token = FORM_TOKEN.search(form.text)
    assert token
    client.post(
        "/sign-in",
        data={
            "email": seeding.email("admin"),
            "password": seeding.PASSWORD,
            "form_token": token.group(1),
            "next": "/users",
        },
        follow_redirects=False,
    )
    blocked = browser.client.get("/users", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/account")
    assert "requires an authenticator app" in browser.get("/account").text
