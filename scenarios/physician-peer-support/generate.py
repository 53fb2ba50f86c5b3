"""Generate the synthetic ``physician-peer-support`` scenario for ``matcher``.

The scenario models a physician peer-support service that runs weekly virtual groups, each
led by a trained peer facilitator, for physicians and medical learners in Ontario, British
Columbia, Alberta and Nova Scotia. Confidentiality is the first rule: nobody is placed with a
facilitator or another member from their own hospital or university. All people are
synthetic: identifiers, profiles and choices are drawn from hand-tuned distributions with a
seeded pseudo-random generator.

What it produces:

* ``mentors.csv``: 8 hand-written facilitators (profession ``peer_facilitator``); a
  facilitator's capacity is the largest group they will lead (6-8, 55 places in all).
* ``mentees.csv``: 52 members: family physicians, residents, medical students, emergency
  physicians, psychiatrists, surgeons, anesthesiologists, internists and pediatricians, about a
  quarter of whom work or study where one of the facilitators does.

Two members are written by hand so that they cannot be placed, for a clear reason: a
French-only family physician whose only French-speaking facilitator works at the same
hospital, and an emergency physician on nights who is free only at a time no facilitator is.
A few drawn members also share no weekly hour with any facilitator they may join. Weekly times
are given in local time across four time zones.

Usage::

    python scenarios/physician-peer-support/generate.py [--seed 2026] [--out DIR]

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
    quota_list,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "cohort")

COHORT = "2026-winter"

# --------------------------------------------------------------------------- vocabulary

# What members want to talk about. ``wellness`` and ``professional_development`` are parents
# in the taxonomy (built in, plus the entries in program.toml).
TOPICS: dict[str, float] = {
    "burnout_prevention": 6,
    "work_life_integration": 5,
    "coping_with_adverse_events": 3,
    "imposter_phenomenon": 3,
    "conflict_at_work": 2.5,
    "career_transitions": 2.5,
    "leadership": 1.5,
    "wellness": 2,
}

# Lived-experience tags, with the share of members who carry each.
LIVED_TAGS: dict[str, float] = {
    "burnout": 0.40,
    "moral_injury": 0.20,
    "grief": 0.15,
    "medical_error": 0.10,
    "complaint_or_litigation": 0.08,
    "caregiver": 0.08,
    "mental_health_recovery": 0.08,
    "substance_use_recovery": 0.03,
}

# profession: (members drawn, years range, career stage or "" to derive from years).
# Two more members (a family physician, an emergency physician) are written by hand.
PROFESSIONS: dict[str, tuple[int, tuple[int, int], str]] = {
    "family_physician": (14, (1, 35), ""),
    "resident": (9, (1, 5), "resident"),
    "medical_student": (5, (0, 0), "student"),
    "emergency_physician": (5, (1, 30), ""),
    "psychiatrist": (4, (1, 30), ""),
    "surgeon": (4, (1, 30), ""),
    "anesthesiologist": (3, (1, 30), ""),
    "internist": (4, (1, 30), ""),
    "pediatrician": (2, (1, 30), ""),
}

# ---------------------------------------------------------------------------- geography

PROVINCE_WEIGHTS: dict[str, float] = {"ON": 46, "BC": 21, "AB": 19, "NS": 14}

# (town, lat, lon, weight, hospitals, university)
Town = tuple[str, float, float, float, tuple[str, ...], str]

TOWNS: dict[str, tuple[Town, ...]] = {
    "ON": (
        (
            "Toronto",
            43.65,
            -79.38,
            8,
            ("University Health Network", "Sinai Health", "Unity Health Toronto"),
            "University of Toronto",
        ),
        (
            "Ottawa",
            45.42,
            -75.70,
            4,
            ("The Ottawa Hospital", "Hôpital Montfort"),
            "University of Ottawa",
        ),
        ("Hamilton", 43.26, -79.87, 3, ("Hamilton Health Sciences",), "McMaster University"),
        (
            "Kingston",
            44.23,
            -76.49,
            1.5,
            ("Kingston Health Sciences Centre",),
            "Queen's University",
        ),
        ("Barrie", 44.39, -79.69, 1, ("Royal Victoria Regional Health Centre",), ""),
    ),
    "BC": (
        (
            "Vancouver",
            49.28,
            -123.12,
            5,
            ("Vancouver Coastal Health", "Providence Health Care"),
            "University of British Columbia",
        ),
        ("Surrey", 49.19, -122.85, 2, ("Fraser Health",), ""),
        ("Victoria", 48.43, -123.37, 2, ("Island Health",), ""),
        ("Kelowna", 49.89, -119.50, 1, ("Interior Health",), ""),
    ),
    "AB": (
        ("Calgary", 51.05, -114.07, 4, ("Alberta Health Services",), "University of Calgary"),
        (
            "Edmonton",
            53.55,
            -113.49,
            4,
            ("Alberta Health Services", "Covenant Health"),
            "University of Alberta",
        ),
        ("Red Deer", 52.27, -113.81, 1, ("Alberta Health Services",), ""),
    ),
    "NS": (
        ("Halifax", 44.65, -63.57, 5, ("Nova Scotia Health", "IWK Health"), "Dalhousie University"),
        ("Sydney", 46.14, -60.19, 1, ("Nova Scotia Health",), ""),
        ("Truro", 45.37, -63.28, 1, ("Nova Scotia Health",), ""),
    ),
}

# Community family practices: a town has several, so colleagues are rare but possible.
PRACTICE_KINDS: tuple[str, ...] = (
    "Family Practice",
    "Community Health Centre",
    "Medical Clinic",
    "Family Medicine Centre",
    "Primary Care Clinic",
)

# ----------------------------------------------------------------------------- schedules

# (days it may fall on, hours, weight): physicians are free in the evening, or at the weekend.
SLOT_TEMPLATES: tuple[SlotTemplate, ...] = (
    (MON_THU, "19:00-21:00", 20),
    (MON_THU, "18:00-20:00", 14),
    (MON_THU, "20:00-22:00", 8),
    (MON_THU, "17:00-19:00", 6),
    (("sat",), "09:00-11:00", 5),
    (("sun",), "16:00-18:00", 5),
    (WEEKDAYS, "12:00-13:30", 4),
)

# ---------------------------------------------------------------------------- facilitators

# Hand-written facilitators. Keys not listed default to "" (see _facilitator_row).
FACILITATORS: tuple[dict[str, str], ...] = (
    {
        "specialties": "wellness|burnout_prevention|coping_with_adverse_events",
        "lived_experience": "burnout|medical_error",
        "region": "ON",
        "town": "Toronto",
        "languages": "en",
        "availability": "mon 19:00-21:00|tue 19:00-21:00|thu 19:00-21:00",
        "capacity": "8",
        "years_experience": "9",
        "organization": "University Health Network",
        "gender": "woman",
    },
    {
        # The only French-speaking facilitator.
        "specialties": "wellness|work_life_integration|career_transitions",
        "lived_experience": "burnout|caregiver",
        "region": "ON",
        "town": "Ottawa",
        "languages": "fr|en",
        "availability": "mon 19:00-21:00|wed 19:00-21:00|sun 16:00-18:00",
        "capacity": "7",
        "years_experience": "6",
        "organization": "Hôpital Montfort",
        "gender": "man",
    },
    {
        "specialties": "professional_development|conflict_at_work|imposter_phenomenon",
        "lived_experience": "moral_injury",
        "region": "ON",
        "town": "Hamilton",
        "languages": "en",
        "availability": "wed 19:00-21:00|fri 12:00-13:30|sun 16:00-18:00",
        "capacity": "6",
        "years_experience": "4",
        "organization": "Hamilton Health Sciences",
        "gender": "woman",
    },
    {
        "specialties": "wellness|burnout_prevention|coping_with_adverse_events",
        "lived_experience": "grief|burnout",
        "region": "BC",
        "town": "Vancouver",
        "languages": "en",
        "availability": "mon 18:00-20:00|wed 19:00-21:00|thu 17:00-19:00",
        "capacity": "8",
        "years_experience": "11",
        "organization": "Vancouver Coastal Health",
        "gender": "woman",
    },
    {
        "specialties": "wellness|imposter_phenomenon|work_life_integration",
        "lived_experience": "mental_health_recovery",
        "region": "BC",
        "town": "Victoria",
        "languages": "en",
        "availability": "tue 18:00-20:00|thu 19:00-21:00|sat 09:00-11:00",
        "capacity": "6",
        "years_experience": "3",
        "organization": "Island Health",
        "gender": "non_binary",
    },
    {
        "specialties": "professional_development|burnout_prevention|conflict_at_work",
        "lived_experience": "complaint_or_litigation|burnout",
        "region": "AB",
        "town": "Calgary",
        "languages": "en",
        "availability": "mon 19:00-21:00|wed 18:00-20:00|thu 19:00-21:00",
        "capacity": "7",
        "years_experience": "8",
        "organization": "Alberta Health Services",
        "gender": "man",
    },
    {
        "specialties": "wellness|coping_with_adverse_events|career_transitions",
        "lived_experience": "medical_error|substance_use_recovery",
        "region": "AB",
        "town": "Edmonton",
        "languages": "en",
        "availability": "mon 19:00-21:00|tue 18:00-20:00|sat 09:00-11:00",
        "capacity": "6",
        "years_experience": "5",
        "organization": "University of Alberta",
        "gender": "man",
    },
    {
        "specialties": "wellness|burnout_prevention|leadership",
        "lived_experience": "burnout|moral_injury",
        "region": "NS",
        "town": "Halifax",
        "languages": "en",
        "availability": "tue 17:30-19:30|wed 19:00-21:00|sat 10:00-12:00",
        "capacity": "7",
        "years_experience": "7",
        "organization": "Nova Scotia Health",
        "gender": "woman",
    },
)

# ---------------------------------------------------------------------------- helpers


def make_availability(rng: Random) -> str:
    """One to three weekly slots, at most one per day, sorted by day."""
    count = weighted_choice(rng, (1, 2, 3), (15, 45, 40))
    return draw_slots(rng, SLOT_TEMPLATES, count)


def make_lived(rng: Random) -> tuple[str, str]:
    """Lived-experience tags (each with its own share) and consent to use them."""
    chosen = draw_each(rng, LIVED_TAGS.items())
    consent = "yes" if rng.random() < 0.85 else "no"
    return "|".join(chosen), consent


def stage_of(years: int) -> str:
    """Career stage of a practising physician."""
    return "early" if years <= 5 else "mid" if years <= 20 else "late"


# ------------------------------------------------------------------------------- rows


def _facilitator_row(index: int, spec: dict[str, str]) -> dict[str, str]:
    """Turn a hand-written facilitator spec into a CSV row."""
    row = dict.fromkeys(COLUMNS, "")
    row["id"] = f"F{index:02d}"
    row["profession"] = "peer_facilitator"
    row["consent_lived_experience"] = "yes"
    row["formats"] = "virtual"
    row["group_formats"] = "small_group"
    row["career_stage"] = "late"
    row["cohort"] = COHORT
    overlay(row, spec)
    _, lat, lon, _, _, _ = find_town(TOWNS, spec["region"], spec["town"])
    row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
    return row


def build_facilitators() -> list[dict[str, str]]:
    """The 8 facilitators (fixed; they do not depend on the seed)."""
    return [_facilitator_row(i, spec) for i, spec in enumerate(FACILITATORS, start=1)]


def _organization(rng: Random, province: str, town: Town, profession: str) -> str:
    """Where a member works or studies: a hospital, a university or a community practice."""
    name, _, _, _, hospitals, university = town
    if profession in ("resident", "medical_student"):
        if university:
            return university
        # Learners on a community rotation still belong to a medical school.
        return next(t[5] for t in TOWNS[province] if t[5])
    if profession == "family_physician" and rng.random() < 0.7:
        return f"{name} {rng.choice(PRACTICE_KINDS)}"
    return rng.choice(hospitals)


def build_members(rng: Random, facilitators: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Draw the members profession by profession, then add two deliberate special cases."""
    professions = quota_list(rng, {name: spec[0] for name, spec in PROFESSIONS.items()})
    topics = list(TOPICS)
    topic_weights = list(TOPICS.values())
    facilitator_orgs = {f["organization"] for f in facilitators}
    rows: list[dict[str, str]] = []
    for index, profession in enumerate(professions, start=1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"D{index:03d}"
        row["profession"] = profession
        how_many = weighted_choice(rng, (1, 2, 3), (35, 45, 20))
        row["specialties"] = "|".join(weighted_sample(rng, topics, topic_weights, how_many))
        row["lived_experience"], row["consent_lived_experience"] = make_lived(rng)

        province = weighted_choice(rng, list(PROVINCE_WEIGHTS), list(PROVINCE_WEIGHTS.values()))
        towns = TOWNS[province]
        town = weighted_choice(rng, towns, [t[3] for t in towns])
        row["region"] = province
        if rng.random() < 0.6:
            row["lat"], row["lon"] = fmt_coord(town[1]), fmt_coord(town[2])
        organization = _organization(rng, province, town, profession)
        local = sorted(f["organization"] for f in facilitators if f["region"] == province)
        if local and organization not in facilitator_orgs and rng.random() < 0.12:
            # Works where a facilitator of their province does (about a quarter in all).
            organization = rng.choice(local)
        row["organization"] = organization
        bilingual = town[0] == "Ottawa" and rng.random() < 0.5
        row["languages"] = "fr|en" if bilingual else ("en|fr" if rng.random() < 0.05 else "en")
        row["availability"] = make_availability(rng)
        row["formats"] = "virtual"
        row["group_formats"] = "small_group"
        row["capacity"] = "1"
        low, high = PROFESSIONS[profession][1]
        years = rng.randint(low, high)
        row["years_experience"] = str(years)
        row["career_stage"] = PROFESSIONS[profession][2] or stage_of(years)
        row["gender"] = weighted_choice(rng, ("woman", "man", "non_binary"), (52, 46, 2))
        row["cohort"] = COHORT
        rows.append(row)

    # A French-only family physician at Hôpital Montfort: the only French-speaking
    # facilitator works there too, and the confidentiality rule forbids that pairing.
    ottawa = find_town(TOWNS, "ON", "Ottawa")
    francophone = dict.fromkeys(COLUMNS, "")
    francophone.update(
        {
            "id": f"D{len(rows) + 1:03d}",
            "profession": "family_physician",
            "specialties": "burnout_prevention|work_life_integration",
            "lived_experience": "burnout|caregiver",
            "consent_lived_experience": "yes",
            "region": "ON",
            "lat": fmt_coord(ottawa[1]),
            "lon": fmt_coord(ottawa[2]),
            "languages": "fr",
            "availability": "mon 19:00-21:00|wed 19:00-21:00",
            "formats": "virtual",
            "group_formats": "small_group",
            "capacity": "1",
            "years_experience": "14",
            "career_stage": "mid",
            "organization": "Hôpital Montfort",
            "gender": "woman",
            "cohort": COHORT,
        }
    )
    # An emergency physician on nights, free only early on Sunday morning.
    night_shift = dict.fromkeys(COLUMNS, "")
    night_shift.update(
        {
            "id": f"D{len(rows) + 2:03d}",
            "profession": "emergency_physician",
            "specialties": "burnout_prevention|coping_with_adverse_events",
            "lived_experience": "burnout|moral_injury",
            "consent_lived_experience": "yes",
            "region": "AB",
            "languages": "en",
            "availability": "sun 07:00-08:30",
            "formats": "virtual",
            "group_formats": "small_group",
            "capacity": "1",
            "years_experience": "6",
            "career_stage": "mid",
            "organization": "Covenant Health",
            "gender": "man",
            "cohort": COHORT,
        }
    )
    rows += [francophone, night_shift]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    facilitators = build_facilitators()
    members = build_members(rng, facilitators)
    out: Path = args.out
    write_outputs(out, COLUMNS, facilitators, members)
    places = sum(int(f["capacity"]) for f in facilitators)
    orgs = {f["organization"] for f in facilitators}
    shared = sum(1 for m in members if m["organization"] in orgs)
    print(
        f"wrote {len(facilitators)} facilitators ({places} places) and {len(members)} members "
        f"({shared} share an organisation with a facilitator) to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
