"""Pure rules of the messages module: deadlines, state changes, on-time and the quarterly statistics.

Nothing here touches the database or the clock; callers pass ``at``/``as_of`` instants, so the same
function answers for a live desk and for a report on last quarter.

Definitions the statistics use (they are what the quarterly notice prints):

- *received*: messages whose 留言时间 falls in the window (local dates, both ends included);
- *handled* (办结): replied, closed or rejected by ``as_of``;
- *on time*: handled with ``replied_at <= deadline_at``;
- *due*: forwarded and either handled or still open with the deadline passed at ``as_of`` — open
  messages not yet due are not counted against anyone, nor messages rejected before forwarding;
- 按期办结率 = on time / due;
- *within the rule*: handled by the deadline ``rule`` gives (what "1个工作日内处理完成" counts); it
  equals *on time* unless the stored deadlines were set under another rule;
- average working hours to reply: :meth:`WorkCalendar.working_seconds` from forwarding to reply, over the
  handled messages;
- annual-assessment deductions (监管工作年度考核, 找错 messages only): a forwarded message not handled by
  ``as_of`` −3 each; one handled more than one calendar month after forwarding −2 each.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from govinspect.registry.models import Site
from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.model import (
    HANDLED,
    KIND_LABELS,
    Ticket,
    TicketError,
    TicketKind,
    TicketStatus,
)

MAX_WORKING_DAYS = 30
MAX_TEXT = 20_000  # characters of a reply, as for a message's content


@dataclass(frozen=True)
class DeadlineRule:
    """When a forwarded message is due: end (``cutoff``) of the ``working_days``-th working day after.

    ``cutoff`` None means the end of that day (24:00); ``time(17, 30)`` means office closing time.
    """

    working_days: int = 1
    cutoff: time | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.working_days <= MAX_WORKING_DAYS:
            raise TicketError(
                f"working_days {self.working_days} is out of range: use 1 to {MAX_WORKING_DAYS}"
            )
        if self.cutoff is not None and self.cutoff.tzinfo is not None:
            raise TicketError("the cut-off is a local wall-clock time: give it without a timezone (17:30)")

    def describe(self) -> str:
        end = "24:00" if self.cutoff is None else f"{self.cutoff:%H:%M}"
        return f"转办后第{self.working_days}个工作日 {end} 前答复"


def deadline_for(forwarded_at: datetime, rule: DeadlineRule, calendar: WorkCalendar) -> datetime:
    """The instant a message forwarded at ``forwarded_at`` is due (always on a working day, always later)."""
    if forwarded_at.tzinfo is None or forwarded_at.utcoffset() is None:
        raise TicketError(
            f"forwarding time {forwarded_at.isoformat()} has no timezone: give it one (e.g. +08:00)"
        )
    local_day = forwarded_at.astimezone(calendar.tz).date()
    due_day = calendar.add_workdays(local_day, rule.working_days)
    if rule.cutoff is None:
        return datetime.combine(due_day, time.max, tzinfo=calendar.tz)
    return datetime.combine(due_day, rule.cutoff, tzinfo=calendar.tz)


# --- state changes ---------------------------------------------------------------------------------------


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise TicketError(f"{what} {value.isoformat()} has no timezone: give it one (e.g. +08:00)")


def forward(
    ticket: Ticket, at: datetime, rule: DeadlineRule, calendar: WorkCalendar, handled_by: str = ""
) -> Ticket:
    """转办: the message goes to its site and the deadline starts to run."""
    _require_aware(at, "forwarding time")
    if ticket.status is not TicketStatus.RECEIVED:
        raise TicketError(
            f"message {ticket.id} is already {ticket.status}: only a received message can be forwarded"
        )
    if at < ticket.received_at:
        raise TicketError(
            f"message {ticket.id} cannot be forwarded at {at.isoformat()}, before it was received "
            f"({ticket.received_at.isoformat()}): check the time"
        )
    return ticket.but(
        status=TicketStatus.FORWARDED,
        forwarded_at=at,
        deadline_at=deadline_for(at, rule, calendar),
        handled_by=handled_by or ticket.handled_by,
    )


def reply(ticket: Ticket, at: datetime, text: str, handled_by: str = "") -> Ticket:
    """答复: the site answers a forwarded message."""
    _require_aware(at, "reply time")
    text = text.strip()
    if not text:
        raise TicketError(f"the reply to message {ticket.id} is empty: write the answer with --text")
    if len(text) > MAX_TEXT:
        raise TicketError(f"the reply to message {ticket.id} is over {MAX_TEXT} characters: shorten it")
    if ticket.status is TicketStatus.RECEIVED:
        raise TicketError(f"message {ticket.id} has not been forwarded yet: forward it to its site first")
    if ticket.status in HANDLED:
        when = f" at {ticket.replied_at:%Y-%m-%d %H:%M}" if ticket.replied_at else ""
        raise TicketError(f"message {ticket.id} is already {ticket.status}{when}: it needs no new reply")
    assert ticket.forwarded_at is not None
    if at < ticket.forwarded_at:
        raise TicketError(
            f"a reply at {at.isoformat()} would precede the forwarding of message {ticket.id} "
            f"({ticket.forwarded_at.isoformat()}): check the time"
        )
    return ticket.but(
        status=TicketStatus.REPLIED, replied_at=at, reply=text, handled_by=handled_by or ticket.handled_by
    )


def close(ticket: Ticket) -> Ticket:
    """办结: a replied message is checked and closed (the reply time stays the handling time)."""
    if ticket.status is not TicketStatus.REPLIED:
        raise TicketError(f"message {ticket.id} is {ticket.status}: only a replied message can be closed")
    return ticket.but(status=TicketStatus.CLOSED)


def reject(ticket: Ticket, at: datetime, reason: str, handled_by: str = "") -> Ticket:
    """退回: the message is not this site's or not valid; the reason is the reply."""
    _require_aware(at, "rejection time")
    if ticket.status not in (TicketStatus.RECEIVED, TicketStatus.FORWARDED):
        raise TicketError(f"message {ticket.id} is already {ticket.status}: it cannot be rejected now")
    if not reason.strip():
        raise TicketError(f"rejecting message {ticket.id} needs a reason: give it with --text")
    start = ticket.forwarded_at or ticket.received_at
    if at < start:
        raise TicketError(f"message {ticket.id} cannot be rejected before it arrived: check the time")
    return ticket.but(
        status=TicketStatus.REJECTED, replied_at=at, reply=reason.strip(),
        handled_by=handled_by or ticket.handled_by,
    )


