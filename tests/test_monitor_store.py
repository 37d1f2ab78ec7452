"""Availability samples in the findings database: revision 0004 on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from govinspect.findings.store import MIGRATIONS, Store
from govinspect.findings.tables import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new schema in the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govinspect.db'}"
    base: str = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


def _alembic(store: Store, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, verb)(config, revision)


def test_revision_0004_creates_the_probe_table_and_downgrades_cleanly(store_url: str) -> None:
    with Store.open(store_url) as store:
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            assert "availability_probes" in inspect(conn).get_table_names()
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("availability_probes")}
            assert "ix_availability_probes_site_code_probed_at" in indexes
        _alembic(store, "downgrade", "0003")
        with store.engine.connect() as conn:
            assert "availability_probes" not in inspect(conn).get_table_names()
            assert "runs" in inspect(conn).get_table_names()  # earlier revisions untouched
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
        _alembic(store, "upgrade", "0004")
        with store.engine.connect() as conn:
            assert "availability_probes" in inspect(conn).get_table_names()
