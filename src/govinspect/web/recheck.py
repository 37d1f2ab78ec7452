"""立即复查 ("re-check now"): one site inspected again as a new run, in the background.

A re-check is the same orchestration as ``govinspect inspect``: :func:`govinspect.pipeline.run_inspection`
with a one-site list, so the new run is stored, scored and reported like any other. Each job runs in a
worker thread with its own event loop; at most ``web.max_rechecks`` run at once and a bounded number wait.
A site has at most one job waiting or running. Outputs go to ``<web.data_dir>/runs/<run id>``.

Jobs live in memory (the dashboard shows them until it restarts); the runs they create are in the store.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govinspect.findings.store import Store
from govinspect.registry.models import Site, SiteStatus
from govinspect.web.auth import User, WebError

log = logging.getLogger(__name__)

MAX_WAITING = 20
KEEP_JOBS = 200

QUEUED, RUNNING, FINISHED, FAILED, CANCELLED = "queued", "running", "finished", "failed", "cancelled"
JOB_STATUS_NAMES = {
    QUEUED: "排队中",
    RUNNING: "复查中",
    FINISHED: "已完成",
    FAILED: "失败",
    CANCELLED: "已中止",
}


@dataclass
class RecheckJob:
    id: str
    site_code: str
    site_name: str
    requested_by: str
    requested_at: datetime
    status: str = QUEUED
    run_id: str = ""
    error: str = ""
    finished_at: datetime | None = None
    out_dir: str = ""
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _task: asyncio.Task[Any] | None = field(default=None, repr=False)

    @property
    def status_name(self) -> str:
        return JOB_STATUS_NAMES.get(self.status, self.status)

    @property
    def active(self) -> bool:
        return self.status in (QUEUED, RUNNING)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_code": self.site_code,
            "requested_by": self.requested_by,
            "requested_at": self.requested_at.isoformat(timespec="seconds"),
            "status": self.status,
            "run_id": self.run_id or None,
            "error": self.error or None,
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
        }


class RecheckManager:
    """Starts, tracks and on shutdown stops re-check runs."""

    def __init__(self, settings: Any, store: Store, data_dir: Path, *, workers: int = 2) -> None:
        self.settings = settings
        self.store = store
        self.data_dir = data_dir
        self.tz = ZoneInfo(settings.timezone)
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="recheck")
        self._jobs: OrderedDict[str, RecheckJob] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, site: Site, user: User) -> RecheckJob:
        """Queue a re-check of ``site``; refuses a second one for the same site and a full queue."""
        if site.status is not SiteStatus.RUNNING:
            raise WebError(f"网站 {site.site_code} 已关停，不能复查：请先在网站名录中恢复其运行状态")
        with self._lock:
            if self._closed:
                raise WebError("服务正在停止，不能开始复查：请稍后再试")
            if any(j.site_code == site.site_code and j.active for j in self._jobs.values()):
                raise WebError(f"网站 {site.site_code} 已有复查在进行：请等待其完成")
            if sum(1 for j in self._jobs.values() if j.active) >= MAX_WAITING:
                raise WebError("复查任务过多：请等待正在进行的复查完成后再试")
            now = datetime.now(self.tz)
            job = RecheckJob(
                id=f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}",
                site_code=site.site_code,
                site_name=site.name,
                requested_by=user.username,
                requested_at=now,
            )
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                oldest = next((k for k, j in self._jobs.items() if not j.active), None)
                if oldest is None:
                    break
                del self._jobs[oldest]
        self._executor.submit(self._run, job, site)
        log.info("recheck_queued job=%s site=%s by=%s", job.id, site.site_code, user.username)
        return job

    def get(self, job_id: str) -> RecheckJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self, site_codes: set[str] | None = None) -> list[RecheckJob]:
        """Jobs newest first, optionally of some sites only."""
        with self._lock:
            items = list(self._jobs.values())
        return [j for j in reversed(items) if site_codes is None or j.site_code in site_codes]

    def _run(self, job: RecheckJob, site: Site) -> None:
        from govinspect.pipeline import run_inspection

        if job.status == CANCELLED:
            job.done.set()
            return
        job.status = RUNNING
        staging = self.data_dir / "runs" / f".recheck-{job.id}"
        loop = asyncio.new_event_loop()
        job._loop = loop

        def started(run: Any, _count: int) -> None:
            job.run_id = run.run_id

        try:
            as_of = datetime.now(self.tz)
            job._task = loop.create_task(
                run_inspection([site], self.settings, as_of=as_of, out_dir=staging, store=self.store,
                               on_start=started)
            )
            if self._closed:  # shutdown began between queueing and now
                job._task.cancel()
            loop.run_until_complete(job._task)
            job.status = FINISHED
            job.out_dir = str(self._settle(staging, job.run_id))
        except asyncio.CancelledError:
            job.status = CANCELLED
            job.error = "stopped with the dashboard"
        except Exception as exc:  # the job reports any failure; the dashboard keeps serving
            log.exception("recheck_failed job=%s site=%s", job.id, site.site_code)
            job.status = FAILED
            job.error = f"{type(exc).__name__}: {exc}"[:500]
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
            job._loop = None
            job._task = None
            job.finished_at = datetime.now(self.tz)
            job.done.set()
            log.info("recheck_ended job=%s site=%s status=%s run=%s", job.id, site.site_code, job.status,
                     job.run_id)

    @staticmethod
    def _settle(staging: Path, run_id: str) -> Path:
        """Move the outputs to ``runs/<run id>`` (paths inside are relative, so they stay valid)."""
        target = staging.parent / run_id
        if run_id and not target.exists():
            staging.rename(target)
            return target
        return staging

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop taking jobs, cancel the waiting and running ones (runs end as interrupted) and wait."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
        for job in jobs:
            if job.status == QUEUED:
                job.status = CANCELLED
                job.done.set()
            loop, task = job._loop, job._task
            if loop is not None and task is not None and not loop.is_closed():
                try:
                    loop.call_soon_threadsafe(task.cancel)
                except RuntimeError:  # the loop closed in between
                    pass
        for job in jobs:
            job.done.wait(timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["JOB_STATUS_NAMES", "RecheckJob", "RecheckManager"]
