"""Profile-level checks shared by the property tests: the hard rules a pair may not break,
decided from the profiles alone (independent of the scoring code)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher import Participant, ProgramConfig
from matcher.scoring import ScoringModel


def broken_rules(e: Participant, m: Participant, cfg: ProgramConfig) -> list[str]:
    """The hard rules a pair breaks, decided from the profiles alone (independent of scoring)."""
    out = []
    shared_language = set(e.languages) & set(m.languages)
    if cfg.hard("language") and e.languages and m.languages and not shared_language:
        out.append("language")
    common_formats = set(e.formats) & set(m.formats)
    if cfg.hard("format") and e.formats and m.formats and not common_formats:
        out.append("format")
    if m.id in e.exclude or e.id in m.exclude:
        out.append("exclude")
    if (
        cfg.same_organization == "forbid"
        and e.organization is not None
        and e.organization == m.organization
    ):
        out.append("organization")
    if common_formats == {"in_person"} and e.region and m.region and e.region != m.region:
        out.append("in person in another region")
    if cfg.hard("specialty") and e.specialties and not m.specialties:
        out.append("specialty")
    if m.capacity == 0:
        out.append("mentor capacity 0")
    return out


def feasible_pairs(
    mentees: Sequence[Participant], mentors: Sequence[Participant], cfg: ProgramConfig
) -> set[tuple[str, str]]:
    """The pairs the scoring model allows (every hard rule, exclusions too), by id."""
    if not mentees or not mentors:
        return set()
    _, feasible = ScoringModel(mentees, mentors, cfg).score_matrix()
    return {(mentees[i].id, mentors[j].id) for i, j in zip(*np.nonzero(feasible), strict=True)}
