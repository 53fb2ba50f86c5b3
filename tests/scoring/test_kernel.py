"""The compiled scoring kernel (``_kernel``/``_jit``) against the numpy reference.

``ScoringModel._block`` is the reference: the kernel must give the same float32 totals and the
same feasibility, bit for bit, on every pair it keeps; its top-k lists must hold the largest
allowed totals; its pricing must find exactly the pairs a brute force over ``_block`` finds;
and the candidate graph it builds, once completed, must report the exact per-participant
statistics.  Programmes are drawn to reach every branch of the kernel: tabled criteria,
availability (hard, soft, minimum overlap, no data), region (same region, distance, time-zone
gap, missing data, in-person-only pairs), rules, exclusions and forbidden pairs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from strategies import AREAS, TAGS

import matcher
from matcher import Participant, ProgramConfig
from matcher.engine import SparseOptions, build_model
from matcher.engine import _pricing as pricing_module
from matcher.io import load_config, load_program, write_synthetic
from matcher.scoring import Kernel, ScoringModel
from matcher.scoring import _kernel as _kernel_module
from matcher.scoring import _model as _model_module
from matcher.scoring._criteria import _distance_km

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- programmes -----------------------------------------------------------------------------------

LANGUAGES = ("fr", "en", "es")
FORMATS = ("in_person", "virtual", "phone")
GROUP_FORMATS = ("one_to_one", "small_group", "large_group")
# "Zone A" is programme-defined (a centre and a zone); "Zone B" is not: no zone, no centre, so
# the time-zone gap is unknown unless the participant gives a time zone
REGIONS = ("NB", "NS", "QC", "BC", "Zone A", "Zone B")
ZONES = ("America/Halifax", "America/Toronto", "America/Vancouver", "Europe/Paris")
# AREAS (from tests.strategies): parents and children of the built-in taxonomy, so exact
# matches, half credit both ways, and shares of 1/3 that make float32 sums order-sensitive
ORGANIZATIONS = ("Horizon", "horizon", "Vitalité", "IWK")
PROFESSIONS = ("nurse", "pharmacist", "family_physician")
# points a few to a few hundred km apart (Moncton, Dieppe, Halifax, Montreal, Vancouver)
PLACES = ((46.09, -64.78), (46.10, -64.70), (44.65, -63.57), (45.50, -73.57), (49.28, -123.12))
CRITERION_NAMES = (
    "specialty",
    "lived_experience",
    "language",
    "format",
    "availability",
    "region",
    "group_format",
    "profession",
    "experience",
    "gender",
    "organization",
)


def _subset(values: tuple[Any, ...]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(values), max_size=len(values), unique=True)


def _maybe(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.none() | st.sampled_from(values)


def _slot(day: str, start: int, length: int) -> str:
    end = start + length
    return f"{day} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


# strategies are built once: building them inside each draw dominates the run time
#: a few slots on three days at a few times, so that overlaps of any length are common
_AVAILABILITY = st.lists(
    st.builds(
        _slot,
        st.sampled_from(("mon", "tue", "wed")),
        st.sampled_from((9 * 60, 12 * 60, 12 * 60 + 30, 18 * 60)),
        st.sampled_from((15, 30, 45, 60, 90, 150)),
    ),
    max_size=3,
).map("|".join)
#: the fields of a profile that do not depend on the role
_PROFILE = st.fixed_dictionaries(
    {
        "profession": _maybe(PROFESSIONS),
        "specialties": st.lists(st.sampled_from(AREAS), max_size=4, unique=True),
        "lived_experience": _subset(TAGS),
        "consent_lived_experience": st.booleans(),
        "region": _maybe(REGIONS),
        "timezone": _maybe(ZONES),
        "languages": _subset(LANGUAGES),
        "availability": _AVAILABILITY,
        # in-person only is drawn often: it brings the region rule into play
        "formats": st.just(["in_person"]) | _subset(FORMATS),
        "group_formats": _subset(GROUP_FORMATS),
        "years_experience": _maybe((0.0, 1.5, 3.0, 7.0, 12.0, 30.0)),
        "organization": _maybe(ORGANIZATIONS),
        "gender": _maybe(("female", "male", "non_binary")),
        "gender_preference": _maybe(("female", "male")),
    }
)
#: coordinates: none, or one of the places moved by a little or by a few tens of km
_COORDINATES = st.none() | st.tuples(st.sampled_from(PLACES), st.sampled_from((0.0, 0.013, 0.37)))
_EXCLUDE = st.lists(st.integers(0, 8), max_size=2, unique=True)


def _participant(
    role: str,
    pid: str,
    others: tuple[str, ...],
    profile: dict[str, Any],
    coordinates: Any,
    capacity: int,
    exclude: list[int],
) -> Participant:
    lat = lon = None
    if coordinates is not None:
        (lat, lon), jitter = coordinates
        lat, lon = lat + jitter, lon - jitter
    return Participant(
        id=pid,
        role=role,  # type: ignore[arg-type]
        lat=lat,
        lon=lon,
        capacity=capacity,
        exclude=[others[k] for k in exclude if k < len(others)],
        **profile,
    )


_CRITERION = st.none() | st.fixed_dictionaries(
    {"weight": st.sampled_from((0.0, 0.5, 1.0, 1.7, 3.0)), "hard": st.booleans()}
)
_CONFIG = st.fixed_dictionaries(
    {
        "min_score": st.sampled_from((0.0, 0.0, 0.25, 0.5, 0.7)),
        "session_minutes": st.sampled_from((30, 45, 60, 90)),
        "min_overlap_minutes": st.sampled_from((0, 0, 15, 30, 60, 90)),
        "profession_rule": st.sampled_from(("same", "different", "any")),
        "same_organization": st.sampled_from(("allow", "avoid", "forbid")),
        "min_experience_gap": st.sampled_from((0.0, 3.0, 2.5)),
        "in_person_max_km": _maybe((5.0, 50.0, 123.456, 1000.0)),
        "distance_scale_km": st.sampled_from((30.0, 500.0, 1234.567)),
        "taxonomy": st.sampled_from(({}, {"oncology": "chronic_pain"})),
        # None keeps the default weight and hardness
        "criteria": st.fixed_dictionaries(dict.fromkeys(CRITERION_NAMES, _CRITERION)),
    }
)


def _config(fields: dict[str, Any]) -> ProgramConfig:
    criteria = {k: v for k, v in fields["criteria"].items() if v is not None}
    return ProgramConfig(
        **{**fields, "criteria": criteria},
        regions={"Zone A": {"timezone": "America/Halifax", "lat": 46.2, "lon": -64.9}},
    )


@st.composite
def models(
    draw: st.DrawFn, *, min_mentors: int = 1, max_side: int = 9, early_tables: bool = True
) -> ScoringModel:
    """A random programme (with ``forbidden`` pairs) as a ScoringModel that has a kernel.
    ``early_tables=False``: no tabled criterion comes before availability (the kernel's
    loops then run over every mentor in one go)."""
    n_m = draw(st.integers(min_mentors, max_side))
    n_e = draw(st.integers(1, max_side))
    mentor_ids = tuple(f"m{k}" for k in range(n_m))
    mentee_ids = tuple(f"e{k}" for k in range(n_e))
    sides = []
    for role, ids, others in (
        ("mentor", mentor_ids, mentee_ids),
        ("mentee", mentee_ids, mentor_ids),
    ):
        capacity = st.integers(0, 3) if role == "mentor" else st.integers(1, 2)
        sides.append(
            [
                _participant(
                    role,
                    pid,
                    others,
                    draw(_PROFILE),
                    draw(_COORDINATES),
                    draw(capacity),
                    draw(_EXCLUDE) if draw(st.integers(0, 3)) == 0 else [],
                )
                for pid in ids
            ]
        )
    mentors, mentees = sides
    pairs = st.tuples(st.integers(0, n_e - 1), st.integers(0, n_m - 1))
    forbidden = [(mentee_ids[i], mentor_ids[j]) for i, j in draw(st.lists(pairs, max_size=3))]
    fields = draw(_CONFIG)
    if not early_tables:
        off = {"weight": 0.0, "hard": False}
        fields["criteria"] = {**fields["criteria"], **{name: dict(off) for name in EARLY_TABLES}}
    model = ScoringModel(mentees, mentors, _config(fields), forbidden=forbidden)
    assert model.kernel is not None  # nobody ranks anyone: the kernel always applies
    return model


#: The tabled criteria that come before availability in the weighted mean.
EARLY_TABLES = ("specialty", "lived_experience", "language", "format")


# --- helpers --------------------------------------------------------------------------------------


def _kernel(model: ScoringModel) -> Kernel:
    kernel = model.kernel
    assert kernel is not None
    return kernel


def _reference(model: ScoringModel) -> tuple[np.ndarray, np.ndarray]:
    block = model.block(slice(None))
    assert block.total.dtype == np.float32
    return block.total, block.feasible


def _kept(cols: np.ndarray, vals: np.ndarray, count: np.ndarray) -> list[dict[int, Any]]:
    """Each row's kept pairs as {mentor: score}, checking that no mentor is kept twice."""
    out = []
    for r in range(count.size):
        c, v = cols[r, : count[r]], vals[r, : count[r]]
        assert np.unique(c).size == c.size
        assert (c >= 0).all()
        out.append(dict(zip(c.tolist(), v, strict=True)))
    return out


