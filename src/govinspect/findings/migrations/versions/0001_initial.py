"""Initial schema: sites, accounts, runs, site_runs, check_runs, findings, scores.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Types are spelled out here rather than imported from ``tables.py`` so this revision keeps describing
the schema it created when the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _row_id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("site_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("homepage", sa.Text(), nullable=False),
        sa.Column("region", sa.String(length=255), nullable=False),
        sa.Column("host_org", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("has_services", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("site_code", name=op.f("pk_sites")),
    )
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=255), nullable=False),
        sa.Column("host_org", sa.String(length=255), nullable=False),
        sa.Column("homepage", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", _when(), nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("finished_at", _when(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("profile_version", sa.String(length=64), nullable=False),
        sa.Column("settings_json", _json(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    op.create_table(
        "site_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("pages_left_out", sa.Integer(), nullable=False),
        sa.Column("homepage_ok", sa.Boolean(), nullable=False),
        sa.Column("warc_path", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("finished_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_site_runs_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["site_code"], ["sites.site_code"], name=op.f("fk_site_runs_site_code_sites")
        ),
        sa.PrimaryKeyConstraint("run_id", "site_code", name=op.f("pk_site_runs")),
    )
    op.create_index("ix_site_runs_run_id_status", "site_runs", ["run_id", "status"])
    op.create_table(
        "check_runs",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=False),
        sa.Column("check", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_check_runs_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_runs")),
    )
    op.create_index("ix_check_runs_run_id_site_code", "check_runs", ["run_id", "site_code"])
    op.create_table(
        "findings",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=False),
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
        sa.Column("screenshot", sa.Text(), nullable=True),
        sa.Column("observed_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_findings_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index("ix_findings_run_id_site_code", "findings", ["run_id", "site_code"])
    op.create_index("ix_findings_run_id_check", "findings", ["run_id", "check"])
    op.create_table(
        "scores",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("vetoes", _json(), nullable=False),
        sa.Column("deductions", sa.Float(), nullable=False),
        sa.Column("bonus", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("losses", _json(), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("profile_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_scores_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "site_code", name=op.f("pk_scores")),
    )


def downgrade() -> None:
    op.drop_table("scores")
    op.drop_index("ix_findings_run_id_check", table_name="findings")
    op.drop_index("ix_findings_run_id_site_code", table_name="findings")
    op.drop_table("findings")
    op.drop_index("ix_check_runs_run_id_site_code", table_name="check_runs")
    op.drop_table("check_runs")
    op.drop_index("ix_site_runs_run_id_status", table_name="site_runs")
    op.drop_table("site_runs")
    op.drop_table("runs")
    op.drop_table("accounts")
    op.drop_table("sites")
