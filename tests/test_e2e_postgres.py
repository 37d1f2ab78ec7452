"""Same results either way: one inspection stored in SQLite and in PostgreSQL gives identical outputs.

The demo farm is served on loopback; a handful of its sites (planted and clean) are inspected twice, once
with the default SQLite file and once with the machine's PostgreSQL, and the reports regenerated from each
database must agree finding for finding and byte for byte in scores.csv.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govinspect.cli import app
from govinspect.demo.farm import AS_OF, Farm, build_farm
from govinspect.demo.server import FarmServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def farm() -> Farm:
    return build_farm(seed=7, n_sites=36)


@pytest.fixture(scope="module")
def served(farm: Farm) -> Iterator[int]:
    with FarmServer(farm) as server:
        yield server.port


def _inspect(farm: Farm, port: int, codes: list[str], out: Path, db: str) -> None:
    registry = out / "registry.csv"
    out.mkdir(parents=True, exist_ok=True)
    farm.write_registry_csv(registry, port)
    args = ["inspect", "--registry", str(registry), "--as-of", AS_OF.date().isoformat(), "--out", str(out),
            "--db", db, "--allow-private"]
    for code in codes:
        args += ["--site", code]
    for entry in farm.resolve_entries(port):
        args += ["--resolve", entry]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def _comparable(out: Path) -> list[dict]:
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        row.pop("observed_at")
        row["evidence"].pop("warc_record", None)  # record ids are fresh uuids in each archive
    return rows


def test_sqlite_and_postgresql_give_identical_outputs(farm: Farm, served: int, pg_database: str,
                                                      tmp_path: Path) -> None:
    planted = sorted({p.site_code for p in farm.planted})[:5]
    codes = planted + farm.clean_sites[:2]
    _inspect(farm, served, codes, tmp_path / "sqlite", f"sqlite:///{tmp_path / 'g.db'}")
    _inspect(farm, served, codes, tmp_path / "pg", pg_database)
    sqlite_rows, pg_rows = _comparable(tmp_path / "sqlite"), _comparable(tmp_path / "pg")
    assert len(sqlite_rows) >= 5
    assert {r["site_code"] for r in sqlite_rows} >= set(planted)
    assert pg_rows == sqlite_rows
    assert (tmp_path / "pg" / "scores.csv").read_bytes() == (tmp_path / "sqlite" / "scores.csv").read_bytes()
