"""Vectorised criteria.  Each takes a block of mentees and a block of mentors (as arrays) and
returns a :class:`Part` whose arrays all have shape ``(n_mentees_in_block, n_mentors_in_block)``.

- ``score`` in [0, 1];
- ``applies``: where the criterion has the data it needs (elsewhere it is left out of the
  weighted mean: missing data neither helps nor hurts);
- ``ok``: where the pair passes the criterion when the programme makes it hard;
- ``required``: a rule that always holds whatever the weights (in-person pairs in one region).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.profiles import ProgramConfig
from matcher.scoring._encode import BIN_MINUTES, IN_PERSON, Side

__all__ = ["CRITERION_FUNCS", "Context", "Part"]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

EARTH_KM = 6371.0


@dataclass
class Part:
    """One criterion's verdict on a block of pairs."""

    score: F32
    applies: Bool | None = None
    ok: Bool | None = None
    required: Bool | None = None


@dataclass
class Context:
    """What a criterion may need besides the two sides: the config and pair-level facts."""

    config: ProgramConfig
    mentee_rank: sparse.csr_matrix  # block of the mentee-side ranking scores
    mentor_rank: sparse.csr_matrix
    mentee_ranks: Bool  # (b,) mentee stated rankings
    mentor_ranks: Bool  # (c,)


def _outer_and(a: Bool, b: Bool) -> Bool:
    return np.logical_and.outer(a, b)


def _products(e: F32, m: F32) -> F32:
    """``e @ m.T``, shape ``(len(e), len(m))``.

    One mentee row against column-major mentors (how ``MentorPool`` lays them out) is summed
    over the row's non-zero columns, each a contiguous mentor column: no BLAS call, whose
    thread hand-offs cost more than the product for one newcomer on a busy machine.
    """
    if e.shape[0] == 1 and m.flags.f_contiguous and not m.flags.c_contiguous:
        row = e[0]
        out = np.zeros((1, m.shape[0]), np.float32)
        for k in np.flatnonzero(row).tolist():
            out[0] += row[k] * m[:, k]
        return out
    got: F32 = e @ m.T
    return got


def specialty(e: Side, m: Side, ctx: Context) -> Part:
    """Share of the areas the mentee seeks that the mentor covers (taxonomy kin: half credit)."""
    coverage = np.clip(_products(e.spec, m.spec), 0.0, 1.0).astype(np.float32)
    sought = e.spec.sum(axis=1) > 0
    applies = np.broadcast_to(sought[:, None], coverage.shape)
    return Part(coverage, applies, coverage > 0)


def language(e: Side, m: Side, ctx: Context) -> Part:
    """1 if the mentor speaks the mentee's first language, 0.75 another shared one, else 0."""
    shared = _products(e.lang, m.lang) > 0
    first = np.zeros(shared.shape, dtype=bool)
    has_first = e.first_lang >= 0
    if has_first.any():
        first[has_first] = m.lang.T[e.first_lang[has_first]] > 0
    score = np.where(first, 1.0, np.where(shared, 0.75, 0.0)).astype(np.float32)
    applies = _outer_and(e.lang.sum(axis=1) > 0, m.lang.sum(axis=1) > 0)
    return Part(score, applies, shared)


def format_(e: Side, m: Side, ctx: Context) -> Part:
    """1 if at least one meeting format (in person, virtual, phone) is accepted by both."""
    common = np.bitwise_and.outer(e.fmt, m.fmt) > 0
    applies = _outer_and(e.fmt > 0, m.fmt > 0)
    return Part(common.astype(np.float32), applies, common)


def group_format(e: Side, m: Side, ctx: Context) -> Part:
    """1 if both accept a common group format (one-to-one, small group, large group)."""
    common = np.bitwise_and.outer(e.gfmt, m.gfmt) > 0
    applies = _outer_and(e.gfmt > 0, m.gfmt > 0)
    return Part(common.astype(np.float32), applies, common)


def _distance_km(e: Side, m: Side) -> F32:
    """Straight-line (chord) distances between the points on the Earth's surface, NaN where
    either side has no coordinates.  Elementwise float32 operations only (no matrix product,
    no arccos), so that the compiled kernel (``_kernel``) reproduces them bit for bit; the
    chord is within 0.05 % of the great-circle distance up to 1,000 km."""
    d2 = np.zeros((len(e), len(m)), np.float32)
    for k in range(3):
        diff = e.xyz[:, k, None] - m.xyz[None, :, k]
        d2 += diff * diff
    km: F32 = np.float32(EARTH_KM) * np.sqrt(d2)
    km[~_outer_and(e.has_xyz, m.has_xyz)] = np.nan
    return km


