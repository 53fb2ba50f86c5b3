"""The public functions: :func:`match` on profiles and :func:`solve` on precomputed scores."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._certified import certified_optimal
from matcher._errors import InfeasibleError, InvalidInputError, Problem
from matcher._gc import gc_paused
from matcher._incremental import (
    changes as _changes,
)
from matcher._incremental import (
    incremental_plan as _incremental_plan,
)
from matcher._incremental import (
    read_current as _read_current,
)
from matcher._incremental import (
    settle_current as _settle_current,
)
from matcher.io import (
    EdgeList,
    ParticipantSet,
    Table,
    config_from_mapping,
    edges_from_table,
    load_config,
    load_program,
    read_capacities,
    read_edges,
    read_pairs,
    sha256_file,
)
from matcher.io._participants import dataframe_table as _frame_table
from matcher.matching import Matching, Pair, Unmatched, from_edges, from_model
from matcher.profiles import MAX_CAPACITY, MAX_SCORE, MAX_SEED, Participant, ProgramConfig
from matcher.scoring import ScoringModel, hard_masks
from matcher.scoring._kernel import warm_up
from matcher.solvers import (
    AssignmentProblem,
    check_method,
    get_solver,
)

__all__ = ["blocking_pairs", "match", "solve", "suggest"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
ParticipantsLike = str | Path | Sequence[Participant] | Any
PairList = Sequence[tuple[str, str]]


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


def _load_both(
    mentors: ParticipantsLike, mentees: ParticipantsLike, config: ProgramConfig
) -> tuple[ParticipantSet, ParticipantSet]:
    return load_program(mentors, mentees, config)


def _pairs_of(source: PairList | str | Path) -> tuple[PairList, list[int] | None, str | None]:
    if isinstance(source, str | Path):
        name, rows = read_pairs(source)
        return [(r.mentee_id, r.mentor_id) for r in rows], [r.row for r in rows], name
    return source, None, None


def _pair_indices(
    source: PairList | str | Path, what: str, e_pos: Mapping[str, int], m_pos: Mapping[str, int]
) -> list[tuple[int, int]]:
    pairs, numbers, name = _pairs_of(source)
    problems = []
    out = []
    for k, (mentee_id, mentor_id) in enumerate(pairs):
        bad = [f"mentee {mentee_id!r}"] if mentee_id not in e_pos else []
        bad += [f"mentor {mentor_id!r}"] if mentor_id not in m_pos else []
        if bad:
            problems.append(
                Problem(
                    f"{what} pair names an unknown " + " and ".join(bad),
                    file=name or f"<{what} list>",
                    row=numbers[k] if numbers else k,
                    column="mentee_id" if mentee_id not in e_pos else "mentor_id",
                    value=f"{mentee_id},{mentor_id}",
                    expected="ids present in the mentee and mentor files",
                )
            )
            continue
        out.append((e_pos[mentee_id], m_pos[mentor_id]))
    if problems:
        raise InvalidInputError(problems)
    return out


def _check_pinned(model: ScoringModel, pinned: list[tuple[int, int]]) -> None:
    reasons = []
    if len(set(pinned)) != len(pinned):
        reasons.append("a pinned pair is listed twice")
    e_count = np.bincount([i for i, _ in pinned], minlength=len(model.mentees))
    m_count = np.bincount([j for _, j in pinned], minlength=len(model.mentors))
    for j in map(int, np.flatnonzero(m_count > model.enc.mentors.capacity)):
        reasons.append(
            f"mentor {model.mentors[j].id!r} has {m_count[j]} pinned mentees but "
            f"capacity {model.enc.mentors.capacity[j]}"
        )
    for i in map(int, np.flatnonzero(e_count > model.enc.mentees.capacity)):
        reasons.append(
            f"mentee {model.mentees[i].id!r} has {e_count[i]} pinned mentors but "
            f"wants {model.enc.mentees.capacity[i]}"
        )
    for i, j in pinned:
        masks = hard_masks(model, np.array([i]), np.array([j]))
        broken = [name for name, mask in masks.items() if not mask[0, 0]]
        if broken:
            reasons.append(
                f"pinned pair {model.mentees[i].id!r}–{model.mentors[j].id!r} breaks "
                f"the hard constraint{'s' if len(broken) > 1 else ''} " + ", ".join(broken)
            )
    if reasons:
        raise InfeasibleError(reasons)


def _edge_ranks(
    model: ScoringModel, rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per edge: the mentee's rank of the mentor and the mentor's of the mentee (0 = none)."""
    n_m = len(model.mentors)
    e_pos = {p.id: k for k, p in enumerate(model.mentees)}
    m_pos = {p.id: k for k, p in enumerate(model.mentors)}
    keys = rows.astype(np.int64) * n_m + cols
    out = []
    for owners, others, flip in ((model.mentees, m_pos, False), (model.mentors, e_pos, True)):
        stated_keys: list[int] = []
        stated_ranks: list[int] = []
        for k, p in enumerate(owners):
            listed = [others[x] for x in p.preferences if x in others]
            for rank, other in enumerate(listed, start=1):
                stated_keys.append(other * n_m + k if flip else k * n_m + other)
                stated_ranks.append(rank)
        ranks = np.zeros(len(keys), np.int64)
        if stated_keys:
            order = np.argsort(stated_keys)
            sk = np.asarray(stated_keys, np.int64)[order]
            sr = np.asarray(stated_ranks, np.int64)[order]
            at = np.clip(np.searchsorted(sk, keys), 0, len(sk) - 1)
            hit = sk[at] == keys
            ranks[hit] = sr[at[hit]]
        out.append(ranks)
    return out[0], out[1]


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
    sparse: bool | None = None,
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
        A solver from :data:`matcher.solvers.SOLVERS`; defaults to ``config.method``.
    pinned : list of (mentee_id, mentor_id), or path to a CSV with those columns
        Existing matches kept as they are, counted against capacity.
    forbidden : list of (mentee_id, mentor_id), or path to a CSV with those columns
        Pairs never to use, on top of the ``exclude`` columns.
    current : path to current.csv, or list of (mentee_id, mentor_id[, status]), optional
        Incremental re-matching: every current pair that is still valid is kept, freed places
        and newcomers are filled, and ``result.changes`` (``changes.csv``) says what changed.
        ``status`` is ``active`` (default), ``ended`` or ``do_not_match_again`` (an exclusion).
    progress : callable(stage, fraction), optional
        Called as work advances (the CLI draws a progress line with it).
    sparse : bool, optional
        Method ``optimal`` only: solve on each mentee's best pairs and certify the result
        optimal on all pairs (True), or solve on every allowed pair (False).  Both give the
        same optimum; the default picks the sparse path above 2 million mentee x mentor pairs.

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
    mentor_set, mentee_set = _load_both(mentors, mentees, cfg)
    current_pairs = _read_current(current) if current is not None else []
    plan = _incremental_plan(current_pairs, mentor_set, mentee_set) if current_pairs else None
    if plan is not None:
        forbidden = [*_pairs_of(forbidden)[0], *plan.forbidden]
    model, pin = _model(mentor_set, mentee_set, cfg, pinned, forbidden)
    _check_pinned(model, pin)
    if plan is not None:
        pin = _settle_current(model, plan, pin)
    if method == "groups":
        from matcher.matching import form_groups

        if pin:
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

        matching = form_groups(model, seed=seed, progress=progress)
    else:
        matching = _assign(model, pin, method, seed=seed, progress=progress, sparse=sparse)
    if plan is not None:
        matching.changes = _changes(plan, matching)
        matching.summary_extra["changes"] = {
            kind: sum(1 for c in matching.changes if c.change == kind)
            for kind in ("kept", "new", "ended", "dropped")
        }
    _finish(matching, mentor_set, mentee_set, cfg, started, _config_path(config))
    log.info("matched %d mentees in %.2f s", matching.matched, matching.elapsed_s)
    return matching


