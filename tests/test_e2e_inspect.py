"""End to end over real sockets: the demo farm on loopback, `govinspect inspect`, `report`, `--resume`.

The farm plants known problems and records the truth; the inspector must find them and must not veto a
clean site. The resume test kills a running inspection and checks that resuming neither loses nor
duplicates findings.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govinspect.cli import app
from govinspect.demo.farm import AS_OF, Farm, build_farm
from govinspect.demo.server import FarmServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def farm() -> Farm:
    return build_farm(seed=2021, n_sites=36)


@pytest.fixture(scope="module")
def served(farm: Farm) -> Iterator[int]:
    with FarmServer(farm) as server:
        yield server.port


def _inspect_args(farm: Farm, port: int, registry: Path, out: Path, db: Path) -> list[str]:
    args = ["inspect", "--registry", str(registry), "--as-of", AS_OF.date().isoformat(), "--out", str(out),
            "--db", f"sqlite:///{db}", "--allow-private"]
    for entry in farm.resolve_entries(port):
        args += ["--resolve", entry]
    return args


@pytest.fixture(scope="module")
def inspected(farm: Farm, served: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("inspect-out")
    registry = out / "registry.csv"
    farm.write_registry_csv(registry, served)
    result = CliRunner().invoke(app, _inspect_args(farm, served, registry, out, out / "g.db"))
    assert result.exit_code == 0, result.output
    return out


def _findings(out: Path) -> list[dict]:
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def test_outputs_exist_and_follow_the_contract(inspected: Path, farm: Farm) -> None:
    for name in ("findings.jsonl", "scores.csv", "report.xlsx", "report.html"):
        assert (inspected / name).stat().st_size > 0, name
    warcs = list((inspected / "evidence").glob("*.warc.gz"))
    assert len(warcs) >= len(farm.sites) - 1
    with (inspected / "scores.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["site_code", "name", "region", "kind", "qualified", "vetoes", "deductions", "bonus", "score"]
    assert {r["site_code"] for r in rows} == {s.site_code for s in farm.sites}
    for row in rows:
        assert row["qualified"] in ("true", "false")
        assert (row["score"] == "") == bool(row["vetoes"])
    for f in _findings(inspected):
        assert list(f) == ["check", "site_code", "url", "target", "severity", "indicator", "detail", "evidence",
                           "observed_at"]
        assert f["severity"] in ("veto", "deduct", "info")
        assert f["indicator"], f
        assert f["evidence"]["warc_record"] or f["check"] in ("site.unreachable", "domain.noncompliant"), f


def test_planted_problems_found_and_clean_sites_not_vetoed(inspected: Path, farm: Farm) -> None:
    found = {(f["site_code"], f["check"]) for f in _findings(inspected)}
    planted = {(p.site_code, p.check) for p in farm.planted}
    missed = sorted(planted - found)
    assert len(missed) <= len(planted) * 0.1, f"missed planted problems: {missed}"
    with (inspected / "scores.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["site_code"]: r for r in csv.DictReader(fh)}
    vetoed_clean = [c for c in farm.clean_sites if rows[c]["vetoes"]]
    assert vetoed_clean == []


def test_evidence_points_into_the_warc(inspected: Path) -> None:
    from govinspect.archive.warc import iter_responses

    finding = next(f for f in _findings(inspected) if f["check"] == "link.dead")
    warc = inspected / "evidence" / f"{finding['site_code']}.warc.gz"
    ids = {record_id for record_id, _result in iter_responses(warc)}
    assert finding["evidence"]["warc_record"] in ids


def test_report_regenerates_from_database_without_fetching(inspected: Path, tmp_path: Path) -> None:
    db = inspected / "g.db"
    run_id = sqlite3.connect(db).execute("select run_id from runs").fetchone()[0]
    result = CliRunner().invoke(app, ["report", run_id, "--out", str(tmp_path), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "findings.jsonl").read_text(encoding="utf-8") == \
        (inspected / "findings.jsonl").read_text(encoding="utf-8")
    assert (tmp_path / "scores.csv").read_bytes() == (inspected / "scores.csv").read_bytes()


def test_kill_and_resume_loses_and_duplicates_nothing(farm: Farm, served: int, inspected: Path,
                                                      tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    farm.write_registry_csv(registry, served)
    db = tmp_path / "r.db"
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "govinspect.cli", *_inspect_args(farm, served, registry, out, db)]
    env = {**os.environ, "GOVINSPECT_CRAWL__SITES_IN_PARALLEL": "2"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                done = sqlite3.connect(db).execute("select count(*) from site_runs where status='done'").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if done >= 3:
                break
    assert proc.poll() is None, "inspection finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    run_id = sqlite3.connect(db).execute("select run_id from runs").fetchone()[0]
    pending = sqlite3.connect(db).execute("select count(*) from site_runs where status!='done'").fetchone()[0]
    assert pending > 0
    result = CliRunner().invoke(app, ["inspect", "--resume", run_id, "--out", str(out), "--db", f"sqlite:///{db}",
                                      "--allow-private", *sum((["--resolve", e] for e in farm.resolve_entries(served)), [])])
    assert result.exit_code == 0, result.output
    resumed = sorted((f["site_code"], f["check"], f["url"], f["target"] or "") for f in _findings(out))
    full = sorted((f["site_code"], f["check"], f["url"], f["target"] or "") for f in _findings(inspected))
    assert resumed == full
