"""Availability samples in the findings database: append one probe, read a window back.

Each probe is one row written in its own short transaction as soon as the probe ends, so a monitor that
is stopped (or killed) keeps every probe it finished and never leaves half a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from govinspect.errors import StoreError
from govinspect.fetch.types import Attempt, FailureClass
from govinspect.findings.store import Store
from govinspect.monitor.tables import ProbeRow
from govinspect.monitor.window import ProbeWindow

_IN_CHUNK = 500  # site codes per IN (...) list


@dataclass(frozen=True, slots=True)
class Probe:
    """One finished probe of one site, as the sampler stores it."""

    site_code: str
    url: str
    attempt: Attempt
    error: str = ""


class SampleStore:
    """The ``availability_probes`` table over an open :class:`Store` (its engine and migrations)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, probe: Probe) -> None:
        """Store one probe (one row, one transaction)."""
        a = probe.attempt
        row = {
            "site_code": probe.site_code,
            "url": probe.url,
            "probed_at": a.at,
            "ok": a.ok,
            "failure": str(a.failure) if a.failure is not None else None,
            "status": a.status,
            "elapsed_ms": round(a.elapsed * 1000),
            "own_refusal": a.own_refusal,
            "error": probe.error[:300],
        }
        try:
            with self.store.engine.begin() as conn:
                conn.execute(insert(ProbeRow), [row])
        except SQLAlchemyError as exc:
            reason = " ".join(str(exc).split())[:200]
            raise StoreError(
                f"cannot store an availability probe in {self.store.url.render_as_string(hide_password=True)} "
                f"({reason}): check the database, then start the monitor again (it appends)"
            ) from None

    def attempts(self, site_codes: Iterable[str] | None, start: datetime, end: datetime
                 ) -> dict[str, list[Attempt]]:
        """The stored probes in ``[start, end]`` by site code, oldest first (all sites when ``None``)."""
        out: dict[str, list[Attempt]] = {}
        codes = sorted(set(site_codes)) if site_codes is not None else None
        chunks = [codes[i:i + _IN_CHUNK] for i in range(0, len(codes), _IN_CHUNK)] if codes is not None else [None]
        with self.store.engine.connect() as conn:
            for chunk in chunks:
                query = (select(ProbeRow.__table__).where(ProbeRow.probed_at >= start, ProbeRow.probed_at <= end)
                         .order_by(ProbeRow.site_code, ProbeRow.probed_at, ProbeRow.id))
                if chunk is not None:
                    query = query.where(ProbeRow.site_code.in_(chunk))
                for row in conn.execute(query):
                    out.setdefault(row.site_code, []).append(_attempt(row))
        return out

    def windows(self, site_codes: Iterable[str] | None, end: datetime, days: int) -> dict[str, ProbeWindow]:
        """The window of ``days`` before the monitoring point ``end`` for each site that has samples in it."""
        empty = ProbeWindow.before(end, days)
        found = self.attempts(site_codes, empty.start, end)
        return {code: ProbeWindow(start=empty.start, end=end, attempts=rows) for code, rows in found.items()}

    def count(self) -> int:
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ProbeRow)).scalar_one())

    def latest(self) -> datetime | None:
        """When the newest probe was made (to name a useful ``--as-of`` in errors)."""
        with self.store.engine.connect() as conn:
            newest: datetime | None = conn.execute(select(func.max(ProbeRow.probed_at))).scalar_one()
        return newest  # the column type (UTCDateTime) gives it back aware, in UTC, on every database


def _attempt(row: Any) -> Attempt:
    try:
        failure = FailureClass(row.failure) if row.failure else None
    except ValueError:  # a class this version does not know: still a failure
        failure = FailureClass.OTHER
    return Attempt(at=row.probed_at, ok=bool(row.ok), elapsed=row.elapsed_ms / 1000, status=row.status,
                   failure=failure, own_refusal=bool(row.own_refusal))
