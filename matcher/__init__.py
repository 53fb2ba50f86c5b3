"""matcher: open, explainable mentor–mentee matching for health mentoring programmes.

>>> import matcher
>>> list(matcher.METHODS)
['optimal', 'fair', 'stable', 'groups', 'suggest']
"""

from matcher import engine, io, matching, profiles, scoring, solvers
from matcher._errors import (
    InfeasibleError,
    InvalidInputError,
    MatcherError,
    Problem,
    SolverError,
)
from matcher._version import __version__
from matcher.api import blocking_pairs, match, solve, suggest
from matcher.engine import METHODS
from matcher.matching import Change, Matching, Pair, Unmatched
from matcher.profiles import Availability, Participant, ProgramConfig, Slot
from matcher.scoring import Explanation

__all__ = [
    "METHODS",
    "Availability",
    "Change",
    "Explanation",
    "InfeasibleError",
    "InvalidInputError",
    "MatcherError",
    "Matching",
    "Pair",
    "Participant",
    "Problem",
    "ProgramConfig",
    "Slot",
    "SolverError",
    "Unmatched",
    "__version__",
    "blocking_pairs",
    "engine",
    "io",
    "match",
    "matching",
    "profiles",
    "scoring",
    "solve",
    "solvers",
    "suggest",
]
