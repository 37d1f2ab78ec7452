"""New-media tables in the findings database (same Base, metadata and migrations; Alembic revision 0005).

- ``account_messages``: the platforms' message exports, one row per (account, message), upserted;
- ``account_filings``: the 报送系统 filing list as last imported (an import replaces it whole);
- ``account_runs``: one row per (run, account): pending/done/failed, what the source gave, the score and
  the check outcomes (what ``--resume`` and the reports read);
- ``account_findings``: one row per finding of an account in a run (long and narrow, as ``findings``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govinspect.findings.tables import Base, RowId


class AccountMessageRow(Base):
    """One 留言/私信 of an account as the platform exported it."""

    __tablename__ = "account_messages"
    __table_args__ = (UniqueConstraint("account_id", "message_id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime]
    replied_at: Mapped[datetime | None]
    title: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime]


class AccountFilingRow(Base):
    """One row of the 全国政务新媒体信息报送系统 filing list."""

    __tablename__ = "account_filings"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    filing_no: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # running / closed / cancelled
    changed_on: Mapped[date | None] = mapped_column(Date)
    host_org: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime]


class AccountRunRow(Base):
    """One account inside one run: pending until saved, then its source facts, outcomes and score."""

    __tablename__ = "account_runs"
    __table_args__ = (Index("ix_account_runs_run_id_status", "run_id", "status"),)

    run_id: Mapped[str] = mapped_column(String(64), ForeignKey("runs.run_id", ondelete="CASCADE"),
                                        primary_key=True)
    account_id: Mapped[str] = mapped_column(String(128), ForeignKey("accounts.account_id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending / done / failed
    error: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16))  # rss / atom / json / html / ""
    posts: Mapped[int] = mapped_column(Integer)
    homepage_ok: Mapped[bool] = mapped_column(Boolean)
    warc_path: Mapped[str] = mapped_column(Text)
    check_runs: Mapped[list[Any]]
    qualified: Mapped[bool | None] = mapped_column(Boolean)
    vetoes: Mapped[list[Any] | None]
    deductions: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    losses: Mapped[list[Any] | None]
    profile_id: Mapped[str] = mapped_column(String(64))
    profile_version: Mapped[str] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]


class AccountFindingRow(Base):
    """One finding of an account in a run, with its evidence."""

    __tablename__ = "account_findings"
    __table_args__ = (Index("ix_account_findings_run_id_account_id", "run_id", "account_id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64), ForeignKey("runs.run_id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(128))
    check: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]]
    excerpt: Mapped[str] = mapped_column(Text)
    locator: Mapped[str] = mapped_column(Text)
    warc_record: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    observed_at: Mapped[datetime | None]
