"""Participant profiles and programme configuration (pydantic models) and their vocabularies."""

from matcher.profiles._models import (
    CRITERIA,
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
