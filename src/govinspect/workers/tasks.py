"""The worker's one task: one site of a stored run through ``pipeline.run_site``, stored through Store.

The task takes ids: it reads the run (monitoring point, the settings it was started with) and the site
from the database, so every worker inspects with the run's settings, not its own, and the result is the
one the single-machine mode gives. Evidence goes to ``<out_dir>/evidence/<site code>.warc.gz`` as there;
``out_dir`` must be a folder every worker shares with the machine that started the run.

Delivery is at least once. A site already stored as done is skipped; a site delivered again after its
worker died is inspected again and ``Store.save_site_result`` replaces whatever the dead attempt left, so
nothing is duplicated. Each delivery counts an attempt in Redis: a site whose worker dies every time is
recorded as failed after ``workers.max_attempts`` instead of killing workers for ever.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from govinspect.errors import ConfigError, StoreError
from govinspect.findings.model import RunInfo, SiteResult

if TYPE_CHECKING:
    from celery import Celery

    from govinspect.checks.base import Check
    from govinspect.registry.models import Site
    from govinspect.scoring.profile import Profile
    from govinspect.settings import Settings
    from govinspect.workers.app import WorkerState
    from govinspect.workers.link_cache import RedisLinkCache

log = logging.getLogger(__name__)

DONE = "done"


def register(app: Celery) -> None:
    """Register ``govinspect.inspect_site`` on ``app`` (its WorkerState holds the worker's settings)."""
    from govinspect.workers.app import TASK_NAME

    workers = app.govinspect.settings.workers  # type: ignore[attr-defined]

    @app.task(name=TASK_NAME, bind=True, shared=False, acks_late=workers.acks_late,
              reject_on_worker_lost=workers.acks_late,
              autoretry_for=(OperationalError, StoreError), retry_backoff=5, max_retries=5)
    def inspect_site_task(self: Any, run_id: str, site_code: str, out_dir: str,
                          resolve: list[str] | None = None) -> str:
        return inspect_site(self.app.govinspect, run_id, site_code, Path(out_dir), list(resolve or ()),
                            worker=self.request.hostname or "")


def enqueue(app: Celery, run_id: str, site_codes: list[str], out_dir: Path, resolve: list[str]) -> None:
    """One task per site, in run order, on the deployment's queue."""
    from govinspect.workers.app import TASK_NAME

    task = app.tasks[TASK_NAME]
    queue = app.govinspect.settings.workers.queue  # type: ignore[attr-defined]
    for code in site_codes:
        task.apply_async(kwargs={"run_id": run_id, "site_code": code, "out_dir": str(out_dir),
                                 "resolve": list(resolve)}, queue=queue)


def inspect_site(state: WorkerState, run_id: str, site_code: str, out_dir: Path, resolve: list[str],
                 *, worker: str = "") -> str:
    """Inspect one site of ``run_id`` here and store it; returns what happened (for the worker's log)."""
    store = state.store()
    run = store.get_run(run_id)
    if run is None:
        log.warning("site_dropped run=%s site=%s: the run is not in the database", run_id, site_code)
        return "no such run"
    status = store.site_progress(run_id, [site_code]).get(site_code)
    if status is None:
        log.warning("site_dropped run=%s site=%s: the site is not part of the run", run_id, site_code)
        return "not in run"
    if status[0] == DONE:
        log.info("site_skipped run=%s site=%s: already stored", run_id, site_code)
        return "already stored"
    site = store.sites([site_code])[0]
    attempt = _count_attempt(state, run_id, site_code)
    if attempt > state.settings.workers.max_attempts:
        result = SiteResult(site=site, error=(
            f"not inspected: its worker stopped {attempt - 1} times during this site (killed, out of memory or "
            "past the hard time limit); inspect it alone or raise workers.max_attempts and resume the run"))
        store.save_site_result(run_id, result)
        log.warning("site_given_up run=%s site=%s attempts=%d", run_id, site_code, attempt - 1)
        return "given up"
    settings, checks, profile = _prepared(state, run_id, resolve)
    from govinspect.pipeline import load_samples

    samples = load_samples(store, checks, [site_code], run.as_of, settings)  # the monitor's week, as in-process
    log.info("site_started run=%s site=%s worker=%s attempt=%d", run_id, site_code, worker, attempt)
    result, shared = asyncio.run(_inspect(site, run, settings, checks, profile, out_dir, state.settings, samples))
    store.save_site_result(run_id, result)
    from govinspect.pipeline import release_memory

    release_memory()
    log.info("site_stored run=%s site=%s worker=%s findings=%d links_shared=%d links_checked=%d error=%s",
             run_id, site_code, worker, len(result.findings), shared.hits, shared.checks, result.error or "-")
    return "stored"


def _count_attempt(state: WorkerState, run_id: str, site_code: str) -> int:
    """This delivery's number for the site (1 the first time); 1 when Redis cannot count."""
    from redis import Redis
    from redis.exceptions import RedisError

    from govinspect.workers.app import redis_url

    w = state.settings.workers
    key = f"{w.key_prefix}attempts:{run_id}:{site_code}"
    client = Redis.from_url(redis_url(state.settings), socket_connect_timeout=5, socket_timeout=5)
    try:
        count = int(client.incr(key))
        client.expire(key, w.link_cache_ttl)
        return count
    except RedisError as exc:
        log.warning("attempt_not_counted run=%s site=%s error=%s", run_id, site_code, exc)
        return 1
    finally:
        client.close()


def run_settings(own: Settings, stored: dict[str, Any], resolve: list[str], run_id: str = "") -> Settings:
    """The settings the run was started with; this worker's own only for where things are (database,
    Redis, dashboard), and the starter's ``--resolve`` entries (not stored with the run)."""
    from govinspect.settings import Settings

    try:
        started = Settings.model_validate(stored)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"the settings stored with run {run_id} do not fit this worker (setting {where!r}: {first['msg']}): "
            "run workers of the same govinspect version as the `inspect` that started the run") from None
    fetch = started.fetch.model_copy(update={"resolve": list(resolve)})
    return started.model_copy(update={"database_url": own.database_url, "workers": own.workers, "web": own.web,
                                      "fetch": fetch})


