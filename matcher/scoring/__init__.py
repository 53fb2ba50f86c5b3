"""Criteria -> ``(n_mentees, n_mentors)`` scores, a feasibility mask and explanations; the
compiled kernel.  May import profiles and io (and _errors); never solvers or anything below."""

from matcher.scoring._criteria import CRITERION_FUNCS
from matcher.scoring._encode import (
    BIN_MINUTES,
    FORMAT_BITS,
    IN_PERSON,
    WEEK_BINS,
    Encoded,
    Side,
    encode,
)
from matcher.scoring._kernel import COMPILE_S, Kernel, build_kernel, kernel_cached, known_pairs
from matcher.scoring._model import (
    Candidates,
    Explanation,
    Progress,
    ScoringModel,
    best_per_group,
    hard_masks,
    pair_reasons,
    pair_reasons_many,
    score_floor,
    warm_up,
)

__all__ = [
    "BIN_MINUTES",
    "COMPILE_S",
    "CRITERION_FUNCS",
    "FORMAT_BITS",
    "IN_PERSON",
    "WEEK_BINS",
    "Candidates",
    "Encoded",
    "Explanation",
    "Kernel",
    "Progress",
    "ScoringModel",
    "Side",
    "best_per_group",
    "build_kernel",
    "encode",
    "hard_masks",
    "kernel_cached",
    "known_pairs",
    "pair_reasons",
    "pair_reasons_many",
    "score_floor",
    "warm_up",
]
