"""The client's address: the connection's peer, or — only when that peer is a configured
trusted proxy (``TOXPLAN_TRUSTED_PROXIES``) — the nearest untrusted hop of ``X-Forwarded-For``.

Anyone can send ``X-Forwarded-For``; believing it from any peer would let one client appear
as a new address on every request (and so slip past per-address sign-in limits).
"""

from __future__ import annotations

import ipaddress

from toxplan.settings.security import Network

UNKNOWN = "unknown"


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    if not peer:
        return UNKNOWN
    here = _address(peer)
    if here is None or not proxies or not _trusted(here, proxies) or not forwarded_for:
        return str(here) if here is not None else peer[:64]
    for hop in reversed(forwarded_for.split(",")):
        found = _address(hop)
        if found is None:
            return str(here)  # a malformed hop: trust nothing beyond the last good proxy
        if not _trusted(found, proxies):
            return str(found)
        here = found
    return str(here)
