"""Persistence of citizen messages in the findings database (SQLite or PostgreSQL, same engine).

``TicketStore(store)`` works on an opened :class:`govinspect.findings.store.Store` (which has migrated the
schema). Every change of a message writes its new state and an audit event in one transaction; a change
is applied only if the message is still in the state it was read in, so two desks replying at once cannot
both win.

Importing the platform's export again is safe: unchanged rows are left alone, changed rows are updated
with an ``updated`` event, and a platform state that is behind the stored one (a reply entered here that
the platform does not show yet) never moves a message back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from govinspect.findings.store import Store
from govinspect.findings.tables import SiteRow
from govinspect.registry.load import RowError
from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.model import (
    HANDLED,
    STATUS_RANK,
    Ticket,
    TicketError,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from govinspect.tickets.service import (
    AssessmentRule,
    DeadlineRule,
    TicketStats,
    compute_stats,
    window_bounds,
)
from govinspect.tickets.service import close as close_ticket
from govinspect.tickets.service import forward as forward_ticket
from govinspect.tickets.service import reject as reject_ticket
from govinspect.tickets.service import reply as reply_ticket
from govinspect.tickets.tables import TicketEventRow, TicketRow

if TYPE_CHECKING:
    from govinspect.tickets.importer import ImportedTicket

_IN_CHUNK = 500
MAX_LIST = 100_000

_DESCRIPTIVE = ("kind", "site_code", "received_at", "title", "content", "reporter_contact")
_HANDLING = ("status", "forwarded_at", "deadline_at", "replied_at", "reply", "handled_by")


@dataclass
class ImportOutcome:
    """What an import did: rows inserted, updated, left unchanged, and rows refused (with the reason)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _chunks(items: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _row_values(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "kind": str(ticket.kind),
        "site_code": ticket.site_code,
        "received_at": ticket.received_at,
        "forwarded_at": ticket.forwarded_at,
        "title": ticket.title,
        "content": ticket.content,
        "reporter_contact": ticket.reporter_contact,
        "status": str(ticket.status),
        "replied_at": ticket.replied_at,
        "reply": ticket.reply,
        "deadline_at": ticket.deadline_at,
        "handled_by": ticket.handled_by,
    }


def _status_event(ticket: Ticket) -> tuple[str, datetime | None]:
    """The audit event a status stands for and when it happened."""
    if ticket.status is TicketStatus.FORWARDED:
        return "forwarded", ticket.forwarded_at
    if ticket.status in HANDLED:
        return str(ticket.status), ticket.replied_at
    return "received", ticket.received_at


def _history(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The events a newly stored message has already been through, oldest first."""
    steps: list[tuple[str, datetime]] = [("received", ticket.received_at)]
    if ticket.forwarded_at is not None:
        steps.append(("forwarded", ticket.forwarded_at))
    if ticket.status in HANDLED and ticket.replied_at is not None:
        if ticket.status is TicketStatus.CLOSED:
            steps.append(("replied", ticket.replied_at))
        steps.append((str(ticket.status), ticket.replied_at))
    return steps


def merge_import(stored: Ticket, incoming: Ticket) -> tuple[Ticket, list[str]]:
    """The stored message updated from a new export row, and the names of the fields that changed.

    Descriptive fields follow the file. Handling fields follow the file only when its state is at least
    as far along as the stored one, and an empty cell never erases a stored value. The deadline stays the
    one set at forwarding unless the forwarding time itself changed.
    """
    changes: dict[str, Any] = {name: getattr(incoming, name) for name in _DESCRIPTIVE}
    if STATUS_RANK[incoming.status] >= STATUS_RANK[stored.status]:
        for name in _HANDLING:
            value = getattr(incoming, name)
            if value not in (None, ""):
                changes[name] = value
        if incoming.forwarded_at == stored.forwarded_at and stored.deadline_at is not None:
            changes["deadline_at"] = stored.deadline_at
    merged = stored.but(**changes)
    changed = [f.name for f in fields(Ticket) if getattr(merged, f.name) != getattr(stored, f.name)]
    return merged, changed


class _Lean:
    """A row read without its texts, shaped like a full one for :meth:`TicketStore._ticket`."""

    title = content = reply = ""

    def __init__(self, mapping: Any) -> None:
        self.__dict__.update(mapping)


class TicketStore:
    """Citizen messages in the database of an opened :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        self.tz = store.tz

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            if self.store.is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def _local(self, value: datetime | None) -> datetime | None:
        return value.astimezone(self.tz) if value is not None else None

    def _ticket(self, r: Any) -> Ticket:
        return Ticket(
            id=r.id,
            kind=TicketKind(r.kind),
            site_code=r.site_code,
            received_at=self._local(r.received_at),  # type: ignore[arg-type]
            title=r.title,
            content=r.content,
            reporter_contact=r.reporter_contact,
            status=TicketStatus(r.status),
            forwarded_at=self._local(r.forwarded_at),
            deadline_at=self._local(r.deadline_at),
            replied_at=self._local(r.replied_at),
            reply=r.reply,
            handled_by=r.handled_by,
        )

    @staticmethod
    def _event_rows(
        ticket_id: str, steps: Iterable[tuple[str, datetime]], actor: str, note: str, now: datetime
    ) -> list[dict[str, Any]]:
        return [
            {"ticket_id": ticket_id, "at": at, "event": event, "actor": actor, "note": note, "recorded_at": now}
            for event, at in steps
        ]

    def _known_sites(self, conn: Connection, codes: Iterable[str]) -> set[str]:
        wanted = sorted(set(codes))
        known: set[str] = set()
        for chunk in _chunks(wanted):
            known.update(conn.scalars(select(SiteRow.site_code).where(SiteRow.site_code.in_(chunk))))
        return known

    # -- writing -------------------------------------------------------------------------------------

    def import_tickets(self, items: Iterable[ImportedTicket], *, actor: str = "import") -> ImportOutcome:
        """Insert new messages and update changed ones in one transaction; unknown sites are row errors."""
        outcome = ImportOutcome()
        batch = list({item.ticket.id: item for item in items}.values())
        if not batch:
            return outcome
        now = _utcnow()
        with self._write() as conn:
            known = self._known_sites(conn, (item.ticket.site_code for item in batch))
            stored: dict[str, Ticket] = {}
            ids = [item.ticket.id for item in batch]
            for chunk in _chunks(ids):
                for r in conn.execute(select(TicketRow.__table__).where(TicketRow.id.in_(chunk))):
                    stored[r.id] = self._ticket(r)
            new_rows: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            for item in batch:
                ticket = item.ticket
                if ticket.site_code not in known:
                    outcome.errors.append(
                        RowError(
                            item.row,
                            "site_code",
                            f"网站标识码 {ticket.site_code} is not in the registry: import the registry "
                            "(govinspect registry import) first, then this file again",
                        )
                    )
                    continue
                old = stored.get(ticket.id)
                if old is None:
                    new_rows.append({**_row_values(ticket), "updated_at": now})
                    events.extend(self._event_rows(ticket.id, _history(ticket), actor, f"row {item.row}", now))
                    outcome.inserted += 1
                    continue
                merged, changed = merge_import(old, ticket)
                if not changed:
                    outcome.unchanged += 1
                    continue
                conn.execute(
                    update(TicketRow).where(TicketRow.id == ticket.id).values(**_row_values(merged), updated_at=now)
                )
                note = f"row {item.row}: " + ", ".join(changed)
                if merged.status is not old.status:
                    event, at = _status_event(merged)
                    events.extend(self._event_rows(ticket.id, [(event, at or now)], actor, note, now))
                else:
                    events.extend(self._event_rows(ticket.id, [("updated", now)], actor, note, now))
                outcome.updated += 1
            if new_rows:
                conn.execute(insert(TicketRow), new_rows)
            if events:
                conn.execute(insert(TicketEventRow), events)
        return outcome

    def add(self, ticket: Ticket, *, actor: str, note: str = "") -> None:
        """Store a new message (intake by hand or from another channel) with its history so far."""
        now = _utcnow()
        with self._write() as conn:
            if ticket.site_code not in self._known_sites(conn, [ticket.site_code]):
                raise TicketError(
                    f"网站标识码 {ticket.site_code} is not in the registry: import the registry first"
                )
            if conn.scalar(select(TicketRow.id).where(TicketRow.id == ticket.id)) is not None:
                raise TicketError(f"message {ticket.id} is already stored: use another 留言编号")
            conn.execute(insert(TicketRow), [{**_row_values(ticket), "updated_at": now}])
            conn.execute(insert(TicketEventRow), self._event_rows(ticket.id, _history(ticket), actor, note, now))

    def _change(self, old: Ticket, new: Ticket, *, event: str, at: datetime, actor: str, note: str) -> Ticket:
        """Write ``new`` only if the stored message is still ``old``'s status; log the event."""
        now = _utcnow()
        with self._write() as conn:
            done = conn.execute(
                update(TicketRow)
                .where(TicketRow.id == old.id, TicketRow.status == str(old.status))
                .values(**_row_values(new), updated_at=now)
            )
            if done.rowcount != 1:
                raise TicketError(
                    f"message {old.id} changed while it was being updated: show it again and retry"
                )
            conn.execute(insert(TicketEventRow), self._event_rows(old.id, [(event, at)], actor, note, now))
        return new

    def forward(
        self, ticket_id: str, at: datetime, rule: DeadlineRule, calendar: WorkCalendar, *, actor: str
    ) -> Ticket:
        """转办 a received message; sets the deadline."""
        old = self.require(ticket_id)
        new = forward_ticket(old, at, rule, calendar)
        assert new.deadline_at is not None
        return self._change(
            old, new, event="forwarded", at=at, actor=actor,
            note=f"due {new.deadline_at.astimezone(self.tz):%Y-%m-%d %H:%M} ({rule.describe()})",
        )

    def reply(self, ticket_id: str, text: str, at: datetime, *, actor: str, handled_by: str = "") -> Ticket:
        """答复 a forwarded message; ``handled_by`` names the answering unit when it is not stored yet."""
        old = self.require(ticket_id)
        new = reply_ticket(old, at, text, handled_by=handled_by)
        return self._change(old, new, event="replied", at=at, actor=actor, note="")

    def close(self, ticket_id: str, at: datetime, *, actor: str) -> Ticket:
        """办结 a replied message."""
        old = self.require(ticket_id)
        return self._change(old, close_ticket(old), event="closed", at=at, actor=actor, note="")

    def reject(self, ticket_id: str, reason: str, at: datetime, *, actor: str, handled_by: str = "") -> Ticket:
        """退回 a message with the reason as its reply."""
        old = self.require(ticket_id)
        new = reject_ticket(old, at, reason, handled_by=handled_by)
        return self._change(old, new, event="rejected", at=at, actor=actor, note="")

    # -- reading -------------------------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(TicketRow.__table__).where(TicketRow.id == ticket_id)).first()
        return self._ticket(row) if row is not None else None

    def require(self, ticket_id: str) -> Ticket:
        ticket = self.get(ticket_id)
        if ticket is None:
            raise TicketError(f"no message {ticket_id!r} in the database: list them with `govinspect tickets list`")
        return ticket

    def list(
        self,
        *,
        status: TicketStatus | None = None,
        site_code: str | None = None,
        kind: TicketKind | None = None,
        received_from: datetime | None = None,
        received_before: datetime | None = None,
        overdue_at: datetime | None = None,
        limit: int = MAX_LIST,
    ) -> list[Ticket]:
        """Messages in received order, filtered; ``overdue_at`` keeps those open past their deadline then."""
        query = select(TicketRow.__table__)
        if status is not None:
            query = query.where(TicketRow.status == str(status))
        if site_code is not None:
            query = query.where(TicketRow.site_code == site_code)
        if kind is not None:
            query = query.where(TicketRow.kind == str(kind))
        if received_from is not None:
            query = query.where(TicketRow.received_at >= received_from)
        if received_before is not None:
            query = query.where(TicketRow.received_at < received_before)
        if overdue_at is not None:
            handled = [str(s) for s in HANDLED]
            query = query.where(
                TicketRow.deadline_at.is_not(None),
                TicketRow.deadline_at < overdue_at,
                or_(
                    TicketRow.status.not_in(handled),
                    and_(TicketRow.replied_at.is_not(None), TicketRow.replied_at > overdue_at),
                ),
            )
        query = query.order_by(TicketRow.received_at, TicketRow.id).limit(max(1, min(limit, MAX_LIST)))
        with self.engine.connect() as conn:
            return [self._ticket(r) for r in conn.execute(query)]

    def events(self, ticket_id: str) -> list[TicketEvent]:
        """The audit trail of a message in the order it was written."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(TicketEventRow.__table__)
                .where(TicketEventRow.ticket_id == ticket_id)
                .order_by(TicketEventRow.id)
            )
            return [
                TicketEvent(
                    ticket_id=r.ticket_id,
                    at=self._local(r.at),  # type: ignore[arg-type]
                    event=r.event,
                    actor=r.actor,
                    note=r.note,
                )
                for r in rows
            ]

    def stats(
        self,
        start: date,
        end: date,
        as_of: datetime,
        calendar: WorkCalendar,
        *,
        rule: DeadlineRule | None = None,
        kind: TicketKind | None = None,
        assessment: AssessmentRule | None = None,
    ) -> TicketStats:
        """:func:`compute_stats` over the messages received in the window, with the registry's sites."""
        lo, hi = window_bounds(start, end, calendar)
        # Every message of the window counts, so no row limit; the texts are not needed and not read.
        lean = [c for c in TicketRow.__table__.c if c.name not in ("title", "content", "reply")]
        query = select(*lean).where(TicketRow.received_at >= lo, TicketRow.received_at < hi)
        if kind is not None:
            query = query.where(TicketRow.kind == str(kind))
        with self.engine.connect() as conn:
            tickets = [
                self._ticket(_Lean(r._mapping)) for r in conn.execute(query.order_by(TicketRow.received_at))
            ]
        sites = {s.site_code: s for s in self.store.sites()}
        return compute_stats(
            tickets, sites, start, end, as_of, calendar, rule=rule, kind=kind, assessment=assessment
        )


__all__ = ["ImportOutcome", "TicketStore", "merge_import"]
