"""What the dashboard reads from the store, cut to the signed-in user's scope.

Pages reuse the report context (:func:`govinspect.reports.context.build_context`) of the run restricted to
the sites the user sees, so a city office's pass rates count its own sites only. Finished runs are kept in
a small in-memory cache (they no longer change); running ones are read fresh on every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from govinspect.errors import GovinspectError
from govinspect.findings.model import RunResult
from govinspect.findings.store import Store
from govinspect.findings.tables import FindingRow, RunRow, ScoreRow, SiteRow, SiteRunRow
from govinspect.reports.context import ReportContext, build_context
from govinspect.web.auth import User

CACHE_RUNS = 4


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One line of the runs list, counted over the user's sites only."""

    run_id: str
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    status: str
    profile_id: str
    profile_version: str
    sites: int
    done: int
    scored: int
    qualified: int

    @property
    def pass_rate(self) -> float | None:
        return self.qualified / self.scored if self.scored else None


class RunCache:
    """The last few finished runs as loaded from the store (bounded; thread-safe)."""

    def __init__(self, size: int = CACHE_RUNS) -> None:
        self.size = size
        self._items: OrderedDict[str, RunResult] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, store: Store, run_id: str) -> RunResult:
        with self._lock:
            hit = self._items.get(run_id)
            if hit is not None:
                self._items.move_to_end(run_id)
                return hit
        result = store.load_run(run_id)
        if result.run.status == "finished":
            with self._lock:
                self._items[run_id] = result
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return result


def run_summaries(store: Store, user: User) -> list[RunSummary]:
    """Every run holding at least one of the user's sites, newest first, with scoped counts."""
    counts: dict[str, list[int]] = {}
    query = (
        select(SiteRunRow.run_id, SiteRunRow.status, SiteRow.site_code, SiteRow.region, ScoreRow.qualified)
        .join(SiteRow, SiteRow.site_code == SiteRunRow.site_code)
        .outerjoin(
            ScoreRow, (ScoreRow.run_id == SiteRunRow.run_id) & (ScoreRow.site_code == SiteRunRow.site_code)
        )
    )
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            if not user.sees(r):
                continue
            c = counts.setdefault(r.run_id, [0, 0, 0, 0])
            c[0] += 1
            if r.status != "pending":
                c[1] += 1
            # A failed site may keep no score; scored means done with a score row, as in the reports.
            if r.status == "done" and r.qualified is not None:
                c[2] += 1
                c[3] += int(bool(r.qualified))
    return [
        RunSummary(
            run_id=run.run_id,
            as_of=run.as_of,
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            profile_id=run.profile_id,
            profile_version=run.profile_version,
            sites=counts[run.run_id][0],
            done=counts[run.run_id][1],
            scored=counts[run.run_id][2],
            qualified=counts[run.run_id][3],
        )
        for run in store.list_runs()
        if run.run_id in counts
    ]


def scoped_result(result: RunResult, user: User) -> RunResult:
    """The run with only the sites the user sees."""
    return RunResult(run=result.run, sites=[sr for sr in result.sites if user.sees(sr.site)])


def _profile_for(result: RunResult, settings: Any) -> Any:
    """The configured rule profile when it is the one the run was scored with, else None."""
    from govinspect.scoring.profile import load_profile

    try:
        profile = load_profile(result.run.profile_id or settings.profile, settings.profile_overlay)
    except GovinspectError:
        return None
    if result.run.profile_id and (profile.id, str(profile.version)) != (
        result.run.profile_id,
        result.run.profile_version,
    ):
        return None
    return profile


def scoped_context(result: RunResult, user: User, settings: Any) -> ReportContext:
    """The report context of the user's part of a run (pass rates, vetoes, findings with labels)."""
    part = scoped_result(result, user)
    profile = _profile_for(part, settings)
    try:
        return build_context(part, rules=getattr(profile, "statements", ()) or (), profile=profile)
    except GovinspectError:
        return build_context(part)


def finding_ids(store: Store, run_id: str, site_code: str) -> list[int]:
    """The database ids of a site's findings in a run, in the order :meth:`Store.load_run` returns them."""
    with store.engine.connect() as conn:
        return list(
            conn.scalars(
                select(FindingRow.id)
                .where(FindingRow.run_id == run_id, FindingRow.site_code == site_code)
                .order_by(FindingRow.id)
            )
        )


def finding_id_map(store: Store, result: RunResult, site_code: str) -> dict[int, int]:
    """``id(Finding object) -> database id`` for one site of a loaded run."""
    site = next((sr for sr in result.sites if sr.site.site_code == site_code), None)
    if site is None:
        return {}
    ids = finding_ids(store, result.run.run_id, site_code)
    if len(ids) != len(site.findings):  # saved again since it was loaded: no safe pairing
        return {}
    return {id(f): fid for f, fid in zip(site.findings, ids, strict=True)}


def run_finding_id_map(store: Store, result: RunResult) -> dict[int, int]:
    """``id(Finding object) -> database id`` for every site of a loaded (possibly scoped) run."""
    wanted = {sr.site.site_code: sr for sr in result.sites}
    ids: dict[str, list[int]] = {}
    with store.engine.connect() as conn:
        for code, fid in conn.execute(
            select(FindingRow.site_code, FindingRow.id)
            .where(FindingRow.run_id == result.run.run_id)
            .order_by(FindingRow.id)
        ):
            if code in wanted:
                ids.setdefault(code, []).append(int(fid))
    out: dict[int, int] = {}
    for code, sr in wanted.items():
        got = ids.get(code, [])
        if len(got) == len(sr.findings):
            out.update({id(f): fid for f, fid in zip(sr.findings, got, strict=True)})
    return out


def site_runs(store: Store, site_code: str) -> list[dict[str, Any]]:
    """A site's history: every run it was part of, newest first, with its status and score."""
    query = (
        select(
            RunRow.run_id, RunRow.as_of, RunRow.status.label("run_status"), SiteRunRow.status,
            SiteRunRow.error, ScoreRow.qualified, ScoreRow.score, ScoreRow.vetoes,
        )
        .join(SiteRunRow, SiteRunRow.run_id == RunRow.run_id)
        .outerjoin(
            ScoreRow, (ScoreRow.run_id == SiteRunRow.run_id) & (ScoreRow.site_code == SiteRunRow.site_code)
        )
        .where(SiteRunRow.site_code == site_code)
        .order_by(RunRow.started_at.desc(), RunRow.run_id.desc())
    )
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["as_of"] = row["as_of"].astimezone(store.tz)
        row["vetoes"] = list(row["vetoes"] or [])
    return rows


__all__ = [
    "RunCache",
    "RunSummary",
    "finding_id_map",
    "finding_ids",
    "run_finding_id_map",
    "run_summaries",
    "scoped_context",
    "scoped_result",
    "site_runs",
]
