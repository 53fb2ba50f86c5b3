"""Generate the synthetic ``cancer-peer`` scenario for ``matcher``.

The scenario models a cancer peer-support programme in Ontario, Quebec and New Brunswick:
people living with cancer and their caregivers are each paired with a trained volunteer who has
been through the same cancer, as a patient or as a caregiver. Pairs are made on cancer type,
the treatments lived through, the relationship to the person diagnosed, age band and language,
and both sides state rankings: every mentee ranks 3-5 volunteers from the directory and every
volunteer ranks 5-10 mentees from the intake summaries. All people are synthetic: identifiers,
profiles and choices are drawn from hand-tuned distributions with a seeded pseudo-random
generator.

What it produces:

* ``mentors.csv``: 35 volunteers (profession ``cancer_survivor``, capacity 1-3): 29 survivors
  (lived-experience tag ``patient``) and 6 former caregivers (tag ``caregiver``), with a fixed
  number per cancer type so that lung cancer volunteers are scarce, as they are in practice.
* ``mentees.csv``: 80 mentees (profession ``patient`` or ``caregiver``), including two that no
  volunteer covers: a sarcoma patient and the parent of a child with cancer.

The age band (``18-39``, ``40-59``, ``60+``) is stored in the ``career_stage`` column.

Usage::

    python scenarios/cancer-peer/generate.py [--seed 2026] [--out DIR]

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
    fmt_coord,
    parse_args,
    tags,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026
N_MENTEES = 80

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "referral")

# --------------------------------------------------------------------------- vocabulary

AGE_BANDS: tuple[str, ...] = ("18-39", "40-59", "60+")

# cancer type: (mentee weight, age-band weights, share of women among patients,
#               {treatment: probability})
CancerType = tuple[float, tuple[float, float, float], float, dict[str, float]]

CANCER_TYPES: dict[str, CancerType] = {
    "breast_cancer": (
        30,
        (15, 50, 35),
        0.99,
        {"surgery": 0.95, "chemotherapy": 0.6, "radiotherapy": 0.7, "hormone_therapy": 0.65},
    ),
    "prostate_cancer": (
        13,
        (0, 25, 75),
        0.0,
        {
            "surgery": 0.5,
            "radiotherapy": 0.5,
            "hormone_therapy": 0.4,
            "active_surveillance": 0.2,
        },
    ),
    "colorectal_cancer": (
        12,
        (10, 40, 50),
        0.45,
        {"surgery": 0.9, "chemotherapy": 0.6, "radiotherapy": 0.3, "ostomy": 0.35},
    ),
    "lung_cancer": (
        10,
        (2, 30, 68),
        0.5,
        {"surgery": 0.5, "chemotherapy": 0.6, "radiotherapy": 0.5, "immunotherapy": 0.45},
    ),
    "hematologic_cancer": (
        12,
        (25, 35, 40),
        0.45,
        {
            "chemotherapy": 0.9,
            "stem_cell_transplant": 0.35,
            "radiotherapy": 0.2,
            "immunotherapy": 0.3,
        },
    ),
    "gynecologic_cancer": (
        6,
        (15, 45, 40),
        1.0,
        {"surgery": 0.9, "chemotherapy": 0.55, "radiotherapy": 0.5},
    ),
    "head_and_neck_cancer": (
        4,
        (5, 45, 50),
        0.3,
        {"surgery": 0.6, "radiotherapy": 0.9, "chemotherapy": 0.5},
    ),
}

# Two deliberate mentees whom no volunteer covers (cancer type, age band, relationship).
UNCOVERED: tuple[tuple[str, str, str, dict[str, float]], ...] = (
    ("sarcoma", "18-39", "patient", {"surgery": 0.9, "radiotherapy": 0.5, "chemotherapy": 0.5}),
    ("pediatric_oncology", "40-59", "caregiver", {"chemotherapy": 1.0}),
)

# Volunteers per cancer type: fixed, so the scarcity of some types does not depend on the seed.
# The last entry is a BRCA carrier who had both breast and ovarian cancer.
MENTOR_TYPES: tuple[tuple[str, ...], ...] = (
    *(("breast_cancer",),) * 11,
    *(("prostate_cancer",),) * 5,
    *(("colorectal_cancer",),) * 5,
    *(("lung_cancer",),) * 3,
    *(("hematologic_cancer",),) * 5,
    *(("gynecologic_cancer",),) * 3,
    *(("head_and_neck_cancer",),) * 2,
    ("breast_cancer", "gynecologic_cancer"),
)
# Indices (0-based) of the volunteers who are former caregivers rather than survivors.
CAREGIVER_MENTORS: frozenset[int] = frozenset({3, 12, 14, 19, 25, 28})

# (days it may fall on, hours, weight)
SLOT_TEMPLATES: tuple[SlotTemplate, ...] = (
    (WEEKDAYS, "10:00-12:00", 14),
    (WEEKDAYS, "13:00-15:00", 14),
    (WEEKDAYS, "15:00-17:00", 8),
    (MON_THU, "18:00-20:00", 16),
    (MON_THU, "19:00-21:00", 12),
    (("sat", "sun"), "10:00-12:00", 6),
    (("sun",), "14:00-16:00", 3),
)

REFERRALS: dict[str, float] = {
    "oncology_nurse": 30,
    "patient_navigator": 20,
    "social_worker": 15,
    "support_group": 12,
    "website": 18,
    "family_physician": 5,
}

# ---------------------------------------------------------------------------- geography

PROVINCE_WEIGHTS: dict[str, float] = {"ON": 55, "QC": 35, "NB": 10}

# (town, lat, lon, weight, share of the minority official language, explicit time zone)
Town = tuple[str, float, float, float, float, str]

TOWNS: dict[str, tuple[Town, ...]] = {
    "ON": (
        ("Toronto", 43.65, -79.38, 12, 0.02, ""),
        ("Ottawa", 45.42, -75.70, 5, 0.15, ""),
        ("Hamilton", 43.26, -79.87, 3, 0.01, ""),
        ("London", 42.98, -81.25, 2.5, 0.01, ""),
        ("Windsor", 42.31, -83.04, 2, 0.03, ""),
        ("Kingston", 44.23, -76.49, 1.5, 0.02, ""),
        ("Sudbury", 46.49, -80.99, 1.5, 0.25, ""),
        ("Thunder Bay", 48.38, -89.25, 1, 0.02, ""),
        ("Timmins", 48.48, -81.33, 0.5, 0.35, ""),
        # North-western Ontario keeps Central time.
        ("Kenora", 49.77, -94.49, 0.3, 0.02, "America/Winnipeg"),
    ),
    "QC": (
        ("Montréal", 45.50, -73.57, 12, 0.25, ""),
        ("Québec", 46.81, -71.21, 5, 0.02, ""),
        ("Sherbrooke", 45.40, -71.89, 2, 0.05, ""),
        ("Gatineau", 45.48, -75.70, 2, 0.20, ""),
        ("Trois-Rivières", 46.34, -72.54, 1.5, 0.01, ""),
        ("Saguenay", 48.43, -71.07, 1.5, 0.01, ""),
        ("Rimouski", 48.45, -68.52, 1, 0.01, ""),
    ),
    "NB": (
        ("Moncton", 46.09, -64.78, 3, 0.35, ""),
        ("Saint John", 45.27, -66.06, 2.5, 0.05, ""),
        ("Fredericton", 45.96, -66.64, 2.5, 0.10, ""),
        ("Bathurst", 47.62, -65.65, 1, 0.60, ""),
        ("Edmundston", 47.37, -68.33, 1, 0.85, ""),
    ),
}

# ---------------------------------------------------------------------------- helpers


def make_place(rng: Random, row: dict[str, str], province: str = "") -> None:
    """Province (drawn unless given), town coordinates, time zone and languages."""
    if not province:
        province = weighted_choice(rng, list(PROVINCE_WEIGHTS), list(PROVINCE_WEIGHTS.values()))
    towns = TOWNS[province]
    _, lat, lon, _, minority, town_timezone = weighted_choice(rng, towns, [t[3] for t in towns])
    row["region"] = province
    row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
    row["timezone"] = town_timezone
    minority_speaker = rng.random() < minority
    if province == "QC":
        if minority_speaker:
            row["languages"] = "en" if rng.random() < 0.5 else "en|fr"
        else:
            row["languages"] = "fr" if rng.random() < 0.7 else "fr|en"
    elif minority_speaker:
        row["languages"] = "fr|en" if province == "ON" or rng.random() < 0.6 else "fr"
    else:
        row["languages"] = "en|fr" if rng.random() < 0.06 else "en"


def make_availability(rng: Random) -> str:
    """One to three weekly slots, at most one per day, sorted by day."""
    count = weighted_choice(rng, (1, 2, 3), (30, 45, 25))
    return draw_slots(rng, SLOT_TEMPLATES, count)


def make_formats(rng: Random, mentor: bool) -> str:
    """Peer support is mostly by phone or video; a few mentees want to meet in person only."""
    if not mentor and rng.random() < 0.05:
        return "in_person"
    formats = draw_each(
        rng,
        (
            ("in_person", 0.35 if mentor else 0.30),
            ("virtual", 0.75 if mentor else 0.65),
            ("phone", 0.85 if mentor else 0.75),
        ),
    )
    if formats in ([], ["in_person"]):
        formats.append("phone")
    return "|".join(formats)


def make_treatments(rng: Random, probabilities: dict[str, float]) -> list[str]:
    """Treatments lived through (at least one), in the table's order."""
    chosen = draw_each(rng, probabilities.items())
    if not chosen:
        chosen = [max(probabilities, key=lambda name: probabilities[name])]
    return chosen


