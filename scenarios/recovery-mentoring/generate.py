"""Generate the synthetic ``recovery-mentoring`` scenario for ``matcher``.

The scenario models a French-speaking Quebec recovery-mentoring programme in mental health:
trained peer helpers (*pairs aidants*), who live with a mental illness and are in recovery
themselves, each accompany two to four patients who are in recovery. Peer helpers give no
clinical advice; what they offer is their own experience of recovery, so shared lived
experience is what the matching weighs most. All people are synthetic: identifiers, profiles
and choices are drawn from hand-tuned distributions with a seeded pseudo-random generator.

What it produces:

* ``mentors.csv``: 40 peer helpers (profession ``peer_helper``, capacity 2-4) spread over
  Quebec's main towns, weighted towards Montréal and Québec City. Every one of them consented
  to use their lived experience; about a fifth also speak English.
* ``mentees.csv``: 150 patients in recovery (profession ``patient``) across Quebec, mostly
  French-speaking, nearly all of whom consented to use their lived experience. Two of them
  live on the Îles-de-la-Madeleine, which keep Atlantic time (``America/Halifax``), and one
  speaks only Spanish.

Patient demand (150 places) exceeds the peer helpers' total capacity (about 120), so some
patients stay unmatched whatever the method; ``fair`` decides who is left out and raises the
worst-off matched patient's score.

Usage::

    python scenarios/recovery-mentoring/generate.py [--seed 2026] [--out DIR]

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
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026
N_MENTORS = 40
N_MENTEES = 150

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "cohort")

# --------------------------------------------------------------------------- vocabulary

# Lived-experience tags (the heart of peer matching) with relative frequencies.
# ``mental_health_recovery`` is the shared, general tag; the others say what one lived with.
LIVED_TAGS: dict[str, float] = {
    "depression": 4,
    "anxiety": 3.5,
    "psychosis": 2.5,
    "bipolar_disorder": 2,
    "substance_use_recovery": 2.5,
    "trauma": 2,
}
GENERAL_TAG = "mental_health_recovery"

# Recovery domains a peer helper can accompany (never clinical areas). Broad areas
# (``work_and_studies``, ``daily_living``) are the parents declared in program.toml [taxonomy].
DOMAIN_TREE: dict[str, tuple[str, ...]] = {
    "work_and_studies": ("return_to_work", "return_to_school"),
    "daily_living": ("housing_stability", "budgeting", "daily_routine"),
}
STANDALONE_DOMAINS: tuple[str, ...] = (
    "social_connection",
    "family_relationships",
    "navigating_services",
    "self_advocacy",
    "wellness_planning",
    "stigma",
    "hope_and_meaning",
)
# What patients ask for, with relative weights.
SOUGHT_DOMAINS: dict[str, float] = {
    "hope_and_meaning": 5,
    "wellness_planning": 4,
    "social_connection": 5,
    "return_to_work": 4,
    "return_to_school": 1.5,
    "daily_routine": 3,
    "housing_stability": 2,
    "budgeting": 1.5,
    "navigating_services": 3,
    "self_advocacy": 2,
    "family_relationships": 2.5,
    "stigma": 2,
}

# ---------------------------------------------------------------------------- geography

# (town, lat, lon, weight, share of English speakers, explicit time zone or "")
Town = tuple[str, float, float, float, float, str]

TOWNS: tuple[Town, ...] = (
    ("Montréal", 45.50, -73.57, 30, 0.20, ""),
    ("Québec", 46.81, -71.21, 12, 0.02, ""),
    ("Laval", 45.61, -73.71, 6, 0.08, ""),
    ("Longueuil", 45.53, -73.52, 6, 0.06, ""),
    ("Gatineau", 45.48, -75.70, 5, 0.15, ""),
    ("Sherbrooke", 45.40, -71.89, 5, 0.06, ""),
    ("Trois-Rivières", 46.34, -72.54, 4, 0.01, ""),
    ("Saguenay", 48.43, -71.07, 4, 0.01, ""),
    ("Saint-Jérôme", 45.78, -74.00, 3, 0.03, ""),
    ("Rimouski", 48.45, -68.52, 2.5, 0.01, ""),
    ("Drummondville", 45.88, -72.48, 2.5, 0.01, ""),
    ("Joliette", 46.02, -73.44, 2, 0.01, ""),
    ("Rouyn-Noranda", 48.24, -79.02, 2, 0.02, ""),
    ("Sept-Îles", 50.22, -66.38, 1, 0.03, ""),
    # The Îles-de-la-Madeleine keep Atlantic time, unlike the rest of Quebec.
    ("Cap-aux-Meules", 47.38, -61.86, 0.6, 0.05, "America/Halifax"),
)

# Public health and social services network of each town (CISSS / CIUSSS).
NETWORK: dict[str, tuple[str, ...]] = {
    "Montréal": (
        "CIUSSS du Centre-Sud-de-l'Île-de-Montréal",
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "CIUSSS de l'Ouest-de-l'Île-de-Montréal",
    ),
    "Québec": ("CIUSSS de la Capitale-Nationale",),
    "Laval": ("CISSS de Laval",),
    "Longueuil": ("CISSS de la Montérégie-Centre",),
    "Gatineau": ("CISSS de l'Outaouais",),
    "Sherbrooke": ("CIUSSS de l'Estrie – CHUS",),
    "Trois-Rivières": ("CIUSSS de la Mauricie-et-du-Centre-du-Québec",),
    "Drummondville": ("CIUSSS de la Mauricie-et-du-Centre-du-Québec",),
    "Saguenay": ("CIUSSS du Saguenay–Lac-Saint-Jean",),
    "Saint-Jérôme": ("CISSS des Laurentides",),
    "Rimouski": ("CISSS du Bas-Saint-Laurent",),
    "Joliette": ("CISSS de Lanaudière",),
    "Rouyn-Noranda": ("CISSS de l'Abitibi-Témiscamingue",),
    "Sept-Îles": ("CISSS de la Côte-Nord",),
    "Cap-aux-Meules": ("CISSS des Îles",),
}
# Many peer helpers work for a community organisation rather than the public network.
COMMUNITY_ORGANIZATION = "Organisme communautaire en santé mentale"

# ----------------------------------------------------------------------------- schedules

# (days it may fall on, hours, weight): community settings work in the daytime.
SLOT_TEMPLATES: tuple[SlotTemplate, ...] = (
    (WEEKDAYS, "09:30-11:30", 14),
    (WEEKDAYS, "10:00-12:00", 16),
    (WEEKDAYS, "13:00-15:00", 16),
    (WEEKDAYS, "13:30-16:00", 10),
    (WEEKDAYS, "14:00-16:00", 12),
    (MON_THU, "18:00-20:00", 8),
    (MON_THU, "18:30-20:00", 4),
    (("sat",), "10:00-12:00", 3),
)

COHORTS: tuple[str, ...] = ("2026-hiver", "2026-printemps")

# ---------------------------------------------------------------------------- helpers


def pick_town(rng: Random) -> Town:
    """A town, weighted by population."""
    return weighted_choice(rng, TOWNS, [t[3] for t in TOWNS])


def make_availability(rng: Random, low: int, high: int) -> str:
    """Between ``low`` and ``high`` weekly slots, at most one per day, sorted by day."""
    return draw_slots(rng, SLOT_TEMPLATES, rng.randint(low, high))


def make_lived(rng: Random, mentor: bool) -> str:
    """Lived-experience tags: the general recovery tag and one or two specific ones."""
    count = weighted_choice(rng, (1, 2), (45, 55) if mentor else (65, 35))
    tags = weighted_sample(rng, list(LIVED_TAGS), list(LIVED_TAGS.values()), count)
    tags.sort(key=list(LIVED_TAGS).index)
    # Every peer helper names recovery itself; most patients do too.
    if mentor or rng.random() < 0.70:
        tags.insert(0, GENERAL_TAG)
    return "|".join(tags)


def make_formats(rng: Random, mentor: bool) -> str:
    """Meeting formats; peer support happens in person and by phone as much as by video."""
    roll = rng.random()
    if not mentor and roll < 0.08:
        return "in_person"
    if not mentor and roll < 0.11:
        return "phone"
    formats = draw_each(
        rng,
        (
            ("in_person", 0.75 if mentor else 0.55),
            ("virtual", 0.80 if mentor else 0.60),
            ("phone", 0.75 if mentor else 0.65),
        ),
    )
    if formats in ([], ["in_person"]):
        formats.append("phone")  # in-person-only is kept to the share drawn above
    return "|".join(formats)


def make_gender(rng: Random) -> str:
    """Gender of a participant (a few leave it empty)."""
    return weighted_choice(rng, ("woman", "man", "non_binary", ""), (55, 41, 3, 1))


# ------------------------------------------------------------------------------- rows


def build_mentors(rng: Random, count: int = N_MENTORS) -> list[dict[str, str]]:
    """Draw ``count`` peer helpers."""
    rows: list[dict[str, str]] = []
    broad = list(DOMAIN_TREE)
    specific = [child for children in DOMAIN_TREE.values() for child in children]
    for index in range(1, count + 1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"M{index:03d}"
        row["profession"] = "peer_helper"
        # Two to four domains; a third of peer helpers name a broad area instead of its parts.
        domains: list[str] = []
        if rng.random() < 0.35:
            domains.append(rng.choice(broad))
        pool = [d for d in (*specific, *STANDALONE_DOMAINS) if d not in domains]
        weights = [SOUGHT_DOMAINS.get(d, 1.0) for d in pool]
        domains += weighted_sample(rng, pool, weights, rng.randint(2, 4) - len(domains))
        row["specialties"] = "|".join(domains)
        row["lived_experience"] = make_lived(rng, mentor=True)
        row["consent_lived_experience"] = "yes"

        town, lat, lon, _, english_share, town_timezone = pick_town(rng)
        row["region"] = "QC"
        row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
        row["timezone"] = town_timezone
        row["languages"] = "fr|en" if rng.random() < english_share + 0.12 else "fr"
        row["availability"] = make_availability(rng, 2, 4)
        row["formats"] = make_formats(rng, mentor=True)
        row["group_formats"] = "one_to_one|small_group" if rng.random() < 0.4 else "one_to_one"
        row["capacity"] = str(weighted_choice(rng, (2, 3, 4), (35, 40, 25)))
        row["years_experience"] = str(rng.randint(1, 15))
        row["organization"] = (
            COMMUNITY_ORGANIZATION if rng.random() < 0.45 else rng.choice(NETWORK[town])
        )
        row["gender"] = make_gender(rng)
        row["cohort"] = rng.choice(COHORTS)
        rows.append(row)
    return rows


def build_mentees(
    rng: Random, mentors: Sequence[dict[str, str]], count: int = N_MENTEES
) -> list[dict[str, str]]:
    """Draw ``count`` patients in recovery, with a few deliberate special cases."""
    domains = list(SOUGHT_DOMAINS)
    domain_weights = list(SOUGHT_DOMAINS.values())
    islanders = set(rng.sample(range(1, count + 1), 2))
    spanish_only = rng.choice([k for k in range(1, count + 1) if k not in islanders])
    excluders = set(rng.sample(range(1, count + 1), 3))
    rows: list[dict[str, str]] = []
    for index in range(1, count + 1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"E{index:04d}"
        row["profession"] = "patient"
        how_many = weighted_choice(rng, (1, 2, 3), (35, 45, 20))
        row["specialties"] = "|".join(weighted_sample(rng, domains, domain_weights, how_many))
        row["lived_experience"] = make_lived(rng, mentor=False)
        row["consent_lived_experience"] = "yes" if rng.random() < 0.96 else "no"

        if index in islanders:
            town = TOWNS[-1]
        else:
            town = pick_town(rng)
            while town[5]:  # the islands get exactly the two residents drawn above
                town = pick_town(rng)
        name, lat, lon, _, english_share, town_timezone = town
        row["region"] = "QC"
        if rng.random() < 0.70:
            row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
        row["timezone"] = town_timezone

        if index == spanish_only:
            # Recently arrived, referred by a community organisation; no peer helper speaks it.
            row["languages"] = "es"
        else:
            roll = rng.random()
            if roll < english_share * 0.25:
                row["languages"] = "en"
            elif roll < english_share:
                row["languages"] = "en|fr"
            elif roll < english_share + 0.08:
                row["languages"] = "fr|en"
            else:
                row["languages"] = "fr"
        row["availability"] = "" if rng.random() < 0.05 else make_availability(rng, 1, 4)
        row["formats"] = make_formats(rng, mentor=False)
        row["group_formats"] = "one_to_one|small_group" if rng.random() < 0.25 else "one_to_one"
        row["capacity"] = "1"
        row["organization"] = rng.choice(NETWORK[name]) if rng.random() < 0.85 else ""
        row["gender"] = make_gender(rng)
        if rng.random() < 0.20:
            # Mostly women asking for a woman peer helper (often after trauma).
            wanted = "woman" if row["gender"] != "man" or rng.random() < 0.3 else "man"
            row["gender_preference"] = wanted

        local = [m for m in mentors if m["lat"] == fmt_coord(lat) and m["lon"] == fmt_coord(lon)]
        if index in excluders and local:
            # Someone they already know from the same day centre or neighbourhood.
            row["exclude"] = rng.choice(local)["id"]
        if rng.random() < 0.08:
            # Met one or two peer helpers at a group activity and would like them.
            nearby = local or list(mentors)
            allowed = [m for m in nearby if m["id"] != row["exclude"]]
            picked = rng.sample(allowed, min(len(allowed), rng.randint(1, 2)))
            row["preferences"] = "|".join(m["id"] for m in picked)
        row["cohort"] = rng.choice(COHORTS)
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    mentors = build_mentors(rng)
    mentees = build_mentees(rng, mentors)
    out: Path = args.out
    write_outputs(out, COLUMNS, mentors, mentees)
    capacity = sum(int(m["capacity"]) for m in mentors)
    demand = sum(int(m["capacity"]) for m in mentees)
    print(
        f"wrote {len(mentors)} peer helpers (capacity {capacity}) and {len(mentees)} patients "
        f"(demand {demand}) to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
