"""newmedia.unanswered: a message (留言/私信) to an account not answered within the working-day limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from govinspect.checks.base import AccountView, Check, CheckContext, CheckParams, Input, NotApplicable, Scope
from govinspect.findings.model import Finding
from govinspect.newmedia.model import MessageState
from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.model import mask_phones
from govinspect.tickets.service import DeadlineRule, deadline_for


class UnansweredMessages(Check):
    """A message received in the ``window_days`` before the monitoring point that was still unanswered at
    the monitoring point more than ``working_days`` working days after it came in (state ``open``), or was
    answered only after that (``late``). Working days are China's official calendar (holidays and 调休) via
    the messages module's calendar; the limit is a rule-profile value (U: notices criticise simple
    questions left over 5 working days). ``days_unanswered`` (calendar days) lets the profile veto very
    old silences as 互动回应差."""

    id = "newmedia.unanswered"
    scope = Scope.ACCOUNT
    inputs = (Input.MESSAGES,)

    class Params(CheckParams):
        working_days: int = 5
        window_days: int = 365
        timezone: str = "Asia/Shanghai"

    def run(self, view: AccountView, ctx: CheckContext) -> Iterator[Finding]:
        if not view.account.running:
            raise NotApplicable(f"account is {view.account.status}: it no longer takes messages")
        calendar = WorkCalendar(self.params.timezone)
        rule = DeadlineRule(working_days=self.params.working_days)
        as_of = ctx.as_of
        since = as_of - timedelta(days=self.params.window_days)
        for message in sorted(view.messages or [], key=lambda m: (m.received_at, m.message_id)):
            if not since <= message.received_at <= as_of:
                continue
            deadline = deadline_for(message.received_at, rule, calendar)
            replied = message.replied_at if message.replied_at is not None and message.replied_at <= as_of else None
            if replied is None:
                if as_of <= deadline:
                    continue
                state, until = MessageState.OPEN, as_of
            else:
                if replied <= deadline:
                    continue
                state, until = "late", replied
            days = (until - message.received_at).days
            working = round(calendar.working_seconds(message.received_at, until) / 86400, 1)
            detail = {"message_id": message.message_id, "state": str(state),
                      "received_at": message.received_at.isoformat(timespec="minutes"),
                      "replied_at": replied.isoformat(timespec="minutes") if replied else None,
                      "deadline": deadline.isoformat(timespec="minutes"), "working_days_limit": rule.working_days,
                      "working_days_taken": working, "days_unanswered": days, "platform": view.account.platform}
            verb = "截至监测时间点仍未回复" if replied is None else f"于 {replied:%Y-%m-%d} 才回复"
            yield self.finding(
                ctx, view.source_url or f"account:{view.account.account_id}", target=f"message:{message.message_id}",
                detail=detail, excerpt=mask_phones(message.title)[:200], locator=f"message:{message.message_id}",
                reason=f"{message.received_at:%Y-%m-%d %H:%M} 收到的留言{verb}, 超过 {rule.working_days} 个工作日"
                       f"（{days} 天）",
            )
