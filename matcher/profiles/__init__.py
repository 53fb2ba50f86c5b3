"""Participant profiles and programme configuration (pydantic models) and their vocabularies."""

from matcher.profiles._models import (
    CRITERIA,
    Availability,
    CriterionConfig,
    Participant,
    ProgramConfig,
    RegionDef,
    Slot,
    check_timezone,
)

__all__ = [
    "CRITERIA",
    "Availability",
    "CriterionConfig",
    "Participant",
    "ProgramConfig",
    "RegionDef",
    "Slot",
    "check_timezone",
]
