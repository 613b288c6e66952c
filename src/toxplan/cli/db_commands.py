"""``toxplan db``, ``backup``, ``restore`` and ``recall``: the records on the database named by
``TOXPLAN_DATABASE_URL`` (default: SQLite under ``./data``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from toxplan.cli.common import clean_errors, emit, settings
from toxplan.cli.loading import knowledge
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import grant_app_role, new_revision, upgrade
from toxplan.db.repositories import clinics as clinic_repo
from toxplan.errors import InvalidInput, NotFound
from toxplan.services.schemas import Actor
from toxplan.settings import BACKUP_PASSPHRASE_VARIABLE, backup_passphrase

db_app = typer.Typer(help="Create and fill the database named by TOXPLAN_DATABASE_URL.", no_args_is_help=True)


def engine() -> Engine:
    return make_engine(settings().database_url)


@contextmanager
def database_session() -> Iterator[Session]:
    """One unit of work on the configured database, with a clear message when it is not ready."""
    made = engine()
    try:
        with unit_of_work(session_factory(made)) as session:
            yield session
    except (OperationalError, ProgrammingError) as exc:
        first = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise InvalidInput(
            f"the database is not ready ({first}); run `toxplan db upgrade` first", field="database"
        ) from None
    finally:
        made.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema (safe to run again).

    Runs as the owner named by TOXPLAN_MIGRATION_DATABASE_URL when it is set. On PostgreSQL,
    when the application's TOXPLAN_DATABASE_URL names another role, that role is then granted
    row access to every table (append-only tables: read and insert only) and nothing that
    could truncate, alter or drop a table or disable its triggers.
    """
    current = settings()
    with clean_errors():
        owner = make_engine(current.owner_url)
        try:
            upgrade(owner)
            app_role = make_url(current.database_url).username
            owner_role = make_url(current.owner_url).username
            granted = owner.dialect.name == "postgresql" and app_role and app_role != owner_role
            if granted:
                try:
                    grant_app_role(owner, str(app_role))
                except ValueError as exc:
                    raise InvalidInput(str(exc), field="TOXPLAN_DATABASE_URL") from None
        finally:
            owner.dispose()
    typer.echo(f"database is at the newest schema: {_shown(current.owner_url)}")
    if granted:
        typer.echo(f"application role {app_role}: rows only; append-only tables read and insert only")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Argument(help="What the revision changes, in a few words (names the file).")],
    rev_id: Annotated[
        str | None, typer.Option("--rev-id", help="Revision id, e.g. r1301 (issue and number); default: random.")
    ] = None,
) -> None:
    """Draft a migration from the models: Alembic compares them with the database (which must
    be at the newest revision; run `toxplan db upgrade` first) and writes the new revision to
    src/toxplan/db/migrations/versions. Read and finish it before committing; see
    docs/migrations.md."""
    with clean_errors():
        made = make_engine(settings().owner_url)
        try:
            written = new_revision(made, message, rev_id=rev_id)
        finally:
            made.dispose()
    typer.echo(f"wrote {written}")
    typer.echo("read it, add data moves and append-only guards by hand, then test it (docs/migrations.md)")


@db_app.command("seed-demo")
def seed_demo(
    patients: Annotated[int, typer.Option(min=1, max=5000, help="Number of demo patients.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same clinic.")] = 2026,
) -> None:
    """Migrate, then add a realistic synthetic demo clinic (two years of treatments)."""
    from toxplan.services.demo import seed_demo as seed_clinic  # noqa: PLC0415

    with clean_errors():
        made = engine()
        upgrade(made)
        made.dispose()
        with database_session() as session:
            summary = seed_clinic(session, knowledge(), today=dt.date.today(), patients=patients, seed=seed)
    typer.echo(
        f"demo clinic {summary.clinic_id}: {summary.patients} patients, {summary.treatments} treatments, "
        f"{summary.follow_ups} follow-ups, {summary.adverse_events} adverse events"
    )
    for email, role in summary.users:
        typer.echo(f"  user {email} ({role})")


def _clinic_id(session: Session, given: str | None) -> str:
    if given is not None:
        if clinic_repo.clinic(session, given) is None:
            raise NotFound(f"no clinic {given}", field="clinic")
        return given
    ids = clinic_repo.clinic_ids(session)
    if len(ids) != 1:
        raise InvalidInput(f"the database holds {len(ids)} clinics; name one with --clinic", field="clinic")
    return ids[0]


