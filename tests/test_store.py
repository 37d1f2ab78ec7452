"""The findings store against a real SQLite file and a real PostgreSQL database (fresh schema per test).

PostgreSQL tests run in a throwaway database ``govinspect_test_<random>`` created for the session and
dropped after it. When the server is down they skip, or fail when GOVINSPECT_REQUIRE_POSTGRES=1 (CI).
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from govinspect.errors import StoreError
from govinspect.findings.model import (
    CheckRun,
    Evidence,
    Finding,
    Outcome,
    RunInfo,
    Severity,
    SiteResult,
)
from govinspect.findings.store import Store
from govinspect.findings.tables import Base
from govinspect.registry.models import Account, Site, SiteKind, SiteStatus
from govinspect.scoring.model import PointLoss, SiteScore

CST = timezone(timedelta(hours=8))
PG_HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("GOVINSPECT_TEST_PG_PORT", "5432"))  # another port only to try the down case


# --- database fixtures ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govinspect.db'}"
    base: str = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


# --- sample records ---------------------------------------------------------------------------------


def make_site(i: int, **changes: object) -> Site:
    values: dict[str, object] = {
        "site_code": f"440882{i:04d}",
        "name": f"雷州市第{i}局网站",
        "homepage": f"http://ju{i}.leizhou.gov.cn/",
        "region": "广东省/湛江市/雷州市",
        "host_org": f"雷州市第{i}局",
        "kind": SiteKind.DEPARTMENT if i else SiteKind.PORTAL,
    }
    values.update(changes)
    return Site.model_validate(values)


SITES = [make_site(i) for i in range(6)]
AS_OF = datetime(2021, 6, 15, 0, 0, tzinfo=CST)
STARTED = datetime(2021, 6, 15, 10, 2, 11, 250000, tzinfo=CST)


def make_run(run_id: str = "2021q2") -> RunInfo:
    return RunInfo(
        run_id=run_id, as_of=AS_OF, started_at=STARTED, profile_id="national-2019", profile_version="1.0"
    )


def make_result(site: Site, n_findings: int = 3, *, tag: str = "", error: str = "") -> SiteResult:
    findings = [
        Finding(
            check="link.dead" if k % 2 == 0 else "column.stale",
            site_code=site.site_code,
            url=f"{site.homepage}page/{k}{tag}.html",
            target=f"{site.homepage}missing/{k}.pdf" if k % 2 == 0 else None,
            severity=Severity.VETO if k == 1 else Severity.DEDUCT,
            indicator="deduct.dead_links" if k % 2 == 0 else "veto.columns_not_updated",
            detail={"status": 404, "internal": True, "column": "通知公告", "nested": {"days": [183, 200]}},
            evidence=Evidence(
                excerpt=f"<a href=missing/{k}.pdf>附件{k}</a>",
                locator=f"css:ul.list > li:nth-child({k + 1})",
                warc_record=f"<urn:uuid:00000000-0000-0000-0000-{k:012d}>",
                reason="链接返回 404",
                screenshot=f"shots/{site.site_code}-{k}.png" if k == 0 else None,
            ),
            observed_at=datetime(2021, 6, 15, 10, 2, 11, tzinfo=CST) + timedelta(seconds=k),
        )
        for k in range(n_findings)
    ]
    check_runs = [
        CheckRun(
            "link.dead",
            site.site_code,
            Outcome.COMPLETED,
            sum(f.check == "link.dead" for f in findings),
            "",
            12.5,
        ),
        CheckRun(
            "column.stale",
            site.site_code,
            Outcome.COMPLETED,
            sum(f.check == "column.stale" for f in findings),
        ),
        CheckRun("security.tls", site.site_code, Outcome.SKIPPED, 0, "homepage not fetched over https"),
    ]
    vetoed = any(f.severity is Severity.VETO for f in findings)
    score = SiteScore(
        site_code=site.site_code,
        qualified=not vetoed,
        vetoes=["veto.columns_not_updated"] if vetoed else [],
        deductions=2.0,
        bonus=0.5,
        score=None if vetoed else 98.5,
        losses=[PointLoss("deduct.dead_links", "首页链接不可用", 2.0, 2, "2 个链接不可用, 每个扣1分")],
        profile_id="national-2019",
        profile_version="1.0",
    )
    return SiteResult(
        site=site,
        findings=findings,
        check_runs=check_runs,
        score=score,
        pages_fetched=40,
        pages_left_out=2,
        homepage_ok=True,
        warc_path=f"evidence/{site.site_code}.warc.gz",
        error=error,
    )


def started_run(store: Store, sites: list[Site] = SITES, run_id: str = "2021q2") -> RunInfo:
    store.import_sites(sites)
    run = make_run(run_id)
    store.create_run(
        run, [s.site_code for s in sites], {"crawl": {"page_budget": 300}, "profile": "national-2019"}
    )
    return run


# --- registry ---------------------------------------------------------------------------------------


def test_import_sites_upserts_and_keeps_registry_order(store: Store) -> None:
    assert store.import_sites(SITES[:4]) == 4
    renamed = make_site(2, name="雷州市第二局（更名）", status=SiteStatus.CLOSED, has_services=False)
    assert store.import_sites([renamed, SITES[4], renamed]) == 2
    listed = store.sites()
    assert [s.site_code for s in listed] == [
        s.site_code for s in (SITES[0], SITES[1], SITES[3], renamed, SITES[4])
    ]
    assert listed[3] == renamed
    assert listed[0] == SITES[0]
    codes = [SITES[4].site_code, "9999999999", SITES[0].site_code]
    assert store.sites(codes) == [SITES[4], SITES[0]]
    assert store.import_sites([]) == 0


def test_import_accounts_upserts(store: Store) -> None:
    accounts = [
        Account(
            account_id="gh_leizhou01",
            name="雷州发布",
            platform="wechat",
            region="广东省/湛江市/雷州市",
            host_org="雷州市人民政府办公室",
            homepage="https://mp.example.cn/leizhou",
        ),
        Account(
            account_id="weibo_lz",
            name="雷州微博",
            platform="weibo",
            region="广东省/湛江市/雷州市",
            host_org="雷州市人民政府办公室",
        ),
    ]
    assert store.import_accounts(accounts) == 2
    closed = accounts[1].model_copy(update={"status": SiteStatus.CLOSED})
    assert store.import_accounts([closed]) == 1
    assert store.accounts() == [accounts[0], closed]


# --- runs and results -------------------------------------------------------------------------------


def test_create_run_registers_sites_as_pending(store: Store) -> None:
    run = started_run(store)
    assert store.get_run(run.run_id) == run
    assert store.get_run("nope") is None
    assert store.pending_sites(run.run_id) == [s.site_code for s in SITES]
    assert store.run_settings(run.run_id) == {"crawl": {"page_budget": 300}, "profile": "national-2019"}
    later = RunInfo(
        run_id="2021q3", as_of=AS_OF + timedelta(days=90), started_at=STARTED + timedelta(days=90)
    )
    store.create_run(later, [SITES[0].site_code], {})
    assert [r.run_id for r in store.list_runs()] == ["2021q3", "2021q2"]


def test_create_run_refuses_duplicates_unknown_sites_and_bad_settings(store: Store) -> None:
    run = started_run(store)
    with pytest.raises(StoreError, match="already exists"):
        store.create_run(run, [SITES[0].site_code], {})
    with pytest.raises(StoreError, match=r"sites 1111111111 are not in the registry: import the registry"):
        store.create_run(make_run("other"), [SITES[0].site_code, "1111111111"], {})
    assert store.get_run("other") is None  # nothing half-created
    with pytest.raises(StoreError, match="not JSON"):
        store.create_run(make_run("other"), [SITES[0].site_code], {"when": datetime.now(UTC)})
    naive = RunInfo(run_id="naive", as_of=datetime(2021, 6, 15), started_at=STARTED)
    with pytest.raises(StoreError, match="has no timezone"):
        store.create_run(naive, [SITES[0].site_code], {})
    assert store.get_run("naive") is None


def test_full_result_round_trip_in_run_order(store: Store) -> None:
    store.import_sites(SITES)
    order = [SITES[3], SITES[0], SITES[5], SITES[1]]  # the run's order, not the import order
    run = make_run()
    store.create_run(run, [s.site_code for s in order], {})
    saved = {
        SITES[0].site_code: make_result(SITES[0], 4),
        SITES[5].site_code: make_result(SITES[5], 0, error="crawler crashed: MemoryError"),
        SITES[3].site_code: make_result(SITES[3], 2),
    }
    saved[SITES[3].site_code].score = None
    for result in saved.values():
        store.save_site_result(run.run_id, result)

    loaded = store.load_run(run.run_id)
    assert loaded.run == run
    # pending SITES[1] is left out; the rest come in the run's order
    assert [r.site.site_code for r in loaded.sites] == [
        SITES[3].site_code,
        SITES[0].site_code,
        SITES[5].site_code,
    ]
    for got in loaded.sites:
        want = saved[got.site.site_code]
        assert got.site == want.site
        assert got.findings == want.findings
        assert got.check_runs == want.check_runs
        assert got.score == want.score
        assert (got.pages_fetched, got.pages_left_out, got.homepage_ok, got.warc_path, got.error) == (
            want.pages_fetched,
            want.pages_left_out,
            want.homepage_ok,
            want.warc_path,
            want.error,
        )
    first = loaded.sites[1]
    assert first.findings[1].severity is Severity.VETO
    assert first.findings[0].evidence.screenshot == f"shots/{SITES[0].site_code}-0.png"
    assert (
        first.score is not None
        and first.score.score is None
        and first.score.vetoes == ["veto.columns_not_updated"]
    )
    assert first.score.losses == [
        PointLoss("deduct.dead_links", "首页链接不可用", 2.0, 2, "2 个链接不可用, 每个扣1分")
    ]
    # a failed site stays pending for --resume; saved sites do not
    assert store.pending_sites(run.run_id) == [SITES[5].site_code, SITES[1].site_code]
    with pytest.raises(StoreError, match="no run 'nope'"):
        store.load_run("nope")


def test_datetimes_round_trip_with_their_offset_and_are_stored_in_utc(store: Store, store_url: str) -> None:
    run = started_run(store)
    got = store.get_run(run.run_id)
    assert got is not None
    assert got.started_at == STARTED
    assert got.started_at.utcoffset() == timedelta(hours=8)
    assert got.started_at.isoformat() == "2021-06-15T10:02:11.250000+08:00"
    assert got.as_of.isoformat() == "2021-06-15T00:00:00+08:00"

    result = make_result(SITES[0], 1)
    result.findings[0].observed_at = datetime(2021, 6, 15, 2, 2, 11, tzinfo=UTC)  # same instant, other zone
    store.save_site_result(run.run_id, result)
    observed = store.load_run(run.run_id).sites[0].findings[0].observed_at
    assert observed is not None
    assert observed.isoformat() == "2021-06-15T10:02:11+08:00"

    engine = create_engine(store.url)
    with engine.connect() as conn:
        if store.is_sqlite:
            raw = conn.execute(text("SELECT started_at FROM runs")).scalar_one()
            assert str(raw).startswith("2021-06-15 02:02:11.25")  # UTC wall time on disk
        else:
            conn.execute(text("SET TIME ZONE 'UTC'"))
            raw = conn.execute(text("SELECT started_at::text FROM runs")).scalar_one()
            assert raw == "2021-06-15 02:02:11.25+00"
    engine.dispose()

    store.finish_run(run.run_id)
    finished = store.get_run(run.run_id)
    assert finished is not None and finished.status == "finished"
    assert finished.finished_at is not None
    assert finished.finished_at.utcoffset() == timedelta(hours=8)
    assert abs(finished.finished_at - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(StoreError, match="no run"):
        store.finish_run("nope")


def test_resume_after_reopening_neither_loses_nor_duplicates(store_url: str) -> None:
    with Store.open(store_url) as first:
        run = started_run(first)
        for site in SITES[:3]:
            first.save_site_result(run.run_id, make_result(site, 5))
    # a new process: new Store, same database
    with Store.open(store_url) as second:
        assert second.get_run(run.run_id) == run
        assert second.pending_sites(run.run_id) == [s.site_code for s in SITES[3:]]
        # the interrupted attempt at SITES[1] is saved again with different findings
        second.save_site_result(run.run_id, make_result(SITES[1], 2, tag="-again"))
        second.save_site_result(run.run_id, make_result(SITES[1], 2, tag="-again"))
        for site in SITES[3:]:
            second.save_site_result(run.run_id, make_result(site, 5))
        assert second.pending_sites(run.run_id) == []
        second.finish_run(run.run_id)
        loaded = second.load_run(run.run_id)
    counts = {r.site.site_code: len(r.findings) for r in loaded.sites}
    assert counts == {s.site_code: (2 if s is SITES[1] else 5) for s in SITES}
    again = next(r for r in loaded.sites if r.site.site_code == SITES[1].site_code)
    assert all(f.url.endswith("-again.html") for f in again.findings)
    assert len(again.check_runs) == 3
    assert loaded.run.status == "finished"


def test_failed_save_rolls_back_and_keeps_the_earlier_result(store: Store) -> None:
    run = started_run(store)
    store.save_site_result(run.run_id, make_result(SITES[0], 4))
    broken = make_result(SITES[0], 3, tag="-broken")
    broken.findings[2].observed_at = datetime(2021, 6, 15, 10, 0)  # naive: refused mid-transaction
    with pytest.raises(StoreError, match="has no timezone"):
        store.save_site_result(run.run_id, broken)
    kept = store.load_run(run.run_id).sites[0]
    assert len(kept.findings) == 4
    assert not any("-broken" in f.url for f in kept.findings)


def test_save_refuses_sites_outside_the_run_and_stray_records(store: Store) -> None:
    run = started_run(store, SITES[:2])
    store.import_sites([SITES[4]])
    with pytest.raises(StoreError, match="not part of run"):
        store.save_site_result(run.run_id, make_result(SITES[4], 1))
    mixed = make_result(SITES[0], 2)
    mixed.findings[1].site_code = SITES[1].site_code
    with pytest.raises(StoreError, match=f"carries records of {SITES[1].site_code}"):
        store.save_site_result(run.run_id, mixed)
    assert store.pending_sites(run.run_id) == [SITES[0].site_code, SITES[1].site_code]
    assert store.load_run(run.run_id).sites == []


def test_bulk_findings_save_and_load(store: Store) -> None:
    run = started_run(store, SITES[:1])
    result = make_result(SITES[0], 12_000)
    started = time.perf_counter()
    store.save_site_result(run.run_id, result)
    store.save_site_result(run.run_id, result)  # replaced, not appended
    loaded = store.load_run(run.run_id)
    elapsed = time.perf_counter() - started
    assert len(loaded.sites[0].findings) == 12_000
    assert loaded.sites[0].findings[-1] == result.findings[-1]
    assert elapsed < 30, f"two saves and a load of 12k findings took {elapsed:.1f}s"


# --- schema and migrations --------------------------------------------------------------------------


def test_migrations_at_head_match_the_models(store_url: str) -> None:
    Store.open(store_url).close()
    Store.open(store_url).close()  # opening again is a no-op
    engine = create_engine(Store(store_url).url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        indexes = {
            name
            for (name,) in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index'")
                if conn.dialect.name == "sqlite"
                else text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        }
    engine.dispose()
    assert diff == []
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from govinspect.findings.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert version == ScriptDirectory.from_config(config).get_current_head()  # later revisions add tables
    assert {
        "ix_findings_run_id_site_code",
        "ix_findings_run_id_check",
        "ix_site_runs_run_id_status",
    } <= indexes


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    with Store.open(f"sqlite:///{path}") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_writer_waits_for_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with Store.open(str(path)) as store:  # a bare path means a SQLite file
        run = started_run(store, SITES[:1])
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        released = threading.Event()

        def release() -> None:
            time.sleep(0.5)
            other.execute("COMMIT")
            released.set()

        thread = threading.Thread(target=release)
        thread.start()
        started = time.perf_counter()
        store.save_site_result(run.run_id, make_result(SITES[0], 2))
        waited = time.perf_counter() - started
        thread.join()
        other.close()
        assert released.is_set()
        assert waited >= 0.4
        assert store.pending_sites(run.run_id) == []


# --- opening errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "no database URL given"),
        ("mysql+pymysql://u@127.0.0.1/db", "'mysql' is not supported"),
        ("postgresql+psycopg2://u@127.0.0.1/db", "driver 'postgresql+psycopg2' is not supported"),
        ("sqlite+aiosqlite:///x.db", "not supported"),
        ("://nothing", "cannot be parsed"),
    ],
)
def test_bad_urls_name_the_fix(url: str, fragment: str) -> None:
    with pytest.raises(StoreError, match="sqlite:///") as info:
        Store.open(url)
    assert fragment in str(info.value)


def test_plain_postgresql_url_uses_psycopg_3() -> None:
    store = Store("postgresql://postgres@127.0.0.1:5432/test")
    assert store.url.drivername == "postgresql+psycopg"
    store.close()


def test_unreachable_postgresql_is_a_store_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    with pytest.raises(StoreError, match="cannot use PostgreSQL at .*start the server"):
        Store.open(f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/govinspect")
    with pytest.raises(StoreError) as info:
        Store.open(f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/govinspect")
    assert "secret" not in str(info.value)


@pytest.mark.postgres
def test_missing_postgresql_database_is_a_store_error(pg_database: str) -> None:
    base = pg_database.rsplit("/", 1)[0]
    with pytest.raises(StoreError, match="create the database"):
        Store.open(f"{base}/govinspect_no_such_db_{secrets.token_hex(3)}")


def test_sqlite_in_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="check that its folder exists"):
        Store.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'govinspect.db'}")


def test_sqlite_read_only_database(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    sqlite3.connect(path).close()  # an existing, empty database file
    with pytest.raises(StoreError, match="is read-only .*make the file and its folder writable"):
        Store.open(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_database_from_a_newer_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    Store.open(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="upgrade govinspect"):
        Store.open(url)


def test_concurrent_saves_from_worker_threads(store: Store) -> None:
    """The pipeline saves sites from worker threads (asyncio.to_thread); every save must land once."""
    sites = [make_site(i) for i in range(10, 22)]
    run = started_run(store, sites)
    errors: list[BaseException] = []

    def save(site: Site) -> None:
        try:
            for attempt in range(2):
                store.save_site_result(run.run_id, make_result(site, 50, tag=f"-{attempt}"))
        except BaseException as exc:  # reported below; a thread must not swallow it
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(site,)) for site in sites]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    loaded = store.load_run(run.run_id)
    assert [r.site.site_code for r in loaded.sites] == [s.site_code for s in sites]
    assert all(len(r.findings) == 50 and r.findings[0].url.endswith("-1.html") for r in loaded.sites)
    assert store.pending_sites(run.run_id) == []
