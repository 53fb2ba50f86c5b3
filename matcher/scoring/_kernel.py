"""The compiled scoring kernel (numba): the weighted mean of every criterion for one mentee row
against every mentor, fused into one loop with no mentee x mentor array in memory.

It reproduces :meth:`ScoringModel.block` bit for bit.  Criteria that depend on a few
categorical features (specialty, lived experience, language, formats, profession, experience,
gender, organisation) are evaluated *once per pair of feature classes* by the very numpy
functions in ``_criteria`` and looked up; availability (a popcount of 15-minute bins) and
region (distances) are computed inline with the same float32 operations as numpy.

Three loops use it (``Kernel`` methods, run on THREADS threads):

- :meth:`Kernel.top_candidates`: each mentee's ``top`` best allowed pairs.  Mentors are visited
  class by class of the first table, the classes by falling bound of the score; a class is
  skipped whole when the first table already bounds it below the bar, a pair stops as soon as
  an upper bound of its weighted mean (the criteria still to come at full score, counting only
  those that can apply to that mentee) falls below the list's worst score, and the scan stops
  once every pair kept scores 1.0.
- :meth:`Kernel.price`: the pairs whose score beats a per-pair threshold (a reduced-cost
  check), pruned by the same bounds; the classes go by falling top potential.
- :meth:`Kernel.row_stats`: every pair of some mentees scored, for exact counts and bests.

The mentor arrays are arranged in the order a loop visits them, and mentees alike in their
first table's class go side by side (:meth:`Kernel.alike`), so the loops read memory mostly in
sequence.

The kernel applies when every table fits (:data:`TABLE_CELLS`) and no one stated rankings
(``preference``); otherwise the numpy blocks are used.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.profiles import ProgramConfig
from matcher.scoring._criteria import CRITERION_FUNCS, EARTH_KM, Context
from matcher.scoring._encode import BIN_MINUTES, IN_PERSON, Encoded, Side

__all__ = ["Kernel", "build_kernel", "known_pairs"]

log = logging.getLogger(__name__)

#: Threads for the compiled loops, and mentee rows per task given to a thread.
THREADS = 2
CHUNK_ROWS = 256
#: A mentor potential below every pricing bar: a pair with such a mentor never qualifies.
_FAR = np.int64(1) << np.int64(61)
#: Largest lookup table (mentee classes x mentor classes) of one criterion.
TABLE_CELLS = 1 << 25

#: criterion -> (mentee fields, mentor fields) it reads; evaluated per class pair
TABLED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "specialty": (("spec",), ("spec",)),
    "lived_experience": (("lived", "n_lived"), ("lived",)),
    "language": (("lang", "first_lang"), ("lang",)),
    "format": (("fmt",), ("fmt",)),
    "group_format": (("gfmt",), ("gfmt",)),
    "profession": (("prof",), ("prof",)),
    "experience": (("years",), ("years",)),
    "gender": (("gender_pref",), ("gender",)),
    "organization": (("org",), ("org",)),
}

I32 = npt.NDArray[np.int32]


def _classes(side: Side, names: tuple[str, ...]) -> tuple[I32, npt.NDArray[np.intp]]:
    """Class of each row by the given fields, and one representative row per class."""
    n = len(side)
    parts = [np.ascontiguousarray(getattr(side, f)).reshape(n, -1).view(np.uint8) for f in names]
    rows = np.ascontiguousarray(np.concatenate([p.reshape(n, -1) for p in parts], axis=1))
    keys = rows.view(np.dtype((np.void, rows.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return inverse.astype(np.int32).ravel(), first


def _bits(avail_used: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
    packed = np.packbits(avail_used > 0, axis=1, bitorder="little")
    width = -(-max(packed.shape[1], 1) // 8) * 8
    out = np.zeros((packed.shape[0], width), np.uint8)
    out[:, : packed.shape[1]] = packed
    return out.view(np.uint64)


def _in_threads(work: Any, n: int) -> None:
    """``work(slice)`` over ``range(n)`` in chunks, on THREADS threads (the compiled loops
    release the GIL)."""
    chunks = [slice(k, min(k + CHUNK_ROWS, n)) for k in range(0, n, CHUNK_ROWS)]
    if len(chunks) <= 1:
        for part in chunks:
            work(part)
        return
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(work, chunks))


def _members(
    classes: I32,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every class (the ones a scan visits), and the rows of each class as CSR (pointers,
    rows in order)."""
    order = np.argsort(classes, kind="stable").astype(np.int64)
    counts = np.bincount(classes, minlength=int(classes.max(initial=-1)) + 1)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return np.arange(counts.size, dtype=np.int64), ptr, order


