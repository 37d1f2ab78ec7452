"""The findings store: registry, runs and their results in SQLite (default) or PostgreSQL.

``Store.open(url)`` builds the engine and migrates the schema to the newest Alembic revision shipped
inside the package (no alembic.ini needed). Results are saved one site at a time, each site in one
transaction that first removes whatever an interrupted attempt left, so ``--resume`` neither loses nor
duplicates findings.

Datetimes must be timezone-aware; they are stored in UTC and come back in the store's zone
(Asia/Shanghai by default), so ``2021-06-15T10:00+08:00`` reads back as itself on both databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from govinspect.errors import StoreError
from govinspect.findings.model import (
    CheckRun,
    Evidence,
    Finding,
    Outcome,
    RunInfo,
    RunResult,
    Severity,
    SiteResult,
)
from govinspect.findings.tables import (
    AccountRow,
    CheckRunRow,
    FindingRow,
    RunRow,
    ScoreRow,
    SiteRow,
    SiteRunRow,
)
from govinspect.registry.models import Account, Site, SiteKind, SiteStatus
from govinspect.scoring.model import PointLoss, SiteScore

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0
PG_CONNECT_TIMEOUT_S = 10
_IN_CHUNK = 500  # bound on bind parameters per IN (...) query
_MIGRATION_LOCK_KEY = 0x676F76696E737063  # pg_advisory_xact_lock key shared by every govinspect process

PENDING, DONE, FAILED = "pending", "done", "failed"

_URL_HELP = "use sqlite:///path/to/govinspect.db or postgresql+psycopg://user@host:5432/dbname"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _normalise_url(url: str) -> URL:
    """Parse a database URL; a bare path means a SQLite file, ``postgresql://`` means psycopg 3."""
    if not url or not url.strip():
        raise StoreError(f"no database URL given: {_URL_HELP}")
    if "://" not in url:
        url = "sqlite:///" + str(Path(url).expanduser().resolve())
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database URL {url!r} cannot be parsed: {_URL_HELP}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise StoreError(f"database driver {parsed.drivername!r} is not supported: {_URL_HELP}")
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise StoreError(f"database driver {parsed.drivername!r} is not supported: {_URL_HELP}")
        return parsed
    raise StoreError(f"database {backend!r} is not supported: {_URL_HELP}")


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def _chunks(items: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Store:
    """Registry, runs and results. Build with :meth:`open`; close with :meth:`close` (or ``with``)."""

    def __init__(self, url: str, *, timezone: str = "Asia/Shanghai") -> None:
        self.url = _normalise_url(url)
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise StoreError(
                f"unknown timezone {timezone!r}: use an IANA name such as Asia/Shanghai"
            ) from None
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine: Engine = self._create_engine()

    # -- opening -----------------------------------------------------------------------------------

    def _create_engine(self) -> Engine:
        try:
            if self.is_sqlite:
                engine = create_engine(self.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
                event.listen(engine, "connect", _sqlite_on_connect)
                return engine
            return create_engine(
                self.url, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}, pool_pre_ping=True
            )
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"cannot use database URL {self._safe_url()} ({exc}): {_URL_HELP}") from None

    def _safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str, *, timezone: str = "Asia/Shanghai") -> Store:
        """Connect and migrate the schema to the newest revision; StoreError names the fix on failure."""
        store = cls(url, timezone=timezone)
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def migrate(self) -> None:
        """Apply the Alembic migrations shipped in ``findings/migrations`` up to head."""
        from alembic import command
        from alembic.config import Config
        from alembic.util import CommandError

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        try:
            with self._sqlite_migration_lock(), self.engine.begin() as conn:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except CommandError as exc:
            raise StoreError(
                f"database {self._safe_url()} has a schema this version of govinspect does not know ({exc}): "
                "upgrade govinspect or use another database"
            ) from None
        except DBAPIError as exc:
            raise self._open_error(exc) from None

    @contextmanager
    def _sqlite_migration_lock(self) -> Iterator[None]:
        """Hold an OS lock on ``<db>.migrate.lock`` so processes opening one new SQLite file migrate in turn.

        Without it two first opens both see an empty schema and the second fails with "table … already
        exists"; with it the second waits and finds the schema at head. PostgreSQL takes an advisory lock
        in :meth:`migrate` instead. Where no lock file can be made (missing or read-only folder, in-memory
        database, no ``fcntl``) it does nothing and opening reports the real problem.
        """
        database = self.url.database if self.is_sqlite else None
        if not database or database == ":memory:" or database.startswith("file:"):
            yield
            return
        try:
            import fcntl

            lock_file = open(database + ".migrate.lock", "a")  # noqa: SIM115 - closed below, after unlocking
        except (ImportError, OSError):
            yield
            return
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes, or the process ends
            yield
        finally:
            lock_file.close()

    def _open_error(self, exc: DBAPIError) -> StoreError:
        reason = _one_line(exc)
        if self.is_sqlite:
            where = self.url.database or ":memory:"
            if "readonly" in reason or "read-only" in reason:
                return StoreError(
                    f"SQLite database {where} is read-only ({reason}): make the file and its folder writable "
                    "or pass another database URL"
                )
            return StoreError(
                f"cannot open SQLite database {where} ({reason}): "
                "check that its folder exists and is writable, "
                "or pass another database URL"
            )
        return StoreError(
            f"cannot use PostgreSQL at {self._safe_url()} ({reason}): start the server, create the database "
            "and role, or fix the database URL"
        )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock up front (waits up to the busy timeout)."""
        with self.engine.begin() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def _local(self, value: datetime | None) -> datetime | None:
        return value.astimezone(self.tz) if value is not None else None

    # -- registry ----------------------------------------------------------------------------------

    def import_sites(self, sites: Iterable[Site]) -> int:
        """Insert or update sites by site_code; they list after earlier imports, in the given order."""
        unique = list({site.site_code: site for site in sites}.values())
        if not unique:
            return 0
        now = _utcnow()
        with self._write() as conn:
            offset = (conn.scalar(select(func.max(SiteRow.position))) or 0) + 1
            rows = [
                {
                    "site_code": s.site_code,
                    "name": s.name,
                    "homepage": s.homepage,
                    "region": s.region,
                    "host_org": s.host_org,
                    "kind": str(s.kind),
                    "status": str(s.status),
                    "has_services": s.has_services,
                    "position": offset + i,
                    "updated_at": now,
                }
                for i, s in enumerate(unique)
            ]
            self._upsert(conn, SiteRow, rows, key="site_code")
        return len(unique)

    def import_accounts(self, accounts: Iterable[Account]) -> int:
        """Insert or update new-media accounts by account_id."""
        unique = list({a.account_id: a for a in accounts}.values())
        if not unique:
            return 0
        now = _utcnow()
        with self._write() as conn:
            offset = (conn.scalar(select(func.max(AccountRow.position))) or 0) + 1
            rows = [
                {
                    "account_id": a.account_id,
                    "name": a.name,
                    "platform": a.platform,
                    "region": a.region,
                    "host_org": a.host_org,
                    "homepage": a.homepage,
                    "status": str(a.status),
                    "filing_no": a.filing_no,
                    "position": offset + i,
                    "updated_at": now,
                }
                for i, a in enumerate(unique)
            ]
            self._upsert(conn, AccountRow, rows, key="account_id")
        return len(unique)

    def _upsert(
        self, conn: Connection, model: type[SiteRow] | type[AccountRow], rows: list[dict[str, Any]], key: str
    ) -> None:
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        stmt = dialect_insert(model)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key], set_={name: stmt.excluded[name] for name in rows[0] if name != key}
        )
        conn.execute(stmt, rows)

    def sites(self, codes: list[str] | None = None) -> list[Site]:
        """All sites in registry order, or the given codes in the given order (unknown codes left out)."""
        with self.engine.connect() as conn:
            if codes is None:
                rows = conn.execute(
                    select(SiteRow.__table__).order_by(SiteRow.position, SiteRow.site_code)
                ).all()
                return [_site(r) for r in rows]
            found: dict[str, Site] = {}
            for chunk in _chunks(list(dict.fromkeys(codes))):
                for r in conn.execute(select(SiteRow.__table__).where(SiteRow.site_code.in_(chunk))):
                    found[r.site_code] = _site(r)
        return [found[c] for c in dict.fromkeys(codes) if c in found]

    def accounts(self) -> list[Account]:
        """All new-media accounts in import order."""
        from govinspect.newmedia.store import NewMediaStore

        return NewMediaStore(self).accounts()

    # -- runs --------------------------------------------------------------------------------------

    def create_run(self, run: RunInfo, site_codes: list[str], settings_json: dict[str, Any]) -> None:
        """Record a new run and register its sites as pending, in the given (registry) order."""
        try:
            json.dumps(settings_json)
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"run settings are not JSON ({exc}): pass settings.model_dump(mode='json')"
            ) from None
        codes = list(dict.fromkeys(site_codes))
        with self._write() as conn:
            if conn.scalar(select(RunRow.run_id).where(RunRow.run_id == run.run_id)) is not None:
                raise StoreError(
                    f"run {run.run_id} already exists: resume it with --resume or start a new run"
                )
            known: set[str] = set()
            for chunk in _chunks(codes):
                known.update(conn.scalars(select(SiteRow.site_code).where(SiteRow.site_code.in_(chunk))))
            missing = [c for c in codes if c not in known]
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                raise StoreError(f"sites {shown} are not in the registry: import the registry before the run")
            conn.execute(
                insert(RunRow),
                [
                    {
                        "run_id": run.run_id,
                        "as_of": _aware(run.as_of, "run as_of"),
                        "started_at": _aware(run.started_at, "run started_at"),
                        "finished_at": _aware(run.finished_at, "run finished_at"),
                        "status": run.status,
                        "profile_id": run.profile_id,
                        "profile_version": run.profile_version,
                        "settings_json": settings_json,
                    }
                ],
            )
            if codes:
                conn.execute(
                    insert(SiteRunRow),
                    [
                        {
                            "run_id": run.run_id,
                            "site_code": code,
                            "position": i,
                            "status": PENDING,
                            "pages_fetched": 0,
                            "pages_left_out": 0,
                            "homepage_ok": False,
                            "warc_path": "",
                            "error": "",
                            "finished_at": None,
                        }
                        for i, code in enumerate(codes)
                    ],
                )

    def get_run(self, run_id: str) -> RunInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(RunRow.__table__).where(RunRow.run_id == run_id)).first()
        return self._run_info(row) if row is not None else None

    def run_settings(self, run_id: str) -> dict[str, Any]:
        """The settings a run was started with (what ``--resume`` reuses)."""
        with self.engine.connect() as conn:
            value = conn.scalar(select(RunRow.settings_json).where(RunRow.run_id == run_id))
        if value is None:
            raise self._no_run(run_id)
        return dict(value)

    def list_runs(self) -> list[RunInfo]:
        """Every run, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(RunRow.__table__).order_by(RunRow.started_at.desc(), RunRow.run_id.desc())
            )
            return [self._run_info(r) for r in rows]

    def _run_info(self, row: Any) -> RunInfo:
        return RunInfo(
            run_id=row.run_id,
            as_of=self._local(row.as_of),
            started_at=self._local(row.started_at),
            finished_at=self._local(row.finished_at),
            profile_id=row.profile_id,
            profile_version=row.profile_version,
            status=row.status,
        )

    @staticmethod
    def _no_run(run_id: str) -> StoreError:
        return StoreError(f"no run {run_id!r} in the database: list runs to find its id, or start a new run")

    def pending_sites(self, run_id: str) -> list[str]:
        """Sites of the run without saved results (pending, or failed and worth retrying), in run order."""
        with self.engine.connect() as conn:
            if conn.scalar(select(RunRow.run_id).where(RunRow.run_id == run_id)) is None:
                raise self._no_run(run_id)
            return list(
                conn.scalars(
                    select(SiteRunRow.site_code)
                    .where(SiteRunRow.run_id == run_id, SiteRunRow.status != DONE)
                    .order_by(SiteRunRow.position)
                )
            )

    def site_progress(self, run_id: str, codes: list[str] | None = None) -> dict[str, tuple[str, datetime | None]]:
        """``site_code -> (status, finished_at)`` of the run's sites (all, or ``codes``): what a distributed
        run polls to see which sites its workers have stored since it enqueued them."""
        with self.engine.connect() as conn:
            if conn.scalar(select(RunRow.run_id).where(RunRow.run_id == run_id)) is None:
                raise self._no_run(run_id)
            query = select(SiteRunRow.site_code, SiteRunRow.status, SiteRunRow.finished_at).where(
                SiteRunRow.run_id == run_id)
            if codes is None:
                rows = list(conn.execute(query))
            else:
                rows = []
                for chunk in _chunks(list(dict.fromkeys(codes))):
                    rows.extend(conn.execute(query.where(SiteRunRow.site_code.in_(chunk))))
        return {r.site_code: (r.status, self._local(r.finished_at)) for r in rows}

    def save_site_result(self, run_id: str, result: SiteResult) -> None:
        """Replace the site's results in this run in one transaction (idempotent: safe to save again)."""
        code = result.site.site_code
        strays = {f.site_code for f in result.findings} | {c.site_code for c in result.check_runs}
        strays.discard(code)
        if result.score is not None and result.score.site_code != code:
            strays.add(result.score.site_code)
        if strays:
            raise StoreError(
                f"result for site {code} carries records of {', '.join(sorted(strays))}: "
                "save each site's findings in its own SiteResult"
            )
        now = _utcnow()
        with self._write() as conn:
            updated = conn.execute(
                update(SiteRunRow)
                .where(SiteRunRow.run_id == run_id, SiteRunRow.site_code == code)
                .values(
                    status=FAILED if result.error else DONE,
                    pages_fetched=result.pages_fetched,
                    pages_left_out=result.pages_left_out,
                    homepage_ok=result.homepage_ok,
                    warc_path=result.warc_path,
                    error=result.error,
                    finished_at=now,
                )
            )
            if updated.rowcount != 1:
                raise StoreError(
                    f"site {code} is not part of run {run_id}: create the run with this site before saving it"
                )
            for model in (FindingRow, CheckRunRow, ScoreRow):
                conn.execute(delete(model).where(model.run_id == run_id, model.site_code == code))
            if result.findings:
                conn.execute(insert(FindingRow), [_finding_row(run_id, f) for f in result.findings])
            if result.check_runs:
                conn.execute(
                    insert(CheckRunRow),
                    [
                        {
                            "run_id": run_id,
                            "site_code": code,
                            "check": c.check,
                            "outcome": str(c.outcome),
                            "findings": c.findings,
                            "message": c.message,
                            "duration_ms": float(c.duration_ms),
                        }
                        for c in result.check_runs
                    ],
                )
            if result.score is not None:
                s: SiteScore = result.score
                conn.execute(
                    insert(ScoreRow),
                    [
                        {
                            "run_id": run_id,
                            "site_code": code,
                            "qualified": s.qualified,
                            "vetoes": list(s.vetoes),
                            "deductions": s.deductions,
                            "bonus": s.bonus,
                            "score": s.score,
                            "losses": [asdict(loss) for loss in s.losses],
                            "profile_id": s.profile_id,
                            "profile_version": s.profile_version,
                        }
                    ],
                )

    def finish_run(self, run_id: str, status: str = "finished") -> None:
        """Mark the run finished (or interrupted) now."""
        with self._write() as conn:
            done = conn.execute(
                update(RunRow).where(RunRow.run_id == run_id).values(status=status, finished_at=_utcnow())
            )
            if done.rowcount != 1:
                raise self._no_run(run_id)

    def load_run(self, run_id: str) -> RunResult:
        """The run with every saved site result (done or failed; pending sites are left out), in run order."""
        with self.engine.connect() as conn:
            run_row = conn.execute(select(RunRow.__table__).where(RunRow.run_id == run_id)).first()
            if run_row is None:
                raise self._no_run(run_id)
            site_rows = conn.execute(
                select(
                    SiteRow.__table__,
                    SiteRunRow.pages_fetched,
                    SiteRunRow.pages_left_out,
                    SiteRunRow.homepage_ok,
                    SiteRunRow.warc_path,
                    SiteRunRow.error,
                )
                .join(SiteRunRow, SiteRow.site_code == SiteRunRow.site_code)
                .where(SiteRunRow.run_id == run_id, SiteRunRow.status != PENDING)
                .order_by(SiteRunRow.position)
            ).all()
            findings: dict[str, list[Finding]] = {}
            for r in conn.execute(
                select(FindingRow.__table__).where(FindingRow.run_id == run_id).order_by(FindingRow.id)
            ):
                findings.setdefault(r.site_code, []).append(self._finding(r))
            check_runs: dict[str, list[CheckRun]] = {}
            for r in conn.execute(
                select(CheckRunRow.__table__).where(CheckRunRow.run_id == run_id).order_by(CheckRunRow.id)
            ):
                check_runs.setdefault(r.site_code, []).append(
                    CheckRun(
                        check=r.check,
                        site_code=r.site_code,
                        outcome=Outcome(r.outcome),
                        findings=r.findings,
                        message=r.message,
                        duration_ms=r.duration_ms,
                    )
                )
            scores = {
                r.site_code: SiteScore(
                    site_code=r.site_code,
                    qualified=r.qualified,
                    vetoes=list(r.vetoes),
                    deductions=r.deductions,
                    bonus=r.bonus,
                    score=r.score,
                    losses=[PointLoss(**loss) for loss in r.losses],
                    profile_id=r.profile_id,
                    profile_version=r.profile_version,
                )
                for r in conn.execute(select(ScoreRow.__table__).where(ScoreRow.run_id == run_id))
            }
        sites = [
            SiteResult(
                site=_site(r),
                findings=findings.get(r.site_code, []),
                check_runs=check_runs.get(r.site_code, []),
                score=scores.get(r.site_code),
                pages_fetched=r.pages_fetched,
                pages_left_out=r.pages_left_out,
                homepage_ok=r.homepage_ok,
                warc_path=r.warc_path,
                error=r.error,
            )
            for r in site_rows
        ]
        from govinspect.newmedia.store import NewMediaStore

        return RunResult(run=self._run_info(run_row), sites=sites, accounts=NewMediaStore(self).load_results(run_id))

    def _finding(self, r: Any) -> Finding:
        return Finding(
            check=r.check,
            site_code=r.site_code,
            url=r.url,
            target=r.target,
            severity=Severity(r.severity),
            indicator=r.indicator,
            detail=dict(r.detail),
            evidence=Evidence(
                excerpt=r.excerpt,
                locator=r.locator,
                warc_record=r.warc_record,
                reason=r.reason,
                screenshot=r.screenshot,
            ),
            observed_at=self._local(r.observed_at),
        )


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers (reports, dashboard) work while a run writes; busy_timeout waits for the lock."""
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _aware(value: datetime | None, what: str) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise StoreError(
            f"{what} {value.isoformat()} has no timezone: give it one (e.g. +08:00) before saving"
        )
    return value


def _site(r: Any) -> Site:
    return Site(
        site_code=r.site_code,
        name=r.name,
        homepage=r.homepage,
        region=r.region,
        host_org=r.host_org,
        kind=SiteKind(r.kind),
        status=SiteStatus(r.status),
        has_services=r.has_services,
    )


def _finding_row(run_id: str, f: Finding) -> dict[str, Any]:
    ev = f.evidence
    return {
        "run_id": run_id,
        "site_code": f.site_code,
        "check": f.check,
        "url": f.url,
        "target": f.target,
        "severity": str(f.severity),
        "indicator": f.indicator,
        "detail": f.detail,
        "excerpt": ev.excerpt,
        "locator": ev.locator,
        "warc_record": ev.warc_record,
        "reason": ev.reason,
        "screenshot": ev.screenshot,
        "observed_at": _aware(f.observed_at, "finding observed_at"),
    }


__all__ = ["Store"]
