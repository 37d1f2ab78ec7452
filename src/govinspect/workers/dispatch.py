"""A distributed run: create the run, enqueue one task per site, follow the database, write the outputs.

``run_distributed`` has the signature and the result of ``pipeline.run_inspection``: the run is created
(or resumed) the same way, each worker stores its sites through the same ``Store``, and once every site
is stored the same ``write_outputs`` writes findings.jsonl, scores.csv, report.xlsx and report.html from
the database. Progress is read from the database, not from Celery results, so a worker that dies leaves
nothing half-reported: its site is delivered again and stored once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from govinspect.errors import GovinspectError
from govinspect.findings.model import RunInfo, RunResult
from govinspect.registry.models import Site, SiteStatus
from govinspect.workers.app import (
    WorkerError,
    answering_workers,
    check_broker,
    create_app,
    require_shared_database,
    require_workers,
)

if TYPE_CHECKING:
    from celery import Celery

    from govinspect.findings.store import Store
    from govinspect.settings import Settings

log = logging.getLogger(__name__)

PENDING = "pending"

StoredFn = Callable[[int], None]  # sites newly stored since the last call
NoteFn = Callable[[str], None]  # a line about waiting (shown beside the progress bar)


def run_distributed(
    sites: list[Site],
    settings: Settings,
    *,
    as_of: datetime,
    out_dir: Path,
    store: Store,
    resume_run: str | None = None,
    progress: StoredFn | None = None,
    on_start: Callable[[RunInfo, int], None] | None = None,
    note: NoteFn | None = None,
    app: Celery | None = None,
) -> RunResult:
    """Inspect ``sites`` on the workers at the monitoring point ``as_of``; then write the outputs.

    ``app``: from :func:`preflight` (called here when not given). With ``resume_run`` only the sites the
    run has not stored (pending or failed) are enqueued again.
    """
    from govinspect.pipeline import new_run_id
    from govinspect.reports.writer import write_outputs
    from govinspect.scoring.profile import load_profile

    app = app or preflight(settings)
    profile = load_profile(settings.profile, settings.profile_overlay)
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume_run:
        run = store.get_run(resume_run)
        if run is None:
            raise GovinspectError(f"run {resume_run} not found in {settings.database_url}: "
                                  "list runs with `govinspect runs`")
        from govinspect.newmedia.store import NewMediaStore

        if NewMediaStore(store).pending_accounts(resume_run):
            raise WorkerError(f"run {resume_run} has new-media accounts not stored yet, and accounts are inspected "
                              f"in one process: resume it without --distributed")
        todo = store.pending_sites(resume_run)
    else:
        run = RunInfo(run_id=new_run_id(as_of), as_of=as_of,
                      started_at=datetime.now(ZoneInfo(settings.timezone)),
                      profile_id=profile.id, profile_version=str(profile.version))
        store.import_sites(sites)
        todo = [s.site_code for s in sites if s.status is SiteStatus.RUNNING]
        store.create_run(run, todo, settings.model_dump(mode="json", exclude={"fetch": {"resolve"}}))
    before = store.site_progress(run.run_id, todo)  # a failed site counts as stored again once re-saved
    from govinspect.workers.tasks import enqueue

    enqueue(app, run.run_id, todo, out_dir, list(settings.fetch.resolve))
    log.info("run_enqueued run=%s sites=%d queue=%s", run.run_id, len(todo), settings.workers.queue)
    if on_start:
        on_start(run, len(todo))
    _wait(app, settings, store, run.run_id, before, progress, note)
    store.finish_run(run.run_id, status="finished")
    result = store.load_run(run.run_id)
    write_outputs(result, out_dir, rules=profile.statements, profile=profile)
    return result


def preflight(settings: Settings) -> Celery:
    """The checks before anything is created, each failing with one line that names the fix: a database
    every worker reaches (not SQLite), Redis answering, at least one worker consuming the queue."""
    require_shared_database(settings)
    check_broker(settings)
    app = create_app(settings)
    require_workers(app, settings)
    return app


def _wait(app: Celery, settings: Settings, store: Store, run_id: str,
          before: dict[str, tuple[str, datetime | None]], progress: StoredFn | None, note: NoteFn | None) -> None:
    """Poll the database until every enqueued site is stored; stop with an error when no worker is left."""
    w = settings.workers
    remaining = set(before)
    last_change = time.monotonic()
    waiting = False  # a note about waiting is shown
    while remaining:
        time.sleep(w.poll_interval)
        now = store.site_progress(run_id, sorted(remaining))
        stored = {code for code in remaining
                  if now[code][0] != PENDING and now[code][1] != before[code][1]}
        if stored:
            remaining -= stored
            last_change = time.monotonic()
            if progress:
                progress(len(stored))
            if waiting and note:
                note(f"inspecting (run {run_id})")
                waiting = False
            continue
        if time.monotonic() - last_change < w.stall_seconds:
            continue
        if not answering_workers(app, settings):
            raise WorkerError(
                f"no worker answered on queue {w.queue!r} for {w.stall_seconds:g} s and {len(remaining)} sites "
                f"are not stored: start `govinspect worker`; the queued sites wait in Redis, and "
                f"`govinspect inspect --distributed --resume {run_id}` collects the outputs")
        if note:
            note(f"{len(remaining)} sites not stored for {w.stall_seconds:g} s; workers answer (a dead worker's "
                 f"site returns after {w.effective_visibility_timeout():g} s)")
            waiting = True
        last_change = time.monotonic()
