"""Time-based one-time passwords (RFC 6238, 30-second steps, 6 digits) with pyotp; the
enrolment QR code as inline SVG with segno (no script, no inline style: it passes the CSP)."""

from __future__ import annotations

import datetime as dt
import hmac
import io

import pyotp
import segno

ISSUER = "ToxPlan"
STEP_S = 30
DRIFT_STEPS = 1
"""Codes of the step before and after are accepted too (clocks on phones drift)."""


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, nl=False, svgclass="qr")
    return out.getvalue().decode("ascii")


def accepted_step(secret: str, code: str, *, now: dt.datetime, after: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than step ``after``
    (a code is accepted once: a watched or replayed code is refused)."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    here = int(now.timestamp()) // STEP_S
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.at(step * STEP_S), code):
            return step
    return None


def code_at(secret: str, moment: dt.datetime) -> str:
    """The code an authenticator app shows at ``moment`` (for tests and the CLI)."""
    return pyotp.TOTP(secret).at(moment)
