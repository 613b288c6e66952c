"""Sign-in throttling in the database, on SQLite and PostgreSQL: attempts are counted before
the password is checked, so concurrent guesses cannot slip past; buckets pause with backoff;
one address's failures never lock out another address or a trusted browser.

The PostgreSQL database is shared by a worker's tests, so each test uses its own e-mail."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW
from toxplan.auth import throttle
from toxplan.auth.throttle import ALLOWANCE, FIRST_PAUSE, LONGEST_PAUSE, QUIET, Reservation, buckets_for
from toxplan.db.engine import unit_of_work


@pytest.fixture
def email() -> str:
    return f"owner.{uuid.uuid4().hex[:10]}@example.org"


def attempt(
    factory: sessionmaker[Session], address: str, email: str, *, at: dt.datetime = NOW, device: str | None = None
) -> Reservation:
    with unit_of_work(factory) as session:
        return throttle.reserve(session, buckets_for(email, address, device_hash=device), at)


def fail(factory: sessionmaker[Session], times: int, address: str, email: str, at: dt.datetime = NOW) -> None:
    for _ in range(times):
        assert attempt(factory, address, email, at=at).allowed


def succeed(factory: sessionmaker[Session], reservation: Reservation, at: dt.datetime) -> None:
    with unit_of_work(factory) as session:
        throttle.settle(session, reservation, succeeded=True, now=at)


def address() -> str:
    """An address of its own (the address bucket is shared by every account)."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def test_an_account_from_one_address_pauses_after_its_allowance(factory: sessionmaker[Session], email: str) -> None:
    attacker = address()
    fail(factory, ALLOWANCE["pair"], attacker, email)
    refused = attempt(factory, attacker, email)
    assert not refused.allowed and refused.retry_after == int(FIRST_PAUSE.total_seconds())
    assert attempt(factory, attacker, "someone.else." + email).allowed  # other accounts go on
    assert attempt(factory, address(), email).allowed  # the owner from a fresh address is not locked out


def test_backoff_allows_one_try_per_pause_and_doubles_each_pause(factory: sessionmaker[Session], email: str) -> None:
    attacker = address()
    fail(factory, ALLOWANCE["pair"], attacker, email)
    at, pause = NOW, FIRST_PAUSE
    for _ in range(8):
        refused = attempt(factory, attacker, email, at=at)
        assert not refused.allowed and refused.retry_after == int(pause.total_seconds())
        assert not attempt(factory, attacker, email, at=at + pause - dt.timedelta(seconds=1)).allowed
        at += pause
        assert attempt(factory, attacker, email, at=at).allowed  # one more try, which fails
        pause = min(pause * 2, LONGEST_PAUSE)
    assert pause == LONGEST_PAUSE


def test_a_quiet_quarter_hour_forgets_and_a_success_gives_back(factory: sessionmaker[Session], email: str) -> None:
    here = address()
    fail(factory, ALLOWANCE["pair"], here, email)
    assert not attempt(factory, here, email).allowed
    later = NOW + FIRST_PAUSE + QUIET
    fail(factory, ALLOWANCE["pair"] - 1, here, email, at=later)
    succeed(factory, attempt(factory, here, email, at=later), at=later)  # the owner got it right
    fail(factory, ALLOWANCE["pair"], here, email, at=later)  # a fresh allowance
    assert not attempt(factory, here, email, at=later).allowed


def test_an_address_spraying_many_accounts_pauses(factory: sessionmaker[Session], email: str) -> None:
    sprayer = address()
    for i in range(ALLOWANCE["address"]):
        assert attempt(factory, sprayer, f"{i}.{email}").allowed
    assert not attempt(factory, sprayer, email).allowed
    assert attempt(factory, address(), email).allowed


def test_many_addresses_on_one_account_pause_strangers_but_not_a_trusted_browser(
    factory: sessionmaker[Session], email: str
) -> None:
    for _ in range(ALLOWANCE["account"]):
        assert attempt(factory, address(), email).allowed
    assert not attempt(factory, address(), email).allowed  # a stranger: the account pauses
    assert attempt(factory, address(), email, device="a-device-that-signed-in-before").allowed


def test_sixty_concurrent_guesses_evaluate_at_most_the_allowance(factory: sessionmaker[Session], email: str) -> None:
    attacker = address()
    results: list[bool] = []
    gate = threading.Barrier(60)

    def guess() -> None:
        gate.wait()
        results.append(attempt(factory, attacker, email).allowed)

    threads = [threading.Thread(target=guess) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 60
    assert sum(results) == ALLOWANCE["pair"]
