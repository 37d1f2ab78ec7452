"""The findings database as SQLAlchemy 2 typed ORM models (long and narrow: no column per check).

The schema is created and changed only by the Alembic migrations in ``findings/migrations``; a test
asserts that the migrations at head and these models agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")
# Row ids: BIGINT on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY is an alias of rowid).
RowId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored in UTC; naive datetimes are refused (their zone is unknown).

    PostgreSQL keeps ``timestamptz``; SQLite has no zone type, so the UTC wall time is stored and read
    back as UTC. The store converts results to the application's zone (Asia/Shanghai, +08:00).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give it a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSONDoc, list[Any]: JSONDoc, datetime: UTCDateTime}


class SiteRow(Base):
    """The registry (网站名录) as last imported."""

    __tablename__ = "sites"

    site_code: Mapped[str] = mapped_column(String(16), primary_key=True)  # 网站标识码
    name: Mapped[str] = mapped_column(String(255))
    homepage: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(255))
    host_org: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    has_services: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)  # registry order, for listings and reports
    updated_at: Mapped[datetime]


class AccountRow(Base):
    """New-media accounts (政务新媒体) as last imported."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(255))
    host_org: Mapped[str] = mapped_column(String(255))
    homepage: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # running / closed / cancelled
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    filing_no: Mapped[str] = mapped_column(String(128), server_default="")  # 备案编号 (revision 0005)


class RunRow(Base):
    """One inspection run at one monitoring point (监测时间点)."""

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[datetime]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    profile_id: Mapped[str] = mapped_column(String(64))
    profile_version: Mapped[str] = mapped_column(String(64))
    settings_json: Mapped[dict[str, Any]]


class SiteRunRow(Base):
    """One site inside one run: pending until its results are saved (what ``--resume`` reads)."""

    __tablename__ = "site_runs"
    __table_args__ = (Index("ix_site_runs_run_id_status", "run_id", "status"),)

    run_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    site_code: Mapped[str] = mapped_column(String(16), ForeignKey("sites.site_code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # order of the run's site list
    status: Mapped[str] = mapped_column(String(16))  # pending / done / failed
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    pages_left_out: Mapped[int] = mapped_column(Integer, default=0)
    homepage_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    warc_path: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None]


class CheckRunRow(Base):
    """How one check ran on one site in one run."""

    __tablename__ = "check_runs"
    __table_args__ = (Index("ix_check_runs_run_id_site_code", "run_id", "site_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64), ForeignKey("runs.run_id", ondelete="CASCADE"))
    site_code: Mapped[str] = mapped_column(String(16))
    check: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    findings: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)


class FindingRow(Base):
    """One finding with its evidence; ``detail`` keeps the check-specific facts as JSON."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_run_id_site_code", "run_id", "site_code"),
        Index("ix_findings_run_id_check", "run_id", "check"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64), ForeignKey("runs.run_id", ondelete="CASCADE"))
    site_code: Mapped[str] = mapped_column(String(16))
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
    screenshot: Mapped[str | None] = mapped_column(Text)
    observed_at: Mapped[datetime | None]


class ScoreRow(Base):
    """A site's score in a run; ``losses`` is the point-by-point explanation (PointLoss list)."""

    __tablename__ = "scores"

    run_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    site_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    qualified: Mapped[bool] = mapped_column(Boolean)
    vetoes: Mapped[list[Any]]
    deductions: Mapped[float] = mapped_column(Float)
    bonus: Mapped[float] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    losses: Mapped[list[Any]]
    profile_id: Mapped[str] = mapped_column(String(64))
    profile_version: Mapped[str] = mapped_column(String(64))


# Tables of other parts that live in this database register on the same metadata here, so Alembic and
# the schema test see one complete model (imported last: they build on Base above).
import govinspect.monitor.tables  # noqa: E402,F401  (availability_probes)
import govinspect.newmedia.tables  # noqa: E402,F401  (account_messages, account_filings, account_runs, account_findings)
import govinspect.tickets.tables  # noqa: E402,F401  (tickets, ticket_events)
import govinspect.web.tables  # noqa: E402,F401  (users, rectifications)
