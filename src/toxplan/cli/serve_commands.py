"""``toxplan serve`` and ``toxplan user create``."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from toxplan.cli.common import clean_errors, settings
from toxplan.cli.db_commands import database_session, engine
from toxplan.credentials.passwords import hash_password
from toxplan.db.migrate import upgrade
from toxplan.db.repositories import clinics as clinic_repo
from toxplan.errors import InvalidInput, NotFound
from toxplan.services import clinics
from toxplan.settings import DEMO_VARIABLE, POLICY_VARIABLE, Settings

user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)

DEMO_CLINIC = "ToxPlan Demo Clinic"
WORKER_HEALTHCHECK_S = 60


def demo_password(role: str) -> str:
    """Demo accounts only exist in demo mode; their passwords are printed at start-up."""
    return f"demo-{role.replace('_', '-')}-2026"


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="Demo mode: load the demo clinic (once), print and allow its sign-ins.")
    ] = False,
    policy: Annotated[Path | None, typer.Option(help="Clinic policy file (YAML). Also $TOXPLAN_POLICY.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes sharing the port and the database (use PostgreSQL for more than one).",
        ),
    ] = 1,
) -> None:
    """Serve the web app and the JSON API on the database named by TOXPLAN_DATABASE_URL.

    Several --workers (or several servers on several machines) may share one database: sign-in
    throttling, sessions and the per-patient serialisation of recordings live in the database.
    X-Forwarded-For is believed only from the proxies in TOXPLAN_TRUSTED_PROXIES. Sign-in
    settings: TOXPLAN_IDLE_TIMEOUT_MINUTES (30), TOXPLAN_SESSION_HOURS (12),
    TOXPLAN_REQUIRE_SECOND_FACTOR (roles, e.g. admin), TOXPLAN_DEMO. Every check applies the
    clinic policy of --policy or TOXPLAN_POLICY. The README lists every TOXPLAN_* variable.
    """
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from toxplan.app import create_app  # noqa: PLC0415

    with clean_errors():
        current = _serving(settings(), policy=policy, demo=demo)  # read and checked at start
        made = engine()
        upgrade(made)
        made.dispose()
        if demo:
            _prepare_demo()
        if workers == 1:
            app = create_app(current)
        else:
            app = None
            _check_policy(current)  # here, once, rather than in every worker as it starts
            _hand_to_workers(current)
    typer.echo(f"ToxPlan on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)  workers: {workers}")
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1;
    # ToxPlan reads it itself, from TOXPLAN_TRUSTED_PROXIES only (toxplan.auth.addresses).
    if app is not None:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
    else:
        uvicorn.run(
            "toxplan.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=False,
            # A worker answers the supervisor's ping only once Python has started and imported
            # uvicorn; on a busy host that can take longer than uvicorn's 5 s, and a worker
            # killed for it is replaced by one that is killed the same way.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )


def _serving(current: Settings, *, policy: Path | None, demo: bool) -> Settings:
    """The settings with this command's options: --policy before TOXPLAN_POLICY, --demo."""
    if policy is not None:
        if not policy.is_file():
            raise InvalidInput(f"there is no file {policy}", field="policy")
        current = replace(current, policy_path=policy.resolve())
    if demo:
        current = replace(current, security=replace(current.security, demo=True))
    return current


def _check_policy(current: Settings) -> None:
    from toxplan.cli.loading import knowledge, policy_from  # noqa: PLC0415

    policy_from(current.policy_path, knowledge())


def _hand_to_workers(current: Settings) -> None:
    """Worker processes read their settings from the environment: pass on what the options set."""
    if current.policy_path is not None:
        os.environ[POLICY_VARIABLE] = str(current.policy_path)
    if current.security.demo:
        os.environ[DEMO_VARIABLE] = "1"


def _prepare_demo() -> None:
    from toxplan.cli.loading import knowledge  # noqa: PLC0415
    from toxplan.services.demo import seed_demo  # noqa: PLC0415

    with database_session() as session:
        clinic = clinic_repo.clinic_named(session, DEMO_CLINIC)
        if clinic is None:
            typer.echo("loading the demo clinic (once)...")
            clinic_id = seed_demo(session, knowledge(), today=dt.date.today()).clinic_id
        else:
            clinic_id = clinic.id
        typer.echo("demo sign-ins (demo mode only):")
        for user in clinic_repo.users(session, clinic_id):
            if user.password_hash is None:
                user.password_hash = hash_password(demo_password(user.role))
            typer.echo(f"  {user.email:<36} {demo_password(user.role):<28} {user.role}")


@user_app.command("create")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in e-mail.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="injector, medical_director, front_desk or admin.")],
    clinic: Annotated[str | None, typer.Option(help="Existing clinic id.")] = None,
    new_clinic: Annotated[str | None, typer.Option(help="Create a clinic with this name first.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create a user (e.g. the first admin, with --new-clinic). Asks for the password: at least
    12 characters and not easy to guess (checked with zxcvbn)."""
    with clean_errors():
        if (clinic is None) == (new_clinic is None):
            raise InvalidInput("give either --clinic or --new-clinic", field="clinic")
        password = (
            sys.stdin.readline().rstrip("\n")
            if password_stdin
            else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        )
        password_hash = hash_password(password, user_inputs=[email, name, new_clinic or ""])
        made = engine()
        upgrade(made)
        made.dispose()
        with database_session() as session:
            if new_clinic is not None:
                clinic_id = clinics.create_clinic(session, new_clinic).id
            else:
                assert clinic is not None
                if clinic_repo.clinic(session, clinic) is None:
                    raise NotFound(f"no clinic {clinic}", field="clinic")
                clinic_id = clinic
            user = clinics.create_user(
                session, clinic_id, {"email": email, "name": name, "role": role}, password_hash=password_hash
            )
            user_id = user.id
    typer.echo(f"user {email} ({role}) created in clinic {clinic_id}: {user_id}")


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    answer: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    return answer


@user_app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The user's sign-in e-mail.")],
    clinic: Annotated[str | None, typer.Option(help="Clinic id, when the e-mail is in several clinics.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Set a user's password (e.g. the only admin forgot it). Ends the user's sessions."""
    from toxplan.services import accounts  # noqa: PLC0415

    with clean_errors():
        password = _new_password(password_stdin)
        with database_session() as session:
            user = accounts.find_user(session, email, clinic)
            ended = accounts.operator_set_password(session, user, password, now=dt.datetime.now(dt.UTC))
    typer.echo(f"password of {email} set; {ended} session(s) ended")


@user_app.command("remove-second-factor")
def remove_second_factor(
    email: Annotated[str, typer.Argument(help="The user's sign-in e-mail.")],
    clinic: Annotated[str | None, typer.Option(help="Clinic id, when the e-mail is in several clinics.")] = None,
) -> None:
    """Remove a user's authenticator app (a lost phone, when no admin can). Ends the user's sessions."""
    from toxplan.services import accounts  # noqa: PLC0415

    with clean_errors(), database_session() as session:
        user = accounts.find_user(session, email, clinic)
        accounts.operator_remove_second_factor(session, user, now=dt.datetime.now(dt.UTC))
    typer.echo(f"authenticator app of {email} removed")
