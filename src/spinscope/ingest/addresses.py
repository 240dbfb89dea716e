"""Which network addresses a server-side fetch may connect to (SSRF protection).

When spinscope fetches a URL on behalf of someone else (``spinscope serve``),
that someone must not reach what only the server can reach: its loopback
services, the local network, a cloud metadata endpoint (169.254.169.254).
:func:`refusal` names why an address is not public; :func:`resolve_public`
resolves a host name once and returns only addresses that passed, so the
caller can connect to exactly those (a second lookup could answer
differently: DNS rebinding).

An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``,
NAT64 ``64:ff9b::a.b.c.d``, 6to4 ``2002:aabb:ccdd::``) is judged by the IPv4
address inside it as well.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Collection

from spinscope.errors import FetchError

__all__ = ["Resolver", "refusal", "resolve_public", "system_resolver"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``(host, port) -> addresses``: a resolver; tests pass their own.
Resolver = Callable[[str, int], list[str]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched from (``"loopback"``, ``"private"``, ...), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            why = refusal(inner)
            if why is not None:
                return f"{why}: {inner} inside"
            if ip.ipv4_mapped is not None:
                return None  # ::ffff:a.b.c.d is just a.b.c.d (Python calls all of ::/8 reserved)
    # Checked from the most specific name to the least, so the message says the real reason.
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return name
    if not ip.is_global:
        return "not globally routable"  # e.g. 100.64.0.0/10, shared carrier-grade NAT space
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the operating system (``getaddrinfo``), in its preferred order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found


def _parse(address: str) -> IPAddress:
    # A scope id ("fe80::1%eth0") names an interface, not an address: judge the address.
    return ipaddress.ip_address(address.split("%", 1)[0])


def _is_literal(host: str) -> bool:
    try:
        _parse(host)
    except ValueError:
        return False
    return True


def _resolve_within(resolver: Resolver, host: str, port: int, timeout_s: float) -> list[str] | BaseException | None:
    """Run the resolver in a daemon thread so a hanging DNS lookup cannot outlast the fetch's budget."""
    box: list[list[str] | BaseException] = []

    def work() -> None:
        try:
            box.append(resolver(host, port))
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, which translates it
            box.append(exc)

    thread = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(max(timeout_s, 0.0))
    return box[0] if box else None


def resolve_public(
    subject: str,
    host: str,
    port: int,
    *,
    timeout_s: float,
    resolver: Resolver | None = None,
    allowed: Collection[str] = (),
) -> list[str]:
    """The addresses of ``host`` to connect to, every one of them public.

    An IP literal is checked as it is; a name is resolved once. If any
    address the name resolves to is not public, the fetch is refused: a name
    that mixes public and private answers is not one to trust.

    Parameters
    ----------
    subject:
        The URL as the user gave it (the subject of errors).
    host:
        The host name (IDNA-encoded) or IP literal, without brackets.
    port:
        The port to connect to (passed to the resolver).
    timeout_s:
        The most the lookup may take.
    resolver:
        Replaces :func:`system_resolver` (tests).
    allowed:
        Addresses accepted although not public: an explicit allow-list, used
        by the tests to stand in for a public server on a loopback address.

    Raises
    ------
    FetchError
        E785 for an address that is not public, E115 when the name does not
        resolve, E111 when the lookup times out.
    """
    literal = _is_literal(host)
    if literal:
        addresses = [host]
    else:
        outcome = _resolve_within(resolver or system_resolver, host, port, timeout_s)
        if outcome is None:
            raise FetchError("E111", subject, f"timed out resolving {host}")
        if isinstance(outcome, BaseException):
            cause = " ".join(str(outcome).split()) or type(outcome).__name__
            raise FetchError("E115", subject, f"could not resolve {host}: {cause}") from outcome
        addresses = list(outcome)
        if not addresses:
            raise FetchError("E115", subject, f"could not resolve {host}: no addresses")
    checked: list[str] = []
    for address in addresses:
        try:
            ip = _parse(address)
        except ValueError:
            raise FetchError("E115", subject, f"{host} resolved to {address!r}, not an IP address") from None
        why = None if str(ip) in allowed else refusal(ip)
        if why is not None:
            via = "" if literal else f"{host} resolves to "
            raise FetchError(
                "E785",
                subject,
                f"refused: {via}{ip} ({why}); only public addresses are fetched "
                "(the server's --allow-private-urls allows others)",
            )
        checked.append(str(ip))
    return checked