def _floor(min_score: float) -> float:
    """The float32 floor of ``min_score``, as ``ScoringModel.candidates`` computes it."""
    return float(np.float32(min_score) - np.float32(1e-7))


def _floors(model: ScoringModel) -> st.SearchStrategy[float]:
    """Floors of the kernel: none, usual ones, or exactly one of the feasible totals (a pair
    exactly at the floor is allowed)."""
    fixed = (-1.0, _floor(0.0), _floor(0.3), _floor(model.config.min_score), 0.6)
    total, feasible = _reference(model)
    exact = [float(v) for v in np.unique(total[feasible])]
    return st.sampled_from(fixed) | st.sampled_from(exact) if exact else st.sampled_from(fixed)


# --- 1. totals and feasibility, bit for bit -------------------------------------------------------


def _assert_kernel_equals_numpy(model: ScoringModel) -> None:
    """Nothing pruned (top = every mentor, no floor): the kernel keeps every feasible pair,
    with the float32 total of ``_block`` to the last bit, and counts them exactly."""
    total, feasible = _reference(model)
    n_e, n_m = model.shape
    rows = np.arange(n_e, dtype=np.int64)
    cols, vals, count, n_feasible, more = _kernel(model).top_candidates(rows, n_m, -1.0)
    assert cols.dtype == np.int32 and vals.dtype == np.float32
    assert count.tolist() == feasible.sum(axis=1).tolist()
    assert n_feasible.tolist() == feasible.sum(axis=1).tolist()
    assert not more.any()
    got = np.zeros((n_e, n_m), bool)
    scores = np.full((n_e, n_m), np.nan, np.float32)
    for i, kept in enumerate(_kept(cols, vals, count)):
        for j, value in kept.items():
            got[i, j] = True
            scores[i, j] = value
    assert np.array_equal(got, feasible)
    assert np.array_equal(scores[feasible], total[feasible])  # float32, every bit
    # the slots past the count stay empty
    empty = np.arange(n_m)[None, :] >= count[:, None]
    assert (cols[empty] == -1).all() and np.isneginf(vals[empty]).all()


