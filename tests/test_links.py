"""LinkChecker over loopback: shared cache, coalescing, HEAD→GET, unconfirmed and confirmed-dead states."""

from __future__ import annotations

import asyncio

from govinspect.fetch.client import Fetcher
from govinspect.fetch.links import LinkChecker, is_waf_block
from govinspect.fetch.types import FailureClass, FetchResult, LinkState
from govinspect.settings import FetchSettings
from tests.mockserver import MockServer, closed_port, mockserver  # noqa: F401 - fixture


def settings(**kw: object) -> FetchSettings:
    base: dict[str, object] = {"allow_private": True, "total_timeout": 2.0, "retries": 0, "backoff": 0.01,
                               "per_host_rate": 0.0, "obey_robots": False}
    base.update(kw)
    return FetchSettings(**base)  # type: ignore[arg-type]


async def test_ok_by_head_only(mockserver: MockServer) -> None:
    mockserver.pages["/a.html"] = ("<html>a</html>", "text/html")
    async with Fetcher(settings()) as fetcher:
        result = await LinkChecker(fetcher).check(mockserver.url("/a.html"))
    assert result.state is LinkState.OK and result.status == 200 and result.content_type == "text/html"
    assert [m for m, *_ in mockserver.requests] == ["HEAD"]


async def test_head_405_falls_back_to_get(mockserver: MockServer) -> None:
    async with Fetcher(settings()) as fetcher:
        result = await LinkChecker(fetcher).check(mockserver.url("/head-not-allowed"))
    assert result.state is LinkState.OK and result.status == 200
    assert [m for m, *_ in mockserver.requests] == ["HEAD", "GET"]


async def test_cache_shared_by_sites_and_concurrent_checks_coalesced(mockserver: MockServer) -> None:
    mockserver.pages["/common.html"] = ("<html>common</html>", "text/html")
    url = mockserver.url("/common.html")
    async with Fetcher(settings()) as fetcher:
        checker = LinkChecker(fetcher)

        async def site(name: str) -> LinkState:  # two sites of one run linking the same target
            return (await checker.check(url)).state

        states = await asyncio.gather(site("a"), site("b"), *(checker.check(url) for _ in range(10)))
        again = await checker.check(url)
    assert all((s if isinstance(s, LinkState) else s.state) is LinkState.OK for s in states)
    assert again.state is LinkState.OK
    assert mockserver.hits["/common.html"] == 1


async def test_dead_only_after_retry_confirms(mockserver: MockServer) -> None:
    async with Fetcher(settings()) as fetcher:
        checker = LinkChecker(fetcher, confirm_delay=0.05)
        dead = await checker.check(mockserver.url("/status/404"))
        recovered = await checker.check(mockserver.url("/flaky?key=k1&fail=2"))
    assert dead.state is LinkState.DEAD and dead.status == 404 and dead.failure is FailureClass.HTTP_STATUS
    assert mockserver.hits["/status/404"] == 3  # HEAD, GET, confirming GET
    assert recovered.state is LinkState.OK  # HEAD and GET failed, the confirming GET worked


async def test_crawl_failure_counts_as_first_try(mockserver: MockServer) -> None:
    async with Fetcher(settings()) as fetcher:
        first = await fetcher.fetch(mockserver.url("/status/410"))
        result = await LinkChecker(fetcher, confirm_delay=0).check(mockserver.url("/status/410"), first=first)
    assert result.state is LinkState.DEAD and result.status == 410
    assert mockserver.hits["/status/410"] == 2


async def test_network_failure_dead_after_confirmation() -> None:
    async with Fetcher(settings()) as fetcher:
        result = await LinkChecker(fetcher, confirm_delay=0).check(f"http://127.0.0.1:{closed_port()}/x")
    assert result.state is LinkState.DEAD and result.failure is FailureClass.REFUSED


async def test_429_and_waf_403_unconfirmed(mockserver: MockServer) -> None:
    async with Fetcher(settings()) as fetcher:
        checker = LinkChecker(fetcher, confirm_delay=0)
        throttled = await checker.check(mockserver.url("/status/429"))
        waf = await checker.check(mockserver.url("/waf-403"))
        plain_403 = await checker.check(mockserver.url("/status/403"))
    assert throttled.state is LinkState.UNCONFIRMED and throttled.status == 429
    assert mockserver.hits["/status/429"] == 1
    assert waf.state is LinkState.UNCONFIRMED and waf.status == 403
    assert plain_403.state is LinkState.DEAD  # a bare 403 with no firewall signs is a broken link


def test_waf_detection_cases() -> None:
    def r(status: int, headers: list[tuple[str, str]], body: str) -> FetchResult:
        return FetchResult("http://a/", "http://a/", status=status, headers=headers, body=body.encode())

    assert is_waf_block(r(403, [("Server", "yunjiasu-nginx")], ""))
    assert is_waf_block(r(403, [], "<title>安全狗</title>您的请求被拦截"))
    assert is_waf_block(r(403, [("CF-RAY", "abc")], ""))
    assert not is_waf_block(r(403, [("Server", "nginx")], "<h1>403 Forbidden</h1>"))
    assert not is_waf_block(r(404, [("Server", "yunjiasu-nginx")], "拦截"))


async def test_robots_disallowed_target_unconfirmed_without_request(mockserver: MockServer) -> None:
    mockserver.robots = "User-agent: *\nDisallow: /private/\n"
    mockserver.pages["/private/x.html"] = ("<html>x</html>", "text/html")
    async with Fetcher(settings(obey_robots=True)) as fetcher:
        result = await LinkChecker(fetcher).check(mockserver.url("/private/x.html"))
    assert result.state is LinkState.UNCONFIRMED and result.failure is FailureClass.ROBOTS
    assert mockserver.hits["/private/x.html"] == 0 and mockserver.hits["/robots.txt"] == 1
