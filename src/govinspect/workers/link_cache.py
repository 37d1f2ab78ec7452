"""The run's link cache in Redis, so a link common to sites on different workers is checked once.

One key per URL and run (``<prefix>links:<run id>:<sha1 of the URL>``, a JSON ``LinkResult``) with a TTL
for the run. A URL nobody has checked yet is claimed with a Redis lock: the worker holding it checks,
the others wait for the stored status (the in-process cache coalesces concurrent checks the same way).
If Redis fails mid-run a worker checks the link itself: the status is the same, only the request is
repeated.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import LockError, RedisError

from govinspect.fetch.types import FailureClass, LinkResult, LinkState

log = logging.getLogger(__name__)

LOCK_SECONDS = 90.0  # a check takes at most HEAD + GET + confirming GET at the fetch timeout (15 s each)
WAIT_STEP = 0.05  # seconds between looks at a URL another worker is checking
MAX_CONNECTIONS = 8


def encode(result: LinkResult) -> str:
    return json.dumps({
        "url": result.url, "state": str(result.state), "status": result.status,
        "failure": str(result.failure) if result.failure is not None else None, "error": result.error,
        "final_url": result.final_url, "content_type": result.content_type,
        "warc_record_id": result.warc_record_id,
    }, ensure_ascii=False)


def decode(raw: bytes | str) -> LinkResult:
    data: dict[str, Any] = json.loads(raw)
    return LinkResult(
        url=data["url"], state=LinkState(data["state"]), status=data["status"],
        failure=FailureClass(data["failure"]) if data["failure"] else None, error=data["error"],
        final_url=data["final_url"], content_type=data["content_type"], warc_record_id=data["warc_record_id"],
    )


class RedisLinkCache:
    """:class:`govinspect.fetch.links.SharedLinkCache` on Redis for one run (see the module docstring)."""

    def __init__(self, url: str, run_id: str, *, prefix: str = "govinspect:", ttl: int = 2 * 24 * 3600,
                 lock_seconds: float = LOCK_SECONDS) -> None:
        # Link checks run 32 at once per site: they queue for a connection rather than fail.
        pool = BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS, timeout=30,
                                               socket_connect_timeout=5, socket_timeout=10)
        self.redis = Redis(connection_pool=pool)
        self.namespace = f"{prefix}links:{run_id}:"
        self.ttl = ttl
        self.lock_seconds = lock_seconds
        self.hits = 0  # statuses taken from Redis (checked by another site or worker)
        self.checks = 0  # statuses this process checked and stored
        self._writes: set[asyncio.Task[None]] = set()
        self._failed = False

    def key(self, url: str) -> str:
        return self.namespace + hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()

    async def get_or_check(self, url: str, check: Callable[[], Awaitable[LinkResult]]) -> LinkResult:
        if self._failed:
            return await check()
        key = self.key(url)
        result: LinkResult | None = None  # checked here: never checked again when Redis then fails
        try:
            while True:
                raw = await self.redis.get(key)
                if raw is not None:
                    self.hits += 1
                    return decode(raw)
                lock = self.redis.lock(key + ":lock", timeout=self.lock_seconds, blocking=False)
                if await lock.acquire():
                    try:
                        raw = await self.redis.get(key)  # stored between our look and the claim
                        if raw is not None:
                            self.hits += 1
                            return decode(raw)
                        result = await check()
                        self.checks += 1
                        await self.redis.set(key, encode(result), ex=self.ttl)
                        return result
                    finally:
                        try:
                            await lock.release()
                        except LockError:  # expired while checking: another worker may check it too
                            pass
                await self._wait_for(key)
        except RedisError as exc:
            self._give_up(exc)
            return result if result is not None else await check()

    async def _wait_for(self, key: str) -> None:
        """Until the status is stored or the lock is gone (its holder finished or died)."""
        deadline = time.monotonic() + self.lock_seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(WAIT_STEP)
            if await self.redis.exists(key) or not await self.redis.exists(key + ":lock"):
                return

    def offer(self, url: str, result: LinkResult) -> None:
        if self._failed:
            return
        task = asyncio.get_running_loop().create_task(self._store_if_absent(url, result))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _store_if_absent(self, url: str, result: LinkResult) -> None:
        try:
            await self.redis.set(self.key(url), encode(result), ex=self.ttl, nx=True)
        except RedisError as exc:
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        if not self._failed:
            log.warning("link_cache_unavailable namespace=%s error=%s: links are checked in this worker",
                        self.namespace, f"{type(exc).__name__}: {exc}"[:200])
        self._failed = True

    async def aclose(self) -> None:
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        await self.redis.aclose(close_connection_pool=True)
