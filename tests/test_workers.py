"""Scale-out mode end to end: real `govinspect worker` processes on the machine's Redis and PostgreSQL
inspect demo-farm sites served on loopback and give what the one-machine mode gives.

The farm server here counts every request by method, host and path, so the tests can see that a link
common to sites on different workers is checked once; one test slows one site down and kills its worker
(SIGKILL, the whole process group) in the middle of it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiohttp import web
from typer.testing import CliRunner

from govinspect.cli import app
from govinspect.demo.farm import AS_OF, PORT_TOKEN, Farm, build_farm, iter_pages
from govinspect.demo.server import FarmServer
from tests.conftest import remove_redis_keys

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

FAST = {"GOVINSPECT_FETCH__PER_HOST_RATE": "200"}  # as `govinspect demo`: the farm answers at once
READY_S = 60.0


class CountingFarm(FarmServer):
    """The demo farm server, counting requests per (method, host, path?query); ``slow`` hosts answer late."""

    def __init__(self, farm: Farm) -> None:
        super().__init__(farm)
        self.hits: Counter[tuple[str, str, str]] = Counter()
        self.slow: dict[str, float] = {}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        host = request.headers.get("Host", "").rsplit(":", 1)[0].lower()
        self.hits[(request.method, host, request.path_qs)] += 1
        delay = self.slow.get(host)
        if delay:
            await asyncio.sleep(delay)
        return await super()._handle(request)


@dataclass
class Deployment:
    """One test's namespace: its own PostgreSQL database, Redis key prefix and queue, and its workers."""

    db: str
    redis: str
    prefix: str
    queue: str
    tmp: Path
    extra: dict[str, str] = field(default_factory=dict)
    workers: dict[str, tuple[subprocess.Popen[bytes], Path]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {"GOVINSPECT_DATABASE_URL": self.db, "GOVINSPECT_WORKERS__BROKER_URL": self.redis,
                "GOVINSPECT_WORKERS__KEY_PREFIX": self.prefix, "GOVINSPECT_WORKERS__QUEUE": self.queue,
                **FAST, **self.extra}

    def start_worker(self, name: str, concurrency: int = 2, pool: str = "prefork") -> None:
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "govinspect.cli", "worker", "--concurrency", str(concurrency), "--pool", pool,
             "--name", f"{name}@%h"], env={**os.environ, **self.env()}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True, cwd=self.tmp)
        self.workers[name] = (proc, log)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_S
        for name, (proc, log) in self.workers.items():
            while " ready." not in log.read_text(errors="replace"):
                assert proc.poll() is None, f"worker {name} exited: {log.read_text(errors='replace')[-2000:]}"
                assert time.monotonic() < deadline, f"worker {name} not ready: {log.read_text()[-2000:]}"
                time.sleep(0.2)

    def log(self, name: str) -> str:
        return self.workers[name][1].read_text(errors="replace")

    def kill(self, name: str) -> None:
        os.killpg(self.workers[name][0].pid, signal.SIGKILL)
        self.workers[name][0].wait(30)

    def stop(self) -> None:
        for proc, _ in self.workers.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _ in self.workers.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture(scope="module")
def farm() -> Farm:
    return build_farm(seed=7, n_sites=36)


@pytest.fixture(scope="module")
def served(farm: Farm) -> Iterator[CountingFarm]:
    with CountingFarm(farm) as server:
        yield server


@pytest.fixture(scope="module")
def codes(farm: Farm) -> list[str]:
    planted = sorted({p.site_code for p in farm.planted})[:4]
    return planted + farm.clean_sites[:2]


def _new_database(base: str) -> str:
    """Another throwaway database beside the session's (each deployment starts from an empty one)."""
    url = base.replace("postgresql+psycopg://", "postgresql://")
    name = f"govinspect_wk_{secrets.token_hex(5)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def _drop_database(base: str, db: str) -> None:
    url = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="module")
def deployments(pg_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Any]:
    made: list[Deployment] = []

    def make(**extra: str) -> Deployment:
        token = secrets.token_hex(4)
        dep = Deployment(db=_new_database(pg_database), redis=redis_url, prefix=f"govinspect-test-{token}:",
                         queue=f"govinspect-test-{token}", tmp=tmp_path_factory.mktemp(f"dep-{token}"),
                         extra=extra)
        made.append(dep)
        return dep

    yield make
    for dep in made:
        dep.stop()
        remove_redis_keys(dep.redis, dep.prefix)
        _drop_database(pg_database, dep.db)