@SETTINGS
@given(models())
def test_kernel_totals_and_feasibility_equal_numpy_bit_for_bit(model: ScoringModel) -> None:
    _assert_kernel_equals_numpy(model)


def test_in_person_limit_and_distance_scale_at_the_exact_float32_distance() -> None:
    """In-person-only pairs from two regions may meet only within ``in_person_max_km``: with
    the limit (and the distance scale) set to a pair's float32 distance, or a hair either side
    of it, the kernel draws the line where numpy does."""
    spots = [(46.09, -64.78), (46.10, -64.70), (46.3, -64.5), (45.27, -66.06), (44.65, -63.57)]
    mentees = [
        Participant(id=f"e{k}", formats="in_person", region="NB", lat=lat, lon=lon)
        for k, (lat, lon) in enumerate(spots)
    ]
    mentors = [
        Participant(id=f"m{k}", role="mentor", formats="in_person", region="NS", lat=lat, lon=lon)
        for k, (lat, lon) in enumerate(spots[::-1])
    ]
    enc = ScoringModel(mentees, mentors, ProgramConfig()).enc
    km = _distance_km(enc.mentees, enc.mentors)
    assert km.dtype == np.float32
    for value in np.unique(km)[1::3]:
        below = np.nextafter(value, np.float32(0))
        for limit in (float(value), float(below), float(value) + 1e-9, float(value) - 1e-9):
            cfg = ProgramConfig(in_person_max_km=limit, distance_scale_km=float(value))
            model = ScoringModel(mentees, mentors, cfg)
            feasible = _reference(model)[1]
            assert np.array_equal(feasible, km <= np.float32(limit))
            _assert_kernel_equals_numpy(model)


def test_kernel_is_off_when_a_table_would_be_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    mentees, mentors = _people(1, 12, 40)
    assert ScoringModel(mentees, mentors, ProgramConfig()).kernel is not None
    monkeypatch.setattr(_kernel_module, "TABLE_CELLS", 1)
    model = ScoringModel(mentees, mentors, ProgramConfig())
    assert model.kernel is None
    # candidates with a top list then come from numpy, with exact statistics
    cand = model.candidates(0.0, top=5)
    exact = model.candidates(0.0)
    assert not cand.partial
    assert cand.feasible_per_mentor.tolist() == exact.feasible_per_mentor.tolist()
    assert cand.best_per_mentee.tolist() == exact.best_per_mentee.tolist()


#: Mentee rows per task given to a thread: small values split even tiny calls into tasks.
CHUNKS = st.sampled_from((1, 2, 3, 256))


def _rows(data: st.DataObject, n_e: int, least: int = 1) -> np.ndarray:
    """Some mentee rows, each at most once, in any order."""
    rows = np.array(data.draw(st.permutations(range(n_e)), label="rows"), np.int64)
    return rows[: data.draw(st.integers(least, n_e), label="n_rows")]


@SETTINGS
@given(models(), st.data())
def test_kernel_on_a_subset_of_rows_equals_numpy(model: ScoringModel, data: st.DataObject) -> None:
    total, feasible = _reference(model)
    n_e, n_m = model.shape
    rows = _rows(data, n_e)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel_module, "CHUNK_ROWS", data.draw(CHUNKS, label="chunk"), raising=False)
        cols, vals, count, _, _ = _kernel(model).top_candidates(rows, n_m, -1.0)
    for r, kept in enumerate(_kept(cols, vals, count)):
        i = rows[r]
        assert sorted(kept) == np.flatnonzero(feasible[i]).tolist()
        assert np.array_equal(
            np.array([kept[j] for j in sorted(kept)], np.float32), total[i, feasible[i]]
        )


# --- 2. top-k -------------------------------------------------------------------------------------