def known_pairs(
    rows: npt.NDArray[Any], cols: npt.NDArray[Any], shape: tuple[int, int]
) -> sparse.csr_matrix:
    """The pairs as a CSR matrix with each row's columns sorted, as :meth:`Kernel.price` reads
    the pairs it must skip."""
    known = sparse.csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=shape)
    known.sum_duplicates()
    return known


class KernelArgs(NamedTuple):
    """Everything the compiled loops read, by name (numba compiles a NamedTuple like a tuple,
    and the loops read its fields by name).  ``m_*`` arrays and ``m_cls`` have a row per mentor
    (:data:`_MENTOR_FIELDS`); the loops get them arranged in visiting order with ``m_id``."""

    #: each mentee's class in every table (n_e, n_tables)
    e_cls: Any
    #: each mentor's class in every table
    m_cls: Any
    #: every table's weighted score and weight, interleaved (num, den)
    t_nd: Any
    #: whether the hard rules allow each pair of classes
    t_ok: Any
    #: the tables that carry a hard rule
    t_hard: Any
    #: where each table starts in t_nd / t_ok
    t_off: Any
    #: each table's row length (mentor classes)
    t_width: Any
    #: how many tables come before availability in the weighted mean
    before: Any
    #: per mentee and step, the most weight still to come
    rest: Any
    #: exclusions (CSR by mentee): pointers
    ex_ptr: Any
    #: exclusions: mentors
    ex_idx: Any
    #: availability bins as 64-bit words
    e_bits: Any
    m_bits: Any
    #: whether the person gave availability
    e_has_av: Any
    m_has_av: Any
    #: weight of availability
    w_av: Any
    #: session length (minutes)
    session: Any
    #: minutes per availability bin
    bin_minutes: Any
    #: minutes of common availability required (0: none)
    needed: Any
    #: availability is a hard rule
    av_hard: Any
    #: a minimum overlap is set
    av_required: Any
    #: region code (-1: none)
    e_reg: Any
    m_reg: Any
    #: position on the unit sphere
    e_xyz: Any
    m_xyz: Any
    #: whether lat/lon were given
    e_has_xyz: Any
    m_has_xyz: Any
    #: UTC offset
    e_utc: Any
    m_utc: Any
    #: accepted formats (bits)
    e_fmt: Any
    m_fmt: Any
    #: weight of region
    w_reg: Any
    #: distance scale of the region score
    scale_km: Any
    #: earth radius (km)
    earth_km: Any
    #: region is a hard rule
    reg_hard: Any
    #: largest distance for in-person pairs (-1: none)
    in_person_max: Any
    #: the in-person format bit
    in_person_bit: Any
    #: the classes of the first table a scan visits, in order
    first_live: Any
    #: members of each class of the first table (CSR pointers)
    first_ptr: Any
    #: the mentor at each position of the mentor arrays (arranged in visiting order)
    m_id: Any


#: The fields with a row per mentor, arranged together in a scan's visiting order.
_MENTOR_FIELDS = ("m_cls", "m_bits", "m_has_av", "m_reg", "m_xyz", "m_has_xyz", "m_utc", "m_fmt")


