"""SSRF guard and curl-style ``--resolve`` mapping, as an aiohttp resolver.

The check runs inside the connector's name resolution, so the socket connects to exactly the address
that was checked: there is no second lookup an attacker could rebind between the check and the connect.
Literal-IP URLs never reach a resolver in aiohttp, so :meth:`AddressGuard.check_literal` is called by the
client before each request (and each redirect hop).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from govinspect.errors import ConfigError

# RFC 6761/6762 names that never resolve on the public Internet: refused without a lookup, so a test
# of "nonexistent.invalid" sends nothing off the box.
_NEVER_RESOLVES = (".invalid", ".test", ".example", ".local", ".onion")
LINK_LOCAL = "link-local"  # refused even with allow_private: cloud metadata services answer there


class AddressRefused(OSError):
    """The host resolves to an address the guard refuses (private, loopback, link-local…)."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        fix = ("link-local addresses (cloud metadata) stay refused even with --allow-private"
               if reason == LINK_LOCAL else "pass --allow-private to permit it")
        super().__init__(f"{host} resolves to {address} ({reason}): refused; {fix}")
        self.host = host
        self.address = address
        self.reason = reason


class NameNotFound(OSError):
    """The host name has no address (reserved name or failed lookup)."""


@dataclass(frozen=True, slots=True)
class ResolveEntry:
    host: str  # lower-case, "*" matches every host
    port: int
    address: str


def parse_resolve(entries: Iterable[str]) -> list[ResolveEntry]:
    """Parse curl-style ``HOST:PORT:ADDR`` entries (``ADDR`` may be ``[::1]``; ``HOST`` may be ``*``)."""
    out: list[ResolveEntry] = []
    for raw in entries:
        text = raw.strip()
        parts = text.split(":", 2)
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
            raise ConfigError(f"--resolve {raw!r} is not HOST:PORT:ADDR; write it like www.example.gov.cn:80:127.0.0.1")
        host, port, addr = parts[0].lower().rstrip("."), int(parts[1]), parts[2].strip()
        if addr.startswith("[") and addr.endswith("]"):
            addr = addr[1:-1]
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            raise ConfigError(f"--resolve {raw!r}: {addr!r} is not an IP address; give a numeric address") from None
        if not 0 < port < 65536:
            raise ConfigError(f"--resolve {raw!r}: port {port} out of range; use 1-65535")
        out.append(ResolveEntry(host, port, addr))
    return out


def refusal_reason(address: str) -> str | None:
    """Why an address may not be contacted without ``allow_private``; None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return LINK_LOCAL
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


class AddressGuard(AbstractResolver):
    """Resolver that applies ``--resolve`` first, then DNS, and refuses non-public addresses
    (with ``allow_private``, only link-local ones: see :meth:`check_address`).

    Raises :class:`AddressRefused` (an ``OSError``, which aiohttp wraps in ``ClientConnectorDNSError``);
    the client recognises it and classifies the failure as ``private_address``.
    """

    def __init__(self, *, allow_private: bool = False, resolve: Iterable[str] = (),
                 resolver: AbstractResolver | None = None, allow_addresses: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        # Exact addresses permitted despite the private rule (an operator's own mirror or test host).
        self.allow_addresses = frozenset(allow_addresses)
        self.entries = parse_resolve(resolve)
        self._map = {(e.host, e.port): e.address for e in self.entries}
        self._resolver = resolver
        self.lookups = 0  # DNS lookups actually made (not mapped, not refused up front)

    def mapped(self, host: str, port: int) -> str | None:
        host = host.lower().rstrip(".")
        return self._map.get((host, port)) or self._map.get(("*", port))

    def check_address(self, host: str, address: str) -> None:
        """Refuse non-public addresses; ``allow_private`` permits them all but link-local (169.254.0.0/16,
        fe80::/10), where cloud metadata services answer: those only by exact ``allow_addresses``."""
        if address in self.allow_addresses:
            return
        reason = refusal_reason(address)
        if reason is None or (self.allow_private and reason != LINK_LOCAL):
            return
        raise AddressRefused(host, address, reason)

    def check_literal(self, host: str) -> None:
        """Check a URL host that is itself an IP literal (aiohttp does not resolve those)."""
        bare = host.strip("[]")
        try:
            ipaddress.ip_address(bare.split("%", 1)[0])
        except ValueError:
            return
        self.check_address(host, bare)

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        name = host.lower().rstrip(".")
        addr = self.mapped(name, port)
        if addr is not None:
            self.check_address(name, addr)
            fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
            return [ResolveResult(hostname=host, host=addr, port=port, family=fam, proto=0,
                                  flags=socket.AI_NUMERICHOST)]
        if name.endswith(_NEVER_RESOLVES) or name in ("invalid", "test", "example", "local"):
            raise NameNotFound(f"{name} is a reserved name that never resolves")
        if self._resolver is None:
            self._resolver = DefaultResolver()
        self.lookups += 1
        try:
            results = await self._resolver.resolve(host, port, family)
        except OSError:
            raise
        if not results:
            raise NameNotFound(f"{name} has no address")
        for item in results:
            self.check_address(name, item["host"])
        return results

    async def close(self) -> None:
        if self._resolver is not None:
            await self._resolver.close()
