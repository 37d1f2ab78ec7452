"""The worker's task called directly (no Celery): what it does with a stored run, a stored site, a site whose
worker keeps dying, a site past the time limit, and settings stored by another version.

Real parts: the machine's PostgreSQL (the session's throwaway database), Redis (test database number, own
key prefix) and the loopback mock server as the inspected site.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from govinspect.errors import ConfigError
from govinspect.findings.model import RunInfo, SiteResult
from govinspect.findings.store import Store
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings, load_settings
from govinspect.workers.app import WorkerState
from govinspect.workers.tasks import inspect_site, run_settings
from tests.conftest import remove_redis_keys
from tests.mockserver import MockServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def worker_settings(pg_database: str, redis_url: str) -> Iterator[Settings]:
    prefix = f"govinspect-test-{secrets.token_hex(4)}:"
    yield load_settings(database_url=pg_database,
                        workers={"broker_url": redis_url, "key_prefix": prefix, "task_time_limit": 1.0})
    remove_redis_keys(redis_url, prefix)


def _run_with_site(settings: Settings, homepage: str) -> tuple[str, Site]:
    """A stored run of one site, started with loopback allowed (as `inspect --allow-private` stores it)."""
    code = f"44{secrets.randbelow(10**8):08d}"
    site = Site(site_code=code, name="测试网站", homepage=homepage, region="广东省/湛江市/雷州市",
                host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
    started = settings.model_copy(update={"fetch": settings.fetch.model_copy(update={"allow_private": True,
                                                                                    "retries": 0})})
    run = RunInfo(run_id=f"20210615-{secrets.token_hex(3)}", as_of=datetime(2021, 6, 15, 23, 59, tzinfo=TZ),
                  started_at=datetime.now(TZ), profile_id="national-2019", profile_version="2019.1")
    with Store.open(settings.database_url) as store:
        store.import_sites([site])
        store.create_run(run, [code], started.model_dump(mode="json", exclude={"fetch": {"resolve"}}))
    return run.run_id, site


def test_unknown_run_and_site_are_dropped_with_a_reason(worker_settings: Settings, tmp_path: Path) -> None:
    state = WorkerState(worker_settings)
    assert inspect_site(state, "no-such-run", "4408820001", tmp_path, []) == "no such run"
    run_id, _site = _run_with_site(worker_settings, "http://127.0.0.1:9/")
    assert inspect_site(state, run_id, "4408820001", tmp_path, []) == "not in run"


def test_stored_site_is_skipped_when_delivered_again(worker_settings: Settings, tmp_path: Path) -> None:
    run_id, site = _run_with_site(worker_settings, "http://127.0.0.1:9/")
    state = WorkerState(worker_settings)
    state.store().save_site_result(run_id, SiteResult(site=site, pages_fetched=7, homepage_ok=True))
    assert inspect_site(state, run_id, site.site_code, tmp_path, []) == "already stored"
    stored = state.store().load_run(run_id).sites[0]
    assert stored.pages_fetched == 7 and not stored.error  # untouched
    assert not (tmp_path / "evidence").exists()  # nothing fetched


def test_site_whose_worker_keeps_dying_is_recorded_failed(worker_settings: Settings, tmp_path: Path) -> None:
    run_id, site = _run_with_site(worker_settings, "http://127.0.0.1:9/")
    w = worker_settings.workers
    client = redis.Redis.from_url(w.broker_url.get_secret_value())
    try:  # three deliveries began and none stored a result: their worker died each time
        client.set(f"{w.key_prefix}attempts:{run_id}:{site.site_code}", w.max_attempts)
    finally:
        client.close()
    state = WorkerState(worker_settings)
    assert inspect_site(state, run_id, site.site_code, tmp_path, []) == "given up"
    stored = state.store().load_run(run_id).sites[0]
    assert "stopped 3 times" in stored.error and "workers.max_attempts" in stored.error
    assert state.store().pending_sites(run_id) == [site.site_code]  # failed: --resume tries it again


def test_first_delivery_is_inspected_and_a_slow_site_stops_at_the_time_limit(
        worker_settings: Settings, mock: MockServer, tmp_path: Path) -> None:
    run_id, site = _run_with_site(worker_settings, mock.url("/delay/5"))
    state = WorkerState(worker_settings)
    assert inspect_site(state, run_id, site.site_code, tmp_path, []) == "stored"
    stored = state.store().load_run(run_id).sites[0]
    assert "not finished within workers.task_time_limit (1 s)" in stored.error
    assert stored.score is None and stored.findings == []
    assert mock.hits["/delay/5"] == 1  # the request was made: the limit stopped it, not a refusal


def test_run_settings_are_the_inspectors_with_the_workers_places(worker_settings: Settings) -> None:
    inspector = load_settings(database_url="postgresql+psycopg://inspector@elsewhere/db",
                              crawl={"page_budget": 17}, fetch={"allow_private": True},
                              workers={"broker_url": "redis://inspector-redis:6379/0"})
    stored = inspector.model_dump(mode="json", exclude={"fetch": {"resolve"}})
    got = run_settings(worker_settings, stored, ["www.gd.gov.cn:80:127.0.0.1"], "r1")
    assert got.crawl.page_budget == 17 and got.fetch.allow_private  # what makes results: the run's
    assert got.fetch.resolve == ["www.gd.gov.cn:80:127.0.0.1"]
    assert got.database_url == worker_settings.database_url  # where things are: the worker's
    assert got.workers.broker_url.get_secret_value() == worker_settings.workers.broker_url.get_secret_value()
    assert stored["workers"]["broker_url"] == "**********"  # a run never stores the Redis URL


def test_settings_stored_by_another_version_name_the_fix(worker_settings: Settings) -> None:
    stored = Settings().model_dump(mode="json")
    stored["a_section_from_the_future"] = {"x": 1}
    with pytest.raises(ConfigError, match="same govinspect version") as err:
        run_settings(worker_settings, stored, [], "r1")
    assert "\n" not in str(err.value)


def test_worker_judges_the_monitors_stored_week_as_one_machine_does(worker_settings: Settings, mock: MockServer,
                                                                    tmp_path: Path) -> None:
    """site.unreachable reads the monitor's probes of the week before the monitoring point: a worker
    loads them for its site as ``run_inspection`` does for the run."""
    import asyncio
    from datetime import timedelta

    from govinspect.fetch.types import Attempt, FailureClass
    from govinspect.monitor.store import Probe, SampleStore
    from govinspect.pipeline import run_inspection

    mock.pages["/"] = ("<html><head><title>测试网站</title></head><body>首页</body></html>", "text/html")
    run_id, site = _run_with_site(worker_settings, mock.url("/"))
    as_of = datetime(2021, 6, 15, 23, 59, tzinfo=TZ)
    roomy = worker_settings.workers.model_copy(update={"task_time_limit": 120.0})
    state = WorkerState(worker_settings.model_copy(update={"workers": roomy}))
    samples = SampleStore(state.store())
    for hour in range(7 * 24):  # one probe an hour for the week; every tenth failed
        at = as_of - timedelta(hours=hour + 1)
        failed = hour % 10 == 0
        samples.add(Probe(site.site_code, site.homepage, Attempt(
            at=at, ok=not failed, elapsed=15.0 if failed else 0.2, status=None if failed else 200,
            failure=FailureClass.TIMEOUT if failed else None)))
    assert inspect_site(state, run_id, site.site_code, tmp_path / "worker", []) == "stored"
    stored = state.store().load_run(run_id).sites[0]
    assert not stored.error, stored.error
    on_workers = [f for f in stored.findings if f.check == "site.unreachable"]

    one = worker_settings.model_copy(update={
        "fetch": worker_settings.fetch.model_copy(update={"allow_private": True, "retries": 0}),
        "crawl": worker_settings.crawl.model_copy(update={"analysis_processes": 0})})
    result = asyncio.run(run_inspection([site], one, as_of=as_of, out_dir=tmp_path / "one", store=state.store()))
    on_one_machine = [f for f in result.sites[0].findings if f.check == "site.unreachable"]
    assert [f.detail for f in on_workers] == [f.detail for f in on_one_machine]
    assert on_workers and on_workers[0].detail.get("source") == "samples"
    assert [f.severity for f in on_workers] == [f.severity for f in on_one_machine]


def test_distributed_resume_leaves_a_run_with_pending_accounts_to_one_process(worker_settings: Settings,
                                                                              tmp_path: Path) -> None:
    """New-media accounts are inspected in the run's own process: resuming such a run on workers would
    leave them out of the outputs, so it is refused with the fix."""
    from govinspect.newmedia.store import NewMediaStore
    from govinspect.registry.models import Account
    from govinspect.workers.app import WorkerError, create_app
    from govinspect.workers.dispatch import run_distributed

    run_id, _site = _run_with_site(worker_settings, "http://127.0.0.1:9/")
    account = Account(account_id=f"wx{secrets.token_hex(4)}", name="雷州发布", platform="wechat",
                      region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室")
    with Store.open(worker_settings.database_url) as store:
        store.import_accounts([account])
        NewMediaStore(store).add_to_run(run_id, [account.account_id])
        with pytest.raises(WorkerError, match="resume it without --distributed"):
            run_distributed([], worker_settings, as_of=datetime.now(TZ), out_dir=tmp_path, store=store,
                            resume_run=run_id, app=create_app(worker_settings))
        assert store.pending_sites(run_id) == [_site.site_code]  # nothing changed
    w = worker_settings.workers
    client = redis.Redis.from_url(w.broker_url.get_secret_value())
    try:
        assert client.llen(w.key_prefix + w.queue) == 0  # nothing enqueued
    finally:
        client.close()
