"""Small groups: members (and optionally one leader per group) who share a weekly session
window, a language and a format, under size and composition rules, maximising summed
compatibility (member-leader and member-member).

Exact model: OR-tools CP-SAT with a deterministic time budget, a seed, and the reported bound.
Beyond ``max_exact_members`` (or when CP-SAT finds nothing in time) a constructive greedy plus
seeded local search is used instead; ``stats['engine']`` says which.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

__all__ = ["GroupProblem", "GroupResult", "check_groups", "solve_groups"]

log = logging.getLogger(__name__)

Bool2 = npt.NDArray[np.bool_]
F1 = npt.NDArray[np.float64]
F2 = npt.NDArray[np.float64]
I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]

_UNIT = 1000  # score resolution of the CP-SAT objective
_EPS = 1e-6


@dataclass
class GroupProblem:
    """Arrays describing a grouping problem; n members, L leaders (0 = peer-led), n_grp groups.

    ``member_window[p, w]``: member p can attend session window w (likewise languages and
    formats); ``rules``: ``(profession_code, min, max or -1)`` per group.
    """

    member_leader_score: F2  # (n, L)
    member_leader_ok: Bool2  # (n, L)
    member_member_score: F2  # (n, n) symmetric
    member_member_ok: Bool2  # (n, n) symmetric
    member_window: Bool2  # (n, W)
    leader_window: Bool2  # (L, W)
    member_lang: Bool2  # (n, K)
    leader_lang: Bool2  # (L, K)
    member_fmt: Bool2  # (n, F)
    leader_fmt: Bool2  # (L, F)
    profession: I1  # (n,)
    organization: I1  # (n,) -1 unknown
    leader_organization: I1  # (L,)
    leader_capacity: I1  # (L,) most members a leader takes
    min_size: int
    max_size: int
    rules: list[tuple[int, int, int]] = field(default_factory=list)
    distinct_organizations: bool = False
    max_same_profession: int = 0
    member_weight: float = 1.0

    @property
    def n(self) -> int:
        """Number of members."""
        return int(self.member_window.shape[0])

    @property
    def n_leaders(self) -> int:
        """Number of leaders (0 for peer-led groups)."""
        return int(self.leader_window.shape[0])

    def n_groups(self) -> int:
        """Groups that may open: one per leader, or as many as the minimum size allows."""
        return self.n_leaders if self.n_leaders else self.n // max(self.min_size, 1)

    def group_capacity(self, g: int) -> int:
        """Most members group ``g`` may hold."""
        if self.n_leaders:
            return int(min(self.max_size, self.leader_capacity[g]))
        return self.max_size


@dataclass
class GroupResult:
    """``group[p]`` is member p's group (-1 = none); per group its window, language, format."""

    group: I1
    window: I1
    language: I1
    fmt: I1
    objective: float
    bound: float
    status: str
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupSearch:
    """How far the groups solver searches, and tightens its bound, once CP-SAT stops unproven.

    Every limit is a count, never a clock, so the groups do not depend on the host's load.
    The defaults are the measured ones (benchmarks/README.md, the groups sections).
    """

    #: Two-group moves: the best feasible groups drawn from the two groups' members.
    move_columns: int = 1500
    #: Two-group moves: at most this many improving moves.
    moves: int = 25
    #: Subset-row cuts: at most this many LP rounds.
    cut_rounds: int = 20
    #: Subset-row cuts: the most violated ones added per round.
    cuts_per_round: int = 50
    #: Subset-row cuts: triples drawn from at most this many fractional rows.
    cut_rows: int = 60
    #: The cut LP starts from the groups with the best reduced costs.
    master_columns: int = 2000
    #: LP dive: at most this many LPs per dive.
    dive_steps: int = 50
    #: LP dives: one more from each of this many fractional groups of the cut LP.
    dive_starts: int = 8
    #: LP dives, all together: LPs over at most this many times the listed groups.
    dive_work: float = 4.0


def _score(problem: GroupProblem, group: I1) -> float:
    total = 0.0
    for g in np.unique(group[group >= 0]):
        members = np.flatnonzero(group == g)
        if problem.n_leaders:
            total += float(problem.member_leader_score[members, g].sum())
        sub = problem.member_member_score[np.ix_(members, members)]
        total += problem.member_weight * float(np.triu(sub, 1).sum())
    return total


def _common(problem: GroupProblem, members: I1, g: int) -> tuple[int, int, int] | None:
    """A window, language and format shared by the members (and leader), or None."""
    parts = []
    for m_arr, l_arr in (
        (problem.member_window, problem.leader_window),
        (problem.member_lang, problem.leader_lang),
        (problem.member_fmt, problem.leader_fmt),
    ):
        ok = m_arr[members].all(axis=0) if len(members) else np.ones(m_arr.shape[1], bool)
        if problem.n_leaders:
            ok = ok & l_arr[g]
        hits = np.flatnonzero(ok)
        if hits.size == 0:
            return None
        parts.append(int(hits[0]))
    return parts[0], parts[1], parts[2]


def check_groups(problem: GroupProblem, group: I1) -> list[str]:
    """Every rule a grouping breaks (empty when valid): sizes, common window/language/format,
    composition, organisations, member-member exclusions, leader compatibility."""
    problems = []
    for g in np.unique(group[group >= 0]):
        g = int(g)
        members = np.flatnonzero(group == g)
        size = len(members)
        if size < problem.min_size or size > problem.group_capacity(g):
            problems.append(
                f"group {g}: size {size} outside {problem.min_size}-{problem.group_capacity(g)}"
            )
        if _common(problem, members, g) is None:
            problems.append(f"group {g}: no common window, language and format")
        if problem.n_leaders and not problem.member_leader_ok[members, g].all():
            problems.append(f"group {g}: a member is not allowed with the leader")
        ok = problem.member_member_ok[np.ix_(members, members)]
        if not ok.all():
            problems.append(f"group {g}: two members may not be together")
        profs = problem.profession[members]
        for code, low, high in problem.rules:
            count = int((profs == code).sum())
            if count < low or (high >= 0 and count > high):
                problems.append(f"group {g}: composition rule on profession {code} broken")
        if problem.max_same_profession:
            _, counts = np.unique(profs[profs >= 0], return_counts=True)
            if counts.size and counts.max() > problem.max_same_profession:
                problems.append(f"group {g}: too many members of one profession")
        if problem.distinct_organizations:
            orgs = problem.organization[members]
            orgs = orgs[orgs >= 0]
            if len(np.unique(orgs)) < len(orgs):
                problems.append(f"group {g}: two members from one organisation")
            if (
                problem.n_leaders
                and problem.leader_organization[g] >= 0
                and (orgs == problem.leader_organization[g]).any()
            ):
                problems.append(f"group {g}: a member from the leader's organisation")
    return problems


