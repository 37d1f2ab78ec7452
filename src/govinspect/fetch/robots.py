"""robots.txt, fetched once per origin (small size cap), parsed with urllib.robotparser and cached.

Applied to the crawl and the link checker. The homepage availability fetch is never subject to robots:
inspecting a registered government site's homepage is the purpose of the run, like a visitor opening it.
A robots.txt that is missing (4xx) or unreachable (network failure, 5xx) allows everything: an
inspection must not lose a site's pages because its robots.txt is broken.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.robotparser import RobotFileParser

from yarl import URL

if TYPE_CHECKING:
    from govinspect.fetch.client import Fetcher

ROBOTS_MAX_BYTES = 512 * 1024


class RobotsCache:
    """Per-origin robots.txt rules, concurrent look-ups of one origin coalesced into one fetch."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._rules: dict[str, RobotFileParser | None] = {}
        self._pending: dict[str, asyncio.Future[RobotFileParser | None]] = {}

    async def rules(self, origin: str) -> RobotFileParser | None:
        """The parsed rules of ``origin`` (``scheme://host:port``), or None when everything is allowed."""
        if origin in self._rules:
            return self._rules[origin]
        pending = self._pending.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[RobotFileParser | None] = asyncio.get_running_loop().create_future()
        self._pending[origin] = fut
        try:
            parser = await self._load(origin)
        except BaseException as exc:  # pragma: no cover - cancellation
            fut.set_exception(exc)
            fut.exception()
            raise
        finally:
            self._pending.pop(origin, None)
        self._rules[origin] = parser
        if not fut.done():
            fut.set_result(parser)
        return parser

    async def _load(self, origin: str) -> RobotFileParser | None:
        result = await self.fetcher.fetch(origin + "/robots.txt", max_bytes=ROBOTS_MAX_BYTES, retries=0)
        if result.status is None or result.status >= 400 or not result.body:
            return None
        parser = RobotFileParser()
        parser.parse(result.body.decode("utf-8", errors="replace").splitlines())
        return parser

    async def allowed(self, url: str, user_agent: str | None = None) -> bool:
        if not self.fetcher.settings.obey_robots:
            return True
        parsed = URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            return True
        origin = str(parsed.origin())
        parser = await self.rules(origin)
        if parser is None:
            return True
        agent = user_agent or self.fetcher.user_agent
        return parser.can_fetch(agent.split("/", 1)[0], url)
