"""我为政府网站找错 / 网上咨询 messages of the user's sites: the list with overdue ones marked, and the
statistics of a window (按期办结率, assessment deductions) from
:func:`govinspect.tickets.service.compute_stats`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from govinspect.web.auth import User
from govinspect.web.deps import ApiUser, PageUser, render, store_of

router = APIRouter()

MAX_LISTED = 1000


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name} 应为日期（YYYY-MM-DD）") from None


def _window(now: datetime, start: str, end: str) -> tuple[date, date]:
    """The window asked for, or this quarter so far."""
    today = now.date()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    lo = _day(start, "from") or quarter_start
    hi = _day(end, "to") or today
    if hi < lo:
        raise HTTPException(422, "起始日期晚于截止日期")
    if (hi - lo).days > 731:
        raise HTTPException(422, "统计区间不能超过两年")
    return lo, hi


def _collect(request: Request, user: User, start: str, end: str, overdue_only: bool) -> dict[str, Any]:
    from govinspect.tickets.calendar import WorkCalendar
    from govinspect.tickets.model import KIND_LABELS, STATUS_LABELS, TicketError, mask_phones
    from govinspect.tickets.service import compute_stats, overdue, window_bounds
    from govinspect.tickets.store import TicketStore

    settings = request.app.state.settings
    now = datetime.now(ZoneInfo(settings.timezone))
    lo, hi = _window(now, start, end)
    store = store_of(request)
    calendar = WorkCalendar(settings.timezone)
    sites = {s.site_code: s for s in store.sites() if user.sees(s)}
    begin, finish = window_bounds(lo, hi, calendar)
    tickets = [t for t in TicketStore(store).list(received_from=begin, received_before=finish)
               if t.site_code in sites]
    stats = None
    stats_error = ""
    try:
        stats = compute_stats(tickets, sites, lo, hi, now, calendar)
    except TicketError as exc:
        stats_error = str(exc)
    rows = []
    for t in tickets:
        late = overdue(t, now)
        if overdue_only and not late:
            continue
        rows.append({"ticket": t, "overdue": late, "site": sites[t.site_code],
                     "content": mask_phones(t.content), "title": mask_phones(t.title)})
    return {
        "win_from": lo, "win_to": hi, "now": now, "rows": rows[:MAX_LISTED], "total": len(rows),
        "stats": stats,
        "stats_error": stats_error, "kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS,
        "overdue_only": overdue_only, "max_listed": MAX_LISTED,
    }


@router.get("/tickets")
async def tickets_page(
    request: Request,
    user: PageUser,
    start: Annotated[str, Query(alias="from", max_length=10)] = "",
    end: Annotated[str, Query(alias="to", max_length=10)] = "",
    overdue: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    return render(request, "tickets.html", _collect(request, user, start, end, overdue == "1"))


@router.get("/api/tickets")
async def api_tickets(
    request: Request,
    user: ApiUser,
    start: Annotated[str, Query(alias="from", max_length=10)] = "",
    end: Annotated[str, Query(alias="to", max_length=10)] = "",
    overdue: Annotated[str, Query(max_length=1)] = "",
) -> dict[str, Any]:
    data = _collect(request, user, start, end, overdue == "1")
    return {
        "from": data["win_from"].isoformat(),
        "to": data["win_to"].isoformat(),
        "stats": data["stats"].to_json() if data["stats"] is not None else None,
        "stats_error": data["stats_error"] or None,
        "total": data["total"],
        "tickets": [
            {
                "id": r["ticket"].id,
                "kind": str(r["ticket"].kind),
                "site_code": r["ticket"].site_code,
                "received_at": r["ticket"].received_at.isoformat(timespec="seconds"),
                "status": str(r["ticket"].status),
                "deadline_at": r["ticket"].deadline_at.isoformat(timespec="seconds")
                if r["ticket"].deadline_at else None,
                "replied_at": r["ticket"].replied_at.isoformat(timespec="seconds")
                if r["ticket"].replied_at else None,
                "overdue": r["overdue"],
                "title": r["title"],
            }
            for r in data["rows"]
        ],
    }