def _model(
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    pinned: PairList | str | Path,
    forbidden: PairList | str | Path,
) -> tuple[ScoringModel, list[tuple[int, int]]]:
    log.info(
        "loaded %d mentors and %d mentees",
        len(mentor_set.participants),
        len(mentee_set.participants),
    )
    if len(mentee_set.participants) * len(mentor_set.participants) > SPARSE_PAIRS:
        warm_up(cfg)  # the compiled scoring kernel loads while we encode
    e_pos = {p.id: k for k, p in enumerate(mentee_set.participants)}
    m_pos = {p.id: k for k, p in enumerate(mentor_set.participants)}
    pin = _pair_indices(pinned, "pinned", e_pos, m_pos)
    _pair_indices(forbidden, "forbidden", e_pos, m_pos)
    started = time.perf_counter()
    model = ScoringModel(
        mentee_set.participants,
        mentor_set.participants,
        cfg,
        forbidden=list(_pairs_of(forbidden)[0]),
    )
    log.info("profiles encoded in %.2f s", time.perf_counter() - started)
    return model, pin


def _finish(
    matching: Matching,
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    started: float,
    cfg_path: Path | None = None,
) -> None:
    for group in (mentor_set, mentee_set):
        if group.path is not None:
            matching.inputs[_manifest_key(matching.inputs, group.path)] = sha256_file(group.path)
        elif group.digest is not None:
            matching.inputs[group.name] = group.digest
    if cfg_path is not None:
        matching.inputs[_manifest_key(matching.inputs, cfg_path)] = sha256_file(cfg_path)
    matching.mentee_extra_columns = mentee_set.extra_columns
    matching.mentor_extra_columns = mentor_set.extra_columns
    matching.summary_extra["program"] = cfg.name
    matching.profiles = {"mentor": mentor_set.participants, "mentee": mentee_set.participants}
    matching.equity_columns, matching.flag_spread = cfg.report.subgroups, cfg.report.flag_spread
    matching.elapsed_s = time.perf_counter() - started