def _inspect_args(farm: Farm, port: int, codes: list[str], out: Path) -> list[str]:
    registry = out / "registry.csv"
    out.mkdir(parents=True, exist_ok=True)
    farm.write_registry_csv(registry, port)
    args = ["inspect", "--registry", str(registry), "--as-of", AS_OF.date().isoformat(), "--out", str(out),
            "--allow-private"]
    for code in codes:
        args += ["--site", code]
    for entry in farm.resolve_entries(port):
        args += ["--resolve", entry]
    return args


def _external(server: CountingFarm, farm: Farm) -> Counter[tuple[str, str, str]]:
    """Requests to hosts outside the province (link checks), robots.txt left out (one per client)."""
    hosts = {e.host for e in farm.externals}
    return Counter({k: n for k, n in server.hits.items() if k[1] in hosts and k[2] != "/robots.txt"})


@dataclass
class Outcome:
    out: Path
    external: Counter[tuple[str, str, str]]
    seconds: float = 0.0
    output: str = ""


@pytest.fixture(scope="module")
def one_machine(farm: Farm, served: CountingFarm, codes: list[str],
                tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The reference: the default mode (SQLite, in-process) on the same sites and monitoring point."""
    out = tmp_path_factory.mktemp("one-machine")
    served.hits.clear()
    result = CliRunner().invoke(app, [*_inspect_args(farm, served.port, codes, out), "--db",
                                      f"sqlite:///{out / 'g.db'}"], env=FAST)
    assert result.exit_code == 0, result.output
    return Outcome(out, _external(served, farm))


@pytest.fixture(scope="module")
def distributed(farm: Farm, served: CountingFarm, codes: list[str], one_machine: Outcome, deployments: Any
                ) -> tuple[Outcome, Deployment]:
    dep: Deployment = deployments()
    dep.start_worker("w1")
    dep.start_worker("w2")
    dep.wait_ready()
    out = dep.tmp / "out"
    served.hits.clear()
    started = time.monotonic()
    result = CliRunner().invoke(app, [*_inspect_args(farm, served.port, codes, out), "--distributed", "--db",
                                      dep.db], env=dep.env())
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output + dep.log("w1")[-3000:] + dep.log("w2")[-3000:]
    return Outcome(out, _external(served, farm), seconds, result.output), dep


def _comparable(out: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        row.pop("observed_at")
        row["evidence"].pop("warc_record", None)  # record ids are fresh uuids in each archive
    return rows


def _stored_by(log: str, run_pattern: str = r"\S+") -> dict[str, int]:
    """site code -> times a worker's log says it stored the site."""
    return Counter(re.findall(rf"site_stored run={run_pattern} site=(\d+) ", log))


def test_distributed_run_gives_the_one_machine_results(distributed: tuple[Outcome, Deployment],
                                                       one_machine: Outcome, codes: list[str]) -> None:
    outcome, dep = distributed
    rows, reference = _comparable(outcome.out), _comparable(one_machine.out)
    assert len(reference) >= 5 and {r["site_code"] for r in reference} >= set(codes[:4])
    assert rows == reference
    assert (outcome.out / "scores.csv").read_bytes() == (one_machine.out / "scores.csv").read_bytes()
    for name in ("report.xlsx", "report.html"):
        assert (outcome.out / name).stat().st_size > 0
    evidence = sorted(p.name for p in (outcome.out / "evidence").iterdir())
    assert evidence == sorted(p.name for p in (one_machine.out / "evidence").iterdir())
    assert f"{codes[0]}.warc.gz" in evidence
    by_w1, by_w2 = _stored_by(dep.log("w1")), _stored_by(dep.log("w2"))
    assert by_w1 and by_w2, "both workers must have inspected sites"
    assert sorted([*by_w1, *by_w2]) == sorted(codes)  # every site stored once, by one worker
    assert "6/6" in outcome.output
    assert outcome.seconds < 60, f"the distributed run took {outcome.seconds:.0f} s"


def test_link_common_to_sites_on_different_workers_is_checked_once(
        distributed: tuple[Outcome, Deployment], one_machine: Outcome, farm: Farm) -> None:
    outcome, dep = distributed
    by_w1, by_w2 = set(_stored_by(dep.log("w1"))), set(_stored_by(dep.log("w2")))
    linked: dict[str, set[str]] = {}
    hosts = {e.host for e in farm.externals}
    for site, _path, body, ctype in iter_pages(farm):
        if "html" in ctype:
            text = body.decode(site.encoding, "replace")
            for host, path in re.findall(rf'href="http://([^/:"]+):{PORT_TOKEN}(/[^"#?]*)"', text):
                if host in hosts:
                    linked.setdefault(f"{host}{path}", set()).add(site.site_code)
    common = [url for url, sites in linked.items() if sites & by_w1 and sites & by_w2]
    assert "www.gov.cn/" in common  # 中国政府网, linked by every site: on both workers
    assert outcome.external == one_machine.external  # every external link: as often as on one machine
    gov_cn = {k: n for k, n in outcome.external.items() if k[1] == "www.gov.cn" and k[2] == "/"}
    assert gov_cn == {("HEAD", "www.gov.cn", "/"): 1}
    shared = [int(n) for n in re.findall(r"site_stored .* links_shared=(\d+)", dep.log("w1") + dep.log("w2"))]
    assert sum(shared) > 0  # statuses one worker checked were taken from Redis by sites of the other


def test_resume_enqueues_only_the_sites_not_stored(distributed: tuple[Outcome, Deployment], one_machine: Outcome,
                                                   farm: Farm, served: CountingFarm, codes: list[str]) -> None:
    outcome, dep = distributed
    url = dep.db.replace("postgresql+psycopg://", "postgresql://")
    lost = codes[1]
    with psycopg.connect(url) as conn:  # as if the run had been stopped before this site was stored
        row = conn.execute("select run_id from runs").fetchone()
        assert row is not None
        run_id = row[0]
        conn.execute("update site_runs set status = 'pending', finished_at = null where site_code = %s", (lost,))
        for table in ("findings", "check_runs", "scores"):
            conn.execute(f"delete from {table} where site_code = %s", (lost,))  # noqa: S608 - fixed names
    before = {name: _started(dep.log(name)) for name in ("w1", "w2")}
    out = dep.tmp / "resumed"
    args = ["inspect", "--resume", run_id, "--distributed", "--db", dep.db, "--out", str(out), "--allow-private"]
    for entry in farm.resolve_entries(served.port):
        args += ["--resolve", entry]
    result = CliRunner().invoke(app, args, env=dep.env())
    assert result.exit_code == 0, result.output
    again = sum((_started(dep.log(name)) - before[name] for name in ("w1", "w2")), Counter())
    assert again == Counter({lost: 1})  # the stored sites were not enqueued again
    assert _comparable(out) == _comparable(one_machine.out)
    assert (out / "scores.csv").read_bytes() == (one_machine.out / "scores.csv").read_bytes()


def _started(log: str) -> Counter[str]:
    return Counter(re.findall(r"site_started run=\S+ site=(\d+) ", log))


def test_killed_worker_site_is_delivered_again_and_stored_once(farm: Farm, served: CountingFarm,
                                                              codes: list[str], one_machine: Outcome,
                                                              deployments: Any) -> None:
    dep: Deployment = deployments(GOVINSPECT_WORKERS__TASK_TIME_LIMIT="15",
                                  GOVINSPECT_WORKERS__VISIBILITY_TIMEOUT="24",
                                  GOVINSPECT_WORKERS__RESTORE_INTERVAL="1")
    subset = codes[:3]
    victim = subset[0]
    dep.start_worker("k1", concurrency=1, pool="solo")  # one worker of each pool kind
    dep.start_worker("k2", concurrency=1)
    dep.wait_ready()
    out = dep.tmp / "out"
    served.slow[farm.site(victim).host] = 0.05  # long enough to be killed in the middle of it
    started = re.compile(rf"site_started run=\S+ site={victim} worker=(k[12])@")
    killed: list[str] = []

    def kill_when_started() -> None:
        deadline = time.monotonic() + 2 * READY_S
        while time.monotonic() < deadline:
            for name in ("k1", "k2"):
                if started.search(dep.log(name)):
                    time.sleep(0.5)
                    dep.kill(name)
                    killed.append(name)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_started)
    killer.start()
    try:
        result = CliRunner().invoke(app, [*_inspect_args(farm, served.port, subset, out), "--distributed", "--db",
                                          dep.db], env=dep.env())
    finally:
        killer.join()
        served.slow.clear()
    assert killed, f"the victim site never started: {result.output} {result.exception!r}"
    survivor = "k2" if killed[0] == "k1" else "k1"
    assert result.exit_code == 0, result.output + dep.log(survivor)[-3000:]
    assert not re.search(rf"site_stored run=\S+ site={victim} ", dep.log(killed[0]))  # killed in the middle
    assert re.search(rf"site_started run=\S+ site={victim} worker={survivor}@\S+ attempt=2", dep.log(survivor))
    reference = [r for r in _comparable(one_machine.out) if r["site_code"] in subset]
    assert any(r["site_code"] == victim for r in reference)
    assert _comparable(out) == reference  # nothing lost, nothing twice
    count = "select count(*) from {} where site_code = ?"
    with sqlite3.connect(one_machine.out / "g.db") as ref:
        expected = [ref.execute(count.format(t), (victim,)).fetchone() for t in ("findings", "check_runs")]
    with psycopg.connect(dep.db.replace("postgresql+psycopg://", "postgresql://")) as conn:
        stored = [conn.execute(count.format(t).replace("?", "%s"), (victim,)).fetchone()
                  for t in ("findings", "check_runs")]
    assert stored == expected and expected[1][0] > 10  # one row per finding and per check, no leftovers


