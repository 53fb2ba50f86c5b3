"""The scoring model: the weighted mean of the criteria, the feasibility mask, explanations."""

from __future__ import annotations

import functools
import logging
import operator
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.profiles import CRITERIA, Participant, ProgramConfig, vocab
from matcher.scoring._criteria import CRITERION_FUNCS, Context, Part
from matcher.scoring._encode import Encoded, encode
from matcher.scoring._kernel import Kernel, build_kernel, known_pairs

__all__ = ["Candidates", "Explanation", "ScoringModel", "warm_up"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]

#: Cells per block: bounds the memory of one scoring pass (about 4 bytes x criteria x cells).
BLOCK_CELLS = 1_000_000
#: Mentee rows per call of the compiled kernel (a progress tick each).
KERNEL_ROWS = 4096
#: Blocks scored at once (numpy releases the GIL, so threads use the cores).
SCORING_THREADS = 2
#: Mentees sampled for a first search of mentors' best pairs (ScoringModel.best_for_mentors),
#: and the pairs kept per mentee in that search.
MENTOR_SAMPLE = 0.25
MENTOR_PAIRS_PER_ROW = 4


def score_floor(min_score: float) -> np.float32:
    """The lowest float32 total that counts as reaching ``min_score`` (a little tolerance for
    float32 rounding of the weighted mean)."""
    return np.float32(np.float32(min_score) - np.float32(1e-7))


@dataclass
class Candidates:
    """The sparse graph of allowed pairs (hard constraints hold and score >= min_score).

    ``rows``/``cols`` index mentees/mentors; the counts say, per participant, how many pairs pass
    the hard constraints (before ``min_score``), to explain who stays unmatched and why.
    """

    rows: npt.NDArray[np.int32]
    cols: npt.NDArray[np.int32]
    scores: npt.NDArray[np.float64]
    feasible_per_mentee: npt.NDArray[np.int64]
    feasible_per_mentor: npt.NDArray[np.int64]
    best_per_mentee: npt.NDArray[np.float64]  # best score among hard-feasible pairs, -1 if none
    best_per_mentor: npt.NDArray[np.float64]
    allowed_per_mentee: npt.NDArray[np.int64]  # pairs also at or above min_score
    allowed_per_mentor: npt.NDArray[np.int64]
    cutoff: npt.NDArray[np.float64]  # top-k only: every pair left out scores at most this
    dense: npt.NDArray[np.int32] | None = None  # every allowed score in 1e-6 units, -1 elsewhere
    #: True when the counts and bests are not exact (the compiled kernel skips pairs that cannot
    #: enter a mentee's top list, and feasible_per_mentee counts only the pairs it scored in
    #: full); ScoringModel.complete_stats makes them exact where needed.
    partial: bool = False

    def extend(
        self,
        rows: npt.NDArray[np.int32],
        cols: npt.NDArray[np.int32],
        scores: npt.NDArray[np.float64],
    ) -> None:
        """Add pairs (found by a certificate check) to the candidate graph."""
        self.rows = np.concatenate([self.rows, rows])
        self.cols = np.concatenate([self.cols, cols])
        self.scores = np.concatenate([self.scores, scores])

    def __len__(self) -> int:
        return int(self.rows.shape[0])


