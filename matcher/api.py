"""The public functions: :func:`match` and :func:`suggest` on profiles, :func:`solve` and
:func:`blocking_pairs` on precomputed scores.  Arguments are checked and read here; the work is
the engine's (:mod:`matcher.engine`)."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._errors import InvalidInputError, Problem
from matcher.engine import (
    MentorPool,
    RunOptions,
    SparseOptions,
    check_equity,
    check_method,
    from_edges,
    manifest_key,
    record_inputs,
    run_program,
    solver_for,
)
from matcher.io import (
    EdgeList,
    PairList,
    ParticipantSet,
    config_from_mapping,
    dataframe_table,
    edges_from_table,
    encode_edges,
    encode_matrix,
    gc_paused,
    load_config,
    load_program,
    loose_tuple_edges,
    read_capacities,
    read_current,
    read_edges,
    sha256_file,
    tuple_edges,
)
from matcher.io import check_scores as _check_scores
from matcher.matching import Matching
from matcher.profiles import MAX_SCORE, MAX_SEED, Participant, ProgramConfig
from matcher.scoring import COMPILE_S
from matcher.solvers import AssignmentProblem
from matcher.solvers import blocking_pairs as _blocking

__all__ = ["MentorPool", "blocking_pairs", "match", "solve", "suggest"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]

#: About how long the first large run on a machine waits while numba compiles the scoring
#: kernel (progress stage ``compiling``); numba's on-disk cache serves later runs.
KERNEL_COMPILE_S = COMPILE_S
ParticipantsLike = str | Path | Sequence[Participant] | Any


def _check_seed(seed: object) -> None:
    """Seeds are whole numbers from 0 to 2**63 - 1; anything else is named, not crashed on."""
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not (0 <= int(seed) <= MAX_SEED)
    ):
        raise InvalidInputError(
            [
                Problem(
                    "invalid seed",
                    value=repr(seed),
                    expected=f"a whole number from 0 to {MAX_SEED}",
                )
            ]
        )


def _check_min_score(min_score: object, low: float, high: float) -> None:
    if min_score is None:
        return
    try:
        value = float(min_score)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise InvalidInputError(
            [
                Problem(
                    "invalid min_score",
                    value=repr(min_score),
                    expected=f"a finite number from {low:g} to {high:g}",
                )
            ]
        )


def _config(config: ProgramConfig | Mapping[str, Any] | str | Path | None) -> ProgramConfig:
    if config is None or isinstance(config, ProgramConfig):
        return config or ProgramConfig()
    if isinstance(config, str | Path):
        return load_config(config)
    return config_from_mapping(dict(config), name="<config>")


def _config_path(config: object) -> Path | None:
    return Path(config) if isinstance(config, str | Path) else None


def check_rules(
    config: ProgramConfig,
    mentees: Sequence[Participant],
    n_mentors: int,
    *,
    method: str | None = None,
) -> None:
    """Every problem a run would find in the programme's rules for these mentees, beyond what
    reading the files and program.toml finds (today the ``[equity]`` rule: its method, its
    column, its subgroups, its size), all at once as one :class:`InvalidInputError`.
    ``matcher validate``, ``POST /v1/validate`` and job submission call it."""
    check_equity(method or config.method, config.equity, mentees, n_mentors)


@gc_paused
def match(
    mentors: ParticipantsLike,
    mentees: ParticipantsLike,
    *,
    config: ProgramConfig | Mapping[str, Any] | str | Path | None = None,
    seed: int | None = None,
    method: str | None = None,
    pinned: PairList | str | Path = (),
    forbidden: PairList | str | Path = (),
    current: str | Path | Sequence[tuple[str, str] | tuple[str, str, str]] | None = None,
    progress: Progress | None = None,
    sparse: bool | SparseOptions | None = None,
    time_limit_s: float | None = None,
) -> Matching:
    """Pair mentees with mentors: score every pair, then solve the capacitated assignment.

    Parameters
    ----------
    mentors, mentees : path to a CSV file, pandas DataFrame, or list of Participant
        Profiles as in DESIGN.md; CSV headers are mapped by ``config.columns``.
    config : ProgramConfig, dict, or path to ``program.toml``, optional
        Weights, hard constraints and rules; defaults are documented in the README.
    seed : int, optional
        Decides between equally good matchings; the same seed gives the same result.
        Defaults to ``config.seed``.
    method : str, optional
        A method from :data:`matcher.METHODS`; defaults to ``config.method``.
    pinned : list of (mentee_id, mentor_id), or path to a CSV with those columns
        Existing matches kept as they are, counted against capacity.
    forbidden : list of (mentee_id, mentor_id), or path to a CSV with those columns
        Pairs never to use, on top of the ``exclude`` columns.
    current : path to current.csv, or list of (mentee_id, mentor_id[, status]), optional
        Incremental re-matching: every current pair that is still valid is kept, freed places
        and newcomers are filled, and ``result.changes`` (``changes.csv``) says what changed.
        ``status`` is ``active`` (default), ``ended`` or ``do_not_match_again`` (an exclusion).
    progress : callable(stage, fraction), optional
        Called as work advances (the CLI draws a progress line with it).  Stages:
        ``compiling`` (once, before a large run's first use of the compiled scoring kernel on
        this machine: about ``KERNEL_COMPILE_S`` seconds with no other progress), ``scoring``,
        ``grouping``, ``solving``, ``explaining``.
    sparse : bool, optional
        Methods ``optimal`` and ``fair``: solve on each mentee's best pairs and certify the
        result optimal on all pairs (True), or solve on every allowed pair (False).  Both give the
        same optimum; the default picks the sparse path above 2 million mentee x mentor pairs.
        A :class:`matcher.engine.SparseOptions` takes the sparse path with that tuning.
    time_limit_s : float, optional
        Method ``optimal`` (and each certified step of ``fair``) on the sparse path: once
        this many seconds have passed in its rounds (after at least one solve), return the
        last round's matching (feasible, not certified optimal) with
        ``status == "time_limit"`` and a proven ``bound`` (each mentee's best allowed
        scores), so ``gap`` says how far from optimal it may be.
        (Same as ``SparseOptions(time_limit_s=...)``; method ``groups`` has
        ``[groups] time_limit_s``.)

    Returns
    -------
    Matching

    Raises
    ------
    InvalidInputError
        Malformed input; ``.problems`` lists every problem found.
    InfeasibleError
        Pinned pairs that exceed a capacity or break a hard constraint.

    Examples
    --------
    >>> import matcher
    >>> mentors = [matcher.Participant(id="m1", role="mentor", languages="fr|en", capacity=2)]
    >>> mentees = [matcher.Participant(id="e1", languages="fr"),
    ...            matcher.Participant(id="e2", languages="es")]
    >>> result = matcher.match(mentors, mentees)
    >>> [(p.mentee_id, p.mentor_id) for p in result.pairs]
    [('e1', 'm1')]
    >>> result.unmatched[0].reason
    'no mentor shares a language: es'
    """
    started = time.perf_counter()
    cfg = _config(config)
    seed = cfg.seed if seed is None else seed
    _check_seed(seed)
    method = method or cfg.method
    check_method(method)  # an unknown name fails before any work
    if method == "suggest" and (pinned or current is not None):
        raise InvalidInputError(
            [
                Problem(
                    "pinned pairs and current matches do not apply to suggestions",
                    column="method",
                    value="suggest",
                    expected="no --pinned/--current with suggest",
                )
            ]
        )
    if method == "suggest":
        return suggest(mentors, mentees, config=cfg, seed=seed, progress=progress)
    mentor_set, mentee_set = load_program(mentors, mentees, cfg)
    current_pairs = read_current(current) if current is not None else None
    if isinstance(sparse, SparseOptions):
        options = RunOptions(sparse=True, tuning=sparse)
    else:
        options = RunOptions(sparse=sparse)
    if time_limit_s is not None:
        if not time_limit_s > 0:
            raise InvalidInputError(
                [Problem("invalid time_limit_s", value=str(time_limit_s), expected="seconds > 0")]
            )
        options = dataclasses.replace(
            options, tuning=dataclasses.replace(options.tuning, time_limit_s=float(time_limit_s))
        )
    matching = run_program(
        method,
        mentor_set,
        mentee_set,
        cfg,
        seed=seed,
        pinned=pinned,
        forbidden=forbidden,
        current=current_pairs,
        progress=progress,
        options=options,
    )
    _finish(matching, mentor_set, mentee_set, cfg, started, _config_path(config))
    log.info("matched %d mentees in %.2f s", matching.matched, matching.elapsed_s)
    return matching


def _finish(
    matching: Matching,
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    started: float,
    cfg_path: Path | None = None,
) -> None:
    record_inputs(matching, mentor_set, mentee_set, cfg, cfg_path)
    matching.elapsed_s = time.perf_counter() - started


@gc_paused
def suggest(
    mentors: ParticipantsLike,
    mentees: ParticipantsLike,
    *,
    config: ProgramConfig | Mapping[str, Any] | str | Path | None = None,
    top: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Matching:
    """Suggest the top-N compatible mentors to each mentee, load-aware, with explanations.

    For programmes where the mentee chooses.  A mentor with ``c`` places is shown to at most
    ``c * top`` mentees (if each mentee picks one of ``top`` suggestions, the expected demand
    on every mentor is about its capacity); within those limits the suggestion lists are
    chosen to maximise the total score (min-cost flow), so nobody gets a poor list so that
    others get a great one only where capacity forces it.  Never lists an infeasible mentor
    or one with no place left.

    Returns
    -------
    Matching
        ``kind == "suggest"``; ``pairs`` hold the suggestions with ``rank`` (1 = best);
        ``write()`` produces ``suggestions.csv`` (``mentee_id,rank,mentor_id,score,reasons``),
        ``unmatched.csv`` and ``summary.json``.

    Examples
    --------
    >>> import matcher
    >>> mentors = [matcher.Participant(id=f"m{k}", role="mentor", specialties=area)
    ...            for k, area in enumerate(["chronic_pain", "substance_use", "addiction"])]
    >>> mentees = [matcher.Participant(id="e1", specialties="addiction")]
    >>> [(p.rank, p.mentor_id) for p in matcher.suggest(mentors, mentees, top=2).pairs]
    [(1, 'm2'), (2, 'm1')]
    """
    started = time.perf_counter()
    cfg = _config(config)
    seed = cfg.seed if seed is None else seed
    _check_seed(seed)
    top = top or cfg.suggest.top
    if top < 1:
        raise InvalidInputError(
            [Problem("invalid top", value=str(top), expected="an integer >= 1")]
        )
    mentor_set, mentee_set = load_program(mentors, mentees, cfg)
    matching = run_program(
        "suggest",
        mentor_set,
        mentee_set,
        cfg,
        seed=seed,
        progress=progress,
        options=RunOptions(top=top),
    )
    _finish(matching, mentor_set, mentee_set, cfg, started, _config_path(config))
    return matching


def _is_frame(value: object) -> bool:
    return hasattr(value, "itertuples") and hasattr(value, "columns")


@gc_paused
def solve(
    scores: npt.ArrayLike | EdgeList | str | Path | Sequence[tuple[Any, ...]] | Any,
    *,
    capacities: Mapping[str, int] | Sequence[int] | str | Path | None = None,
    mentee_capacities: Mapping[str, int] | Sequence[int] | None = None,
    method: str = "optimal",
    min_score: float | None = None,
    mentee_ids: Sequence[str] | None = None,
    mentor_ids: Sequence[str] | None = None,
    seed: int = 0,
) -> Matching:
    """Solve the capacitated assignment for precomputed scores.

    Parameters
    ----------
    scores : array of shape (n_mentees, n_mentors), edge list, or path to EDGES.csv
        A matrix entry that is NaN or -inf is a pair not allowed; an edge list
        (``(mentee_id, mentor_id, score[, mentee_rank, mentor_rank])`` tuples, a DataFrame
        with those columns, or EDGES.csv) allows only the pairs listed.
    capacities : dict id -> capacity, sequence per mentor, or path to CAPS.csv
        Mentor capacities (default 1).  In a dict or CAPS.csv, an id that is a mentee in the
        edge list sets how many mentors that mentee wants (default 1).
    mentee_capacities : dict or sequence, optional
        Mentors wanted per mentee (default 1).
    method : str
        A method of :data:`matcher.METHODS` that works on scores alone: optimal, fair, stable.
    min_score : float, optional
        Pairs scoring below it are not allowed.
    mentee_ids, mentor_ids : sequences of str, optional
        Names for the matrix rows and columns (default ``"0"``, ``"1"``, …).
    seed : int
        Decides between equally good matchings.

    Examples
    --------
    >>> import numpy as np, matcher
    >>> result = matcher.solve(np.array([[0.9, 0.8], [0.85, np.nan]]), capacities=[1, 1])
    >>> [(p.mentee_id, p.mentor_id) for p in result.pairs], round(result.objective, 2)
    ([('0', '1'), ('1', '0')], 1.65)
    """
    started = time.perf_counter()
    solver = solver_for(method)
    _check_seed(seed)
    _check_min_score(min_score, -MAX_SCORE, MAX_SCORE)
    inputs: dict[str, str] = {}
    problems: list[Problem] = []
    if isinstance(scores, str | Path):
        path = Path(scores)
        try:
            scores = read_edges(path)
            inputs[path.name] = sha256_file(path)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if isinstance(capacities, str | Path):
        path = Path(capacities)
        try:
            capacities = read_capacities(path)
            inputs[manifest_key(inputs, path)] = sha256_file(path)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:  # both files' problems at once
        raise InvalidInputError(problems)
    assert not isinstance(capacities, str | Path)  # read above
    if _is_frame(scores):
        scores = edges_from_table(dataframe_table(scores, "<edges DataFrame>"))
    edge_input = isinstance(scores, EdgeList) or (
        isinstance(scores, Sequence) and bool(scores) and isinstance(scores[0], tuple)
    )
    if edge_input:
        tuples: list[tuple[Any, ...]] = [] if isinstance(scores, EdgeList) else list(scores)  # type: ignore[arg-type]
        edges = scores if isinstance(scores, EdgeList) else tuple_edges(tuples)
        seen_pairs: set[tuple[str, str]] = set()
        doubles = []
        for k, pair in enumerate(zip(edges.mentee_ids, edges.mentor_ids, strict=True)):
            if pair in seen_pairs:
                doubles.append(
                    Problem(
                        "duplicate pair",
                        row=k + 1,
                        value=",".join(pair),
                        expected="each (mentee_id, mentor_id) pair at most once",
                    )
                )
            seen_pairs.add(pair)
        if doubles:
            raise InvalidInputError(doubles)
        arrays = encode_edges(edges, capacities, mentee_capacities)
    else:
        matrix = np.asarray(scores, dtype=np.float64)
        arrays = encode_matrix(matrix, capacities, mentee_capacities, mentee_ids, mentor_ids)
    e_names, m_names = arrays.e_names, arrays.m_names
    rows, cols, values = arrays.rows, arrays.cols, arrays.values
    e_rank_all, m_rank_all = arrays.mentee_ranks, arrays.mentor_ranks
    mentee_cap, mentor_cap = arrays.mentee_cap, arrays.mentor_cap
    _check_scores(values, rows, cols, e_names, m_names, matrix=not edge_input)
    all_edges = len(rows)
    if min_score is not None:
        keep = values >= min_score
        rows, cols, values = rows[keep], cols[keep], values[keep]
        e_rank_all, m_rank_all = e_rank_all[keep], m_rank_all[keep]
    problem = AssignmentProblem(
        len(e_names),
        len(m_names),
        rows,
        cols,
        values,
        mentee_cap,
        mentor_cap,
        e_rank_all,
        m_rank_all,
        check_pairs=False,
    )
    result = solver(problem, seed=seed)
    matching = from_edges(
        e_names,
        m_names,
        rows,
        cols,
        values,
        mentee_cap,
        mentor_cap,
        result,
        all_edges=all_edges,
        min_score=min_score,
        seed=seed,
    )
    matching.inputs.update(inputs)
    matching.elapsed_s = time.perf_counter() - started
    return matching


def blocking_pairs(
    pairs: Matching | Sequence[tuple[str, str]],
    edges: EdgeList | str | Path | Sequence[tuple[Any, ...]],
    *,
    capacities: Mapping[str, int] | None = None,
    seed: int = 0,
) -> list[tuple[str, str]]:
    """Every pair that blocks a matching: both would rather be together than with (one of)
    their current partners, or have a free place.

    Parameters
    ----------
    pairs : Matching, or list of (mentee_id, mentor_id)
        The matching to check (from any method, or from anywhere else).
    edges : list of (mentee_id, mentor_id, score[, mentee_rank, mentor_rank]), or EDGES.csv
        The acceptable pairs with their scores and stated ranks (1 = most preferred;
        0 or absent = ordered by score after the ranked ones, ties broken by ``seed``).
    capacities : dict id -> capacity, optional
        Mentor capacities and mentors wanted per mentee (default 1).

    Returns
    -------
    list of (mentee_id, mentor_id)
        Empty when the matching is stable.

    Examples
    --------
    >>> import matcher
    >>> edges = [("a", "X", 0.9, 1, 2), ("b", "X", 0.8, 1, 1),
    ...          ("a", "Y", 0.5, 2, 1), ("b", "Y", 0.4, 2, 2)]
    >>> matcher.blocking_pairs([("a", "X"), ("b", "Y")], edges)
    [('b', 'X')]
    >>> matcher.blocking_pairs([("a", "Y"), ("b", "X")], edges)
    []
    """
    if isinstance(edges, str | Path):
        edges = read_edges(edges)
    if not isinstance(edges, EdgeList):
        edges = loose_tuple_edges(edges)
    chosen_pairs = (
        [(p.mentee_id, p.mentor_id) for p in pairs.pairs]
        if isinstance(pairs, Matching)
        else [(str(a), str(b)) for a, b in pairs]
    )
    index = {pair: k for k, pair in enumerate(zip(edges.mentee_ids, edges.mentor_ids, strict=True))}
    unknown = [pair for pair in chosen_pairs if pair not in index]
    if unknown:
        raise InvalidInputError(
            [
                Problem(
                    "a matched pair is not among the acceptable pairs",
                    value=f"{a},{b}",
                    expected="pairs listed in the edges",
                )
                for a, b in unknown
            ]
        )
    arrays = encode_edges(edges, dict(capacities or {}))
    problem = AssignmentProblem(
        len(arrays.e_names),
        len(arrays.m_names),
        arrays.rows,
        arrays.cols,
        arrays.values,
        arrays.mentee_cap,
        arrays.mentor_cap,
        arrays.mentee_ranks,
        arrays.mentor_ranks,
    )
    chosen = np.array(sorted(index[pair] for pair in chosen_pairs), np.int64)
    found = _blocking(problem, chosen, seed=seed)
    return sorted((edges.mentee_ids[k], edges.mentor_ids[k]) for k in found)
