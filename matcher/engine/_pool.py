"""MentorPool: a stored programme's mentors, their loads, and suggestions for one newcomer."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher._errors import InvalidInputError, Problem
from matcher.io import (
    config_from_mapping,
    json_cell,
    load_config,
    load_participants,
    participants_from_table,
    table_from_rows,
)
from matcher.matching import Pair
from matcher.profiles import Participant, ProgramConfig
from matcher.scoring import ScoringModel, encode, pair_reasons_many

#: Availability bins are 15 minutes over a UTC week (as in matcher.scoring).
_BIN_MINUTES = 15

__all__ = ["MentorPool"]

log = logging.getLogger(__name__)

#: How many newcomers' allowed mentors assign() remembers (the most recently suggested for).
_REMEMBERED = 4096


def _pool_config(config: ProgramConfig | Mapping[str, Any] | str | Path | None) -> ProgramConfig:
    if config is None:
        return ProgramConfig()
    if isinstance(config, ProgramConfig):
        return config
    if isinstance(config, Mapping):
        return config_from_mapping(dict(config))
    return load_config(config)


def _names(values: Iterable[str | None]) -> dict[str, int]:
    """Codes in order of first appearance, as the encoder numbers them."""
    out: dict[str, int] = {}
    for v in values:
        if v is not None and v not in out:
            out[v] = len(out)
    return out


def _code(name: str | None, known: dict[str, int], fresh: dict[str, int]) -> int:
    """The pool's code for ``name``; a name no mentor has gets a code no mentor has."""
    if name is None:
        return -1
    if name in known:
        return known[name]
    return fresh.setdefault(name, len(known) + len(fresh))


