"""Hypothesis strategies shared by the test suite.

Profiles are drawn the way coordinators type them (``français``, ``Nouveau-Brunswick``,
``lun 12h30-14h``) so that the normalisers are exercised on every example; score matrices use
NaN for pairs that are not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from matcher import Participant, ProgramConfig

# canonical value -> spellings a form tool might produce
LANGUAGES: dict[str, tuple[str, ...]] = {
    "fr": ("fr", "français", "French", "FR"),
    "en": ("en", "English", "anglais"),
    "es": ("es", "espagnol", "Spanish"),
}
REGIONS: dict[str, tuple[str, ...]] = {
    "NB": ("NB", "Nouveau-Brunswick", "New Brunswick"),
    "NS": ("NS", "Nova Scotia", "Nouvelle-Écosse"),
    "NL": ("NL", "Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
    "PE": ("PE", "Île-du-Prince-Édouard", "PEI"),
    "QC": ("QC", "Québec"),
}
FORMATS: dict[str, tuple[str, ...]] = {
    "in_person": ("in_person", "en personne", "in person"),
    "virtual": ("virtual", "virtuel", "en ligne"),
    "phone": ("phone", "téléphone"),
}
AREAS = (
    "chronic_pain",
    "neuropathic_pain",
    "substance_use",
    "addiction",
    "harm_reduction",
    "mental_health",
    "depression",
    "oncology",
)
TAGS = ("cancer_survivor", "caregiver", "mental_health_recovery")
ORGANIZATIONS = ("Horizon", "Vitalité", "IWK")
DAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _spelled(table: dict[str, tuple[str, ...]]) -> st.SearchStrategy[list[str]]:
    """A list of distinct canonical values, each written in one of its spellings."""
    return st.lists(st.sampled_from(sorted(table)), max_size=len(table), unique=True).flatmap(
        lambda codes: st.tuples(*(st.sampled_from(table[c]) for c in codes)).map(list)
    )


def _clock(minutes: int, french: bool) -> str:
    h, m = divmod(minutes, 60)
    if french:
        return f"{h}h{m:02d}" if m else f"{h}h"
    return f"{h:02d}:{m:02d}"


@st.composite
def slot_texts(draw: st.DrawFn) -> str:
    """One weekly slot as typed: ``'mon 18:00-20:00'`` or ``'mardi 12h30-14h'``."""
    french = draw(st.booleans())
    day = draw(st.integers(0, 6))
    start = draw(st.integers(6 * 2, 21 * 2)) * 30
    length = draw(st.integers(1, 6)) * 30
    end = min(start + length, 24 * 60)
    name = (DAYS_FR if french else DAYS_EN)[day]
    return f"{name} {_clock(start, french)}-{_clock(end, french)}"


def availabilities() -> st.SearchStrategy[str]:
    """A ``|``-separated availability cell (possibly empty)."""
    return st.lists(slot_texts(), max_size=3).map("|".join)


@st.composite
def participants(
    draw: st.DrawFn,
    *,
    role: str,
    pid: str,
    others: tuple[str, ...] = (),
) -> Participant:
    """A random mentor or mentee; ``exclude`` names ids drawn from ``others``."""
    # mentors may be closed (capacity 0); mentees want one mentor, sometimes two
    capacities = st.integers(0, 3) if role == "mentor" else st.sampled_from((1, 1, 1, 2))
    capacity = draw(capacities)
    region = draw(
        st.none()
        | st.sampled_from(sorted(REGIONS)).flatmap(lambda code: st.sampled_from(REGIONS[code]))
    )
    consent = draw(st.booleans())
    return Participant(
        id=pid,
        role=role,
        languages=draw(_spelled(LANGUAGES)),
        formats=draw(_spelled(FORMATS)),
        region=region,
        availability=draw(availabilities()),
        specialties=draw(st.lists(st.sampled_from(AREAS), max_size=3, unique=True)),
        lived_experience=draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
        consent_lived_experience=consent,
        capacity=capacity,
        years_experience=draw(st.none() | st.integers(0, 30).map(float)),
        organization=draw(st.none() | st.sampled_from(ORGANIZATIONS)),
        gender=draw(st.none() | st.sampled_from(("female", "male", "non_binary"))),
        gender_preference=draw(st.none() | st.sampled_from(("female", "male"))),
        exclude=draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else (),
    )


@dataclass(frozen=True)
class Program:
    """Mentors, mentees and a config drawn together (ids unique across both sides)."""

    mentors: list[Participant]
    mentees: list[Participant]
    config: ProgramConfig


def configs() -> st.SearchStrategy[ProgramConfig]:
    """Configs varying the rules that add hard constraints or filter pairs."""
    return st.builds(
        lambda min_score, org, specialty_hard: ProgramConfig(
            min_score=min_score,
            same_organization=org,
            criteria={"specialty": {"hard": specialty_hard}},
        ),
        st.sampled_from((0.0, 0.0, 0.3, 0.6)),
        st.sampled_from(("allow", "avoid", "forbid")),
        st.booleans(),
    )


@st.composite
def programs(draw: st.DrawFn, *, max_mentors: int = 5, max_mentees: int = 6) -> Program:
    """A small programme: random profiles on both sides, exclusions across sides, a config."""
    n_m = draw(st.integers(0, max_mentors))
    n_e = draw(st.integers(0, max_mentees))
    mentor_ids = tuple(f"m{k}" for k in range(n_m))
    mentee_ids = tuple(f"e{k}" for k in range(n_e))
    mentors = [draw(participants(role="mentor", pid=p, others=mentee_ids)) for p in mentor_ids]
    mentees = [draw(participants(role="mentee", pid=p, others=mentor_ids)) for p in mentee_ids]
    return Program(mentors, mentees, draw(configs()))


@dataclass(frozen=True)
class ScoreProblem:
    """A score matrix ``(n_mentees, n_mentors)`` (NaN = not allowed) and both capacities."""

    scores: np.ndarray
    mentor_capacity: np.ndarray
    mentee_capacity: np.ndarray


@st.composite
def score_problems(
    draw: st.DrawFn,
    *,
    max_mentees: int = 5,
    max_mentors: int = 4,
    max_mentee_capacity: int = 1,
    max_mentor_capacity: int = 3,
    negative: bool = True,
) -> ScoreProblem:
    """A random score matrix on a 0.05 grid (so that scaled scores are exact) with NaN holes."""
    n_e = draw(st.integers(0, max_mentees))
    n_m = draw(st.integers(0, max_mentors))
    low = -20 if negative else 0
    cell = st.one_of(
        st.just(float("nan")),
        st.integers(low, 20).map(lambda k: k / 20),
    )
    values = draw(st.lists(cell, min_size=n_e * n_m, max_size=n_e * n_m))
    scores = np.array(values, dtype=np.float64).reshape(n_e, n_m)
    mentor_cap = draw(st.lists(st.integers(0, max_mentor_capacity), min_size=n_m, max_size=n_m))
    mentee_cap = draw(st.lists(st.integers(1, max_mentee_capacity), min_size=n_e, max_size=n_e))
    return ScoreProblem(
        scores, np.array(mentor_cap, dtype=np.int64), np.array(mentee_cap, dtype=np.int64)
    )