@SETTINGS
@given(models(min_mentors=2, max_side=14), st.data())
def test_top_k_keeps_the_largest_allowed_totals(model: ScoringModel, data: st.DataObject) -> None:
    total, feasible = _reference(model)
    n_e, n_m = model.shape
    top = data.draw(st.integers(1, n_m - 1), label="top")
    floor = data.draw(_floors(model), label="floor")
    allowed = feasible & (total >= np.float32(floor))
    rows = np.arange(n_e, dtype=np.int64)
    cols, vals, count, n_feasible, more = _kernel(model).top_candidates(rows, top, floor)
    assert count.tolist() == np.minimum(allowed.sum(axis=1), top).tolist()
    # feasibility counts only pairs scored in full: a lower bound
    assert (n_feasible <= feasible.sum(axis=1)).all()
    # a mentee with more allowed pairs than kept is flagged
    assert (more | (allowed.sum(axis=1) <= top)).all()
    for i, kept in enumerate(_kept(cols, vals, count)):
        for j, value in kept.items():  # every kept pair is allowed, with its exact total
            assert allowed[i, j]
            assert np.float32(value) == total[i, j]
        expected = np.sort(total[i, allowed[i]])[::-1][:top]
        got = np.sort(np.array(list(kept.values()), np.float32))[::-1]
        assert np.array_equal(got, expected)  # ties may keep other mentors, never other values


@SETTINGS
@given(models(), st.data())
def test_top_at_least_the_mentors_keeps_every_allowed_pair(
    model: ScoringModel, data: st.DataObject
) -> None:
    total, feasible = _reference(model)
    n_e, n_m = model.shape
    floor = data.draw(_floors(model), label="floor")
    allowed = feasible & (total >= np.float32(floor))
    cols, vals, count, n_feasible, more = _kernel(model).top_candidates(
        np.arange(n_e, dtype=np.int64), n_m + 1, floor
    )
    assert not more.any()
    assert (n_feasible <= feasible.sum(axis=1)).all()
    for i, kept in enumerate(_kept(cols, vals, count)):
        assert sorted(kept) == np.flatnonzero(allowed[i]).tolist()
        assert all(np.float32(v) == total[i, j] for j, v in kept.items())


def test_top_k_and_pricing_separate_near_ties() -> None:
    """Totals a few float32 steps apart (distances within a few km on a 20,000 km scale), in
    shuffled order: the top list and the pricing heap still keep exactly the largest."""
    rng = np.random.default_rng(0)
    mentee = Participant(id="e", region="NB", lat=46.0, lon=-64.0)
    offsets = rng.permutation(40)
    mentors = [
        Participant(id=f"m{k}", role="mentor", region="NS", lat=46.0 + 1e-3 * d, lon=-64.0)
        for k, d in enumerate(offsets)
    ]
    model = ScoringModel([mentee], mentors, ProgramConfig(distance_scale_km=20_000.0))
    total, feasible = _reference(model)
    assert feasible.all() and np.unique(total).size == total.size
    kernel = _kernel(model)
    rows = np.zeros(1, np.int64)
    for top in (1, 2, 5, 13):
        cols, vals, count, _, more = kernel.top_candidates(rows, top, -1.0)
        assert count[0] == top and more[0]
        assert sorted(cols[0].tolist()) == sorted(np.argsort(-total[0])[:top].tolist())
        assert np.array_equal(np.sort(vals[0]), np.sort(total[0])[-top:])
    units = np.rint(total[0].astype(np.float64) * 1e6).astype(np.int64)
    assert np.unique(units).size == units.size
    known = sparse.csr_matrix((1, len(mentors)), dtype=np.int8)
    for per_row in (1, 3, 7):
        r, c, u = kernel.price(
            rows, np.zeros(1, np.int64), np.zeros(len(mentors), np.int64), known, per_row, -1.0
        )
        assert r.tolist() == [0] * per_row
        assert sorted(c.tolist()) == sorted(np.argsort(-units, kind="stable")[:per_row].tolist())
        assert (u == units[c]).all()


def test_top_k_stops_once_every_kept_pair_has_the_highest_score() -> None:
    """Once the list holds ``top`` pairs scoring 1.0 no other pair can enter: the scan stops
    and flags that pairs may have been left out; what it keeps is still the best."""
    profile = {"region": "NS", "specialties": "cardiology", "languages": "en"}
    mentee = Participant(id="e", **profile)
    perfect = [Participant(id=f"p{k}", role="mentor", **profile) for k in range(6)]
    other = [
        Participant(id=f"o{k}", role="mentor", region="BC", specialties="oncology", languages="en")
        for k in range(4)
    ]
    for mentors in (perfect + other, other + perfect):
        model = ScoringModel([mentee], mentors, ProgramConfig())
        total, feasible = _reference(model)
        best = {j for j in range(len(mentors)) if total[0, j] == np.float32(1.0)}
        assert len(best) == len(perfect) and feasible.all()
        rows = np.zeros(1, np.int64)
        cols, vals, count, n_feasible, more = _kernel(model).top_candidates(rows, 3, -1.0)
        assert count[0] == 3 and more[0]
        assert n_feasible[0] == 3  # the scan stopped at the third perfect pair
        assert set(cols[0].tolist()) <= best and (vals[0] == np.float32(1.0)).all()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 300),
    st.integers(1, 100),
    st.floats(0.0, 8.0, allow_subnormal=False),
    st.integers(0, 2**32 - 1),
)
def test_classes_go_by_falling_bound_when_ranking(
    n: int, distinct: int, rest: float, seed: int
) -> None:
    """A ranking scan visits the classes by falling bound of the first table's value (up to
    LEVELS distinct values); rows with more values go best first, then the rest, each in
    class order.  Every class once either way."""
    from matcher.scoring import _jit

    rng = np.random.default_rng(seed)
    values = rng.integers(0, 12, size=(distinct, 2)).astype(np.float32) / np.float32(4)
    pick = values[rng.integers(0, distinct, n)]
    t_nd = np.zeros(2 * (n + 3), np.float32)
    t_nd[6::2], t_nd[7::2] = pick[:, 0], pick[:, 1]  # the row starts at class 3
    live = np.sort(rng.choice(n, size=rng.integers(1, n + 1), replace=False)).astype(np.int64)
    order = _jit._class_order(live, t_nd, 3, rest)
    assert sorted(order.tolist()) == live.tolist()
    num, den = pick[order, 0].astype(np.float64), pick[order, 1].astype(np.float64)
    top = den + rest
    bound = np.divide(num + rest, top, out=np.zeros_like(top), where=top > 0)
    if np.unique(bound).size <= _jit.LEVELS:
        assert (np.diff(bound) <= 0).all()
    else:
        best = num == num.max()
        k = int(best.sum())
        assert best[:k].all() and not best[k:].any()
        assert (np.diff(order[:k]) > 0).all() and (np.diff(order[k:]) > 0).all()