def _allowed(problem: GroupProblem) -> Bool2:
    """(n, groups) where member p may join group g at all."""
    n_grp = problem.n_groups()
    if problem.n_leaders:
        ok = problem.member_leader_ok.copy()
        ok &= (
            problem.member_window.astype(np.int32) @ problem.leader_window.T.astype(np.int32)
        ) > 0
        ok &= (problem.member_lang.astype(np.int32) @ problem.leader_lang.T.astype(np.int32)) > 0
        ok &= (problem.member_fmt.astype(np.int32) @ problem.leader_fmt.T.astype(np.int32)) > 0
        if problem.distinct_organizations:
            same = (problem.organization[:, None] == problem.leader_organization[None, :]) & (
                problem.organization[:, None] >= 0
            )
            ok &= ~same
        ok &= (problem.leader_capacity > 0)[None, :]
        return ok
    return np.ones((problem.n, n_grp), bool)


def _cp_sat(
    problem: GroupProblem, time_limit: float, seed: int, hint: I1 | None
) -> GroupResult | None:
    n, n_grp = problem.n, problem.n_groups()
    allowed = _allowed(problem)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for p in range(n):
        for g in range(n_grp):
            if allowed[p, g]:
                x[p, g] = model.new_bool_var(f"x{p}_{g}")
    y = [model.new_bool_var(f"y{g}") for g in range(n_grp)]
    for p in range(n):
        row = [x[p, g] for g in range(n_grp) if (p, g) in x]
        if row:
            model.add(sum(row) <= 1)
    choice: dict[str, list[list[cp_model.IntVar]]] = {}
    for name, m_arr, l_arr in (
        ("w", problem.member_window, problem.leader_window),
        ("l", problem.member_lang, problem.leader_lang),
        ("f", problem.member_fmt, problem.leader_fmt),
    ):
        per_group = []
        for g in range(n_grp):
            usable = [
                k
                for k in range(m_arr.shape[1])
                if (not problem.n_leaders or l_arr[g, k])
                and m_arr[[p for p in range(n) if (p, g) in x], k].sum() >= problem.min_size
            ]
            vars_g = {k: model.new_bool_var(f"{name}{g}_{k}") for k in usable}
            model.add(sum(vars_g.values()) == y[g])
            for p in range(n):
                if (p, g) in x:
                    model.add(x[p, g] <= sum(v for k, v in vars_g.items() if m_arr[p, k]))
            per_group.append(list(vars_g.values()))
            choice.setdefault(name, []).append(list(vars_g.items()))  # type: ignore[arg-type]
    for g in range(n_grp):
        members = [x[p, g] for p in range(n) if (p, g) in x]
        model.add(sum(members) >= problem.min_size * y[g])
        model.add(sum(members) <= problem.group_capacity(g) * y[g])
        for code, low, high in problem.rules:
            of = [x[p, g] for p in range(n) if (p, g) in x and problem.profession[p] == code]
            model.add(sum(of) >= low * y[g])
            if high >= 0:
                model.add(sum(of) <= high)
        if problem.max_same_profession:
            for code in np.unique(problem.profession[problem.profession >= 0]):
                of = [x[p, g] for p in range(n) if (p, g) in x and problem.profession[p] == code]
                if len(of) > problem.max_same_profession:
                    model.add(sum(of) <= problem.max_same_profession)
        if problem.distinct_organizations:
            for org in np.unique(problem.organization[problem.organization >= 0]):
                of = [x[p, g] for p in range(n) if (p, g) in x and problem.organization[p] == org]
                if len(of) > 1:
                    model.add(sum(of) <= 1)
    if not problem.n_leaders:
        for g in range(n_grp - 1):
            model.add(y[g] >= y[g + 1])  # identical empty groups: open them in order
    terms = []
    per_member_max = 1.0 + problem.member_weight * problem.max_size
    big = int(_UNIT * (2 * per_member_max + 1))
    for (p, g), var in x.items():
        gain = big
        if problem.n_leaders:
            gain += round(_UNIT * float(problem.member_leader_score[p, g]))
        terms.append(gain * var)
    for g in range(n_grp):
        inside: list[int] = [p for p in range(n) if (p, g) in x]
        for a_idx, p in enumerate(inside):
            for q in inside[a_idx + 1 :]:
                if not problem.member_member_ok[p, q]:
                    model.add(x[p, g] + x[q, g] <= 1)
                    continue
                weight = round(
                    _UNIT * problem.member_weight * float(problem.member_member_score[p, q])
                )
                if weight <= 0:
                    continue
                z = model.new_bool_var(f"z{p}_{q}_{g}")
                model.add(z <= x[p, g])
                model.add(z <= x[q, g])
                terms.append(weight * z)
    model.maximize(sum(terms))
    if hint is not None:
        for (p, g), var in x.items():
            model.add_hint(var, int(hint[p] == g))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = time_limit * 0.4  # ~ wall seconds on 2 cores
    # the stop is the deterministic time above (same seed => same groups); the wall-clock
    # cap is only a safety net, far enough out that a loaded machine does not reach it
    solver.parameters.max_time_in_seconds = time_limit * 10
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status != cp_model.UNKNOWN:  # UNKNOWN = nothing found in time: the fallback's job
            log.warning(
                "CP-SAT ended with status %s; using the greedy groups", solver.status_name(status)
            )
        return None
    group = np.full(n, -1, np.int64)
    for (p, g), var in x.items():
        if solver.value(var):
            group[p] = g
    placed = int((group >= 0).sum())
    objective = _score(problem, group)
    if status == cp_model.OPTIMAL:  # optimal for scores rounded to 1/_UNIT
        bound = objective
    else:
        bound = max(
            min((solver.best_objective_bound - big * placed) / _UNIT, simple_bound(problem)),
            objective,
        )
    window, language, fmt = _choices(problem, group)
    return GroupResult(
        group,
        window,
        language,
        fmt,
        objective,
        bound,
        "optimal" if status == cp_model.OPTIMAL else "feasible",
        {
            "engine": "cp-sat",
            "cp_sat_status": solver.status_name(status),
            "variables": len(x),
        },
    )


