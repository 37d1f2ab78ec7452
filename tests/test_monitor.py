"""The week-long availability monitor against real loopback servers that fail on a schedule.

Short intervals (fractions of a second) and short fetch timeouts set in the settings stand in for the
hour and the 15 s of the rule; nothing sleeps for minutes and nothing leaves the loopback interface.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy import select
from typer.testing import CliRunner

from govinspect.cli import app
from govinspect.findings.store import Store
from govinspect.monitor.sampler import Schedule, run_monitor, slots
from govinspect.monitor.status import monitor_status
from govinspect.monitor.store import SampleStore
from govinspect.monitor.tables import ProbeRow
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings, load_settings
from tests.mockserver import MockServer

HOMEPAGE = "<html><head><title>雷州市人民政府</title></head><body><h1>雷州市人民政府</h1></body></html>"
HANG_S = 3.0  # a hung answer: far longer than the test's fetch timeout
TIMEOUT_S = 0.3  # the test's stand-in for the rule's 15 s
SHANGHAI = ZoneInfo("Asia/Shanghai")
REGISTRY_HEADER = "网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
REGION = "广东省/湛江市/雷州市"


class ScheduledServer(MockServer):
    """Homepages under ``/<name>/`` that fail on a schedule: ``schedule[path] = (every, mode)`` makes every
    ``every``-th request of that path a 503 (``"503"``) or a hang (``"hang"``); ``every=-1`` always fails."""

    def __init__(self) -> None:
        super().__init__()
        self.schedule: dict[str, tuple[int, str]] = {}

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        rule = self.schedule.get(request.path)
        if rule is None:
            return await super()._dispatch(request)
        every, mode = rule
        with self._lock:
            n = self.hits[request.path]
        if every == -1 or (every and n % every == 0):
            if mode == "503":
                return web.Response(status=503, text="service unavailable")
            await asyncio.sleep(HANG_S)
        return web.Response(text=HOMEPAGE, content_type="text/html", charset="utf-8")


@pytest.fixture
def server() -> Iterator[ScheduledServer]:
    srv = ScheduledServer()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def site(code: str, url: str, name: str = "雷州市人民政府") -> Site:
    return Site(site_code=code, name=name, homepage=url, region=REGION, host_org=name + "办公室",
                kind=SiteKind.PORTAL if code.endswith("0001") else SiteKind.DEPARTMENT)


def settings(db: str, retries: int = 0, **extra: Any) -> Settings:
    return load_settings(None, database_url=db,
                         fetch={"allow_private": True, "total_timeout": TIMEOUT_S, "retries": retries,
                                "backoff": 0.01},
                         checks={"site.unreachable": {"probe_timeout_s": TIMEOUT_S}}, **extra)


def rows(db: str) -> list[Any]:
    with Store.open(db) as store, store.engine.connect() as conn:
        return list(conn.execute(select(ProbeRow.__table__).order_by(ProbeRow.probed_at, ProbeRow.id)))


def monitor(sites: list[Site], s: Settings, schedule: Schedule) -> Any:
    with Store.open(s.database_url) as store:
        return asyncio.run(run_monitor(sites, s, SampleStore(store), schedule, rng=random.Random(7)))


# --- the sampler ---------------------------------------------------------------------------------------


def test_probes_on_a_schedule_are_stored_one_row_each_with_the_expected_ratio(server: ScheduledServer,
                                                                             tmp_path: Path) -> None:
    server.schedule = {"/a/": (4, "503"), "/b/": (4, "hang"), "/c/": (0, "")}
    sites = [site("4408820001", server.url("/a/")), site("4408820002", server.url("/b/"), "雷州市教育局"),
             site("4408820003", server.url("/c/"), "雷州市财政局")]
    db = f"sqlite:///{tmp_path / 'g.db'}"
    s = settings(db)
    started = time.monotonic()
    result = monitor(sites, s, Schedule(interval_s=0.5, rounds=8, jitter=0.1))
    took = time.monotonic() - started
    assert result.probes == 24 and result.failed == 4 and result.rounds_complete == 8 and not result.stopped
    assert took < 8, f"8 rounds of 0.5 s took {took:.1f}s"
    stored = rows(db)
    assert len(stored) == 24
    by_site: dict[str, list[Any]] = {}
    for r in stored:
        by_site.setdefault(r.site_code, []).append(r)
    a, b, c = by_site["4408820001"], by_site["4408820002"], by_site["4408820003"]
    assert [r.ok for r in a] == [True, True, True, False] * 2  # every 4th request answered 503
    assert {(r.failure, r.status) for r in a if not r.ok} == {("http_status", 503)}
    assert [r.ok for r in b] == [True, True, True, False] * 2  # every 4th request hung past the timeout
    assert {r.failure for r in b if not r.ok} == {"timeout"}
    assert all(TIMEOUT_S * 1000 * 0.9 <= r.elapsed_ms < HANG_S * 1000 for r in b if not r.ok)
    assert all(r.ok and r.status == 200 and r.failure is None and not r.own_refusal for r in c)
    assert all(r.url == sites[i].homepage for i, group in enumerate((a, b, c)) for r in group)
    assert server.hits["/a/"] == server.hits["/b/"] == server.hits["/c/"] == 8  # one request a probe
    # probes of one site come about one interval apart (± jitter), never back to back
    for group in (a, b, c):
        gaps = [(y.probed_at - x.probed_at).total_seconds() for x, y in zip(group, group[1:], strict=False)]
        assert all(0.25 < g < 0.8 for g in gaps), gaps
    # a round is spread over its interval, not fired as a burst
    first = sorted(r.probed_at for r in stored[:3])
    assert (first[-1] - first[0]).total_seconds() > 0.05

    with Store.open(db) as store:
        status = {r.site_code: r for r in monitor_status(store, s, datetime.now(SHANGHAI))}
    assert (status["4408820001"].probes, status["4408820001"].failures) == (8, 2)
    assert status["4408820001"].ratio == 0.25 and status["4408820002"].ratio == 0.25
    assert status["4408820003"].failures == 0
    assert not status["4408820003"].coverage.met  # 8 probes are not 20 a day for a week


def test_a_retry_that_recovers_is_one_passing_probe_but_a_late_answer_fails(server: ScheduledServer,
                                                                            tmp_path: Path) -> None:
    """Inside one probe a transient failure is retried; the probe fails only when the homepage still did
    not open within the time limit (the elapsed time counts every try)."""
    server.schedule = {"/a/": (2, "503"), "/b/": (2, "hang")}
    sites = [site("4408820001", server.url("/a/")), site("4408820002", server.url("/b/"), "雷州市教育局")]
    db = f"sqlite:///{tmp_path / 'g.db'}"
    s = settings(db, retries=1)
    result = monitor(sites, s, Schedule(interval_s=0.4, rounds=4))
    assert result.probes == 8
    stored = rows(db)
    assert all(r.ok for r in stored)  # every probe finally opened
    assert server.hits["/a/"] == 7  # probes 2-4 each met a 503 first and retried within the probe
    with Store.open(db) as store:
        status = {r.site_code: r for r in monitor_status(store, s, datetime.now(SHANGHAI))}
    assert status["4408820001"].failures == 0
    assert status["4408820002"].failures == 3  # probes 2-4 opened only after the limit: failed by the rule


def test_slots_spread_one_round_over_the_interval() -> None:
    sites = [site(f"440882{i:04d}", f"http://127.0.0.1:9/{i}/") for i in range(1, 11)]
    offsets = slots(sites, 3600, random.Random(1))
    assert len(offsets) == 10
    ordered = sorted(offsets.values())
    assert all(0 <= o < 3600 for o in ordered)
    assert all(360 * k <= o < 360 * (k + 1) for k, o in enumerate(ordered))  # one site per 6-minute slot
    assert slots(sites, 3600, random.Random(2)) != offsets  # the order is random, not the registry's


def test_a_stop_ends_the_schedule_and_keeps_what_was_stored(server: ScheduledServer, tmp_path: Path) -> None:
    server.schedule = {"/a/": (0, "")}
    db = f"sqlite:///{tmp_path / 'g.db'}"
    s = settings(db)

    async def stop_soon(samples: SampleStore) -> Any:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(1.0, stop.set)
        return await run_monitor([site("4408820001", server.url("/a/"))], s, samples,
                                 Schedule(interval_s=0.3), stop=stop)

    with Store.open(db) as store:
        result = asyncio.run(stop_soon(SampleStore(store)))
    assert result.stopped
    assert 2 <= result.probes <= 5
    assert len(rows(db)) == result.probes  # every finished probe stored, nothing half-written


def test_until_ends_the_schedule_by_itself(server: ScheduledServer, tmp_path: Path) -> None:
    server.schedule = {"/a/": (0, "")}
    db = f"sqlite:///{tmp_path / 'g.db'}"
    until = datetime.now(UTC) + timedelta(seconds=1.2)
    result = monitor([site("4408820001", server.url("/a/"))], settings(db), Schedule(interval_s=0.3, until=until))
    assert not result.stopped
    assert 3 <= result.probes <= 5
    assert all(r.probed_at <= until for r in rows(db))


def test_a_database_that_fails_stops_the_monitor_with_one_line(server: ScheduledServer, tmp_path: Path) -> None:
    from sqlalchemy import text

    from govinspect.errors import StoreError

    server.schedule = {"/a/": (0, "")}
    db = f"sqlite:///{tmp_path / 'g.db'}"
    with Store.open(db) as store:
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE availability_probes"))
        with pytest.raises(StoreError, match="cannot store an availability probe .*start the monitor again"):
            asyncio.run(run_monitor([site("4408820001", server.url("/a/"))], settings(db), SampleStore(store),
                                    Schedule(interval_s=0.2, rounds=3)))


# --- the command line ------------------------------------------------------------------------------


def write_registry(path: Path, entries: list[tuple[str, str, str]]) -> Path:
    lines = [REGISTRY_HEADER] + [f"{code},{name},{url},{REGION},{name}办公室,{'门户网站' if code.endswith('0001') else '部门网站'}\n"
                                 for code, name, url in entries]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def write_config(path: Path, timeout: float = TIMEOUT_S, processes: int = 0) -> Path:
    path.write_text(
        "[fetch]\n"
        f"total_timeout = {timeout}\nretries = 0\nbackoff = 0.01\n"
        f"[crawl]\nanalysis_processes = {processes}\ncheck_external_links = false\n"
        "[security]\nenabled = false\n"
        "[checks.\"site.unreachable\"]\n"
        f"probe_timeout_s = {timeout}\n",
        encoding="utf-8",
    )
    return path


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_inspect_after_monitoring_judges_the_stored_week(server: ScheduledServer, tmp_path: Path) -> None:
    server.schedule = {"/a/": (4, "503"), "/c/": (0, "")}
    registry = write_registry(tmp_path / "registry.csv", [("4408820001", "雷州市人民政府", server.url("/a/")),
                                                           ("4408820003", "雷州市财政局", server.url("/c/"))])
    config = write_config(tmp_path / "govinspect.toml", processes=1)  # samples cross to an analysis worker
    db = f"sqlite:///{tmp_path / 'g.db'}"
    code, out = cli("monitor", "--registry", str(registry), "--db", db, "--config", str(config),
                    "--interval-minutes", "0.005", "--rounds", "8", "--allow-private")
    assert code == 0, out
    assert "round 8 done: 2 probes, 1 failed" in out
    assert "finished: 16 probes stored (2 failed)" in out
    code, out = cli("monitor", "status", "--db", db, "--config", str(config))
    assert code == 0, out
    assert "25.0%" in out and "0.0%" in out and "否" in out

    server.schedule["/a/"] = (0, "")  # the inspection's own probe of A opens
    today = datetime.now(SHANGHAI).date().isoformat()
    outdir = tmp_path / "out"
    code, out = cli("inspect", "--registry", str(registry), "--as-of", today, "--out", str(outdir), "--db", db,
                    "--config", str(config), "--allow-private")
    assert code == 0, out
    findings = [json.loads(line) for line in (outdir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    unreachable = [f for f in findings if f["check"] == "site.unreachable"]
    assert [f["site_code"] for f in unreachable] == ["4408820001"]
    d = unreachable[0]["detail"]
    assert (d["source"], d["probes"], d["failures"], d["run_probes"]) == ("samples", 9, 2, 1)
    assert d["ratio"] == pytest.approx(2 / 9)
    assert d["coverage_met"] is False and d["days_below_coverage"] == 7
    assert unreachable[0]["severity"] == "veto" and unreachable[0]["indicator"] == "veto.site_unreachable"
    assert "coverage below the rule" in unreachable[0]["evidence"]["reason"]
    with Store.open(db) as store:
        run = store.list_runs()[-1]
        outcomes = {(c.site_code, c.check): c for c in store.load_run(run.run_id).sites[1].check_runs}
    clean = outcomes[("4408820003", "site.unreachable")]
    assert clean.outcome == "completed" and clean.findings == 0
    assert clean.message.startswith("0 of 9 homepage probes failed")
    assert "coverage below the rule" in clean.message

    # a monitoring point with no samples in its week: this run's probe alone, as before monitoring existed
    code, out = cli("inspect", "--registry", str(registry), "--as-of", "2021-06-15", "--out", str(tmp_path / "o2"),
                    "--db", db, "--config", str(config), "--allow-private")
    assert code == 0, out
    old = [json.loads(line) for line in (tmp_path / "o2" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [f for f in old if f["check"] == "site.unreachable"] == []  # A's one probe opened
    assert len(rows(db)) == 16  # inspecting never adds samples


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("govinspect")
    return subprocess.Popen([str(exe), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "COLUMNS": "200"})


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _count(db: str) -> int:
    with Store.open(db) as store:
        return SampleStore(store).count()


def _rows_on_file(path: Path) -> int:
    """Rows stored so far, read without migrating (the monitor process may be creating the schema)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM availability_probes").fetchone()[0])
    except sqlite3.OperationalError:  # no file or no table yet
        return 0


