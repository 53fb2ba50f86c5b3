"""Participant profiles and programme configuration (pydantic models) and their vocabularies."""

from matcher.profiles._models import (
    CRITERIA,
    MAX_CAPACITY,
    MAX_SCORE,
    MAX_SEED,
    MAX_WEIGHT,
    Availability,
    CompositionRule,
    CriterionConfig,
    GroupsConfig,
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
    "Availability",
    "CompositionRule",
    "CriterionConfig",
    "GroupsConfig",
    "Participant",
    "ProgramConfig",
    "RegionDef",
    "Slot",
    "StableConfig",
    "SuggestConfig",
    "check_timezone",
]
