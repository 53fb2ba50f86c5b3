"""Criteria -> ``(n_mentees, n_mentors)`` scores, a feasibility mask and explanations."""

from matcher.scoring._criteria import CRITERION_FUNCS
from matcher.scoring._encode import encode
from matcher.scoring._model import (
    Candidates,
    Explanation,
    ScoringModel,
    hard_masks,
    pair_reasons,
    pair_reasons_many,
)

__all__ = [
    "CRITERION_FUNCS",
    "Candidates",
    "Explanation",
    "ScoringModel",
    "encode",
    "hard_masks",
    "pair_reasons",
    "pair_reasons_many",
]
