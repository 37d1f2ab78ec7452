"""Tables of the messages module in the findings database (same Base, metadata and migrations).

``tickets`` holds one row per citizen message; ``ticket_events`` is its append-only audit trail. The
schema is created by Alembic revision 0002.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govinspect.findings.tables import Base, RowId


class TicketRow(Base):
    """One citizen message (我为政府网站找错 or 网上咨询) and how it was handled."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_received_at", "received_at"),
        Index("ix_tickets_site_code_status", "site_code", "status"),
        Index("ix_tickets_status_deadline_at", "status", "deadline_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # 留言编号
    kind: Mapped[str] = mapped_column(String(16))  # jiucuo / consultation
    site_code: Mapped[str] = mapped_column(String(16), ForeignKey("sites.site_code"))
    received_at: Mapped[datetime]
    forwarded_at: Mapped[datetime | None]
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)  # the citizen's text as given; masked when printed
    reporter_contact: Mapped[str] = mapped_column(String(255))  # stored masked
    status: Mapped[str] = mapped_column(String(16))
    replied_at: Mapped[datetime | None]
    reply: Mapped[str] = mapped_column(Text)
    deadline_at: Mapped[datetime | None]
    handled_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime]


class TicketEventRow(Base):
    """One entry of a message's audit trail (append-only)."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(String(64), ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    event: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