def test_site_whose_process_is_killed_goes_back_to_the_queue_at_once(farm: Farm, served: CountingFarm,
                                                                     codes: list[str], one_machine: Outcome,
                                                                     deployments: Any) -> None:
    """Only the pool process running the site dies (out of memory, say): the worker hands the site out
    again at once (acks late, reject on worker lost), long before any visibility timeout."""
    dep: Deployment = deployments(GOVINSPECT_WORKERS__TASK_TIME_LIMIT="600")  # visibility: 15 minutes
    dep.start_worker("p1", concurrency=1)
    dep.wait_ready()
    victim = codes[3]
    served.slow[farm.site(victim).host] = 0.05
    killed: list[int] = []

    def kill_pool_process() -> None:
        deadline = time.monotonic() + 2 * READY_S
        main = dep.workers["p1"][0].pid
        while time.monotonic() < deadline:
            if f"site={victim}" in dep.log("p1"):
                time.sleep(0.5)
                children = Path(f"/proc/{main}/task/{main}/children").read_text().split()
                for child in children:
                    os.kill(int(child), signal.SIGKILL)
                    killed.append(int(child))
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_pool_process)
    killer.start()
    started = time.monotonic()
    try:
        result = CliRunner().invoke(app, [*_inspect_args(farm, served.port, [victim], dep.tmp / "out"),
                                          "--distributed", "--db", dep.db], env=dep.env())
    finally:
        killer.join()
        served.slow.clear()
    assert killed, "the pool process was never found"
    assert result.exit_code == 0, result.output + dep.log("p1")[-3000:]
    assert time.monotonic() - started < 120  # not the 15-minute visibility timeout
    assert re.search(rf"site_started run=\S+ site={victim} worker=p1@\S+ attempt=2", dep.log("p1"))
    reference = [r for r in _comparable(one_machine.out) if r["site_code"] == victim]
    assert reference and _comparable(dep.tmp / "out") == reference


