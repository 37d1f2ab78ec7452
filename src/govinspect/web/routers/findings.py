"""Findings of a run, filtered by check, severity and region, within the user's scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from govinspect.reports import labels
from govinspect.reports.context import FindingRow, ReportContext
from govinspect.web.auth import User, region_covers
from govinspect.web.data import run_finding_id_map, scoped_context
from govinspect.web.deps import ApiUser, PageUser, render, store_of, visible_run
from govinspect.web.rectify import STATUS_NAMES, RectificationStore, RectStatus
from govinspect.web.routers.runs import finding_json

router = APIRouter()

PAGE_SIZE = 200
MAX_API = 5000


def _filtered(ctx: ReportContext, check: str, severity: str, region: str) -> list[FindingRow]:
    sites = {s.site_code: s for s in ctx.sites}
    out = []
    for row in ctx.findings:
        if check and row.check != check:
            continue
        if severity and row.severity != severity:
            continue
        if region:
            site = sites[row.site_code]
            if site.region_group != region and not region_covers(region, site.region):
                continue
        out.append(row)
    return out


def _selection(request: Request, user: User, run_id: str, check: str, severity: str, region: str
               ) -> tuple[ReportContext, list[FindingRow], dict[int, int], dict[int, RectStatus]]:
    part = visible_run(request, user, run_id)
    ctx = scoped_context(part, user, request.app.state.settings)
    rows = _filtered(ctx, check.strip(), severity.strip(), region.strip())
    store = store_of(request)
    ids = run_finding_id_map(store, part)
    history = RectificationStore(store).history(run_id)
    status = {fid: steps[-1].status for fid, steps in history.items() if steps}
    return ctx, rows, ids, status


@router.get("/runs/{run_id}/findings")
async def findings_page(
    request: Request,
    run_id: str,
    user: PageUser,
    check: Annotated[str, Query(max_length=64)] = "",
    severity: Annotated[str, Query(max_length=16)] = "",
    region: Annotated[str, Query(max_length=255)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    ctx, rows, ids, status = _selection(request, user, run_id, check, severity, region)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render(request, "findings.html", {
        "ctx": ctx, "rows": shown, "total": len(rows), "page": page, "pages": pages,
        "ids": ids, "status": status, "rect_names": STATUS_NAMES,
        "check": check, "severity": severity, "region": region,
        "checks": sorted({r.check for r in ctx.findings}),
        "regions": [r.name for r in ctx.regions],
        "severity_names": labels.SEVERITY_NAMES, "check_name": labels.check_name,
    })


@router.get("/api/runs/{run_id}/findings")
async def api_findings(
    request: Request,
    run_id: str,
    user: ApiUser,
    check: Annotated[str, Query(max_length=64)] = "",
    severity: Annotated[str, Query(max_length=16)] = "",
    region: Annotated[str, Query(max_length=255)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_API)] = 1000,
) -> dict[str, Any]:
    _ctx, rows, ids, status = _selection(request, user, run_id, check, severity, region)
    items = []
    for row in rows[offset : offset + limit]:
        fid = ids.get(id(row.finding))
        items.append(finding_json(row, fid, str(status.get(fid, RectStatus.OPEN)) if fid else "open"))
    return {"run_id": run_id, "total": len(rows), "offset": offset, "findings": items}
