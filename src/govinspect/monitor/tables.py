"""The availability samples table in the findings database (same Base, metadata and migrations).

One row per homepage probe of the week-long monitor; the schema is created by Alembic revision 0004.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govinspect.findings.tables import Base, RowId


class ProbeRow(Base):
    """One availability probe of a site's homepage (append-only)."""

    __tablename__ = "availability_probes"
    __table_args__ = (Index("ix_availability_probes_site_code_probed_at", "site_code", "probed_at"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    site_code: Mapped[str] = mapped_column(String(16))  # 网站标识码
    url: Mapped[str] = mapped_column(Text)  # the homepage as probed
    probed_at: Mapped[datetime]  # UTC
    ok: Mapped[bool] = mapped_column(Boolean)  # the homepage answered below 400 (slowness judged later)
    failure: Mapped[str | None] = mapped_column(String(32))  # FailureClass value, None when it answered
    status: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    own_refusal: Mapped[bool] = mapped_column(Boolean)  # stopped by our own rules, not the site's fault
    error: Mapped[str] = mapped_column(Text)  # one-line cause of a failure