# --- 3. pricing -----------------------------------------------------------------------------------


@st.composite
def _pricing(draw: st.DrawFn, model: ScoringModel) -> dict[str, Any]:
    """Arguments of ``Kernel.price``: mentee limits, mentor potentials, known pairs."""
    n_e, n_m = model.shape
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    rows = rng.permutation(n_e)[: draw(st.integers(0, n_e), label="n_rows")].astype(np.int64)
    limit = rng.integers(-400_000, 1_600_000, n_e)
    potential = rng.integers(-200_000, 600_000, n_m)
    slack = draw(st.sampled_from((0, 0, 50_000, 400_000)), label="slack")
    if draw(st.booleans(), label="boundary"):
        # some pairs exactly at their threshold, one unit above or one below it
        total = _reference(model)[0]
        units = np.rint(total.astype(np.float64) * 1e6).astype(np.int64)
        j = rng.integers(0, n_m, n_e)
        delta = rng.integers(-1, 2, n_e)
        limit = units[np.arange(n_e), j] + slack + potential[j] + delta
    known_mask = rng.random((n_e, n_m)) < draw(st.sampled_from((0.0, 0.2, 0.6)), label="known")
    known = sparse.csr_matrix(known_mask.astype(np.int8))
    known.sort_indices()
    # deferred acceptance's bars: per mentor, the units a pair must reach; some exactly at a
    # pair's units, one above or one below
    accept = None
    if draw(st.booleans(), label="accept"):
        accept = rng.integers(-1, 1_100_000, n_m).astype(np.int64)
        if n_e and draw(st.booleans(), label="accept at a pair"):
            total = _reference(model)[0]
            units = np.rint(total.astype(np.float64) * 1e6).astype(np.int64)
            accept = units[rng.integers(0, n_e, n_m), np.arange(n_m)] + rng.integers(-1, 2, n_m)
    return {
        "rows": rows,
        "limit": limit.astype(np.int64),
        "mentor_potential": potential.astype(np.int64),
        "known": known,
        "known_mask": known_mask,
        "floor": draw(_floors(model), label="floor"),
        "slack": slack,
        "chunk": draw(CHUNKS, label="chunk"),
        # classes in ranking's order rather than by top potential: slower but as exact
        "ranked": draw(st.booleans(), label="ranked"),
        # only some mentors may qualify (as for the mentors' own pairs)
        "mentors": rng.random(n_m) < 0.5 if draw(st.booleans(), label="some mentors") else None,
        "accept": accept,
    }


