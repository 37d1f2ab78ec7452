"""A window of availability samples and its coverage: what site.unreachable and ``monitor status`` judge.

The rule (站点无法访问) asks for one week of monitoring with at least 20 probes a day. Coverage is counted
per day of the window, each day being the 24 hours counted back from the window's end (the monitoring
point), so a monitor that ran only part of the week shows the days it missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from govinspect.fetch.types import Attempt

DAY = timedelta(days=1)


@dataclass(slots=True)
class ProbeWindow:
    """The stored probes of one site in ``[start, end]`` (``end`` = the monitoring point)."""

    start: datetime
    end: datetime
    attempts: list[Attempt] = field(default_factory=list)

    @classmethod
    def before(cls, end: datetime, days: int, attempts: list[Attempt] | None = None) -> ProbeWindow:
        return cls(start=end - days * DAY, end=end, attempts=list(attempts or []))


@dataclass(frozen=True, slots=True)
class Coverage:
    """Probes per day of a window, oldest day first, and whether each day reached ``required``."""

    per_day: tuple[int, ...]
    required: int

    @property
    def average(self) -> float:
        return sum(self.per_day) / len(self.per_day)

    @property
    def lowest(self) -> int:
        return min(self.per_day)

    @property
    def days_below(self) -> int:
        return sum(1 for n in self.per_day if n < self.required)

    @property
    def met(self) -> bool:
        return self.days_below == 0

    def describe(self) -> str:
        """One line for findings, outcomes and ``monitor status``."""
        days = len(self.per_day)
        if self.met:
            return f"every one of the {days} days has at least {self.required} probes (lowest {self.lowest})"
        return (f"coverage below the rule: {self.days_below} of {days} days have fewer than {self.required} "
                f"probes (lowest {self.lowest}, average {self.average:.1f} a day)")


def coverage(attempts: list[Attempt], start: datetime, end: datetime, required: int) -> Coverage:
    """Count ``attempts`` per 24-hour day counted back from ``end``; probes outside the window are left out."""
    days = max(1, round((end - start) / DAY))
    counts = [0] * days
    for attempt in attempts:
        if start <= attempt.at <= end:
            back = int((end - attempt.at) / DAY)
            counts[days - 1 - min(back, days - 1)] += 1
    return Coverage(per_day=tuple(counts), required=required)
