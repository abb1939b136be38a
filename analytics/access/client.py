"""The client's address behind a reverse proxy: a forwarded header counts only when the peer is a trusted proxy.

Offices reach the server through a reverse proxy (TLS, the organisation's single sign-on gateway); the server then
sees the proxy's address for everybody, and the sign-in throttle (analytics/access/auth.py) and the audit log
would treat a whole office as one client. The proxy names the real client in ``X-Forwarded-For`` or ``Forwarded``
(RFC 7239) — but so can anyone who talks to the server directly, to hide or to frame an address. So the header
is read only when the direct peer is listed in ``$HYOGAKI_TRUSTED_PROXIES`` (addresses or networks, comma
separated: ``10.0.0.5, 10.1.0.0/24, ::1``); otherwise it is ignored and the peer is the client. Default: no proxy
is trusted.

Within the header, the client is the rightmost address not itself a trusted proxy (each proxy appends the address
it saw; entries to its left were written by whoever connected first and may be forged).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping

TRUSTED_PROXIES_ENV = "HYOGAKI_TRUSTED_PROXIES"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(raw: str | Iterable[str] | None) -> tuple[Network, ...]:
    """Networks from ``"10.0.0.5, 10.1.0.0/24, ::1"`` (an address is a network of one). Raises ValueError
    naming an entry that is not an address or network, so a typo in the setting is not silently ignored."""
    if raw is None:
        return ()
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{TRUSTED_PROXIES_ENV}: 「{item}」はIPアドレスまたはネットワークではありません") from None
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The trusted proxies from ``$HYOGAKI_TRUSTED_PROXIES`` (none when unset)."""
    return parse_trusted(os.environ.get(TRUSTED_PROXIES_ENV))


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from a header entry: ``203.0.113.7``, ``203.0.113.7:4711``, ``[2001:db8::1]:4711``,
    ``"[2001:db8::1]"``. None for ``unknown``, obfuscated names (``_hidden``) and anything else."""
    if not text:
        return None
    value = text.strip().strip('"').strip()
    if value.startswith("["):  # [IPv6] or [IPv6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def forwarded_chain(headers: Mapping[str, str]) -> list[str] | None:
    """The addresses a proxy chain reported, oldest first: ``Forwarded`` (RFC 7239) when present, else
    ``X-Forwarded-For``; None when neither header is there. Header names are matched case-insensitively."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    if "forwarded" in lower:
        chain = []
        for element in lower["forwarded"].split(","):
            match = _FOR.search(element)
            chain.append(match.group(1) if match else "")
        return chain
    if "x-forwarded-for" in lower:
        return [part.strip() for part in lower["x-forwarded-for"].split(",")]
    return None


def client_address(peer: str | None, headers: Mapping[str, str] | None, trusted: tuple[Network, ...]) -> str | None:
    """The client's address for the sign-in throttle and the audit log.

    ``peer`` is the address of the direct TCP connection, ``headers`` the request's headers, ``trusted`` the
    trusted proxies (:func:`trusted_proxies`). The peer itself unless it is a trusted proxy that sent a forwarded
    header; then the rightmost address in the header that is not a trusted proxy (all trusted: the leftmost).
    A header entry that is not an address (``unknown``, garbage) ends the walk: the last good address seen is
    the client, never a name an untrusted party made up.

    >>> proxies = parse_trusted("10.0.0.5")
    >>> client_address("10.0.0.5", {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}, proxies)
    '203.0.113.7'
    >>> client_address("192.0.2.9", {"X-Forwarded-For": "203.0.113.7"}, proxies)  # forged: not from the proxy
    '192.0.2.9'
    """
    peer_address = _address(peer)
    if peer_address is None or not trusted or not _is_trusted(peer_address, trusted):
        return peer
    chain = forwarded_chain(headers or {})
    if not chain:
        return peer
    client = peer_address
    for entry in reversed(chain):
        address = _address(entry)
        if address is None:
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return str(client)
