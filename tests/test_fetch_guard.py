"""SSRF guard: address policy, curl-style --resolve parsing, resolver behaviour."""

from __future__ import annotations

import socket

import pytest

from govinspect.errors import ConfigError
from govinspect.fetch.guard import AddressGuard, AddressRefused, NameNotFound, parse_resolve, refusal_reason


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "not globally routable"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    # near misses: public addresses next to private ranges
    ("172.32.0.1", None), ("11.0.0.1", None), ("192.169.0.1", None), ("202.96.134.133", None),
    ("2400:da00::6666", None),
])
def test_refusal_reason(address: str, reason: str | None) -> None:
    assert refusal_reason(address) == reason


def test_parse_resolve_forms() -> None:
    entries = parse_resolve(["www.leizhou.gov.cn:80:127.0.0.1", "*:8443:[::1]", "A.GOV.CN.:443:10.0.0.2"])
    assert [(e.host, e.port, e.address) for e in entries] == [
        ("www.leizhou.gov.cn", 80, "127.0.0.1"), ("*", 8443, "::1"), ("a.gov.cn", 443, "10.0.0.2")]


@pytest.mark.parametrize("bad", ["www.a.gov.cn:80", "www.a.gov.cn:http:127.0.0.1", "a:80:not-an-ip",
                                 ":80:127.0.0.1", "a:70000:127.0.0.1"])
def test_parse_resolve_rejects_with_fix(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_resolve([bad])
    assert "--resolve" in str(info.value)


async def test_mapped_host_resolves_to_mapped_address() -> None:
    guard = AddressGuard(allow_private=True, resolve=["www.a.gov.cn:8080:127.0.0.5", "*:9090:[::1]"])
    got = await guard.resolve("www.a.gov.cn.", 8080)  # aiohttp passes the FQDN with a trailing dot
    assert got[0]["host"] == "127.0.0.5" and got[0]["family"] == socket.AF_INET
    v6 = await guard.resolve("other.gov.cn", 9090)
    assert v6[0]["host"] == "::1" and v6[0]["family"] == socket.AF_INET6
    assert guard.lookups == 0


async def test_mapped_private_address_refused_without_allow_private() -> None:
    guard = AddressGuard(resolve=["www.a.gov.cn:80:192.168.0.10"])
    with pytest.raises(AddressRefused) as info:
        await guard.resolve("www.a.gov.cn", 80)
    assert info.value.reason == "private" and "--allow-private" in str(info.value)


async def test_allow_addresses_is_exact() -> None:
    guard = AddressGuard(resolve=["a.gov.cn:80:127.0.0.2", "b.gov.cn:80:127.0.0.3"],
                         allow_addresses=["127.0.0.2"])
    assert (await guard.resolve("a.gov.cn", 80))[0]["host"] == "127.0.0.2"
    with pytest.raises(AddressRefused):
        await guard.resolve("b.gov.cn", 80)


@pytest.mark.parametrize("name", ["nonexistent.invalid", "x.test", "printer.local", "example"])
async def test_reserved_names_never_looked_up(name: str) -> None:
    guard = AddressGuard(allow_private=True)
    with pytest.raises(NameNotFound):
        await guard.resolve(name, 80)
    assert guard.lookups == 0


def test_literal_ip_check() -> None:
    guard = AddressGuard()
    with pytest.raises(AddressRefused):
        guard.check_literal("169.254.169.254")
    with pytest.raises(AddressRefused):
        guard.check_literal("[::1]")
    guard.check_literal("www.gov.cn")  # names are checked at resolution, not here
    guard.check_literal("202.96.134.133")