def test_run_stops_with_a_resume_hint_when_its_last_worker_dies(farm: Farm, served: CountingFarm,
                                                                codes: list[str], deployments: Any) -> None:
    dep: Deployment = deployments(GOVINSPECT_WORKERS__STALL_SECONDS="3", GOVINSPECT_WORKERS__WORKER_TIMEOUT="1")
    dep.start_worker("only", concurrency=1)
    dep.wait_ready()
    victim = codes[2]
    served.slow[farm.site(victim).host] = 0.05

    def kill_when_started() -> None:
        deadline = time.monotonic() + 2 * READY_S
        while time.monotonic() < deadline and f"site={victim}" not in dep.log("only"):
            time.sleep(0.05)
        dep.kill("only")

    killer = threading.Thread(target=kill_when_started)
    killer.start()
    try:
        result = CliRunner().invoke(app, [*_inspect_args(farm, served.port, [victim], dep.tmp / "out"),
                                          "--distributed", "--db", dep.db], env=dep.env())
    finally:
        killer.join()
        served.slow.clear()
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "no worker answered" in message and "start `govinspect worker`" in message
    assert re.search(r"govinspect inspect --distributed --resume \d{8}-[0-9a-f]{6}", message)
    assert not (dep.tmp / "out" / "findings.jsonl").exists()  # no outputs from a run that did not finish


