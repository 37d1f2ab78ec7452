"""Week-long availability monitoring (站点无法访问): one row per homepage probe.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Types are spelled out here rather than imported from ``monitor/tables.py`` so this revision keeps
describing the schema it created when the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _row_id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "availability_probes",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("probed_at", _when(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("failure", sa.String(length=32), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("own_refusal", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_probes")),
    )
    op.create_index(
        "ix_availability_probes_site_code_probed_at", "availability_probes", ["site_code", "probed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_availability_probes_site_code_probed_at", table_name="availability_probes")
    op.drop_table("availability_probes")