def _prepared(state: WorkerState, run_id: str, resolve: list[str]) -> tuple[Settings, list[Check], Profile]:
    """Settings, checks and rule profile of a run, built once per process for the run it works on."""
    key = f"{run_id}\n" + "\n".join(resolve)
    cached = state.prepared.get(key)
    if cached is None:
        from govinspect.checks.registry import build_checks
        from govinspect.scoring.profile import load_profile

        settings = run_settings(state.settings, state.store().run_settings(run_id), resolve, run_id)
        cached = (settings, build_checks(settings), load_profile(settings.profile, settings.profile_overlay))
        state.prepared.clear()  # one run at a time is the usual case; never grow without bound
        state.prepared[key] = cached
    return cached  # type: ignore[no-any-return]


async def _inspect(site: Site, run: RunInfo, settings: Settings, checks: list[Check], profile: Profile,
                   out_dir: Path, own: Settings, samples: dict[str, Any]) -> tuple[SiteResult, RedisLinkCache]:
    """One site with a context like ``run_inspection``'s: the run's monitoring point and start as
    observation time, the monitor's probes before it, a client of its own and the run's link cache in
    Redis (returned for its counts)."""
    from govinspect.fetch.client import Fetcher
    from govinspect.fetch.links import LinkChecker
    from govinspect.pipeline import RunContext, inspect_site
    from govinspect.workers.app import link_cache_url
    from govinspect.workers.link_cache import RedisLinkCache

    tz = ZoneInfo(settings.timezone)
    w = own.workers
    out_dir.mkdir(parents=True, exist_ok=True)
    async with Fetcher(settings.fetch) as fetcher:
        shared = RedisLinkCache(link_cache_url(own), run.run_id, prefix=w.key_prefix, ttl=w.link_cache_ttl)
        links = LinkChecker(fetcher, shared=shared)
        rc = RunContext(settings=settings, as_of=run.as_of.astimezone(tz), out_dir=out_dir, checks=checks,
                        profile=profile, fetcher=fetcher, links=links,
                        observed_at=run.started_at.astimezone(tz), samples=samples)
        try:
            return await asyncio.wait_for(inspect_site(site, rc), timeout=w.task_time_limit), shared
        except TimeoutError:
            return SiteResult(site=site, error=(
                f"not finished within workers.task_time_limit ({w.task_time_limit:g} s): raise the limit or "
                "lower crawl.page_budget, then resume the run")), shared
        finally:
            await links.aclose()


