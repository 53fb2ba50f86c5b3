"""The Matching result: pairs, unmatched with reasons, objective, bound and the run manifest."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from matcher.io import csv_bytes, gc_paused, json_bytes, write_outputs, xlsx_bytes
from matcher.matching._equity import equity
from matcher.profiles import Participant, vocab
from matcher.scoring import Explanation

__all__ = ["Change", "Matching", "Pair", "Summary", "Unmatched"]


class Summary(dict[str, Any]):
    """The run manifest (``summary.json``) as a dict, read bare: ``result.summary["matched"]``.

    Calling it, ``result.summary(version="x")``, gives the same figures with another version
    string, as the method it used to be did.
    """

    def __init__(self, owner: Matching, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self._owner = owner

    def __call__(self, *, version: str | None = None) -> dict[str, Any]:
        if version is None:
            return dict(self)
        return self._owner._summary(version=version)


@dataclass(frozen=True)
class Pair:
    """One mentee–mentor pair in the result."""

    mentee_id: str
    mentor_id: str
    score: float
    criteria: Mapping[str, float | None] = field(default_factory=dict)
    reasons: str = ""
    group_id: str | None = None
    pinned: bool = False
    rank: int | None = None


@dataclass(frozen=True)
class Change:
    """What happened to a pair in an incremental re-match: kept, new, ended or dropped."""

    mentee_id: str
    mentor_id: str
    change: str
    reason: str


@dataclass(frozen=True)
class Unmatched:
    """A participant left without any partner, and the specific reason."""

    id: str
    role: str
    reason: str


def _fmt(value: float | None, comma: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.4f}"
    return text.replace(".", ",") if comma else text


def _fmt_all(values: list[float | None], comma: bool = False) -> list[str]:
    """``_fmt`` of each value, formatting each distinct value once."""
    text: dict[float | None, str] = {}
    out = []
    for value in values:
        got = text.get(value)
        if got is None:
            got = _fmt(value, comma)
            if value != 0.0:  # 0.0 and -0.0 are one key but print apart
                text[value] = got
        out.append(got)
    return out


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[list[Any]]:
    """``summary.json`` as rows of (dotted key, value); lists of numbers as one text cell."""
    rows: list[list[Any]] = []
    for key in sorted(data):
        value = data[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += _flatten(value, name + ".")
        elif isinstance(value, list | tuple):
            rows.append([name, ", ".join(map(str, value))])
        elif isinstance(value, float) and not math.isfinite(value):
            rows.append([name, None])
        else:
            rows.append([name, value])
    return rows


def _equity_rows(facts: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = ["column", "subgroup", "mentees", "matched", "coverage", "mean_score", "note"]
    rows: list[list[Any]] = []
    for column, found in facts["by"].items():
        for row in found["subgroups"]:
            note = "fewer than 5 people: figures withheld" if row.get("withheld") else ""
            if row.get("merged") and not note:
                note = f"{vocab.count(row['merged'], 'subgroup')} under 5 people merged"
            rows.append(
                [column, row["subgroup"], row.get("mentees"), row.get("matched"),
                 row.get("coverage"), row.get("mean_score"), note]
            )  # fmt: skip
    return header, rows


def _rule_rows(rule: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The ``[equity]`` rule's figures: per subgroup with and without it, then the totals."""
    header = ["subgroup", "mentees", "floor", "matched_without", "matched_with", "rate_without",
              "rate_with"]  # fmt: skip
    rows: list[list[Any]] = []
    for r in rule["subgroups"]:
        if r.get("withheld"):
            rows.append([r["subgroup"], None, None, None, None, None, None])
            continue
        rows.append(
            [r["subgroup"], r["mentees"], r.get("floor"), r["matched_without"], r["matched_with"],
             r["rate_without"], r["rate_with"]]
        )  # fmt: skip
    low = rule["lowest_rate"]
    rows.append(["(lowest rate)", None, None, None, None, low["without"], low["with"]])
    for key in ("matched", "places", "objective"):  # totals: matched columns, not rates
        rows.append([f"({key})", None, None, rule[key]["without"], rule[key]["with"], None, None])
    return header, rows


