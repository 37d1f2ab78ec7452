"""The week-long availability sampler (站点无法访问): probe every running site's homepage at intervals.

One round probes every site once. A round is spread over the whole interval, not fired as a burst: each
site keeps a fixed random slot of the interval (so its probes come about one interval apart) and every
probe moves by a small random jitter (so it does not always hit the same minute). Probes go through the
run's :class:`~govinspect.fetch.client.Fetcher` with its per-host politeness and through
:func:`~govinspect.fetch.crawl.probe_homepage`, the same probe an inspection makes (the 15 s rule, retries
for transient failures inside one probe, our own refusals marked).

Each probe is stored as soon as it ends. The first SIGINT/SIGTERM stops the schedule: probes in flight
finish and are stored, probes not yet started are not made. A second signal drops the probes in flight
without a row (a probe we cut is not the site's failure). A restart appends to the same table.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from govinspect.monitor.store import Probe, SampleStore
from govinspect.registry.models import Site
from govinspect.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When to probe: one round per ``interval_s``; stop after ``rounds`` rounds or at ``until``."""

    interval_s: float
    rounds: int | None = None
    until: datetime | None = None  # no probe is started after this instant
    jitter: float = 0.1  # each probe moves up to ± this share of the interval


@dataclass(slots=True)
class RoundStats:
    """One round as it ends (or is cut by a stop)."""

    number: int  # 1-based
    probes: int = 0
    failed: int = 0  # the homepage did not open (slow answers are judged by site.unreachable)
    refused: int = 0  # stopped by our own rules (address guard, robots, bad URL)
    complete: bool = False


@dataclass(slots=True)
class MonitorResult:
    """What a sampler run stored: its rounds, and totals over them."""

    stopped: bool = False  # ended by a signal (or the caller's stop event), not by --rounds/--until
    dropped: int = 0  # probes in flight dropped by a second signal (no row)
    rounds: list[RoundStats] = field(default_factory=list)

    @property
    def probes(self) -> int:
        return sum(r.probes for r in self.rounds)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.rounds)

    @property
    def refused(self) -> int:
        return sum(r.refused for r in self.rounds)

    @property
    def rounds_complete(self) -> int:
        return sum(1 for r in self.rounds if r.complete)


RoundFn = Callable[[RoundStats], None]


def slots(sites: list[Site], interval_s: float, rng: random.Random) -> dict[str, float]:
    """A fixed offset into the interval for each site: one site per equal slot, in random order."""
    order = list(range(len(sites)))
    rng.shuffle(order)
    width = interval_s / max(1, len(sites))
    return {sites[i].site_code: (slot + rng.random()) * width for slot, i in enumerate(order)}