# --- on time, overdue ------------------------------------------------------------------------------------


def handled_by_time(ticket: Ticket, as_of: datetime) -> bool:
    """Handled, with the handling time not after ``as_of`` (a later reply does not count yet)."""
    return ticket.status in HANDLED and ticket.replied_at is not None and ticket.replied_at <= as_of


def on_time(ticket: Ticket, as_of: datetime | None = None) -> bool | None:
    """True/False once handled (replied_at ≤ deadline_at); None while open or never forwarded."""
    if ticket.deadline_at is None or ticket.replied_at is None or ticket.status not in HANDLED:
        return None
    if as_of is not None and ticket.replied_at > as_of:
        return None
    return ticket.replied_at <= ticket.deadline_at


def overdue(ticket: Ticket, as_of: datetime) -> bool:
    """Open (not handled by ``as_of``) with the deadline passed."""
    return (
        ticket.deadline_at is not None
        and not handled_by_time(ticket, as_of)
        and ticket.deadline_at < as_of
    )


def add_months(value: datetime, months: int) -> datetime:
    """The same wall time ``months`` calendar months later; the 31st becomes the month's last day."""
    month0 = value.month - 1 + months
    year, month = value.year + month0 // 12, month0 % 12 + 1
    day = min(value.day, _stdlib_calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


# --- statistics ------------------------------------------------------------------------------------------


@dataclass
class GroupStats:
    """Counts for one group (the whole window, a region or a site)."""

    key: str
    label: str
    received: int = 0
    forwarded: int = 0
    handled: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    not_yet_due: int = 0
    within_rule: int = 0  # handled within the rule's working days of forwarding (the notice's "1个工作日内")
    working_hours: list[float] = field(default_factory=list, repr=False)

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue_open

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率: on time / due; None when nothing was due."""
        return self.on_time / self.due if self.due else None

    @property
    def avg_working_hours(self) -> float | None:
        return sum(self.working_hours) / len(self.working_hours) if self.working_hours else None

    def to_json(self) -> dict[str, Any]:
        rate = self.on_time_rate
        hours = self.avg_working_hours
        return {
            "key": self.key,
            "label": self.label,
            "received": self.received,
            "forwarded": self.forwarded,
            "handled": self.handled,
            "on_time": self.on_time,
            "late": self.late,
            "overdue_open": self.overdue_open,
            "not_yet_due": self.not_yet_due,
            "within_rule": self.within_rule,
            "due": self.due,
            "on_time_rate": round(rate, 4) if rate is not None else None,
            "avg_working_hours": round(hours, 2) if hours is not None else None,
        }


@dataclass(frozen=True)
class DeductionLine:
    """One annual-assessment deduction line (监管工作年度考核) a report can quote."""

    reason: str  # unresolved / resolved_late
    site_code: str
    site_name: str
    count: int
    points_each: float
    ticket_ids: tuple[str, ...]

    @property
    def points(self) -> float:
        return self.count * self.points_each

    def text(self) -> str:
        what = "未办结" if self.reason == "unresolved" else "超过1个月才办结"
        ids = "、".join(self.ticket_ids[:10]) + ("等" if len(self.ticket_ids) > 10 else "")
        return (
            f"{self.site_name}（{self.site_code}）“我为政府网站找错”留言{what} {self.count} 条，"
            f"每条扣 {self.points_each:g} 分，共扣 {self.points:g} 分（{ids}）"
        )


@dataclass(frozen=True)
class AssessmentRule:
    """Point values of the annual assessment for 找错 messages (profile values, not hard facts)."""

    unresolved_points: float = 3.0
    late_points: float = 2.0
    late_after_months: int = 1


@dataclass
class TicketStats:
    """What the quarterly notice prints about citizen messages, plus the assessment lines."""

    start: date
    end: date
    as_of: datetime
    rule: DeadlineRule
    kind: TicketKind | None
    total: GroupStats
    by_region: list[GroupStats]
    by_site: list[GroupStats]
    deductions: list[DeductionLine]

    @property
    def deduction_points(self) -> float:
        return sum(line.points for line in self.deductions)

    def summary_line(self) -> str:
        """The notice's sentence: 共收到…留言N条，按期办结率X%，M条在1个工作日内处理完成."""
        t = self.total
        what = KIND_LABELS[self.kind] if self.kind else "我为政府网站找错、网上咨询"
        rate = f"{t.on_time_rate * 100:.1f}%" if t.on_time_rate is not None else "—"
        return (
            f"{self.start.year}年{self.start.month}月{self.start.day}日至"
            f"{f'{self.end.year}年' if self.end.year != self.start.year else ''}"
            f"{self.end.month}月{self.end.day}日，共收到“{what}”留言{t.received}条，"
            f"已办结{t.handled}条，按期办结率{rate}，{t.within_rule}条在{self.rule.working_days}个工作日内处理完成"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "kind": str(self.kind) if self.kind else None,
            "rule": {
                "working_days": self.rule.working_days,
                "cutoff": None if self.rule.cutoff is None else self.rule.cutoff.strftime("%H:%M"),
            },
            "summary": self.summary_line(),
            "total": self.total.to_json(),
            "by_region": [g.to_json() for g in self.by_region],
            "by_site": [g.to_json() for g in self.by_site],
            "deductions": [
                {**asdict(line), "ticket_ids": list(line.ticket_ids), "points": line.points, "text": line.text()}
                for line in self.deductions
            ],
            "deduction_points": self.deduction_points,
        }


def _count(
    group: GroupStats, ticket: Ticket, as_of: datetime, calendar: WorkCalendar, rule: DeadlineRule
) -> None:
    group.received += 1
    if ticket.forwarded_at is not None and ticket.forwarded_at <= as_of:
        group.forwarded += 1
    if handled_by_time(ticket, as_of):
        group.handled += 1
        verdict = on_time(ticket, as_of)
        if verdict is True:
            group.on_time += 1
        elif verdict is False:
            group.late += 1
        # None: rejected before it was ever forwarded; handled, but no site had a deadline
        if ticket.forwarded_at is not None and ticket.replied_at is not None:
            if ticket.replied_at <= deadline_for(ticket.forwarded_at, rule, calendar):
                group.within_rule += 1
            group.working_hours.append(calendar.working_seconds(ticket.forwarded_at, ticket.replied_at) / 3600)
    elif overdue(ticket, as_of):
        group.overdue_open += 1
    else:
        group.not_yet_due += 1


def compute_stats(
    tickets: Iterable[Ticket],
    sites: Mapping[str, Site],
    start: date,
    end: date,
    as_of: datetime,
    calendar: WorkCalendar,
    *,
    rule: DeadlineRule | None = None,
    kind: TicketKind | None = None,
    assessment: AssessmentRule | None = None,
) -> TicketStats:
    """Statistics of the messages received from ``start`` to ``end`` (local dates), judged at ``as_of``."""
    _require_aware(as_of, "as-of time")
    if end < start:
        raise TicketError(f"--from {start} is after --to {end}: swap them")
    rule = rule or DeadlineRule()
    assessment = assessment or AssessmentRule()
    total = GroupStats("all", "合计")
    regions: dict[str, GroupStats] = {}
    per_site: dict[str, GroupStats] = {}
    unresolved: dict[str, list[str]] = {}
    late: dict[str, list[str]] = {}
    for ticket in tickets:
        if kind is not None and ticket.kind is not kind:
            continue
        day = ticket.received_at.astimezone(calendar.tz).date()
        if not start <= day <= end or ticket.received_at > as_of:
            continue
        site = sites.get(ticket.site_code)
        region = site.city if site is not None else "（未登记网站）"
        site_label = site.name if site is not None else ticket.site_code
        _count(total, ticket, as_of, calendar, rule)
        _count(regions.setdefault(region, GroupStats(region, region)), ticket, as_of, calendar, rule)
        _count(
            per_site.setdefault(ticket.site_code, GroupStats(ticket.site_code, site_label)),
            ticket, as_of, calendar, rule,
        )
        if ticket.kind is TicketKind.JIUCUO and ticket.forwarded_at is not None and ticket.forwarded_at <= as_of:
            if not handled_by_time(ticket, as_of):
                unresolved.setdefault(ticket.site_code, []).append(ticket.id)
            elif ticket.replied_at is not None and ticket.replied_at > add_months(
                ticket.forwarded_at, assessment.late_after_months
            ):
                late.setdefault(ticket.site_code, []).append(ticket.id)
    order = {code: i for i, code in enumerate(sites)}
    deductions = [
        DeductionLine(
            reason,
            code,
            sites[code].name if code in sites else code,
            len(ids),
            points,
            tuple(sorted(ids)),
        )
        for reason, table, points in (
            ("unresolved", unresolved, assessment.unresolved_points),
            ("resolved_late", late, assessment.late_points),
        )
        for code, ids in sorted(table.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]
    return TicketStats(
        start=start,
        end=end,
        as_of=as_of,
        rule=rule,
        kind=kind,
        total=total,
        by_region=sorted(regions.values(), key=lambda g: (-g.received, g.key)),
        by_site=sorted(per_site.values(), key=lambda g: (order.get(g.key, len(order)), g.key)),
        deductions=deductions,
    )


def window_bounds(start: date, end: date, calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """The instants [start 00:00, end+1 00:00) of a window of local dates (for database queries)."""
    lo = datetime.combine(start, time.min, tzinfo=calendar.tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=calendar.tz)
    return lo, hi


__all__ = [
    "AssessmentRule",
    "DeadlineRule",
    "DeductionLine",
    "GroupStats",
    "TicketStats",
    "add_months",
    "close",
    "compute_stats",
    "deadline_for",
    "forward",
    "handled_by_time",
    "on_time",
    "overdue",
    "reject",
    "reply",
    "window_bounds",
]