def _assign(
    model: ScoringModel,
    pin: list[tuple[int, int]],
    method: str,
    *,
    seed: int,
    progress: Progress | None,
    mentee_capacity: npt.NDArray[np.int64] | None = None,
    mentor_capacity: npt.NDArray[np.int64] | None = None,
    sparse: bool | None = None,
) -> Matching:
    """Score, build the assignment problem (minus pinned pairs), solve it, assemble the result."""
    cfg = model.config
    solver = get_solver(method)
    mentee_cap = (model.enc.mentees.capacity if mentee_capacity is None else mentee_capacity).copy()
    mentor_cap = (model.enc.mentors.capacity if mentor_capacity is None else mentor_capacity).copy()
    pin_r = np.array([i for i, _ in pin], np.int64)
    pin_c = np.array([j for _, j in pin], np.int64)
    np.subtract.at(mentee_cap, pin_r, 1)
    np.subtract.at(mentor_cap, pin_c, 1)
    n_e, n_m = model.shape
    if sparse is None:
        sparse = n_e * n_m > SPARSE_PAIRS
    if method == "optimal" and sparse:
        cand, result = certified_optimal(
            model, pin_r, pin_c, mentee_cap, mentor_cap, seed=seed, progress=progress
        )
        return from_model(
            model, cand, result, pinned=pin, residual_mentor_capacity=mentor_cap, seed=seed
        )
    cand = model.candidates(cfg.min_score, progress=progress)
    log.info("scored %d x %d pairs: %d allowed", *model.shape, len(cand))
    keep = np.ones(len(cand), bool)
    if pin:
        width = max(n_m, 1)
        keep = ~np.isin(cand.rows.astype(np.int64) * width + cand.cols, pin_r * width + pin_c)
    e_rank = m_rank = None
    if method == "stable":
        e_rank, m_rank = _edge_ranks(model, cand.rows, cand.cols)
        if cfg.stable.unranked == "unacceptable":
            keep &= (e_rank > 0) | ~model.enc.mentee_ranks[cand.rows]
            keep &= (m_rank > 0) | ~model.enc.mentor_ranks[cand.cols]
        e_rank, m_rank = e_rank[keep], m_rank[keep]
    problem = AssignmentProblem(
        len(model.mentees),
        len(model.mentors),
        cand.rows[keep],
        cand.cols[keep],
        cand.scores[keep],
        mentee_cap,
        mentor_cap,
        e_rank,
        m_rank,
        check_pairs=False,
    )
    if progress is not None:
        progress("solving", 0.0)
    result = solver(problem, seed=seed)
    # chosen indices refer to the kept edges; map them back to the candidate list
    result.chosen = np.flatnonzero(keep)[result.chosen]
    if progress is not None:
        progress("explaining", 0.0)
    return from_model(
        model, cand, result, pinned=pin, residual_mentor_capacity=mentor_cap, seed=seed
    )


