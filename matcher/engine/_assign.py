"""The assignment pipeline: encode profiles into a scoring model, check pinned pairs, build
the assignment problem (minus pinned pairs), solve it, and assemble the :class:`Matching`."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matcher._errors import InfeasibleError
from matcher.engine._build import from_model
from matcher.engine._options import SparseOptions
from matcher.engine._sparse import certified_optimal
from matcher.io import PairList, ParticipantSet, pair_indices, pairs_of
from matcher.matching import ASSIGNED, Matching, Wording
from matcher.profiles import ProgramConfig
from matcher.scoring import Candidates, Progress, ScoringModel, hard_masks, warm_up
from matcher.solvers import AssignmentProblem, SolverResult

__all__ = [
    "SPARSE_PAIRS",
    "Certifier",
    "Solver",
    "assign",
    "build_model",
    "check_pinned",
    "edge_ranks",
]

log = logging.getLogger(__name__)

#: Above this many mentee x mentor pairs, the optimal method solves on each mentee's best
#: pairs and proves the result optimal on all of them (see :mod:`matcher.engine._sparse`).
SPARSE_PAIRS = 2_000_000


class Solver(Protocol):
    """An array solver's signature: ``(problem, *, seed) -> SolverResult``."""

    def __call__(self, problem: AssignmentProblem, *, seed: int) -> SolverResult: ...


class Certifier(Protocol):
    """A certified sparse path's signature (:func:`certified_optimal`, ``certified_fair``):
    the candidates it ended with and its result, proven on every allowed pair."""

    def __call__(
        self,
        model: ScoringModel,
        pin_r: npt.NDArray[np.int64],
        pin_c: npt.NDArray[np.int64],
        mentee_cap: npt.NDArray[np.int64],
        mentor_cap: npt.NDArray[np.int64],
        *,
        seed: int,
        progress: Progress | None,
        options: SparseOptions | None = None,
    ) -> tuple[Candidates, SolverResult]: ...


def build_model(
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    pinned: PairList | str | Path,
    forbidden: PairList | str | Path,
) -> tuple[ScoringModel, list[tuple[int, int]]]:
    """The scoring model of a programme, and the pinned pairs as (mentee, mentor) indices
    (pinned and forbidden pairs naming unknown ids are located errors)."""
    log.info(
        "loaded %d mentors and %d mentees",
        len(mentor_set.participants),
        len(mentee_set.participants),
    )
    if len(mentee_set.participants) * len(mentor_set.participants) > SPARSE_PAIRS:
        warm_up(cfg)  # the compiled scoring kernel loads while we encode
    e_pos = {p.id: k for k, p in enumerate(mentee_set.participants)}
    m_pos = {p.id: k for k, p in enumerate(mentor_set.participants)}
    pin = pair_indices(pinned, "pinned", e_pos, m_pos)
    pair_indices(forbidden, "forbidden", e_pos, m_pos)
    started = time.perf_counter()
    model = ScoringModel(
        mentee_set.participants,
        mentor_set.participants,
        cfg,
        forbidden=list(pairs_of(forbidden)[0]),
    )
    log.info("profiles encoded in %.2f s", time.perf_counter() - started)
    return model, pin


def check_pinned(model: ScoringModel, pinned: list[tuple[int, int]]) -> None:
    """Pinned pairs within every capacity and no hard rule broken; else every reason at once."""
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


def edge_ranks(
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


def assign(
    model: ScoringModel,
    pin: list[tuple[int, int]],
    solver: Solver,
    *,
    seed: int,
    progress: Progress | None,
    mentee_capacity: npt.NDArray[np.int64] | None = None,
    mentor_capacity: npt.NDArray[np.int64] | None = None,
    certified: SparseOptions | None = None,
    certifier: Certifier = certified_optimal,
    ranked: bool = False,
    wording: Wording = ASSIGNED,
) -> Matching:
    """Score, build the assignment problem (minus pinned pairs), solve it, assemble the result.

    ``certified``: solve on each mentee's best pairs and certify, by ``certifier`` (the
    sparse path of the method whose array solver is ``solver``: optimal by default);
    ``ranked``: give the solver each side's stated ranks (method stable); ``wording``: how
    the reasons speak of places (matches, or suggestions shown)."""
    cfg = model.config
    mentee_cap = (model.enc.mentees.capacity if mentee_capacity is None else mentee_capacity).copy()
    mentor_cap = (model.enc.mentors.capacity if mentor_capacity is None else mentor_capacity).copy()
    pin_r = np.array([i for i, _ in pin], np.int64)
    pin_c = np.array([j for _, j in pin], np.int64)
    np.subtract.at(mentee_cap, pin_r, 1)
    np.subtract.at(mentor_cap, pin_c, 1)
    _n_e, n_m = model.shape
    if certified is not None:
        cand, result = certifier(
            model,
            pin_r,
            pin_c,
            mentee_cap,
            mentor_cap,
            seed=seed,
            progress=progress,
            options=certified,
        )
        return from_model(
            model,
            cand,
            result,
            pinned=pin,
            residual_mentor_capacity=mentor_cap,
            seed=seed,
            wording=wording,
        )
    cand = model.candidates(cfg.min_score, progress=progress)
    log.info("scored %d x %d pairs: %d allowed", *model.shape, len(cand))
    keep = np.ones(len(cand), bool)
    if pin:
        width = max(n_m, 1)
        keep = ~np.isin(cand.rows.astype(np.int64) * width + cand.cols, pin_r * width + pin_c)
    e_rank = m_rank = None
    if ranked:
        e_rank, m_rank = edge_ranks(model, cand.rows, cand.cols)
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
        model,
        cand,
        result,
        pinned=pin,
        residual_mentor_capacity=mentor_cap,
        seed=seed,
        wording=wording,
    )
