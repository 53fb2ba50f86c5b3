"""One table of methods: name -> runner.  The library (``method=``), the CLI (``--method``),
``program.toml`` (``[program] method``) and ``matcher.solve`` all read :data:`METHODS`; a new
method is one entry here (and its name in :data:`matcher.profiles.METHOD_NAMES`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Protocol

import numpy as np

from matcher._errors import InvalidInputError, Problem
from matcher.engine._assign import SPARSE_PAIRS, Solver, assign
from matcher.engine._equity import assign_equity
from matcher.engine._groups import form_groups
from matcher.engine._lazy_stable import assign_stable_lazily
from matcher.engine._options import SparseOptions
from matcher.engine._sparse_fair import certified_fair
from matcher.matching import SHOWN, Matching, Pair
from matcher.profiles import METHOD_NAMES, vocab
from matcher.scoring import Progress, ScoringModel
from matcher.solvers import solve_fair, solve_optimal, solve_stable

__all__ = ["METHODS", "Method", "RunOptions", "Runner", "check_method", "solver_for"]


@dataclass(frozen=True)
class RunOptions:
    """What a runner may need beyond the problem: the path of optimal and fair (``sparse``:
    None picks by size) and its tuning, and the length of suggestion lists (``top``)."""

    sparse: bool | None = None
    tuning: SparseOptions = field(default_factory=SparseOptions)
    top: int = 5


class Runner(Protocol):
    """``(model, pinned, *, seed, progress, options) -> Matching``; ``pinned`` holds
    (mentee, mentor) indices already checked against capacities and hard rules."""

    def __call__(
        self,
        model: ScoringModel,
        pinned: list[tuple[int, int]],
        *,
        seed: int,
        progress: Progress | None,
        options: RunOptions,
    ) -> Matching: ...


@dataclass(frozen=True)
class Method:
    """A matching method: what it does, how it runs on profiles, and the array solver that
    ``matcher.solve`` uses on precomputed scores (None: it needs profiles)."""

    name: str
    description: str
    runner: Runner
    solver: Solver | None = None

    def __str__(self) -> str:
        return self.description


def _sparse(model: ScoringModel, options: RunOptions) -> SparseOptions | None:
    n_e, n_m = model.shape
    sparse = n_e * n_m > SPARSE_PAIRS if options.sparse is None else options.sparse
    return options.tuning if sparse else None


def _optimal(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    *,
    seed: int,
    progress: Progress | None,
    options: RunOptions,
) -> Matching:
    def plain() -> Matching:
        return assign(
            model,
            pinned,
            solve_optimal,
            seed=seed,
            progress=progress,
            certified=_sparse(model, options),
        )

    if model.config.equity.active:
        return assign_equity(
            model,
            pinned,
            fair=False,
            seed=seed,
            progress=progress,
            without=plain,
            certified=_sparse(model, options),
        )
    return plain()


def _fair(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    *,
    seed: int,
    progress: Progress | None,
    options: RunOptions,
) -> Matching:
    def plain() -> Matching:
        return assign(
            model,
            pinned,
            solve_fair,
            seed=seed,
            progress=progress,
            certified=_sparse(model, options),
            certifier=certified_fair,
        )

    if model.config.equity.active:
        return assign_equity(
            model,
            pinned,
            fair=True,
            seed=seed,
            progress=progress,
            without=plain,
            certified=_sparse(model, options),
        )
    return plain()


def _stable(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    *,
    seed: int,
    progress: Progress | None,
    options: RunOptions,
) -> Matching:
    # lists drawn lazily (see _lazy_stable); a side with nobody has no pair to draw
    if _sparse(model, options) is not None and min(model.shape) > 0:
        return assign_stable_lazily(model, pinned, seed=seed, progress=progress)
    return assign(model, pinned, solve_stable, seed=seed, progress=progress, ranked=True)


def _groups(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    *,
    seed: int,
    progress: Progress | None,
    options: RunOptions,
) -> Matching:
    if pinned:
        raise InvalidInputError(
            [
                Problem(
                    "pinned pairs and current matches are not supported with method 'groups'",
                    column="method",
                    value="groups",
                    expected="no --pinned/--current with groups (re-form the groups instead)",
                )
            ]
        )
    return form_groups(model, seed=seed, progress=progress)


def _suggest(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    *,
    seed: int,
    progress: Progress | None,
    options: RunOptions,
) -> Matching:
    """Top-N lists, load-aware: each mentee "wants" ``top`` mentors and a mentor with ``c``
    places is shown to ``c * top`` mentees; the optimal assignment under those limits."""
    top = options.top
    wanted = np.full(len(model.mentees), top, np.int64)
    shown = model.enc.mentors.capacity * top
    matching = assign(
        model,
        [],
        solve_optimal,
        seed=seed,
        progress=progress,
        mentee_capacity=wanted,
        mentor_capacity=shown,
        certified=_sparse(model, options),
        wording=SHOWN,
    )
    ranked: list[Pair] = []
    by_mentee: dict[str, list[Pair]] = {}
    for pair in matching.pairs:
        by_mentee.setdefault(pair.mentee_id, []).append(pair)
    for mentee_id in sorted(by_mentee):
        mine = sorted(by_mentee[mentee_id], key=lambda p: (-p.score, p.mentor_id))
        ranked += [replace(p, rank=k) for k, p in enumerate(mine, start=1)]
    matching.pairs = ranked
    matching.kind = "suggest"
    matching.method = "suggest"
    counts = [len(v) for v in by_mentee.values()]
    matching.summary_extra.update(
        {
            "top": top,
            "suggestions": len(ranked),
            "mentees_with_full_list": sum(1 for c in counts if c >= top),
            "mentees_with_short_list": sum(1 for c in counts if c < top),
        }
    )
    return matching


_TABLE = (
    Method(
        "optimal",
        "most mentees matched, then the highest total score",
        _optimal,
        solve_optimal,
    ),
    Method(
        "fair",
        "most mentees matched, then the best lowest score, then the highest total",
        _fair,
        solve_fair,
    ),
    Method(
        "stable",
        "mentee-optimal stable matching for stated or score-derived rankings",
        _stable,
        solve_stable,
    ),
    Method("groups", "small groups sharing a session window, language and format", _groups),
    Method(
        "suggest",
        "top-N mentors per mentee, load-aware, for programmes where mentees choose",
        _suggest,
    ),
)

#: Every matching method by name, in the order the documentation lists them.
METHODS: Mapping[str, Method] = MappingProxyType({m.name: m for m in _TABLE})

if tuple(METHODS) != METHOD_NAMES:  # pragma: no cover - caught by the test suite at once
    raise RuntimeError(f"method table {tuple(METHODS)} != program.toml's {METHOD_NAMES}")


def check_method(name: str) -> Method:
    """The method called ``name``; an unknown name is an error, never a fallback."""
    if name not in METHODS:
        raise InvalidInputError(
            [
                Problem(
                    "unknown method",
                    column="method",
                    value=name,
                    expected="one of " + ", ".join(METHODS) + vocab.did_you_mean(name, METHODS),
                )
            ]
        )
    return METHODS[name]


def solver_for(name: str) -> Solver:
    """The array solver of method ``name`` (for precomputed scores); a method that needs
    profiles, or an unknown name, is an error listing those that do not."""
    method = METHODS.get(name)
    if method is None or method.solver is None:
        raise InvalidInputError(
            [
                Problem(
                    "unknown method",
                    column="method",
                    value=name,
                    expected="one of "
                    + ", ".join(sorted(n for n, m in METHODS.items() if m.solver is not None)),
                )
            ]
        )
    return method.solver