def _brute_price(model: ScoringModel, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(units, excess) of every pair; excess <= 0 where the pair does not qualify."""
    total, feasible = _reference(model)
    units = np.rint(total.astype(np.float64) * 1e6).astype(np.int64)
    need = p["limit"][:, None] - p["slack"] - p["mentor_potential"][None, :]
    excess = units - need
    ok = feasible & (total >= np.float32(p["floor"])) & ~p["known_mask"]
    if p["mentors"] is not None:
        ok &= p["mentors"][None, :]
    if p["accept"] is not None:
        ok &= units >= p["accept"][None, :]
    return units, np.where(ok, excess, 0)


def _price(model: ScoringModel, p: dict[str, Any], per_row: int) -> tuple[np.ndarray, ...]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel_module, "CHUNK_ROWS", p["chunk"], raising=False)
        r, c, u = _kernel(model).price(
            p["rows"],
            p["limit"],
            p["mentor_potential"],
            p["known"],
            per_row,
            p["floor"],
            p["slack"],
            mentors=p["mentors"],
            ranked=p["ranked"],
            accept=p["accept"],
        )
    assert r.dtype == np.int32 and c.dtype == np.int32 and u.dtype == np.int64
    return r, c, u


@SETTINGS
@given(st.booleans().flatmap(lambda early: models(early_tables=early)), st.data())
def test_price_finds_every_improving_pair(model: ScoringModel, data: st.DataObject) -> None:
    p = data.draw(_pricing(model), label="pricing")
    units, excess = _brute_price(model, p)
    n_m = model.shape[1]
    r, c, u = _price(model, p, n_m)
    got = sorted(zip(r.tolist(), c.tolist(), u.tolist(), strict=True))
    expected = sorted(
        (int(i), int(j), int(units[i, j])) for i in p["rows"] for j in np.flatnonzero(excess[i] > 0)
    )
    assert got == expected


@SETTINGS
@given(models(min_mentors=2, max_side=14), st.data())
def test_price_with_few_per_row_keeps_the_largest_excesses(
    model: ScoringModel, data: st.DataObject
) -> None:
    p = data.draw(_pricing(model), label="pricing")
    units, excess = _brute_price(model, p)
    per_row = data.draw(st.integers(1, model.shape[1] - 1), label="per_row")
    r, c, u = _price(model, p, per_row)
    assert set(r.tolist()) <= set(p["rows"].tolist())
    for i in p["rows"]:
        mine = r == i
        cols = c[mine]
        assert np.unique(cols).size == cols.size
        assert (u[mine] == units[i, cols]).all()
        assert (excess[i, cols] > 0).all()
        expected = np.sort(excess[i][excess[i] > 0])[::-1][:per_row]
        assert np.array_equal(np.sort(excess[i, cols])[::-1], expected)


# --- 4. exact row statistics, candidates and their statistics -------------------------------------


@SETTINGS
@given(models(), st.data())
def test_row_stats_equal_numpy(model: ScoringModel, data: st.DataObject) -> None:
    """``Kernel.row_stats``: allowed and hard-feasible counts and the best feasible float32
    total (-1 where none) of each mentee, exactly."""
    total, feasible = _reference(model)
    rows = _rows(data, model.shape[0], least=0)
    floor = data.draw(_floors(model), label="floor")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel_module, "CHUNK_ROWS", data.draw(CHUNKS, label="chunk"), raising=False)
        allowed, n_feasible, best = _kernel(model).row_stats(rows, floor)
    ok = feasible[rows]
    assert n_feasible.tolist() == ok.sum(axis=1).tolist()
    assert allowed.tolist() == (ok & (total[rows] >= np.float32(floor))).sum(axis=1).tolist()
    want = np.where(ok, total[rows], np.float32(-1)).max(axis=1, initial=np.float32(-1))
    assert np.array_equal(np.asarray(best, np.float32), want)


@SETTINGS
@given(models(min_mentors=2, max_side=14), st.data())
def test_completed_stats_of_kernel_candidates_are_exact(
    model: ScoringModel, data: st.DataObject
) -> None:
    n_e, n_m = model.shape
    min_score = model.config.min_score
    top = data.draw(st.integers(1, n_m - 1), label="top")
    cand = model.candidates(min_score, top=top)
    assert cand.partial
    exact = model.candidates(min_score)
    assert not exact.partial
    # the kept pairs: each mentee's `top` best allowed scores
    for i in range(n_e):
        want = np.sort(exact.scores[exact.rows == i])[::-1]
        mine = cand.rows == i
        got = np.sort(cand.scores[mine])[::-1]
        assert np.array_equal(got, want[:top])
        theirs = exact.rows == i
        pairs = set(zip(exact.cols[theirs].tolist(), exact.scores[theirs], strict=True))
        assert set(zip(cand.cols[mine].tolist(), cand.scores[mine], strict=True)) <= pairs
        # every left-out pair scores at most the cutoff
        if want.size > top:
            assert np.isfinite(cand.cutoff[i])
            assert want[top:].max() <= cand.cutoff[i]
    assert (cand.feasible_per_mentee <= exact.feasible_per_mentee).all()
    rows = np.array(data.draw(st.lists(st.integers(0, n_e - 1), unique=True)), np.intp)
    cols = np.array(data.draw(st.lists(st.integers(0, n_m - 1), unique=True)), np.intp)
    model.complete_stats(cand, rows, cols)
    for name in ("feasible_per_mentee", "allowed_per_mentee"):
        assert getattr(cand, name)[rows].tolist() == getattr(exact, name)[rows].tolist(), name
    for name in ("feasible_per_mentor", "allowed_per_mentor"):
        assert getattr(cand, name)[cols].tolist() == getattr(exact, name)[cols].tolist(), name
    assert cand.best_per_mentee[rows] == pytest.approx(exact.best_per_mentee[rows], abs=1e-6)
    assert cand.best_per_mentor[cols] == pytest.approx(exact.best_per_mentor[cols], abs=1e-6)


# --- 5. stated rankings ---------------------------------------------------------------------------


def _people(seed: int, n_e: int, n_m: int) -> tuple[list[Participant], list[Participant]]:
    """A deterministic programme with every criterion in play."""
    rng = np.random.default_rng(seed)

    def pick(values: tuple[str, ...], k: int) -> list[str]:
        return [str(v) for v in rng.choice(values, size=k, replace=False)]

    def person(pid: str, role: str) -> Participant:
        place = PLACES[int(rng.integers(len(PLACES)))] if rng.random() < 0.5 else (None, None)
        slots = [
            f"{('mon', 'tue')[int(rng.integers(2))]} {int(rng.integers(9, 19)):02d}:00-"
            f"{int(rng.integers(19, 22)):02d}:00"
            for _ in range(int(rng.integers(0, 3)))
        ]
        return Participant(
            id=pid,
            role=role,  # type: ignore[arg-type]
            profession=str(rng.choice(PROFESSIONS)),
            specialties=pick(AREAS, int(rng.integers(1, 4))),
            lived_experience=pick(TAGS, int(rng.integers(0, 2))),
            consent_lived_experience=bool(rng.random() < 0.7),
            region=str(rng.choice(REGIONS[:4])),
            lat=place[0],
            lon=place[1],
            languages=pick(LANGUAGES[:2], int(rng.integers(1, 3))),
            availability="|".join(slots),
            formats=pick(FORMATS, int(rng.integers(1, 4))),
            capacity=int(rng.integers(1, 4)) if role == "mentor" else 1,
            years_experience=float(rng.integers(0, 30)),
            organization=str(rng.choice(ORGANIZATIONS)),
            gender=str(rng.choice(("female", "male"))),
        )

    mentors = [person(f"m{k}", "mentor") for k in range(n_m)]
    mentees = [person(f"e{k}", "mentee") for k in range(n_e)]
    return mentees, mentors


def test_kernel_is_off_when_someone_states_rankings() -> None:
    mentees, mentors = _people(3, 20, 8)
    ranked = [mentees[0].model_copy(update={"preferences": ("m3", "m1")}), *mentees[1:]]
    cfg = ProgramConfig()
    assert ScoringModel(mentees, mentors, cfg).kernel is not None
    assert ScoringModel(ranked, mentors, cfg).kernel is None
    # a mentor's ranking too
    by_mentor = [mentors[0].model_copy(update={"preferences": ("e2",)}), *mentors[1:]]
    assert ScoringModel(mentees, by_mentor, cfg).kernel is None
    # rankings the programme ignores (preference weight 0) leave the kernel on, and exact
    off = ProgramConfig(criteria={"preference": {"weight": 0}})
    _assert_kernel_equals_numpy(ScoringModel(ranked, mentors, off))


def test_sparse_match_with_rankings_falls_back_to_numpy() -> None:
    mentees, mentors = _people(5, 90, 40)  # more mentors than the sparse top list
    mentees = [
        p.model_copy(update={"preferences": (f"m{k % 40}", f"m{(k * 7) % 40}")})
        if k % 3 == 0
        else p
        for k, p in enumerate(mentees)
    ]
    cfg = ProgramConfig(min_score=0.2)
    assert ScoringModel(mentees, mentors, cfg).kernel is None
    dense = matcher.match(mentors, mentees, config=cfg, sparse=False)
    thin = matcher.match(mentors, mentees, config=cfg, sparse=True)
    assert thin.summary_extra["solver"]["certificate"] == "reduced costs"
    assert thin.objective == pytest.approx(dense.objective, rel=1e-9)
    assert thin.matched == dense.matched


# --- 6. end to end --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(
        tmp_path_factory.mktemp("kernel") / "p", 500, 70, seed=11, mentor_capacity=3
    )


class _Spy:
    """Counts the calls of the kernel's ranking and pricing scans (so a test knows it was used)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = {"top_candidates_in_order": 0, "price": 0}
        for name in self.calls:
            original = getattr(Kernel, name)

            def wrapped(
                self_: Kernel, *args: Any, _name: str = name, _f: Any = original, **kwargs: Any
            ) -> Any:
                self.calls[_name] += 1
                return _f(self_, *args, **kwargs)

            monkeypatch.setattr(Kernel, name, wrapped)


def _run(folder: Path, config: Any = None, **kwargs: Any) -> matcher.Matching:
    return matcher.match(
        folder / "mentors.csv",
        folder / "mentees.csv",
        config=config if config is not None else folder / "program.toml",
        **kwargs,
    )


CONFIGS = {
    "synthetic": None,
    "rules": {  # the synthetic programme's config with more rules in play
        "program": {
            "min_score": 0.3,
            "min_experience_gap": 3,
            "min_overlap_minutes": 30,
            "in_person_max_km": 150.0,
            "same_organization": "forbid",
            "profession_rule": "different",
        },
        "criteria": {
            "specialty": {"weight": 3.0},
            "language": {"hard": True},
            "format": {"hard": True},
            "availability": {"hard": True},
            "region": {"weight": 2.0},
        },
    },
    "late tables": {  # no tabled criterion before availability: one pass over every mentor
        "program": {"min_score": 0.2},
        "criteria": {
            **{name: {"weight": 0.0, "hard": False} for name in EARLY_TABLES},
            "experience": {"weight": 2.0},
        },
    },
}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_sparse_match_with_the_kernel_reaches_the_dense_optimum(
    programme: Path, config: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = CONFIGS[config]
    dense = _run(programme, cfg, sparse=False)
    spy = _Spy(monkeypatch)
    thin = _run(programme, cfg, sparse=True)
    assert spy.calls["top_candidates_in_order"] > 0
    assert thin.summary_extra["solver"]["certificate"] == "reduced costs"
    assert thin.objective == pytest.approx(dense.objective, rel=1e-9)
    assert thin.matched == dense.matched


@pytest.mark.parametrize("config", list(CONFIGS))
def test_kernel_pricing_repairs_a_too_small_candidate_set(
    programme: Path, config: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = CONFIGS[config]
    options = SparseOptions(
        sparse_top=0,  # two or four pairs per mentee: far too few
    )
    dense = _run(programme, cfg, sparse=False)
    spy = _Spy(monkeypatch)
    thin = _run(programme, cfg, sparse=options)
    stats = thin.summary_extra["solver"]
    assert spy.calls["top_candidates_in_order"] > 0 and spy.calls["price"] > 0
    assert stats["certificate_rounds"] > 1
    assert stats["pairs_added_by_certificate"] > 0
    assert thin.objective == pytest.approx(dense.objective, rel=1e-9)
    assert thin.matched == dense.matched


@SETTINGS
@given(models(min_mentors=2, max_side=14), st.data())
def test_best_for_mentors_are_each_mentors_best_pairs_left_out(
    model: ScoringModel, data: st.DataObject
) -> None:
    """``ScoringModel.best_for_mentors``: per mentor, its ``need`` best allowed pairs that the
    mentees' own lists left out (ties: the lower row), from the kernel and from the dense
    scores alike, with their scores."""
    n_m = model.shape[1]
    min_score = model.config.min_score
    top = data.draw(st.integers(1, n_m - 1), label="top")
    need = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n_m, max_size=n_m)))
    total, feasible = _reference(model)
    units = np.rint(total.astype(np.float64) * 1e6).astype(np.int64)
    for dense in (False, True):
        cand = model.candidates(min_score, top=top, keep_dense=dense)
        assert (cand.dense is not None) == dense
        left_out = feasible & (total >= np.float32(_floor(min_score)))
        left_out[cand.rows, cand.cols] = False
        with pytest.MonkeyPatch.context() as mp:
            # every mentee keeps every mentor in the search: the result is then exact
            mp.setattr(_model_module, "MENTOR_PAIRS_PER_ROW", n_m)
            # the whole search in the first pass or in the second
            mp.setattr(_model_module, "MENTOR_SAMPLE", data.draw(st.sampled_from((0.0, 1.0))))
            r, c, s = model.best_for_mentors(cand, need, min_score)
        assert r.dtype == np.int32 and c.dtype == np.int32
        assert np.array_equal(np.rint(s * 1e6).astype(np.int64), units[r, c])
        for j in range(n_m):
            rows = np.flatnonzero(left_out[:, j])
            want = sorted(rows.tolist(), key=lambda i: (-units[i, j], i))[: need[j]]
            assert sorted(r[c == j].tolist()) == sorted(want)


