"""Service test set-up: the embedded backends always, PostgreSQL and Redis where they answer.

Tests skip when the ``matcher[service]`` extra is not installed.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("huey")
pytest.importorskip("sqlalchemy")

from matcher.service import Settings

POSTGRES_URL = os.environ.get(
    "MATCHER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("MATCHER_TEST_REDIS", "redis://127.0.0.1:6379/15")
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def postgres_ok() -> bool:
    if not _port_open("127.0.0.1", 5432):
        return False
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def redis_ok() -> bool:
    if not _port_open("127.0.0.1", 6379):
        return False
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).ping()
        return True
    except Exception:
        return False


def pytest_report_header() -> str:
    db = "sqlite" + (", postgresql" if postgres_ok() else " (postgresql not reachable)")
    queue = "sqlite" + (", redis" if redis_ok() else " (redis not reachable)")
    return f"matcher service backends: database {db}; queue {queue}"


def db_urls(tmp: Path) -> list[str]:
    urls = [f"sqlite:///{tmp / 'matcher.db'}"]
    if postgres_ok():
        urls.append(POSTGRES_URL)
    return urls


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'matcher.db'}"
    if not postgres_ok():
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    if not redis_ok():
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", heartbeat_timeout_s=3.0)


@pytest.fixture
def client(settings: Settings) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from matcher.service import create_app

    with TestClient(create_app(settings)) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique() -> str:
    return uuid.uuid4().hex[:8]