async def run_monitor(sites: list[Site], settings: Settings, samples: SampleStore, schedule: Schedule, *,
                      stop: asyncio.Event | None = None, on_round: RoundFn | None = None,
                      rng: random.Random | None = None, handle_signals: bool = False) -> MonitorResult:
    """Probe ``sites`` by ``schedule`` and store every probe; returns when the schedule ends or on stop.

    ``handle_signals`` installs the SIGINT/SIGTERM handling described in the module docstring (the CLI
    does; library callers stop through ``stop``).
    """
    from govinspect.fetch.client import Fetcher

    if schedule.interval_s <= 0:
        raise ValueError("the interval must be more than 0 seconds")
    rng = rng or random.Random()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    wall0 = datetime.now(UTC)
    offsets = slots(sites, schedule.interval_s, rng)
    spread = schedule.jitter * schedule.interval_s
    result = MonitorResult()
    rounds: dict[int, RoundStats] = {}
    in_flight: set[asyncio.Task[None]] = set()
    errors: list[BaseException] = []
    queue: list[tuple[float, int, int]] = []  # (due on the loop clock, round, site index)

    def due(round_no: int, index: int) -> float:
        base = round_no * schedule.interval_s + offsets[sites[index].site_code]
        return t0 + max(0.0, base + rng.uniform(-spread, spread))

    def wall(at: float) -> datetime:
        return wall0 + timedelta(seconds=at - t0)

    def finish_round(stats: RoundStats) -> None:
        result.rounds.append(stats)
        if on_round:
            on_round(stats)

    for index in range(len(sites)):
        heapq.heappush(queue, (due(0, index), 0, index))

    signals = 0

    def on_signal() -> None:
        nonlocal signals
        signals += 1
        stop.set()
        if signals == 1:
            log.warning("monitor_stopping probes_in_flight=%d: they finish and are stored; "
                        "signal again to drop them", len(in_flight))
        else:
            for task in in_flight:
                task.cancel()

    installed: list[signal.Signals] = []
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):  # not the main thread / no signals here
                pass

    async with Fetcher(settings.fetch) as fetcher:
        from govinspect.fetch.crawl import probe_homepage

        async def probe(site: Site, round_no: int) -> None:
            attempt, fetched, _ = await probe_homepage(site.homepage, fetcher, settings)
            await asyncio.to_thread(samples.add, Probe(site.site_code, site.homepage, attempt, fetched.error))
            stats = rounds[round_no]
            stats.probes += 1
            if attempt.own_refusal:
                stats.refused += 1
            elif not attempt.ok:
                stats.failed += 1
            if stats.probes == len(sites):
                stats.complete = True
                del rounds[round_no]
                finish_round(stats)

        def launched(task: asyncio.Task[None]) -> None:
            in_flight.discard(task)
            if task.cancelled():
                result.dropped += 1
            elif task.exception() is not None:
                errors.append(task.exception())  # type: ignore[arg-type]
                stop.set()  # the database failed: stop scheduling, raise it below

        try:
            while queue and not stop.is_set():
                at, round_no, index = queue[0]
                if schedule.until is not None and wall(at) > schedule.until:
                    heapq.heappop(queue)  # past the end: this site is done
                    continue
                wait = at - loop.time()
                if wait > 0:
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=wait)
                    except TimeoutError:
                        pass
                    continue
                heapq.heappop(queue)
                rounds.setdefault(round_no, RoundStats(number=round_no + 1))
                task = asyncio.create_task(probe(sites[index], round_no))
                in_flight.add(task)
                task.add_done_callback(launched)
                if schedule.rounds is None or round_no + 1 < schedule.rounds:
                    heapq.heappush(queue, (due(round_no + 1, index), round_no + 1, index))
            await asyncio.gather(*list(in_flight), return_exceptions=True)  # errors: via launched()
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
    if errors:
        raise errors[0]
    result.stopped = stop.is_set()
    for stats in sorted(rounds.values(), key=lambda s: s.number):  # rounds cut by the stop or --until
        finish_round(stats)
    return result


def select_sites(available: list[Site], wanted: list[str] | None, source: str) -> list[Site]:
    """The running sites to probe: all of ``available`` or the ``wanted`` codes; errors name the fix."""
    from govinspect.errors import ConfigError
    from govinspect.registry.models import SiteStatus

    if wanted:
        unknown = sorted(set(wanted) - {s.site_code for s in available})
        if unknown:
            raise ConfigError(f"--site {', '.join(unknown)} not in {source}: check the 网站标识码")
        available = [s for s in available if s.site_code in set(wanted)]
    running = [s for s in available if s.status is SiteStatus.RUNNING]
    if not running:
        raise ConfigError(f"no running sites to monitor in {source}: import a registry (--registry FILE) "
                          "or name running sites with --site")
    return running


def monitor_schedule(settings: Settings, *, interval_minutes: float | None = None, rounds: int | None = None,
                     until: datetime | None = None, now: datetime | None = None) -> Schedule:
    """The schedule from settings and command-line values; errors name the fix."""
    from govinspect.errors import ConfigError

    minutes = settings.monitor.interval_minutes if interval_minutes is None else interval_minutes
    if not minutes > 0:
        raise ConfigError(f"--interval-minutes {minutes:g} must be more than 0 "
                          f"(60 gives 24 probes a day; the rule asks for at least 20)")
    if rounds is not None and rounds < 1:
        raise ConfigError(f"--rounds {rounds} must be at least 1 (or leave it out to run until stopped)")
    if rounds is not None and until is not None:
        raise ConfigError("give either --rounds N or --until DATETIME, not both")
    if until is not None and until <= (now or datetime.now(UTC)):
        raise ConfigError(f"--until {until.isoformat(timespec='minutes')} is in the past: give a later time")
    return Schedule(interval_s=minutes * 60, rounds=rounds, until=until, jitter=settings.monitor.jitter)