@dataclass
class Explanation:
    """Why a pair scores what it scores: each criterion's score, weight and a sentence."""

    mentee_id: str
    mentor_id: str
    score: float
    feasible: bool
    criteria: dict[str, float | None]
    weights: dict[str, float]
    contributions: dict[str, float]
    sentences: dict[str, str]
    blocked_by: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The sentences, strongest contribution first, in one line for a CSV cell."""
        order = sorted(self.sentences, key=lambda c: -self.contributions.get(c, 0.0))
        parts = [self.sentences[c] for c in order]
        if self.blocked_by:
            parts.insert(0, "not allowed: " + ", ".join(self.blocked_by))
        return "; ".join(parts)

    def __str__(self) -> str:
        return f"{self.mentee_id} ↔ {self.mentor_id}: {self.score:.3f} — {self.text}"


@dataclass
class _Block:
    total: npt.NDArray[np.float32]
    feasible: npt.NDArray[np.bool_]
    parts: dict[str, Part]


def _everyone(index: npt.NDArray[np.intp] | slice) -> bool:
    return isinstance(index, slice) and index == slice(None)


def _active_criteria(config: ProgramConfig) -> list[str]:
    """The criteria a programme scores or enforces, in the fixed order of ``CRITERIA``."""
    inactive = set()
    if config.profession_rule == "any":
        inactive.add("profession")
    if config.same_organization == "allow":
        inactive.add("organization")
    # region and availability also carry rules that hold whatever their weight
    return [
        name
        for name in CRITERIA
        if name not in inactive
        and (
            config.weight(name) > 0
            or config.hard(name)
            or name in ("region", "availability", "organization")
        )
    ]


class ScoringModel:
    """Scores every mentee against every mentor, in blocks; shapes are ``(n_mentees, n_mentors)``.

    Parameters
    ----------
    mentees, mentors : sequences of Participant
    config : ProgramConfig
    forbidden : pairs ``(mentee_id, mentor_id)`` never to use, on top of ``exclude`` lists.
    """

    def __init__(
        self,
        mentees: Sequence[Participant],
        mentors: Sequence[Participant],
        config: ProgramConfig,
        *,
        forbidden: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.mentees = list(mentees)
        self.mentors = list(mentors)
        self.config = config
        self.enc: Encoded = encode(self.mentees, self.mentors, config, forbidden=forbidden)
        self.active = _active_criteria(config)
        self._mentee_pos = {p.id: k for k, p in enumerate(self.mentees)}
        self._mentor_pos = {p.id: k for k, p in enumerate(self.mentors)}

    @classmethod
    def from_encoding(
        cls,
        mentees: Sequence[Participant],
        mentors: Sequence[Participant],
        config: ProgramConfig,
        enc: Encoded,
        *,
        mentor_pos: dict[str, int] | None = None,
    ) -> ScoringModel:
        """A model over an encoding built elsewhere (``MentorPool`` encodes its mentors once
        and one newcomer per call); ``enc`` must describe ``mentees`` x ``mentors`` in order.

        ``mentor_pos`` (mentor id -> column) may be passed to share one across calls.
        """
        model = cls.__new__(cls)
        model.mentees = list(mentees)
        model.mentors = list(mentors)
        model.config = config
        model.enc = enc
        model.active = _active_criteria(config)
        model._mentee_pos = {p.id: k for k, p in enumerate(model.mentees)}
        model._mentor_pos = (
            mentor_pos if mentor_pos is not None else {p.id: k for k, p in enumerate(model.mentors)}
        )
        return model

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_mentees, n_mentors)``."""
        return len(self.mentees), len(self.mentors)

    # -- blocks --------------------------------------------------------------------------

    def block(
        self,
        rows: npt.NDArray[np.intp] | slice,
        cols: npt.NDArray[np.intp] | slice = slice(None),
    ) -> _Block:
        enc = self.enc
        e = enc.mentees.take(rows)
        m = enc.mentors.take(cols)

        def pairs(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
            # every pair (one newcomer against a pool): no sparse re-indexing, which costs
            # more than the scoring at that size
            if _everyone(rows) and _everyone(cols):
                return matrix
            got: sparse.csr_matrix = matrix[rows][:, cols]
            return got

        ctx = Context(
            self.config,
            pairs(enc.mentee_rank_score),
            pairs(enc.mentor_rank_score),
            enc.mentee_ranks[rows],
            enc.mentor_ranks[cols],
        )
        shape = (len(e), len(m))
        num = np.zeros(shape, np.float32)
        den = np.zeros(shape, np.float32)
        feasible = pairs(enc.excluded).toarray() == 0
        parts: dict[str, Part] = {}
        for name in self.active:
            part = CRITERION_FUNCS[name](e, m, ctx)
            parts[name] = part
            weight = np.float32(self.config.weight(name))
            if part.applies is None:
                num += weight * part.score
                den += weight
            else:
                num += np.where(part.applies, weight * part.score, np.float32(0))
                den += np.where(part.applies, weight, np.float32(0))
            if self.config.hard(name) and part.ok is not None:
                feasible &= part.ok if part.applies is None else (part.ok | ~part.applies)
            if part.required is not None:
                feasible &= part.required
        total = np.divide(num, den, out=np.zeros(shape, np.float32), where=den > 0)
        return _Block(total, feasible, parts)

    def block_rows(self) -> int:
        """How many mentee rows one block holds."""
        return max(1, BLOCK_CELLS // max(len(self.mentors), 1))

    def score_matrix(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """The dense ``(n_mentees, n_mentors)`` scores and feasibility mask (small inputs only)."""
        b = self.block(slice(None))
        return b.total, b.feasible

    def candidates(
        self,
        min_score: float = 0.0,
        progress: Progress | None = None,
        *,
        top: int | None = None,
        keep_dense: bool = False,
    ) -> Candidates:
        """Allowed pairs: hard constraints hold and the score is at least ``min_score``.

        With ``top``, only each mentee's ``top`` best allowed pairs are kept and
        ``cutoff[i]`` is the lowest kept score of a mentee who had more (every pair left out
        scores at most that); counts and bests always cover every pair.  ``keep_dense`` also
        keeps every allowed score in ``dense`` (int32 millionths, -1 where not allowed), so a
        certificate can price left-out pairs without scoring them again.
        """
        n_e, n_m = self.shape
        if top is not None and not keep_dense and n_m > top and self.kernel is not None:
            return self._kernel_candidates(min_score, top, progress)
        step = self.block_rows()
        rows, cols, scores = [], [], []
        fe = np.zeros(n_e, np.int64)
        fm = np.zeros(n_m, np.int64)
        ae = np.zeros(n_e, np.int64)
        am = np.zeros(n_m, np.int64)
        be = np.full(n_e, -1.0)
        bm = np.full(n_m, -1.0)
        cutoff = np.full(n_e, -np.inf)
        floor = score_floor(min_score)
        dense = np.empty((n_e, n_m), np.int32) if keep_dense else None

        def work(start: int) -> tuple[Any, ...]:
            stop = min(start + step, n_e)
            block = self.block(slice(start, stop))
            masked = np.where(block.feasible, block.total, np.float32(-1))
            keep = block.feasible & (block.total >= floor)
            allowed = keep.sum(axis=1)
            if dense is not None:  # rows of one block only: threads never overlap
                units = np.rint(np.round(block.total.astype(np.float64), 6) * 1e6)
                dense[start:stop] = np.where(keep, units, -1)
            low = None
            if top is not None and n_m > top:
                values = np.where(keep, block.total, np.float32(-np.inf))
                best = np.argpartition(values, n_m - top, axis=1)[:, n_m - top :]
                taken = np.take_along_axis(values, best, axis=1)
                low = np.where(np.isfinite(taken), taken, np.float32(np.inf)).min(axis=1)
                low = np.where(allowed > top, np.round(low.astype(np.float64), 6), -np.inf)
                r, k = np.nonzero(np.isfinite(taken))
                c = best[r, k]
                vals = taken[r, k]
            else:
                r, c = np.nonzero(keep)
                vals = block.total[r, c]
            return (
                start,
                stop,
                block.feasible.sum(axis=1),
                block.feasible.sum(axis=0),
                masked.max(axis=1) if n_m else None,
                masked.max(axis=0) if n_m else None,
                allowed,
                keep.sum(axis=0),
                low,
                (r + start).astype(np.int32),
                c.astype(np.int32),
                np.round(vals.astype(np.float64), 6),
            )

        # numpy releases the GIL in its kernels: two blocks at a time use both cores
        with ThreadPoolExecutor(max_workers=SCORING_THREADS) as pool:
            for start, stop, f_row, f_col, b_row, b_col, a_row, a_col, low, r, c, vals in pool.map(
                work, range(0, n_e, step)
            ):
                fe[start:stop] = f_row
                fm += f_col
                ae[start:stop] = a_row
                am += a_col
                if b_row is not None:
                    be[start:stop] = b_row
                    bm = np.maximum(bm, b_col)
                if low is not None:
                    cutoff[start:stop] = low
                rows.append(r)
                cols.append(c)
                scores.append(vals)
                if progress is not None:
                    progress("scoring", stop / max(n_e, 1))
        empty_i = np.zeros(0, np.int32)
        return Candidates(
            np.concatenate(rows) if rows else empty_i,
            np.concatenate(cols) if cols else empty_i,
            np.concatenate(scores) if scores else np.zeros(0),
            fe,
            fm,
            be,
            bm,
            ae,
            am,
            cutoff,
            dense,
        )

    @functools.cached_property
    def kernel(self) -> Kernel | None:
        """The compiled scoring kernel, or None where it does not apply (see ``_kernel``)."""
        return build_kernel(self.enc, self.config, self.active)

    def _kernel_candidates(
        self, min_score: float, top: int, progress: Progress | None
    ) -> Candidates:
        """Each mentee's ``top`` best allowed pairs from the compiled kernel (partial stats)."""
        kernel = self.kernel
        assert kernel is not None
        n_e, n_m = self.shape
        floor = score_floor(min_score)
        step = max(256, KERNEL_ROWS)
        parts = []
        alike = kernel.alike(np.arange(n_e, dtype=np.int64))  # scanned in this order
        for start in range(0, n_e, step):
            rows = alike[start : start + step]
            parts.append(kernel.top_candidates_in_order(rows, top, float(floor)))
            if progress is not None:
                progress("scoring", min(start + step, n_e) / max(n_e, 1))
        back = np.empty(n_e, np.int64)
        back[alike] = np.arange(n_e)
        cols = np.concatenate([p[0] for p in parts])[back]
        vals = np.concatenate([p[1] for p in parts])[back]
        count = np.concatenate([p[2] for p in parts])[back]
        feasible = np.concatenate([p[3] for p in parts])[back]
        more = np.concatenate([p[4] for p in parts])[back]
        kept = np.arange(top)[None, :] < count[:, None]
        # each mentee's pairs in mentor order, so the candidate list does not depend on the heap
        order = np.argsort(np.where(kept, cols, n_m), axis=1, kind="stable")
        cols = np.take_along_axis(cols, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        r = np.broadcast_to(np.arange(n_e, dtype=np.int32)[:, None], kept.shape)[kept]
        best = np.where(count > 0, np.where(kept, vals, -np.inf).max(axis=1, initial=-np.inf), -1.0)
        worst = np.where(kept, vals, np.inf).min(axis=1, initial=np.inf)
        cutoff = np.where(more & (count > 0), np.round(worst.astype(np.float64), 6), -np.inf)
        return Candidates(
            r,
            cols[kept].astype(np.int32),
            np.round(vals[kept].astype(np.float64), 6).astype(np.float64),
            feasible,
            np.zeros(n_m, np.int64),
            np.round(best.astype(np.float64), 6).astype(np.float64),
            np.full(n_m, -1.0),
            count.astype(np.int64),
            np.zeros(n_m, np.int64),
            cutoff,
            partial=True,
        )

    def best_for_mentors(
        self, cand: Candidates, need: npt.NDArray[np.int64], min_score: float
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """Up to ``need[j]`` pairs of mentor j that ``cand`` does not hold, its best (rows,
        cols, scores).  Each mentee's own best list rarely names a mentor few mentees rank
        highly; these pairs give such a mentor mentees to fill its places with.

        From ``cand.dense`` when kept: exactly each mentor's best.  Otherwise by the compiled
        kernel, each mentee keeping its MENTOR_PAIRS_PER_ROW best of the mentors searched:
        first among a sample (MENTOR_SAMPLE) of the mentees, then among the others for the
        mentors still short.  Empty when neither applies (the certificate adds what is
        needed either way)."""
        n_e, n_m = self.shape
        empty = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        if not (need > 0).any() or n_e == 0:
            return empty
        known = known_pairs(cand.rows, cand.cols, self.shape)
        floor = float(score_floor(min_score))
        found: list[tuple[Any, Any, Any]] = []
        if cand.dense is not None:
            thin = np.flatnonzero(need > 0)
            units = cand.dense[:, thin]
            units[known[:, thin].toarray() > 0] = -1
            deepest = min(int(need[thin].max()), n_e)
            best = np.argsort(-units, axis=0, kind="stable")[:deepest]
            values = np.take_along_axis(units, best, axis=0)
            mentor = np.broadcast_to(thin[None, :], best.shape)
            ok = values >= 0
            found.append((best[ok], mentor[ok], values[ok]))
        elif self.kernel is not None:
            short = need.copy()
            sample = np.random.default_rng(0).random(n_e) < MENTOR_SAMPLE
            for rows in (np.flatnonzero(sample), np.flatnonzero(~sample)):
                if not (short > 0).any():
                    break
                r, c, u = self.kernel.best_of_mentors(
                    rows.astype(np.int64), short > 0, known, MENTOR_PAIRS_PER_ROW, floor
                )
                r, c, u = _best_per_mentor(r, c, u, short)
                found.append((r, c, u))
                short -= np.bincount(c, minlength=n_m)  # the next pass has other mentees
        else:
            return empty
        r = np.concatenate([f[0] for f in found]).astype(np.int32)
        c = np.concatenate([f[1] for f in found]).astype(np.int32)
        u = np.concatenate([f[2] for f in found]).astype(np.int64)
        r, c, u = _best_per_mentor(r, c, u, need)
        return r, c, u / 1e6

    def complete_stats(
        self, cand: Candidates, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
    ) -> None:
        """Exact counts and bests of ``cand`` for the mentees ``rows`` and mentors ``cols``
        (only those who need a reason read them), scoring their pairs again.  "Allowed" is
        counted against the programme's ``min_score``, as the candidates were made."""
        if not cand.partial:
            return
        floor = score_floor(self.config.min_score)
        n_e = len(self.mentees)
        step = self.block_rows()
        if self.kernel is not None and len(rows):
            chunk = np.asarray(rows, dtype=np.int64)
            allowed, feasible, best = self.kernel.row_stats(chunk, float(floor))
            cand.feasible_per_mentee[chunk] = feasible
            cand.allowed_per_mentee[chunk] = allowed
            cand.best_per_mentee[chunk] = np.round(best.astype(np.float64), 6)
            rows = np.zeros(0, np.intp)
        for start in range(0, len(rows), step):
            chunk = np.asarray(rows[start : start + step], dtype=np.intp)
            block = self.block(chunk)
            keep = block.feasible & (block.total >= floor)
            masked = np.where(block.feasible, block.total, np.float32(-1))
            cand.feasible_per_mentee[chunk] = block.feasible.sum(axis=1)
            cand.allowed_per_mentee[chunk] = keep.sum(axis=1)
            cand.best_per_mentee[chunk] = np.round(masked.max(axis=1).astype(np.float64), 6)
        cols = np.asarray(cols, dtype=np.intp)
        if cols.size:
            step = max(1, BLOCK_CELLS // cols.size)
            fm = np.zeros(cols.size, np.int64)
            am = np.zeros(cols.size, np.int64)
            bm = np.full(cols.size, -1.0, np.float32)
            for start in range(0, n_e, step):
                block = self.block(slice(start, min(start + step, n_e)), cols)
                fm += block.feasible.sum(axis=0)
                am += (block.feasible & (block.total >= floor)).sum(axis=0)
                bm = np.maximum(bm, np.where(block.feasible, block.total, -1).max(axis=0))
            cand.feasible_per_mentor[cols] = fm
            cand.allowed_per_mentor[cols] = am
            cand.best_per_mentor[cols] = np.round(bm.astype(np.float64), 6)

    def allowed_in_rows(
        self, rows: npt.NDArray[np.intp], min_score: float = 0.0
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """Every allowed pair of the given mentees (exact scores), in blocks."""
        step = self.block_rows()
        out_r, out_c, out_s = [], [], []
        floor = score_floor(min_score)
        for start in range(0, len(rows), step):
            chunk = np.asarray(rows[start : start + step], dtype=np.intp)
            block = self.block(chunk)
            keep = block.feasible & (block.total >= floor)
            r, c = np.nonzero(keep)
            out_r.append(chunk[r].astype(np.int32))
            out_c.append(c.astype(np.int32))
            out_s.append(np.round(block.total[r, c].astype(np.float64), 6))
        if not out_r:
            return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0)
        return np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_s)

    def pair_parts(
        self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp], chunk: int = 256
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], dict[str, npt.NDArray[np.float64]]]:
        """Total, feasibility and per-criterion scores (NaN where not applicable) of given pairs."""
        k = len(rows)
        total = np.zeros(k, np.float64)
        feasible = np.zeros(k, bool)
        per = {name: np.full(k, np.nan) for name in self.active}
        # by mentor: a chunk then spans few mentors, and its block is small
        order = np.argsort(np.asarray(cols), kind="stable")
        for start in range(0, k, chunk):
            at = order[start : start + chunk]
            r = np.asarray(rows)[at]
            c = np.asarray(cols)[at]
            ur, ir = np.unique(r, return_inverse=True)
            uc, ic = np.unique(c, return_inverse=True)
            block = self.block(ur, uc)
            total[at] = np.round(block.total[ir, ic].astype(np.float64), 6)
            feasible[at] = block.feasible[ir, ic]
            for name, part in block.parts.items():
                values = part.score[ir, ic].astype(np.float64)
                if part.applies is not None:
                    values = np.where(part.applies[ir, ic], values, np.nan)
                per[name][at] = values
        return total, feasible, per

    # -- explanations ----------------------------------------------------------------------

    def explain(self, mentee_id: str, mentor_id: str) -> Explanation:
        """Each criterion's score, weight, contribution and a sentence, for one pair."""
        try:
            i = self._mentee_pos[mentee_id]
        except KeyError:
            raise KeyError(f"no mentee with id {mentee_id!r}") from None
        try:
            j = self._mentor_pos[mentor_id]
        except KeyError:
            raise KeyError(f"no mentor with id {mentor_id!r}") from None
        block = self.block(np.array([i]), np.array([j]))
        e, m = self.mentees[i], self.mentors[j]
        criteria: dict[str, float | None] = {}
        weights: dict[str, float] = {}
        contributions: dict[str, float] = {}
        sentences: dict[str, str] = {}
        blocked: list[str] = []
        den = 0.0
        for name, part in block.parts.items():
            applies = True if part.applies is None else bool(part.applies[0, 0])
            if not applies:
                criteria[name] = None
                continue
            value = float(part.score[0, 0])
            criteria[name] = value
            weights[name] = self.config.weight(name)
            den += weights[name]
            sentences[name] = self._sentence(name, value, e, m)
            hard_fail = self.config.hard(name) and part.ok is not None and not bool(part.ok[0, 0])
            if hard_fail or (part.required is not None and not bool(part.required[0, 0])):
                blocked.append(name)
        for name in weights:
            score = criteria[name] or 0.0
            contributions[name] = weights[name] * score / den if den else 0.0
        if self.enc.excluded[i, j]:
            blocked.append("exclude")
            sentences["exclude"] = "one of them asked never to be paired with the other"
        return Explanation(
            mentee_id,
            mentor_id,
            round(float(block.total[0, 0]), 6),
            bool(block.feasible[0, 0]),
            criteria,
            weights,
            contributions,
            sentences,
            blocked,
        )

    def _sentence(self, name: str, value: float, e: Participant, m: Participant) -> str:
        if name == "specialty":
            covered = [a for a in e.specialties if a in m.specialties]
            kin = [
                a for a in e.specialties if a not in covered and _kin(a, m.specialties, self.config)
            ]
            missing = [a for a in e.specialties if a not in covered and a not in kin]
            text = f"covers {len(covered)} of {vocab.count(len(e.specialties), 'area')} sought"
            if covered:
                text += " (" + ", ".join(covered) + ")"
            if kin:
                text += "; related areas for " + ", ".join(kin)
            if missing:
                text += "; not covered: " + ", ".join(missing)
            return text
        if name == "language":
            shared = [lang for lang in e.languages if lang in m.languages]
            return f"both speak {'/'.join(shared)}" if shared else "no common language"
        if name == "format":
            shared = [f for f in e.formats if f in m.formats]
            return ("both accept " + "/".join(shared)) if shared else "no common meeting format"
        if name == "group_format":
            shared = [f for f in e.group_formats if f in m.group_formats]
            return ("both accept " + "/".join(shared)) if shared else "no common group format"
        if name == "availability":
            session = self.config.session_minutes
            minutes = round(value * session)
            if value >= 1.0:
                return f"at least {session} min/week of common availability"
            return f"{minutes} min/week of common availability, of the {session} a session needs"
        if name == "region":
            if e.region is not None and e.region == m.region:
                return f"same region ({e.region})"
            text = f"regions {e.region or '?'} and {m.region or '?'}"
            i, j = self._mentee_pos.get(e.id), self._mentor_pos.get(m.id)
            if i is None or j is None:  # pragma: no cover - sentences are for the model's own
                return text
            es, ms = self.enc.mentees, self.enc.mentors
            scale = self.config.distance_scale_km
            if es.has_xyz[i] and ms.has_xyz[j]:
                km = _haversine_km(
                    *np.degrees([es.lat[i], es.lon[i], ms.lat[j], ms.lon[j]]).tolist()
                )
                return text + f", {km:,.0f} km apart (closeness falls to 0 at {scale:,g} km)"
            gap = abs(float(es.utc_offset[i]) - float(ms.utc_offset[j]))
            if np.isnan(gap):
                return text + ", time zones unknown"
            if gap == 0:
                return text + ", same time zone"
            hours = f"{gap / 60:g} h"
            return text + f", {hours} time-zone difference (closeness falls to 0 at 3 h)"
        if name == "lived_experience":
            shared = [t for t in e.lived_experience if t in m.lived_experience]
            return (
                "shared lived experience" + (f" ({', '.join(shared)})" if shared else "")
                if value > 0
                else "no shared lived experience"
            )
        if name == "profession":
            return "same profession" if e.profession == m.profession else "different professions"
        if name == "experience":
            gap = (m.years_experience or 0) - (e.years_experience or 0)
            need = self.config.min_experience_gap
            if gap >= 0:
                text = f"mentor has {vocab.count(gap, 'more year')} of experience"
            else:
                text = f"mentor has {vocab.count(-gap, 'fewer year')} of experience than the mentee"
            if need == 0 and gap >= 0:
                return text
            if gap >= need:
                return text + f" (the rule asks for {need:g} more)"
            return text + f", {need - gap:g} short of the {need:g} more the rule asks for"
        if name == "gender":
            return (
                "mentor's gender is the one asked for"
                if value > 0
                else "mentor's gender is not the one asked for"
            )
        if name == "organization":
            return "different organisations" if value > 0 else "same organisation"
        if name == "preference":
            parts = []
            if m.id in e.preferences:
                parts.append(f"mentee ranked this mentor #{e.preferences.index(m.id) + 1}")
            if e.id in m.preferences:
                parts.append(f"mentor ranked this mentee #{m.preferences.index(e.id) + 1}")
            return "; ".join(parts) or "not among the stated preferences"
        return f"{name} {value:.2f}"  # pragma: no cover - every criterion has a sentence


def warm_up(config: ProgramConfig) -> threading.Thread:
    """Load the compiled loops (from numba's on-disk cache, about 0.5 s) on a background
    thread while the caller goes on reading and encoding; the first real call then finds them
    ready.  Returns the (daemon) thread."""

    def load() -> None:
        try:
            tiny = ScoringModel(
                [Participant(id="e", role="mentee")], [Participant(id="m", role="mentor")], config
            )
            kernel = tiny.kernel
            if kernel is not None:
                kernel.top_candidates(np.zeros(1, np.int64), 1, 0.0)
        except Exception:  # pragma: no cover - a warm-up must never fail the run
            log.debug("kernel warm-up failed", exc_info=True)

    thread = threading.Thread(target=load, name="matcher-kernel-warm-up", daemon=True)
    thread.start()
    return thread


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * 6371.0 * np.arcsin(np.sqrt(min(max(h, 0.0), 1.0))))


def _kin(area: str, covered: Sequence[str], config: ProgramConfig) -> bool:
    parent = vocab.parent_of(area, config.taxonomy)
    return (parent is not None and parent in covered) or any(
        vocab.parent_of(c, config.taxonomy) == area for c in covered
    )


def hard_masks(
    model: ScoringModel,
    rows: npt.NDArray[np.intp] | slice,
    cols: npt.NDArray[np.intp] | slice = slice(None),
) -> dict[str, npt.NDArray[np.bool_]]:
    """Per hard rule, where it holds on the block; the keys name the rule (``exclude`` too)."""
    block = model.block(rows, cols)
    out: dict[str, npt.NDArray[np.bool_]] = {}
    for name, part in block.parts.items():
        mask = np.ones(block.total.shape, bool)
        if model.config.hard(name) and part.ok is not None:
            mask &= part.ok if part.applies is None else (part.ok | ~part.applies)
        if part.required is not None:
            mask &= part.required
        if not mask.all():
            out[name] = mask
    excluded = model.enc.excluded[rows][:, cols].toarray() != 0
    if excluded.any():
        out["exclude"] = ~excluded
    return out


#: What each criterion's sentence reads besides its value (sentences are cached on these).
_SENTENCE_FIELDS: dict[str, tuple[str, ...]] = {
    "specialty": ("specialties",),
    "language": ("languages",),
    "format": ("formats",),
    "group_format": ("group_formats",),
    "availability": (),
    "region": ("region", "lat", "lon", "timezone"),
    "lived_experience": ("lived_experience",),
    "profession": ("profession",),
    "experience": ("years_experience",),
    "gender": (),
    "organization": (),
}


def pair_reasons_many(
    model: ScoringModel,
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    per: dict[str, npt.NDArray[np.float64]],
) -> list[str]:
    """:func:`pair_reasons` for many pairs at once (``per``: each criterion's scores, NaN
    where it does not apply), criterion by criterion; the same text as one pair at a time.

    A criterion's sentence depends only on its value and on the fields it reads of each side
    (``_SENTENCE_FIELDS``): each distinct (value, mentee fields, mentor fields) is written
    once and shared by the pairs that have it."""
    cfg = model.config
    names = [n for n in model.active if cfg.weight(n) > 0 or cfg.hard(n)]
    k = len(rows)
    if not names or k == 0:
        return [""] * k
    rows = np.asarray(rows, np.intp)
    cols = np.asarray(cols, np.intp)
    weights = np.array([cfg.weight(n) for n in names])
    values = np.column_stack([per[n] for n in names])
    # strongest first (weight x score), ties in criterion order, criteria without data last
    keys = np.where(np.isnan(values), np.inf, -weights[None, :] * np.nan_to_num(values))
    order = np.argsort(keys, axis=1, kind="stable")
    texts = np.full((k, len(names)), "", dtype=object)
    for c, n in enumerate(names):
        at = np.flatnonzero(~np.isnan(values[:, c]))
        if at.size == 0:
            continue
        fields = _SENTENCE_FIELDS.get(n)
        if fields is None:  # a sentence of its own per pair (stated rankings)
            texts[at, c] = [
                model._sentence(
                    n, float(values[q, c]), model.mentees[rows[q]], model.mentors[cols[q]]
                )
                for q in at.tolist()
            ]
            continue
        # one code per distinct (value, mentee fields, mentor fields), in two 1-D steps
        value = np.unique(values[at, c], return_inverse=True)[1].astype(np.int64)
        e_code = _field_codes(model, "mentee", fields)[rows[at]]
        m_code = _field_codes(model, "mentor", fields)[cols[at]]
        first_two = np.unique(value * (int(e_code.max()) + 1) + e_code, return_inverse=True)[1]
        key = first_two.astype(np.int64) * (int(m_code.max()) + 1) + m_code
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        written = np.empty(first.size, dtype=object)
        written[:] = [
            model._sentence(n, float(values[q, c]), model.mentees[rows[q]], model.mentors[cols[q]])
            for q in at[first].tolist()
        ]
        texts[at, c] = written[inverse.ravel()]
    ordered = np.take_along_axis(texts, order, axis=1)
    return ["; ".join(filter(None, line)) for line in ordered.tolist()]


def _field_codes(model: ScoringModel, side: str, fields: tuple[str, ...]) -> npt.NDArray[np.int64]:
    """A code per participant of ``side``, equal where the ``fields`` are (kept on the model)."""
    codes: dict[tuple[str, tuple[str, ...]], npt.NDArray[np.int64]]
    codes = model.__dict__.setdefault("_field_codes", {})
    found = codes.get((side, fields))
    if found is None:
        people = model.mentees if side == "mentee" else model.mentors
        if fields:
            seen: dict[Any, int] = {}
            read = operator.attrgetter(*fields)
            found = np.fromiter(
                (seen.setdefault(read(p), len(seen)) for p in people), np.int64, len(people)
            )
        else:
            found = np.zeros(len(people), np.int64)
        codes[(side, fields)] = found
    return found


def pair_reasons(model: ScoringModel, i: int, j: int, values: dict[str, float]) -> str:
    """One line for a CSV cell: the sentence of each applicable criterion, strongest first."""
    per = {n: np.array([values.get(n, np.nan)], np.float64) for n in model.active}
    return pair_reasons_many(model, np.array([i]), np.array([j]), per)[0]


def _best_per_mentor(
    rows: npt.NDArray[Any], cols: npt.NDArray[Any], units: npt.NDArray[Any], need: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """Per mentor j, its ``need[j]`` pairs of most units (ties: the lower row)."""
    take = best_per_group(cols, units, rows, need[cols])
    return rows[take], cols[take], units[take]


def best_per_group(
    group: npt.NDArray[Any],
    value: npt.NDArray[Any],
    tie: npt.NDArray[Any],
    limit: int | npt.NDArray[Any],
) -> npt.NDArray[np.intp]:
    """Positions of the ``limit`` largest ``value`` of each group (``limit`` per group or per
    element), ties by the lower ``tie``: grouped, largest first."""
    order = np.lexsort((tie, -value, group))
    ranked = group[order]
    rank = np.arange(order.size) - np.searchsorted(ranked, ranked, side="left")
    bound = np.asarray(limit)
    keep = rank < (bound if bound.ndim == 0 else bound[order])
    return order[keep]
