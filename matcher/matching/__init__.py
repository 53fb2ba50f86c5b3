"""The Matching result and how it is assembled from scores and a solver's choice."""

from matcher.matching._build import from_edges, from_model
from matcher.matching._groups import form_groups
from matcher.matching._result import Change, Matching, Pair, Unmatched

__all__ = ["Change", "Matching", "Pair", "Unmatched", "form_groups", "from_edges", "from_model"]
