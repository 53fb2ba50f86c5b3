"""Generate the synthetic ``amn-pain-addiction`` scenario for ``matcher``.

The scenario models an Atlantic Canadian clinical mentorship network for chronic pain,
substance use (addiction) and mental health, of the kind where a small faculty of
specialists (addiction medicine physicians, psychiatrists, a pain physician, a pharmacist,
a psychologist, a nurse practitioner, a social worker, ...) each mentors many front-line
clinicians at once. All people are synthetic: identifiers, profiles and choices are drawn
from hand-tuned distributions with a seeded pseudo-random generator.

What it produces:

* ``mentors.csv``: exactly 14 hand-written mentor profiles (capacities 0-35, summing to 292;
  one mentor is on leave with capacity 0; three French-speaking mentors, all in New Brunswick).
* ``mentees.csv``: 386 mentees across many professions in the four Atlantic provinces,
  weighted by population (NS > NB > NL > PE), with about a third of New Brunswick members
  speaking French (some French-only). About 3% want two mentors.

Mentee demand (about 400 places) exceeds mentor capacity, so capacity is the binding
constraint and some mentees stay unmatched. A few fields deliberately use alternative
spellings (province and language names in English or French, explicit time zones) so that
the engine's input parsing is exercised.

Usage::

    python scenarios/amn-pain-addiction/generate.py [--seed 2026] [--out DIR]

The output is deterministic: the same seed always yields byte-identical files. Only the
standard library is used.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from random import Random

sys.dont_write_bytecode = True  # importing _common must not leave a __pycache__ in scenarios/
# _common.py is one folder up; put it on the path so that this runs from any working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (  # noqa: E402
    BASE_COLUMNS,
    MON_THU,
    WEEKDAYS,
    SlotTemplate,
    draw_each,
    draw_slots,
    find_town,
    fmt_coord,
    overlay,
    parse_args,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026
N_MENTEES = 386

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "cohort")

# --------------------------------------------------------------------------- vocabulary

SPECIALTY_TREE: dict[str, tuple[str, ...]] = {
    "chronic_pain": (
        "neuropathic_pain",
        "musculoskeletal_pain",
        "headache",
        "pain_self_management",
        "opioid_tapering",
    ),
    "substance_use": (
        "addiction",
        "opioid_use_disorder",
        "alcohol_use_disorder",
        "harm_reduction",
        "opioid_agonist_therapy",
        "cannabis",
    ),
    "mental_health": (
        "depression",
        "anxiety",
        "psychosis",
        "bipolar_disorder",
        "trauma",
        "suicide_prevention",
        "concurrent_disorders",
    ),
}

PARENT_OF: dict[str, str] = {
    child: parent for parent, children in SPECIALTY_TREE.items() for child in children
}

LIVED_EXPERIENCE_TAGS: tuple[str, ...] = (
    "mental_health_recovery",
    "substance_use_recovery",
    "chronic_pain",
    "caregiver",
    "burnout",
)
LIVED_EXPERIENCE_WEIGHTS: tuple[float, ...] = (3, 2, 3, 3, 4)

# ---------------------------------------------------------------------------- geography

# Province weights are roughly proportional to population.
PROVINCE_WEIGHTS: dict[str, float] = {"NS": 37, "NB": 30, "NL": 20, "PE": 8}

# Full names used for ~5% of rows (English and French spellings).
PROVINCE_NAMES: dict[str, tuple[str, str]] = {
    "NS": ("Nova Scotia", "Nouvelle-Écosse"),
    "NB": ("New Brunswick", "Nouveau-Brunswick"),
    "NL": ("Newfoundland and Labrador", "Terre-Neuve-et-Labrador"),
    "PE": ("Prince Edward Island", "Île-du-Prince-Édouard"),
}

# (town, lat, lon, weight, share of French speakers, explicit time zone or "")
Town = tuple[str, float, float, float, float, str]

TOWNS: dict[str, tuple[Town, ...]] = {
    "NS": (
        ("Halifax", 44.65, -63.57, 9, 0.04, ""),
        ("Sydney", 46.14, -60.19, 2.5, 0.02, ""),
        ("Truro", 45.37, -63.28, 1.5, 0.02, ""),
        ("Kentville", 45.08, -64.50, 1.2, 0.02, ""),
        ("New Glasgow", 45.59, -62.65, 1.2, 0.02, ""),
        ("Antigonish", 45.62, -61.99, 1, 0.04, ""),
        ("Yarmouth", 43.84, -66.12, 1, 0.12, ""),
        ("Bridgewater", 44.38, -64.52, 1, 0.02, ""),
    ),
    "NB": (
        ("Moncton", 46.09, -64.78, 3, 0.35, ""),
        ("Fredericton", 45.96, -66.64, 2, 0.10, ""),
        ("Saint John", 45.27, -66.06, 2, 0.05, ""),
        ("Edmundston", 47.37, -68.33, 1, 0.85, ""),
        ("Bathurst", 47.62, -65.65, 1, 0.60, ""),
        ("Miramichi", 47.03, -65.50, 1, 0.20, ""),
        ("Campbellton", 48.00, -66.67, 0.5, 0.60, ""),
        ("Caraquet", 47.79, -64.96, 0.5, 0.90, ""),
    ),
    "NL": (
        ("St. John's", 47.56, -52.71, 6, 0.02, ""),
        ("Corner Brook", 48.95, -57.95, 1.5, 0.02, ""),
        ("Gander", 48.95, -54.61, 1, 0.01, ""),
        ("Grand Falls-Windsor", 48.93, -55.66, 1, 0.01, ""),
        ("Clarenville", 48.16, -53.96, 0.6, 0.01, ""),
        # Most of Labrador keeps Atlantic time, unlike the island (Newfoundland time).
        ("Happy Valley-Goose Bay", 53.30, -60.33, 0.4, 0.03, "America/Goose_Bay"),
        ("Labrador City", 52.94, -66.91, 0.3, 0.05, "America/Goose_Bay"),
    ),
    "PE": (
        ("Charlottetown", 46.24, -63.13, 4, 0.04, ""),
        ("Summerside", 46.39, -63.79, 1.5, 0.08, ""),
        ("Montague", 46.17, -62.65, 0.5, 0.02, ""),
        ("O'Leary", 46.71, -64.24, 0.4, 0.10, ""),
    ),
}

PROVINCE_TIMEZONE: dict[str, str] = {
    "NS": "America/Halifax",
    "NB": "America/Moncton",
    "NL": "America/St_Johns",
    "PE": "America/Halifax",
}

# Language names as (English spelling, French spelling).
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "en": ("English", "anglais"),
    "fr": ("French", "français"),
}

# ---------------------------------------------------------------------------- professions

# profession: (weight, career-stage weights student/early/mid/late)
PROFESSIONS: dict[str, tuple[float, tuple[float, float, float, float]]] = {
    "family_physician": (21, (0, 28, 45, 27)),
    "nurse": (19, (8, 32, 40, 20)),
    "nurse_practitioner": (9, (0, 35, 45, 20)),
    "pharmacist": (12, (6, 30, 42, 22)),
    "social_worker": (10, (6, 35, 40, 19)),
    "physiotherapist": (6, (5, 35, 40, 20)),
    "chiropractor": (3, (0, 30, 45, 25)),
    "occupational_therapist": (5, (6, 35, 40, 19)),
    "psychologist": (4, (5, 25, 45, 25)),
    "counsellor": (3, (0, 35, 45, 20)),
    "paramedic": (2, (0, 35, 45, 20)),
    "peer_support_worker": (2, (0, 50, 35, 15)),
    "medical_resident": (2, (100, 0, 0, 0)),
    "dietitian": (1, (0, 35, 45, 20)),
}

CAREER_STAGES: tuple[str, ...] = ("student", "early", "mid", "late")

# Relative interest of each profession in each specialty slug (parents and children).
_PAIN_HEAVY: dict[str, float] = {
    "chronic_pain": 6,
    "musculoskeletal_pain": 6,
    "pain_self_management": 5,
    "neuropathic_pain": 2,
    "headache": 2,
    "mental_health": 1,
    "anxiety": 0.5,
    "depression": 0.5,
}

SPECIALTY_INTEREST: dict[str, dict[str, float]] = {
    "family_physician": {
        "chronic_pain": 4,
        "opioid_tapering": 4,
        "neuropathic_pain": 1.5,
        "musculoskeletal_pain": 1,
        "headache": 1,
        "substance_use": 3,
        "opioid_use_disorder": 3,
        "opioid_agonist_therapy": 3,
        "alcohol_use_disorder": 2,
        "addiction": 1,
        "cannabis": 1,
        "harm_reduction": 1,
        "mental_health": 3,
        "depression": 2,
        "anxiety": 2,
        "concurrent_disorders": 1.5,
        "bipolar_disorder": 0.5,
        "suicide_prevention": 0.5,
    },
    "nurse": {
        "harm_reduction": 3,
        "substance_use": 3,
        "opioid_agonist_therapy": 2,
        "opioid_use_disorder": 1.5,
        "addiction": 1.5,
        "alcohol_use_disorder": 1,
        "mental_health": 3,
        "anxiety": 1.5,
        "depression": 1.5,
        "suicide_prevention": 1.5,
        "concurrent_disorders": 1,
        "psychosis": 0.5,
        "chronic_pain": 2,
        "pain_self_management": 1,
    },
    "nurse_practitioner": {
        "chronic_pain": 3,
        "opioid_tapering": 3,
        "substance_use": 2,
        "opioid_agonist_therapy": 3,
        "opioid_use_disorder": 2,
        "harm_reduction": 1.5,
        "alcohol_use_disorder": 1,
        "mental_health": 2,
        "depression": 1.5,
        "anxiety": 1.5,
        "concurrent_disorders": 1,
    },
    "pharmacist": {
        "opioid_tapering": 5,
        "opioid_agonist_therapy": 5,
        "chronic_pain": 3,
        "neuropathic_pain": 1.5,
        "substance_use": 2,
        "opioid_use_disorder": 2,
        "harm_reduction": 2,
        "cannabis": 1,
        "mental_health": 1,
        "depression": 0.5,
    },
    "social_worker": {
        "mental_health": 4,
        "trauma": 3,
        "concurrent_disorders": 2.5,
        "substance_use": 3,
        "harm_reduction": 2.5,
        "addiction": 2,
        "suicide_prevention": 1.5,
        "anxiety": 1,
        "depression": 1,
        "chronic_pain": 0.5,
    },
    "physiotherapist": _PAIN_HEAVY,
    "chiropractor": {**_PAIN_HEAVY, "headache": 4},
    "occupational_therapist": {
        **_PAIN_HEAVY,
        "mental_health": 2,
        "anxiety": 1,
        "concurrent_disorders": 0.5,
    },
    "psychologist": {
        "mental_health": 3,
        "trauma": 3,
        "anxiety": 2,
        "depression": 2,
        "pain_self_management": 3,
        "chronic_pain": 2,
        "concurrent_disorders": 2,
        "substance_use": 1,
        "addiction": 1,
        "suicide_prevention": 1,
        "psychosis": 0.5,
        "bipolar_disorder": 0.5,
    },
    "counsellor": {
        "mental_health": 3,
        "addiction": 3,
        "substance_use": 2,
        "trauma": 2,
        "anxiety": 1.5,
        "depression": 1.5,
        "concurrent_disorders": 1.5,
        "alcohol_use_disorder": 1,
        "cannabis": 0.5,
    },
    "paramedic": {
        "harm_reduction": 3,
        "opioid_use_disorder": 2,
        "substance_use": 2,
        "mental_health": 2,
        "suicide_prevention": 2,
        "psychosis": 1,
    },
    "peer_support_worker": {
        "harm_reduction": 4,
        "substance_use": 3,
        "addiction": 2,
        "mental_health": 2,
        "trauma": 1.5,
        "concurrent_disorders": 1,
    },
    "medical_resident": {
        "substance_use": 2,
        "opioid_use_disorder": 2,
        "opioid_agonist_therapy": 2,
        "chronic_pain": 2,
        "opioid_tapering": 1.5,
        "mental_health": 2,
        "psychosis": 1,
        "bipolar_disorder": 1,
        "concurrent_disorders": 1,
    },
    "dietitian": {
        "chronic_pain": 2,
        "pain_self_management": 2,
        "mental_health": 2,
        "depression": 1,
        "alcohol_use_disorder": 1,
    },
}

PRIVATE_PRACTICE_PROFESSIONS: frozenset[str] = frozenset(
    {"physiotherapist", "chiropractor", "psychologist", "counsellor", "dietitian"}
)

# ----------------------------------------------------------------------------- schedules

# (days it may fall on, hours, weight)
SLOT_TEMPLATES: tuple[SlotTemplate, ...] = (
    (WEEKDAYS, "12:00-13:00", 30),
    (WEEKDAYS, "12:15-13:00", 4),
    (WEEKDAYS, "12:30-13:30", 4),
    (MON_THU, "18:00-20:00", 18),
    (MON_THU, "19:00-21:00", 14),
    (MON_THU, "19:30-20:30", 5),
    (WEEKDAYS, "07:30-08:30", 9),
    (WEEKDAYS, "07:00-08:00", 4),
    (("fri",), "14:00-16:00", 3),
    (("sat",), "09:00-11:00", 3),
    (("sun",), "19:00-20:30", 2),
)

# ---------------------------------------------------------------------------- mentors

# Hand-written faculty. Keys not listed default to "" (see _mentor_row).
MENTORS: tuple[dict[str, str], ...] = (
    {
        "profession": "addiction_medicine_physician",
        "specialties": "substance_use|opioid_use_disorder|opioid_agonist_therapy|harm_reduction"
        "|concurrent_disorders",
        "consent_lived_experience": "no",
        "region": "NS",
        "town": "Halifax",
        "languages": "en",
        "availability": "tue 12:00-13:00|wed 18:00-20:00|thu 12:00-13:00",
        "formats": "in_person|virtual|phone",
        "group_formats": "one_to_one|small_group|large_group",
        "capacity": "35",
        "years_experience": "22",
        "career_stage": "late",
        "organization": "Nova Scotia Health",
        "gender": "woman",
        "cohort": "2025-fall",
    },
    {
        "profession": "addiction_medicine_physician",
        "specialties": "substance_use|addiction|opioid_agonist_therapy|alcohol_use_disorder",
        "consent_lived_experience": "no",
        "region": "NB",
        "town": "Moncton",
        "languages": "fr|en",
        "availability": "mon 12:00-13:00|wed 19:00-21:00",
        "formats": "in_person|virtual",
        "group_formats": "one_to_one|small_group|large_group",
        "capacity": "30",
        "years_experience": "18",
        "career_stage": "mid",
        "organization": "Vitalité Health Network",
        "gender": "man",
        "cohort": "2025-fall",
    },
    {
        "profession": "addiction_medicine_physician",
        "specialties": "substance_use|opioid_use_disorder|alcohol_use_disorder|cannabis"
        "|harm_reduction",
        "consent_lived_experience": "no",
        "region": "NL",
        "town": "St. John's",
        "languages": "en",
        "availability": "mon 19:00-21:00|thu 12:00-13:00|fri 07:30-08:30",
        "formats": "in_person|virtual|phone",
        "group_formats": "one_to_one|small_group",
        "capacity": "28",
        "years_experience": "15",
        "career_stage": "mid",
        "organization": "NL Health Services",
        "gender": "woman",
        "cohort": "2025-fall",
    },
    {
        "profession": "psychiatrist",
        "specialties": "mental_health|concurrent_disorders|psychosis|bipolar_disorder"
        "|suicide_prevention",
        "consent_lived_experience": "no",
        "region": "NS",
        "town": "Halifax",
        "languages": "en",
        "availability": "tue 18:00-20:00|fri 12:00-13:00",
        "formats": "virtual|phone",
        "group_formats": "one_to_one|small_group|large_group",
        "capacity": "25",
        "years_experience": "27",
        "career_stage": "late",
        "organization": "Nova Scotia Health",
        "gender": "man",
        "cohort": "2025-fall",
    },
    {
        "profession": "psychiatrist",
        "specialties": "mental_health|depression|anxiety|suicide_prevention|concurrent_disorders",
        "consent_lived_experience": "no",
        "region": "Nouveau-Brunswick",
        "town": "Edmundston",
        "languages": "fr",
        "availability": "mon 12:00-13:00|wed 12:00-13:00|thu 19:00-21:00",
        "formats": "virtual",
        "group_formats": "one_to_one|small_group",
        "capacity": "22",
        "years_experience": "20",
        "career_stage": "late",
        "organization": "Vitalité Health Network",
        "gender": "woman",
        "cohort": "2026-spring",
    },
    {
        "profession": "psychiatrist",
        "specialties": "mental_health|trauma|depression|anxiety|concurrent_disorders",
        "consent_lived_experience": "yes",
        "region": "NL",
        "town": "Corner Brook",
        "timezone": "America/St_Johns",
        "languages": "en",
        "availability": "tue 07:30-08:30|wed 18:00-20:00|thu 12:00-13:00",
        "formats": "virtual",
        "group_formats": "one_to_one|small_group",
        "capacity": "20",
        "years_experience": "12",
        "career_stage": "mid",
        "organization": "NL Health Services",
        "gender": "man",
        "cohort": "2026-spring",
    },
    {
        "profession": "pain_medicine_physician",
        "specialties": "chronic_pain|neuropathic_pain|headache|opioid_tapering"
        "|musculoskeletal_pain",
        "consent_lived_experience": "no",
        "region": "NS",
        "town": "Halifax",
        "languages": "en",
        "availability": "mon 18:00-20:00|wed 12:00-13:00|fri 12:00-13:00",
        "formats": "in_person|virtual",
        "group_formats": "one_to_one|small_group|large_group",
        "capacity": "32",
        "years_experience": "24",
        "career_stage": "late",
        "organization": "Nova Scotia Health",
        "gender": "man",
        "cohort": "2025-fall",
    },
    {
        "profession": "pharmacist",
        "specialties": "chronic_pain|opioid_tapering|opioid_agonist_therapy|substance_use"
        "|harm_reduction",
        "consent_lived_experience": "no",
        "region": "NB",
        "town": "Fredericton",
        "languages": "en",
        "availability": "tue 12:00-13:00|thu 19:00-21:00",
        "formats": "in_person|virtual|phone",
        "group_formats": "one_to_one|small_group|large_group",
        "capacity": "20",
        "years_experience": "16",
        "career_stage": "mid",
        "organization": "Horizon Health Network",
        "gender": "woman",
        "cohort": "2025-fall",
    },
    {
        "profession": "psychologist",
        "specialties": "chronic_pain|pain_self_management|mental_health|anxiety|trauma",
        "lived_experience": "chronic_pain",
        "consent_lived_experience": "yes",
        "region": "PE",
        "town": "Charlottetown",
        "languages": "en",
        "availability": "mon 12:00-13:00|wed 19:00-21:00|sat 09:00-11:00",
        "formats": "in_person|virtual",
        "group_formats": "one_to_one|small_group",
        "capacity": "18",
        "years_experience": "19",
        "career_stage": "mid",
        "organization": "Health PEI",
        "gender": "woman",
        "cohort": "2025-fall",
    },
    {
        "profession": "nurse_practitioner",
        "specialties": "substance_use|harm_reduction|opioid_agonist_therapy|opioid_use_disorder"
        "|chronic_pain",
        "lived_experience": "substance_use_recovery",
        "consent_lived_experience": "yes",
        "region": "NS",
        "town": "Sydney",
        "languages": "en",
        "availability": "tue 19:00-21:00|thu 07:30-08:30",
        "formats": "virtual|phone",
        "group_formats": "one_to_one|small_group",
        "capacity": "25",
        "years_experience": "14",
        "career_stage": "mid",
        "organization": "Nova Scotia Health",
        "gender": "woman",
        "cohort": "2025-fall",
    },
    {
        "profession": "social_worker",
        "specialties": "mental_health|substance_use|harm_reduction|trauma|concurrent_disorders",
        "lived_experience": "caregiver",
        "consent_lived_experience": "no",
        "region": "NB",
        "town": "Saint John",
        "languages": "en|fr",
        "availability": "mon 18:00-20:00|wed 12:00-13:00|fri 12:00-13:00",
        "formats": "virtual|phone",
        "group_formats": "one_to_one|small_group",
        "capacity": "15",
        "years_experience": "21",
        "career_stage": "late",
        "organization": "Horizon Health Network",
        "gender": "man",
        "cohort": "2026-spring",
    },
    {
        "profession": "physiotherapist",
        "specialties": "chronic_pain|musculoskeletal_pain|pain_self_management|headache",
        "consent_lived_experience": "no",
        "region": "NS",
        "languages": "en",
        "availability": "tue 07:30-08:30|thu 18:00-20:00",
        "formats": "in_person|virtual",
        "group_formats": "one_to_one|small_group",
        "capacity": "12",
        "years_experience": "17",
        "career_stage": "mid",
        "organization": "Community clinic",
        "gender": "woman",
        "cohort": "2026-spring",
    },
    {
        "profession": "family_physician",
        "specialties": "chronic_pain|opioid_tapering|pain_self_management|substance_use",
        "consent_lived_experience": "no",
        "region": "PE",
        "town": "Summerside",
        "languages": "English",
        "availability": "wed 07:30-08:30|thu 12:00-13:00",
        "formats": "in_person|virtual|phone",
        "group_formats": "one_to_one",
        "capacity": "10",
        "years_experience": "30",
        "career_stage": "late",
        "organization": "Health PEI",
        "gender": "man",
        "cohort": "2025-fall",
    },
    {
        # Addiction psychiatrist currently on leave: keeps a profile, takes no one.
        "profession": "psychiatrist",
        "specialties": "concurrent_disorders|substance_use|mental_health|opioid_use_disorder",
        "consent_lived_experience": "no",
        "region": "NS",
        "town": "Halifax",
        "languages": "en",
        "availability": "",
        "formats": "virtual",
        "group_formats": "one_to_one|small_group",
        "capacity": "0",
        "years_experience": "33",
        "career_stage": "late",
        "organization": "Nova Scotia Health",
        "gender": "woman",
        "cohort": "2025-fall",
    },
)

# ---------------------------------------------------------------------------- helpers


def province_code(region: str) -> str:
    """Map a region (code or full English/French name) back to its province code."""
    if region in PROVINCE_NAMES:
        return region
    for code, names in PROVINCE_NAMES.items():
        if region in names:
            return code
    raise KeyError(region)


def speaks(languages: str) -> set[str]:
    """Language codes spoken, from an ``en|fr``-style field (names accepted)."""
    codes: set[str] = set()
    for token in languages.split("|"):
        for code, names in LANGUAGE_NAMES.items():
            if token == code or token in names:
                codes.add(code)
    return codes


def areas_of(specialties: str) -> set[str]:
    """Top-level areas (parents) covered by a ``|``-separated specialty list."""
    return {PARENT_OF.get(slug, slug) for slug in specialties.split("|") if slug}


def make_availability(rng: Random) -> str:
    """One to four weekly slots typical of a busy clinician, sorted by day and time."""
    count = weighted_choice(rng, (1, 2, 3, 4), (30, 35, 25, 10))
    return draw_slots(rng, SLOT_TEMPLATES, count)


def make_languages(rng: Random, province: str, french_share: float) -> str:
    """Language codes for a mentee; French speakers concentrate in New Brunswick."""
    if province == "NB":
        if rng.random() < french_share:
            return "fr" if rng.random() < 0.45 else "fr|en"
        return "en|fr" if rng.random() < 0.05 else "en"
    return "en|fr" if rng.random() < 0.04 else "en"


def spell_languages(rng: Random, codes: str) -> str:
    """Rewrite codes as names, all in English or all in French (``anglais|français``)."""
    french = codes.startswith("fr") or rng.random() < 0.5
    return "|".join(LANGUAGE_NAMES[code][1 if french else 0] for code in codes.split("|"))


def make_specialties(rng: Random, profession: str) -> str:
    """One to three areas a mentee seeks help with, shaped by their profession."""
    interest = SPECIALTY_INTEREST[profession]
    count = weighted_choice(rng, (1, 2, 3), (40, 42, 18))
    picked = weighted_sample(rng, list(interest), list(interest.values()), count)
    return "|".join(picked)


def make_lived_experience(rng: Random) -> tuple[str, str]:
    """Lived-experience tags (mostly none) and the consent to use them."""
    if rng.random() < 0.14:
        count = 1 if rng.random() < 0.75 else 2
        tags = weighted_sample(rng, LIVED_EXPERIENCE_TAGS, LIVED_EXPERIENCE_WEIGHTS, count)
        tags.sort(key=LIVED_EXPERIENCE_TAGS.index)
        consent = "yes" if rng.random() < 0.85 else "no"
        return "|".join(tags), consent
    return "", "yes" if rng.random() < 0.30 else "no"


def make_formats(rng: Random) -> str:
    """Meeting formats: most accept virtual; about 10% want in-person only."""
    roll = rng.random()
    if roll < 0.10:
        return "in_person"
    if roll < 0.12:
        return "in_person|phone"
    formats = ["virtual"]
    if rng.random() < 0.35:
        formats.insert(0, "in_person")
    if rng.random() < 0.30:
        formats.append("phone")
    return "|".join(formats)


def make_group_formats(rng: Random) -> str:
    """Group formats a mentee is open to (never empty)."""
    chosen = draw_each(rng, (("one_to_one", 0.85), ("small_group", 0.50), ("large_group", 0.15)))
    return "|".join(chosen) if chosen else "one_to_one"


def make_experience(rng: Random, stage: str) -> str:
    """Years of experience consistent with the career stage (about 7% left empty)."""
    if rng.random() < 0.07:
        return ""
    low, high = {"student": (0, 0), "early": (1, 5), "mid": (6, 19), "late": (20, 30)}[stage]
    return str(rng.randint(low, high))


def make_organization(rng: Random, province: str, profession: str, french: bool) -> str:
    """A plausible employer for a mentee (about 8% left empty)."""
    if rng.random() < 0.08:
        return ""
    if profession in PRIVATE_PRACTICE_PROFESSIONS and rng.random() < 0.6:
        return rng.choice(("Private practice", "Community clinic"))
    if profession == "pharmacist" and rng.random() < 0.6:
        return "Community pharmacy"
    if profession in ("family_physician", "nurse_practitioner") and rng.random() < 0.35:
        return "Community clinic"
    if province == "NS":
        return "Nova Scotia Health" if rng.random() < 0.9 else "IWK Health"
    if province == "NB":
        if french:
            return "Vitalité Health Network" if rng.random() < 0.85 else "Horizon Health Network"
        return "Horizon Health Network" if rng.random() < 0.85 else "Vitalité Health Network"
    if province == "NL":
        return "NL Health Services"
    return "Health PEI"


def make_gender(rng: Random) -> tuple[str, str]:
    """Gender (health workforce is mostly women) and an occasional preference."""
    gender = weighted_choice(rng, ("woman", "man", "non_binary", ""), (68, 27, 2, 3))
    preference = ""
    if rng.random() < 0.08:
        preference = "woman" if rng.random() < 0.75 else "man"
    return gender, preference


# ------------------------------------------------------------------------------- rows


def _mentor_row(index: int, spec: dict[str, str]) -> dict[str, str]:
    """Turn a hand-written mentor spec into a CSV row."""
    row = dict.fromkeys(COLUMNS, "")
    row["id"] = f"M{index:03d}"
    overlay(row, spec)
    if "town" in spec:
        _, lat, lon, _, _, _ = find_town(TOWNS, province_code(spec["region"]), spec["town"])
        row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
    return row


def build_mentors() -> list[dict[str, str]]:
    """The 14 faculty mentors (fixed; they do not depend on the seed)."""
    return [_mentor_row(i, spec) for i, spec in enumerate(MENTORS, start=1)]


def _compatible_mentors(
    mentors: Sequence[dict[str, str]], specialties: str, languages: str
) -> list[dict[str, str]]:
    """Mentors sharing a language and a specialty area with a mentee."""
    wanted_areas = areas_of(specialties)
    spoken = speaks(languages)
    return [
        mentor
        for mentor in mentors
        if speaks(mentor["languages"]) & spoken and areas_of(mentor["specialties"]) & wanted_areas
    ]


def build_mentees(
    rng: Random, mentors: Sequence[dict[str, str]], count: int = N_MENTEES
) -> list[dict[str, str]]:
    """Draw ``count`` synthetic mentees."""
    provinces = list(PROVINCE_WEIGHTS)
    province_weights = list(PROVINCE_WEIGHTS.values())
    professions = list(PROFESSIONS)
    profession_weights = [PROFESSIONS[p][0] for p in professions]
    cohorts = ("2025-fall", "2026-spring")
    # About 1% of mentees name one mentor they must never be paired with.
    excluders = set(rng.sample(range(1, count + 1), max(1, round(count * 0.01))))

    rows: list[dict[str, str]] = []
    for index in range(1, count + 1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"E{index:04d}"

        profession = weighted_choice(rng, professions, profession_weights)
        row["profession"] = profession
        row["specialties"] = make_specialties(rng, profession)
        row["lived_experience"], row["consent_lived_experience"] = make_lived_experience(rng)

        province = weighted_choice(rng, provinces, province_weights)
        towns = TOWNS[province]
        town = weighted_choice(rng, towns, [t[3] for t in towns])
        _, lat, lon, _, french_share, town_timezone = town

        codes = make_languages(rng, province, french_share)
        french_first = codes.startswith("fr")

        if rng.random() < 0.05:
            english_name, french_name = PROVINCE_NAMES[province]
            row["region"] = french_name if french_first or rng.random() < 0.4 else english_name
        else:
            row["region"] = province
        if rng.random() < 0.60:
            row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
        if town_timezone:
            row["timezone"] = town_timezone
        elif rng.random() < 0.012:
            row["timezone"] = PROVINCE_TIMEZONE[province]

        row["languages"] = spell_languages(rng, codes) if rng.random() < 0.05 else codes
        row["availability"] = "" if rng.random() < 0.05 else make_availability(rng)
        row["formats"] = make_formats(rng)
        row["group_formats"] = make_group_formats(rng)
        row["capacity"] = "2" if rng.random() < 0.03 else "1"

        stage = weighted_choice(rng, CAREER_STAGES, PROFESSIONS[profession][1])
        row["career_stage"] = stage
        row["years_experience"] = make_experience(rng, stage)
        row["organization"] = make_organization(rng, province, profession, "fr" in codes)
        row["gender"], row["gender_preference"] = make_gender(rng)

        candidates = _compatible_mentors(mentors, row["specialties"], codes)
        if candidates and index in excluders:
            # A colleague or supervisor, most likely in the same province.
            local = [m for m in candidates if province_code(m["region"]) == province]
            row["exclude"] = rng.choice(local or candidates)["id"]
        if candidates and rng.random() < 0.10:
            allowed = [m for m in candidates if m["id"] != row["exclude"]]
            weights = [
                int(m["capacity"]) + 3 + (12 if province_code(m["region"]) == province else 0)
                for m in allowed
            ]
            how_many = weighted_choice(rng, (1, 2, 3), (45, 35, 20))
            picked = weighted_sample(rng, allowed, weights, how_many)
            row["preferences"] = "|".join(m["id"] for m in picked)

        row["cohort"] = rng.choice(cohorts)
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    mentors = build_mentors()
    mentees = build_mentees(rng, mentors)
    out: Path = args.out
    write_outputs(out, COLUMNS, mentors, mentees)
    capacity = sum(int(m["capacity"]) for m in mentors)
    demand = sum(int(m["capacity"]) for m in mentees)
    print(
        f"wrote {len(mentors)} mentors (capacity {capacity}) and {len(mentees)} mentees "
        f"(demand {demand}) to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
