"""Pure rules: state changes, on time / overdue, statistics as the quarterly notice prints them, deductions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from govinspect.registry.models import Site, SiteKind
from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.model import Ticket, TicketError, TicketKind, TicketStatus, mask_contact, mask_phones
from govinspect.tickets.service import (
    AssessmentRule,
    DeadlineRule,
    add_months,
    close,
    compute_stats,
    deadline_for,
    forward,
    on_time,
    overdue,
    reject,
    reply,
)

CST = timezone(timedelta(hours=8))
CAL = WorkCalendar()
RULE = DeadlineRule()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


SITES = {
    s.site_code: s
    for s in [
        Site(site_code="4403000052", name="深圳市人民政府门户网站", homepage="http://www.sz.gov.cn/",
             region="广东省/深圳市", host_org="深圳市人民政府办公厅", kind=SiteKind.PORTAL),
        Site(site_code="4415000001", name="汕尾市人民政府门户网站", homepage="http://www.shanwei.gov.cn/",
             region="广东省/汕尾市", host_org="汕尾市人民政府办公室", kind=SiteKind.PORTAL),
        Site(site_code="4415810001", name="陆丰市人民政府门户网站", homepage="http://www.lufengshi.gov.cn/",
             region="广东省/汕尾市/陆丰市", host_org="陆丰市人民政府办公室", kind=SiteKind.PORTAL),
        Site(site_code="bm44000001", name="广东省人力资源和社会保障厅网站", homepage="http://hrss.gd.gov.cn/",
             region="广东省", host_org="广东省人力资源和社会保障厅", kind=SiteKind.DEPARTMENT),
    ]
}


def received(ticket_id: str, when: str, site: str = "4415000001", kind: TicketKind = TicketKind.JIUCUO) -> Ticket:
    return Ticket(id=ticket_id, kind=kind, site_code=site, received_at=at(when), title="栏目空白",
                  content="“政务公开”栏目空白，联系电话13912345678")


def forwarded(ticket_id: str, when: str, site: str = "4415000001", **kw: object) -> Ticket:
    return forward(received(ticket_id, when, site, **kw), at(when) + timedelta(minutes=30), RULE, CAL)  # type: ignore[arg-type]


# --- state changes --------------------------------------------------------------------------------------


def test_forward_reply_close_is_the_normal_path() -> None:
    t = received("JC1", "2021-06-11 14:00")
    t = forward(t, at("2021-06-11 15:00"), RULE, CAL, handled_by="汕尾市政务服务数据管理局")
    assert t.status is TicketStatus.FORWARDED
    assert t.deadline_at == deadline_for(at("2021-06-11 15:00"), RULE, CAL)
    assert on_time(t) is None and not overdue(t, at("2021-06-15 12:00"))
    assert overdue(t, at("2021-06-16 00:00:01"))
    t = reply(t, at("2021-06-15 10:00"), "  已修复  ")
    assert (t.status, t.reply, t.handled_by) == (TicketStatus.REPLIED, "已修复", "汕尾市政务服务数据管理局")
    assert on_time(t) is True and not overdue(t, at("2021-07-01 00:00"))
    t = close(t)
    assert t.status is TicketStatus.CLOSED and on_time(t) is True


@pytest.mark.parametrize(
    ("replied", "expected"),
    [
        ("2021-06-15 23:59:59", True),  # the last second of the due day
        ("2021-06-16 00:00:00", False),  # near miss: the next day
        ("2021-06-11 15:01", True),
    ],
)
def test_on_time_is_replied_at_not_after_the_deadline(replied: str, expected: bool) -> None:
    t = forward(received("JC1", "2021-06-11 14:00"), at("2021-06-11 15:00"), RULE, CAL)
    assert on_time(reply(t, at(replied), "已修复")) is expected


def test_on_time_with_a_cutoff() -> None:
    rule = DeadlineRule(cutoff=time(17, 30))
    t = forward(received("JC1", "2021-06-11 14:00"), at("2021-06-11 15:00"), rule, CAL)
    assert on_time(reply(t, at("2021-06-15 17:30"), "好")) is True
    assert on_time(reply(t, at("2021-06-15 17:31"), "好")) is False


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda t: reply(t, at("2021-06-11 15:00"), "答复"), "not been forwarded"),
        (lambda t: forward(forward(t, at("2021-06-11 15:00"), RULE, CAL), at("2021-06-11 16:00"), RULE, CAL),
         "already forwarded"),
        (lambda t: forward(t, at("2021-06-11 13:00"), RULE, CAL), "before it was received"),
        (lambda t: reply(forward(t, at("2021-06-11 15:00"), RULE, CAL), at("2021-06-11 14:30"), "x"), "precede"),
        (lambda t: reply(forward(t, at("2021-06-11 15:00"), RULE, CAL), at("2021-06-11 16:00"), "  "), "empty"),
        (lambda t: reply(reply(forward(t, at("2021-06-11 15:00"), RULE, CAL), at("2021-06-11 16:00"), "a"),
                         at("2021-06-11 17:00"), "b"), "already replied"),
        (lambda t: close(t), "only a replied message"),
        (lambda t: reject(t, at("2021-06-11 15:00"), ""), "needs a reason"),
        (lambda t: forward(t, datetime(2021, 6, 11, 15), RULE, CAL), "timezone"),
    ],
)
def test_refused_state_changes_name_the_fix(step: object, message: str) -> None:
    with pytest.raises(TicketError, match=message):
        step(received("JC1", "2021-06-11 14:00"))  # type: ignore[operator]


def test_reject_counts_as_handled_with_the_reason_as_reply() -> None:
    t = forward(received("JC1", "2021-06-11 14:00"), at("2021-06-11 15:00"), RULE, CAL)
    t = reject(t, at("2021-06-11 16:00"), "非本网站内容，已退回")
    assert t.status is TicketStatus.REJECTED and t.handled and t.reply == "非本网站内容，已退回"
    assert on_time(t) is True


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [("2021-05-31 10:00", 1, "2021-06-30 10:00"), ("2021-01-31 10:00", 1, "2021-02-28 10:00"),
     ("2021-12-15 10:00", 1, "2022-01-15 10:00"), ("2020-01-30 09:00", 1, "2020-02-29 09:00")],
)
def test_add_months_clamps_to_the_month_end(start: str, months: int, expected: str) -> None:
    assert add_months(at(start), months) == at(expected)


# --- masking -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        ("请回电13912345678", "13912345678", "139****5678"),
        ("手机 139-1234-5678", "139-1234-5678", "139****5678"),
        ("电话0660-3381234", "3381234", "066****1234"),
        ("身份证440882199001011234", "199001011234", "440***********1234"),
        ("邮箱 zhangsan@qq.com", "zhangsan@", "z***@qq.com"),
    ],
)
def test_phone_numbers_never_print(text: str, hidden: str, shown: str) -> None:
    masked = mask_phones(text)
    assert hidden not in masked and shown in masked


@pytest.mark.parametrize("text", ["第5页", "2021年6月15日", "12345", "网站标识码 4415"])
def test_short_numbers_stay_readable(text: str) -> None:
    assert mask_phones(text) == text


def test_contact_is_masked_for_storage() -> None:
    assert mask_contact("张三丰 13800001111") == "张** 138****1111"
    assert mask_contact("") == ""


# --- statistics ----------------------------------------------------------------------------------------


def seed_like_quarter() -> list[Ticket]:
    """380 找错 messages from 2021-05-08 to 2021-06-15, all answered by their deadline (the seed notice)."""
    hours = (8, 9, 10, 11, 14, 15, 16, 17, 19, 21)  # ten a day over the 39 days
    codes = list(SITES)
    tickets = []
    for n in range(380):
        day = date(2021, 5, 8) + timedelta(days=n // len(hours))
        t = forwarded(f"JC{n:04d}", f"{day} {hours[n % len(hours)]:02d}:00", codes[n % len(codes)])
        assert t.deadline_at is not None and t.forwarded_at is not None
        # most answered within two hours; every 7th in the due day's last minutes (still on time)
        replied_at = t.deadline_at - timedelta(minutes=5) if n % 7 == 0 else t.forwarded_at + timedelta(hours=2)
        tickets.append(reply(t, replied_at, "已核实并修改"))
    assert max(t.received_at for t in tickets).date() <= date(2021, 6, 15)
    return tickets


def test_the_seed_notice_figures() -> None:
    tickets = seed_like_quarter()
    stats = compute_stats(tickets, SITES, date(2021, 5, 8), date(2021, 6, 15), at("2021-06-29 12:00"), CAL)
    total = stats.total
    assert (total.received, total.forwarded, total.handled, total.on_time, total.late) == (380, 380, 380, 380, 0)
    assert total.on_time_rate == 1.0
    assert "留言380条" in stats.summary_line() and "按期办结率100.0%" in stats.summary_line()
    assert stats.deductions == [] and stats.deduction_points == 0
    # regions: 深圳市, 汕尾市 (the city and its county-level 陆丰市 together), 广东省 (provincial department)
    assert {g.key: g.received for g in stats.by_region} == {"汕尾市": 190, "深圳市": 95, "广东省": 95}
    assert [g.key for g in stats.by_site] == list(SITES)  # registry order
    assert sum(g.received for g in stats.by_site) == 380
    # average working hours: the independent sum over the tickets
    expected = sum(CAL.working_seconds(t.forwarded_at, t.replied_at) for t in tickets) / 3600 / 380  # type: ignore[arg-type]
    assert total.avg_working_hours == pytest.approx(expected)
    assert total.within_rule == 380


def test_window_is_by_local_received_date_and_kind() -> None:
    tickets = [
        forwarded("A", "2021-05-07 23:59"),  # the day before the window
        forwarded("B", "2021-05-08 00:00"),
        forwarded("C", "2021-06-15 23:59"),
        forwarded("D", "2021-06-16 00:00"),  # the day after
        forwarded("E", "2021-05-20 10:00", kind=TicketKind.CONSULTATION),
    ]
    stats = compute_stats(tickets, SITES, date(2021, 5, 8), date(2021, 6, 15), at("2021-07-01 00:00"), CAL)
    assert stats.total.received == 3
    jiucuo = compute_stats(tickets, SITES, date(2021, 5, 8), date(2021, 6, 15), at("2021-07-01 00:00"), CAL,
                           kind=TicketKind.JIUCUO)
    assert jiucuo.total.received == 2 and "我为政府网站找错" in jiucuo.summary_line()


def test_rate_counts_only_what_was_due_at_as_of() -> None:
    on_time_t = reply(forwarded("A", "2021-06-10 09:00"), at("2021-06-10 15:00"), "好")
    late_t = reply(forwarded("B", "2021-06-10 09:00"), at("2021-06-16 09:00"), "好")
    open_overdue = forwarded("C", "2021-06-10 09:00")
    open_not_due = forwarded("D", "2021-06-15 09:00")  # due 06-16 24:00
    never_forwarded = received("E", "2021-06-15 09:00")
    rejected_unforwarded = reject(received("F", "2021-06-15 09:00"), at("2021-06-15 10:00"), "重复留言")
    replied_after_as_of = reply(forwarded("G", "2021-06-15 08:00"), at("2021-06-17 09:00"), "好")
    items = [on_time_t, late_t, open_overdue, open_not_due, never_forwarded, rejected_unforwarded,
             replied_after_as_of]
    stats = compute_stats(items, SITES, date(2021, 6, 1), date(2021, 6, 30), at("2021-06-16 12:00"), CAL)
    t = stats.total
    assert t.received == 7
    assert t.handled == 3  # A, B, F (G's reply is after as_of)
    assert (t.on_time, t.late, t.overdue_open) == (1, 1, 1)
    assert t.not_yet_due == 3  # D, E, G
    assert t.due == 3 and t.on_time_rate == pytest.approx(1 / 3)
    # judged a day later, G's reply counts (late? due 06-16 24:00, replied 06-17: late) and D is overdue
    later = compute_stats(items, SITES, date(2021, 6, 1), date(2021, 6, 30), at("2021-06-18 12:00"), CAL).total
    assert (later.on_time, later.late, later.overdue_open, later.not_yet_due) == (1, 2, 2, 1)


def test_assessment_deductions() -> None:
    unresolved = forwarded("U1", "2021-06-01 09:00", "4403000052")
    resolved_late = reply(forwarded("L1", "2021-05-10 09:00", "4415000001"), at("2021-06-10 09:31"), "好")
    resolved_a_month = reply(forwarded("M1", "2021-05-10 09:00", "4415000001"), at("2021-06-10 09:30"), "好")
    consultation = forwarded("Q1", "2021-06-01 09:00", "4403000052", kind=TicketKind.CONSULTATION)
    stats = compute_stats([unresolved, resolved_late, resolved_a_month, consultation], SITES,
                          date(2021, 1, 1), date(2021, 12, 31), at("2022-01-15 00:00"), CAL)
    lines = {(d.reason, d.site_code): d for d in stats.deductions}
    assert set(lines) == {("unresolved", "4403000052"), ("resolved_late", "4415000001")}
    assert lines[("unresolved", "4403000052")].points == 3 and lines[("unresolved", "4403000052")].ticket_ids == ("U1",)
    assert lines[("resolved_late", "4415000001")].points == 2
    assert stats.deduction_points == 5
    text = lines[("unresolved", "4403000052")].text()
    assert "深圳市人民政府门户网站" in text and "未办结 1 条" in text and "扣 3 分" in text
    custom = compute_stats([unresolved], SITES, date(2021, 1, 1), date(2021, 12, 31), at("2022-01-15 00:00"),
                           CAL, assessment=AssessmentRule(unresolved_points=4))
    assert custom.deduction_points == 4


def test_stats_json_shape() -> None:
    stats = compute_stats(seed_like_quarter()[:10], SITES, date(2021, 5, 8), date(2021, 6, 15),
                          at("2021-06-29 00:00"), CAL)
    data = stats.to_json()
    assert data["total"]["received"] == 10 and data["total"]["on_time_rate"] == 1.0
    assert data["rule"] == {"working_days": 1, "cutoff": None}
    assert {"by_region", "by_site", "deductions", "deduction_points", "summary"} <= set(data)


def test_window_the_wrong_way_round_is_refused() -> None:
    with pytest.raises(TicketError, match="swap"):
        compute_stats([], SITES, date(2021, 6, 15), date(2021, 5, 8), at("2021-06-29 00:00"), CAL)