def test_sigterm_stops_a_running_monitor_and_loses_nothing_stored(server: ScheduledServer, tmp_path: Path) -> None:
    server.schedule = {"/a/": (3, "503"), "/b/": (0, ""), "/c/": (0, "")}
    registry = write_registry(tmp_path / "registry.csv", [("4408820001", "雷州市人民政府", server.url("/a/")),
                                                           ("4408820002", "雷州市教育局", server.url("/b/")),
                                                           ("4408820003", "雷州市财政局", server.url("/c/"))])
    config = write_config(tmp_path / "govinspect.toml")
    db = f"sqlite:///{tmp_path / 'g.db'}"
    args = ["monitor", "--registry", str(registry), "--db", db, "--config", str(config), "--interval-minutes",
            "0.01", "--allow-private"]
    proc = _spawn(args, tmp_path)
    try:
        _wait_for(lambda: _rows_on_file(tmp_path / "g.db") >= 6, 30, "two rounds of probes")
        before = [tuple(r) for r in rows(db)]
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "stopped:" in out
    after = [tuple(r) for r in rows(db)]
    assert after[:len(before)] == before  # nothing stored was lost or changed
    assert all(r[3] is not None and r[8] is not None for r in after)  # every row whole (probed_at, own_refusal)
    time.sleep(1.0)
    assert len(rows(db)) == len(after)  # and the monitor is gone: no probe after the stop

    # a restart appends to the same table
    code, out = cli("monitor", "--db", db, "--config", str(config), "--interval-minutes", "0.005", "--rounds", "1",
                    "--allow-private")
    assert code == 0, out
    assert len(rows(db)) == len(after) + 3