def patient_gender(rng: Random, share_women: float) -> str:
    """Gender of the person diagnosed."""
    if rng.random() < 0.01:
        return "non_binary"
    return "woman" if rng.random() < share_women else "man"


# ------------------------------------------------------------------------------- rows


def build_mentors(rng: Random) -> list[dict[str, str]]:
    """The 35 volunteers: cancer types fixed, everything else drawn."""
    rows: list[dict[str, str]] = []
    for index, types in enumerate(MENTOR_TYPES):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"M{index + 1:03d}"
        row["profession"] = "cancer_survivor"
        row["specialties"] = "|".join(types)
        probabilities: dict[str, float] = {}
        for cancer in types:
            for name, p in CANCER_TYPES[cancer][3].items():
                probabilities[name] = max(probabilities.get(name, 0.0), p)
        relation = "caregiver" if index in CAREGIVER_MENTORS else "patient"
        treatments = make_treatments(rng, probabilities)
        row["lived_experience"] = "|".join([relation, *treatments])
        row["consent_lived_experience"] = "yes"
        # Provinces rotate through the list so every cancer type has volunteers in Quebec.
        province = "QC" if index % 3 == 1 else "NB" if index % 8 == 5 else "ON"
        make_place(rng, row, province)
        row["availability"] = make_availability(rng)
        row["formats"] = make_formats(rng, mentor=True)
        row["group_formats"] = "one_to_one"
        row["capacity"] = str(weighted_choice(rng, (1, 2, 3), (30, 45, 25)))
        band_weights = CANCER_TYPES[types[0]][1]
        row["career_stage"] = weighted_choice(rng, AGE_BANDS, band_weights)
        diagnosed = patient_gender(rng, CANCER_TYPES[types[0]][2])
        if relation == "caregiver":
            # Usually the spouse of the person diagnosed.
            row["gender"] = {"woman": "man", "man": "woman"}.get(diagnosed, "woman")
            if rng.random() < 0.3:
                row["gender"] = diagnosed
        else:
            row["gender"] = diagnosed
        row["referral"] = rng.choice(("volunteer_training_2024", "volunteer_training_2025"))
        rows.append(row)
    return rows


