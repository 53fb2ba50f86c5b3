"""A bounded fuzzing run of the command line in the test suite (the longer run, for
maintainers, is ``python -m tests.fuzz --minutes 30``; see tests/fuzz.py)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz import base_program, run_case
from tests.strategies import FuzzCase, fuzz_cases

BASE = base_program()


@pytest.fixture(autouse=True)
def _quiet_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="matcher")


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=fuzz_cases(BASE))
def test_mutated_exports_keep_every_invariant(case: FuzzCase) -> None:
    code, _ = run_case(case)  # raises InvariantError when one does not hold
    assert code in (0, 2, 3)


def test_the_unmutated_base_programme_runs() -> None:
    code, err = run_case(FuzzCase(dict(BASE), (), ()))
    assert code == 0, err