def test_best_for_mentors_with_one_pair_per_mentee_stays_within_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one pair per mentee in the search, and half the mentees searched first, a mentor
    may get fewer pairs than it needs, never more, and only allowed pairs that the mentees'
    own lists left out."""
    folder = write_synthetic(tmp_path / "p", 300, 40, seed=3, mentor_capacity=3)
    cfg = load_config(folder / "program.toml")
    mentor_set, mentee_set = load_program(folder / "mentors.csv", folder / "mentees.csv", cfg)
    model, _ = build_model(mentor_set, mentee_set, cfg, (), ())
    min_score = model.config.min_score
    cand = model.candidates(min_score, top=3)
    need = np.maximum(3 * model.enc.mentors.capacity - np.bincount(cand.cols, minlength=40), 0)
    monkeypatch.setattr(_model_module, "MENTOR_PAIRS_PER_ROW", 1)
    monkeypatch.setattr(_model_module, "MENTOR_SAMPLE", 0.5)
    r, c, s = model.best_for_mentors(cand, need, min_score)
    assert r.size > 0
    assert (np.bincount(c, minlength=40) <= need).all()
    keys = r.astype(np.int64) * 40 + c
    assert np.unique(keys).size == keys.size
    assert not np.isin(keys, cand.rows.astype(np.int64) * 40 + cand.cols).any()
    total, feasible = _reference(model)
    assert feasible[r, c].all() and (total[r, c] >= np.float32(_floor(min_score))).all()
    assert np.array_equal(np.rint(s * 1e6), np.rint(total[r, c].astype(np.float64) * 1e6))


@pytest.mark.parametrize("config", list(CONFIGS))
def test_pricing_apart_against_the_mentors_of_highest_potential_keeps_the_optimum(
    programme: Path, config: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mentees whose cutoff keeps them clear of all but the mentors of highest potential are
    priced against those only (``hot_mentors``); forced here whenever any mentee qualifies."""
    cfg = CONFIGS[config]
    options = SparseOptions(
        sparse_top=0,  # many rounds of pricing
        hot_cost=(1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    )
    dense = _run(programme, cfg, sparse=False)
    chosen: list[int] = []
    hot_mentors = pricing_module.hot_mentors

    def spy(d_m: np.ndarray, reach: np.ndarray, tuning: SparseOptions) -> tuple[np.ndarray, int]:
        hot, cold_top = hot_mentors(d_m, reach, tuning)
        chosen.append(int((reach + cold_top <= 0).sum()) if hot.any() else 0)
        return hot, cold_top

    monkeypatch.setattr(pricing_module, "hot_mentors", spy)
    thin = _run(programme, cfg, sparse=options)
    assert sum(chosen) > 0, "no mentee was priced apart"
    assert thin.objective == pytest.approx(dense.objective, rel=1e-9)
    assert thin.matched == dense.matched
    assert len(thin.pairs) == len(dense.pairs)
