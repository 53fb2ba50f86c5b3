"""Generate the synthetic ``surgeon-retiree`` scenario for ``matcher``.

The scenario models a national programme in which retired surgeons mentor early-career
surgeons one-to-one, across Canada and in English or French. The conversations are not about
operating: they are about confidence, institutional culture, the business side of practice,
leadership and wellness, with a mentor from the same surgical field where possible. All people
are synthetic: identifiers, profiles and choices are drawn from hand-tuned distributions with a
seeded pseudo-random generator.

What it produces:

* ``mentors.csv``: 25 retired surgeons (capacity 1-3, 50 places in all, 25-45 years of
  experience, career stage ``retired``), only four of them women, as in the surgical workforce
  of their generation. Retirees are fairly free: weekday daytime, often evenings and weekend
  mornings.
* ``mentees.csv``: 60 early-career surgeons (0-5 years in practice, career stage ``early``);
  nine women ask for a woman mentor and one man for a man. Their free time is narrow: early
  mornings, late evenings, weekend mornings.

Retiree capacity (50 places) is below demand (60), women mentors are scarce (10 places for the
nine who ask for one), and two mentees who will only meet in person live in provinces without a
retired mentor, so the ``optimal`` method has real choices to make. Availability is in each
person's local time; the engine converts it with the province's time zone.

Usage::

    python scenarios/surgeon-retiree/generate.py [--seed 2026] [--out DIR]

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
    WEEKDAYS,
    SlotTemplate,
    draw_each,
    draw_slots,
    fmt_coord,
    format_slots,
    parse_args,
    quota_list,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026
WOMEN_MENTORS = 4

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "cohort")

COHORT = "2026"

# Places: the four women mentors take 3, 3, 2 and 2 mentees (10 places); the other retirees take
# 1, 2 or 3 by fixed counts (7 x 1, 9 x 2, 5 x 3), so there are 50 places for 60 mentees.
WOMEN_MENTOR_CAPACITIES: tuple[str, ...] = ("3", "3", "2", "2")
MENTOR_CAPACITIES: dict[str, int] = {"1": 7, "2": 9, "3": 5}
# Early-career surgeons by gender (fixed counts), and how many ask for a woman mentor (all of
# them women) and for a man (a man).
MENTEE_GENDERS: dict[str, int] = {"woman": 24, "man": 35, "non_binary": 1}
WOMAN_SEEKERS = 9
MAN_SEEKERS = 1

# --------------------------------------------------------------------------- vocabulary

# Mentoring topics: built-in children of ``professional_development``, with how often early-
# career surgeons ask for each.
TOPICS: dict[str, float] = {
    "confidence": 5,
    "practice_business": 5,
    "institutional_culture": 4,
    "leadership": 3,
    "wellness": 3,
    "burnout_prevention": 2,
}

# Surgical field: (mentees, mentors, subspecialties declared in program.toml [taxonomy]).
# Counts are fixed so the mix does not depend on the seed.
FIELDS: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "general_surgery": (16, 6, ("surgical_oncology", "pediatric_surgery", "trauma_surgery")),
    "orthopedic_surgery": (12, 5, ("spine_surgery", "arthroplasty", "sports_orthopedics")),
    "obstetrics_gynecology": (6, 3, ("gynecologic_oncology",)),
    "plastic_surgery": (5, 2, ("hand_surgery",)),
    "urology": (5, 2, ()),
    "otolaryngology": (4, 1, ()),
    "ophthalmology": (4, 1, ()),
    "neurosurgery": (3, 2, ()),
    "cardiac_surgery": (2, 1, ()),
    "vascular_surgery": (3, 2, ()),
}

# ---------------------------------------------------------------------------- geography

# province: (mentees, mentors, towns as (name, lat, lon, hospital)); counts are fixed.
Town = tuple[str, float, float, str]

PROVINCES: dict[str, tuple[int, int, tuple[Town, ...]]] = {
    "ON": (
        22,
        9,
        (
            ("Toronto", 43.65, -79.38, "University Health Network"),
            ("Toronto", 43.65, -79.38, "Sunnybrook Health Sciences Centre"),
            ("Ottawa", 45.42, -75.70, "The Ottawa Hospital"),
            ("Hamilton", 43.26, -79.87, "Hamilton Health Sciences"),
            ("London", 42.98, -81.25, "London Health Sciences Centre"),
            ("Sudbury", 46.49, -80.99, "Health Sciences North"),
        ),
    ),
    "QC": (
        14,
        6,
        (
            ("Montréal", 45.50, -73.57, "CHUM"),
            ("Montréal", 45.50, -73.57, "Hôpital du Sacré-Cœur-de-Montréal"),
            ("Québec", 46.81, -71.21, "CHU de Québec – Université Laval"),
            ("Sherbrooke", 45.40, -71.89, "CIUSSS de l'Estrie – CHUS"),
            ("Rimouski", 48.45, -68.52, "Hôpital régional de Rimouski"),
        ),
    ),
    "BC": (
        8,
        4,
        (
            ("Vancouver", 49.28, -123.12, "Vancouver General Hospital"),
            ("Surrey", 49.19, -122.85, "Surrey Memorial Hospital"),
            ("Kelowna", 49.89, -119.50, "Kelowna General Hospital"),
        ),
    ),
    "AB": (
        7,
        3,
        (
            ("Calgary", 51.05, -114.07, "Foothills Medical Centre"),
            ("Edmonton", 53.55, -113.49, "University of Alberta Hospital"),
        ),
    ),
    "NS": (3, 2, (("Halifax", 44.65, -63.57, "QEII Health Sciences Centre"),)),
    "MB": (2, 1, (("Winnipeg", 49.90, -97.14, "Health Sciences Centre Winnipeg"),)),
    # No retired mentor in the provinces below.
    "SK": (2, 0, (("Saskatoon", 52.13, -106.67, "Royal University Hospital"),)),
    "NB": (
        1,
        0,
        (("Moncton", 46.09, -64.78, "Centre hospitalier universitaire Dr-Georges-L.-Dumont"),),
    ),
    "NL": (1, 0, (("St. John's", 47.56, -52.71, "Health Sciences Centre St. John's"),)),
}

# ----------------------------------------------------------------------------- schedules

# Early-career surgeons have narrow windows around the operating day: (days it may fall on,
# hours, weight). They give one to four of them, at most one per day.
MENTEE_SLOTS: tuple[SlotTemplate, ...] = (
    (WEEKDAYS, "06:30-07:30", 8),
    (WEEKDAYS, "19:30-21:00", 12),
    (WEEKDAYS, "20:00-21:30", 8),
    (WEEKDAYS, "12:00-13:00", 2),
    (("sat", "sun"), "08:00-10:00", 4),
    (("sat", "sun"), "09:00-11:00", 6),
    (("sun",), "19:00-20:30", 5),
)

# Retired surgeons are fairly free: weekday daytime on most days (a morning, an afternoon or the
# whole day), often some evenings and weekend mornings. A share are still busy (consulting,
# teaching, travelling) and give only two or three weekdays.
# (hours, weight); surgeons keep early habits, so some mornings start at 07:00.
MENTOR_DAY_HOURS: tuple[tuple[str, float], ...] = (
    ("09:00-12:00", 3),
    ("13:00-16:00", 2),
    ("09:00-16:00", 4),
    ("07:00-11:00", 2),
)
MENTOR_EVENING_HOURS: tuple[str, ...] = ("19:00-21:00", "19:30-21:30")
MENTOR_EVENING_SHARE = 0.75
MENTOR_WEEKEND_HOURS = "08:30-11:30"
MENTOR_WEEKEND_SHARE = 0.6
MENTOR_SUNDAY_EVENING = "19:00-21:00"
MENTOR_SUNDAY_EVENING_SHARE = 0.2
MENTOR_BUSY_SHARE = 0.2

# ---------------------------------------------------------------------------- helpers


def make_mentee_availability(rng: Random) -> str:
    """One to four narrow slots, at most one per day: early mornings, evenings, weekends."""
    count = weighted_choice(rng, (1, 2, 3, 4), (10, 40, 35, 15))
    return draw_slots(rng, MENTEE_SLOTS, count)


def make_mentor_availability(rng: Random) -> str:
    """Weekday daytime on several days, often a few evenings and weekend mornings."""
    busy = rng.random() < MENTOR_BUSY_SHARE
    n_days = rng.randint(2, 3) if busy else weighted_choice(rng, (3, 4, 5), (30, 40, 30))
    day_hours = [hours for hours, _ in MENTOR_DAY_HOURS]
    day_weights = [weight for _, weight in MENTOR_DAY_HOURS]
    slots = [
        (d, weighted_choice(rng, day_hours, day_weights))
        for d in rng.sample(range(len(WEEKDAYS)), n_days)
    ]
    if rng.random() < MENTOR_EVENING_SHARE:
        evening = rng.choice(MENTOR_EVENING_HOURS)
        slots.extend((d, evening) for d in rng.sample(range(len(WEEKDAYS)), rng.randint(2, 4)))
    if rng.random() < MENTOR_WEEKEND_SHARE:
        weekend = rng.sample((5, 6), weighted_choice(rng, (1, 2), (60, 40)))
        slots.extend((d, MENTOR_WEEKEND_HOURS) for d in weekend)
    if rng.random() < MENTOR_SUNDAY_EVENING_SHARE:
        slots.append((6, MENTOR_SUNDAY_EVENING))
    return format_slots(slots)


def make_languages(rng: Random, province: str, mentor: bool) -> str:
    """French in Quebec (and around Moncton), English elsewhere, some bilingual."""
    if province == "QC":
        return "fr|en" if rng.random() < (0.70 if mentor else 0.45) else "fr"
    if province == "NB":
        return "fr|en"
    return "en|fr" if rng.random() < 0.08 else "en"


def make_formats(rng: Random, mentor: bool) -> str:
    """Video for most; retirees also like the phone and meeting in person."""
    formats = draw_each(
        rng,
        (
            ("in_person", 0.50 if mentor else 0.30),
            ("virtual", 0.75 if mentor else 0.92),
            ("phone", 0.70 if mentor else 0.40),
        ),
    )
    if mentor and formats == ["in_person"]:
        # a retiree who meets in person will also take a call from someone further away
        formats.append("phone")
    return "|".join(formats) if formats else "virtual"


def as_written(rng: Random, field: str) -> str:
    """A mentee's field, sometimes written as one of its subspecialties."""
    subspecialties = FIELDS[field][2]
    if subspecialties and rng.random() < 0.35:
        return rng.choice(subspecialties)
    return field