def region(e: Side, m: Side, ctx: Context) -> Part:
    """Same region 1; else closeness by distance when both have coordinates; else by time-zone
    gap (0.5 at most).  Pairs who can only meet in person must share a region (or be within
    ``in_person_max_km`` when that is set and coordinates are known)."""
    cfg = ctx.config
    same = (e.region[:, None] == m.region[None, :]) & (e.region[:, None] >= 0)
    km = _distance_km(e, m)
    has_km = ~np.isnan(km)
    by_km = np.clip(1.0 - np.nan_to_num(km, nan=0.0) / cfg.distance_scale_km, 0.0, 1.0)
    gap = np.abs(e.utc_offset[:, None] - m.utc_offset[None, :])
    by_tz = 0.5 * np.clip(1.0 - np.nan_to_num(gap, nan=180.0) / 180.0, 0.0, 1.0)
    score = np.where(same, 1.0, np.where(has_km, by_km, by_tz)).astype(np.float32)
    known = _outer_and(e.region >= 0, m.region >= 0) | has_km
    in_person_only = np.bitwise_and.outer(e.fmt, m.fmt) == IN_PERSON
    near = same | ~_outer_and(e.region >= 0, m.region >= 0)
    if cfg.in_person_max_km is not None:
        near = near | (has_km & (np.nan_to_num(km, nan=np.inf) <= cfg.in_person_max_km))
    return Part(score, known, same | ~known, ~in_person_only | near)


def availability(e: Side, m: Side, ctx: Context) -> Part:
    """Common weekly minutes (after time-zone conversion) over the session length, capped at 1."""
    cfg = ctx.config
    minutes = _products(e.avail_used, m.avail_used) * np.float32(BIN_MINUTES)
    score = np.minimum(minutes / cfg.session_minutes, 1.0).astype(np.float32)
    applies = _outer_and(e.has_avail, m.has_avail)
    needed = max(cfg.min_overlap_minutes, 1 if cfg.hard("availability") else 0)
    ok = minutes >= needed
    required = (ok | ~applies) if cfg.min_overlap_minutes > 0 else None
    return Part(score, applies, ok, required)


def lived_experience(e: Side, m: Side, ctx: Context) -> Part:
    """Share of the mentee's lived-experience tags the mentor shares; both must have consented
    (tags without consent were dropped by the encoder)."""
    shared = _products(e.lived, m.lived)
    n = np.maximum(e.n_lived, 1.0)
    score = np.clip(shared / n[:, None], 0.0, 1.0).astype(np.float32)
    applies = np.broadcast_to((e.n_lived > 0)[:, None], score.shape)
    return Part(score, applies, score > 0)


def profession(e: Side, m: Side, ctx: Context) -> Part:
    """The programme's rule: same profession, different profession, or any (not scored)."""
    rule = ctx.config.profession_rule
    same = e.prof[:, None] == m.prof[None, :]
    known = _outer_and(e.prof >= 0, m.prof >= 0)
    if rule == "any":
        return Part(np.zeros(same.shape, np.float32), np.zeros(same.shape, bool), None)
    good = same if rule == "same" else ~same
    return Part(good.astype(np.float32), known, good | ~known)


def experience(e: Side, m: Side, ctx: Context) -> Part:
    """1 if the mentor has at least ``min_experience_gap`` more years; 0.1 less per year short."""
    need = ctx.config.min_experience_gap
    gap = m.years[None, :] - e.years[:, None]
    known = ~np.isnan(gap)
    gap = np.nan_to_num(gap, nan=0.0)
    score = np.clip(1.0 - (need - gap) / 10.0, 0.0, 1.0).astype(np.float32)
    score[gap >= need] = 1.0
    return Part(score, known, (gap >= need) | ~known)


def gender(e: Side, m: Side, ctx: Context) -> Part:
    """Only where the mentee asked for a gender: 1 if the mentor's matches, else 0."""
    asked = e.gender_pref >= 0
    match = (e.gender_pref[:, None] == m.gender[None, :]) & asked[:, None]
    applies = np.broadcast_to(asked[:, None], match.shape)
    return Part(match.astype(np.float32), applies, match | ~applies)


def organization(e: Side, m: Side, ctx: Context) -> Part:
    """The confidentiality rule: avoid (soft) or forbid (hard) pairs from one organisation."""
    rule = ctx.config.same_organization
    same = (e.org[:, None] == m.org[None, :]) & (e.org[:, None] >= 0)
    if rule == "allow":
        return Part(np.zeros(same.shape, np.float32), np.zeros(same.shape, bool), None)
    known = _outer_and(e.org >= 0, m.org >= 0)
    return Part((~same).astype(np.float32), known, ~same, ~same if rule == "forbid" else None)


def preference(e: Side, m: Side, ctx: Context) -> Part:
    """Stated rankings: mean over the sides that ranked; rank 1 scores 1, unranked 0."""
    by_e = ctx.mentee_rank.toarray()
    by_m = ctx.mentor_rank.toarray()
    ae = np.broadcast_to(ctx.mentee_ranks[:, None], by_e.shape)
    am = np.broadcast_to(ctx.mentor_ranks[None, :], by_e.shape)
    count = ae.astype(np.float32) + am.astype(np.float32)
    total = np.where(ae, by_e, 0.0) + np.where(am, by_m, 0.0)
    score = np.divide(total, count, out=np.zeros_like(total), where=count > 0).astype(np.float32)
    return Part(score, count > 0, score > 0)


CRITERION_FUNCS: dict[str, Callable[[Side, Side, Context], Part]] = {
    "specialty": specialty,
    "lived_experience": lived_experience,
    "language": language,
    "format": format_,
    "availability": availability,
    "region": region,
    "group_format": group_format,
    "profession": profession,
    "experience": experience,
    "gender": gender,
    "organization": organization,
    "preference": preference,
}