class _TooManyError(Exception):
    """More feasible groups than the set-partitioning model takes."""


@dataclass
class _Columns:
    """Every feasible group: its leader (-1 peer-led), members (ascending) and exact score."""

    leader: list[int]
    members: list[tuple[int, ...]]
    value: list[float]


def _classes(problem: GroupProblem, owner: int, allowed: Bool2) -> list[I1]:
    """The maximal sets of members who share a window, language and format (with leader
    ``owner``): every feasible group lies inside one of them."""
    w_ok, k_ok, f_ok = problem.member_window, problem.member_lang, problem.member_fmt
    if owner >= 0:
        w_ok = w_ok & problem.leader_window[owner]
        k_ok = k_ok & problem.leader_lang[owner]
        f_ok = f_ok & problem.leader_fmt[owner]
    both = (w_ok[:, :, None] & k_ok[:, None, :]).reshape(problem.n, -1)
    every = (both[:, :, None] & f_ok[:, None, :]).reshape(problem.n, -1)
    if owner >= 0:
        every &= allowed[:, owner : owner + 1]
    masks = np.unique(every[:, every.sum(axis=0) >= problem.min_size].T, axis=0)
    if masks.shape[0] == 0:
        return []
    sizes = masks.sum(axis=1)
    inside = (masks.astype(np.int32) @ masks.T.astype(np.int32)) == sizes[:, None]
    np.fill_diagonal(inside, False)  # inside[a, b]: mask a lies within mask b (rows unique)
    return [np.flatnonzero(m) for m in masks[~inside.any(axis=1)]]


def _columns(problem: GroupProblem, limit: int) -> _Columns | None:
    """Every feasible group (all rules but the size minimum of composition kept), or None when
    there are more than ``limit``: a depth-first walk over cliques of the compatibility graph
    inside each maximal window/language/format class."""
    ok = problem.member_member_ok.copy()
    if problem.distinct_organizations:
        org = problem.organization
        ok &= ~((org[:, None] == org[None, :]) & (org[:, None] >= 0))
    np.fill_diagonal(ok, True)
    neighbours = [set(np.flatnonzero(row).tolist()) for row in ok]
    pair = (problem.member_weight * problem.member_member_score).tolist()
    prof = problem.profession.tolist()
    rules = problem.rules
    most_same = problem.max_same_profession
    allowed = _allowed(problem)
    found: dict[tuple[int, tuple[int, ...]], float] = {}
    budget = [50 * limit]  # search nodes, so that a huge walk also stops

    def grow(
        owner: int,
        cap: int,
        lead: list[float] | None,
        chosen: list[int],
        cand: list[int],
        value: float,
        counts: dict[int, int],
    ) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooManyError
        size = len(chosen)
        if size >= problem.min_size and all(counts.get(c, 0) >= lo for c, lo, _ in rules):
            key = (owner, tuple(chosen))
            if key not in found:
                found[key] = value
                if len(found) > limit:
                    raise _TooManyError
        if size == cap or size + len(cand) < problem.min_size:
            return
        for i, p in enumerate(cand):
            c = prof[p]
            seen = counts.get(c, 0) + 1
            if most_same and c >= 0 and seen > most_same:
                continue
            if any(code == c and hi >= 0 and seen > hi for code, _, hi in rules):
                continue
            gain = sum(pair[p][q] for q in chosen) + (lead[p] if lead is not None else 0.0)
            nb = neighbours[p]
            grow(
                owner,
                cap,
                lead,
                [*chosen, p],
                [q for q in cand[i + 1 :] if q in nb],
                value + gain,
                {**counts, c: seen},
            )

    for owner in range(problem.n_leaders) if problem.n_leaders else [-1]:
        cap = problem.group_capacity(owner) if owner >= 0 else problem.max_size
        if cap < problem.min_size:
            continue
        lead = problem.member_leader_score[:, owner].tolist() if owner >= 0 else None
        for members in _classes(problem, owner, allowed):
            try:
                grow(owner, cap, lead, [], members.tolist(), 0.0, {})
            except _TooManyError:
                return None
    keys = sorted(found)
    return _Columns([k[0] for k in keys], [k[1] for k in keys], [found[k] for k in keys])


