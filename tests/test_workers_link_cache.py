"""The run's link cache in Redis: link checkers in different processes (workers) check a URL once.

Real parts only: the machine's Redis (a test database number, a key prefix per test) and the loopback
mock server, whose hit counters show how many requests reached the link.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
import redis
import redis.asyncio

from govinspect.fetch.client import Fetcher
from govinspect.fetch.links import LinkChecker
from govinspect.fetch.types import FailureClass, LinkResult, LinkState
from govinspect.settings import FetchSettings
from govinspect.workers.link_cache import RedisLinkCache, decode, encode
from tests.conftest import remove_redis_keys
from tests.mockserver import MockServer, closed_port

pytestmark = pytest.mark.redis


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    name = f"govinspect-test-{secrets.token_hex(4)}:"
    yield name
    remove_redis_keys(redis_url, name)


def fetch_settings() -> FetchSettings:
    return FetchSettings(allow_private=True, total_timeout=2.0, retries=0, backoff=0.01, per_host_rate=0.0,
                         obey_robots=False)


@asynccontextmanager
async def worker_checker(url: str, run_id: str, prefix: str, **kw: object) -> AsyncIterator[LinkChecker]:
    """What one worker has for one site: its own client and checker, the run's cache in Redis."""
    async with Fetcher(fetch_settings()) as fetcher:
        checker = LinkChecker(fetcher, confirm_delay=0, shared=RedisLinkCache(url, run_id, prefix=prefix, **kw))
        try:
            yield checker
        finally:
            await checker.aclose()


async def test_checkers_of_two_workers_check_a_common_link_once(mock: MockServer, redis_url: str,
                                                                prefix: str) -> None:
    mock.pages["/common.html"] = ("<html>common</html>", "text/html")
    url = mock.url("/common.html")
    async with worker_checker(redis_url, "r1", prefix) as a, worker_checker(redis_url, "r1", prefix) as b:
        results = await asyncio.gather(*(c.check(url) for c in (a, b) for _ in range(5)))
        assert a.shared is not None and b.shared is not None
        checked = a.shared.checks + b.shared.checks  # type: ignore[attr-defined]
    assert {r.state for r in results} == {LinkState.OK} and {r.status for r in results} == {200}
    assert mock.hits["/common.html"] == 1
    assert checked == 1


async def test_without_the_shared_cache_each_worker_checks_again(mock: MockServer) -> None:
    """The near miss the shared cache exists for: separate processes, separate memories."""
    mock.pages["/common.html"] = ("<html>common</html>", "text/html")
    async with Fetcher(fetch_settings()) as one, Fetcher(fetch_settings()) as two:
        await asyncio.gather(LinkChecker(one).check(mock.url("/common.html")),
                             LinkChecker(two).check(mock.url("/common.html")))
    assert mock.hits["/common.html"] == 2


async def test_another_run_checks_the_link_again(mock: MockServer, redis_url: str, prefix: str) -> None:
    mock.pages["/common.html"] = ("<html>common</html>", "text/html")
    url = mock.url("/common.html")
    async with worker_checker(redis_url, "run-a", prefix) as a:
        await a.check(url)
    async with worker_checker(redis_url, "run-b", prefix) as b:
        await b.check(url)
    assert mock.hits["/common.html"] == 2  # a run's cache is its own, like one machine's


async def test_dead_link_confirmed_once_and_shared_with_its_facts(mock: MockServer, redis_url: str,
                                                                  prefix: str) -> None:
    url = mock.url("/status/404")
    async with worker_checker(redis_url, "r1", prefix) as a:
        dead = await a.check(url)
    async with worker_checker(redis_url, "r1", prefix) as b:
        shared = await b.check(url)
        assert b.requests == 0
    assert mock.hits["/status/404"] == 3  # HEAD, GET, confirming GET: by the first worker only
    assert dead.state is LinkState.DEAD and dead.status == 404 and dead.failure is FailureClass.HTTP_STATUS
    assert shared == dead


async def test_status_learnt_by_a_crawl_is_offered_to_other_workers(mock: MockServer, redis_url: str,
                                                                    prefix: str) -> None:
    url = mock.url("/crawled.html")
    async with worker_checker(redis_url, "r1", prefix) as a:
        a.record(url, LinkResult(url=url, state=LinkState.OK, status=200, content_type="text/html"))
        a.record(url + "?dead", LinkResult(url=url + "?dead", state=LinkState.DEAD, status=404))  # not final
    async with worker_checker(redis_url, "r1", prefix) as b:
        known = await b.check(url)
    assert known.state is LinkState.OK and known.status == 200
    assert mock.hits["/crawled.html"] == 0
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.get(RedisLinkCache(redis_url, "r1", prefix=prefix).key(url + "?dead")) is None
    finally:
        client.close()


