"""Page tests: the app on a fresh migrated SQLite file per test, seeded through the services,
driven by TestClient as a browser would: sign in through the form, read the CSRF token from
the page, post forms."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from toxplan.app import create_app
from toxplan.knowledge.base import KnowledgeBase
from toxplan.settings import Settings

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "template.db"
    seeding.migrated_database(path)
    return path


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def database(tmp_path: Path, web_template: Path) -> str:
    path = tmp_path / "toxplan.db"
    shutil.copy(web_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def factory(database: str) -> Iterator[sessionmaker[Session]]:
    made = seeding.factory_for(database)
    yield made
    bind = made.kw["bind"]
    bind.dispose()


@pytest.fixture
def seeded(factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime) -> seeding.Seeded:
    return seeding.seed(factory, kb, now=now)


class Browser:
    """A TestClient that asks for HTML and keeps the CSRF token of the last page it read."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, url: str, **kw: Any) -> httpx.Response:
        response = self.client.get(url, **kw)
        found = CSRF_META.search(response.text)
        if found and found.group(1):
            self.csrf = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> httpx.Response:
        fields = dict(data or {})
        if csrf:
            fields["csrf_token"] = self.csrf
        response = self.client.post(url, data=fields, **kw)
        found = CSRF_META.search(response.text)
        if found and found.group(1):
            self.csrf = found.group(1)
        return response

    def sign_in(self, role: str) -> httpx.Response:
        form = self.client.get("/sign-in")
        token = FORM_TOKEN.search(form.text)
        assert token, form.text
        response = self.client.post(
            "/sign-in",
            data={
                "email": seeding.email(role),
                "password": seeding.PASSWORD,
                "form_token": token.group(1),
                "next": "/",
            },
        )
        assert response.status_code == 200, response.text
        self.get("/patients")
        assert self.csrf
        return response


@pytest.fixture
def app(database: str, kb: KnowledgeBase, tmp_path: Path, seeded: seeding.Seeded) -> Iterator[FastAPI]:
    made = create_app(Settings(database_url=database, data_dir=tmp_path), kb=kb)
    yield made
    made.state.engine.dispose()


@pytest.fixture
def login(app: FastAPI) -> Iterator[Callable[[str], Browser]]:
    """Sign in as a role, each role in a browser (client) of its own."""
    clients: list[TestClient] = []

    def signed_in(role: str) -> Browser:
        client = TestClient(app, headers={"Accept": "text/html,application/xhtml+xml"})
        clients.append(client)
        browser = Browser(client)
        browser.sign_in(role)
        return browser

    yield signed_in
    for client in clients:
        client.close()


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app, headers={"Accept": "text/html,application/xhtml+xml"}) as client:
        yield Browser(client)


Login = Callable[[str], Browser]