def test_a_probe_in_flight_at_sigterm_finishes_and_a_second_signal_drops_it(server: ScheduledServer,
                                                                            tmp_path: Path) -> None:
    server.schedule = {"/a/": (-1, "hang")}  # every answer hangs for 3 s
    registry = write_registry(tmp_path / "registry.csv", [("4408820001", "雷州市人民政府", server.url("/a/"))])
    config = write_config(tmp_path / "govinspect.toml", timeout=2.0)
    db = f"sqlite:///{tmp_path / 'g.db'}"
    args = ["monitor", "--registry", str(registry), "--db", db, "--config", str(config), "--interval-minutes",
            "0.01", "--allow-private"]

    def stop_during_probe(signals: int) -> tuple[int, str, float]:
        hits = server.hits["/a/"]
        proc = _spawn(args, tmp_path)
        try:
            _wait_for(lambda: server.hits["/a/"] > hits, 30, "the first probe to reach the server")
            started = time.monotonic()
            for _ in range(signals):
                proc.send_signal(signal.SIGTERM)
                time.sleep(0.2)
            out, _ = proc.communicate(timeout=20)
            return proc.returncode, out, time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()

    code, out, took = stop_during_probe(1)
    assert code == 0, out
    stored = rows(db)
    assert len(stored) == 1 and stored[0].failure == "timeout" and not stored[0].ok  # finished, then stored
    assert took >= 1.0  # it waited for the probe in flight

    code, out, took = stop_during_probe(2)
    assert code == 0, out
    assert "1 in-flight probes dropped" in out
    assert len(rows(db)) == 1  # the cut probe left no row: our stop is not the site's failure
    assert took < 1.8


