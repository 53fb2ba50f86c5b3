"""schemathesis over /openapi.json: no generated request gets a 500 (or a stack trace)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from matcher.service import Settings, create_app  # noqa: E402

_DATA = Path(tempfile.mkdtemp(prefix="matcher-schema-"))
app = create_app(Settings(data_dir=_DATA, sync_max_pairs=2_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error(case: object) -> None:
    response = case.call()  # type: ignore[attr-defined]
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