@dataclass
class Matching:
    """The result of :func:`matcher.match`, :func:`matcher.suggest` or :func:`matcher.solve`.

    Attributes
    ----------
    pairs : list of Pair
        Sorted by mentee id then mentor id (groups: by group); each with the total score,
        every criterion's score (None where it does not apply) and a readable ``reasons``.
    unmatched : list of Unmatched
        Every mentee left without a mentor and every mentor without a mentee, with a reason.
    objective : float
        Total score of the pairs.
    bound : float
        An upper bound on the best total (equal to ``objective`` when the method is exact).
    method, status, seed : str, str, int
        How the result was obtained (``status`` is ``optimal``, ``feasible``, ``stable``, or
        ``time_limit``: the best found when a time limit stopped the certified sparse path).
    changes : list of Change
        Incremental runs only: kept, new, ended and dropped pairs.

    Examples
    --------
    >>> import numpy as np, matcher
    >>> result = matcher.solve(np.array([[0.9, np.nan], [0.4, 0.7]]), capacities=[1, 1])
    >>> result.matched, round(result.objective, 2), result.unmatched
    (2, 1.6, [])
    >>> sorted(result.files(version="x"))
    ['pairs.csv', 'summary.json', 'unmatched.csv']
    """

    pairs: list[Pair]
    unmatched: list[Unmatched]
    objective: float
    bound: float
    method: str
    status: str
    seed: int
    criteria: list[str] = field(default_factory=list)
    summary_extra: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    elapsed_s: float = 0.0
    mentee_extra: dict[str, dict[str, str]] = field(default_factory=dict)
    mentor_extra: dict[str, dict[str, str]] = field(default_factory=dict)
    mentee_extra_columns: list[str] = field(default_factory=list)
    mentor_extra_columns: list[str] = field(default_factory=list)
    kind: str = "match"
    changes: list[Change] = field(default_factory=list)
    #: the profiles matched, by role, when the result was made from profiles (for equity)
    profiles: dict[str, list[Participant]] = field(default_factory=dict, repr=False)
    #: ``[report] subgroups`` and ``flag_spread``: the equity figures' extra columns
    equity_columns: tuple[str, ...] = ()
    flag_spread: float = 0.1
    #: the ``[equity]`` rule's figures, with and without it (``summary.json``'s ``equity.rule``)
    equity_rule: dict[str, Any] | None = None
    _explainer: Callable[[str, str], Explanation] | None = field(default=None, repr=False)
    _equity_memo: tuple[Any, dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def matched(self) -> int:
        """Number of mentees with at least one mentor."""
        return len({p.mentee_id for p in self.pairs})

    def explain(self, mentee_id: str, mentor_id: str) -> Explanation:
        """Why ``mentee_id`` and ``mentor_id`` score what they do (any pair, matched or not).

        Returns
        -------
        Explanation
            Each criterion's score, weight, contribution and a sentence; ``blocked_by`` names
            any hard rule the pair breaks.

        Raises
        ------
        KeyError
            An unknown id, or precomputed scores (``matcher.solve``) for a pair not matched.
        """
        if self._explainer is None:
            for p in self.pairs:
                if p.mentee_id == mentee_id and p.mentor_id == mentor_id:
                    return Explanation(
                        mentee_id,
                        mentor_id,
                        p.score,
                        True,
                        {},
                        {},
                        {},
                        {"score": "precomputed score"},
                    )
            raise KeyError(
                f"no pair {mentee_id!r}–{mentor_id!r} in this result, and "
                "precomputed scores carry no explanation"
            )
        return self._explainer(mentee_id, mentor_id)

    def mentors_of(self, mentee_id: str) -> list[str]:
        """The mentors matched to ``mentee_id``."""
        return [p.mentor_id for p in self.pairs if p.mentee_id == mentee_id]

    @property
    def summary(self) -> Summary:
        """The run manifest written to ``summary.json``, as a dict.

        ``result.summary["matched"]`` reads it; ``result.summary(version="x")`` gives it with
        another version string.
        """
        from matcher._version import __version__

        return Summary(self, self._summary(version=__version__))

    def equity(self) -> dict[str, Any] | None:
        """Coverage and mean score of mentees by subgroup (None without profiles).

        See :mod:`matcher.matching._equity`: subgroups under 5 people are merged into
        ``other``, and a spread between best and worst subgroup of ``flag_spread`` or more
        is flagged.
        """
        mentees = self.profiles.get("mentee")
        if not mentees:
            return None
        key = (id(mentees), len(mentees), len(self.pairs), self.equity_columns, self.flag_spread)
        if self._equity_memo is None or self._equity_memo[0] != key:
            facts = equity(
                mentees,
                ((p.mentee_id, p.score) for p in self.pairs),
                columns=self.equity_columns,
                flag_spread=self.flag_spread,
            )
            self._equity_memo = (key, facts)
        facts = copy.deepcopy(self._equity_memo[1])
        if self.equity_rule is not None:
            facts["rule"] = copy.deepcopy(self.equity_rule)
        return facts

    def _summary(self, *, version: str) -> dict[str, Any]:
        """The run manifest written to ``summary.json``."""
        mentees_unmatched = sum(1 for u in self.unmatched if u.role == "mentee")
        mentors_unmatched = sum(1 for u in self.unmatched if u.role == "mentor")
        return {
            "matched": self.matched,
            "unmatched": len(self.unmatched),
            "unmatched_mentees": mentees_unmatched,
            "unmatched_mentors": mentors_unmatched,
            "pairs": len(self.pairs),
            "objective": round(self.objective, 6),
            "bound": round(self.bound, 6),
            "gap": round(max(self.bound - self.objective, 0.0), 6),
            "status": self.status,
            "method": self.method,
            "seed": self.seed,
            "elapsed_s": round(self.elapsed_s, 3),
            "version": version,
            "inputs": dict(sorted(self.inputs.items())),
            "criteria": self.criteria,
            **self.summary_extra,
            **({"equity": facts} if (facts := self.equity()) is not None else {}),
        }

    def pairs_frame(self) -> Any:
        """The pairs (or suggestions) as a pandas DataFrame.

        Columns: ``mentee_id``, ``mentor_id``, ``score``, then ``group_id`` where groups are
        formed, ``rank`` for suggestions, one ``score_<criterion>`` per criterion (NaN where
        it does not apply), ``reasons``, and the input's extra columns as ``mentee_<column>``
        and ``mentor_<column>``.  Requires pandas (``pip install matcher[pandas]``).

        Examples
        --------
        >>> import numpy as np, matcher
        >>> result = matcher.solve(np.array([[0.9, np.nan], [0.4, 0.7]]), capacities=[1, 1])
        >>> result.pairs_frame()[["mentee_id", "mentor_id", "score"]].to_dict("records")
        [{'mentee_id': '0', 'mentor_id': '0', 'score': 0.9}, {'mentee_id': '1', 'mentor_id': '1', 'score': 0.7}]
        """  # noqa: E501
        import pandas as pd

        grouped = any(p.group_id for p in self.pairs)
        data: dict[str, list[Any]] = {
            "mentee_id": [p.mentee_id for p in self.pairs],
            "mentor_id": [p.mentor_id for p in self.pairs],
            "score": [float(p.score) for p in self.pairs],
        }
        if grouped:
            data["group_id"] = [p.group_id for p in self.pairs]
        if self.kind == "suggest":
            data["rank"] = [p.rank for p in self.pairs]
        for c in self.criteria:
            data[f"score_{c}"] = [
                float("nan") if (v := p.criteria.get(c)) is None else float(v) for p in self.pairs
            ]
        data["reasons"] = [p.reasons for p in self.pairs]
        for c in self.mentee_extra_columns:
            data[f"mentee_{c}"] = [
                self.mentee_extra.get(p.mentee_id, {}).get(c, "") for p in self.pairs
            ]
        for c in self.mentor_extra_columns:
            data[f"mentor_{c}"] = [
                self.mentor_extra.get(p.mentor_id, {}).get(c, "") for p in self.pairs
            ]
        return pd.DataFrame(data)

    def workbook(self, *, version: str) -> bytes:
        """``pairs.xlsx``: sheets ``pairs`` (``suggestions`` for suggest), ``unmatched``,
        ``summary`` (one figure a row) and ``equity`` where there are profiles; numbers as
        numbers, a frozen header, filters and fitted widths on every sheet."""
        grouped = any(p.group_id for p in self.pairs)
        header = ["mentee_id", "mentor_id", "score"]
        header += ["group_id"] if grouped else []
        header += ["rank"] if self.kind == "suggest" else []
        header += [f"score_{c}" for c in self.criteria] + ["reasons"]
        header += [f"mentee_{c}" for c in self.mentee_extra_columns]
        header += [f"mentor_{c}" for c in self.mentor_extra_columns]
        rows: list[list[Any]] = []
        for p in self.pairs:
            row: list[Any] = [p.mentee_id, p.mentor_id, round(p.score, 6)]
            row += [p.group_id or ""] if grouped else []
            row += [p.rank] if self.kind == "suggest" else []
            row += [
                None if (v := p.criteria.get(c)) is None else round(v, 6) for c in self.criteria
            ]
            row.append(p.reasons)
            e_extra = self.mentee_extra.get(p.mentee_id, {})
            m_extra = self.mentor_extra.get(p.mentor_id, {})
            row += [e_extra.get(c, "") for c in self.mentee_extra_columns]
            row += [m_extra.get(c, "") for c in self.mentor_extra_columns]
            rows.append(row)
        extra_cols = list(dict.fromkeys(self.mentee_extra_columns + self.mentor_extra_columns))
        un_rows = [
            [
                u.id,
                u.role,
                u.reason,
                *(
                    (self.mentee_extra if u.role == "mentee" else self.mentor_extra)
                    .get(u.id, {})
                    .get(c, "")
                    for c in extra_cols
                ),
            ]
            for u in self.unmatched
        ]
        summary = self._summary(version=version)
        facts = summary.pop("equity", None)
        sheets: list[tuple[str, list[str], list[list[Any]]]] = [
            ("suggestions" if self.kind == "suggest" else "pairs", header, rows),
            ("unmatched", ["id", "role", "reason", *extra_cols], un_rows),
            ("summary", ["figure", "value"], _flatten(summary)),
        ]
        if facts is not None:
            sheets.append(("equity", *_equity_rows(facts)))
            if facts.get("rule"):
                sheets.append(("equity_rule", *_rule_rows(facts["rule"])))
        if self.changes:
            sheets.append(
                (
                    "changes",
                    ["mentee_id", "mentor_id", "change", "reason"],
                    [[c.mentee_id, c.mentor_id, c.change, c.reason] for c in self.changes],
                )
            )
        return xlsx_bytes(sheets)

    def unmatched_frame(self) -> Any:
        """Everyone unmatched as a pandas DataFrame: ``id``, ``role``, ``reason`` and the
        input's extra columns (as in ``unmatched.csv``)."""
        import pandas as pd

        extra_cols = list(dict.fromkeys(self.mentee_extra_columns + self.mentor_extra_columns))
        data: dict[str, list[Any]] = {
            "id": [u.id for u in self.unmatched],
            "role": [u.role for u in self.unmatched],
            "reason": [u.reason for u in self.unmatched],
        }
        for c in extra_cols:
            data[c] = [
                (self.mentee_extra if u.role == "mentee" else self.mentor_extra)
                .get(u.id, {})
                .get(c, "")
                for u in self.unmatched
            ]
        return pd.DataFrame(data)

    @gc_paused
    def files(self, *, version: str, bom: bool = False, delimiter: str = ",") -> dict[str, bytes]:
        """The output files as bytes: ``pairs.csv``, ``unmatched.csv``, ``summary.json``.

        With ``delimiter=";"`` (French-language Excel) numbers use a decimal comma.
        """
        comma = delimiter == ";"
        grouped = any(p.group_id for p in self.pairs)
        header = ["mentee_id", "mentor_id", "score"]
        if grouped:
            header.append("group_id")
        header += [f"score_{c}" for c in self.criteria] + ["reasons"]
        header += [f"mentee_{c}" for c in self.mentee_extra_columns]
        header += [f"mentor_{c}" for c in self.mentor_extra_columns]
        # each criterion's column formatted at once: its values repeat, each is formatted once
        columns = [_fmt_all([p.criteria.get(c) for p in self.pairs], comma) for c in self.criteria]
        rows = []
        per_pair = zip(*columns, strict=True) if columns else repeat((), len(self.pairs))
        for p, scores in zip(self.pairs, per_pair, strict=True):
            row: list[str] = [p.mentee_id, p.mentor_id, _fmt(p.score, comma)]
            if grouped:
                row.append(p.group_id or "")
            row += scores
            row.append(p.reasons)
            if self.mentee_extra_columns:
                e_extra = self.mentee_extra.get(p.mentee_id, {})
                row += [e_extra.get(c, "") for c in self.mentee_extra_columns]
            if self.mentor_extra_columns:
                m_extra = self.mentor_extra.get(p.mentor_id, {})
                row += [m_extra.get(c, "") for c in self.mentor_extra_columns]
            rows.append(row)
        extra_cols = list(dict.fromkeys(self.mentee_extra_columns + self.mentor_extra_columns))
        un_rows = []
        for u in self.unmatched:
            source = self.mentee_extra if u.role == "mentee" else self.mentor_extra
            extra = source.get(u.id, {})
            un_rows.append([u.id, u.role, u.reason, *(extra.get(c, "") for c in extra_cols)])
        files = {
            "pairs.csv": csv_bytes(header, rows, bom=bom, delimiter=delimiter),
            "unmatched.csv": csv_bytes(
                ["id", "role", "reason", *extra_cols], un_rows, bom=bom, delimiter=delimiter
            ),
            "summary.json": json_bytes(self._summary(version=version)),
        }
        if self.kind == "suggest":
            del files["pairs.csv"]
            files["suggestions.csv"] = csv_bytes(
                ["mentee_id", "rank", "mentor_id", "score", "reasons"]
                + [f"mentee_{c}" for c in self.mentee_extra_columns]
                + [f"mentor_{c}" for c in self.mentor_extra_columns],
                [
                    [p.mentee_id, p.rank or "", p.mentor_id, _fmt(p.score, comma), p.reasons]
                    + [
                        self.mentee_extra.get(p.mentee_id, {}).get(c, "")
                        for c in self.mentee_extra_columns
                    ]
                    + [
                        self.mentor_extra.get(p.mentor_id, {}).get(c, "")
                        for c in self.mentor_extra_columns
                    ]
                    for p in self.pairs
                ],
                bom=bom,
                delimiter=delimiter,
            )
        if self.changes:
            files["changes.csv"] = csv_bytes(
                ["mentee_id", "mentor_id", "change", "reason"],
                [[c.mentee_id, c.mentor_id, c.change, c.reason] for c in self.changes],
                bom=bom,
                delimiter=delimiter,
            )
        return files

    @gc_paused
    def write(
        self,
        out_dir: str | Path,
        *,
        bom: bool = False,
        delimiter: str = ",",
        extra_files: Mapping[str, bytes] | None = None,
    ) -> Path:
        """Write the output files into ``out_dir`` atomically (all or nothing).

        Parameters
        ----------
        out_dir : path
            Created if missing; matcher's own earlier outputs in it are replaced as a set,
            other files are kept.
        bom : bool
            UTF-8 byte-order mark on the CSV files, so that Excel shows accents.
        delimiter : str
            ``","`` (default), ``";"`` (French-language Excel; numbers then use a decimal
            comma) or a tab.
        extra_files : dict name -> bytes, optional
            More files to write in the same swap (the CLI's ``report.html``).

        Returns
        -------
        Path
            The output folder.
        """
        from matcher._version import __version__

        files = self.files(version=__version__, bom=bom, delimiter=delimiter)
        if extra_files:
            files.update(extra_files)
        return write_outputs(out_dir, files)
