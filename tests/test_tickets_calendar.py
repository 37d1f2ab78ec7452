"""Working days and deadlines on the official calendar, across the 2021 holidays and make-up days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govinspect.errors import GovinspectError
from govinspect.tickets.calendar import CalendarRangeError, WorkCalendar
from govinspect.tickets.model import TicketError
from govinspect.tickets.service import DeadlineRule, deadline_for

CST = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2021-06-11", True),  # Friday before the Dragon Boat holiday
        ("2021-06-12", False),  # Dragon Boat 06-12..14
        ("2021-06-14", False),  # a Monday inside the holiday
        ("2021-06-15", True),
        ("2021-09-18", True),  # make-up Saturday (调休) for Mid-Autumn
        ("2021-09-20", False),  # Monday inside Mid-Autumn 09-19..21
        ("2021-09-21", False),
        ("2021-09-26", True),  # make-up Sunday for National Day
        ("2021-10-01", False),
        ("2021-10-07", False),  # Thursday inside National Day
        ("2021-10-09", True),  # make-up Saturday
        ("2021-10-10", False),  # ordinary Sunday
        ("2021-05-08", True),  # make-up Saturday after Labour Day 2021 (the seed notice's first day)
        ("2021-05-15", False),  # ordinary Saturday
    ],
)
def test_official_working_days_2021(cal: WorkCalendar, day: str, working: bool) -> None:
    assert cal.is_workday(date.fromisoformat(day)) is working


# forwarded at (local), deadline (local), why
DEADLINES = [
    ("2021-06-10 09:00", "2021-06-11", "Thursday → Friday"),
    ("2021-06-11 15:30", "2021-06-15", "Friday afternoon before the 3-day Dragon Boat holiday → after it"),
    ("2021-06-11 23:59", "2021-06-15", "late Friday is still Friday"),
    ("2021-06-12 10:00", "2021-06-15", "forwarded inside the holiday → first working day"),
    ("2021-06-14 18:00", "2021-06-15", "last holiday day"),
    ("2021-06-15 08:00", "2021-06-16", "first day back → the next"),
    ("2021-09-17 16:00", "2021-09-18", "Friday → the make-up Saturday"),
    ("2021-09-18 10:00", "2021-09-22", "make-up Saturday counts as a working day; next is after Mid-Autumn"),
    ("2021-09-19 10:00", "2021-09-22", "Mid-Autumn Sunday"),
    ("2021-09-24 10:00", "2021-09-26", "Friday → the make-up Sunday"),
    ("2021-09-25 10:00", "2021-09-26", "ordinary Saturday → make-up Sunday"),
    ("2021-09-26 10:00", "2021-09-27", "make-up Sunday → Monday"),
    ("2021-09-30 10:00", "2021-10-08", "Thursday before National Day → the Friday after"),
    ("2021-10-04 10:00", "2021-10-08", "inside National Day"),
    ("2021-10-08 10:00", "2021-10-09", "Friday → the make-up Saturday"),
    ("2021-10-09 10:00", "2021-10-11", "make-up Saturday → Monday (Sunday is a rest day)"),
]


@pytest.mark.parametrize(("forwarded", "due", "why"), DEADLINES, ids=[d[2] for d in DEADLINES])
def test_deadline_case_table(cal: WorkCalendar, forwarded: str, due: str, why: str) -> None:
    deadline = deadline_for(at(forwarded), DeadlineRule(), cal)
    assert deadline.astimezone(CST).date() == date.fromisoformat(due), why
    assert deadline.astimezone(CST).time() == time.max  # the end of the due day
    assert at(f"{due} 23:59:59") <= deadline < at(f"{due} 00:00") + timedelta(days=1)


def test_deadline_uses_the_local_day_of_a_utc_instant(cal: WorkCalendar) -> None:
    # 2021-06-11 17:00 UTC is already Saturday 01:00 in Shanghai: inside the holiday.
    forwarded = datetime(2021, 6, 11, 17, 0, tzinfo=timezone.utc)
    assert deadline_for(forwarded, DeadlineRule(), cal).astimezone(CST).date() == date(2021, 6, 15)
    forwarded = datetime(2021, 6, 11, 15, 0, tzinfo=timezone.utc)  # 23:00 Friday local
    assert deadline_for(forwarded, DeadlineRule(), cal).astimezone(CST).date() == date(2021, 6, 15)


@pytest.mark.parametrize(
    ("forwarded", "working_days", "cutoff", "expected"),
    [
        ("2021-09-30 10:00", 2, None, "2021-10-09 23:59:59.999999"),  # 10-08, then the make-up 10-09
        ("2021-06-10 09:00", 3, None, "2021-06-16 23:59:59.999999"),  # 06-11, 06-15, 06-16
        ("2021-06-11 15:30", 1, time(17, 30), "2021-06-15 17:30"),  # office closing time on the due day
        ("2021-09-17 16:00", 1, time(12, 0), "2021-09-18 12:00"),
    ],
)
def test_working_days_and_cutoff_are_configurable(
    cal: WorkCalendar, forwarded: str, working_days: int, cutoff: time | None, expected: str
) -> None:
    rule = DeadlineRule(working_days=working_days, cutoff=cutoff)
    assert deadline_for(at(forwarded), rule, cal) == at(expected)


@pytest.mark.parametrize("working_days", [0, -1, 31])
def test_out_of_range_working_days_are_refused(working_days: int) -> None:
    with pytest.raises(TicketError, match="working_days"):
        DeadlineRule(working_days=working_days)


def test_naive_forwarding_time_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(TicketError, match="timezone"):
        deadline_for(datetime(2021, 6, 11, 15, 0), DeadlineRule(), cal)


def test_a_year_without_a_holiday_table_names_the_fix(cal: WorkCalendar) -> None:
    beyond = date(cal.last_year + 1, 1, 4)
    with pytest.raises(CalendarRangeError) as caught:
        cal.is_workday(beyond)
    message = str(caught.value)
    assert isinstance(caught.value, GovinspectError)
    assert str(beyond.year) in message and "upgrade chinesecalendar" in message
    with pytest.raises(CalendarRangeError):
        cal.is_workday(date(cal.first_year - 1, 6, 1))
    # a deadline that would run into the unknown year is refused too, not guessed from weekdays
    with pytest.raises(CalendarRangeError):
        deadline_for(datetime(cal.last_year, 12, 31, 10, 0, tzinfo=CST), DeadlineRule(), cal)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2021-06-11 16:00", "2021-06-15 10:00", 8 + 10),  # the holiday does not count
        ("2021-06-10 09:00", "2021-06-10 11:30", 2.5),
        ("2021-09-17 16:00", "2021-09-18 09:00", 8 + 9),  # the make-up Saturday counts
        ("2021-06-12 10:00", "2021-06-14 10:00", 0),  # entirely inside the holiday
        ("2021-06-15 10:00", "2021-06-15 09:00", 0),  # end before start
    ],
)
def test_working_hours(cal: WorkCalendar, start: str, end: str, hours: float) -> None:
    assert cal.working_seconds(at(start), at(end)) / 3600 == pytest.approx(hours)


instants = st.datetimes(
    min_value=datetime(2004, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(CST)
)


@settings(max_examples=300, deadline=None)
@given(forwarded=instants, working_days=st.integers(1, 5), cutoff_minutes=st.none() | st.integers(0, 24 * 60 - 1))
def test_deadline_is_a_working_day_after_forwarding(
    forwarded: datetime, working_days: int, cutoff_minutes: int | None
) -> None:
    cal = WorkCalendar()
    cutoff = None if cutoff_minutes is None else time(cutoff_minutes // 60, cutoff_minutes % 60)
    deadline = deadline_for(forwarded, DeadlineRule(working_days, cutoff), cal)
    due_day = deadline.astimezone(CST).date()
    assert deadline > forwarded
    assert cal.is_workday(due_day)
    between = [forwarded.date() + timedelta(days=k) for k in range(1, (due_day - forwarded.date()).days + 1)]
    assert sum(cal.is_workday(d) for d in between) == working_days  # exactly N working days after
