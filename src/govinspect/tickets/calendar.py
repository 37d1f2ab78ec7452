"""Working days on China's official calendar (国务院办公厅 holiday notices), from ``chinesecalendar``.

``chinesecalendar`` carries each year's holiday notice: public holidays that fall on weekdays are rest days
and make-up days (调休上班) on a Saturday or Sunday are working days. It only knows the years whose notice
was published when it was released; for any other year this module refuses with
:class:`CalendarRangeError` instead of guessing from weekdays, because one wrong day moves every deadline
around a holiday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from govinspect.tickets.model import TicketError

MAX_SPAN_DAYS = 366 * 5  # bound on any walk through the calendar


class CalendarRangeError(TicketError):
    """A date lies in a year the installed holiday table does not cover."""


class WorkCalendar:
    """Working days and working time in one timezone (Asia/Shanghai by default)."""

    def __init__(self, timezone: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(timezone)

    @cached_property
    def _tables(self) -> tuple[int, int, str]:
        import chinese_calendar

        years = [d.year for d in chinese_calendar.holidays]
        return min(years), max(years), chinese_calendar.__version__

    @property
    def first_year(self) -> int:
        return self._tables[0]

    @property
    def last_year(self) -> int:
        return self._tables[1]

    def _check(self, day: date) -> None:
        first, last, version = self._tables
        if not first <= day.year <= last:
            raise CalendarRangeError(
                f"no official holiday table for {day.year} in chinesecalendar {version} (it covers "
                f"{first}–{last}), so working days of {day.isoformat()} are unknown: upgrade chinesecalendar "
                "(pip install -U chinesecalendar, then pin the new version in pyproject.toml) once the "
                f"State Council's holiday notice for {day.year} is out, or check the date"
            )

    def is_workday(self, day: date) -> bool:
        """True on a working day, including make-up days (调休上班) on weekends."""
        if isinstance(day, datetime):
            day = day.astimezone(self.tz).date() if day.tzinfo else day.date()
        self._check(day)
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))

    def add_workdays(self, day: date, count: int) -> date:
        """The ``count``-th working day strictly after ``day`` (count ≥ 1)."""
        if count < 1:
            raise TicketError(f"working days must be at least 1, not {count}: fix the deadline rule")
        current = day
        for _ in range(MAX_SPAN_DAYS):
            current += timedelta(days=1)
            if self.is_workday(current):
                count -= 1
                if count == 0:
                    return current
        raise TicketError(f"no {count} working days within {MAX_SPAN_DAYS} days of {day}: lower working_days")

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_workdays(day, 1)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds between two instants that fall on working days (whole calendar days, 00:00–24:00 local).

        A reply on Monday 10:00 to a message forwarded on Friday 16:00 took 8 + 10 = 18 working hours;
        the weekend does not count. Zero when ``end`` is not after ``start``.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise TicketError("working time needs timezone-aware datetimes: give them a zone such as +08:00")
        if end <= start:
            return 0.0
        start_local, end_local = start.astimezone(self.tz), end.astimezone(self.tz)
        if (end_local.date() - start_local.date()).days > MAX_SPAN_DAYS:
            raise TicketError(
                f"{start_local:%Y-%m-%d} to {end_local:%Y-%m-%d} spans more than {MAX_SPAN_DAYS} days: "
                "check the dates"
            )
        total = 0.0
        day = start_local.date()
        while day <= end_local.date():
            if self.is_workday(day):
                day_start = datetime.combine(day, time.min, tzinfo=self.tz)
                day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.tz)
                lo, hi = max(day_start, start_local), min(day_end, end_local)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


__all__ = ["CalendarRangeError", "WorkCalendar"]
