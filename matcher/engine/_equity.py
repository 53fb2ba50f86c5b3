"""``[equity]``: the optimal and fair methods under a coverage rule across the subgroups of one
mentee column (see :mod:`matcher.solvers._equity` for the exact solve).  The programme is
solved twice, with and without the rule, so that the summary and the report show its price."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._errors import InvalidInputError, Problem
from matcher.engine._assign import assign
from matcher.engine._build import from_model
from matcher.engine._options import SparseOptions
from matcher.engine._sparse_equity import certified_equity
from matcher.matching import MIN_SUBGROUP, RULE_FIELDS, Matching, subgroups_of
from matcher.profiles import EquityConfig, Participant, vocab
from matcher.scoring import Progress, ScoringModel
from matcher.solvers import AssignmentProblem, EquityRule, SolverResult, solve_equity

__all__ = [
    "EQUITY_METHODS",
    "EQUITY_PAIRS",
    "assign_equity",
    "check_equity",
    "check_equity_method",
]

log = logging.getLogger(__name__)

#: The methods an ``[equity]`` rule applies to.
EQUITY_METHODS = ("optimal", "fair")
#: On the dense path (a small programme, or ``sparse=False``) the rule is solved on the list
#: of every allowed pair: at most this many mentee x mentor pairs there.  Larger programmes
#: take the certified sparse path (:mod:`matcher.engine._sparse_equity`), which has no limit
#: of its own.
EQUITY_PAIRS = 25_000_000


def _problem(message: str, key: str, value: str | None, expected: str | None) -> Problem:
    return Problem(message, file="program.toml", column=key, value=value, expected=expected)


def check_equity_method(method: str, rule: EquityConfig) -> None:
    """An ``[equity]`` rule with a method that cannot honour it is an input error."""
    if rule.active and method not in EQUITY_METHODS:
        raise InvalidInputError(
            [
                _problem(
                    "[equity] is not supported with this method",
                    "program.method",
                    method,
                    "method " + " or ".join(EQUITY_METHODS) + " (or remove [equity])",
                )
            ]
        )


def _check_size(n_e: int, n_m: int) -> None:
    if n_e * n_m > EQUITY_PAIRS:
        raise InvalidInputError(
            [
                _problem(
                    "too large for [equity] on the dense path (sparse=False), which lists "
                    "every allowed pair",
                    "equity",
                    f"{n_e:,} mentees x {n_m:,} mentors = {n_e * n_m:,} pairs",
                    f"at most {EQUITY_PAIRS:,} mentee x mentor pairs, or the certified sparse "
                    "path (the default at this size)",
                )
            ]
        )


def _subgroups(
    cfg: EquityConfig, mentees: Sequence[Participant]
) -> tuple[npt.NDArray[np.int64], tuple[str, ...], tuple[Fraction | None, ...] | None]:
    """Each mentee's subgroup by ``[equity] column``, the subgroups' names, and the shares of
    ``min_share`` by subgroup (None under ``equalise``); every problem with the column or
    ``min_share`` at once."""
    column = cfg.column
    assert column is not None
    extra = sorted({k for person in mentees for k in person.extra})
    values = subgroups_of(column, mentees, extra)
    if values is None:
        choices = [*RULE_FIELDS, *extra]
        raise InvalidInputError(
            [
                _problem(
                    "unknown mentee column",
                    "equity.column",
                    column,
                    "one of " + ", ".join(choices) + vocab.did_you_mean(column, choices),
                )
            ]
        )
    several = [k for k, v in enumerate(values) if len(v) > 1]
    if several:
        raise InvalidInputError(
            [
                _problem(
                    f"{vocab.count(len(several), 'mentee')} give several values in this column "
                    f"(first: mentee {mentees[several[0]].id!r})",
                    "equity.column",
                    column,
                    "a column with one value per mentee: each mentee in one subgroup",
                )
            ]
        )
    names = tuple(sorted({v[0] for v in values}))
    index = {name: g for g, name in enumerate(names)}
    subgroup = np.array([index[v[0]] for v in values], np.int64)
    if cfg.mode == "equalise":
        return subgroup, names, None
    shares: list[Fraction | None] = [None] * len(names)
    problems = []
    said: dict[int, str] = {}
    for name, share in (cfg.min_share or {}).items():
        found = _subgroup_named(name, names)
        if isinstance(found, str):
            problems.append(
                _problem(
                    found,
                    f"equity.min_share.{name}",
                    name,
                    f"a value of column {column!r} among the mentees, as a code or as written "
                    "in the data (any case): "
                    + ", ".join(names[:20])
                    + (" …" if len(names) > 20 else "")
                    + _did_you_mean(name, names),
                )
            )
            continue
        if found in said:
            problems.append(
                _problem(
                    f"subgroup {names[found]!r} is given twice (also as {said[found]!r})",
                    f"equity.min_share.{name}",
                    name,
                    "each subgroup once in min_share",
                )
            )
            continue
        said[found] = name
        shares[found] = Fraction(str(share))  # exactly as written: 0.9 is 9/10
    if problems:
        raise InvalidInputError(problems)
    return subgroup, names, tuple(shares)


def _forms(text: str) -> set[tuple[str, str]]:
    """What a subgroup or a ``min_share`` key can stand for: itself in any case, and the
    region or language code it names (``Terre-Neuve-et-Labrador``, ``NL``; ``français``,
    ``fr``) or its vocabulary slug (``Family physician``, ``family_physician``)."""
    out = {("slug", vocab.slug(text))}
    for kind, normalize in (
        ("region", vocab.normalize_region),
        ("language", vocab.normalize_language),
    ):
        with contextlib.suppress(ValueError):
            out.add((kind, normalize(text)))
    return out


def _subgroup_named(key: str, names: Sequence[str]) -> int | str:
    """The subgroup a ``min_share`` key names (its index), or why none: the name itself in
    any case first, else the one subgroup that stands for the same code or slug."""
    folded = [g for g, name in enumerate(names) if name.casefold() == key.casefold()]
    if folded:
        return folded[0]
    forms = _forms(key)
    alike = [g for g, name in enumerate(names) if forms & _forms(name)]
    if len(alike) > 1:
        return "names several subgroups: " + ", ".join(names[g] for g in alike)
    return alike[0] if alike else "unknown subgroup"


def _did_you_mean(key: str, names: Sequence[str]) -> str:
    """``; did you mean 'NL'?`` from the subgroups, or from the region names."""
    hint = vocab.did_you_mean(key, names)
    if hint:
        return hint
    region = vocab.closest_region(key)
    return f"; did you mean {region!r}?" if region is not None and region in names else ""


def check_equity(
    method: str, cfg: EquityConfig, mentees: Sequence[Participant], n_mentors: int
) -> None:
    """Every problem an ``[equity]`` rule has with this method and these mentees, at once, as
    a run would find them (``matcher validate``, ``POST /v1/validate`` and job submission)."""
    if not cfg.active:
        return
    problems: list[Problem] = []
    checks: tuple[Callable[[], object], ...] = (
        lambda: check_equity_method(method, cfg),
        lambda: _subgroups(cfg, mentees),
    )
    for check in checks:
        try:
            check()
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(problems)


def rule_of(model: ScoringModel, pinned: list[tuple[int, int]]) -> EquityRule:
    """The mentees' subgroups by ``[equity] column`` and the rule on them."""
    subgroup, names, shares = _subgroups(model.config.equity, model.mentees)
    covered = np.zeros(len(model.mentees), bool)
    covered[[i for i, _ in pinned]] = True
    if shares is None:
        return EquityRule(subgroup, names, covered, equalise=True)
    return EquityRule(subgroup, names, covered, min_share=shares)


