"""The encoder: participants become arrays once; criteria and solvers only ever see arrays."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.profiles import Participant, ProgramConfig, vocab

__all__ = ["BIN_MINUTES", "Encoded", "Side", "encode"]

#: Availability is kept as 15-minute bins over a week in UTC.
BIN_MINUTES = 15
WEEK_BINS = 7 * 24 * 60 // BIN_MINUTES

FORMAT_BITS = {name: 1 << k for k, name in enumerate(vocab.FORMATS)}
GROUP_BITS = {name: 1 << k for k, name in enumerate(vocab.GROUP_FORMATS)}
IN_PERSON = FORMAT_BITS["in_person"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
B = npt.NDArray[np.bool_]
U8 = npt.NDArray[np.uint8]


@dataclass
class Side:
    """One side (mentees or mentors) as arrays; row k is participant k in input order."""

    lang: F32  # (n, L) 0/1
    first_lang: I32  # (n,) index of the first listed language, -1 if none
    fmt: U8  # (n,) bitmask of FORMAT_BITS
    gfmt: U8  # (n,) bitmask of GROUP_BITS
    spec: F32  # (n, V) mentees: 1/|sought| per area sought; mentors: credit per area
    lived: F32  # (n, T) 0/1, zero where consent is missing
    n_lived: F32  # (n,) number of consented tags
    region: I32  # (n,) -1 if unknown
    lat: F64  # (n,) radians, NaN if unknown
    lon: F64
    utc_offset: F64  # (n,) minutes local - UTC at the reference date
    avail: U8  # (n, WEEK_BINS) 0/1, UTC week
    avail_used: F32  # (n, A) the bins either side can use at all (set by encode), as floats
    xyz: F32  # (n, 3) unit vector of the coordinates, zeros if unknown
    has_xyz: B
    has_avail: B
    prof: I32
    years: F32  # NaN if unknown
    gender: I32
    gender_pref: I32
    org: I32
    capacity: npt.NDArray[np.int64]

    def take(self, index: npt.NDArray[np.intp] | slice) -> Side:
        """The rows ``index`` of every array."""
        return Side(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def __len__(self) -> int:
        return int(self.fmt.shape[0])


@dataclass
class Encoded:
    """Both sides plus the pair-level sparse facts (exclusions, stated rankings)."""

    mentees: Side
    mentors: Side
    mentee_ids: list[str]
    mentor_ids: list[str]
    excluded: sparse.csr_matrix  # (n_mentees, n_mentors) 1 where never to pair
    mentee_rank_score: sparse.csr_matrix  # (n_mentees, n_mentors) in (0, 1] for ranked mentors
    mentor_rank_score: sparse.csr_matrix  # (n_mentees, n_mentors) same, from the mentor's list
    mentee_ranks: npt.NDArray[np.bool_]  # (n_mentees,) mentee stated rankings
    mentor_ranks: npt.NDArray[np.bool_]  # (n_mentors,)
    languages: list[str]
    areas: list[str]
    tags: list[str]
    regions: list[str]


class _Index:
    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def __call__(self, key: str | None) -> int:
        if key is None:
            return -1
        return self.items.setdefault(key, len(self.items))

    def names(self) -> list[str]:
        return list(self.items)

    def many(self, keys: tuple[str, ...], memo: dict[tuple[str, ...], list[int]]) -> list[int]:
        """The indices of ``keys``; profiles repeat the same tuples, so they are remembered."""
        found = memo.get(keys)
        if found is None:
            found = memo[keys] = [self(k) for k in keys]
        return found


def _offset_minutes(zone: str, when: _dt.date) -> float:
    moment = _dt.datetime(when.year, when.month, when.day, 12, tzinfo=ZoneInfo(zone))
    delta = moment.utcoffset()
    return delta.total_seconds() / 60 if delta is not None else 0.0


def _zone_of(p: Participant, config: ProgramConfig) -> str | None:
    if p.timezone:
        return p.timezone
    if p.region in config.regions:
        return config.regions[p.region].timezone
    if p.region in vocab.PROVINCES:
        return vocab.PROVINCES[p.region][2]
    return None


def _multi_hot(rows: Sequence[Sequence[int]], width: int) -> F32:
    out = np.zeros((len(rows), max(width, 1)), dtype=np.float32)
    lengths = np.fromiter((len(c) for c in rows), np.int64, len(rows))
    cols = np.fromiter((c for r in rows for c in r), np.int64, int(lengths.sum()))
    out[np.repeat(np.arange(len(rows)), lengths), cols] = 1.0
    return out


def _encode_side(
    people: Sequence[Participant],
    config: ProgramConfig,
    idx: dict[str, _Index],
    *,
    mentor: bool,
    area_credit: dict[str, dict[str, float]],
) -> tuple[Side, dict[str, list[list[int]]]]:
    n = len(people)
    zones: dict[str, float] = {}
    offsets = np.full(n, np.nan)
    for k, p in enumerate(people):
        zone = _zone_of(p, config)
        if zone is not None:
            if zone not in zones:
                zones[zone] = _offset_minutes(zone, config.reference_date)
            offsets[k] = zones[zone]
    memo: dict[str, dict[tuple[str, ...], list[int]]] = {"lang": {}, "area": {}, "tag": {}}
    lists = {
        "lang": [idx["lang"].many(p.languages, memo["lang"]) for p in people],
        "spec": [idx["area"].many(p.specialties, memo["area"]) for p in people],
        "lived": [
            idx["tag"].many(p.lived_experience, memo["tag"]) if p.consent_lived_experience else []
            for p in people
        ],
    }
    # mentors' areas earn partial credit on their taxonomy parents and children
    if mentor:
        for area in dict.fromkeys(a for p in people for a in p.specialties):
            for related in area_credit.get(area, {}):
                idx["area"](related)
    lat = np.array([np.nan if p.lat is None else p.lat for p in people], dtype=np.float64)
    lon = np.array([np.nan if p.lon is None else p.lon for p in people], dtype=np.float64)
    for k, p in enumerate(people):
        if np.isnan(lat[k]) and p.region in config.regions:
            region_def = config.regions[p.region]
            if region_def.lat is not None and region_def.lon is not None:
                lat[k], lon[k] = region_def.lat, region_def.lon
    side = Side(
        lang=np.zeros((n, 1), np.float32),
        first_lang=np.array([c[0] if c else -1 for c in lists["lang"]], dtype=np.int32),
        fmt=np.array([sum(FORMAT_BITS[f] for f in p.formats) for p in people], dtype=np.uint8),
        gfmt=np.array(
            [sum(GROUP_BITS[f] for f in p.group_formats) for p in people], dtype=np.uint8
        ),
        spec=np.zeros((n, 1), np.float32),
        lived=np.zeros((n, 1), np.float32),
        n_lived=np.array([len(c) for c in lists["lived"]], dtype=np.float32),
        region=np.array([idx["region"](p.region) for p in people], dtype=np.int32),
        lat=np.radians(lat),
        lon=np.radians(lon),
        utc_offset=offsets,
        avail=np.zeros((n, WEEK_BINS), dtype=np.uint8),
        avail_used=np.zeros((n, 0), dtype=np.float32),
        xyz=_unit_vectors(np.radians(lat), np.radians(lon)),
        has_xyz=~np.isnan(lat),
        has_avail=np.array([bool(p.availability.slots) for p in people], dtype=bool),
        prof=np.array([idx["prof"](p.profession) for p in people], dtype=np.int32),
        years=np.array(
            [np.nan if p.years_experience is None else p.years_experience for p in people],
            dtype=np.float32,
        ),
        gender=np.array([idx["gender"](p.gender) for p in people], dtype=np.int32),
        gender_pref=np.array([idx["gender"](p.gender_preference) for p in people], dtype=np.int32),
        org=np.array(
            [idx["org"](p.organization.casefold() if p.organization else None) for p in people],
            dtype=np.int32,
        ),
        capacity=np.array([p.capacity for p in people], dtype=np.int64),
    )
    return side, lists


def _unit_vectors(lat: F64, lon: F64) -> F32:
    """Points on the unit sphere: the great-circle angle between two is arccos of their dot."""
    xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    out: F32 = np.nan_to_num(xyz, nan=0.0).astype(np.float32)
    return out


def _fill_availability(side: Side, people: Sequence[Participant], fallback: float) -> None:
    """Mark each slot's 15-minute bins in UTC; an unknown time zone takes ``fallback``.

    Each distinct (availability, time-zone shift) is marked once, every slot's bins at once
    (wrapping around the end of the week)."""
    offsets = np.where(np.isnan(side.utc_offset), fallback, side.utc_offset)
    shifts = np.rint(-offsets / BIN_MINUTES).astype(np.int64)
    kinds: dict[tuple[int, int], int] = {}
    kind_of = np.full(len(people), -1, np.int64)
    rows: list[int] = []
    spans: list[tuple[int, int, int]] = []
    for k, p in enumerate(people):
        if not p.availability.slots:
            continue
        key = (id(p.availability), int(shifts[k]))
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = len(kinds)
            for s in p.availability.slots:
                rows.append(kind)
                spans.append((s.day, s.start, s.end))
        kind_of[k] = kind
    if not kinds:
        return
    day, start, end = np.array(spans, np.int64).T
    first = -(-start // BIN_MINUTES)  # bins wholly inside the slot
    length = np.maximum(end // BIN_MINUTES - first, 0)
    kind_shift = np.zeros(len(kinds), np.int64)
    for (_, shift), kind in kinds.items():
        kind_shift[kind] = shift
    row = np.array(rows, np.int64)
    at = first + day * (1440 // BIN_MINUTES) + kind_shift[row]
    # every bin of every slot: slot k covers at[k], at[k] + 1, ... (length[k] bins)
    starts = np.cumsum(length) - length
    step = np.arange(int(length.sum())) - np.repeat(starts, length)
    bins = np.zeros((len(kinds), WEEK_BINS), np.uint8)
    bins[np.repeat(row, length), (np.repeat(at, length) + step) % WEEK_BINS] = 1
    has = kind_of >= 0
    side.avail[has] = bins[kind_of[has]]


def _area_credit(config: ProgramConfig, areas: set[str]) -> dict[str, dict[str, float]]:
    """For each area a mentor covers: the sought areas it earns credit on (1 itself, 0.5 kin)."""
    credit: dict[str, dict[str, float]] = {}
    for area in areas:
        row = {area: 1.0}
        parent = vocab.parent_of(area, config.taxonomy)
        if parent:
            row.setdefault(parent, vocab.PARENT_CHILD_CREDIT)
        children = {c for c, p in {**vocab.TAXONOMY, **config.taxonomy}.items() if p == area}
        for child in children:
            row.setdefault(child, vocab.PARENT_CHILD_CREDIT)
        credit[area] = row
    return credit


def _rank_matrix(
    owners: Sequence[Participant],
    targets: dict[str, int],
    n_rows: int,
    n_cols: int,
    *,
    transpose: bool,
) -> sparse.csr_matrix:
    r: list[int] = []
    c: list[int] = []
    v: list[float] = []
    for k, p in enumerate(owners):
        listed = [t for t in p.preferences if t in targets]
        for rank, target in enumerate(listed):
            r.append(k)
            c.append(targets[target])
            v.append(1.0 - rank / max(len(listed), 1) * 0.75)  # rank 1 -> 1.0, last -> > 0.25
    matrix = sparse.coo_matrix((v, (r, c)), shape=(len(owners), len(targets)), dtype=np.float32)
    out = matrix.T if transpose else matrix
    return sparse.csr_matrix(out, shape=(n_rows, n_cols))


def encode(
    mentees: Sequence[Participant],
    mentors: Sequence[Participant],
    config: ProgramConfig,
    *,
    forbidden: Sequence[tuple[str, str]] = (),
) -> Encoded:
    """Encode both sides with shared vocabularies. Shapes are ``(n_mentees, n_mentors)``."""
    idx = {key: _Index() for key in ("lang", "area", "tag", "region", "prof", "gender", "org")}
    credit = _area_credit(config, {a for p in mentors for a in p.specialties})
    e_side, e_lists = _encode_side(mentees, config, idx, mentor=False, area_credit=credit)
    m_side, m_lists = _encode_side(mentors, config, idx, mentor=True, area_credit=credit)
    n_lang, n_area, n_tag = (len(idx[k].items) for k in ("lang", "area", "tag"))
    for side, lists in ((e_side, e_lists), (m_side, m_lists)):
        side.lang = _multi_hot(lists["lang"], n_lang)
        side.lived = _multi_hot(lists["lived"], n_tag)
    e_spec = _multi_hot(e_lists["spec"], n_area)
    sought = e_spec.sum(axis=1, keepdims=True)
    e_side.spec = np.divide(e_spec, sought, out=np.zeros_like(e_spec), where=sought > 0)
    m_spec = np.zeros((len(mentors), max(n_area, 1)), dtype=np.float32)
    areas = idx["area"].items
    for k, p in enumerate(mentors):
        for area in p.specialties:
            for target, value in credit[area].items():
                col = areas[target]
                m_spec[k, col] = max(m_spec[k, col], value)
    m_side.spec = m_spec
    # no region or time zone: assume the programme's usual zone (median of everyone known)
    offsets = np.concatenate([e_side.utc_offset, m_side.utc_offset])
    known = offsets[~np.isnan(offsets)]
    fallback = float(np.median(known)) if known.size else 0.0
    _fill_availability(e_side, mentees, fallback)
    _fill_availability(m_side, mentors, fallback)
    # only bins where someone on each side is free can add to an overlap
    used = e_side.avail.any(axis=0) & m_side.avail.any(axis=0)
    e_side.avail_used = e_side.avail[:, used].astype(np.float32)
    m_side.avail_used = m_side.avail[:, used].astype(np.float32)

    e_pos = {p.id: k for k, p in enumerate(mentees)}
    m_pos = {p.id: k for k, p in enumerate(mentors)}
    n_e, n_m = len(mentees), len(mentors)
    rows: list[int] = []
    cols: list[int] = []
    for k, p in enumerate(mentees):
        for other in p.exclude:
            if other in m_pos:
                rows.append(k)
                cols.append(m_pos[other])
    for k, p in enumerate(mentors):
        for other in p.exclude:
            if other in e_pos:
                rows.append(e_pos[other])
                cols.append(k)
    for mentee_id, mentor_id in forbidden:
        if mentee_id in e_pos and mentor_id in m_pos:
            rows.append(e_pos[mentee_id])
            cols.append(m_pos[mentor_id])
    excluded = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_e, n_m)
    )
    excluded.data[:] = 1.0
    return Encoded(
        mentees=e_side,
        mentors=m_side,
        mentee_ids=[p.id for p in mentees],
        mentor_ids=[p.id for p in mentors],
        excluded=excluded,
        mentee_rank_score=_rank_matrix(mentees, m_pos, n_e, n_m, transpose=False),
        mentor_rank_score=_rank_matrix(mentors, e_pos, n_e, n_m, transpose=True),
        mentee_ranks=np.array([bool(p.preferences) for p in mentees], dtype=bool),
        mentor_ranks=np.array([bool(p.preferences) for p in mentors], dtype=bool),
        languages=idx["lang"].names(),
        areas=idx["area"].names(),
        tags=idx["tag"].names(),
        regions=idx["region"].names(),
    )
