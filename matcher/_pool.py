"""MentorPool: a stored programme's mentors, their loads, and suggestions for one newcomer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher._errors import InvalidInputError, Problem
from matcher.io import (
    config_from_mapping,
    load_config,
    load_participants,
    participants_from_table,
    table_from_rows,
)
from matcher.matching import Pair
from matcher.profiles import Participant, ProgramConfig
from matcher.scoring import ScoringModel

__all__ = ["MentorPool"]

log = logging.getLogger(__name__)


def _pool_config(config: ProgramConfig | Mapping[str, Any] | str | Path | None) -> ProgramConfig:
    if config is None:
        return ProgramConfig()
    if isinstance(config, ProgramConfig):
        return config
    if isinstance(config, Mapping):
        return config_from_mapping(dict(config))
    return load_config(config)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "|".join(_cell(v) for v in value)
    return str(value)


class MentorPool:
    """A programme's mentors held for real-time routing: one newcomer at a time.

    The mentors are read and checked once; :meth:`suggest` scores one mentee against every
    mentor with a place left (the programme's current loads), and :meth:`assign` /
    :meth:`release` change the loads.

    Parameters
    ----------
    mentors : path to a CSV file, pandas DataFrame, or list of Participant
    config : ProgramConfig, dict, or path to ``program.toml``, optional
    current : iterable of (mentee_id, mentor_id), optional
        Pairs already under way; each counts against its mentor's capacity.

    Examples
    --------
    >>> import matcher
    >>> pool = matcher.MentorPool(
    ...     [matcher.Participant(id="m1", role="mentor", specialties="chronic_pain"),
    ...      matcher.Participant(id="m2", role="mentor", specialties="oncology")])
    >>> [p.mentor_id for p in pool.suggest({"id": "e1", "specialties": "oncology"}, top=1)]
    ['m2']
    >>> pool.assign("e1", "m2")
    >>> [p.mentor_id for p in pool.suggest({"id": "e2", "specialties": "oncology"}, top=1)]
    ['m1']
    """

    def __init__(
        self,
        mentors: str | Path | Sequence[Participant] | Any,
        *,
        config: ProgramConfig | Mapping[str, Any] | str | Path | None = None,
        current: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.config = _pool_config(config)
        self.mentors: list[Participant] = load_participants(
            mentors, "mentor", self.config
        ).participants
        self._pos = {m.id: k for k, m in enumerate(self.mentors)}
        self._capacity = np.array([m.capacity for m in self.mentors], np.int64)
        self._load = np.zeros(len(self.mentors), np.int64)
        self._pairs: set[tuple[str, str]] = set()
        problems = []
        for mentee_id, mentor_id in current:
            if mentor_id not in self._pos:
                problems.append(
                    Problem("unknown mentor in a current pair", column="mentor_id", value=mentor_id)
                )
                continue
            if (mentee_id, mentor_id) not in self._pairs:
                self._pairs.add((mentee_id, mentor_id))
                self._load[self._pos[mentor_id]] += 1
        if problems:
            raise InvalidInputError(problems)

    # -- state ---------------------------------------------------------------------------

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The pairs under way, sorted."""
        return sorted(self._pairs)

    def load(self, mentor_id: str) -> int:
        """How many mentees ``mentor_id`` has now."""
        return int(self._load[self._mentor(mentor_id)])

    def capacity(self, mentor_id: str) -> int:
        return int(self._capacity[self._mentor(mentor_id)])

    def loads(self) -> dict[str, int]:
        """mentor id -> current load."""
        return {m.id: int(n) for m, n in zip(self.mentors, self._load, strict=True)}

    def _mentor(self, mentor_id: str) -> int:
        if mentor_id not in self._pos:
            raise InvalidInputError(
                [
                    Problem(
                        "unknown mentor",
                        column="mentor_id",
                        value=mentor_id,
                        expected="the id of a mentor in this pool",
                    )
                ]
            )
        return self._pos[mentor_id]

    def assign(self, mentee_id: str, mentor_id: str) -> None:
        """Record an accepted pair: the mentor's load rises (never past its capacity)."""
        k = self._mentor(mentor_id)
        if (mentee_id, mentor_id) in self._pairs:
            return
        if self._load[k] >= self._capacity[k]:
            from matcher._errors import InfeasibleError

            raise InfeasibleError(
                [f"mentor '{mentor_id}' is at capacity ({int(self._capacity[k])})"]
            )
        self._pairs.add((mentee_id, mentor_id))
        self._load[k] += 1

    def release(self, mentee_id: str, mentor_id: str) -> None:
        """End a pair: the mentor's load falls."""
        k = self._mentor(mentor_id)
        if (mentee_id, mentor_id) not in self._pairs:
            raise InvalidInputError(
                [
                    Problem(
                        "no such pair",
                        value=f"{mentee_id}/{mentor_id}",
                        expected="a pair recorded with assign() or current",
                    )
                ]
            )
        self._pairs.discard((mentee_id, mentor_id))
        self._load[k] -= 1

    # -- suggestions ---------------------------------------------------------------------

    def _mentee(self, mentee: Participant | Mapping[str, Any]) -> Participant:
        if isinstance(mentee, Participant):
            return mentee
        header = [str(k) for k in mentee]
        table = table_from_rows("mentee", header, [[_cell(v) for v in mentee.values()]])
        found = participants_from_table(table, "mentee", self.config).participants
        if len(found) != 1:
            raise InvalidInputError([Problem("expected one mentee", file="mentee")])
        return found[0]

    def suggest(self, mentee: Participant | Mapping[str, Any], top: int = 5) -> list[Pair]:
        """The ``top`` best mentors with a place left for one newcomer, with reasons.

        Ranked by score (then mentor id); never a mentor at capacity, one the mentee is
        already paired with, or a pair that breaks a hard rule or scores below ``min_score``.
        """
        if not isinstance(top, int) or top < 1:
            raise InvalidInputError(
                [Problem("invalid top", value=str(top), expected="an integer >= 1")]
            )
        started = time.perf_counter()
        person = self._mentee(mentee)
        free = self._load < self._capacity
        taken = {m for e, m in self._pairs if e == person.id}
        if taken:
            free &= np.array([m.id not in taken for m in self.mentors])
        index = np.flatnonzero(free)
        if index.size == 0:
            return []
        chosen = [self.mentors[k] for k in index]
        model = ScoringModel([person], chosen, self.config)
        cand = model.candidates(self.config.min_score)
        order = sorted(
            range(len(cand)), key=lambda k: (-float(cand.scores[k]), chosen[cand.cols[k]].id)
        )[:top]
        out = []
        for rank, k in enumerate(order, start=1):
            mentor = chosen[int(cand.cols[k])]
            why = model.explain(person.id, mentor.id)
            out.append(
                Pair(
                    person.id,
                    mentor.id,
                    float(cand.scores[k]),
                    criteria=dict(why.criteria),
                    reasons=why.text,
                    rank=rank,
                )
            )
        log.info(
            "suggested %d of %d free mentors in %.1f ms",
            len(out),
            index.size,
            1000 * (time.perf_counter() - started),
        )
        return out
