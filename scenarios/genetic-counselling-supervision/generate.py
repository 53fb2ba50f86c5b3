"""Generate the synthetic ``genetic-counselling-supervision`` scenario for ``matcher``.

The scenario models peer-led online group supervision for genetic counsellors and medical
geneticists in Portugal, Spain and France: professionals meet by video in small groups of 4-7,
with no leader, to discuss cases and practice. Every group needs at least one genetic
counsellor and one medical geneticist, its members must share a language and a weekly time,
and times are given in each person's local time (Lisbon is one hour behind Madrid and Paris).
A pilot ran one group of seven; this is the second intake. All people are synthetic:
identifiers, profiles and choices are drawn from hand-tuned distributions with a seeded
pseudo-random generator.

What it produces:

* ``mentors.csv``: the header row only. The groups are peer-led, so there are no leaders.
* ``mentees.csv``: 30 professionals, 20 genetic counsellors and 10 medical geneticists (11 in
  France, 11 in Spain, 8 in Portugal), most of whom speak English as well as their own
  language. The seven pilot members are marked ``pilot-2025`` in the ``cohort`` column.

Two people cannot join any group, for a clear reason: one will only meet in person, and one is
free only at a time nobody else is. Regions ``PT``, ``ES`` and ``FR`` are declared in
``program.toml``.

Usage::

    python scenarios/genetic-counselling-supervision/generate.py [--seed 2026] [--out DIR]

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
    DAYS,
    fmt_coord,
    parse_args,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "cohort")

GC = "genetic_counsellor"
MG = "medical_geneticist"

# (region, profession, how many): France has the most genetic counsellors, the profession
# being regulated there since 2004.
COMPOSITION: tuple[tuple[str, str, int], ...] = (
    ("FR", GC, 8),
    ("FR", MG, 3),
    ("ES", GC, 7),
    ("ES", MG, 4),
    ("PT", GC, 5),
    ("PT", MG, 3),
)

# --------------------------------------------------------------------------- vocabulary

AREAS: dict[str, float] = {
    "cancer_genetics": 6,
    "prenatal_genetics": 4,
    "pediatric_genetics": 3,
    "cardiogenetics": 2.5,
    "neurogenetics": 2,
    "rare_diseases": 3,
    "genomic_counselling": 2,
}

# ---------------------------------------------------------------------------- geography

# (city, lat, lon, weight, hospitals, explicit time zone or "")
City = tuple[str, float, float, float, tuple[str, ...], str]

CITIES: dict[str, tuple[City, ...]] = {
    "FR": (
        (
            "Paris",
            48.86,
            2.35,
            5,
            (
                "AP-HP Hôpital Necker-Enfants malades",
                "AP-HP Hôpital Pitié-Salpêtrière",
                "Institut Curie",
            ),
            "",
        ),
        ("Lyon", 45.76, 4.84, 2, ("Hospices Civils de Lyon",), ""),
        ("Marseille", 43.30, 5.37, 1.5, ("AP-HM Hôpital de la Timone",), ""),
        ("Lille", 50.63, 3.06, 1, ("CHU de Lille",), ""),
        ("Bordeaux", 44.84, -0.58, 1, ("CHU de Bordeaux",), ""),
        ("Toulouse", 43.60, 1.44, 1, ("CHU de Toulouse",), ""),
    ),
    "ES": (
        (
            "Madrid",
            40.42,
            -3.70,
            4,
            ("Hospital Universitario La Paz", "Hospital Universitario 12 de Octubre"),
            "",
        ),
        (
            "Barcelona",
            41.39,
            2.17,
            3,
            ("Hospital Universitari Vall d'Hebron", "Hospital Sant Joan de Déu"),
            "",
        ),
        ("Valencia", 39.47, -0.38, 1.5, ("Hospital Universitari i Politècnic La Fe",), ""),
        ("Sevilla", 37.39, -5.98, 1, ("Hospital Universitario Virgen del Rocío",), ""),
        ("Bilbao", 43.26, -2.93, 1, ("Hospital Universitario Cruces",), ""),
    ),
    "PT": (
        (
            "Lisboa",
            38.72,
            -9.14,
            4,
            (
                "Unidade Local de Saúde Santa Maria",
                "Instituto Português de Oncologia de Lisboa",
            ),
            "",
        ),
        ("Porto", 41.15, -8.61, 3, ("Unidade Local de Saúde de Santo António",), ""),
        ("Coimbra", 40.21, -8.43, 1.5, ("Unidade Local de Saúde de Coimbra",), ""),
    ),
}
# One Spanish member works in the Canary Islands, which keep Lisbon's time, not Madrid's.
CANARY: City = (
    "Las Palmas de Gran Canaria",
    28.10,
    -15.41,
    0,
    ("Hospital Universitario de Gran Canaria Doctor Negrín",),
    "Atlantic/Canary",
)

HOME_LANGUAGE: dict[str, str] = {"FR": "fr", "ES": "es", "PT": "pt"}

# Minutes each region's clock is ahead of Lisbon in January (the engine's reference date).
OFFSET_FROM_LISBON: dict[str, int] = {"FR": 60, "ES": 60, "PT": 0}

# ----------------------------------------------------------------------------- schedules

FRENCH_DAYS: tuple[str, ...] = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")

# Candidate group times in Lisbon time (day, start minute, end minute, weight). Everyone
# else writes them in their own local time, so the engine must convert to find the overlap.
GROUP_TIMES: tuple[tuple[int, int, int, float], ...] = (
    (1, 12 * 60, 13 * 60 + 30, 6),  # tue 12:00-13:30 Lisbon = 13:00-14:30 Madrid / Paris
    (2, 16 * 60 + 30, 18 * 60, 5),  # wed 16:30-18:00 Lisbon
    (3, 8 * 60, 9 * 60 + 30, 4),  # thu 08:00-09:30 Lisbon
    (4, 13 * 60, 14 * 60 + 30, 3),  # fri 13:00-14:30 Lisbon
    (0, 15 * 60, 16 * 60 + 30, 3),  # mon 15:00-16:30 Lisbon
)

# ---------------------------------------------------------------------------- helpers


def clock(minutes: int, french: bool) -> str:
    """``810`` -> ``13:30`` (or ``13h30`` / ``13h`` in the French style)."""
    hours, rest = divmod(minutes, 60)
    if french:
        return f"{hours}h{rest:02d}" if rest else f"{hours}h"
    return f"{hours:02d}:{rest:02d}"


def make_availability(rng: Random, offset: int, french: bool) -> str:
    """Two to four of the candidate group times, in local time, sometimes a little wider."""
    count = weighted_choice(rng, (2, 3, 4), (40, 40, 20))
    picked = weighted_sample(rng, GROUP_TIMES, [t[3] for t in GROUP_TIMES], count)
    picked.sort()
    days = FRENCH_DAYS if french else DAYS
    slots = []
    for day, start, end, _ in picked:
        start, end = start + offset, end + offset
        if rng.random() < 0.3:
            start -= 30  # free a little earlier than the group needs
        if rng.random() < 0.2:
            end += 30
        slots.append(f"{days[day]} {clock(start, french)}-{clock(end, french)}")
    return "|".join(slots)


def make_languages(rng: Random, region: str) -> str:
    """Home language, English for most, sometimes a neighbour's language."""
    home = HOME_LANGUAGE[region]
    spoken = [home]
    if rng.random() < 0.90:
        spoken.append("en")
    extra = {"FR": ("es", 0.10), "ES": ("fr", 0.20), "PT": ("es", 0.30)}[region]
    if rng.random() < extra[1]:
        spoken.append(extra[0])
    return "|".join(spoken)


