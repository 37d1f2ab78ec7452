"""Citizen messages: tickets and their audit trail ticket_events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Types are spelled out here rather than imported from ``tickets/tables.py`` so this revision keeps
describing the schema it created when the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _row_id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=False),
        sa.Column("received_at", _when(), nullable=False),
        sa.Column("forwarded_at", _when(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reporter_contact", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("replied_at", _when(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("deadline_at", _when(), nullable=True),
        sa.Column("handled_by", sa.String(length=255), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["site_code"], ["sites.site_code"], name=op.f("fk_tickets_site_code_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    op.create_index("ix_tickets_received_at", "tickets", ["received_at"])
    op.create_index("ix_tickets_site_code_status", "tickets", ["site_code", "status"])
    op.create_index("ix_tickets_status_deadline_at", "tickets", ["status", "deadline_at"])
    op.create_table(
        "ticket_events",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_events_ticket_id", table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index("ix_tickets_status_deadline_at", table_name="tickets")
    op.drop_index("ix_tickets_site_code_status", table_name="tickets")
    op.drop_index("ix_tickets_received_at", table_name="tickets")
    op.drop_table("tickets")