# --- bad input -----------------------------------------------------------------------------------------


def test_bad_input_gets_one_clear_line(server: ScheduledServer, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.csv", [("4408820001", "雷州市人民政府", server.url("/a/"))])
    db = f"sqlite:///{tmp_path / 'g.db'}"
    cases = [
        (["monitor", "--registry", str(registry), "--db", db, "--site", "4408829999", "--rounds", "1"],
         "--site 4408829999 not in"),
        (["monitor", "--registry", str(registry), "--db", db, "--interval-minutes", "0"], "must be more than 0"),
        (["monitor", "--registry", str(registry), "--db", db, "--interval-minutes", "-5"], "must be more than 0"),
        (["monitor", "--registry", str(registry), "--db", db, "--rounds", "0"], "--rounds 0 must be at least 1"),
        (["monitor", "--registry", str(registry), "--db", db, "--until", "2021-06-15"], "is in the past"),
        (["monitor", "--db", db, "--rounds", "1"], "no running sites to monitor"),
        (["monitor", "status", "--db", db, "--as-of", "2021-06-15"], "run `govinspect monitor` first"),
        (["monitor", "status", "--db", db, "--as-of", "15/06/2021"], "YYYY-MM-DD"),
    ]
    for args, expected in cases:
        result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
        code, out = result.exit_code, result.output
        assert code == 2, (args, out)
        assert expected in out, (args, out)
        assert len(out.strip().splitlines()) == 1, out
    assert not (tmp_path / "g.db").exists() or _count(db) == 0

    # with samples stored: an as-of whose week has none names the newest probe; nothing is lost
    server.schedule = {"/a/": (0, "")}
    with Store.open(db) as store:
        asyncio.run(run_monitor([site("4408820001", server.url("/a/"))], settings(db), SampleStore(store),
                                Schedule(interval_s=0.2, rounds=2)))
    result = CliRunner().invoke(app, ["monitor", "status", "--db", db, "--as-of", "2021-06-15"], env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert "no availability probes in the 7 days before 2021-06-15T23:59+08:00" in result.output
    assert "pick an --as-of after it" in result.output
    result = CliRunner().invoke(app, ["monitor", "status", "--db", db, "--site", "4408829999"], env={"COLUMNS": "400"})
    assert result.exit_code == 2 and "--site 4408829999 not in the registry" in result.output
    assert _count(db) == 2


# --- the store on SQLite and PostgreSQL --------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govinspect.db'}"
    import secrets

    from sqlalchemy import create_engine, text

    base: str = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


def test_windows_read_back_what_was_stored_in_utc(store_url: str) -> None:
    from govinspect.fetch.types import Attempt, FailureClass
    from govinspect.monitor.store import Probe

    as_of = datetime(2021, 6, 15, 23, 59, 59, tzinfo=SHANGHAI)
    codes = [f"440882{i:04d}" for i in range(1, 4)]
    with Store.open(store_url) as store:
        samples = SampleStore(store)
        for day in range(9):  # two days before the window, seven inside it
            at = as_of - timedelta(days=8 - day, hours=1)
            for code in codes:
                failed = code == codes[0] and day % 2 == 0
                samples.add(Probe(code, f"http://{code}.gov.cn/", Attempt(
                    at=at, ok=not failed, elapsed=0.25, status=None if failed else 200,
                    failure=FailureClass.DNS if failed else None), "DNS lookup failed" if failed else ""))
        samples.add(Probe(codes[1], "http://x.gov.cn/", Attempt(at=as_of - timedelta(hours=2), ok=False, elapsed=0,
                                                                 failure=FailureClass.ROBOTS, own_refusal=True)))
        samples.add(Probe(codes[2], "http://x.gov.cn/", Attempt(at=as_of + timedelta(seconds=1), ok=True,
                                                                 elapsed=0.1, status=200)))  # after the point
        windows = samples.windows(codes[:2], as_of, 7)
        assert set(windows) == set(codes[:2])
        first = windows[codes[0]]
        assert len(first.attempts) == 7
        assert [a.ok for a in first.attempts] == [False, True, False, True, False, True, False]
        assert first.attempts[0].failure is FailureClass.DNS and first.attempts[0].elapsed == 0.25
        assert first.attempts[0].at == datetime(2021, 6, 9, 14, 59, 59, tzinfo=UTC)
        assert first.start == as_of - timedelta(days=7) and first.end == as_of
        assert sum(a.own_refusal for a in windows[codes[1]].attempts) == 1
        assert len(samples.windows(None, as_of, 7)[codes[2]].attempts) == 7  # the later probe is outside
        assert samples.windows(codes, as_of - timedelta(days=30), 7) == {}
        assert samples.count() == 9 * 3 + 2
        assert samples.latest() == as_of + timedelta(seconds=1)  # aware (a naive value never equals it)
        status = {r.site_code: r for r in monitor_status(store, settings(store_url), as_of)}
    assert (status[codes[0]].probes, status[codes[0]].failures) == (7, 4)
    assert (status[codes[1]].probes, status[codes[1]].refused) == (7, 1)
    assert status[codes[0]].coverage.per_day == (1, 1, 1, 1, 1, 1, 1)
