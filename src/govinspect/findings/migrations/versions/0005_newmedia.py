"""New media: 备案编号 on accounts, message exports, the filing list, account results per run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Types are spelled out here rather than imported from ``newmedia/tables.py`` so this revision keeps
describing the schema it created when the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _row_id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("filing_no", sa.String(length=128), nullable=False, server_default=""))
    op.create_table(
        "account_messages",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", _when(), nullable=False),
        sa.Column("replied_at", _when(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("imported_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_messages")),
        sa.UniqueConstraint("account_id", "message_id", name=op.f("uq_account_messages_account_id")),
    )
    op.create_table(
        "account_filings",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("filing_no", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("host_org", sa.String(length=255), nullable=False),
        sa.Column("imported_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_filings")),
    )
    op.create_table(
        "account_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("homepage_ok", sa.Boolean(), nullable=False),
        sa.Column("warc_path", sa.Text(), nullable=False),
        sa.Column("check_runs", _json(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=True),
        sa.Column("vetoes", _json(), nullable=True),
        sa.Column("deductions", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("losses", _json(), nullable=True),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("profile_version", sa.String(length=64), nullable=False),
        sa.Column("finished_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name=op.f("fk_account_runs_run_id_runs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"],
                                name=op.f("fk_account_runs_account_id_accounts")),
        sa.PrimaryKeyConstraint("run_id", "account_id", name=op.f("pk_account_runs")),
    )
    op.create_index("ix_account_runs_run_id_status", "account_runs", ["run_id", "status"])
    op.create_table(
        "account_findings",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("check", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=128), nullable=False),
        sa.Column("detail", _json(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("locator", sa.Text(), nullable=False),
        sa.Column("warc_record", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("observed_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name=op.f("fk_account_findings_run_id_runs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_findings")),
    )
    op.create_index("ix_account_findings_run_id_account_id", "account_findings", ["run_id", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_account_findings_run_id_account_id", table_name="account_findings")
    op.drop_table("account_findings")
    op.drop_index("ix_account_runs_run_id_status", table_name="account_runs")
    op.drop_table("account_runs")
    op.drop_table("account_filings")
    op.drop_table("account_messages")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("filing_no")
