"""Generate the synthetic ``hospital-staff-mentoring`` scenario for ``matcher``.

A regional hospital runs a staff mentoring programme for its health professionals: trained
staff mentors from other units help colleagues with **compassion fatigue**, **self-care**,
**strengthening their practice** and **new skills**. It runs in intakes. This script writes
both of them, so that the second shows what a coordinator sees when matching again:

* ``intake-1/mentors.csv``, ``intake-1/mentees.csv``: the spring intake (18 mentors, 34
  mentees), matched from scratch.
* ``mentors.csv``, ``mentees.csv``, ``current.csv``: the autumn intake. ``current.csv`` holds
  the spring pairs as the coordinator recorded them since (``active``, ``ended``, or
  ``do_not_match_again``). One mentor has left the hospital, one now takes fewer mentees,
  three new mentors trained over the summer, 14 new staff asked for a mentor, and the spring
  waiting list is still waiting.

``current.csv`` comes from matching intake 1 with ``matcher`` itself (``python -m matcher``
must be importable): the pairs are what the spring run gave, and their statuses follow fixed
rules (below), so everything stays deterministic.

Usage::

    python scenarios/hospital-staff-mentoring/generate.py [--seed 2026] [--out DIR]

The same seed always yields byte-identical files. Only the standard library is imported.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from random import Random

sys.dont_write_bytecode = True  # importing _common must not leave a __pycache__ in scenarios/
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (  # noqa: E402
    BASE_COLUMNS,
    SlotTemplate,
    draw_each,
    draw_slots,
    parse_args,
    quota_list,
    weighted_choice,
    weighted_sample,
    write_csv,
)

DEFAULT_SEED = 2026
COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "intake")

# --------------------------------------------------------------------------- vocabulary

# The four things staff ask for, each with finer areas ([taxonomy] in program.toml makes these
# children of the four, which are children of the built-in wellness / professional
# development): a mentor who offers the parent earns half credit for a child and back.
AREAS: dict[str, tuple[str, ...]] = {
    "compassion_fatigue": ("moral_distress", "grief_and_loss"),
    "self_care": ("boundaries", "shift_work_sleep"),
    "strengthening_practice": ("difficult_conversations", "interprofessional_collaboration"),
    "new_skills": ("preceptorship", "quality_improvement"),
}
AREA_WEIGHTS: dict[str, float] = {
    "compassion_fatigue": 5,
    "self_care": 4,
    "strengthening_practice": 4,
    "new_skills": 3,
}

# Units (``organization``): a mentor from another unit speaks more freely ("avoid").
UNITS: tuple[str, ...] = (
    "Emergency",
    "Intensive care",
    "Oncology",
    "Palliative care",
    "Medicine",
    "Surgery",
    "Mental health",
    "Rehabilitation",
    "Pharmacy",
)

# Fixed counts per profession (mentees of intake 1, intake 2's newcomers, mentors).
PROFESSIONS: dict[str, tuple[int, int, int]] = {
    "nurse": (16, 6, 7),
    "nurse_practitioner": (2, 1, 1),
    "respiratory_therapist": (3, 1, 1),
    "social_worker": (3, 1, 2),
    "pharmacist": (2, 1, 2),
    "physiotherapist": (2, 1, 1),
    "occupational_therapist": (2, 1, 1),
    "physician": (2, 1, 2),
    "spiritual_care_provider": (0, 0, 1),
    "personal_support_worker": (2, 1, 0),
}
NEW_MENTORS = 3  # trained over the summer, joining intake 2

# --------------------------------------------------------------------------- schedules

# Staff on days, evenings or nights; free time around the shift: (days, hours, weight).
SHIFT_SLOTS: dict[str, tuple[SlotTemplate, ...]] = {
    "days": (
        (("mon", "tue", "wed", "thu", "fri"), "15:30-17:00", 6),
        (("mon", "tue", "wed", "thu", "fri"), "12:00-13:00", 3),
        (("sat", "sun"), "10:00-12:00", 2),
    ),
    "evenings": (
        (("mon", "tue", "wed", "thu", "fri"), "10:00-11:30", 6),
        (("mon", "tue", "wed", "thu", "fri"), "13:00-14:30", 3),
        (("sat", "sun"), "10:00-12:00", 2),
    ),
    "nights": (
        (("mon", "tue", "wed", "thu", "fri"), "08:00-09:00", 5),
        (("mon", "tue", "wed", "thu", "fri"), "17:00-18:30", 4),
        (("sat", "sun"), "16:00-18:00", 2),
    ),
}
SHIFTS: dict[str, float] = {"days": 6, "evenings": 3, "nights": 2}

# ------------------------------------------------------------------------------- rows


def _languages(rng: Random) -> str:
    """A bilingual hospital in New Brunswick: French, English, often both."""
    return weighted_choice(rng, ("fr|en", "en", "fr"), (45, 35, 20))


def _formats(rng: Random, mentor: bool) -> str:
    formats = draw_each(
        rng,
        (
            ("in_person", 0.8 if mentor else 0.6),
            ("virtual", 0.7 if mentor else 0.6),
            ("phone", 0.4 if mentor else 0.2),
        ),
    )
    return "|".join(formats) if formats else "in_person"


def _areas(rng: Random, how_many: int, fine_share: float) -> list[str]:
    picked = weighted_sample(rng, list(AREAS), list(AREA_WEIGHTS.values()), how_many)
    return [rng.choice(AREAS[a]) if rng.random() < fine_share else a for a in picked]


def _person(rng: Random, schedule: Random, pid: str, profession: str, mentor: bool) -> dict:
    row = dict.fromkeys(COLUMNS, "")
    row["id"] = pid
    row["profession"] = profession
    if mentor:
        offered = _areas(rng, rng.randint(2, 3), 0.15)
        row["specialties"] = "|".join(offered)
        row["capacity"] = weighted_choice(rng, ("1", "2", "3"), (7, 8, 1))
        row["years_experience"] = str(rng.randint(12, 32))
    else:
        row["specialties"] = "|".join(_areas(rng, weighted_choice(rng, (1, 2), (55, 45)), 0.3))
        row["capacity"] = "1"
        row["years_experience"] = str(
            weighted_choice(rng, (1, 2, 3, 5, 8, 12, 20), (3, 3, 3, 3, 2, 2, 1))
        )
    if rng.random() < (0.35 if mentor else 0.25):
        row["lived_experience"] = "burnout"
        row["consent_lived_experience"] = "yes"
    row["region"] = "NB"
    row["languages"] = _languages(rng)
    shift = weighted_choice(rng, list(SHIFTS), list(SHIFTS.values()))
    row["availability"] = draw_slots(schedule, SHIFT_SLOTS[shift], 3 if mentor else 2)
    row["formats"] = _formats(rng, mentor)
    row["group_formats"] = "one_to_one"
    row["career_stage"] = (
        "senior" if mentor else ("early" if int(row["years_experience"]) < 4 else "mid")
    )
    row["organization"] = rng.choice(UNITS)
    row["gender"] = weighted_choice(rng, ("woman", "man", "non_binary"), (78, 20, 2))
    if not mentor and row["gender"] == "woman" and rng.random() < 0.12:
        row["gender_preference"] = "woman"
    return row


def build(
    rng: Random,
    schedule: Random,
    prefix: str,
    counts: dict[str, int],
    mentor: bool,
    start: int,
    intake: str,
) -> list[dict[str, str]]:
    """People of one kind, professions by fixed counts, ids from ``start``."""
    rows = []
    for k, profession in enumerate(quota_list(rng, counts), start=start):
        row = _person(rng, schedule, f"{prefix}{k:03d}", profession, mentor)
        row["intake"] = intake
        rows.append(row)
    return rows


def spring_pairs(folder: Path, config: Path) -> list[tuple[str, str]]:
    """Intake 1 matched by matcher itself: the pairs the coordinator started in the spring."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        run = subprocess.run(
            [sys.executable, "-m", "matcher", "match", str(folder), "--config", str(config),
             "-o", str(out), "--quiet"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if run.returncode != 0:
            raise SystemExit(f"matching intake 1 failed (is matcher installed?)\n{run.stderr}")
        with (out / "pairs.csv").open(encoding="utf-8", newline="") as handle:
            return [(r["mentee_id"], r["mentor_id"]) for r in csv.DictReader(handle)]


def main(argv: Sequence[str] | None = None) -> int:
    """Write both intakes and ``current.csv`` into the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    rng = Random(args.seed)
    schedule = Random(f"{args.seed}/availability")
    out: Path = args.out
    first = out / "intake-1"
    first.mkdir(parents=True, exist_ok=True)

    mentors = build(
        rng, schedule, "M", {p: c[2] for p, c in PROFESSIONS.items()}, True, 1, "spring"
    )
    spring = build(
        rng, schedule, "S", {p: c[0] for p, c in PROFESSIONS.items()}, False, 1, "spring"
    )
    write_csv(first / "mentors.csv", mentors, COLUMNS)
    write_csv(first / "mentees.csv", spring, COLUMNS)
    rules = Path(__file__).resolve().parent / "program.toml"
    if not (out / "program.toml").exists():  # a folder elsewhere: runnable as it is
        shutil.copyfile(rules, out / "program.toml")
    pairs = spring_pairs(first, rules)

    # What happened over the summer, by fixed rules (no draw): the mentor with the most
    # spring mentees moved away; every third pair ended as planned after six months (the
    # mentee's choice, and they leave the programme); the first other pair ended badly (never
    # again, and that mentee wants another mentor); the mentor then left with the most active
    # pairs now takes one mentee only.
    load: dict[str, int] = {}
    for _, m in pairs:
        load[m] = load.get(m, 0) + 1
    left = min(load, key=lambda m: (-load[m], m))
    statuses: list[tuple[str, str, str]] = []
    never_again = None
    for k, (e, m) in enumerate(pairs):
        if k % 3 == 2:
            statuses.append((e, m, "ended"))
        elif never_again is None and m != left:
            never_again = e
            statuses.append((e, m, "do_not_match_again"))
        else:
            statuses.append((e, m, "active"))
    active: dict[str, int] = {}
    for _, m, status in statuses:
        if status == "active" and m != left:
            active[m] = active.get(m, 0) + 1
    fewer = min(active, key=lambda m: (-active[m], m))
    gone = {e for e, _, s in statuses if s == "ended"}

    autumn_mentors = [dict(r, intake="spring") for r in mentors if r["id"] != left]
    for row in autumn_mentors:
        if row["id"] == fewer:
            row["capacity"] = "1"
    counts = {"nurse": 1, "social_worker": 1, "physiotherapist": 1}
    assert sum(counts.values()) == NEW_MENTORS
    autumn_mentors += build(rng, schedule, "M", counts, True, len(mentors) + 1, "autumn")
    staying = [dict(r) for r in spring if r["id"] not in gone]
    newcomers = build(
        rng, schedule, "A", {p: c[1] for p, c in PROFESSIONS.items()}, False, 1, "autumn"
    )
    write_csv(out / "mentors.csv", autumn_mentors, COLUMNS)
    write_csv(out / "mentees.csv", staying + newcomers, COLUMNS)
    with (out / "current.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("mentee_id", "mentor_id", "status"))
        writer.writerows(statuses)
    print(
        f"intake 1: {len(mentors)} mentors, {len(spring)} mentees, {len(pairs)} pairs; "
        f"intake 2: {len(autumn_mentors)} mentors, {len(staying) + len(newcomers)} mentees "
        f"({len(newcomers)} new), current.csv with {len(statuses)} pairs; written to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
