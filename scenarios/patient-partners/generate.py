"""Generate the synthetic ``patient-partners`` scenario for ``matcher``.

The scenario models a patient-partnership office in Quebec and Ontario that recruits patient
partners (people who bring their lived experience of illness and care to the health system)
into projects: governance committees, care and service improvement, research, teaching and
policy work. Each project lead says how many partners they want and what lived experience,
language and engagement level the role needs; the coordinator sends every partner the five
best-suited projects to choose from. All people and projects are synthetic: identifiers,
profiles and choices are drawn from hand-tuned distributions with a seeded pseudo-random
generator (the project titles and host organisations are written by hand).

What it produces:

* ``mentors.csv``: 20 hand-written PROJECTS, not people (profession ``project``; capacity =
  partners wanted, 1-4, 51 places in all; ``specialties`` = the project's domain, then its kinds
  of role; ``lived_experience`` = the lived experience the role calls for; ``career_stage`` =
  the engagement level it needs; ``availability`` = when it meets, mostly weekday evenings or
  lunch). The ``title`` column passes through to the outputs.
* ``mentees.csv``: 70 patient partners (profession ``patient_partner``), three quarters in
  Quebec, with one to three interests (a domain or a kind of role), lived-experience tags, years
  as a patient partner (``years_experience``), the engagement level they are ready for
  (``career_stage``: ``consultation``, ``collaboration`` or ``partnership``) and their free time
  (weekday daytime, evenings, lunch, or a mix).

Two partners can take part by telephone only, and no project meets by telephone.

Usage::

    python scenarios/patient-partners/generate.py [--seed 2026] [--out DIR]

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
    draw_each,
    find_town,
    fmt_coord,
    format_slots,
    overlay,
    parse_args,
    tags,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026
N_PARTNERS = 70

COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "title")

# --------------------------------------------------------------------------- vocabulary

# The five domains of patient partnership and their kinds of role (declared in
# program.toml [taxonomy], child = parent).
DOMAINS: dict[str, tuple[str, ...]] = {
    "governance": ("board_committee", "ethics_committee", "patient_advisory_council"),
    "care_and_services": ("quality_improvement", "care_pathway_redesign", "patient_experience"),
    "research": ("research_priority_setting", "co_research", "knowledge_translation"),
    "teaching": ("curriculum_design", "simulated_patient", "interprofessional_education"),
    "policy_influence": ("policy_consultation", "health_technology_assessment", "advocacy"),
}
# How often partners name each domain as an interest.
DOMAIN_INTEREST: dict[str, float] = {
    "care_and_services": 5,
    "research": 5,
    "teaching": 3,
    "governance": 3,
    "policy_influence": 2.5,
}

# Share of interests written as a kind of role (``co_research``) rather than a whole domain.
ROLE_SHARE = 0.35

LEVELS: tuple[str, ...] = ("consultation", "collaboration", "partnership")

# Lived-experience tags of partners, with relative frequencies.
LIVED_TAGS: dict[str, float] = {
    "mental_health_recovery": 8,
    "chronic_pain": 6,
    "diabetes": 6,
    "caregiver": 6,
    "cancer_survivor": 5,
    "heart_disease": 3,
    "kidney_disease": 3,
    "substance_use_recovery": 3,
    "disability": 3,
    "long_covid": 2,
    "rare_disease": 2,
    "multiple_sclerosis": 2,
}
# Caregivers often care for someone living with dementia.
DEMENTIA_SHARE_OF_CAREGIVERS = 0.5

# When partners are free, in their local time. Many patient partners are retired, on leave or
# on disability and free in the daytime; others work and are free in the evening and, some days,
# at lunch; others work part-time. Each situation: weight, how many weekdays it covers (choices
# and weights), the hours of those days, and the chance of also giving a few extra hours on
# other days (evenings for those free by day, lunch for those who work).
SITUATIONS: dict[str, tuple[float, tuple[int, ...], tuple[float, ...], tuple[str, ...], float]] = {
    "daytime": (40, (3, 4, 5), (30, 40, 30), ("09:00-12:00", "13:00-16:00", "09:00-16:00"), 0.4),
    "evenings": (35, (3, 4, 5), (25, 45, 30), ("17:30-20:30", "18:00-21:00"), 0.4),
    "part_time": (25, (2, 3), (50, 50), ("09:00-16:00",), 1.0),
}
EXTRA_HOURS: dict[str, str] = {
    "daytime": "18:00-20:30",
    "evenings": "12:00-13:30",
    "part_time": "17:30-20:30",
}
SATURDAY = (5, "09:30-12:00")
SATURDAY_SHARE = 0.25

# ---------------------------------------------------------------------------- geography

# (town, lat, lon, weight, share speaking English only, share bilingual)
Town = tuple[str, float, float, float, float, float]

TOWNS: dict[str, tuple[Town, ...]] = {
    "QC": (
        ("Montréal", 45.50, -73.57, 12, 0.15, 0.35),
        ("Québec", 46.81, -71.21, 5, 0.01, 0.15),
        ("Laval", 45.61, -73.71, 2.5, 0.05, 0.30),
        ("Longueuil", 45.53, -73.52, 2.5, 0.04, 0.25),
        ("Sherbrooke", 45.40, -71.89, 2, 0.04, 0.20),
        ("Gatineau", 45.48, -75.70, 1.5, 0.10, 0.40),
        ("Trois-Rivières", 46.34, -72.54, 1.5, 0.01, 0.10),
    ),
    "ON": (
        ("Toronto", 43.65, -79.38, 8, 0.90, 0.08),
        ("Ottawa", 45.42, -75.70, 4, 0.60, 0.35),
        ("Hamilton", 43.26, -79.87, 2, 0.92, 0.06),
        ("Kingston", 44.23, -76.49, 1, 0.92, 0.06),
    ),
}
PROVINCE_WEIGHTS: dict[str, float] = {"QC": 75, "ON": 25}

# ---------------------------------------------------------------------------- projects

# Hand-written projects. Keys not listed default to "" (see _project_row).
PROJECTS: tuple[dict[str, str], ...] = (
    {
        "title": "Comité des usagers du CHUM",
        "specialties": "board_committee|patient_advisory_council",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr",
        "availability": "tue 17:30-19:30",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "2",
        "career_stage": "partnership",
        "organization": "CHUM",
    },
    {
        "title": "Conseil d'administration — siège de patient partenaire",
        "specialties": "board_committee",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr",
        "availability": "wed 17:30-20:00",
        "formats": "in_person|virtual",
        "group_formats": "large_group",
        "capacity": "1",
        "career_stage": "partnership",
        "organization": "CIUSSS de l'Est-de-l'Île-de-Montréal",
    },
    {
        "title": "Comité d'éthique de la recherche",
        "specialties": "ethics_committee",
        "region": "QC",
        "town": "Québec",
        "languages": "fr",
        "availability": "thu 12:00-14:00",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "collaboration",
        "organization": "CHU de Québec – Université Laval",
    },
    {
        "title": "Patient and Family Advisory Council",
        "specialties": "patient_advisory_council|patient_experience",
        "region": "ON",
        "town": "Toronto",
        "languages": "en",
        "availability": "mon 17:30-19:30",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "collaboration",
        "organization": "University Health Network",
    },
    {
        "title": "Refonte de la trajectoire de soins en diabète",
        "specialties": "care_pathway_redesign|quality_improvement",
        "lived_experience": "diabetes",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr",
        "availability": "tue 12:00-13:30|thu 18:00-19:30",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "collaboration",
        "organization": "CIUSSS du Centre-Sud-de-l'Île-de-Montréal",
    },
    {
        "title": "Expérience patient à l'urgence",
        "specialties": "patient_experience|quality_improvement",
        "region": "QC",
        "town": "Laval",
        "languages": "fr",
        "availability": "wed 09:30-11:30|wed 18:30-20:00",
        "formats": "virtual",
        "group_formats": "small_group|large_group",
        "capacity": "4",
        "career_stage": "consultation",
        "organization": "CISSS de Laval",
    },
    {
        "title": "Co-design of mental health and addiction services",
        "specialties": "care_pathway_redesign",
        "lived_experience": "mental_health_recovery|substance_use_recovery",
        "region": "ON",
        "town": "Toronto",
        "languages": "en",
        "availability": "tue 17:30-19:00|thu 10:00-12:00",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "partnership",
        "organization": "Centre for Addiction and Mental Health",
    },
    {
        "title": "Amélioration continue des soins en oncologie",
        "specialties": "quality_improvement",
        "lived_experience": "cancer_survivor",
        "region": "QC",
        "town": "Sherbrooke",
        "languages": "fr",
        "availability": "mon 12:00-13:30",
        "formats": "virtual",
        "group_formats": "small_group",
        "capacity": "2",
        "career_stage": "collaboration",
        "organization": "CIUSSS de l'Estrie – CHUS",
    },
    {
        "title": "Priorités de recherche en douleur chronique",
        "specialties": "research_priority_setting",
        "lived_experience": "chronic_pain",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr|en",
        "availability": "tue 18:00-20:00|sat 10:00-12:00",
        "formats": "virtual",
        "group_formats": "large_group",
        "capacity": "4",
        "career_stage": "consultation",
        "organization": "Unité de soutien SSA Québec",
    },
    {
        "title": "Co-recherche sur le rétablissement en santé mentale",
        "specialties": "co_research",
        "lived_experience": "mental_health_recovery",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr",
        "availability": "wed 17:30-19:30",
        "formats": "in_person|virtual",
        "group_formats": "one_to_one|small_group",
        "capacity": "2",
        "career_stage": "partnership",
        "organization": "Université de Montréal",
    },
    {
        "title": "Patient-oriented research in chronic kidney disease",
        "specialties": "co_research|knowledge_translation",
        "lived_experience": "kidney_disease",
        "region": "ON",
        "town": "Toronto",
        "languages": "en",
        "availability": "wed 12:00-13:30",
        "formats": "virtual",
        "group_formats": "small_group",
        "capacity": "2",
        "career_stage": "collaboration",
        "organization": "Patient-oriented research network (kidney)",
    },
    {
        "title": "Knowledge translation in dementia care",
        "specialties": "knowledge_translation",
        "lived_experience": "caregiver|dementia",
        "region": "ON",
        "town": "Ottawa",
        "languages": "en|fr",
        "availability": "thu 19:00-20:30",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "collaboration",
        "organization": "Bruyère",
    },
    {
        "title": "Conception du cours sur le partenariat de soins",
        "specialties": "curriculum_design|interprofessional_education",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr",
        "availability": "mon 12:00-13:30",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "partnership",
        "organization": "Faculté de médecine, Université de Montréal",
    },
    {
        "title": "Patients simulés — habiletés de communication",
        "specialties": "simulated_patient",
        "region": "QC",
        "town": "Québec",
        "languages": "fr",
        "availability": "wed 13:00-16:00|fri 09:00-12:00",
        "formats": "in_person",
        "group_formats": "one_to_one",
        "capacity": "3",
        "career_stage": "consultation",
        "organization": "Faculté de médecine, Université Laval",
    },
    {
        "title": "Interprofessional education seminars",
        "specialties": "interprofessional_education",
        "region": "QC",
        "town": "Montréal",
        "languages": "en|fr",
        "availability": "thu 17:30-19:30",
        "formats": "in_person|virtual",
        "group_formats": "large_group",
        "capacity": "2",
        "career_stage": "collaboration",
        "organization": "McGill University",
    },
    {
        "title": "Panel de patients en évaluation des technologies de la santé",
        "specialties": "health_technology_assessment",
        "region": "QC",
        "town": "Québec",
        "languages": "fr",
        "availability": "tue 09:30-12:00",
        "formats": "virtual",
        "group_formats": "small_group",
        "capacity": "3",
        "career_stage": "collaboration",
        "organization": "INESSS",
    },
    {
        "title": "Provincial consultation on long COVID services",
        "specialties": "policy_consultation",
        "lived_experience": "long_covid",
        "region": "ON",
        "town": "Toronto",
        "languages": "en",
        "availability": "wed 18:00-19:30|thu 12:00-13:00",
        "formats": "virtual",
        "group_formats": "large_group",
        "capacity": "2",
        "career_stage": "consultation",
        "organization": "Ontario Health",
    },
    {
        "title": "Advocacy for accessible clinics",
        "specialties": "advocacy",
        "lived_experience": "disability",
        "region": "ON",
        "town": "Toronto",
        "languages": "en",
        "availability": "sat 10:00-12:00",
        "formats": "in_person|virtual",
        "group_formats": "small_group",
        "capacity": "2",
        "career_stage": "partnership",
        "organization": "Community health coalition",
    },
    {
        "title": "Consultation sur le plan d'action en santé mentale",
        "specialties": "policy_consultation",
        "lived_experience": "mental_health_recovery",
        "region": "QC",
        "town": "Québec",
        "languages": "fr",
        "availability": "mon 18:00-20:00|wed 13:30-15:30",
        "formats": "virtual",
        "group_formats": "large_group",
        "capacity": "3",
        "career_stage": "consultation",
        "organization": "Ministère de la Santé et des Services sociaux",
    },
    {
        "title": "Rare disease research network — patient partner seat",
        "specialties": "research_priority_setting|co_research",
        "lived_experience": "rare_disease",
        "region": "QC",
        "town": "Montréal",
        "languages": "fr|en",
        "availability": "fri 12:00-13:00",
        "formats": "virtual",
        "group_formats": "small_group",
        "capacity": "1",
        "career_stage": "collaboration",
        "organization": "Rare disease research network",
    },
)

# ---------------------------------------------------------------------------- helpers


def domain_of(area: str) -> str:
    """The domain an area belongs to (a domain is its own domain)."""
    for domain, children in DOMAINS.items():
        if area == domain or area in children:
            return domain
    raise KeyError(area)


def make_availability(rng: Random) -> str:
    """A partner's free time: several weekdays by day or by evening, sometimes both."""
    names = list(SITUATIONS)
    situation = weighted_choice(rng, names, [SITUATIONS[n][0] for n in names])
    _, counts, count_weights, hours, extra_share = SITUATIONS[situation]
    days = rng.sample(range(len(WEEKDAYS)), weighted_choice(rng, counts, count_weights))
    if situation == "evenings":
        # someone who works keeps the same evening hours all week
        hours = (rng.choice(hours),)
    slots = [(d, rng.choice(hours)) for d in days]
    others = [d for d in range(len(WEEKDAYS)) if d not in days]
    if others and rng.random() < extra_share:
        extra = rng.sample(others, rng.randint(1, min(2, len(others))))
        slots.extend((d, EXTRA_HOURS[situation]) for d in extra)
    if rng.random() < SATURDAY_SHARE:
        slots.append(SATURDAY)
    return format_slots(slots)