def assign_equity(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    *,
    fair: bool,
    seed: int,
    progress: Progress | None,
    without: Callable[[], Matching],
    certified: SparseOptions | None = None,
) -> Matching:
    """The method under ``[equity]`` on every allowed pair; ``without`` runs it without the
    rule, for the with/without figures (``Matching.equity_rule``).  ``certified``: on the
    certified sparse path with that tuning (:mod:`matcher.engine._sparse_equity`), where
    the sparse path's own result without the rule is the "without" (``without`` unused)."""
    cfg = model.config.equity
    rule = rule_of(model, pinned)
    if certified is not None:
        return _assign_sparse(
            model, pinned, rule, fair=fair, seed=seed, progress=progress, options=certified
        )
    _check_size(*model.shape)
    stats: dict[str, Any] = {}

    def solver(problem: AssignmentProblem, *, seed: int) -> SolverResult:
        result = solve_equity(problem, rule, seed=seed, fair=fair)
        stats.update(result.stats)
        return result

    with_rule = assign(model, pinned, solver, seed=seed, progress=progress)
    log.info("equity rule on %s: %d subgroups", "fair" if fair else "optimal", len(rule.names))
    baseline = without()
    with_rule.equity_rule = _figures(model, rule, cfg, stats, with_rule, baseline)
    return with_rule


