"""Shared pytest options and fixtures."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files under tests/golden/ from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --update-golden."""
    return bool(request.config.getoption("--update-golden"))


# --- PostgreSQL ------------------------------------------------------------------------------------
# Tests that use the database for real share one throwaway database per session. When the server is down
# they skip, or fail when GOVINSPECT_REQUIRE_POSTGRES=1 (as .ci/run sets).

PG_HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("GOVINSPECT_TEST_PG_PORT", "5432"))  # another port only to try the down case


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session; its URL without schema options."""
    import psycopg

    admin = None
    role = ""
    problems: list[str] = []
    for role in ("postgres", "root"):
        try:
            admin = psycopg.connect(
                host=PG_HOST, port=PG_PORT, user=role, dbname="test", autocommit=True, connect_timeout=5
            )
            break
        except psycopg.OperationalError as exc:
            problems.append(f"{role}: {str(exc).strip().splitlines()[0]}")
    if admin is None:
        reason = f"PostgreSQL at {PG_HOST}:{PG_PORT} not usable ({'; '.join(problems)})"
        if os.environ.get("GOVINSPECT_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " and GOVINSPECT_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    name = f"govinspect_test_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{role}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


# --- Redis -------------------------------------------------------------------------------------------
# Tests of the scale-out mode use the machine's Redis on a database number of their own, each with its own
# key prefix and queue name (removed afterwards). When the server is down they skip, or fail when
# GOVINSPECT_REQUIRE_REDIS=1 (as .ci/run sets).

REDIS_PORT = int(os.environ.get("GOVINSPECT_TEST_REDIS_PORT", "6379"))
REDIS_TEST_DB = 13


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the test database number of the machine's Redis (skips, or fails in CI, when it is down)."""
    import redis

    url = f"redis://{PG_HOST}:{REDIS_PORT}/{REDIS_TEST_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis at {PG_HOST}:{REDIS_PORT} not usable ({exc})"
        if os.environ.get("GOVINSPECT_REQUIRE_REDIS") == "1":
            pytest.fail(reason + " and GOVINSPECT_REQUIRE_REDIS=1")
        pytest.skip(reason)
    finally:
        client.close()
    return url


def remove_redis_keys(url: str, prefix: str) -> int:
    """Delete every key under ``prefix`` (a test's namespace); returns how many there were."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])
        return len(keys)
    finally:
        client.close()
