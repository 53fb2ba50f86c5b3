"""The public surface: ``matcher.__all__``, the exception tree and method selection by name."""

from __future__ import annotations

import inspect
from collections.abc import Iterable

import numpy as np
import pytest

import matcher
from matcher import (
    InfeasibleError,
    InvalidInputError,
    MatcherError,
    Participant,
    Problem,
    SolverError,
)
from matcher.engine import solver_for

METHODS = list(matcher.METHODS)
SOLVERS = [name for name, m in matcher.METHODS.items() if m.solver is not None]


@pytest.mark.parametrize("name", matcher.__all__)
def test_every_name_in_all_resolves(name: str) -> None:
    assert getattr(matcher, name) is not None


def test_all_has_no_duplicates_and_covers_the_library_contract() -> None:
    assert len(set(matcher.__all__)) == len(matcher.__all__)
    for name in ("match", "solve", "Participant", "ProgramConfig", "Matching", "Availability"):
        assert name in matcher.__all__
    assert isinstance(matcher.__version__, str) and matcher.__version__


def test_exception_tree() -> None:
    assert issubclass(InvalidInputError, MatcherError)
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(InfeasibleError, MatcherError)
    assert issubclass(SolverError, MatcherError)
    assert issubclass(SolverError, RuntimeError)


def test_invalid_input_error_carries_every_problem() -> None:
    error = InvalidInputError(
        [
            Problem(
                "invalid capacity",
                file="mentors.csv",
                row=3,
                column="capacity",
                value="-1",
                expected="a whole number >= 0",
            ),
            "something else",
        ]
    )
    assert len(error.problems) == 2
    assert str(error).startswith("2 problems found:")
    assert (
        "mentors.csv, row 3, column 'capacity': invalid capacity: got '-1', "
        "expected a whole number >= 0"
    ) in str(error)
    with pytest.raises(ValueError):
        raise error


def test_infeasible_error_names_each_conflict() -> None:
    error = InfeasibleError(["mentor 'm1' has 2 pinned mentees but capacity 1"])
    assert error.reasons == ["mentor 'm1' has 2 pinned mentees but capacity 1"]
    assert "mentor 'm1'" in str(error)


def test_data_first_then_keyword_only_options() -> None:
    for func in (matcher.match, matcher.solve):
        params = list(inspect.signature(func).parameters.values())
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert positional in (["mentors", "mentees"], ["scores"]), func.__name__
        assert all(p.kind is p.KEYWORD_ONLY for p in params[len(positional) :])


# --- method selection: by name, never a silent fallback -------------------------------------

MENTORS = [Participant(id="m1", role="mentor")]
MENTEES = [Participant(id="e1")]


def _assert_lists_known_methods(
    error: InvalidInputError, asked: str, known: Iterable[str] = SOLVERS
) -> None:
    text = str(error)
    assert asked in text
    for name in known:
        assert name in text, f"{name!r} missing from: {text}"


def test_solve_rejects_an_unknown_method_listing_the_known_ones() -> None:
    with pytest.raises(InvalidInputError) as info:
        matcher.solve(np.array([[0.5]]), method="simplex")
    _assert_lists_known_methods(info.value, "simplex")


def test_match_rejects_an_unknown_method_listing_the_known_ones() -> None:
    with pytest.raises(InvalidInputError) as info:
        matcher.match(MENTORS, MENTEES, method="simplex")
    # match() also runs the methods that are not pair solvers (groups, suggest)
    _assert_lists_known_methods(info.value, "simplex", METHODS)


def test_match_rejects_an_unknown_method_from_the_config() -> None:
    with pytest.raises(InvalidInputError) as info:
        matcher.match(MENTORS, MENTEES, config={"program": {"method": "simplex"}})
    _assert_lists_known_methods(info.value, "simplex", METHODS)


def test_the_method_table_rejects_an_unknown_solver() -> None:
    with pytest.raises(InvalidInputError) as info:
        solver_for("simplex")
    _assert_lists_known_methods(info.value, "simplex")


@pytest.mark.parametrize("method", sorted(SOLVERS))
def test_each_solver_is_the_one_used(method: str) -> None:
    assert matcher.solve(np.array([[0.5, 0.2]]), method=method).method == method


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_method_is_the_one_match_uses(method: str) -> None:
    assert matcher.match(MENTORS, MENTEES, method=method).method == method


def test_solve_does_not_fall_back_for_a_method_that_needs_profiles() -> None:
    with pytest.raises(InvalidInputError, match="unknown method"):
        matcher.solve(np.array([[0.5]]), method="groups")


def test_default_method_is_optimal() -> None:
    assert matcher.solve(np.array([[0.5]])).method == "optimal"
    assert matcher.match(MENTORS, MENTEES).method == "optimal"


@pytest.mark.parametrize("enabled", [True, False])
def test_match_pauses_the_garbage_collector_and_restores_it(enabled: bool) -> None:
    """The collector is off while matching and back as it was after (after writing too), on
    errors as well."""
    import gc

    seen: list[bool] = []
    mentors = [Participant(id="m1", role="mentor", specialties="addiction")]
    mentees = [Participant(id="e1", specialties="addiction")]

    def spy(stage: str, share: float) -> None:
        seen.append(gc.isenabled())

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        matcher.match(mentors, mentees, progress=spy)
        assert seen and not any(seen)
        assert gc.isenabled() is enabled
        with pytest.raises(matcher.InvalidInputError):
            matcher.match(mentors, mentees, method="nonsense")
        assert gc.isenabled() is enabled
        with pytest.raises(matcher.InvalidInputError):
            matcher.solve(np.ones((1, 1)), method="nonsense")
        assert gc.isenabled() is enabled
        matching = matcher.match(mentors, mentees)
        with pytest.raises(matcher.InvalidInputError, match="/dev/null is a file"):
            matching.write("/dev/null/not-a-folder")  # a path under a file is bad input
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