def _lp_bound(problem: GroupProblem, cols: _Columns, placed: int) -> float:
    """A proven bound on the total of every grouping that places at least ``placed`` members:
    the Lagrangian of the set-partitioning relaxation at the LP's duals. Whatever multipliers
    the LP returns (u >= 0 per member and leader, lam >= 0 for the coverage row), the value
    sum(u) - lam * placed + sum over groups of max(0, value - u(members) + lam * size) bounds
    every such grouping, so floating-point tolerances in the LP cannot make it wrong."""
    n, m = problem.n, len(cols.members)
    sizes = np.array([len(s) for s in cols.members], np.int64)
    value = np.asarray(cols.value, np.float64)
    row = np.concatenate([np.asarray(s, np.int64) for s in cols.members])
    col = np.repeat(np.arange(m), sizes)
    n_rows = n + problem.n_leaders
    led = np.asarray(cols.leader, np.int64)
    if problem.n_leaders:
        row = np.concatenate([row, n + led])
        col = np.concatenate([col, np.arange(m)])
    cover = sparse.csr_matrix((np.ones(row.size), (row, col)), shape=(n_rows, m))
    a_ub = sparse.vstack([cover, -sparse.csr_matrix(sizes.astype(np.float64)[None, :])])
    b_ub = np.concatenate([np.ones(n_rows), [-float(placed)]])
    lp = linprog(-value, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if lp.status != 0:
        return float(np.inf)
    duals = np.clip(-np.asarray(lp.ineqlin.marginals, np.float64), 0.0, None)
    u, lam = duals[:n_rows], float(duals[n_rows])
    reduced = value + lam * sizes - np.asarray(cover.T @ u).ravel()
    return float(u.sum() - lam * placed + np.clip(reduced, 0.0, None).sum())


@dataclass
class _Packing:
    """The listed groups as a set-packing model: rows are the members, then the leaders; a
    column (group) covers its members and its leader, each row at most once."""

    cover: sparse.csc_matrix  # (rows, groups) 0/1
    inside: Bool2  # (rows, groups), the same as booleans (for the cut rows)
    sizes: F1  # members per group (leaders not counted)
    value: F1  # exact score per group
    index: dict[tuple[int, tuple[int, ...]], int]  # (leader or -1, members) -> column


def _packing(problem: GroupProblem, cols: _Columns) -> _Packing:
    m = len(cols.members)
    sizes = np.array([len(s) for s in cols.members], np.int64)
    row = np.concatenate([np.asarray(s, np.int64) for s in cols.members])
    col = np.repeat(np.arange(m), sizes)
    led = np.asarray(cols.leader, np.int64)
    if problem.n_leaders:
        row = np.concatenate([row, problem.n + led])
        col = np.concatenate([col, np.arange(m)])
    shape = (problem.n + problem.n_leaders, m)
    cover = sparse.csc_matrix((np.ones(row.size), (row, col)), shape=shape)
    inside = np.zeros(shape, bool)
    inside[row, col] = True
    index = {(int(o), tuple(s)): c for c, (o, s) in enumerate(zip(led, cols.members, strict=True))}
    value = np.asarray(cols.value, np.float64)
    return _Packing(cover, inside, sizes.astype(np.float64), value, index)


def _cut_rows(pack: _Packing, cuts: I2, idx: I1) -> F2:
    """(cuts, idx) 1 where group ``idx[j]`` holds two or more rows of cut i's triple: two
    disjoint groups cannot both do so, so these groups sum to at most 1 (a subset-row cut)."""
    if cuts.shape[0] == 0:
        return np.zeros((0, idx.size))
    sub = pack.inside[:, idx]
    hits = sub[cuts[:, 0]].astype(np.int8) + sub[cuts[:, 1]] + sub[cuts[:, 2]]
    return (hits >= 2).astype(np.float64)


def _packing_lp(pack: _Packing, idx: I1, cuts: I2, room: F1, need: float) -> Any:
    """The LP over groups ``idx``: each row covered at most ``room`` (1, or 0 once taken),
    at least ``need`` members placed, every cut at most 1; HiGHS, deterministic."""
    a_ub = sparse.vstack(
        [
            pack.cover[:, idx],
            -sparse.csr_matrix(pack.sizes[idx][None, :]),
            sparse.csr_matrix(_cut_rows(pack, cuts, idx)),
        ]
    )
    b_ub = np.concatenate([room, [-need], np.ones(cuts.shape[0])])
    return linprog(-pack.value[idx], A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")


def _lagrangian(pack: _Packing, lp: Any, cuts: I2, placed: int) -> tuple[float, F1]:
    """A proven bound on every packing of all the groups that places at least ``placed``
    members and the groups' reduced costs, from the LP's multipliers (u >= 0 per row, lam >= 0
    for the coverage row, w >= 0 per cut): sum(u) + sum(w) - lam * placed + sum over all groups
    of max(0, value + lam * size - u(rows) - w(cuts)). It holds for any such multipliers, so
    the LP's tolerances, and the groups left out of the LP, cannot make it wrong."""
    n_rows = pack.cover.shape[0]
    duals = np.clip(-np.asarray(lp.ineqlin.marginals, np.float64), 0.0, None)
    u, lam, w = duals[:n_rows], float(duals[n_rows]), duals[n_rows + 1 :]
    reduced = pack.value + lam * pack.sizes - np.asarray(pack.cover.T @ u).ravel()
    used = np.flatnonzero(w > 0)
    if used.size:
        every = np.arange(pack.value.size)
        reduced -= w[used] @ _cut_rows(pack, cuts[used], every)
    bound = float(u.sum() + w.sum() - lam * placed + np.clip(reduced, 0.0, None).sum())
    return bound, reduced


def _separate(pack: _Packing, idx: I1, x: F1, cuts: I2, search: GroupSearch) -> I2:
    """The subset-row cuts (row triples) the LP solution ``x`` over ``idx`` breaks most, new
    ones only, at most ``search.cuts_per_round``; triples among the rows of fractional groups."""
    frac = (x > _EPS) & (x < 1 - _EPS)
    if not frac.any():
        return np.zeros((0, 3), np.int64)
    weight = pack.inside[:, idx[frac]].astype(np.float64) @ x[frac]
    rows = np.flatnonzero(weight > 0)
    if rows.size > search.cut_rows:  # the rows the fractional groups share most
        rows = np.sort(rows[np.argsort(-weight[rows], kind="stable")[: search.cut_rows]])
    if rows.size < 3:
        return np.zeros((0, 3), np.int64)
    triples = np.array(list(combinations(rows.tolist(), 3)), np.int64)
    some = np.flatnonzero(x > _EPS)
    lhs = _cut_rows(pack, triples, idx[some]) @ x[some]
    broken = np.flatnonzero(lhs > 1 + _EPS)
    broken = broken[np.argsort(-lhs[broken], kind="stable")]
    known = {tuple(t) for t in cuts.tolist()}
    new = [t for t in triples[broken].tolist() if tuple(t) not in known]
    return np.array(new[: search.cuts_per_round], np.int64).reshape(-1, 3)


@dataclass
class _CutLP:
    """The subset-row-cut LP's outcome: its proven bound, cuts, and last solution."""

    bound: float
    plain: float  # the same bound before any cut (the set-packing LP alone)
    cuts: I2
    idx: I1
    x: F1
    rounds: int


def _cut_bound(pack: _Packing, placed: int, start: I1, search: GroupSearch) -> _CutLP | None:
    """The set-packing LP over every listed group, strengthened by subset-row cuts on row
    triples (rank-1 Chvatal-Gomory cuts: at most one of the groups holding two of three given
    members), solved by column generation from ``search.master_columns`` groups plus ``start`` (the
    groups of a known grouping, so the first LP is feasible). Every round's Lagrangian over all
    groups is a proven bound (``_lagrangian``); the lowest is returned. None if the LP fails."""
    n_rows, m = pack.cover.shape
    every = np.arange(m)
    no_cuts = np.zeros((0, 3), np.int64)
    room = np.ones(n_rows)
    first = _packing_lp(pack, every, no_cuts, room, placed)
    if first.status != 0:
        return None
    best, reduced = _lagrangian(pack, first, no_cuts, placed)
    plain = best
    idx = np.union1d(np.argsort(-reduced, kind="stable")[: search.master_columns], start)
    cuts, x = no_cuts, np.asarray(first.x, np.float64)[idx]
    rounds = 0
    while rounds < search.cut_rounds:
        rounds += 1
        lp = _packing_lp(pack, idx, cuts, room, placed)
        if lp.status != 0:
            break
        x = np.asarray(lp.x, np.float64)
        bound, reduced = _lagrangian(pack, lp, cuts, placed)
        best = min(best, bound)
        new = _separate(pack, idx, x, cuts, search)
        priced = np.setdiff1d(np.flatnonzero(reduced > 1e-9), idx)
        if new.shape[0] == 0 and priced.size == 0:
            break
        cuts = np.concatenate([cuts, new])
        if priced.size:  # groups the LP left out that could still raise it
            add = priced[np.argsort(-reduced[priced], kind="stable")[: search.master_columns // 2]]
            keep = np.union1d(idx, add)
            grown = np.zeros(keep.size)
            grown[np.searchsorted(keep, idx)] = x
            idx, x = keep, grown
    return _CutLP(best, plain, cuts, idx, x, rounds)


def _dive(
    pack: _Packing,
    cut: _CutLP,
    placed: int,
    first: int | None,
    work: list[int],
    search: GroupSearch,
) -> list[int] | None:
    """An LP dive with backtracking: take the groups the LP puts at 1 and the fractional one
    it puts highest (``first``, a position in ``cut.idx``, instead at the start), drop every
    group that overlaps them, solve the LP (with the cuts) over all the groups left, and go on
    until the LP solution is whole; when the LP becomes infeasible, try the next-highest
    group instead. At most ``search.dive_steps`` LPs, and LPs over at most ``work[0]`` groups in all
    (decreased as they are solved). The columns of a grouping that places at least ``placed``
    members, or None."""
    n_rows, m = pack.cover.shape
    budget = [search.dive_steps]

    def go(chosen: list[int], room: F1, need: float, cand: I1, idx: I1, x: F1) -> list[int] | None:
        frac = np.flatnonzero((x > _EPS) & (x < 1 - _EPS))
        whole: list[int] = idx[x >= 1 - _EPS].tolist()
        if frac.size == 0:
            return chosen + whole
        order = frac[np.argsort(-x[frac], kind="stable")]
        if first is not None and not chosen:
            order = np.array([first], np.int64)
        for j in order.tolist():
            take = [*whole, int(idx[j])]
            room_j = room.copy()
            need_j = need
            for c in take:
                room_j[pack.inside[:, c]] = 0.0
                need_j -= float(pack.sizes[c])
            cand_j = cand[~pack.inside[room_j == 0][:, cand].any(axis=0)]
            if cand_j.size == 0:
                if need_j <= _EPS:
                    return chosen + take
                continue
            if budget[0] <= 0 or work[0] < cand_j.size:
                return None
            budget[0] -= 1
            work[0] -= int(cand_j.size)
            lp = _packing_lp(pack, cand_j, cut.cuts, room_j, max(need_j, 0.0))
            if lp.status != 0:
                continue
            out = go(chosen + take, room_j, need_j, cand_j, cand_j, np.asarray(lp.x, np.float64))
            if out is not None or budget[0] <= 0 or work[0] <= 0:
                return out
        return None

    return go([], np.ones(n_rows), float(placed), np.arange(m), cut.idx, cut.x)


def simple_bound(problem: GroupProblem) -> float:
    """An upper bound on any grouping's total: each member at best with its best leader and
    its ``max_size - 1`` best allowed peers (each peer pair counted from both ends, halved)."""
    allowed = _allowed(problem)
    lead = 0.0
    if problem.n_leaders:
        best = np.where(allowed, problem.member_leader_score, -np.inf).max(axis=1, initial=0.0)
        lead = float(np.clip(best, 0.0, None).sum())
    peers = np.where(problem.member_member_ok, np.clip(problem.member_member_score, 0, None), 0.0)
    np.fill_diagonal(peers, 0.0)
    k = max(problem.max_size - 1, 0)
    if peers.shape[0] > k:
        peers = -np.partition(-peers, k - 1, axis=1)[:, :k] if k else peers[:, :0]
    return lead + problem.member_weight * float(peers.sum()) / 2


def _choices(problem: GroupProblem, group: I1) -> tuple[I1, I1, I1]:
    n_grp = problem.n_groups()
    out = np.full((3, n_grp), -1, np.int64)
    for g in range(n_grp):
        members = np.flatnonzero(group == g)
        if members.size:
            common = _common(problem, members, g)
            if common is not None:
                out[:, g] = common
    return out[0], out[1], out[2]


def _heuristic(problem: GroupProblem, seed: int, iterations: int) -> GroupResult:
    """Greedy construction, then seeded moves and swaps that keep every rule."""
    rng = np.random.default_rng(seed)
    n, n_grp = problem.n, problem.n_groups()
    allowed = _allowed(problem)
    group = np.full(n, -1, np.int64)

    def valid(members: I1, g: int) -> bool:
        if len(members) > problem.group_capacity(g):
            return False
        return not check_groups_partial(problem, members, g)

    def gain(p: int, g: int) -> float:
        members = np.flatnonzero(group == g)
        value = float(problem.member_leader_score[p, g]) if problem.n_leaders else 0.0
        return value + problem.member_weight * float(problem.member_member_score[p, members].sum())

    # seed peer-led groups with members of the rarest required profession
    if not problem.n_leaders and problem.rules:
        code = min(problem.rules, key=lambda r: int((problem.profession == r[0]).sum()))[0]
        seeds = [int(p) for p in rng.permutation(np.flatnonzero(problem.profession == code))]
        for g, p in zip(range(n_grp), seeds, strict=False):
            group[p] = g
    order = np.argsort(allowed.sum(axis=1) + rng.random(n) * 0.5, kind="stable")
    for p in map(int, order):
        if group[p] >= 0:
            continue
        best, best_gain = -1, -np.inf
        for g in map(int, np.flatnonzero(allowed[p])):
            members = np.append(np.flatnonzero(group == g), p)
            if valid(members, g) and gain(p, g) > best_gain:
                best, best_gain = g, gain(p, g)
        if best >= 0:
            group[p] = best
    total = _score(problem, group)
    for _ in range(iterations):
        p = int(rng.integers(n))
        g = int(rng.integers(n_grp))
        if group[p] == g or not allowed[p, g]:
            continue
        old = int(group[p])
        q = -1
        if (group == g).sum() >= problem.group_capacity(g) or rng.random() < 0.5:
            in_g = np.flatnonzero(group == g)
            if in_g.size == 0:
                continue
            q = int(rng.choice(in_g))
            if old >= 0 and not allowed[q, old]:
                continue
        group[p] = g
        if q >= 0:
            group[q] = old
        touched = {g, old} - {-1}
        if (
            all(
                valid(np.flatnonzero(group == h), h)
                for h in touched
                if (group == h).sum() >= problem.min_size
            )
            and _score(problem, group) > total
        ):
            total = _score(problem, group)
        else:
            group[p] = old
            if q >= 0:
                group[q] = g
    # groups left below the minimum size or breaking composition rules are dissolved
    for g in range(n_grp):
        members = np.flatnonzero(group == g)
        if members.size and (
            members.size < problem.min_size or check_groups(problem, np.where(group == g, g, -1))
        ):
            group[members] = -1
    window, language, fmt = _choices(problem, group)
    objective = _score(problem, group)
    return GroupResult(
        group,
        window,
        language,
        fmt,
        objective,
        max(simple_bound(problem), objective),  # proven; a heuristic never claims its own
        "feasible",
        {"engine": "greedy+local-search", "iterations": iterations},
    )


def _greedy(problem: GroupProblem, seed: int) -> GroupResult:
    """Peer-led groups at scale: grow one group at a time from the member with the fewest
    compatible peers, adding the member who adds most to the group's total while a window,
    language and format stay shared and every rule holds; then place the rest where they fit.
    Vectorised over the members: O(n^2) work, no pass over pairs in Python."""
    rng = np.random.default_rng(seed)
    n = problem.n
    ok = problem.member_member_ok.copy()
    if problem.distinct_organizations:
        org = problem.organization
        ok &= ~((org[:, None] == org[None, :]) & (org[:, None] >= 0))
    np.fill_diagonal(ok, False)
    score = problem.member_weight * problem.member_member_score
    prof = problem.profession
    win, lang, fmt = problem.member_window, problem.member_lang, problem.member_fmt
    lows = [(code, low) for code, low, _ in problem.rules if low > 0]
    group = np.full(n, -1, np.int64)
    open_groups: list[list[int]] = []

    def admissible(members: list[int], cand: Bool2) -> Bool2:
        shared_w = win[members].all(axis=0)
        shared_k = lang[members].all(axis=0)
        shared_f = fmt[members].all(axis=0)
        out = cand & win[:, shared_w].any(axis=1)
        out &= lang[:, shared_k].any(axis=1) & fmt[:, shared_f].any(axis=1)
        profs = prof[members]
        for code, _, high in problem.rules:
            if high >= 0 and int((profs == code).sum()) >= high:
                out &= prof != code
        if problem.max_same_profession:
            for code in np.unique(profs[profs >= 0]):
                if int((profs == code).sum()) >= problem.max_same_profession:
                    out &= prof != code
        missing = [c for c, low in lows if int((profs == c).sum()) < low]
        need = sum(low - int((profs == c).sum()) for c, low in lows if c in missing)
        if missing and need >= problem.max_size - len(members):
            out &= np.isin(prof, missing)  # the last seats go to the professions still needed
        return np.asarray(out, dtype=bool)

    free = np.ones(n, bool)
    order = np.argsort(ok.sum(axis=1) + rng.random(n) * 0.5, kind="stable")
    for s in map(int, order):
        if not free[s]:
            continue
        members = [s]
        cand = free & ok[s]
        gain = score[s].copy()
        while len(members) < problem.max_size:
            fits = admissible(members, cand)
            if not fits.any():
                break
            q = int(np.argmax(np.where(fits, gain, -np.inf)))
            members.append(q)
            cand &= ok[q]
            cand[q] = False
            gain += score[q]
        profs = prof[members]
        if len(members) >= problem.min_size and all(
            int((profs == c).sum()) >= low for c, low in lows
        ):
            group[members] = len(open_groups)
            free[members] = False
            open_groups.append(members)
    # members left over join a group with room where every rule still holds
    for p in map(int, np.flatnonzero(free)):
        best, best_gain = -1, -np.inf
        for g, members in enumerate(open_groups):
            if len(members) >= problem.max_size or not ok[p, members].all():
                continue
            one = np.zeros(n, bool)
            one[p] = True
            if admissible(members, one)[p] and float(score[p, members].sum()) > best_gain:
                best, best_gain = g, float(score[p, members].sum())
        if best >= 0:
            open_groups[best].append(p)
            group[p] = best
            free[p] = False
    window, language, fmt_out = _choices(problem, group)
    objective = _score(problem, group)
    return GroupResult(
        group,
        window,
        language,
        fmt_out,
        objective,
        max(simple_bound(problem), objective),  # proven; never the greedy's own objective
        "feasible",
        {"engine": "greedy"},
    )


def check_groups_partial(problem: GroupProblem, members: I1, g: int) -> list[str]:
    """The rules a group under construction already breaks (size minimum and composition
    minimums are left for the end, since more members may still join)."""
    if _common(problem, members, g) is None:
        return ["no common window, language and format"]
    if not problem.member_member_ok[np.ix_(members, members)].all():
        return ["two members may not be together"]
    profs = problem.profession[members]
    for code, _, high in problem.rules:
        if high >= 0 and int((profs == code).sum()) > high:
            return ["composition maximum"]
    if problem.max_same_profession:
        _, counts = np.unique(profs[profs >= 0], return_counts=True)
        if counts.size and counts.max() > problem.max_same_profession:
            return ["too many of one profession"]
    if problem.distinct_organizations:
        orgs = problem.organization[members]
        orgs = orgs[orgs >= 0]
        if len(np.unique(orgs)) < len(orgs):
            return ["two members from one organisation"]
    return []


def _improve(problem: GroupProblem, cols: _Columns, group: I1, search: GroupSearch) -> I1 | None:
    """Exact two-group moves over every feasible group: for each two formed groups (or one) and
    the members left out, the best one or two disjoint feasible groups drawn from those
    members replace them when that places more members or, at as many, scores more. Repeated
    until no move improves; None when the first pass finds nothing."""
    n, m = problem.n, len(cols.members)
    if m == 0:
        return None
    inside = np.zeros((m, n), bool)
    for c, members in enumerate(cols.members):
        inside[c, list(members)] = True
    leader = np.asarray(cols.leader, np.int64)
    value = np.asarray(cols.value, np.float64)
    big = 1.0 + 2.0 * float(np.abs(value).max()) * (n // max(problem.min_size, 1))
    key = inside.sum(axis=1) * big + value  # more members first, then the score
    current: list[tuple[int, frozenset[int]]] = []
    for g in np.unique(group[group >= 0]).tolist():
        current.append(
            (g if problem.n_leaders else -1, frozenset(np.flatnonzero(group == g).tolist()))
        )

    def key_of(owner: int, members: frozenset[int]) -> float:
        sub = problem.member_member_score[np.ix_(sorted(members), sorted(members))]
        total = problem.member_weight * float(np.triu(sub, 1).sum())
        if owner >= 0:
            total += float(problem.member_leader_score[sorted(members), owner].sum())
        return len(members) * big + total

    changed = False
    improved = True
    for _ in range(search.moves):
        if not improved:
            break
        improved = False
        used = set().union(*(s for _, s in current)) if current else set()
        free = set(range(n)) - used
        for a in range(len(current)):
            for b in [None, *range(a + 1, len(current))]:
                parts = [current[a]] if b is None else [current[a], current[b]]
                pool = set(free).union(*(s for _, s in parts))
                owners = {o for o, _ in parts}
                now = sum(key_of(o, s) for o, s in parts)
                out = np.ones(n, bool)
                out[list(pool)] = False
                ok = ~inside[:, out].any(axis=1)
                if problem.n_leaders:
                    ok &= np.isin(leader, list(owners))
                idx = np.flatnonzero(ok)
                if idx.size > search.move_columns:  # the best ones only: the work stays bounded
                    idx = idx[np.argsort(-key[idx], kind="stable")[: search.move_columns]]
                if idx.size == 0:
                    continue
                best, pick = float(key[idx].max()), [int(idx[np.argmax(key[idx])])]
                if b is not None:
                    sub = inside[idx].astype(np.int32)
                    apart = (sub @ sub.T) == 0
                    if problem.n_leaders:
                        apart &= leader[idx][:, None] != leader[idx][None, :]
                    both = np.where(
                        np.triu(apart, 1), key[idx][:, None] + key[idx][None, :], -np.inf
                    )
                    flat = int(np.argmax(both))
                    if both.flat[flat] > best:
                        best = float(both.flat[flat])
                        pick = [int(idx[flat // idx.size]), int(idx[flat % idx.size])]
                if best > now + 1e-9:
                    for part in sorted([a] if b is None else [a, b], reverse=True):
                        current.pop(part)
                    current += [(int(leader[c]), frozenset(cols.members[c])) for c in pick]
                    improved = changed = True
                    break
            if improved:
                break
    if not changed:
        return None
    out_group = np.full(n, -1, np.int64)
    for g_peer, (owner, chosen) in enumerate(sorted(current, key=lambda t: sorted(t[1]))):
        out_group[sorted(chosen)] = owner if problem.n_leaders else g_peer
    return out_group


def _dives(
    problem: GroupProblem,
    cols: _Columns,
    pack: _Packing,
    cut: _CutLP,
    placed: int,
    search: GroupSearch,
) -> I1 | None:
    """The best grouping (most members, then total) of the LP dives: one led by the cut LP,
    one from each of its ``search.dive_starts`` highest fractional groups, while the work budget
    (``search.dive_work``) lasts; None if all fail."""
    frac = np.flatnonzero((cut.x > _EPS) & (cut.x < 1 - _EPS))
    starts = frac[np.argsort(-cut.x[frac], kind="stable")][: search.dive_starts].tolist()
    best: tuple[int, float] | None = None
    out = None
    work = [int(search.dive_work * pack.value.size)]
    for first in [None, *starts]:
        chosen = _dive(pack, cut, placed, first, work, search)
        group = None if chosen is None else _grouping(problem, cols, chosen)
        if group is None:
            continue
        key = (int((group >= 0).sum()), _score(problem, group))
        if best is None or key > (best[0], best[1] + 1e-9):
            best, out = key, group
    return out


def _grouping(problem: GroupProblem, cols: _Columns, chosen: list[int]) -> I1 | None:
    """The group array of the listed groups ``chosen`` (peer-led: numbered in order of their
    members), or None if they overlap or break a rule (never expected: a safety check)."""
    group = np.full(problem.n, -1, np.int64)
    ordered = sorted(chosen, key=lambda c: cols.members[c])
    for g_peer, c in enumerate(ordered):
        members = list(cols.members[c])
        if (group[members] >= 0).any():
            return None
        group[members] = cols.leader[c] if problem.n_leaders else g_peer
    return None if check_groups(problem, group) else group


def _tighten(
    problem: GroupProblem, result: GroupResult, max_columns: int, search: GroupSearch
) -> None:
    """When every feasible group can be listed (at most ``max_columns``): improve the grouping
    by exact two-group moves; lower ``result.bound`` to the set-packing LP bound strengthened by
    subset-row cuts; and take the grouping an LP dive finds when it is better (more members,
    or as many and a higher total), improved by the moves again."""
    cols = _columns(problem, max_columns)
    if cols is None:
        result.stats["lp_bound"] = "not computed: more feasible groups than max_columns"
        return
    if not cols.members:
        result.stats["columns"] = 0
        result.bound = max(min(result.bound, 0.0), result.objective)
        return
    better = _improve(problem, cols, result.group, search)
    if better is not None:
        result.group = better
        result.objective = _score(problem, better)
        result.window, result.language, result.fmt = _choices(problem, better)
        result.stats["improved"] = "exact two-group moves over every feasible group"
    placed = int((result.group >= 0).sum())
    result.stats["columns"] = len(cols.members)
    pack = _packing(problem, cols)
    keys = [
        (g if problem.n_leaders else -1, tuple(np.flatnonzero(result.group == g).tolist()))
        for g in np.unique(result.group[result.group >= 0]).tolist()
    ]
    start = np.array([pack.index[k] for k in keys if k in pack.index], np.int64)
    cut = _cut_bound(pack, placed, start, search)
    if cut is None:  # the LP failed: the plain bound (infinite when it fails too)
        bound = _lp_bound(problem, cols, placed)
        result.stats["lp_bound"] = round(bound, 6)
    else:
        result.stats["lp_bound"] = round(cut.plain, 6)
        bound = cut.bound
        result.stats["cut_bound"] = round(cut.bound, 6)
        result.stats["cuts"] = int(cut.cuts.shape[0])
        result.stats["cut_rounds"] = cut.rounds
        dived = _dives(problem, cols, pack, cut, placed, search)
        if dived is not None:
            result.stats["dive"] = round(_score(problem, dived), 6)
            moved = _improve(problem, cols, dived, search)
            dived = dived if moved is None else moved
            value = _score(problem, dived)
            if (int((dived >= 0).sum()), value) > (placed, result.objective + 1e-9):
                result.group = dived
                result.objective = value
                result.window, result.language, result.fmt = _choices(problem, dived)
                result.stats["improved"] = "LP dive with subset-row cuts, then two-group moves"
    result.bound = max(min(result.bound, bound), result.objective)


def solve_groups(
    problem: GroupProblem,
    *,
    time_limit: float = 20.0,
    seed: int = 0,
    max_exact_members: int = 120,
    max_columns: int = 200_000,
    search: GroupSearch = GroupSearch(),
) -> GroupResult:
    """Form groups: when the instance is small enough, CP-SAT on every feasible group
    (set partitioning, when there are at most ``max_columns`` of them) or on the member-group
    model; else greedy + local search. ``search`` bounds the work once CP-SAT stops unproven."""
    if problem.n == 0 or problem.n_groups() == 0:
        empty = np.full(problem.n, -1, np.int64)
        return GroupResult(
            empty,
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            0.0,
            0.0,
            "optimal",
            {"engine": "none"},
        )
    if problem.n > max_exact_members and not problem.n_leaders:
        fast = _greedy(problem, seed)
        fast.stats["note"] = (
            f"{problem.n} members is above max_exact_members "
            f"({max_exact_members}): CP-SAT not attempted"
        )
        return fast
    heuristic = _heuristic(problem, seed, iterations=200 * problem.n)
    if problem.n <= max_exact_members:
        exact = _cp_sat(problem, time_limit, seed, heuristic.group)
        placed_heur = int((heuristic.group >= 0).sum())
        if exact is not None:
            placed_exact = int((exact.group >= 0).sum())
            if (placed_exact, exact.objective) >= (placed_heur, heuristic.objective):
                if exact.status != "optimal":
                    _tighten(problem, exact, max_columns, search)
                return exact
        _tighten(problem, heuristic, max_columns, search)
        heuristic.stats["note"] = "CP-SAT found no better solution within the time limit"
    else:
        heuristic.stats["note"] = (
            f"{problem.n} members is above max_exact_members "
            f"({max_exact_members}): CP-SAT not attempted"
        )
    return heuristic
