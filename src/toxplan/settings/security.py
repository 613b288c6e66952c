"""Sign-in settings: the ``TOXPLAN_*`` variables of sessions, second factors and proxies.

Pure parsing of a mapping (the environment, handed over by ``toxplan.settings``); a bad value
is an ``InvalidInput`` naming the variable. The README's table gives each variable's meaning.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from toxplan.errors import InvalidInput
from toxplan.primitives.roles import Role

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SecuritySettings:
    trusted_proxies: tuple[Network, ...] = ()
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    second_factor_roles: frozenset[Role] = field(default_factory=frozenset)
    demo: bool = False


def _networks(text: str, name: str) -> tuple[Network, ...]:
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise InvalidInput(f"{part!r} is not an address or network", field=name) from None
    return tuple(found)


def _minutes(text: str, name: str, *, unit: str = "minutes") -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidInput(f"give a whole number of {unit}, at least 1", field=name)
    return value


def _roles(text: str, name: str) -> frozenset[Role]:
    names = {r.strip() for r in text.split(",") if r.strip()}
    unknown = sorted(names - {role.value for role in Role})
    if unknown:
        raise InvalidInput(f"unknown role {unknown[0]!r}; roles are {', '.join(Role)}", field=name)
    return frozenset(Role(n) for n in names)


def security_from(env: Mapping[str, str]) -> SecuritySettings:
    """Sign-in settings from ``env``; a bad value is an InvalidInput naming the variable."""
    idle = env.get("TOXPLAN_IDLE_TIMEOUT_MINUTES") or "30"
    hours = env.get("TOXPLAN_SESSION_HOURS") or "12"
    return SecuritySettings(
        trusted_proxies=_networks(env.get("TOXPLAN_TRUSTED_PROXIES", ""), "TOXPLAN_TRUSTED_PROXIES"),
        idle_timeout=dt.timedelta(minutes=_minutes(idle, "TOXPLAN_IDLE_TIMEOUT_MINUTES")),
        session_lifetime=dt.timedelta(hours=_minutes(hours, "TOXPLAN_SESSION_HOURS", unit="hours")),
        second_factor_roles=_roles(env.get("TOXPLAN_REQUIRE_SECOND_FACTOR", ""), "TOXPLAN_REQUIRE_SECOND_FACTOR"),
        demo=env.get("TOXPLAN_DEMO", "").strip().lower() in ("1", "true", "yes", "on"),
    )
