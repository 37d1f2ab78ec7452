"""Several processes opening one new SQLite database at once: all succeed and the schema ends at head.

Each process is a real ``python`` that imports govinspect, says it is ready, waits for a shared start
signal and then calls ``Store.open`` — so the migrations of all of them start within milliseconds, as
when ``govinspect monitor`` and ``govinspect inspect`` are started together on a new database.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from govinspect.findings.store import MIGRATIONS, Store

PROCESSES = 4
ROUNDS = 4

# argv: database path, ready-marker path, start-signal path
_OPENER = """
import sys, time
from pathlib import Path
from govinspect.findings.store import Store

db, ready, go = sys.argv[1:4]
Path(ready).touch()
deadline = time.monotonic() + 60
while not Path(go).exists():
    if time.monotonic() > deadline:
        sys.exit("no start signal")
    time.sleep(0.001)
with Store.open(db) as store:
    store.sites()
"""


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head
    return head


def _version(db: Path) -> str | None:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def _start_openers(db: Path, count: int, go: Path) -> list[subprocess.Popen[str]]:
    """Start ``count`` openers and return once every one has imported govinspect and waits for ``go``."""
    procs = []
    readies = []
    for i in range(count):
        ready = db.with_name(f"{db.name}.ready{i}")
        readies.append(ready)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _OPENER, str(db), str(ready), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in readies):
        assert all(p.poll() is None for p in procs), "an opener exited before the start signal"
        assert time.monotonic() < deadline, "openers did not get ready"
        time.sleep(0.01)
    return procs


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    results = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        results.append((p.returncode, err))
    return results


def test_concurrent_first_opens_of_a_new_sqlite_file_all_succeed(tmp_path: Path) -> None:
    head = _head()
    for round_no in range(ROUNDS):
        db = tmp_path / f"round{round_no}" / "govinspect.db"
        db.parent.mkdir()
        go = db.with_name("go")
        procs = _start_openers(db, PROCESSES, go)
        go.touch()
        results = _finish(procs)
        failures = [err for code, err in results if code != 0]
        assert not failures, f"round {round_no}: {len(failures)} of {PROCESSES} opens failed:\n{failures[0]}"
        assert _version(db) == head
        with Store.open(str(db)) as store:  # a later open finds the schema current and usable
            assert store.sites() == []


def test_an_open_waits_while_another_process_migrates(tmp_path: Path) -> None:
    """While the migration lock is held, a new open neither migrates nor fails; on release it completes."""
    db = tmp_path / "govinspect.db"
    go = tmp_path / "go"
    with open(f"{db}.migrate.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        (proc,) = _start_openers(db, 1, go)
        go.touch()
        time.sleep(1.5)
        assert proc.poll() is None, "the open did not wait for the lock"
        assert _version(db) is None  # nothing migrated behind the holder's back
    [(code, err)] = _finish([proc])
    assert code == 0, err
    assert _version(db) == _head()


def test_an_open_of_a_current_database_takes_the_lock_only_to_check(tmp_path: Path) -> None:
    """Reopening a database already at head succeeds and leaves the schema where it was."""
    db = tmp_path / "govinspect.db"
    Store.open(str(db)).close()
    before = _version(db)
    with Store.open(str(db)) as store:
        assert store.sites() == []
    assert before == _version(db) == _head()
    assert Path(f"{db}.migrate.lock").exists()


def test_a_missing_folder_is_still_reported_and_not_created(tmp_path: Path) -> None:
    from govinspect.errors import StoreError

    db = tmp_path / "no-such-folder" / "govinspect.db"
    with pytest.raises(StoreError, match="check that its folder exists"):
        Store.open(str(db))
    assert not db.parent.exists()
