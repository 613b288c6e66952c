"""Sign-in throttling, stored in the database so every server process shares it and a restart
forgets nothing.

Each attempt is counted *before* its password is checked, in a short transaction that locks
its buckets: of any number of concurrent guesses, at most a bucket's allowance is ever
evaluated. A correct password then gives the count back (shared buckets) or clears it (its
own buckets).

The buckets of an attempt:

- an unknown browser: its **address** (spraying many accounts), the **account** (guessing one
  account from many addresses) and the **account from that address**;
- a **trusted browser** (one that signed in to this account before, by its device cookie): its
  own bucket only, so nobody else's failures — from any address — can lock the owner out.

An address or account-from-address bucket therefore only ever holds the failures sent from
that address: a correct password from a fresh address is never refused because of guesses
sent from elsewhere. Past its allowance a bucket pauses, first for a minute, then twice as
long after each further failure, up to an hour; it forgets after a quiet quarter of an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from toxplan.db.models import SignInThrottle
from toxplan.db.repositories import security as repo

ALLOWANCE = {"address": 20, "account": 30, "pair": 5, "device": 5, "password": 5}
"""Attempts a bucket evaluates before it pauses. ``password``: re-typing one's password to
change it (a stolen session must not become a guessing machine)."""
SHARED = frozenset({"address", "account"})
"""Buckets that other people's attempts also count in: a success gives one count back."""
FIRST_PAUSE = dt.timedelta(minutes=1)
LONGEST_PAUSE = dt.timedelta(hours=1)
QUIET = dt.timedelta(minutes=15)
"""A bucket with no failure for this long starts again from zero."""


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Bucket:
    key_hash: str
    kind: str

    @classmethod
    def of(cls, kind: str, *parts: str) -> Bucket:
        return cls(_key(kind, *parts), kind)


def buckets_for(email: str, address: str, *, device_hash: str | None) -> tuple[Bucket, ...]:
    if device_hash is not None:
        return (Bucket.of("device", device_hash, email),)
    return (Bucket.of("address", address), Bucket.of("account", email), Bucket.of("pair", email, address))


@dataclass(frozen=True)
class Reservation:
    buckets: tuple[Bucket, ...]
    retry_after: int
    """Seconds until the next attempt may be evaluated; 0 when this one may be."""

    @property
    def allowed(self) -> bool:
        return self.retry_after == 0


def _pause(blocks: int) -> dt.timedelta:
    pause: dt.timedelta = FIRST_PAUSE * (2 ** min(blocks, 16))
    return min(pause, LONGEST_PAUSE)


def _seconds(delta: dt.timedelta) -> int:
    return max(int(delta.total_seconds() + 0.999), 1)


def reserve(session: Session, buckets: tuple[Bucket, ...], now: dt.datetime) -> Reservation:
    """Count one attempt in every bucket, or refuse it (counting nothing) while one pauses.

    Call in its own transaction and commit before checking the password.
    """
    rows = repo.lock_buckets(session, ((b.key_hash, b.kind) for b in buckets), now)
    for row in rows:
        paused_until = row.blocked_until or row.last_failure_at
        if now - max(row.last_failure_at, paused_until) >= QUIET:
            row.failures, row.blocks, row.blocked_until = 0, 0, None
    waits = [row.blocked_until - now for row in rows if row.blocked_until is not None and row.blocked_until > now]
    if waits:
        return Reservation(buckets, _seconds(max(waits)))
    over = [row for row in rows if row.failures + 1 > ALLOWANCE[row.kind]]
    for row in over:
        # Pause, then allow one more try; each try that fails doubles the next pause.
        row.blocked_until = now + _pause(row.blocks)
        row.blocks += 1
        row.failures = ALLOWANCE[row.kind] - 1
    if over:
        return Reservation(buckets, _seconds(max(_pause(row.blocks - 1) for row in over)))
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
        row.blocked_until = None
    return Reservation(buckets, 0)


def settle(session: Session, reservation: Reservation, *, succeeded: bool, now: dt.datetime) -> None:
    """After the password was checked: a success gives back its count. A failure stays counted."""
    if not succeeded or not reservation.allowed:
        return
    own = [b for b in reservation.buckets if b.kind not in SHARED]
    for bucket in own:
        repo.forget_bucket(session, bucket.key_hash)
    shared = [b for b in reservation.buckets if b.kind in SHARED]
    rows: list[SignInThrottle] = repo.lock_buckets(session, ((b.key_hash, b.kind) for b in shared), now)
    for row in rows:
        row.failures = max(row.failures - 1, 0)
