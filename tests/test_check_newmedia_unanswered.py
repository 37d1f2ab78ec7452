"""newmedia.unanswered: messages left without a reply beyond the working-day limit, on China's calendar."""

from __future__ import annotations

import pytest

from datetime import datetime
from pathlib import Path

from govinspect.checks.unanswered_messages import UnansweredMessages
from govinspect.newmedia.model import AccountMessage
from govinspect.registry.models import AccountStatus
from tests.mockserver import MockServer
from tests.newmedia_support import serve, CST, account, found, inspect, outcome_of, rss, run_one, view

server = pytest.fixture(serve)  # a loopback server per test


def msg(mid: str, received: str, replied: str | None = None, title: str = "请问不动产登记要带什么材料？") -> AccountMessage:
    def when(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=CST)

    return AccountMessage("wx_leizhou", mid, when(received), when(replied) if replied else None, title)


def ids(messages: list[AccountMessage]) -> list[str]:
    findings, outcome = run_one(UnansweredMessages(), view(messages=messages))
    assert outcome == "completed"
    return [f.detail["message_id"] for f in findings]


def test_open_message_past_five_working_days_is_found() -> None:
    # as-of Wed 2021-06-30 10:00. Tue 06-22 + 5 working days = Tue 06-29 (passed); Wed 06-23 → Wed 06-30 (not yet)
    assert ids([msg("late", "2021-06-22 10:00"), msg("near", "2021-06-23 09:00")]) == ["late"]


def test_holidays_and_weekends_do_not_count() -> None:
    # Thu 06-10 + 5 working days skips the weekend and 端午 (Mon 06-14): due Fri 06-18, not Thu 06-17
    assert ids([msg("dragon-boat", "2021-06-10 09:00", "2021-06-18 20:00")]) == []
    assert ids([msg("too-late", "2021-06-10 09:00", "2021-06-19 09:00")]) == ["too-late"]


def test_late_reply_and_old_silence() -> None:
    findings, _ = run_one(UnansweredMessages(), view(messages=[
        msg("late-reply", "2021-06-01 09:00", "2021-06-15 09:00"),
        msg("silence", "2021-03-01 09:00", title="我的手机13912345678一直打不通")]))
    by_id = {f.detail["message_id"]: f for f in findings}
    assert by_id["late-reply"].detail["state"] == "late" and by_id["late-reply"].detail["days_unanswered"] == 14
    assert by_id["silence"].detail["state"] == "open" and by_id["silence"].detail["days_unanswered"] == 121
    assert "139****5678" in by_id["silence"].evidence.excerpt and "13912345678" not in by_id["silence"].evidence.excerpt


def test_outside_the_window_and_after_the_monitoring_point_are_left_out() -> None:
    assert ids([msg("last-year", "2020-05-01 09:00"), msg("future", "2021-07-02 09:00"),
                msg("answered-after-as-of", "2021-06-01 09:00", "2021-07-05 09:00")]) == ["answered-after-as-of"]


def test_limit_is_a_parameter() -> None:
    check = UnansweredMessages(UnansweredMessages.Params(working_days=10))
    findings, _ = run_one(check, view(messages=[msg("m", "2021-06-22 10:00")]))
    assert findings == [] and ids([msg("m", "2021-06-22 10:00")]) == ["m"]  # the default limit of 5 finds it


def test_scored_through_a_run_with_the_three_month_veto(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("防汛通知", "2021-06-28")), "application/rss+xml")
    out = inspect(account(server.url("/feed")), tmp_path, messages=[msg("m1", "2021-06-01 09:00")])
    [finding] = found(out, "newmedia.unanswered")
    assert finding.indicator == "deduct.newmedia.interaction" and out.result.score.qualified
    out = inspect(account(server.url("/feed")), tmp_path, messages=[msg("m2", "2021-03-01 09:00")])
    assert out.result.score.vetoes == ["veto.newmedia_poor_interaction"]


def test_without_a_message_export_the_check_is_skipped(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("防汛通知", "2021-06-28")), "application/rss+xml")
    outcome, message = outcome_of(inspect(account(server.url("/feed")), tmp_path), "newmedia.unanswered")
    assert outcome == "skipped" and "messages import" in message
    closed = view(account("http://x/", status=AccountStatus.CLOSED), messages=[msg("m", "2021-01-01 09:00")])
    assert run_one(UnansweredMessages(), closed)[1] == "not_applicable"
