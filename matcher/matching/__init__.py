"""The result types (Matching, Pair, Unmatched, Change), how a result is assembled from a
solver's choice, and reason sentences.  May import profiles, io, scoring and solvers."""

from matcher.matching._build import from_edges, from_model
from matcher.matching._result import Change, Matching, Pair, Unmatched

__all__ = ["Change", "Matching", "Pair", "Unmatched", "from_edges", "from_model"]
