"""Who the client of a request really is: the connecting peer, unless that peer is a
configured trusted proxy, whose ``X-Forwarded-For`` is then believed."""

from __future__ import annotations

import ipaddress
from typing import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` → networks; ValueError naming a bad entry."""
    out = []
    for v in values:
        try:
            out.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {v!r}") from None
    return tuple(out)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; it is the IPv4 address.
    return ip.ipv4_mapped or ip if isinstance(ip, ipaddress.IPv6Address) else ip


def is_trusted(addr: str | None, proxies: tuple[Network, ...]) -> bool:
    """Whether ``addr`` is one of the trusted proxies."""
    ip = _ip(addr or "")
    return ip is not None and any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: Iterable[str], proxies: tuple[Network, ...]) -> str:
    """The real client of a request: the connecting ``peer``, or — only when that peer is
    a trusted proxy — the right-most address of ``X-Forwarded-For`` that is not itself a
    trusted proxy. Entries left of it were written by the client and prove nothing."""
    addr = peer or "?"
    if not is_trusted(peer, proxies):
        return addr
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return addr  # garbage where a proxy should have written an address: keep the last good hop
        addr = str(ip)
        if not is_trusted(addr, proxies):
            return addr
    return addr