def _passphrase(given: Path | None, *, confirm: bool) -> str:
    """From --passphrase-file, else $TOXPLAN_BACKUP_PASSPHRASE, else asked (not echoed)."""
    if given is not None:
        try:
            return given.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InvalidInput(f"cannot read {given}: {exc.strerror}", field="passphrase_file") from None
    from_environment = backup_passphrase()
    if from_environment:
        return from_environment
    return str(typer.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm))


PassphraseFile = Annotated[
    Path | None,
    typer.Option(help=f"File holding the passphrase (else ${BACKUP_PASSPHRASE_VARIABLE}, else it is asked for)."),
]


def backup(
    output: Annotated[Path, typer.Option(help="JSON file to write (mode 0600: it holds patient data).")],
    clinic: Annotated[str | None, typer.Option(help="Clinic id (needed when there are several).")] = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Encrypt with a passphrase (scrypt + Fernet); restore asks for it.")
    ] = False,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Write a portable JSON backup of one clinic (restore it with `toxplan restore`).

    The file is readable by its owner only. Refused when the clinic's audit chain or signed
    treatments do not verify (see `toxplan audit verify`), since restore would refuse it.
    """
    from toxplan.services import backup_file  # noqa: PLC0415
    from toxplan.services.backup import export_clinic  # noqa: PLC0415

    with clean_errors():
        secret = _passphrase(passphrase_file, confirm=True) if encrypt else None
        with database_session() as session:
            data = export_clinic(session, _clinic_id(session, clinic))
        backup_file.write(output, data, passphrase=secret)
    rows = sum(len(v) for v in data["tables"].values())
    sealed = ", encrypted" if encrypt else ""
    typer.echo(f"wrote {output}: clinic {data['clinic']['id']}, {rows} rows{sealed}")


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `toxplan backup`.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Restore one clinic from a backup into this database (which must not hold it yet).

    Refused, writing nothing, when the backup's audit chain, its treatments' content hashes or
    its users do not verify, or when an encrypted backup's passphrase is wrong or the file
    was changed.
    """
    from toxplan.services import backup_file  # noqa: PLC0415
    from toxplan.services.backup import import_clinic  # noqa: PLC0415

    with clean_errors():
        data = backup_file.read(file)
        if backup_file.is_encrypted(data):
            assert isinstance(data, dict)
            data = backup_file.decrypt(data, _passphrase(passphrase_file, confirm=False))
        with database_session() as session:
            clinic_id = import_clinic(session, data)
    typer.echo(f"restored clinic {clinic_id}")


def recall(
    lot: Annotated[str, typer.Argument(help="Lot number.")],
    user: Annotated[str, typer.Option(help="E-mail of the user asking (recorded in the audit log).")],
    clinic: Annotated[str | None, typer.Option(help="Clinic id, when the e-mail exists in several.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Every patient and treatment that received a lot."""
    from toxplan.services.treatments import recall as recall_lot  # noqa: PLC0415

    with clean_errors():
        if format not in ("text", "json"):
            raise InvalidInput("choose text or json", field="format")
        with database_session() as session:
            rows = recall_lot(session, _actor(session, user, clinic), lot)
    if format == "json":
        emit(
            [
                {
                    "patient_id": r.patient_id,
                    "patient": r.patient_name,
                    "treatment_id": r.treatment_id,
                    "visit_at": r.visit_at.isoformat(),
                    "product": r.product,
                    "units": str(r.units),
                    "lot_number": r.lot_number,
                }
                for r in rows
            ]
        )
        return
    typer.echo(f"lot {lot}: {len(rows)} treatment(s)")
    for r in rows:
        typer.echo(f"  {r.visit_at:%Y-%m-%d %H:%M}  {r.patient_name:<30} {r.product:<20} {r.units} U  {r.treatment_id}")


def _actor(session: Session, email: str, clinic: str | None) -> Actor:
    users = clinic_repo.active_users_by_email(session, email.lower(), clinic)
    if not users:
        raise NotFound(f"no active user {email}", field="user")
    if len(users) > 1:
        raise InvalidInput(f"{email} exists in {len(users)} clinics; name one with --clinic", field="clinic")
    found = users[0]
    return Actor(clinic_id=found.clinic_id, user_id=found.id, role=found.role)


def _shown(url: str) -> str:
    """The URL without a password, for messages."""
    return make_url(url).render_as_string(hide_password=True)
