"""Fetcher over real loopback sockets: every failure class, politeness limits, redirects, guards."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from govinspect.fetch.client import Fetcher
from govinspect.fetch.types import FailureClass
from govinspect.settings import FetchSettings
from tests.mockserver import MockServer, closed_port, mockserver  # noqa: F401 - fixture


def quick(**kw: object) -> FetchSettings:
    base: dict[str, object] = {"allow_private": True, "total_timeout": 2.0, "connect_timeout": 1.0,
                               "retries": 0, "backoff": 0.01, "per_host_rate": 0.0}
    base.update(kw)
    return FetchSettings(**base)  # type: ignore[arg-type]


async def test_ok_page_and_user_agent_sent(mockserver: MockServer) -> None:
    settings = quick(contact_url="https://example.org/crawler")
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(mockserver.url("/echo-headers"))
    assert result.ok and result.status == 200 and result.failure is None
    sent = json.loads(result.body)
    assert sent["User-Agent"] == settings.effective_user_agent()
    assert sent["User-Agent"].startswith("govinspect/") and "https://example.org/crawler" in sent["User-Agent"]
    assert result.remote_ip == "127.0.0.1"
    assert result.fetched_at is not None


async def test_explicit_user_agent_overrides(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/echo-headers"), user_agent="Baiduspider/2.0")
    assert json.loads(result.body)["User-Agent"] == "Baiduspider/2.0"


async def test_closed_port_is_refused() -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{closed_port()}/")
    assert result.failure is FailureClass.REFUSED and result.status is None and not result.ok


async def test_unresolvable_name_is_dns_failure() -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch("http://nonexistent.invalid/")
        assert fetcher.guard.lookups == 0  # refused before any lookup: nothing left the machine
    assert result.failure is FailureClass.DNS


async def test_hang_after_headers_times_out_within_total(mockserver: MockServer) -> None:
    async with Fetcher(quick(total_timeout=0.5)) as fetcher:
        started = time.monotonic()
        result = await fetcher.fetch(mockserver.url("/hang-after-headers"))
        took = time.monotonic() - started
    assert result.failure is FailureClass.TIMEOUT
    assert 0.45 <= took < 1.5
    assert result.body == b"<html>" and result.truncated


async def test_delay_before_headers_times_out(mockserver: MockServer) -> None:
    async with Fetcher(quick(total_timeout=0.3)) as fetcher:
        result = await fetcher.fetch(mockserver.url("/delay/2"))
    assert result.failure is FailureClass.TIMEOUT and result.status is None


async def test_dropped_connection_is_reset(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        before = await fetcher.fetch(mockserver.url("/drop"))
        mid = await fetcher.fetch(mockserver.url("/drop-mid-body"))
    assert before.failure is FailureClass.RESET and before.status is None
    assert mid.failure is FailureClass.RESET and mid.status == 200 and mid.truncated


async def test_http_status_is_classified_not_retried(mockserver: MockServer) -> None:
    async with Fetcher(quick(retries=2)) as fetcher:
        result = await fetcher.fetch(mockserver.url("/status/404"))
    assert result.failure is FailureClass.HTTP_STATUS and result.status == 404
    assert mockserver.hits["/status/404"] == 1 and result.attempts == 1


async def test_transient_status_retried_with_backoff(mockserver: MockServer) -> None:
    async with Fetcher(quick(retries=2, backoff=0.1)) as fetcher:
        started = time.monotonic()
        result = await fetcher.fetch(mockserver.url("/status/503"))
        took = time.monotonic() - started
    assert result.status == 503 and result.attempts == 3
    assert mockserver.hits["/status/503"] == 3
    assert took >= 0.1 + 0.2 - 0.02  # 0.1 then 0.2: exponential


async def test_refused_is_transient_and_retried() -> None:
    async with Fetcher(quick(retries=1)) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{closed_port()}/")
    assert result.failure is FailureClass.REFUSED and result.attempts == 2


async def test_big_body_is_cut_quickly(mockserver: MockServer) -> None:
    async with Fetcher(quick(max_body_bytes=1 << 20)) as fetcher:
        started = time.monotonic()
        result = await fetcher.fetch(mockserver.url("/big?mb=50"))
        took = time.monotonic() - started
    assert result.failure is FailureClass.TOO_LARGE and result.truncated
    assert len(result.body) == 1 << 20 and result.body[:3] == b"aaa"
    assert took < 2.0


async def test_max_bytes_argument_overrides_setting(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/big?mb=1"), max_bytes=1000)
        whole = await fetcher.fetch(mockserver.url("/big?mb=1"))
    assert result.failure is FailureClass.TOO_LARGE and len(result.body) == 1000
    assert whole.ok and len(whole.body) == 1 << 20 and not whole.truncated


@pytest.mark.parametrize("route", ["/gzip-bomb", "/br-bomb"])
async def test_decompression_bomb_refused(mockserver: MockServer, route: str) -> None:
    async with Fetcher(quick(max_body_bytes=32 << 20)) as fetcher:
        result = await fetcher.fetch(mockserver.url(route))
    assert result.failure is FailureClass.DECOMPRESSION
    assert len(result.body) <= 2 << 20  # never inflated the 64 MiB


async def test_bomb_over_cap_without_ratio_is_too_large(mockserver: MockServer) -> None:
    # Ratio guard off (huge ratio): the decoded-size cap still stops it.
    async with Fetcher(quick(max_body_bytes=2 << 20, max_decompressed_ratio=10**9)) as fetcher:
        result = await fetcher.fetch(mockserver.url("/gzip-bomb?mb=16"))
    assert result.failure is FailureClass.TOO_LARGE and result.truncated
    assert len(result.body) == 2 << 20


async def test_gzip_page_is_decoded(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/gzip-page"))
    assert result.ok and "压缩的页面" in result.body.decode("utf-8")
    assert result.header("content-encoding") == "gzip"


async def test_redirect_chain_followed(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/redirect/3"))
    assert result.ok and result.body == b"redirected"
    assert result.final_url == mockserver.url("/redirect/0")
    assert result.redirects == [mockserver.url(f"/redirect/{n}") for n in (2, 1, 0)]


async def test_redirect_loop_detected(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/redirect-loop"))
    assert result.failure is FailureClass.REDIRECT_LOOP
    assert mockserver.hits["/redirect-loop"] == 1 and mockserver.hits["/redirect-loop-b"] == 1


async def test_too_many_redirects(mockserver: MockServer) -> None:
    async with Fetcher(quick(max_redirects=2)) as fetcher:
        result = await fetcher.fetch(mockserver.url("/redirect/5"))
        ok = await fetcher.fetch(mockserver.url("/redirect/2"))
    assert result.failure is FailureClass.TOO_MANY_REDIRECTS
    assert ok.ok


async def test_redirect_to_bad_scheme(mockserver: MockServer) -> None:
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/redirect-to?url=ftp://example.org/x"))
    assert result.failure is FailureClass.BAD_URL


async def test_bad_url() -> None:
    async with Fetcher(quick()) as fetcher:
        assert (await fetcher.fetch("ftp://example.gov.cn/")).failure is FailureClass.BAD_URL
        assert (await fetcher.fetch("http:///nohost")).failure is FailureClass.BAD_URL


async def test_private_address_refused_without_allow_private(mockserver: MockServer) -> None:
    async with Fetcher(quick(allow_private=False)) as fetcher:
        result = await fetcher.fetch(mockserver.url("/echo-headers"))
    assert result.failure is FailureClass.PRIVATE_ADDRESS
    assert mockserver.hits["/echo-headers"] == 0
    assert "--allow-private" in result.error


async def test_every_redirect_hop_is_guarded() -> None:
    # The site itself (127.0.0.2, explicitly permitted) redirects to 127.0.0.1 and to the cloud
    # metadata address: both hops are refused, nothing reaches them.
    with MockServer(host="127.0.0.2") as site, MockServer() as inner:
        async with Fetcher(quick(allow_private=False), allow_addresses=frozenset({"127.0.0.2"})) as fetcher:
            ok = await fetcher.fetch(site.url("/echo-headers"))
            to_loopback = await fetcher.fetch(site.url(f"/redirect-to?url={inner.url('/echo-headers')}"))
            to_metadata = await fetcher.fetch(site.url("/redirect-to?url=http://169.254.169.254/latest/meta-data/"))
        assert ok.ok
        assert to_loopback.failure is FailureClass.PRIVATE_ADDRESS
        assert to_loopback.redirects == [inner.url("/echo-headers")]
        assert inner.hits["/echo-headers"] == 0
        assert to_metadata.failure is FailureClass.PRIVATE_ADDRESS
        assert "link-local" in to_metadata.error


async def test_resolve_mapping_keeps_host_header(mockserver: MockServer) -> None:
    settings = quick(resolve=[f"www.example.gov.cn:{mockserver.port}:127.0.0.1"])
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(f"http://www.example.gov.cn:{mockserver.port}/echo-headers")
    assert result.ok
    assert json.loads(result.body)["Host"] == f"www.example.gov.cn:{mockserver.port}"
    assert result.final_url == f"http://www.example.gov.cn:{mockserver.port}/echo-headers"
    assert fetcher.guard.lookups == 0
    # Only HOST:PORT is mapped (checked without a fetch: an unmapped name would go to DNS).
    assert fetcher.guard.mapped("www.example.gov.cn", mockserver.port + 1) is None
    assert fetcher.guard.mapped("WWW.EXAMPLE.GOV.CN.", mockserver.port) == "127.0.0.1"


async def test_resolve_wildcard_and_ipv6_brackets(mockserver: MockServer) -> None:
    settings = quick(resolve=[f"*:{mockserver.port}:[::ffff:127.0.0.1]", f"a.gov.cn:{mockserver.port}:127.0.0.1"])
    async with Fetcher(settings) as fetcher:
        named = await fetcher.fetch(f"http://a.gov.cn:{mockserver.port}/echo-headers")
    assert named.ok and json.loads(named.body)["Host"] == f"a.gov.cn:{mockserver.port}"
    assert fetcher.guard.mapped("anything.gov.cn", mockserver.port) == "::ffff:127.0.0.1"


async def test_resolve_mapping_to_loopback_still_needs_allow_private(mockserver: MockServer) -> None:
    settings = quick(allow_private=False, resolve=[f"www.example.gov.cn:{mockserver.port}:127.0.0.1"])
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(f"http://www.example.gov.cn:{mockserver.port}/echo-headers")
    assert result.failure is FailureClass.PRIVATE_ADDRESS
    assert mockserver.hits["/echo-headers"] == 0


async def test_per_host_concurrency_limited(mockserver: MockServer) -> None:
    async with Fetcher(quick(per_host_concurrency=2, global_concurrency=20)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(mockserver.url("/slow/150")) for _ in range(8)))
    assert all(r.ok for r in results)
    assert mockserver.max_in_flight == 2


async def test_global_concurrency_limited_across_hosts() -> None:
    with MockServer() as one, MockServer(host="127.0.0.2") as two:
        settings = quick(per_host_concurrency=10, global_concurrency=3)
        async with Fetcher(settings) as fetcher:
            urls = [one.url("/slow/150")] * 6 + [two.url("/slow/150")] * 6
            results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        assert all(r.ok for r in results)
        assert one.max_in_flight + two.max_in_flight <= 3 + 3  # each server saw at most the global cap
        assert max(one.max_in_flight, two.max_in_flight) <= 3
        # together they never exceeded 3: timestamps of the 12 requests span at least 4 rounds
        starts = sorted(t for srv in (one, two) for (_, _, _, t) in srv.requests)
        assert starts[-1] - starts[0] >= 3 * 0.15 - 0.05


async def test_per_host_rate_limited(mockserver: MockServer) -> None:
    async with Fetcher(quick(per_host_rate=20.0, per_host_concurrency=8)) as fetcher:
        started = time.monotonic()
        await asyncio.gather(*(fetcher.fetch(mockserver.url("/status/204")) for _ in range(11)))
        took = time.monotonic() - started
    assert took >= 0.5 - 0.02  # 11 requests at 20/s: 10 intervals of 50 ms
    # The server (same clock, other thread) cannot have seen the k-th request before k * 50 ms.
    times = sorted(t for (_, _, _, t) in mockserver.requests)
    assert len(times) == 11
    for k, seen_at in enumerate(times):
        assert seen_at - started >= k * 0.05 - 0.01


async def test_head_has_no_body(mockserver: MockServer) -> None:
    mockserver.pages["/page"] = ("<html>hello</html>", "text/html")
    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(mockserver.url("/page"), method="HEAD")
    assert result.ok and result.body == b"" and result.method == "HEAD"
    assert mockserver.requests[-1][0] == "HEAD"
