"""Generate the synthetic ``geriatrics-consult`` scenario for ``matcher``.

An expert geriatrics mentoring team in Atlantic Canada and Quebec — geriatricians, care of the
elderly physicians, geriatric nurses and nurse practitioners, pharmacists, social workers and
occupational therapists — takes complex cases from first- and second-line care teams one at a
time: "a single clinical question" routed the moment it arrives to the best available expert,
load-aware (an expert takes a few open cases at once). All people and cases are synthetic.

What it produces:

* ``mentors.csv``: 24 experts (``capacity`` = open cases at once, 2-5; ``specialties`` = areas
  of geriatric expertise; ``languages``; ``region``; ``formats``; ``availability``).
* ``mentees.csv``: 150 cases in arrival order, each from a care team member (``profession``)
  with the needs of the case (``specialties``), the language, the region, how the team can
  meet, and ``urgency`` (``routine``, ``soon``, ``urgent``; passes through to the outputs).

``replay.py`` beside this file routes the cases one at a time through a stored programme
(``matcher.MentorPool``, or the service's ``/v1/programs`` routes with ``--url``).

Usage::

    python scenarios/geriatrics-consult/generate.py [--seed 2026] [--out DIR]

Deterministic: the same seed always yields byte-identical files. Standard library only.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from random import Random

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (  # noqa: E402
    BASE_COLUMNS,
    WEEKDAYS,
    format_slots,
    parse_args,
    weighted_choice,
    weighted_sample,
    write_outputs,
)

DEFAULT_SEED = 2026
N_EXPERTS = 24
N_CASES = 150
COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "urgency")

AREAS = (
    "dementia",
    "delirium",
    "polypharmacy",
    "falls_prevention",
    "frailty",
    "behavioural_symptoms",
    "caregiver_support",
    "end_of_life_care",
    "elder_abuse",
    "home_safety",
)
AREA_WEIGHT = (6, 4, 6, 4, 3, 4, 3, 2, 1, 2)
EXPERTS = {  # profession: (share, areas it usually covers)
    "geriatrician": (5, ("dementia", "delirium", "frailty", "polypharmacy", "end_of_life_care")),
    "care_of_the_elderly_physician": (3, ("dementia", "frailty", "falls_prevention")),
    "nurse_practitioner": (4, ("delirium", "behavioural_symptoms", "end_of_life_care")),
    "pharmacist": (4, ("polypharmacy", "delirium", "falls_prevention")),
    "social_worker": (4, ("caregiver_support", "elder_abuse", "end_of_life_care")),
    "occupational_therapist": (4, ("falls_prevention", "home_safety", "frailty")),
}
TEAMS = (
    "family_physician",
    "nurse",
    "nurse_practitioner",
    "pharmacist",
    "social_worker",
    "home_care_nurse",
    "long_term_care_nurse",
)
REGIONS = (("NB", 4), ("NS", 4), ("PE", 1), ("NL", 2), ("QC", 4))
FRENCH_SHARE = {"NB": 0.35, "NS": 0.05, "PE": 0.05, "NL": 0.02, "QC": 0.85}


def _languages(rng: Random, region: str, expert: bool) -> str:
    french = rng.random() < FRENCH_SHARE[region]
    if expert and rng.random() < 0.45:
        return "fr|en" if french else "en|fr"
    return "fr" if french else "en"


def _slots(rng: Random, evenings: bool) -> str:
    days = rng.sample(list(WEEKDAYS), rng.randint(2, 4))
    hours = "18:00-20:00" if evenings else rng.choice(["08:00-12:00", "12:00-13:30", "13:00-17:00"])
    return format_slots((WEEKDAYS.index(d), hours) for d in sorted(days, key=WEEKDAYS.index))


def _row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(values)
    return row


def build_experts(rng: Random) -> list[dict[str, str]]:
    professions = list(EXPERTS)
    shares = [EXPERTS[p][0] for p in professions]
    out = []
    for k in range(N_EXPERTS):
        prof = weighted_choice(rng, professions, shares)
        usual = EXPERTS[prof][1]
        areas = rng.sample(list(usual), rng.randint(2, len(usual)))
        region = weighted_choice(rng, [r for r, _ in REGIONS], [w for _, w in REGIONS])
        out.append(
            _row(
                id=f"X{k + 1:02d}",
                profession=prof,
                specialties="|".join(areas),
                region=region,
                languages=_languages(rng, region, expert=True),
                availability=_slots(rng, evenings=rng.random() < 0.2),
                formats=rng.choice(["virtual|phone", "virtual|phone|in_person", "virtual"]),
                group_formats="one_to_one|small_group",
                capacity=str(rng.randint(2, 5)),
                years_experience=str(rng.randint(8, 32)),
            )
        )
    return out


def build_cases(rng: Random) -> list[dict[str, str]]:
    out = []
    for k in range(N_CASES):
        region = weighted_choice(rng, [r for r, _ in REGIONS], [w for _, w in REGIONS])
        needs = weighted_sample(rng, list(AREAS), list(AREA_WEIGHT), rng.randint(1, 3))
        out.append(
            _row(
                id=f"C{k + 1:03d}",
                profession=rng.choice(TEAMS),
                specialties="|".join(needs),
                region=region,
                languages=_languages(rng, region, expert=False),
                availability=_slots(rng, evenings=False),
                formats=rng.choice(["virtual|phone", "virtual", "phone", "virtual|in_person"]),
                group_formats="one_to_one",
                capacity="1",
                years_experience=str(rng.randint(0, 25)),
                urgency=weighted_choice(rng, ["routine", "soon", "urgent"], [6, 3, 1]),
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` (the expert team) and ``mentees.csv`` (the stream of cases)."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    experts = build_experts(rng)
    cases = build_cases(rng)
    write_outputs(args.out, COLUMNS, experts, cases)
    places = sum(int(e["capacity"]) for e in experts)
    print(
        f"wrote {len(experts)} experts ({places} open cases at once) and {len(cases)} cases "
        f"to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