def place(rng: Random, row: dict[str, str], province: str) -> str:
    """Fill region and coordinates; return the town's hospital."""
    _, lat, lon, hospital = rng.choice(PROVINCES[province][2])
    row["region"] = province
    row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
    return hospital


# ------------------------------------------------------------------------------- rows


def build_mentors(rng: Random, schedule_rng: Random) -> list[dict[str, str]]:
    """The retired surgeons: provinces and fields by quota, the first four are women.

    Free time comes from ``schedule_rng``, a stream of its own, so that the schedules can be
    retuned without redrawing everything else.
    """
    provinces = quota_list(rng, {p: spec[1] for p, spec in PROVINCES.items()})
    # Women mentors in four different provinces, one of them French-speaking in Quebec.
    for k, wanted in enumerate(("ON", "QC", "BC", "AB")):
        swap = provinces.index(wanted, k)
        provinces[k], provinces[swap] = provinces[swap], provinces[k]
    fields = quota_list(rng, {f: spec[1] for f, spec in FIELDS.items()})
    capacities = [*WOMEN_MENTOR_CAPACITIES, *quota_list(rng, MENTOR_CAPACITIES)]
    topics = list(TOPICS)
    rows: list[dict[str, str]] = []
    for index, (province, field) in enumerate(zip(provinces, fields, strict=True), start=1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"M{index:03d}"
        row["profession"] = "surgeon"
        offered = weighted_sample(rng, topics, list(TOPICS.values()), rng.randint(2, 4))
        row["specialties"] = "|".join([*offered, field])
        row["organization"] = place(rng, row, province)
        row["languages"] = make_languages(rng, province, mentor=True)
        row["availability"] = make_mentor_availability(schedule_rng)
        row["formats"] = make_formats(rng, mentor=True)
        row["group_formats"] = "one_to_one"
        row["capacity"] = capacities[index - 1]
        row["years_experience"] = str(rng.randint(25, 45))
        row["career_stage"] = "retired"
        row["gender"] = "woman" if index <= WOMEN_MENTORS else "man"
        row["cohort"] = COHORT
        rows.append(row)
    return rows


def build_mentees(rng: Random, schedule_rng: Random) -> list[dict[str, str]]:
    """The early-career surgeons, two of them in-person only far from any mentor.

    Free time comes from ``schedule_rng``, as for the mentors.
    """
    provinces = quota_list(rng, {p: spec[0] for p, spec in PROVINCES.items()})
    fields = quota_list(rng, {f: spec[0] for f, spec in FIELDS.items()})
    genders = quota_list(rng, MENTEE_GENDERS)
    topics = list(TOPICS)
    # The first mentee drawn in Saskatchewan and the one in Newfoundland and Labrador.
    far_away = {provinces.index("SK") + 1, provinces.index("NL") + 1}
    rows: list[dict[str, str]] = []
    for index, (province, field) in enumerate(zip(provinces, fields, strict=True), start=1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"E{index:03d}"
        row["profession"] = "surgeon"
        how_many = weighted_choice(rng, (1, 2, 3), (30, 50, 20))
        sought = weighted_sample(rng, topics, list(TOPICS.values()), how_many)
        row["specialties"] = "|".join([*sought, as_written(rng, field)])
        row["organization"] = place(rng, row, province)
        row["languages"] = make_languages(rng, province, mentor=False)
        row["availability"] = make_mentee_availability(schedule_rng)
        row["formats"] = "in_person" if index in far_away else make_formats(rng, mentor=False)
        row["group_formats"] = "one_to_one"
        row["capacity"] = "1"
        row["years_experience"] = str(rng.randint(0, 5))
        row["career_stage"] = "early"
        row["gender"] = genders[index - 1]
        row["cohort"] = COHORT
        rows.append(row)
    return rows


def add_gender_preferences(rng: Random, mentees: list[dict[str, str]]) -> None:
    """Some women ask for a woman mentor, and one man for a man (a hard rule in program.toml)."""
    for gender, count in (("woman", WOMAN_SEEKERS), ("man", MAN_SEEKERS)):
        for row in rng.sample([e for e in mentees if e["gender"] == gender], count):
            row["gender_preference"] = gender


def add_exclusions(
    rng: Random, mentors: list[dict[str, str]], mentees: list[dict[str, str]]
) -> None:
    """Two mentees name a retiree they trained under, in their own hospital, as off limits."""
    picked = 0
    for mentee in rng.sample(mentees, len(mentees)):
        former = [m for m in mentors if m["organization"] == mentee["organization"]]
        if former:
            mentee["exclude"] = rng.choice(former)["id"]
            picked += 1
        if picked == 2:
            break


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    schedule_rng = Random(f"{args.seed}/availability")
    mentors = build_mentors(rng, schedule_rng)
    mentees = build_mentees(rng, schedule_rng)
    add_gender_preferences(rng, mentees)
    add_exclusions(rng, mentors, mentees)
    out: Path = args.out
    write_outputs(out, COLUMNS, mentors, mentees)
    capacity = sum(int(m["capacity"]) for m in mentors)
    print(
        f"wrote {len(mentors)} retired surgeons (capacity {capacity}) and {len(mentees)} "
        f"early-career surgeons to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