@dataclass
class Kernel:
    """Everything the compiled loops need, as flat arrays.

    ``args`` holds the mentor arrays in input order and the classes of the first table (every
    class, CSR pointers, members by class).  The loops read mentors class by class, so they
    are given the mentor arrays arranged in that visiting order (:meth:`_arranged`): a scan
    then reads them in sequence rather than all over memory."""

    args: KernelArgs
    n_mentors: int

    def _arranged(self, order: npt.NDArray[np.int64], live: npt.NDArray[np.int64]) -> KernelArgs:
        """``args`` with the mentor arrays taken in ``order`` (every mentor once; class c at
        positions ``ptr[c]:ptr[c + 1]``), the classes ``live`` to visit and the mentor at each
        position (``m_id``)."""
        arranged = {f: np.ascontiguousarray(getattr(self.args, f)[order]) for f in _MENTOR_FIELDS}
        return self.args._replace(**arranged, first_live=live, m_id=order)

    @functools.cached_property
    def _by_class(self) -> KernelArgs:
        """``args`` arranged class by class (the order of ranking and statistics scans)."""
        members = self.args.m_id
        order = members if members.size == self.n_mentors else np.arange(self.n_mentors)
        return self._arranged(order.astype(np.int64), self.args.first_live)

    def top_candidates(
        self, rows: npt.NDArray[np.int64], top: int, floor: float
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.int32], Any, Any]:
        """Per mentee of ``rows``: the ``top`` best allowed mentors (cols, float32 scores,
        count), the number of hard-feasible mentors, and whether pairs were left out."""

        alike = self.alike(rows)
        back = np.empty(rows.size, np.int64)
        back[alike] = np.arange(rows.size)
        cols, vals, count, feasible, more = self.top_candidates_in_order(rows[alike], top, floor)
        return cols[back], vals[back], count[back], feasible[back], more[back]

    def alike(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """An order of ``rows`` that puts side by side the rows alike in their first table's
        class and in the weight still to come after it: a run of such rows shares the order
        in which it visits the classes (see ``_jit.top_candidates``), and the table's row."""
        e_cls, rest = self.args.e_cls, self.args.rest
        if not e_cls.shape[1]:
            return np.arange(rows.size, dtype=np.int64)
        return np.lexsort((rest[rows, 0], e_cls[rows, 0])).astype(np.int64)

    def top_candidates_in_order(
        self, rows: npt.NDArray[np.int64], top: int, floor: float
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.int32], Any, Any]:
        """:meth:`top_candidates` with the rows scanned in the order given."""
        from matcher.scoring import _jit

        args = self._by_class
        n = rows.size
        cols = np.full((n, top), -1, np.int32)
        vals = np.full((n, top), -np.inf, np.float32)
        count = np.zeros(n, np.int32)
        feasible = np.zeros(n, np.int64)
        more = np.zeros(n, np.bool_)

        def work(part: slice) -> None:
            _jit.top_candidates(
                rows[part],
                top,
                np.float32(floor),
                cols[part],
                vals[part],
                count[part],
                feasible[part],
                more[part],
                args,
            )

        _in_threads(work, n)
        return cols, vals, count, feasible, more

    def price(
        self,
        rows: npt.NDArray[np.int64],
        limit: npt.NDArray[np.int64],
        mentor_potential: npt.NDArray[np.int64],
        known: sparse.csr_matrix,
        per_row: int,
        floor: float,
        slack: int = 0,
        mentors: npt.NDArray[np.bool_] | None = None,
        *,
        ranked: bool = False,
        accept: npt.NDArray[np.int64] | None = None,
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Per mentee of ``rows``, up to ``per_row`` allowed pairs not in ``known`` whose score
        in 1e-6 units exceeds ``limit[i] - slack - mentor_potential[j]``, the largest excess
        first: (rows, cols, score units).  With ``mentors``, only those mentors can qualify
        (the others get a potential below every bar) and only their classes are visited.

        The classes go by falling top potential, so that a row stops at the first no score
        carries over its bar; ``ranked``: in ranking's order for each row instead (by falling
        bound of the score), which raises the bar sooner when every class has the same top
        potential.  ``accept``: per mentor, the score units below which it
        turns a mentee down (deferred acceptance's bar): pairs under it do not qualify."""
        from matcher.scoring import _jit

        if mentors is not None:
            mentor_potential = np.where(mentors, mentor_potential, -_FAR).astype(np.int64)

        n = rows.size
        cols = np.full((n, per_row), -1, np.int32)
        units = np.zeros((n, per_row), np.int64)
        count = np.zeros(n, np.int32)
        # per class of the first table, its members' largest potential (the lowest bar)
        ptr, members = self.args.first_ptr, self.args.m_id
        if members.size:
            class_top = np.maximum.reduceat(mentor_potential[members], ptr[:-1])
        else:
            class_top = np.zeros(1, np.int64)
        known_ptr = known.indptr.astype(np.int64)
        known_idx = known.indices.astype(np.int32)
        class_top = class_top.astype(np.int64)
        # each class's members by falling potential: the bar rises along the class, so the
        # loop stops at the first member the class's own value cannot carry over it.  With no
        # table before availability the loop runs over every mentor in one go: all of them
        # by falling potential, then
        before = self.args.before  # tables before availability
        if before == 0:
            order = np.argsort(-mentor_potential, kind="stable").astype(np.int64)
            args = self._arranged(order, self.args.first_live)
        else:
            of_class = np.repeat(np.arange(ptr.size - 1), np.diff(ptr))
            order = members[np.lexsort((-mentor_potential[members], of_class))]
            live = self.args.first_live
            if mentors is not None:
                live = np.unique(of_class[np.argsort(members)][mentors]).astype(np.int64)
            # the classes by falling top potential: a row's bar only rises along them
            live = live[np.argsort(-class_top[live], kind="stable")]
            args = self._arranged(order.astype(np.int64), live)
        mentor_potential = np.ascontiguousarray(mentor_potential[order])  # by position
        bars = (
            np.zeros(0, np.int64)
            if accept is None
            else np.ascontiguousarray(accept[order].astype(np.int64))
        )
        # scanned in this order (alike rows share the table's row), reported in the given one
        scan = self.alike(rows)
        alike = rows[scan]

        def work(part: slice) -> None:
            _jit.price(
                alike[part],
                limit,
                slack,
                mentor_potential,
                class_top,
                known_ptr,
                known_idx,
                per_row,
                np.float32(floor),
                cols[part],
                units[part],
                count[part],
                args,
                not ranked,
                bars,
            )

        _in_threads(work, n)
        back = np.empty(n, np.int64)
        back[scan] = np.arange(n)
        cols, units, count = cols[back], units[back], count[back]
        mask = np.arange(per_row)[None, :] < count[:, None]
        r = np.broadcast_to(rows[:, None], mask.shape)[mask]
        return r.astype(np.int32), cols[mask], units[mask]

    def best_of_mentors(
        self,
        rows: npt.NDArray[np.int64],
        mentors: npt.NDArray[np.bool_],
        known: sparse.csr_matrix,
        per_row: int,
        floor: float,
        accept: npt.NDArray[np.int64] | None = None,
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Per mentee of ``rows``, its ``per_row`` best allowed pairs with the ``mentors``
        marked, not in ``known`` (and reaching ``accept``, see :meth:`price`): a pricing
        pass in which only those mentors can qualify."""
        potential = np.zeros(mentors.size, np.int64)
        limit = np.full(known.shape[0], -(np.int64(1) << 50), np.int64)
        # every mentor marked has the same potential: their classes go as in ranking
        return self.price(
            rows,
            limit,
            potential,
            known,
            per_row,
            floor,
            mentors=mentors,
            ranked=True,
            accept=accept,
        )

    def row_stats(
        self, rows: npt.NDArray[np.int64], floor: float
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Per mentee of ``rows``, exactly: allowed pairs, hard-feasible pairs, best feasible
        score (-1 where none)."""
        from matcher.scoring import _jit

        args = self._by_class  # before the threads: a cached property
        n = rows.size
        allowed = np.zeros(n, np.int64)
        feasible = np.zeros(n, np.int64)
        best = np.full(n, -1.0, np.float32)

        def work(part: slice) -> None:
            _jit.row_stats(
                rows[part],
                np.float32(floor),
                allowed[part],
                feasible[part],
                best[part],
                args,
            )

        _in_threads(work, n)
        return allowed, feasible, np.where(np.isfinite(best), best, np.float32(-1))


#: About how long numba takes to compile the kernel's loops the first time (measured: 17 CPU s
#: on a 2-core host, about 35 s of waiting when the other core is busy); later runs load them
#: from numba's on-disk cache in about half a second.
COMPILE_S = 20


def kernel_cached() -> bool | None:
    """Whether the kernel's main loop is compiled already: in this process, or in numba's
    on-disk cache for this numba and this source.  None when numba's cache cannot be read
    (then the caller cannot tell)."""
    try:
        from matcher.scoring import _jit

        loop: Any = _jit.top_candidates
        if loop.signatures:
            return True
        # numba's own reader of the cache index: {} when absent, stale or from another numba
        return bool(loop._cache._cache_file._load_index())
    except Exception:  # a private numba detail: never fail a run over it
        log.debug("cannot read numba's cache index", exc_info=True)
        return None


def build_kernel(enc: Encoded, cfg: ProgramConfig, active: Sequence[str]) -> Kernel | None:
    """The kernel for encoded profiles scored on the ``active`` criteria (in the weighted
    mean's order, as :class:`ScoringModel` keeps them), or None where it does not apply."""
    e, m = enc.mentees, enc.mentors
    if not len(e) or not len(m):
        return None  # nothing to scan (and no class of an empty side to compute)
    if "preference" in active and (enc.mentee_ranks.any() or enc.mentor_ranks.any()):
        return None
    names = [n for n in active if n != "preference"]
    tabled = [n for n in names if n in TABLED]
    e_cls = np.zeros((len(e), len(tabled)), np.int32)
    m_cls = np.zeros((len(m), len(tabled)), np.int32)
    parts: list[Any] = []
    shapes: list[tuple[int, int]] = []
    offsets = np.zeros(len(tabled), np.int64)
    widths = np.zeros(len(tabled), np.int64)
    at = 0
    for t, name in enumerate(tabled):
        fe, fm = TABLED[name]
        e_cls[:, t], e_rep = _classes(e, fe)
        m_cls[:, t], m_rep = _classes(m, fm)
        if e_rep.size * m_rep.size > TABLE_CELLS:
            log.info("kernel off: %s has %d x %d classes", name, e_rep.size, m_rep.size)
            return None
        se, sm = e.take(e_rep), m.take(m_rep)
        shape = (len(se), len(sm))
        ctx = Context(
            cfg,
            sparse.csr_matrix(shape, dtype=np.float32),
            sparse.csr_matrix(shape, dtype=np.float32),
            np.zeros(shape[0], bool),
            np.zeros(shape[1], bool),
        )
        parts.append(CRITERION_FUNCS[name](se, sm, ctx))
        shapes.append(shape)
        offsets[t] = at
        widths[t] = shape[1]
        at += shape[0] * shape[1]
    # every table's weighted score and weight, interleaved (num, den) as the loops read them,
    # and whether the hard rules allow the pair (read only for the tables in ``hard``)
    num_den = np.zeros(2 * at, np.float32)
    t_ok = np.ones(at, np.bool_)
    hard_tables: list[int] = []
    applies_by_class: list[npt.NDArray[np.bool_]] = []
    for t, (name, part, shape) in enumerate(zip(tabled, parts, shapes, strict=True)):
        lo, hi = int(offsets[t]), int(offsets[t]) + shape[0] * shape[1]
        w = np.float32(cfg.weight(name))
        num = num_den[2 * lo : 2 * hi : 2].reshape(shape)
        den = num_den[2 * lo + 1 : 2 * hi : 2].reshape(shape)
        num[...] = w * part.score  # the product in its own precision, then float32
        if part.applies is None:
            den[...] = w
            applies_by_class.append(np.full(shape[0], w > 0))
        else:
            np.copyto(num, np.float32(0), where=~part.applies)
            np.copyto(den, w, where=part.applies)
            applies = np.broadcast_to(part.applies, shape)
            applies_by_class.append(np.asarray(applies.any(axis=1) & (w > 0), dtype=bool))
        ok = t_ok[lo:hi].reshape(shape)
        ruled = False
        if cfg.hard(name) and part.ok is not None:
            ok &= part.ok if part.applies is None else (part.ok | ~part.applies)
            ruled = True
        if part.required is not None:
            ok &= part.required
            ruled = True
        if ruled and not ok.all():
            hard_tables.append(t)
    del parts
    # the order of the weighted mean: tables before availability, availability, region, rest
    slot = {n: k for k, n in enumerate(names)}
    before = sum(1 for n in tabled if slot[n] < slot["availability"])
    if not slot["availability"] < slot["region"] or any(
        slot["availability"] < slot[n] < slot["region"] for n in tabled
    ):
        return None  # pragma: no cover - CRITERIA keeps availability then region
    # rest[i, k]: the most weight the criteria after step k can still add for mentee i (the
    # criteria that can apply to that mentee at all)
    steps = [*tabled[:before], "availability", "region", *tabled[before:]]
    can = np.ones((len(e), len(steps)), bool)
    for k, name in enumerate(steps):
        if name == "availability":
            can[:, k] = e.has_avail & m.has_avail.any()
        elif name == "region":
            can[:, k] = ((e.region >= 0) & (m.region >= 0).any()) | (e.has_xyz & m.has_xyz.any())
        else:
            t = tabled.index(name)
            can[:, k] = applies_by_class[t][e_cls[:, t]]
    step_w = np.array([cfg.weight(n) for n in steps], np.float64)
    later = np.cumsum((can * step_w)[:, ::-1], axis=1)[:, ::-1]
    rest = np.ascontiguousarray(np.concatenate([later[:, 1:], np.zeros((len(e), 1))], axis=1))
    excluded = enc.excluded.tocsr()
    excluded.sort_indices()
    min_overlap = int(cfg.min_overlap_minutes)
    avail_hard = bool(cfg.hard("availability"))
    needed = max(min_overlap, 1 if avail_hard else 0)
    in_person_max = -1.0 if cfg.in_person_max_km is None else float(cfg.in_person_max_km)
    hard = np.array(hard_tables, np.int64)
    first_live, first_ptr, m_id = _members(m_cls[:, 0] if len(tabled) else np.zeros(0, np.int32))
    args = KernelArgs(
        e_cls=e_cls,
        m_cls=m_cls,
        t_nd=num_den,
        t_ok=t_ok,
        t_hard=hard,
        t_off=offsets,
        t_width=widths,
        before=before,
        rest=rest,
        ex_ptr=excluded.indptr.astype(np.int64),
        ex_idx=excluded.indices.astype(np.int32),
        e_bits=_bits(e.avail_used),
        m_bits=_bits(m.avail_used),
        e_has_av=e.has_avail,
        m_has_av=m.has_avail,
        w_av=np.float32(cfg.weight("availability")),
        session=np.float32(cfg.session_minutes),
        bin_minutes=np.float32(BIN_MINUTES),
        needed=float(needed),
        av_hard=avail_hard,
        av_required=min_overlap > 0,
        e_reg=e.region,
        m_reg=m.region,
        e_xyz=np.ascontiguousarray(e.xyz),
        m_xyz=np.ascontiguousarray(m.xyz),
        e_has_xyz=e.has_xyz,
        m_has_xyz=m.has_xyz,
        e_utc=e.utc_offset,
        m_utc=m.utc_offset,
        e_fmt=e.fmt,
        m_fmt=m.fmt,
        w_reg=np.float32(cfg.weight("region")),
        scale_km=np.float32(cfg.distance_scale_km),
        earth_km=np.float32(EARTH_KM),
        reg_hard=bool(cfg.hard("region")),
        in_person_max=in_person_max,
        in_person_bit=int(IN_PERSON),
        first_live=first_live,
        first_ptr=first_ptr,
        m_id=m_id,
    )
    assert all(np.shape(getattr(args, f))[0] == len(m) for f in _MENTOR_FIELDS)
    return Kernel(args, len(m))