def career(rng: Random, profession: str) -> tuple[str, str]:
    """Years of experience and the matching career stage."""
    years = rng.randint(1, 20) if profession == GC else rng.randint(4, 30)
    stage = "early" if years <= 5 else "mid" if years <= 15 else "late"
    return str(years), stage


# ------------------------------------------------------------------------------- rows


def build_members(rng: Random) -> list[dict[str, str]]:
    """The 30 professionals, in region order, with a few deliberate special cases."""
    rows: list[dict[str, str]] = []
    areas = list(AREAS)
    area_weights = list(AREAS.values())
    for region, profession, how_many in COMPOSITION:
        cities = CITIES[region]
        for _ in range(how_many):
            row = dict.fromkeys(COLUMNS, "")
            row["id"] = f"P{len(rows) + 1:02d}"
            row["profession"] = profession
            row["specialties"] = "|".join(
                weighted_sample(rng, areas, area_weights, weighted_choice(rng, (1, 2), (55, 45)))
            )
            city = weighted_choice(rng, cities, [c[3] for c in cities])
            row["region"] = region
            row["lat"], row["lon"] = fmt_coord(city[1]), fmt_coord(city[2])
            row["languages"] = make_languages(rng, region)
            french = region == "FR" and rng.random() < 0.5
            row["availability"] = make_availability(rng, OFFSET_FROM_LISBON[region], french)
            row["formats"] = "virtual"
            row["group_formats"] = "small_group" if rng.random() < 0.8 else "one_to_one|small_group"
            row["capacity"] = "1"
            row["years_experience"], row["career_stage"] = career(rng, profession)
            row["organization"] = rng.choice(city[4])
            share_women = 0.85 if profession == GC else 0.6
            row["gender"] = "woman" if rng.random() < share_women else "man"
            row["cohort"] = "2026"
            rows.append(row)

    by_region = {r: [row for row in rows if row["region"] == r] for r in HOME_LANGUAGE}
    # French-only and Portuguese-only members: they can only join groups in their language.
    for row in rng.sample(by_region["FR"], 2):
        row["languages"] = "fr"
    rng.choice([r for r in by_region["PT"] if r["profession"] == MG])["languages"] = "pt"
    # One Spanish counsellor works in Las Palmas, on Lisbon's time.
    canarian = rng.choice([r for r in by_region["ES"] if r["profession"] == GC])
    canarian["lat"], canarian["lon"] = fmt_coord(CANARY[1]), fmt_coord(CANARY[2])
    canarian["timezone"] = CANARY[5]
    canarian["organization"] = CANARY[4][0]
    canarian["availability"] = make_availability(rng, OFFSET_FROM_LISBON["PT"], False)

    regular = [r for r in rows if r["languages"] not in ("fr", "pt") and r is not canarian]
    in_person_only, early_bird = rng.sample(regular, 2)
    # Will not meet by video: no group can take them.
    in_person_only["formats"] = "in_person"
    # Free only early on Saturday morning, when nobody else is.
    early_bird["availability"] = "sat 07:00-08:00"

    # The seven members of the pilot group (both professions, all speaking English).
    english = [r for r in regular if r not in (in_person_only, early_bird)]
    pilot = [
        *rng.sample([r for r in english if r["profession"] == MG], 2),
        *rng.sample([r for r in english if r["profession"] == GC], 5),
    ]
    for row in pilot:
        row["cohort"] = "pilot-2025"
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` (header only) and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    members = build_members(rng)
    out: Path = args.out
    write_outputs(out, COLUMNS, [], members)
    counsellors = sum(1 for m in members if m["profession"] == GC)
    print(
        f"wrote no leaders and {len(members)} members ({counsellors} genetic counsellors, "
        f"{len(members) - counsellors} medical geneticists) to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
