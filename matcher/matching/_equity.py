"""Equity by subgroup: who the matching serves and who it leaves behind.

For each column (region, languages, profession, gender, formats and any ``[report] subgroups``
column) the mentees are split by value; each subgroup's *coverage* is the share of its mentees
with at least one mentor (a group, a suggestion), and its *mean score* the mean score of their
pairs.  A person with several values (two languages) counts in each.  Subgroups of fewer than
:data:`MIN_SUBGROUP` people are merged into ``other`` so that no one can be singled out; an
``other`` still under that size has its figures withheld.  The spread between the best- and the
worst-served subgroup is flagged when it reaches ``flag_spread``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from matcher.profiles import Participant

__all__ = [
    "DEFAULT_SUBGROUPS",
    "MIN_SUBGROUP",
    "NOT_GIVEN",
    "RULE_FIELDS",
    "equity",
    "subgroups_of",
]

#: Smallest subgroup shown on its own.
MIN_SUBGROUP = 5
#: Columns always looked at (when at least one mentee gives a value).
DEFAULT_SUBGROUPS = ("region", "languages", "profession", "gender", "formats")
NOT_GIVEN = "not given"
#: Profile fields an ``[equity]`` rule may group mentees by (besides pass-through columns).
RULE_FIELDS = (
    "region",
    "languages",
    "profession",
    "gender",
    "formats",
    "group_formats",
    "career_stage",
    "organization",
    "timezone",
)
OTHER = "other"


def _reader(column: str, mentees: Sequence[Participant]) -> Callable[[Participant], Any]:
    """How to read ``column`` from a person: a profile field, else a pass-through column (as
    written, or in another case)."""
    if column in Participant.model_fields and column != "extra":
        return lambda person: person.__dict__.get(column)
    folded = column.casefold()
    headers = {k for person in mentees[:1000] for k in person.extra}
    header = next((h for h in sorted(headers) if h.casefold() == folded), column)
    return lambda person: person.extra.get(header)


def _values(value: Any) -> tuple[str, ...]:
    """The subgroups a value puts its person in."""
    if value is None or value == "" or value == ():
        return (NOT_GIVEN,)
    if isinstance(value, tuple | list | set | frozenset):
        return tuple(sorted(str(v) for v in value)) or (NOT_GIVEN,)
    if hasattr(value, "slots"):  # Availability: not a subgroup
        return (NOT_GIVEN,)
    return (str(value).strip() or NOT_GIVEN,)


def _column(
    column: str,
    mentees: Sequence[Participant],
    scores: Mapping[str, list[float]],
    flag_spread: float,
) -> dict[str, Any] | None:
    members: dict[str, list[str]] = {}
    read = _reader(column, mentees)
    seen: dict[Any, tuple[str, ...]] = {}
    for person in mentees:
        value = read(person)
        try:
            groups = seen[value]
        except KeyError:
            groups = seen[value] = _values(value)
        except TypeError:  # not hashable
            groups = _values(value)
        for group in groups:
            members.setdefault(group, []).append(person.id)
    if set(members) <= {NOT_GIVEN}:
        return None  # nobody gives this column
    small = sorted(v for v, ids in members.items() if len(ids) < MIN_SUBGROUP)
    if small:
        merged: list[str] = []
        for value in small:
            merged.extend(members.pop(value))
        members[OTHER] = list(dict.fromkeys(merged + members.get(OTHER, [])))
    order = sorted(members, key=lambda v: (v in (OTHER, NOT_GIVEN), v == OTHER, v))
    rows: list[dict[str, Any]] = []
    for value in order:
        ids = members[value]
        if len(ids) < MIN_SUBGROUP:
            rows.append(
                {"subgroup": value, "mentees": None, "withheld": True, "merged": len(small)}
            )
            continue
        got = [scores[i] for i in ids if i in scores]
        pair_scores = [s for person in got for s in person]
        row: dict[str, Any] = {
            "subgroup": value,
            "mentees": len(ids),
            "matched": len(got),
            "coverage": round(len(got) / len(ids), 4),
            "mean_score": round(sum(pair_scores) / len(pair_scores), 4) if pair_scores else None,
        }
        if value == OTHER and small:
            row["merged"] = len(small)
        rows.append(row)
    # the best- and worst-served among the subgroups people named (not "not given")
    shown = [r for r in rows if not r.get("withheld") and r["subgroup"] != NOT_GIVEN]
    result: dict[str, Any] = {"subgroups": rows}
    for key in ("coverage", "mean_score"):
        known = [r for r in shown if r.get(key) is not None]
        if len(known) < 2:
            result[f"{key}_spread"] = None
            continue
        best = max(known, key=lambda r: (r[key], r["subgroup"]))
        worst = min(known, key=lambda r: (r[key], r["subgroup"]))
        spread = round(best[key] - worst[key], 4)
        result[f"{key}_spread"] = {
            "best": best["subgroup"],
            "worst": worst["subgroup"],
            "spread": spread,
            "flagged": spread >= flag_spread,
        }
    return result


def equity(
    mentees: Sequence[Participant],
    pairs: Iterable[tuple[str, float]],
    *,
    columns: Sequence[str] = (),
    flag_spread: float = 0.1,
) -> dict[str, Any]:
    """Coverage and mean score by subgroup of ``mentees``.

    Parameters
    ----------
    mentees : list of Participant
        Everyone who could be matched (peers in peer-led groups).
    pairs : iterable of (mentee id, score)
        One entry per pair (or suggestion, or group membership).
    columns : list of str
        ``[report] subgroups``: more columns, profile fields or pass-through columns.
    flag_spread : float
        A spread between best and worst subgroup at least this large is flagged.

    Examples
    --------
    >>> people = [Participant(id=f"e{k}", role="mentee", region="NB" if k < 5 else "QC")
    ...           for k in range(10)]
    >>> out = equity(people, [("e0", 0.8), ("e5", 0.6), ("e6", 0.7)])
    >>> [(r["subgroup"], r["coverage"]) for r in out["by"]["region"]["subgroups"]]
    [('NB', 0.2), ('QC', 0.4)]
    >>> out["by"]["region"]["coverage_spread"]["flagged"]
    True
    """
    scores: dict[str, list[float]] = {}
    for mentee_id, score in pairs:
        scores.setdefault(mentee_id, []).append(float(score))
    by: dict[str, Any] = {}
    for column in dict.fromkeys((*DEFAULT_SUBGROUPS, *columns)):
        found = _column(column, mentees, scores, flag_spread)
        if found is not None:
            by[column] = found
    return {
        "min_subgroup": MIN_SUBGROUP,
        "flag_spread": flag_spread,
        "flagged": sorted(
            column
            for column, facts in by.items()
            if any(
                (facts[k] or {}).get("flagged") for k in ("coverage_spread", "mean_score_spread")
            )
        ),
        "by": by,
    }


def subgroups_of(
    column: str, mentees: Sequence[Participant], extra_columns: Sequence[str] = ()
) -> list[tuple[str, ...]] | None:
    """Each mentee's subgroups by ``column`` (values as the equity section shows them,
    ``"not given"`` for none), or None when ``column`` is neither a profile field of
    :data:`RULE_FIELDS` nor one of ``extra_columns`` (any case)."""
    folded = column.casefold()
    if column not in RULE_FIELDS and folded not in {c.casefold() for c in extra_columns}:
        return None
    read = _reader(column, mentees)
    return [_values(read(person)) for person in mentees]
