"""One check suite for every method of the table (:data:`matcher.METHODS`), through
:func:`matcher.match` on random profiles: a method added to the table is checked here without
touching this file.  The sparse path of ``optimal`` (forced, with too few candidate pairs so
that the certificate has work to do) runs as a method of its own, and so does fair's.

For every method: no capacity exceeded (groups: sizes within ``min_size``–``max_size``;
suggest: ``top`` per mentee, ``capacity x top`` per mentor), no hard rule broken, every
participant accounted for exactly once (in a pair or unmatched with a reason), the same seed
giving byte-identical files, and permuting the input lists not changing the result: the same
optimum for the exact methods, still no blocking pair for ``stable``, still valid for
``groups`` (whose CP-SAT search may take another route to an equally valid set of groups).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import broken_rules, feasible_pairs
from strategies import Program, programs

import matcher
from matcher.engine import SparseOptions
from matcher.profiles import GroupsConfig

TOL = 1e-4
SEEDS = st.integers(0, 2**31 - 1)

#: Every method of the table, plus the forced sparse path of optimal: name -> match() keywords.
CASES: dict[str, dict[str, Any]] = {name: {"method": name} for name in matcher.METHODS}
CASES["optimal[sparse]"] = {"method": "optimal", "sparse": SparseOptions(sparse_top=0)}
CASES["fair[sparse]"] = {"method": "fair", "sparse": SparseOptions(sparse_top=0)}
#: Methods whose result is an optimum: a permutation of the inputs gives the same one.
EXACT = {"optimal", "optimal[sparse]", "fair", "fair[sparse]", "suggest"}
TOP = 2
SUITE = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _config(prog: Program, case: str) -> matcher.ProgramConfig:
    """Small groups (so that a few people form some), short lists for suggest."""
    update: dict[str, Any] = {}
    if CASES[case]["method"] == "groups":
        update["groups"] = GroupsConfig(min_size=2, max_size=3, time_limit_s=5)
    if CASES[case]["method"] == "suggest":
        update["suggest"] = prog.config.suggest.model_copy(update={"top": TOP})
    return prog.config.model_copy(update=update)


def _run(prog: Program, case: str, seed: int) -> matcher.Matching:
    return matcher.match(
        prog.mentors, prog.mentees, config=_config(prog, case), seed=seed, **CASES[case]
    )


def _files(result: matcher.Matching) -> dict[str, bytes]:
    files = result.files(version="x")
    files["summary.json"] = re.sub(
        rb'"elapsed_s": [-+.0-9eE]+', b'"elapsed_s": 0', files["summary.json"]
    )
    return files


def check(prog: Program, case: str, result: matcher.Matching) -> None:
    """Capacities, hard rules and the accounting of every participant."""
    method = CASES[case]["method"]
    cfg = _config(prog, case)
    mentees = {p.id: p for p in prog.mentees}
    mentors = {p.id: p for p in prog.mentors}
    assert result.method == method
    used = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    assert len(set(used)) == len(used), "a pair listed twice"
    # capacities
    one_to_one = [p for p in result.pairs if p.group_id is None]
    per_e = Counter(p.mentee_id for p in one_to_one)
    per_m = Counter(p.mentor_id for p in one_to_one)
    wants = (lambda e: TOP) if method == "suggest" else (lambda e: mentees[e].capacity)
    takes = (
        (lambda m: TOP * mentors[m].capacity)
        if method == "suggest"
        else (lambda m: mentors[m].capacity)
    )
    for pid, count in per_e.items():
        assert count <= wants(pid), f"mentee {pid}: {count} mentors"
    for pid, count in per_m.items():
        assert count <= takes(pid), f"mentor {pid}: {count} mentees"
    groups: dict[str, list[matcher.Pair]] = {}
    for p in result.pairs:
        if p.group_id is not None:
            groups.setdefault(p.group_id, []).append(p)
    for gid, rows in groups.items():
        assert method == "groups"
        assert cfg.groups.min_size <= len(rows) <= cfg.groups.max_size, (gid, len(rows))
        assert len({p.mentor_id for p in rows}) == 1, f"group {gid} has several leaders"
    members = Counter(p.mentee_id for rows in groups.values() for p in rows)
    assert all(n == 1 for n in members.values()), "a member in two groups"
    assert not set(members) & set(per_e), "a member of a group also paired one to one"
    # hard rules: every pair with a mentor, from the profiles alone and as the model decides
    allowed = feasible_pairs(prog.mentees, prog.mentors, cfg)
    for p in result.pairs:
        if not p.mentor_id:
            continue
        e, m = mentees[p.mentee_id], mentors[p.mentor_id]
        assert broken_rules(e, m, cfg) == [], (p, broken_rules(e, m, cfg))
        assert (e.id, m.id) in allowed, f"{p} is not allowed"
        if p.group_id is None:
            assert p.score >= cfg.min_score - TOL, f"{p} is below min_score"
    # every participant exactly once: in a pair (or group) or unmatched with a reason
    listed = Counter((u.role, u.id) for u in result.unmatched)
    assert all(n == 1 for n in listed.values()), listed
    assert all(u.reason for u in result.unmatched)
    in_pairs_e = {p.mentee_id for p in result.pairs}
    in_pairs_m = {p.mentor_id for p in result.pairs if p.mentor_id}
    for pid in mentees:
        assert (pid in in_pairs_e) != (("mentee", pid) in listed), pid
    for pid in mentors:
        assert (pid in in_pairs_m) != (("mentor", pid) in listed), pid
    assert set(listed) <= {("mentee", i) for i in mentees} | {("mentor", i) for i in mentors}
    assert result.bound >= result.objective - TOL


def test_the_suite_covers_the_whole_table() -> None:
    assert set(matcher.METHODS) <= {c["method"] for c in CASES.values()}
    assert list(matcher.METHODS) == ["optimal", "fair", "stable", "groups", "suggest"]


@pytest.mark.parametrize("case", list(CASES))
@given(prog=programs(max_mentors=4, max_mentees=7), seed=SEEDS)
@SUITE
def test_every_method_keeps_every_invariant(case: str, prog: Program, seed: int) -> None:
    check(prog, case, _run(prog, case, seed))


@pytest.mark.parametrize("case", list(CASES))
@given(prog=programs(max_mentors=4, max_mentees=7), seed=SEEDS)
@SUITE
def test_every_method_is_deterministic(case: str, prog: Program, seed: int) -> None:
    first, again = _run(prog, case, seed), _run(prog, case, seed)
    assert _files(again) == _files(first)


@pytest.mark.parametrize("case", list(CASES))
@given(prog=programs(max_mentors=4, max_mentees=7), seed=SEEDS, shuffle=SEEDS)
@SUITE
def test_every_method_is_indifferent_to_the_order_of_the_inputs(
    case: str, prog: Program, seed: int, shuffle: int
) -> None:
    rng = np.random.default_rng(shuffle)
    permuted = Program(
        [prog.mentors[k] for k in rng.permutation(len(prog.mentors))],
        [prog.mentees[k] for k in rng.permutation(len(prog.mentees))],
        prog.config,
    )
    base, other = _run(prog, case, seed), _run(permuted, case, seed)
    check(permuted, case, other)
    if case in EXACT:
        assert other.objective == pytest.approx(base.objective, abs=TOL)
        assert other.matched == base.matched
        assert len(other.pairs) == len(base.pairs)
    if case == "stable":
        assert other.summary_extra["blocking_pairs"] == 0 == base.summary_extra["blocking_pairs"]