# --- one-line errors -------------------------------------------------------------------------------------


def _one_line(output: str) -> str:
    """The error message, unwrapped (the console wraps it at its width): one ``error:`` and nothing else."""
    assert output.startswith("error: ") and output.count("error:") == 1, output
    return " ".join(output.split())


def test_sqlite_database_is_refused_naming_the_fix(tmp_path: Path, redis_url: str) -> None:
    reg = tmp_path / "r.csv"
    reg.write_text("网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
                   "4408820001,雷州市人民政府,http://www.leizhou.gov.cn/,广东省/湛江市/雷州市,雷州市人民政府办公室,门户网站\n",
                   encoding="utf-8")
    db = tmp_path / "g.db"
    env = {"GOVINSPECT_WORKERS__BROKER_URL": redis_url}
    result = CliRunner().invoke(app, ["inspect", "--registry", str(reg), "--as-of", "2021-06-15", "--distributed",
                                      "--db", f"sqlite:///{db}", "--out", str(tmp_path / "out")], env=env)
    assert result.exit_code == 2
    line = _one_line(result.output)
    assert "SQLite" in line and "every worker can reach" in line and "postgresql+psycopg://" in line
    assert not db.exists()  # nothing created for a run that cannot start
    result = CliRunner().invoke(app, ["worker", "--db", f"sqlite:///{db}"], env=env)
    assert result.exit_code == 2 and "SQLite" in _one_line(result.output)


def test_unreachable_redis_is_named(tmp_path: Path, pg_database: str) -> None:
    from tests.mockserver import closed_port

    env = {"GOVINSPECT_WORKERS__BROKER_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    result = CliRunner().invoke(app, ["worker", "--db", pg_database], env=env)
    assert result.exit_code == 2
    line = _one_line(result.output)
    assert "not reachable" in line and "start redis-server" in line
    reg = tmp_path / "r.csv"
    reg.write_text("网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
                   "4408820001,雷州市人民政府,http://www.leizhou.gov.cn/,广东省/湛江市/雷州市,雷州市人民政府办公室,门户网站\n",
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", "--registry", str(reg), "--as-of", "2021-06-15", "--distributed",
                                      "--db", pg_database, "--out", str(tmp_path / "out")], env=env)
    assert result.exit_code == 2 and "not reachable" in _one_line(result.output)


def test_no_worker_answering_says_start_one_and_creates_no_run(tmp_path: Path, deployments: Any) -> None:
    dep: Deployment = deployments(GOVINSPECT_WORKERS__WORKER_TIMEOUT="1")
    reg = tmp_path / "r.csv"
    reg.write_text("网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
                   "4408820001,雷州市人民政府,http://www.leizhou.gov.cn/,广东省/湛江市/雷州市,雷州市人民政府办公室,门户网站\n",
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", "--registry", str(reg), "--as-of", "2021-06-15", "--distributed",
                                      "--db", dep.db, "--out", str(tmp_path / "out")], env=dep.env())
    assert result.exit_code == 2
    line = _one_line(result.output)
    assert "no worker answered" in line and "start `govinspect worker`" in line and dep.queue in line
    with psycopg.connect(dep.db.replace("postgresql+psycopg://", "postgresql://")) as conn:
        tables = conn.execute("select count(*) from information_schema.tables where table_schema = 'public'")
        assert tables.fetchone() == (0,)  # checked before the store was even opened: nothing created


def test_worker_settings_refuse_a_visibility_timeout_inside_the_time_limit() -> None:
    result = CliRunner().invoke(app, ["worker"], env={"GOVINSPECT_WORKERS__TASK_TIME_LIMIT": "100",
                                                      "GOVINSPECT_WORKERS__VISIBILITY_TIMEOUT": "120"})
    assert result.exit_code == 2
    assert "visibility_timeout must exceed" in _one_line(result.output)
