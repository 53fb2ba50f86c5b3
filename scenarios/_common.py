"""Helpers shared by the scenario generators (``scenarios/<name>/generate.py``).

What lives here is what every generator did the same way: the CSV columns they all write, the
weighted draws, the weekly-slot drawing and formatting, coordinate formatting, the CSV writer
and the command line. Each scenario's own data (towns, weights, vocabularies, hand-written
profiles) and its own logic stay in its ``generate.py``.

Every helper consumes the pseudo-random generator exactly as the code it replaced did, so the
scenarios' CSVs are unchanged byte for byte. Anything changed here changes the output of every
scenario that uses it: regenerate them all and compare before committing. Only the standard
library is used, so the generators run without installing anything.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from random import Random
from typing import Any, TypeVar

T = TypeVar("T")
TownT = TypeVar("TownT", bound=tuple[Any, ...])

# The profile columns every scenario writes, in this order; each scenario adds its own last
# column (``cohort``, or a pass-through column such as ``referral`` or ``title``).
BASE_COLUMNS: tuple[str, ...] = (
    "id",
    "profession",
    "specialties",
    "lived_experience",
    "consent_lived_experience",
    "region",
    "lat",
    "lon",
    "timezone",
    "languages",
    "availability",
    "formats",
    "group_formats",
    "capacity",
    "years_experience",
    "career_stage",
    "organization",
    "gender",
    "gender_preference",
    "exclude",
    "preferences",
)

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS: tuple[str, ...] = DAYS[:5]
MON_THU: tuple[str, ...] = DAYS[:4]

# A weekly slot a generator may draw: (days it may fall on, hours such as "18:00-20:00", weight).
SlotTemplate = tuple[tuple[str, ...], str, float]


def weighted_choice(rng: Random, items: Sequence[T], weights: Sequence[float]) -> T:
    """Pick one item with the given relative weights."""
    return rng.choices(items, weights=weights, k=1)[0]


def weighted_sample(rng: Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """Pick ``k`` distinct items (order of drawing kept), weighted, without replacement."""
    pool = list(items)
    pool_weights = list(weights)
    picked: list[T] = []
    while pool and len(picked) < k:
        if sum(pool_weights) <= 0:
            break
        index = rng.choices(range(len(pool)), weights=pool_weights, k=1)[0]
        picked.append(pool.pop(index))
        pool_weights.pop(index)
    return picked


def draw_each(rng: Random, chances: Iterable[tuple[T, float]]) -> list[T]:
    """Keep each item with its own probability, in the given order (one draw per item)."""
    return [item for item, probability in chances if rng.random() < probability]


def quota_list(rng: Random, counts: Mapping[str, int]) -> list[str]:
    """Each key repeated by its count, shuffled."""
    items = [key for key, n in counts.items() for _ in range(n)]
    rng.shuffle(items)
    return items


def fmt_coord(value: float) -> str:
    """Format a coordinate with two decimals."""
    return f"{value:.2f}"


def find_town(towns: Mapping[str, Sequence[TownT]], province: str, name: str) -> TownT:
    """Look a town up by name (its first field) in a province's town table."""
    for town in towns[province]:
        if town[0] == name:
            return town
    raise KeyError(f"{name} not in {province}")


def tags(row: Mapping[str, str], column: str) -> set[str]:
    """The ``|``-separated values of a cell, as a set."""
    return {value for value in row[column].split("|") if value}


def overlay(row: dict[str, str], spec: Mapping[str, str]) -> None:
    """Copy a hand-written spec into a row; keys that are not columns (``town``) are skipped."""
    for key, value in spec.items():
        if key in row:
            row[key] = value


def format_slots(slots: Iterable[tuple[int, str]]) -> str:
    """``[(2, "18:00-20:00"), (0, "12:00-13:00")]`` -> ``mon 12:00-13:00|wed 18:00-20:00``."""
    return "|".join(f"{DAYS[day]} {hours}" for day, hours in sorted(slots))


def draw_slots(rng: Random, templates: Sequence[SlotTemplate], count: int) -> str:
    """Up to ``count`` weekly slots drawn from the templates, at most one per day, by day."""
    weights = [template[2] for template in templates]
    slots: list[tuple[int, str]] = []
    attempts = 0
    while len(slots) < count and attempts < 50:
        attempts += 1
        days, hours, _ = weighted_choice(rng, templates, weights)
        day_index = DAYS.index(rng.choice(days))
        if any(existing[0] == day_index for existing in slots):
            continue  # keep at most one slot per day
        slots.append((day_index, hours))
    return format_slots(slots)


def write_csv(path: Path, rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> None:
    """Write rows with the given header, UTF-8 without BOM and ``\\n`` line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(columns), lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
        writer.writeheader()
        writer.writerows(rows)


def write_outputs(
    out: Path,
    columns: Sequence[str],
    mentors: Sequence[Mapping[str, str]],
    mentees: Sequence[Mapping[str, str]],
) -> None:
    """Create ``out`` if needed and write ``mentors.csv`` and ``mentees.csv`` into it."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "mentors.csv", mentors, columns)
    write_csv(out / "mentees.csv", mentees, columns)


def parse_args(
    argv: Sequence[str] | None, *, doc: str | None, script: str, default_seed: int
) -> argparse.Namespace:
    """The generators' options: ``--seed`` and ``--out`` (default: the script's own folder).

    ``doc`` is the script's docstring (its first line is the description) and ``script`` its
    ``__file__``.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument(
        "--seed", type=int, default=default_seed, help=f"random seed (default {default_seed})"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(script).resolve().parent,
        help="output directory (default: this script's folder)",
    )
    return parser.parse_args(argv)