def build_mentees(rng: Random, count: int = N_MENTEES) -> list[dict[str, str]]:
    """Draw ``count`` mentees (patients and caregivers), two of them uncovered on purpose."""
    special = rng.sample(range(1, count + 1), len(UNCOVERED))
    # Cancer types by quota (largest remainders), so the mix does not depend on the seed.
    total_weight = sum(spec[0] for spec in CANCER_TYPES.values())
    places = count - len(UNCOVERED)
    quotas = {name: places * spec[0] / total_weight for name, spec in CANCER_TYPES.items()}
    counts = {name: int(quota) for name, quota in quotas.items()}
    by_remainder = sorted(quotas, key=lambda name: counts[name] - quotas[name])
    for name in by_remainder[: places - sum(counts.values())]:
        counts[name] += 1
    drawn = [name for name, n in counts.items() for _ in range(n)]
    rng.shuffle(drawn)
    rows: list[dict[str, str]] = []
    for index in range(1, count + 1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"E{index:03d}"
        if index in special:
            cancer, band, relation, probabilities = UNCOVERED[special.index(index)]
            share_women = 0.5
        else:
            cancer = drawn.pop()
            _, band_weights, share_women, probabilities = CANCER_TYPES[cancer]
            relation = "caregiver" if rng.random() < 0.30 else "patient"
            band = weighted_choice(rng, AGE_BANDS, band_weights)
            if relation == "caregiver":
                # A spouse, an adult child or a parent: any age band.
                band = weighted_choice(rng, AGE_BANDS, (20, 50, 30))
        row["profession"] = relation
        row["specialties"] = cancer
        row["lived_experience"] = "|".join([relation, *make_treatments(rng, probabilities)])
        row["consent_lived_experience"] = "yes" if rng.random() < 0.95 else "no"
        make_place(rng, row)
        row["availability"] = "" if rng.random() < 0.05 else make_availability(rng)
        row["formats"] = make_formats(rng, mentor=False)
        row["group_formats"] = "one_to_one"
        row["capacity"] = "1"
        row["career_stage"] = band
        diagnosed = patient_gender(rng, share_women)
        if relation == "caregiver":
            row["gender"] = weighted_choice(rng, ("woman", "man"), (70, 30))
        else:
            row["gender"] = diagnosed
        if rng.random() < 0.15:
            row["gender_preference"] = row["gender"] or "woman"
        row["referral"] = weighted_choice(rng, list(REFERRALS), list(REFERRALS.values()))
        rows.append(row)
    return rows


def _speak_together(a: dict[str, str], b: dict[str, str]) -> bool:
    return bool(tags(a, "languages") & tags(b, "languages"))


def _meet_somehow(a: dict[str, str], b: dict[str, str]) -> bool:
    return bool(tags(a, "formats") & tags(b, "formats"))


def _affinity(mentee: dict[str, str], mentor: dict[str, str]) -> float:
    """How attractive a pairing looks from the directory or the intake summary (> 0)."""
    weight = 1.0
    if tags(mentee, "specialties") & tags(mentor, "specialties"):
        weight *= 30.0
    shared = tags(mentee, "lived_experience") & tags(mentor, "lived_experience")
    if {"patient", "caregiver"} & shared:
        weight *= 4.0
    weight *= 1.0 + 0.4 * len(shared - {"patient", "caregiver"})
    if mentee["career_stage"] == mentor["career_stage"]:
        weight *= 3.0 if mentee["career_stage"] == "18-39" else 1.8
    if mentee["region"] == mentor["region"]:
        weight *= 1.5
    return weight


def add_rankings(rng: Random, mentors: list[dict[str, str]], mentees: list[dict[str, str]]) -> None:
    """Every mentee ranks 3-5 volunteers; every volunteer then ranks 5-10 mentees."""
    # Some volunteers are "featured" (a video on the programme's site) and get ranked more.
    popularity = {m["id"]: weighted_choice(rng, (1.0, 2.5), (80, 20)) for m in mentors}
    for mentee in mentees:
        # The directory a mentee sees lists the volunteers who speak one of their languages.
        reachable = [m for m in mentors if _speak_together(mentee, m)]
        how_many = min(len(reachable), rng.randint(3, 5))
        weights = [_affinity(mentee, m) * popularity[m["id"]] for m in reachable]
        picked = weighted_sample(rng, reachable, weights, how_many)
        mentee["preferences"] = "|".join(m["id"] for m in picked)
    for mentor in mentors:
        reachable = [e for e in mentees if _speak_together(e, mentor) and _meet_somehow(e, mentor)]
        weights = [
            _affinity(e, mentor) * (3.0 if mentor["id"] in tags(e, "preferences") else 1.0)
            for e in reachable
        ]
        how_many = min(len(reachable), rng.randint(5, 10))
        picked = weighted_sample(rng, reachable, weights, how_many)
        mentor["preferences"] = "|".join(e["id"] for e in picked)
    # One mentee asks never to be paired with a volunteer they know from their town.
    for mentee in rng.sample(mentees, len(mentees)):
        neighbours = [
            m
            for m in mentors
            if m["lat"] == mentee["lat"]
            and m["lon"] == mentee["lon"]
            and m["id"] not in tags(mentee, "preferences")
            and tags(m, "specialties") & tags(mentee, "specialties")
        ]
        if neighbours:
            mentee["exclude"] = neighbours[0]["id"]
            break


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    mentors = build_mentors(rng)
    mentees = build_mentees(rng)
    add_rankings(rng, mentors, mentees)
    out: Path = args.out
    write_outputs(out, COLUMNS, mentors, mentees)
    capacity = sum(int(m["capacity"]) for m in mentors)
    print(
        f"wrote {len(mentors)} volunteers (capacity {capacity}) and {len(mentees)} mentees to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