def make_interests(rng: Random) -> str:
    """One to three interests: a whole domain, or a kind of role within one."""
    how_many = weighted_choice(rng, (1, 2, 3), (20, 45, 35))
    domains = weighted_sample(rng, list(DOMAIN_INTEREST), list(DOMAIN_INTEREST.values()), how_many)
    interests = [rng.choice(DOMAINS[d]) if rng.random() < ROLE_SHARE else d for d in domains]
    return "|".join(interests)


def make_lived(rng: Random) -> str:
    """One or two lived-experience tags (caregivers often of someone with dementia)."""
    count = weighted_choice(rng, (1, 2), (65, 35))
    chosen = weighted_sample(rng, list(LIVED_TAGS), list(LIVED_TAGS.values()), count)
    if "caregiver" in chosen and rng.random() < DEMENTIA_SHARE_OF_CAREGIVERS:
        chosen.append("dementia")
    return "|".join(chosen)


def level_for(rng: Random, years: int) -> str:
    """Engagement level a partner is ready for, mostly following experience."""
    natural = 0 if years <= 1 else 1 if years <= 5 else 2
    shifted = natural + weighted_choice(rng, (-1, 0, 1), (10, 80, 10))
    return LEVELS[min(max(shifted, 0), 2)]


# ------------------------------------------------------------------------------- rows


