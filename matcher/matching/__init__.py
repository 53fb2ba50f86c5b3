"""The result types (Matching, Pair, Unmatched, Change) and the reason sentences that explain
them.  May import profiles, io, scoring and solvers; never the engine or anything below."""

from matcher.matching._equity import MIN_SUBGROUP, RULE_FIELDS, subgroups_of
from matcher.matching._reasons import (
    ASSIGNED,
    KEPT,
    PRECOMPUTED,
    SHOWN,
    Wording,
    edge_mentee_reason,
    edge_mentor_reason,
    group_member_reason,
    mentee_reason,
    mentor_reason,
    partial_note,
)
from matcher.matching._result import Change, Matching, Pair, Unmatched

__all__ = [
    "ASSIGNED",
    "KEPT",
    "MIN_SUBGROUP",
    "PRECOMPUTED",
    "RULE_FIELDS",
    "SHOWN",
    "Change",
    "Matching",
    "Pair",
    "Unmatched",
    "Wording",
    "edge_mentee_reason",
    "edge_mentor_reason",
    "group_member_reason",
    "mentee_reason",
    "mentor_reason",
    "partial_note",
    "subgroups_of",
]
