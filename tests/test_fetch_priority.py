"""The run-wide connection gate serves earlier-started sites first (fetch.client.PriorityGate)."""

from __future__ import annotations

import asyncio

import pytest

from govinspect.fetch.client import SITE_PRIORITY, Fetcher, PriorityGate
from govinspect.settings import load_settings
from tests.mockserver import MockServer


async def _queue_waiters(gate: PriorityGate, priorities: list[int], served: list[tuple[int, int]],
                         release: asyncio.Event) -> list[asyncio.Future[None]]:
    """One waiter per priority (in this order) on a gate whose slots are all taken."""
    async def waiter(n: int, priority: int) -> None:
        await gate.acquire(priority)
        served.append((priority, n))
        await release.wait()
        gate.release()

    tasks = [asyncio.ensure_future(waiter(n, p)) for n, p in enumerate(priorities)]
    await asyncio.sleep(0)
    return tasks


def test_waiters_are_served_lowest_priority_first_and_fifo_among_equals() -> None:
    async def main() -> list[tuple[int, int]]:
        gate = PriorityGate(1)
        await gate.acquire(0)  # the only slot is taken
        served: list[tuple[int, int]] = []
        release = asyncio.Event()
        tasks = await _queue_waiters(gate, [5, 2, 9, 2, 0], served, release)
        assert served == []
        assert gate.waiting == 5
        gate.release()
        release.set()
        await asyncio.gather(*tasks)
        return served

    assert asyncio.run(main()) == [(0, 4), (2, 1), (2, 3), (5, 0), (9, 2)]


def test_free_slots_are_taken_at_once_and_counted() -> None:
    async def main() -> int:
        gate = PriorityGate(3)
        for _ in range(3):
            await asyncio.wait_for(gate.acquire(7), 1)
        blocked = asyncio.ensure_future(gate.acquire(1))
        await asyncio.sleep(0.01)
        assert not blocked.done()  # no fourth slot
        gate.release()
        await asyncio.wait_for(blocked, 1)
        return gate.waiting

    assert asyncio.run(main()) == 0


def test_a_cancelled_waiter_never_loses_a_slot() -> None:
    """Cancelled while waiting: skipped. Cancelled after being handed the slot: the slot passes on."""
    async def main() -> bool:
        gate = PriorityGate(1)
        await gate.acquire()
        first = asyncio.ensure_future(gate.acquire(1))
        second = asyncio.ensure_future(gate.acquire(2))
        third = asyncio.ensure_future(gate.acquire(3))
        await asyncio.sleep(0)
        first.cancel()  # still waiting: simply leaves the queue
        await asyncio.sleep(0)
        gate.release()  # goes to `second` (first is gone) ...
        second.cancel()  # ... which is cancelled before it runs: the slot must reach `third`
        await asyncio.wait_for(third, 1)
        assert first.cancelled() and second.cancelled()
        gate.release()
        await asyncio.wait_for(gate.acquire(), 1)  # and the slot third gave back is free again
        return True

    assert asyncio.run(main())


@pytest.mark.parametrize("priorities", [[3, 1, 2], [0, 0, 1]])
def test_fetches_of_an_earlier_site_go_first_when_the_run_is_saturated(priorities: list[int]) -> None:
    """Through a real Fetcher with one global slot: queued requests of the lower priority are sent first."""
    with MockServer() as server:
        settings = load_settings(None, fetch={"allow_private": True, "global_concurrency": 1,
                                              "per_host_concurrency": 16, "per_host_rate": 0.0,
                                              "obey_robots": False, "retries": 0})
        order: list[int] = []

        async def site(priority: int, paths: list[str], fetcher: Fetcher) -> None:
            SITE_PRIORITY.set(priority)
            for result in await asyncio.gather(*(fetcher.fetch(server.url(p)) for p in paths)):
                assert result.ok, result.error
                order.append(priority)

        async def main() -> None:
            async with Fetcher(settings.fetch) as fetcher:
                gate = fetcher._global
                assert gate is not None
                await gate.acquire()  # hold the only slot until every site has queued
                tasks = [asyncio.ensure_future(site(p, [f"/status/200?s={p}&n={n}" for n in range(3)], fetcher))
                         for p in priorities]
                for _ in range(500):
                    if gate.waiting >= 3 * len(priorities):
                        break
                    await asyncio.sleep(0.01)
                assert gate.waiting == 3 * len(priorities), "every request should be queued at the gate"
                gate.release()
                await asyncio.gather(*tasks)

        asyncio.run(main())
        served = [int(qs.split("s=")[1].split("&")[0]) for _, qs, _, _ in server.requests if "s=" in qs]
        assert len(served) == 3 * len(priorities)
        assert served == sorted(served)  # every request of a lower priority went out before any higher one
        assert set(served) == set(priorities)
