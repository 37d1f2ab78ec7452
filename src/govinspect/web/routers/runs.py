"""Runs: the list, a run's overview (per-region pass rates, vetoed sites) and a site's result in a run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from govinspect.findings.model import RunResult
from govinspect.reports import labels
from govinspect.reports.context import FindingRow, RegionRow, SiteRow
from govinspect.web.auth import User
from govinspect.web.data import RunSummary, finding_id_map, run_summaries, scoped_context
from govinspect.web.deps import ApiUser, PageUser, render, store_of, visible_run
from govinspect.web.rectify import (
    ACTION_NAMES,
    STATUS_NAMES,
    RectificationStore,
    allowed_actions,
    current_status,
)

router = APIRouter()


def _run_status(status: str) -> str:
    return labels.RUN_STATUS_NAMES.get(status, status)


def _summary_json(r: RunSummary) -> dict[str, Any]:
    rate = r.pass_rate
    return {
        "run_id": r.run_id,
        "as_of": r.as_of.isoformat(timespec="seconds"),
        "started_at": r.started_at.isoformat(timespec="seconds"),
        "finished_at": r.finished_at.isoformat(timespec="seconds") if r.finished_at else None,
        "status": r.status,
        "profile_id": r.profile_id,
        "profile_version": r.profile_version,
        "sites": r.sites,
        "done": r.done,
        "scored": r.scored,
        "qualified": r.qualified,
        "pass_rate": round(rate, 4) if rate is not None else None,
    }


def _region_json(r: RegionRow) -> dict[str, Any]:
    rate = r.pass_rate
    return {
        "name": r.name,
        "sites": r.sites,
        "scored": r.scored,
        "qualified": r.qualified,
        "unqualified": r.unqualified,
        "vetoed": r.vetoed,
        "not_scored": r.not_scored,
        "pass_rate": round(rate, 4) if rate is not None else None,
    }


def _site_brief_json(s: SiteRow) -> dict[str, Any]:
    return {
        "site_code": s.site_code,
        "name": s.name,
        "region": s.region,
        "region_group": s.region_group,
        "status": s.status,
        "score": s.score,
        "vetoes": list(s.vetoes),
        "reasons": list(s.reasons),
        "findings": len(s.findings),
    }


def finding_json(row: FindingRow, finding_id: int | None, status: str) -> dict[str, Any]:
    data = row.finding.to_json_dict()
    data["id"] = finding_id
    data["rectification"] = status
    return data


# --- pages -----------------------------------------------------------------------------------------


@router.get("/runs")
async def runs_page(request: Request, user: PageUser) -> Response:
    return render(request, "runs.html", {"runs": run_summaries(store_of(request), user),
                                         "run_status": _run_status})


@router.get("/runs/{run_id}")
async def run_page(request: Request, run_id: str, user: PageUser) -> Response:
    part = visible_run(request, user, run_id)
    ctx = scoped_context(part, user, request.app.state.settings)
    return render(request, "run.html", {"ctx": ctx, "run_status": _run_status(ctx.run_status)})


def _site_result(part: RunResult, site_code: str) -> RunResult:
    only = [sr for sr in part.sites if sr.site.site_code == site_code]
    if not only:
        raise HTTPException(404, "该批次中没有这个网站")
    return RunResult(run=part.run, sites=only)


def site_detail(request: Request, user: User, run_id: str, site_code: str) -> dict[str, Any]:
    """Everything the site page and its JSON show: context row, finding ids, rectification state."""
    part = visible_run(request, user, run_id)
    one = _site_result(part, site_code)
    ctx = scoped_context(one, user, request.app.state.settings)
    row = ctx.sites[0]
    store = store_of(request)
    ids = finding_id_map(store, one, site_code)
    history = RectificationStore(store).history(run_id, site_code)
    site = one.sites[0].site
    rect: dict[int, dict[str, Any]] = {}
    for f in row.findings:
        fid = ids.get(id(f.finding))
        if fid is None:
            continue
        steps = history.get(fid, [])
        status = current_status(steps)
        rect[fid] = {"status": status, "steps": steps, "actions": allowed_actions(user, site, status)}
    return {"ctx": ctx, "site": row, "registry_site": site, "ids": ids, "rect": rect}


@router.get("/runs/{run_id}/sites/{site_code}")
async def run_site_page(request: Request, run_id: str, site_code: str, user: PageUser) -> Response:
    detail = site_detail(request, user, run_id, site_code)
    return render(request, "run_site.html", {
        **detail, "run_status": _run_status(detail["ctx"].run_status), "rect_names": STATUS_NAMES,
        "action_names": ACTION_NAMES, "can_recheck": user.can_recheck(detail["registry_site"]),
    })


# --- JSON ------------------------------------------------------------------------------------------


@router.get("/api/runs")
async def api_runs(request: Request, user: ApiUser) -> dict[str, Any]:
    return {"runs": [_summary_json(r) for r in run_summaries(store_of(request), user)]}


@router.get("/api/runs/{run_id}")
async def api_run(request: Request, run_id: str, user: ApiUser) -> dict[str, Any]:
    part = visible_run(request, user, run_id)
    ctx = scoped_context(part, user, request.app.state.settings)
    return {
        "run_id": ctx.run_id,
        "as_of": ctx.as_of.isoformat(timespec="seconds"),
        "status": ctx.run_status,
        "profile_id": ctx.profile_id,
        "profile_version": ctx.profile_version,
        "totals": _region_json(ctx.totals),
        "regions": [_region_json(r) for r in ctx.regions],
        "vetoed_sites": [s.site_code for s in ctx.vetoed_sites],
        "sites": [_site_brief_json(s) for s in ctx.sites],
    }


@router.get("/api/runs/{run_id}/sites/{site_code}")
async def api_run_site(request: Request, run_id: str, site_code: str,
                       user: ApiUser) -> dict[str, Any]:
    detail = site_detail(request, user, run_id, site_code)
    s: SiteRow = detail["site"]
    ids, rect = detail["ids"], detail["rect"]
    findings = []
    for f in s.findings:
        fid = ids.get(id(f.finding))
        findings.append(finding_json(f, fid, str(rect[fid]["status"]) if fid in rect else "open"))
    return {
        "run_id": run_id,
        "site": {**_site_brief_json(s), "homepage": s.homepage, "host_org": s.host_org, "kind": s.kind},
        "deductions": s.deductions,
        "bonus": s.bonus,
        "losses": [
            {"indicator": line.indicator, "name": line.name, "points": line.points,
             "findings": line.finding_count, "reason": line.reason, "is_veto": line.is_veto}
            for line in s.losses
        ],
        "incomplete_checks": [
            {"check": c.check, "outcome": c.outcome, "message": c.message} for c in s.incomplete_checks
        ],
        "pages_fetched": s.pages_fetched,
        "homepage_ok": s.homepage_ok,
        "error": s.error or None,
        "findings": findings,
    }
