"""Tables of the dashboard in the findings database (same Base, metadata and migrations).

``users`` holds the dashboard's accounts (password hashes only, never the password); ``rectifications``
is the append-only history of 整改跟踪: every status change of a finding is one row, and a finding's
current status is its newest row (no row: open). Created by Alembic revision 0003.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govinspect.findings.tables import Base, RowId


class UserRow(Base):
    """A dashboard account: its role and what it may see (a region prefix or its own site codes)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # scrypt$n$r$p$salt$hash
    role: Mapped[str] = mapped_column(String(16))  # admin / inspector / operator / viewer
    region_scope: Mapped[str] = mapped_column(String(255))  # 广东省 or 广东省/湛江市; '' for operators
    site_codes: Mapped[list[Any]]  # 网站标识码 an operator answers for
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RectificationRow(Base):
    """One step of a finding's rectification (整改): marked fixed, accepted or rejected, with a note."""

    __tablename__ = "rectifications"
    __table_args__ = (
        Index("ix_rectifications_run_id_site_code", "run_id", "site_code"),
        Index("ix_rectifications_finding_id", "finding_id"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64), ForeignKey("runs.run_id", ondelete="CASCADE"))
    site_code: Mapped[str] = mapped_column(String(16))
    finding_id: Mapped[int] = mapped_column(RowId)
    check: Mapped[str] = mapped_column(String(64))  # kept with the url so the history reads on its own
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # fixed / accepted / rejected (open: no row yet)
    note: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