def _project_row(index: int, spec: dict[str, str]) -> dict[str, str]:
    """Turn a hand-written project spec into a CSV row."""
    row = dict.fromkeys(COLUMNS, "")
    row["id"] = f"PRJ{index:02d}"
    row["profession"] = "project"
    # Consent lets the engine use the lived experience the role calls for.
    row["consent_lived_experience"] = "yes"
    overlay(row, spec)
    # A project names its domain before its kinds of role, so that a partner interested in a
    # whole domain ("research") finds the projects of that domain.
    roles = spec["specialties"].split("|")
    domains = list(dict.fromkeys(domain_of(role) for role in roles))
    row["specialties"] = "|".join([*domains, *roles])
    _, lat, lon, _, _, _ = find_town(TOWNS, spec["region"], spec["town"])
    row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
    return row


def build_projects() -> list[dict[str, str]]:
    """The 20 projects (fixed; they do not depend on the seed)."""
    return [_project_row(i, spec) for i, spec in enumerate(PROJECTS, start=1)]


def build_partners(
    rng: Random, schedule_rng: Random, count: int = N_PARTNERS
) -> list[dict[str, str]]:
    """Draw ``count`` patient partners, two of them reachable by telephone only.

    Free time comes from ``schedule_rng``, a stream of its own, so that the schedules can be
    retuned without redrawing everything else about the partners.
    """
    phone_only = set(rng.sample(range(1, count + 1), 2))
    rows: list[dict[str, str]] = []
    for index in range(1, count + 1):
        row = dict.fromkeys(COLUMNS, "")
        row["id"] = f"PP{index:03d}"
        row["profession"] = "patient_partner"
        row["specialties"] = make_interests(rng)
        row["lived_experience"] = make_lived(rng)
        row["consent_lived_experience"] = "yes" if rng.random() < 0.95 else "no"

        province = weighted_choice(rng, list(PROVINCE_WEIGHTS), list(PROVINCE_WEIGHTS.values()))
        towns = TOWNS[province]
        _, lat, lon, _, english_only, bilingual = weighted_choice(rng, towns, [t[3] for t in towns])
        row["region"] = province
        if rng.random() < 0.7:
            row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
        roll = rng.random()
        if roll < english_only:
            row["languages"] = "en"
        elif roll < english_only + bilingual:
            row["languages"] = "en|fr" if province == "ON" else "fr|en"
        else:
            row["languages"] = "fr"
        row["availability"] = make_availability(schedule_rng)
        if index in phone_only:
            # No internet at home and cannot travel: a telephone is the only way.
            row["formats"] = "phone"
        else:
            formats = draw_each(rng, (("in_person", 0.5), ("virtual", 0.85), ("phone", 0.2)))
            if formats in ([], ["phone"]):
                formats.insert(0, "virtual")
            row["formats"] = "|".join(formats)
        row["group_formats"] = weighted_choice(
            rng,
            ("small_group|large_group", "small_group", "one_to_one|small_group", "large_group"),
            (40, 35, 15, 10),
        )
        row["capacity"] = "1"
        years = min(15, int(rng.expovariate(1 / 3.5)))
        row["years_experience"] = str(years)
        row["career_stage"] = level_for(rng, years)
        row["gender"] = weighted_choice(rng, ("woman", "man", "non_binary", ""), (62, 34, 2, 2))
        rows.append(row)
    return rows