def _assign_sparse(
    model: ScoringModel,
    pinned: list[tuple[int, int]],
    rule: EquityRule,
    *,
    fair: bool,
    seed: int,
    progress: Progress | None,
    options: SparseOptions,
) -> Matching:
    """:func:`assign_equity` on the certified sparse path."""
    mentee_cap = model.enc.mentees.capacity.copy()
    mentor_cap = model.enc.mentors.capacity.copy()
    pin_r = np.array([i for i, _ in pinned], np.int64)
    pin_c = np.array([j for _, j in pinned], np.int64)
    np.subtract.at(mentee_cap, pin_r, 1)
    np.subtract.at(mentor_cap, pin_c, 1)
    cand, plain, ruled = certified_equity(
        model, pin_r, pin_c, mentee_cap, mentor_cap, rule,
        fair=fair, seed=seed, progress=progress, options=options,
    )  # fmt: skip
    if progress is not None:
        progress("explaining", 0.0)

    def matching(result: SolverResult) -> Matching:
        return from_model(
            model, cand, result, pinned=pinned, residual_mentor_capacity=mentor_cap, seed=seed
        )

    with_rule, baseline = matching(ruled), matching(plain)
    log.info("equity rule on %s (certified sparse): %d subgroups", "fair" if fair else "optimal",
             len(rule.names))  # fmt: skip
    with_rule.equity_rule = _figures(model, rule, model.config.equity, ruled.stats, with_rule,
                                     baseline)  # fmt: skip
    return with_rule


def _served(
    matching: Matching, ids: list[str], subgroup: npt.NDArray[np.int64], groups: int
) -> npt.NDArray[np.int64]:
    got = {p.mentee_id for p in matching.pairs}
    hit = np.array([i in got for i in ids], bool)
    return np.bincount(subgroup[hit], minlength=groups).astype(np.int64)


def _figures(
    model: ScoringModel,
    rule: EquityRule,
    cfg: EquityConfig,
    stats: dict[str, Any],
    with_rule: Matching,
    without: Matching,
) -> dict[str, Any]:
    """Coverage by subgroup with and without the rule, and its price in places and score.
    Subgroups under :data:`MIN_SUBGROUP` mentees have their figures withheld (as in the report)."""
    ids = [p.id for p in model.mentees]
    groups = len(rule.names)
    sizes = rule.sizes
    served = {
        "with": _served(with_rule, ids, rule.subgroup, groups),
        "without": _served(without, ids, rule.subgroup, groups),
    }
    floors = stats.get("floors", [])
    rows: list[dict[str, Any]] = []
    for g, name in enumerate(rule.names):
        n = int(sizes[g])
        if n < MIN_SUBGROUP:
            rows.append({"subgroup": name, "mentees": None, "withheld": True})
            continue
        share = None if rule.min_share is None else rule.min_share[g]
        rows.append(
            {
                "subgroup": name,
                "mentees": n,
                "floor": floors[g] if floors else None,
                "min_share": None if share is None else float(share),
                "matched_with": int(served["with"][g]),
                "matched_without": int(served["without"][g]),
                "rate_with": round(int(served["with"][g]) / n, 4),
                "rate_without": round(int(served["without"][g]) / n, 4),
            }
        )

    def lowest(which: str) -> float | None:
        rates = [int(served[which][g]) / int(sizes[g]) for g in range(groups) if sizes[g]]
        return round(min(rates), 4) if rates else None

    def both(get: Callable[[Matching], float | int]) -> dict[str, float | int]:
        return {"with": get(with_rule), "without": get(without)}

    figures: dict[str, Any] = {
        "column": cfg.column,
        "mode": cfg.mode,
        # by the subgroup each key names (``pe`` and "Prince Edward Island" are shown as PE)
        "min_share": None
        if rule.min_share is None
        else {
            name: float(share)
            for name, share in zip(rule.names, rule.min_share, strict=True)
            if share is not None
        },
        "lowest_rate": {"with": lowest("with"), "without": lowest("without")},
        "matched": both(lambda m: m.matched),
        "places": both(lambda m: len(m.pairs)),
        "objective": both(lambda m: round(m.objective, 6)),
        "subgroups": rows,
    }
    if "overall_rate" in stats:
        figures["overall_rate"] = stats["overall_rate"]
    return figures