#: Above this many mentee x mentor pairs, the optimal method solves on each mentee's best
#: pairs and proves the result optimal on all of them (see matcher._certified).
SPARSE_PAIRS = 2_000_000


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
    mentor_set, mentee_set = _load_both(mentors, mentees, cfg)
    model, _ = _model(mentor_set, mentee_set, cfg, (), ())
    wanted = np.full(len(model.mentees), top, np.int64)
    shown = model.enc.mentors.capacity * top
    matching = _assign(
        model,
        [],
        "optimal",
        seed=seed,
        progress=progress,
        mentee_capacity=wanted,
        mentor_capacity=shown,
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
    matching.unmatched = [
        Unmatched(
            u.id,
            u.role,
            u.reason.replace(
                "are at capacity", "are already shown to as many mentees as their places allow"
            )
            .replace("is at capacity", "is already shown to as many mentees as its places allow")
            .replace("matched to other mentors", "shown other mentors"),
        )
        for u in matching.unmatched
    ]
    _finish(matching, mentor_set, mentee_set, cfg, started, _config_path(config))
    return matching


def _capacity_vector(
    capacities: Mapping[str, int] | Sequence[int] | npt.NDArray[np.integer[Any]] | None,
    ids: Sequence[str],
    who: str,
    *,
    strict_keys: bool = False,
) -> npt.NDArray[np.int64]:
    """Capacities in ``ids`` order (default 1); ``who`` is "mentor" or "mentee"."""
    what = "capacities" if who == "mentor" else "mentee_capacities"
    if capacities is None:
        return np.ones(len(ids), np.int64)
    if isinstance(capacities, Mapping):
        if strict_keys:
            unknown = sorted(set(capacities) - set(ids))
            if unknown:
                raise InvalidInputError(
                    [
                        Problem(
                            f"{what} names {who}s that are not in the scores",
                            value=", ".join(map(str, unknown[:5])),
                            expected=f"{who} ids given in {who}_ids",
                        )
                    ]
                )
        values = [capacities.get(pid, 1) for pid in ids]
    else:
        values = capacities  # type: ignore[assignment]
    try:
        given = np.asarray(values, dtype=np.float64)
        if given.size and not (np.isfinite(given).all() and (given == np.round(given)).all()):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(
            [Problem(f"invalid {what}", expected=f"whole numbers from 0 to {MAX_CAPACITY:,}")]
        ) from None
    if not isinstance(capacities, Mapping) and given.shape != (len(ids),):
        raise InvalidInputError(
            [
                Problem(
                    f"{what} must have one entry per {who}",
                    value=f"shape {given.shape}",
                    expected=f"shape ({len(ids)},)",
                )
            ]
        )
    out = np.clip(given, -1, MAX_CAPACITY + 1).astype(np.int64)  # out of range: named below
    if given.size and ((given < 0).any() or (given > MAX_CAPACITY).any()):
        bad = given.min() if (given < 0).any() else given.max()
        raise InvalidInputError(
            [
                Problem(
                    f"invalid {what}",
                    value=f"{bad:g}",
                    expected=f"whole numbers from 0 to {MAX_CAPACITY:,}",
                )
            ]
        )
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return repr(float(value))  # read back as exactly the same float
    return str(value)


def _tuple_edges(tuples: Sequence[tuple[Any, ...]]) -> EdgeList:
    """``(mentee_id, mentor_id, score[, mentee_rank, mentor_rank])`` tuples, read as an
    EDGES.csv is (every problem at once, numbered from 1)."""
    rows = [[_cell(v) for v in t] for t in tuples]
    width = max((len(r) for r in rows), default=3)
    header = ["mentee_id", "mentor_id", "score", "mentee_rank", "mentor_rank"][: max(width, 3)]
    return edges_from_table(Table("<edge list>", header, rows, list(range(1, len(rows) + 1))))


def _check_scores(
    values: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    e_names: Sequence[str],
    m_names: Sequence[str],
    *,
    matrix: bool,
) -> None:
    """Scores within +-MAX_SCORE, each one out of range named by its place (up to 20)."""
    bad = np.flatnonzero(~(np.abs(values) <= MAX_SCORE))
    if not bad.size:
        return
    problems = [
        Problem(
            "score out of range",
            row=None if matrix else int(k) + 1,
            column=None if matrix else "score",
            value=(f"scores[{rows[k]}, {cols[k]}] = " if matrix else "")
            + f"{values[k]:g} (mentee {e_names[rows[k]]!r}, mentor {m_names[cols[k]]!r})",
            expected=f"a number from -{MAX_SCORE:g} to {MAX_SCORE:g} (rescale the scores)",
        )
        for k in bad[:20]
    ]
    if bad.size > 20:
        problems.append(Problem(f"and {bad.size - 20} more scores out of range"))
    raise InvalidInputError(problems)


def _manifest_key(inputs: Mapping[str, str], path: Path) -> str:
    """The file's name, or its path when another input already has that name."""
    return path.name if path.name not in inputs else str(path)


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
        A solver from :data:`matcher.solvers.SOLVERS`.
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
    solver = get_solver(method)
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
            inputs[_manifest_key(inputs, path)] = sha256_file(path)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:  # both files' problems at once
        raise InvalidInputError(problems)
    assert not isinstance(capacities, str | Path)  # read above
    if _is_frame(scores):
        scores = edges_from_table(_frame_table(scores, "<edges DataFrame>"))
    edge_input = isinstance(scores, EdgeList) or (
        isinstance(scores, Sequence) and bool(scores) and isinstance(scores[0], tuple)
    )
    if edge_input:
        tuples: list[tuple[Any, ...]] = [] if isinstance(scores, EdgeList) else list(scores)  # type: ignore[arg-type]
        edges = scores if isinstance(scores, EdgeList) else _tuple_edges(tuples)
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
        caps_map = dict(capacities) if isinstance(capacities, Mapping) else {}
        e_names = list(dict.fromkeys(edges.mentee_ids))
        e_set = set(e_names)
        m_names = list(dict.fromkeys(edges.mentor_ids))
        m_names += [pid for pid in caps_map if pid not in e_set and pid not in set(m_names)]
        e_pos = {pid: k for k, pid in enumerate(e_names)}
        m_pos = {pid: k for k, pid in enumerate(m_names)}
        rows = np.array([e_pos[x] for x in edges.mentee_ids], dtype=np.int32)
        cols = np.array([m_pos[x] for x in edges.mentor_ids], dtype=np.int32)
        values = np.array(edges.scores, dtype=np.float64)
        mentor_cap = np.array([caps_map.get(pid, 1) for pid in m_names], dtype=np.int64)
        e_rank_all = np.array(edges.mentee_ranks, dtype=np.int64)
        m_rank_all = np.array(edges.mentor_ranks, dtype=np.int64)
        e_caps = mentee_capacities if mentee_capacities is not None else caps_map
        mentee_cap = _capacity_vector(e_caps, e_names, "mentee")
        if not isinstance(capacities, Mapping) and capacities is not None:
            mentor_cap = _capacity_vector(capacities, m_names, "mentor")
    else:
        matrix = np.asarray(scores, dtype=np.float64)
        if matrix.ndim != 2:
            raise InvalidInputError(
                [
                    Problem(
                        "scores must be a 2-D array (n_mentees, n_mentors)",
                        value=f"shape {matrix.shape}",
                    )
                ]
            )
        n_e, n_m = matrix.shape
        e_names = list(mentee_ids) if mentee_ids is not None else [str(k) for k in range(n_e)]
        m_names = list(mentor_ids) if mentor_ids is not None else [str(k) for k in range(n_m)]
        if len(e_names) != n_e or len(m_names) != n_m:
            raise InvalidInputError(
                [
                    Problem(
                        "mentee_ids/mentor_ids must match the score matrix's shape "
                        "(n_mentees, n_mentors)",
                        value=f"{len(e_names)}, {len(m_names)}",
                        expected=f"{n_e}, {n_m}",
                    )
                ]
            )
        if np.isposinf(matrix).any():
            raise InvalidInputError([Problem("scores must not be +inf")])
        rows_i, cols_i = np.nonzero(np.isfinite(matrix))
        rows, cols = rows_i.astype(np.int32), cols_i.astype(np.int32)
        values = matrix[rows_i, cols_i]
        mentor_cap = _capacity_vector(capacities, m_names, "mentor", strict_keys=True)
        mentee_cap = _capacity_vector(mentee_capacities, e_names, "mentee", strict_keys=True)
        e_rank_all = m_rank_all = np.zeros(len(rows), np.int64)
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
    from matcher.solvers import blocking_pairs as _blocking

    if isinstance(edges, str | Path):
        edges = read_edges(edges)
    if not isinstance(edges, EdgeList):
        rows_in = [tuple(t) for t in edges]
        edges = EdgeList(
            [str(t[0]) for t in rows_in],
            [str(t[1]) for t in rows_in],
            [float(t[2]) for t in rows_in],
            [int(t[3]) if len(t) > 3 else 0 for t in rows_in],
            [int(t[4]) if len(t) > 4 else 0 for t in rows_in],
        )
    chosen_pairs = (
        [(p.mentee_id, p.mentor_id) for p in pairs.pairs]
        if isinstance(pairs, Matching)
        else [(str(a), str(b)) for a, b in pairs]
    )
    e_names = list(dict.fromkeys(edges.mentee_ids))
    m_names = list(dict.fromkeys(edges.mentor_ids))
    e_pos = {pid: k for k, pid in enumerate(e_names)}
    m_pos = {pid: k for k, pid in enumerate(m_names)}
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
    caps = dict(capacities or {})
    problem = AssignmentProblem(
        len(e_names),
        len(m_names),
        np.array([e_pos[x] for x in edges.mentee_ids], np.int32),
        np.array([m_pos[x] for x in edges.mentor_ids], np.int32),
        np.array(edges.scores, np.float64),
        np.array([caps.get(x, 1) for x in e_names], np.int64),
        np.array([caps.get(x, 1) for x in m_names], np.int64),
        np.array(edges.mentee_ranks, np.int64),
        np.array(edges.mentor_ranks, np.int64),
    )
    chosen = np.array(sorted(index[pair] for pair in chosen_pairs), np.int64)
    found = _blocking(problem, chosen, seed=seed)
    return sorted((edges.mentee_ids[k], edges.mentor_ids[k]) for k in found)
