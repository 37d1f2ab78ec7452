"""Sites: the registry within scope, a site's history across runs, and 立即复查 (re-check now)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from govinspect.reports import labels
from govinspect.web.auth import User
from govinspect.web.data import site_runs
from govinspect.web.deps import (
    ApiUser,
    PageUser,
    check_csrf,
    render,
    store_of,
    visible_site,
)
from govinspect.web.recheck import RecheckManager

router = APIRouter()

MAX_LISTED = 2000


def _rechecks(request: Request) -> RecheckManager:
    return request.app.state.rechecks


def _scoped_sites(request: Request, user: User, q: str) -> tuple[list[Any], int]:
    sites = [s for s in store_of(request).sites() if user.sees(s)]
    if q:
        sites = [s for s in sites if q in s.name or q in s.site_code or q in s.region]
    return sites[:MAX_LISTED], len(sites)


@router.get("/sites")
async def sites_page(request: Request, user: PageUser,
                     q: Annotated[str, Query(max_length=100)] = "") -> Response:
    sites, total = _scoped_sites(request, user, q.strip())
    return render(request, "sites.html", {"sites": sites, "total": total, "q": q, "max_listed": MAX_LISTED,
                                          "kind_names": labels.SITE_KIND_NAMES,
                                          "status_names": labels.SITE_STATUS_NAMES})


@router.get("/sites/{site_code}")
async def site_page(request: Request, site_code: str, user: PageUser,
                    notice: Annotated[str, Query(max_length=200)] = "") -> Response:
    site = visible_site(request, user, site_code)
    return render(request, "site.html", {
        "site": site,
        "history": site_runs(store_of(request), site.site_code),
        "jobs": _rechecks(request).jobs({site.site_code}),
        "can_recheck": user.can_recheck(site),
        "kind_names": labels.SITE_KIND_NAMES,
        "run_status": lambda s: labels.RUN_STATUS_NAMES.get(s, s),
        "notice": notice,
    })


@router.post("/sites/{site_code}/recheck", dependencies=[Depends(check_csrf)])
async def recheck(request: Request, site_code: str, user: PageUser) -> Response:
    site = visible_site(request, user, site_code)  # 404 before 403: scope is not revealed
    if not user.can_recheck(site):
        raise HTTPException(403, "您的角色不能发起复查")
    job = _rechecks(request).submit(site, user)
    return RedirectResponse(f"/sites/{site.site_code}?notice=recheck-{job.id}", status_code=303)


# --- JSON ------------------------------------------------------------------------------------------


def _site_json(s: Any) -> dict[str, Any]:
    return {
        "site_code": s.site_code,
        "name": s.name,
        "homepage": s.homepage,
        "region": s.region,
        "host_org": s.host_org,
        "kind": str(s.kind),
        "status": str(s.status),
    }


@router.get("/api/sites")
async def api_sites(request: Request, user: ApiUser,
                    q: Annotated[str, Query(max_length=100)] = "") -> dict[str, Any]:
    sites, total = _scoped_sites(request, user, q.strip())
    return {"total": total, "sites": [_site_json(s) for s in sites]}


@router.get("/api/sites/{site_code}")
async def api_site(request: Request, site_code: str, user: ApiUser) -> dict[str, Any]:
    site = visible_site(request, user, site_code)
    return {
        **_site_json(site),
        "runs": [
            {
                "run_id": r["run_id"],
                "as_of": r["as_of"].isoformat(timespec="seconds"),
                "run_status": r["run_status"],
                "status": r["status"],
                "qualified": r["qualified"],
                "score": r["score"],
                "vetoes": r["vetoes"],
                "error": r["error"] or None,
            }
            for r in site_runs(store_of(request), site.site_code)
        ],
        "rechecks": [j.to_json() for j in _rechecks(request).jobs({site.site_code})],
    }


@router.get("/api/rechecks/{job_id}")
async def api_recheck(request: Request, job_id: str, user: ApiUser) -> dict[str, Any]:
    job = _rechecks(request).get(job_id)
    if job is None:
        raise HTTPException(404, "没有这个复查任务")
    visible_site(request, user, job.site_code)
    return job.to_json()
