"""The Matching result and how it is assembled from scores and a solver's choice."""

from matcher.matching._build import from_edges, from_model
from matcher.matching._result import Matching, Pair, Unmatched

__all__ = ["Matching", "Pair", "Unmatched", "from_edges", "from_model"]