async def test_keys_live_under_the_prefix_with_the_run_ttl(mock: MockServer, redis_url: str,
                                                           prefix: str) -> None:
    url = mock.url("/status/200")
    async with worker_checker(redis_url, "r1", prefix, ttl=600) as a:
        await a.check(url)
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(match=prefix + "*")]
        assert keys == [RedisLinkCache(redis_url, "r1", prefix=prefix).key(url)]
        assert keys[0].startswith(f"{prefix}links:r1:")
        assert 0 < client.ttl(keys[0]) <= 600
    finally:
        client.close()


async def test_a_link_another_worker_holds_is_awaited_not_checked(mock: MockServer, redis_url: str,
                                                                  prefix: str) -> None:
    """A second worker waits for the holder's status; when the holder dies (its lock expires) it checks."""
    mock.pages["/held.html"] = ("<html>held</html>", "text/html")
    url = mock.url("/held.html")
    cache = RedisLinkCache(redis_url, "r1", prefix=prefix, lock_seconds=1.0)
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(cache.key(url) + ":lock", "another-worker", px=600)  # held by a worker that then dies
        async with worker_checker(redis_url, "r1", prefix, lock_seconds=1.0) as b:
            result = await b.check(url)
    finally:
        client.close()
        await cache.aclose()
    assert result.state is LinkState.OK
    assert mock.hits["/held.html"] == 1


async def test_a_link_another_worker_is_checking_comes_from_its_answer(mock: MockServer, redis_url: str,
                                                                       prefix: str) -> None:
    url = mock.url("/status/404")
    holder = RedisLinkCache(redis_url, "r1", prefix=prefix)
    client = redis.Redis.from_url(redis_url)
    answer = LinkResult(url=url, state=LinkState.DEAD, status=404, failure=FailureClass.HTTP_STATUS)

    async def holder_answers() -> None:
        await asyncio.sleep(0.3)
        client.set(holder.key(url), encode(answer))
        client.delete(holder.key(url) + ":lock")

    try:
        client.set(holder.key(url) + ":lock", "another-worker", ex=30)
        async with worker_checker(redis_url, "r1", prefix) as b:
            result, _ = await asyncio.gather(b.check(url), holder_answers())
            assert b.requests == 0
    finally:
        client.close()
        await holder.aclose()
    assert result == answer
    assert mock.hits["/status/404"] == 0


async def test_redis_gone_means_checking_here_with_the_same_answer(mock: MockServer, prefix: str,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    mock.pages["/a.html"] = ("<html>a</html>", "text/html")
    down = f"redis://127.0.0.1:{closed_port()}/0"
    with caplog.at_level(logging.WARNING, logger="govinspect.workers.link_cache"):
        async with worker_checker(down, "r1", prefix) as a:
            ok = await a.check(mock.url("/a.html"))
            dead = await a.check(mock.url("/status/404"))
            a.record(mock.url("/b.html"), LinkResult(url=mock.url("/b.html"), state=LinkState.OK))
    assert ok.state is LinkState.OK and dead.state is LinkState.DEAD
    assert mock.hits["/a.html"] == 1
    assert sum("link_cache_unavailable" in r.getMessage() for r in caplog.records) == 1


async def test_redis_failing_after_the_check_keeps_its_answer(mock: MockServer, redis_url: str,
                                                               prefix: str) -> None:
    """Redis gone between the check and storing its status: the status is returned, not checked again."""
    url = mock.url("/status/404")
    cache = RedisLinkCache(redis_url, "r1", prefix=prefix)
    answer = LinkResult(url=url, state=LinkState.DEAD, status=404, failure=FailureClass.HTTP_STATUS)
    calls = 0

    async def check() -> LinkResult:
        nonlocal calls
        calls += 1
        await cache.redis.aclose(close_connection_pool=True)
        cache.redis = redis.asyncio.Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0")  # Redis gone
        return answer

    try:
        assert await cache.get_or_check(url, check) == answer
    finally:
        await cache.aclose()
    assert calls == 1
    assert cache.checks == 1


@pytest.mark.parametrize("result", [
    LinkResult(url="http://a.gov.cn/x", state=LinkState.OK, status=200, final_url="http://a.gov.cn/x/",
               content_type="text/html", warc_record_id="<urn:uuid:1>"),
    LinkResult(url="http://a.gov.cn/死链", state=LinkState.DEAD, status=None, failure=FailureClass.REFUSED,
               error="connection refused"),
    LinkResult(url="http://a.gov.cn/r", state=LinkState.UNCONFIRMED, failure=FailureClass.ROBOTS,
               error="disallowed by robots.txt"),
    LinkResult(url="http://a.gov.cn/s", state=LinkState.SKIPPED),
])
def test_stored_status_reads_back_as_itself(result: LinkResult) -> None:
    assert decode(encode(result)) == result
