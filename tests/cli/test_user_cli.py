"""``toxplan user``: weak first passwords refused; the operator resets a password or removes an
authenticator app when no admin can (the user's sessions end); ``serve --help`` names the settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.cli.test_db_cli import run
from toxplan.auth import sessions
from toxplan.credentials.passwords import verify_password
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.models import AuditEvent, User, UserTotp
from toxplan.settings.security import SecuritySettings

CREATE = ("user", "create", "--email", "ada@example.org", "--name", "Ada Admin", "--role", "admin")


def test_a_guessable_first_password_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    refused = run(
        monkeypatch, tmp_path / "t.db", *CREATE, "--new-clinic", "C", "--password-stdin", stdin="aaaaaaaaaaaa\n"
    )
    assert refused.exit_code == 2 and "too easy to guess" in refused.output


def test_the_operator_sets_a_password_and_removes_an_authenticator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = tmp_path / "t.db"
    made = run(
        monkeypatch, database, *CREATE, "--new-clinic", "C", "--password-stdin", stdin="first orchard lantern 3\n"
    )
    assert made.exit_code == 0, made.output
    factory = session_factory(make_engine(f"sqlite:///{database}"))
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(factory) as session:
        user = session.scalar(select(User))
        assert user is not None
        opened = sessions.open_session(session, user, now=now, security=SecuritySettings())
        session.add(UserTotp(user_id=user.id, secret="JBSWY3DPEHPK3PXP", created_at=now, confirmed_at=now))
    weak = run(
        monkeypatch, database, "user", "set-password", "ada@example.org", "--password-stdin", stdin="password1234\n"
    )
    assert weak.exit_code == 2
    done = run(
        monkeypatch,
        database,
        "user",
        "set-password",
        "ADA@example.org",
        "--password-stdin",
        stdin="second quarry bell 9\n",
    )
    assert done.exit_code == 0 and "1 session(s) ended" in done.output
    removed = run(monkeypatch, database, "user", "remove-second-factor", "ada@example.org")
    assert removed.exit_code == 0, removed.output
    with unit_of_work(factory) as session:
        user = session.scalar(select(User))
        assert user is not None and verify_password(user.password_hash, "second quarry bell 9")
        assert sessions.current(session, opened.token, now=now) is None
        assert session.get(UserTotp, user.id) is None
        kinds = {(e.action, e.entity) for e in session.scalars(select(AuditEvent))}
        assert {("amend", "password"), ("amend", "second_factor")} <= kinds
    missing = run(monkeypatch, database, "user", "set-password", "nobody@example.org", "--password-stdin", stdin="x\n")
    assert missing.exit_code == 2 and "no user" in missing.output
    factory.kw["bind"].dispose()


def test_serve_help_names_workers_and_the_sign_in_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shown = run(monkeypatch, tmp_path / "t.db", "serve", "--help")
    text = " ".join(shown.output.split())
    assert "--workers" in text and "TOXPLAN_TRUSTED_PROXIES" in text and "TOXPLAN_IDLE_TIMEOUT_MINUTES" in text