class _MentorCodes:
    """The mentors encoded once, and how to encode one newcomer against them."""

    def __init__(self, mentors: list[Participant], config: ProgramConfig) -> None:
        self.config = config
        self.base = encode([], mentors, config)
        # its active criteria depend on the config only; copied for each newcomer
        self.template = ScoringModel([], [], config)
        m = self.base.mentors
        # one more column on every vocabulary-wide matrix, always 0 on the mentor side: the
        # newcomer's languages, areas and tags that no mentor has land there
        # Column-major (Fortran order): the criteria multiply one newcomer's row by the
        # transposed mentor matrices, which are then contiguous rows (several times faster
        # for one row against 20,000 mentors, and the same products).
        pad = np.zeros((len(m), 1), np.float32)
        self.side = dataclasses.replace(
            m,
            lang=np.asfortranarray(np.hstack([m.lang[:, : len(self.base.languages)], pad])),
            spec=np.asfortranarray(np.hstack([m.spec[:, : len(self.base.areas)], pad])),
            lived=np.asfortranarray(np.hstack([m.lived[:, : len(self.base.tags)], pad])),
        )
        #: (WEEK_BINS, n_mentors): a newcomer's bins are a few contiguous rows of this
        self.avail_by_bin = np.ascontiguousarray(m.avail.T, dtype=np.float32)
        self.lang = {n: k for k, n in enumerate(self.base.languages)}
        self.area = {n: k for k, n in enumerate(self.base.areas)}
        self.tag = {n: k for k, n in enumerate(self.base.tags)}
        self.region = {n: k for k, n in enumerate(self.base.regions)}
        self.prof = _names(p.profession for p in mentors)
        self.gender = _names([p.gender for p in mentors] + [p.gender_preference for p in mentors])
        self.org = _names(p.organization.casefold() if p.organization else None for p in mentors)
        self.ids = [p.id for p in mentors]
        pos = {p.id: k for k, p in enumerate(mentors)}
        self.pos = pos
        self.excluded_by: dict[str, list[int]] = {}
        self.ranked_by: dict[str, list[int]] = {}
        for k, p in enumerate(mentors):
            for other in p.exclude:
                self.excluded_by.setdefault(other, []).append(k)
            for other in p.preferences:
                self.ranked_by.setdefault(other, []).append(k)
        offsets = m.utc_offset
        self.known_offsets = offsets[~np.isnan(offsets)]
        self.base_fallback = (
            float(np.median(self.known_offsets)) if self.known_offsets.size else 0.0
        )
        self.unzoned = np.flatnonzero(np.isnan(offsets) & m.has_avail)
        self.any_avail = m.avail.any(axis=0)

    def model(self, mentee: Participant, mentors: list[Participant]) -> ScoringModel:
        """A scoring model of one mentee against every mentor, without encoding the mentors."""
        cfg = self.config
        one = encode([mentee], [], cfg)
        e = one.mentees
        n_m = len(self.ids)
        # the newcomer's vocabulary, mapped onto the mentors' codes
        lang = np.zeros((1, len(self.lang) + 1), np.float32)
        for name in mentee.languages:
            lang[0, self.lang.get(name, len(self.lang))] = 1.0
        first = mentee.languages[0] if mentee.languages else None
        first_lang = np.array(
            [-1 if first is None else self.lang.get(first, len(self.lang))], np.int32
        )
        spec = np.zeros((1, len(self.area) + 1), np.float32)
        for k, name in enumerate(one.areas):
            spec[0, self.area.get(name, len(self.area))] += e.spec[0, k]
        lived = np.zeros((1, len(self.tag) + 1), np.float32)
        for k, name in enumerate(one.tags):
            if e.lived[0, k] > 0:
                lived[0, self.tag.get(name, len(self.tag))] = 1.0
        fresh: dict[str, int] = {}
        org = mentee.organization.casefold() if mentee.organization else None
        gfresh: dict[str, int] = {}
        # a newcomer without a time zone takes the median of everyone's, as in a full run
        known = self.known_offsets
        if not np.isnan(e.utc_offset[0]):
            known = np.append(known, e.utc_offset[0])
        fallback = float(np.median(known)) if known.size else 0.0
        avail = e.avail
        if np.isnan(e.utc_offset[0]) and e.has_avail[0]:
            avail = np.roll(avail, int(np.rint(-fallback / _BIN_MINUTES)), axis=1)
        m_side = self.side
        shift = int(np.rint(-fallback / _BIN_MINUTES)) - int(
            np.rint(-self.base_fallback / _BIN_MINUTES)
        )
        by_bin = self.avail_by_bin
        if shift and self.unzoned.size:
            moved = m_side.avail.copy()
            moved[self.unzoned] = np.roll(moved[self.unzoned], shift, axis=1)
            m_side = dataclasses.replace(m_side, avail=moved)
            any_avail = moved.any(axis=0)
            by_bin = np.ascontiguousarray(moved.T, dtype=np.float32)
        else:
            any_avail = self.any_avail
        used = avail[0].astype(bool) & any_avail
        e_side = dataclasses.replace(
            e,
            lang=lang,
            first_lang=first_lang,
            spec=spec,
            lived=lived,
            region=np.array([_code(mentee.region, self.region, {})], np.int32),
            prof=np.array([_code(mentee.profession, self.prof, fresh)], np.int32),
            gender=np.array([_code(mentee.gender, self.gender, gfresh)], np.int32),
            gender_pref=np.array([_code(mentee.gender_preference, self.gender, gfresh)], np.int32),
            org=np.array([_code(org, self.org, {})], np.int32),
            avail=avail,
            avail_used=avail[:, used].astype(np.float32),
        )
        # (n_mentors, bins used) as the transposed view of a few rows: no 20,000-row gather
        m_side = dataclasses.replace(m_side, avail_used=by_bin[used].T)
        cols = [self.pos[i] for i in mentee.exclude if i in self.pos]
        cols += self.excluded_by.get(mentee.id, [])
        excluded = sparse.csr_matrix(
            (np.ones(len(cols), np.float32), (np.zeros(len(cols), np.int64), cols)),
            shape=(1, n_m),
        )
        excluded.data[:] = 1.0
        listed = [self.pos[t] for t in mentee.preferences if t in self.pos]
        mine = sparse.csr_matrix(
            (
                np.array(
                    [1.0 - r / max(len(listed), 1) * 0.75 for r in range(len(listed))], np.float32
                ),
                (np.zeros(len(listed), np.int64), listed),
            ),
            shape=(1, n_m),
        )
        theirs_cols = self.ranked_by.get(mentee.id, [])
        theirs = sparse.csr_matrix(
            (
                np.ones(len(theirs_cols), np.float32),
                (np.zeros(len(theirs_cols), np.int64), theirs_cols),
            ),
            shape=(1, n_m),
        )
        enc = dataclasses.replace(
            self.base,
            mentees=e_side,
            mentors=m_side,
            mentee_ids=[mentee.id],
            excluded=excluded,
            mentee_rank_score=mine,
            mentor_rank_score=theirs,
            mentee_ranks=np.array([bool(mentee.preferences)]),
        )
        return _with_encoding(self.template, mentee, mentors, enc, self.pos)

    def only(self, model: ScoringModel, cols: Any) -> ScoringModel:
        """``model`` restricted to the mentors ``cols`` (to explain a few pairs quickly)."""
        enc = model.enc
        sub = dataclasses.replace(
            enc,
            mentors=enc.mentors.take(cols),
            mentor_ids=[model.mentors[j].id for j in cols],
            excluded=enc.excluded[:, cols],
            mentee_rank_score=enc.mentee_rank_score[:, cols],
            mentor_rank_score=enc.mentor_rank_score[:, cols],
            mentor_ranks=enc.mentor_ranks[cols],
        )
        return _with_encoding(
            self.template, model.mentees[0], [model.mentors[j] for j in cols], sub
        )


