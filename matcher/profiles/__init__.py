"""Participant profiles and programme configuration (pydantic models) and their vocabularies
(:mod:`matcher.profiles.vocab`).  The top layer: imports no other matcher package."""

from matcher.profiles import vocab
from matcher.profiles._models import (
    CRITERIA,
    MAX_CAPACITY,
    MAX_SCORE,
    MAX_SEED,
    MAX_WEIGHT,
    METHOD_NAMES,
    Availability,
    CompositionRule,
    CriterionConfig,
    EquityConfig,
    GroupsConfig,
    MethodName,
    Participant,
    ProgramConfig,
    RegionDef,
    Slot,
    StableConfig,
    SuggestConfig,
    check_timezone,
)

__all__ = [
    "CRITERIA",
    "MAX_CAPACITY",
    "MAX_SCORE",
    "MAX_SEED",
    "MAX_WEIGHT",
    "METHOD_NAMES",
    "Availability",
    "CompositionRule",
    "CriterionConfig",
    "EquityConfig",
    "GroupsConfig",
    "MethodName",
    "Participant",
    "ProgramConfig",
    "RegionDef",
    "Slot",
    "StableConfig",
    "SuggestConfig",
    "check_timezone",
    "vocab",
]
