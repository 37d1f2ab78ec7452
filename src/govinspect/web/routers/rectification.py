"""整改跟踪: mark a finding fixed (operator), accept or reject it (inspector); the list and the history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from govinspect.web.auth import User
from govinspect.web.deps import (
    ApiUser,
    PageUser,
    check_csrf,
    render,
    store_of,
    visible_run,
    visible_site,
)
from govinspect.web.rectify import (
    STATUS_NAMES,
    RectificationError,
    RectificationStore,
    RectStatus,
    Step,
)

router = APIRouter()

MAX_LISTED = 1000


def _step_json(s: Step) -> dict[str, Any]:
    return {
        "id": s.id,
        "run_id": s.run_id,
        "site_code": s.site_code,
        "finding_id": s.finding_id,
        "check": s.check,
        "url": s.url,
        "status": str(s.status),
        "note": s.note,
        "updated_by": s.updated_by,
        "updated_at": s.updated_at.isoformat(timespec="seconds"),
    }


@router.post(
    "/runs/{run_id}/sites/{site_code}/findings/{finding_id}/rectification",
    dependencies=[Depends(check_csrf)],
)
async def rectify(
    request: Request,
    run_id: str,
    site_code: str,
    finding_id: int,
    user: PageUser,
    step: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    expected: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    site = visible_site(request, user, site_code)  # 404 first: scope is not revealed
    if not user.can_write:
        raise HTTPException(403, "只读用户不能执行此操作")
    part = visible_run(request, user, run_id)
    if not any(sr.site.site_code == site.site_code for sr in part.sites):
        raise HTTPException(404, "该批次中没有这个网站")
    back = f"/runs/{run_id}/sites/{site.site_code}"
    try:
        RectificationStore(store_of(request)).apply(
            user, site, run_id, finding_id, step, note, expected=expected or None
        )
    except RectificationError as exc:
        return render(request, "error.html", {"status": exc.status_code, "message": str(exc), "back": back},
                      status_code=exc.status_code)
    return RedirectResponse(f"{back}#f-{finding_id}", status_code=303)


def _scoped_latest(request: Request, user: User, status: str) -> list[Step]:
    store = store_of(request)
    steps = RectificationStore(store).latest()
    sites = {s.site_code: s for s in store.sites(sorted({s.site_code for s in steps}))}
    out = [s for s in steps if s.site_code in sites and user.sees(sites[s.site_code])]
    if status == RectStatus.OPEN:
        return []  # open findings have no step yet; the run's findings list shows them
    if status:
        out = [s for s in out if s.status == status]
    return out[:MAX_LISTED]


@router.get("/rectifications")
async def rectifications_page(request: Request, user: PageUser,
                              status: Annotated[str, Query(max_length=16)] = "") -> Response:
    return render(request, "rectifications.html", {
        "steps": _scoped_latest(request, user, status), "status": status, "rect_names": STATUS_NAMES,
        "statuses": [s for s in RectStatus if s is not RectStatus.OPEN], "max_listed": MAX_LISTED,
    })


@router.get("/api/rectifications")
async def api_rectifications(request: Request, user: ApiUser,
                             status: Annotated[str, Query(max_length=16)] = "") -> dict[str, Any]:
    return {"rectifications": [_step_json(s) for s in _scoped_latest(request, user, status)]}


@router.get("/api/runs/{run_id}/sites/{site_code}/findings/{finding_id}/rectification")
async def api_history(request: Request, run_id: str, site_code: str, finding_id: int,
                      user: ApiUser) -> dict[str, Any]:
    site = visible_site(request, user, site_code)
    visible_run(request, user, run_id)
    steps = RectificationStore(store_of(request)).history(run_id, site.site_code).get(finding_id, [])
    return {
        "finding_id": finding_id,
        "status": str(steps[-1].status) if steps else str(RectStatus.OPEN),
        "history": [_step_json(s) for s in steps],
    }