def add_choices(
    rng: Random, projects: list[dict[str, str]], partners: list[dict[str, str]]
) -> None:
    """Some partners rank projects from the call; a few leads name partners they know."""
    for partner in partners:
        if rng.random() >= 0.30:
            continue
        wanted = {domain_of(area) for area in tags(partner, "specialties")}
        readable = [
            p
            for p in projects
            if tags(p, "languages") & tags(partner, "languages")
            and {domain_of(a) for a in tags(p, "specialties")} & wanted
        ]
        weights = [
            1 + 3 * len(tags(p, "lived_experience") & tags(partner, "lived_experience"))
            for p in readable
        ]
        picked = weighted_sample(rng, readable, weights, rng.randint(1, 3))
        partner["preferences"] = "|".join(p["id"] for p in picked)
    # Three project leads name one or two partners they have worked with before.
    for project in rng.sample(projects, 3):
        known = [
            e
            for e in partners
            if tags(e, "languages") & tags(project, "languages")
            and e["region"] == project["region"]
        ]
        project["preferences"] = "|".join(e["id"] for e in rng.sample(known, rng.randint(1, 2)))
    # One partner is employed by a host organisation and may not represent patients there.
    employee = rng.choice([e for e in partners if e["region"] == "QC" and "fr" in e["languages"]])
    employee["exclude"] = rng.choice([p for p in projects if p["region"] == "QC"])["id"]


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` (projects) and ``mentees.csv`` (partners)."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    projects = build_projects()
    partners = build_partners(rng, Random(f"{args.seed}/availability"))
    add_choices(rng, projects, partners)
    out: Path = args.out
    write_outputs(out, COLUMNS, projects, partners)
    places = sum(int(p["capacity"]) for p in projects)
    print(
        f"wrote {len(projects)} projects ({places} places) and {len(partners)} patient partners "
        f"to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