def _with_encoding(
    template: ScoringModel,
    mentee: Participant,
    mentors: list[Participant],
    enc: Any,
    pos: dict[str, int] | None = None,
) -> ScoringModel:
    """A ScoringModel of one mentee over an encoding built here rather than by ``encode``."""
    return ScoringModel.from_encoding([mentee], mentors, template.config, enc, mentor_pos=pos)


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
        self._codes = _MentorCodes(self.mentors, self.config)
        self._capacity = np.array([m.capacity for m in self.mentors], np.int64)
        self._load = np.zeros(len(self.mentors), np.int64)
        self._pairs: set[tuple[str, str]] = set()
        #: for the newcomers suggested for lately: which mentors they may be paired with (hard
        #: rules and min_score), so that assign() refuses a pair a suggestion would never give
        self._allowed: OrderedDict[str, npt.NDArray[np.bool_]] = OrderedDict()
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
        from matcher._errors import InfeasibleError

        allowed = self._allowed.get(mentee_id)
        if allowed is not None and not allowed[k]:
            raise InfeasibleError(
                [
                    f"mentee '{mentee_id}' and mentor '{mentor_id}' break a hard rule or score "
                    "below min_score (suggest() names the mentors this mentee may have)"
                ]
            )
        if self._load[k] >= self._capacity[k]:
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
        table = table_from_rows("mentee", header, [[json_cell(v) for v in mentee.values()]])
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
        model = self._codes.model(person, self.mentors)
        total, feasible = model.score_matrix()  # (1, n_mentors): one vectorised pass
        # allowed as in a full run: hard rules hold and the score reaches min_score
        floor = np.float32(np.float32(self.config.min_score) - np.float32(1e-7))
        may = feasible[0] & (total[0] >= floor)
        self._allowed[person.id] = may
        self._allowed.move_to_end(person.id)
        if len(self._allowed) > _REMEMBERED:
            self._allowed.popitem(last=False)
        allowed = may & free
        keep = np.flatnonzero(allowed)
        scores = np.round(total[0, keep].astype(np.float64), 6)
        if keep.size > top:  # only the best scores (and their ties) are sorted by id
            cut = np.partition(scores, keep.size - top)[keep.size - top]
            keep, scores = keep[scores >= cut], scores[scores >= cut]
        order = sorted(range(keep.size), key=lambda k: (-scores[k], self.mentors[keep[k]].id))
        chosen = order[:top]
        cols = keep[chosen].astype(np.intp)
        best = scores[chosen]
        rows = np.zeros(len(cols), np.intp)
        few = self._codes.only(model, cols)
        _, _, per = few.pair_parts(rows, np.arange(len(cols)))
        reasons = pair_reasons_many(few, rows, np.arange(len(cols)), per)
        out = [
            Pair(
                person.id,
                self.mentors[j].id,
                float(score),
                criteria={
                    name: None if np.isnan(v[n]) else round(float(v[n]), 6)
                    for name, v in per.items()
                },
                reasons=reasons[n],
                rank=n + 1,
            )
            for n, (score, j) in enumerate(zip(best, cols, strict=True))
        ]
        log.info(
            "suggested %d of %d free mentors in %.1f ms",
            len(out),
            index.size,
            1000 * (time.perf_counter() - started),
        )
        return out
