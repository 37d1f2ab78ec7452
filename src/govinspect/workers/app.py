"""The Celery app, built from Settings (never at import time), and the checks scale-out mode needs.

``create_app(settings)`` configures the broker (Redis), the queue, late acknowledgement (a site is
acknowledged once its result is stored, so the site of a worker that dies is delivered again: at once
when only the process running it died, after ``workers.visibility_timeout`` when the whole worker did),
prefetch 1 and the time limit, and registers the one task, ``govinspect.inspect_site``.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from govinspect.errors import GovinspectError

if TYPE_CHECKING:
    from celery import Celery

    from govinspect.findings.store import Store
    from govinspect.settings import Settings

log = logging.getLogger(__name__)

TASK_NAME = "govinspect.inspect_site"


class WorkerError(GovinspectError):
    """Scale-out mode cannot work as configured (broker, database, no workers)."""


@dataclass
class WorkerState:
    """What a worker process keeps between sites: its settings, its store (opened in the process that
    uses it, never inherited across fork) and the checks and profile of the run it last worked on."""

    settings: Settings
    _store: Store | None = None
    _store_pid: int = 0
    prepared: dict[str, Any] = field(default_factory=dict)  # run id -> (run settings, checks, profile)

    def store(self) -> Store:
        from govinspect.findings.store import Store

        if self._store is None or self._store_pid != os.getpid():
            self._store = Store.open(self.settings.database_url, timezone=self.settings.timezone)
            self._store_pid = os.getpid()
        return self._store


def redis_url(settings: Settings) -> str:
    return settings.workers.broker_url.get_secret_value()


def link_cache_url(settings: Settings) -> str:
    return settings.workers.link_cache_url.get_secret_value() or redis_url(settings)


def create_app(settings: Settings) -> Celery:
    """A Celery app for these settings, with the inspection task registered on it."""
    from celery import Celery

    w = settings.workers
    backend = w.result_backend.get_secret_value() or None
    app = Celery("govinspect", set_as_current=False)
    app.conf.update(
        broker_url=redis_url(settings),
        result_backend=backend,
        task_ignore_result=backend is None,
        broker_transport_options={
            "visibility_timeout": w.effective_visibility_timeout(),
            "global_keyprefix": w.key_prefix,
            "unacked_restore_interval": w.restore_interval,
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 5,
        },
        broker_connection_retry_on_startup=True,
        task_default_queue=w.queue,
        task_acks_late=w.acks_late,
        task_reject_on_worker_lost=w.acks_late,
        worker_prefetch_multiplier=w.prefetch,
        task_time_limit=w.hard_time_limit(),
        task_acks_on_timeout=False,  # a site killed by the hard limit comes back (workers.max_attempts caps it)
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone=settings.timezone,
        enable_utc=True,
        worker_send_task_events=False,
    )
    app.govinspect = WorkerState(settings)  # type: ignore[attr-defined]
    from govinspect.workers.tasks import register

    register(app)
    return app


def require_shared_database(settings: Settings) -> None:
    """A distributed run needs a database every worker reaches: SQLite is a file on one machine."""
    try:
        backend = make_url(settings.database_url).get_backend_name() if "://" in settings.database_url else "sqlite"
    except Exception:  # noqa: BLE001 - the store names a URL it cannot parse
        return
    if backend == "sqlite":
        raise WorkerError(
            f"database {settings.database_url} is SQLite, a file only this machine reaches, and a distributed "
            "run needs a database every worker can reach: pass --db postgresql+psycopg://USER@HOST:5432/DB "
            "(or set database_url) here and for every `govinspect worker`")


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy parses; show the scheme and host only
        return url.split("@")[-1]


def check_broker(settings: Settings) -> None:
    """Fail with one line when Redis does not answer (before Celery would retry forever)."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = redis_url(settings)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise WorkerError(f"workers.broker_url {_safe(url)} is not a Redis URL: use redis://HOST:6379/0")
    client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except RedisError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WorkerError(
            f"Redis at {_safe(url)} is not reachable ({reason}): start redis-server there or point "
            "workers.broker_url (GOVINSPECT_WORKERS__BROKER_URL) at a running Redis") from None
    finally:
        client.close()


def answering_workers(app: Celery, settings: Settings, timeout: float | None = None) -> list[str]:
    """Names of the workers that answer within ``timeout`` and consume this deployment's queue."""
    queue = settings.workers.queue
    replies = app.control.inspect(timeout=timeout or settings.workers.worker_timeout).active_queues() or {}
    return sorted(name for name, queues in replies.items() if any(q.get("name") == queue for q in queues))


def require_workers(app: Celery, settings: Settings) -> list[str]:
    """The answering workers; none within the timeout is an error that names the fix."""
    names = answering_workers(app, settings)
    if not names:
        raise WorkerError(
            f"no worker answered on queue {settings.workers.queue!r} within {settings.workers.worker_timeout:g} s: "
            "start `govinspect worker` (same database, workers.broker_url and workers.queue) and try again")
    return names


def default_worker_name() -> str:
    return f"govinspect-{os.getpid()}@{socket.gethostname()}"


def _preload() -> None:
    """Import the inspection code once, before the pool forks, so no process imports it per first site."""
    import importlib

    for module in ("govinspect.pipeline", "govinspect.fetch.crawl", "govinspect.columns.discover",
                   "govinspect.scoring.engine", "govinspect.scoring.profile", "govinspect.workers.link_cache"):
        importlib.import_module(module)
    from govinspect.checks.registry import all_check_classes

    all_check_classes()


def start_worker(settings: Settings, *, concurrency: int | None = None, pool: str = "prefork",
                 name: str | None = None, loglevel: str = "INFO") -> None:
    """Check the database and Redis, then run a Celery worker on the queue until it is stopped."""
    from govinspect.findings.store import Store

    if pool not in ("prefork", "solo"):
        raise WorkerError(f"--pool {pool!r} is unknown: use prefork (processes) or solo (one site at a time)")
    require_shared_database(settings)
    check_broker(settings)
    Store.open(settings.database_url, timezone=settings.timezone).close()  # reachable and migrated
    count = concurrency if concurrency is not None else settings.workers.concurrency
    count = count or max(1, settings.crawl.sites_in_parallel)
    if count < 1:
        raise WorkerError("--concurrency must be at least 1: it is the number of sites inspected at once")
    _preload()
    app = create_app(settings)
    argv = ["worker", "--queues", settings.workers.queue, "--hostname", name or default_worker_name(),
            "--pool", pool, "--loglevel", loglevel, "--without-gossip", "--without-mingle",
            "--without-heartbeat"]
    if pool == "prefork":
        argv += ["--concurrency", str(count)]
    app.worker_main(argv)
