"""Link and image target status, with one cache shared by every site of a run.

A link common to 500 sites (the national portal, the provincial platform) is checked once, and
concurrent requests for the same URL are coalesced into one check. A target is judged ``dead`` only
after a second request confirms the failure; 429 and firewall-style 403 answers are ``unconfirmed``
(the site refused us, not the reader), and so are targets robots.txt forbids us to request.

In scale-out mode the sites of one run are inspected by several worker processes, each with its own
checker; a :class:`SharedLinkCache` (``workers/link_cache.py``: Redis) keeps the cache one per run there,
behind the same interface. Without one, the cache is this checker's memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

from govinspect.fetch.client import Fetcher
from govinspect.fetch.types import FailureClass, FetchResult, LinkResult, LinkState

LINK_MAX_BYTES = 64 * 1024  # a link check needs the status, not the body
_WAF_SERVERS = ("yunjiasu", "cloudflare", "safeline", "jiasule", "wzws", "anyu", "yundun", "waf",
                "safedog", "akamai", "incapsula", "sucuri", "tencent-cloud", "cdn")
_WAF_WORDS = ("防火墙", "拦截", "安全狗", "云盾", "云防护", "访问被拒绝", "非法访问", "验证码", "人机验证",
              "waf", "firewall", "captcha", "access denied", "request id", "请求id")
_BODY_OK = (None, FailureClass.TOO_LARGE, FailureClass.DECOMPRESSION)


def is_waf_block(result: FetchResult) -> bool:
    """A 403 that looks like a web application firewall refusing the crawler, not a missing page."""
    if result.status != 403:
        return False
    server = (result.header("server") or "").lower()
    if any(word in server for word in _WAF_SERVERS):
        return True
    names = " ".join(k.lower() for k, _ in result.headers)
    if "x-waf" in names or "cf-ray" in names or "x-safe" in names:
        return True
    text = result.body[:8192].decode("utf-8", errors="ignore").lower()
    if not text:
        text = result.body[:8192].decode("gb18030", errors="ignore").lower()
    return any(word in text for word in _WAF_WORDS)


def _reachable(result: FetchResult) -> bool:
    return result.status is not None and result.status < 400 and result.failure in _BODY_OK


def _unconfirmed(result: FetchResult) -> bool:
    return result.status == 429 or is_waf_block(result)


def link_result(url: str, state: LinkState, result: FetchResult | None) -> LinkResult:
    if result is None:
        return LinkResult(url=url, state=state)
    return LinkResult(
        url=url, state=state, status=result.status,
        failure=None if state is LinkState.OK else result.failure,
        error="" if state is LinkState.OK else result.error,
        final_url=result.final_url, content_type=result.content_type, warc_record_id=result.warc_record_id,
    )


class SharedLinkCache(Protocol):
    """A run's link cache shared by processes: one check per URL for the whole run, wherever it runs."""

    async def get_or_check(self, url: str, check: Callable[[], Awaitable[LinkResult]]) -> LinkResult:
        """The stored status of ``url``, else ``check()`` run once among all processes and stored."""
        ...

    def offer(self, url: str, result: LinkResult) -> None:
        """Store a status learnt elsewhere unless one is stored (need not be awaited)."""
        ...

    async def aclose(self) -> None:
        """Finish pending stores and close connections."""
        ...


class LinkChecker:
    """Status of link/image targets with ONE cache shared by every site in a run.

    ``shared``: the run's cache across processes (scale-out mode); this checker's memory stays in
    front of it.
    """

    def __init__(self, fetcher: Fetcher, *, confirm_delay: float | None = None,
                 shared: SharedLinkCache | None = None) -> None:
        self.fetcher = fetcher
        self.confirm_delay = fetcher.settings.backoff if confirm_delay is None else confirm_delay
        self.cache: dict[str, LinkResult] = {}
        self.shared = shared
        self._pending: dict[str, asyncio.Future[LinkResult]] = {}
        self.requests = 0  # requests this checker made (not counting cache hits)

    def known(self, url: str) -> LinkResult | None:
        return self.cache.get(url)

    def record(self, url: str, result: LinkResult) -> None:
        """Seed the cache with a status learnt elsewhere (a crawl fetch); only successes are final."""
        if result.state is LinkState.OK and url not in self.cache:
            self.cache[url] = result
            if self.shared is not None:
                self.shared.offer(url, result)

    async def aclose(self) -> None:
        """Finish writing to the shared cache (nothing to do without one)."""
        if self.shared is not None:
            await self.shared.aclose()

    async def check(self, url: str, *, first: FetchResult | None = None) -> LinkResult:
        """HEAD, falling back to GET; ``dead`` only after a retry confirms.

        ``first``: a failed GET of ``url`` already made (by the crawl); it counts as the first try,
        so only the confirming request is made.
        """
        cached = self.cache.get(url)
        if cached is not None:
            return cached
        pending = self._pending.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[LinkResult] = asyncio.get_running_loop().create_future()
        self._pending[url] = fut
        try:
            if self.shared is not None:
                outcome = await self.shared.get_or_check(url, lambda: self._check(url, first))
            else:
                outcome = await self._check(url, first)
        except BaseException as exc:
            self._pending.pop(url, None)
            fut.set_exception(exc)
            fut.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        self.cache[url] = outcome
        self._pending.pop(url, None)
        fut.set_result(outcome)
        return outcome

    async def _get(self, url: str) -> FetchResult:
        self.requests += 1
        return await self.fetcher.fetch(url, max_bytes=LINK_MAX_BYTES, retries=0)

    async def _check(self, url: str, first: FetchResult | None) -> LinkResult:
        if not await self.fetcher.robots.allowed(url):
            return LinkResult(url=url, state=LinkState.UNCONFIRMED, failure=FailureClass.ROBOTS,
                              error="disallowed by robots.txt")
        if first is None:
            self.requests += 1
            head = await self.fetcher.fetch(url, method="HEAD", retries=0)
            if _reachable(head):
                return link_result(url, LinkState.OK, head)
            if head.status == 429:
                return link_result(url, LinkState.UNCONFIRMED, head)
            if head.failure is FailureClass.PRIVATE_ADDRESS:
                return link_result(url, LinkState.UNCONFIRMED, head)
            if head.failure is FailureClass.BAD_URL:
                return link_result(url, LinkState.DEAD, head)
            # 405/501 and every other error: a GET decides (many servers mishandle HEAD).
            first = await self._get(url)
        if _reachable(first):
            return link_result(url, LinkState.OK, first)
        if _unconfirmed(first) or first.failure is FailureClass.PRIVATE_ADDRESS:
            return link_result(url, LinkState.UNCONFIRMED, first)
        if self.confirm_delay > 0:
            await asyncio.sleep(self.confirm_delay)
        second = await self._get(url)
        if _reachable(second):
            return link_result(url, LinkState.OK, second)
        if _unconfirmed(second):
            return link_result(url, LinkState.UNCONFIRMED, second)
        return link_result(url, LinkState.DEAD, second)
