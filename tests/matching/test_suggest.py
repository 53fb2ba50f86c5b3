"""``matcher.suggest``: the top-N compatible mentors per mentee, load-aware.

A mentor with ``c`` places is shown to at most ``c * top`` mentees; no infeasible mentor is ever
listed; each list is ranked 1..k by descending score; the lists together have the largest
total score within those limits; the same seed gives the same lists and files.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from invariants import broken_rules, feasible_pairs
from reference import flow_optimum
from strategies import Program, programs

import matcher
from matcher import Participant
from matcher.scoring import ScoringModel

TOPS = st.integers(1, 4)
SEEDS = st.integers(0, 2**31 - 1)


def suggestions_csv(result: matcher.Matching) -> tuple[list[str], list[dict[str, str]]]:
    text = result.files(version="x")["suggestions.csv"].decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, [dict(zip(header, r, strict=True)) for r in rows]


@given(programs(max_mentors=5, max_mentees=7), TOPS, SEEDS)
@settings(max_examples=50, deadline=None)
def test_suggestions_are_feasible_load_aware_and_ranked(prog: Program, top: int, seed: int) -> None:
    result = matcher.suggest(prog.mentors, prog.mentees, config=prog.config, top=top, seed=seed)
    assert result.kind == "suggest"
    assert result.method == "suggest"
    mentees = {p.id: p for p in prog.mentees}
    mentors = {p.id: p for p in prog.mentors}
    allowed = feasible_pairs(prog.mentees, prog.mentors, prog.config)
    listed = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    assert len(set(listed)) == len(listed), "a mentor suggested twice to one mentee"
    for p in result.pairs:
        e, m = mentees[p.mentee_id], mentors[p.mentor_id]
        assert broken_rules(e, m, prog.config) == [], (p, broken_rules(e, m, prog.config))
        assert (e.id, m.id) in allowed
        assert p.score >= prog.config.min_score - 1e-6
    # load-aware: nobody is shown to more than capacity x top mentees
    shown = Counter(m for _, m in listed)
    for mentor_id, count in shown.items():
        assert count <= mentors[mentor_id].capacity * top, (mentor_id, count)
    # each list: at most top, ranks 1..k, scores not increasing
    by_mentee: dict[str, list[matcher.Pair]] = {}
    for p in result.pairs:
        by_mentee.setdefault(p.mentee_id, []).append(p)
    for mine in by_mentee.values():
        assert len(mine) <= top
        assert [p.rank for p in mine] == list(range(1, len(mine) + 1))
        scores = [p.score for p in mine]
        assert scores == sorted(scores, reverse=True)
    # every mentee has a list or a reason; every mentor is shown or has a reason
    unmatched = Counter((u.role, u.id) for u in result.unmatched)
    assert all(n == 1 for n in unmatched.values())
    assert all(u.reason for u in result.unmatched)
    for pid in mentees:
        assert (pid in by_mentee) != (("mentee", pid) in unmatched), pid
    for pid in mentors:
        assert (pid in shown) != (("mentor", pid) in unmatched), pid


@given(programs(max_mentors=4, max_mentees=5), TOPS)
@settings(max_examples=30, deadline=None)
def test_suggestion_lists_have_the_best_total_within_the_limits(prog: Program, top: int) -> None:
    result = matcher.suggest(prog.mentors, prog.mentees, config=prog.config, top=top)
    model = ScoringModel(prog.mentees, prog.mentors, prog.config)
    cand = model.candidates(prog.config.min_score)
    edges = [
        (int(i), int(j), float(s))
        for i, j, s in zip(cand.rows, cand.cols, cand.scores, strict=True)
    ]
    places, total = flow_optimum(
        edges,
        np.full(len(prog.mentees), top),
        np.array([p.capacity * top for p in prog.mentors], dtype=np.int64),
    )
    assert len(result.pairs) == places
    assert sum(p.score for p in result.pairs) == pytest.approx(total, abs=1e-5)


@given(programs(max_mentors=5, max_mentees=7), TOPS, SEEDS)
@settings(max_examples=20, deadline=None)
def test_same_seed_gives_the_same_suggestions(prog: Program, top: int, seed: int) -> None:
    first = matcher.suggest(prog.mentors, prog.mentees, config=prog.config, top=top, seed=seed)
    again = matcher.suggest(prog.mentors, prog.mentees, config=prog.config, top=top, seed=seed)
    assert again.pairs == first.pairs
    assert again.unmatched == first.unmatched
    files = [r.files(version="x") for r in (first, again)]
    assert files[0]["suggestions.csv"] == files[1]["suggestions.csv"]
    assert files[0]["unmatched.csv"] == files[1]["unmatched.csv"]
    summaries = [json.loads(f["summary.json"]) for f in files]
    for s in summaries:
        del s["elapsed_s"]
    assert summaries[0] == summaries[1]


def test_suggestions_csv_columns() -> None:
    mentors = [
        Participant(id="m1", role="mentor", languages="en", specialties="chronic_pain"),
        Participant(id="m2", role="mentor", languages="en", specialties="addiction"),
        Participant(id="m3", role="mentor", languages="fr", specialties="addiction"),
    ]
    mentees = [
        Participant(id="e1", languages="en", specialties="addiction"),
        Participant(id="e2", languages="es"),
    ]
    result = matcher.suggest(mentors, mentees, top=3)
    files = result.files(version="x")
    assert set(files) == {"suggestions.csv", "unmatched.csv", "summary.json"}
    header, rows = suggestions_csv(result)
    assert header == ["mentee_id", "rank", "mentor_id", "score", "reasons"]
    # m3 speaks only French: never suggested to e1; e2 speaks Spanish: nobody
    assert [(r["mentee_id"], r["rank"], r["mentor_id"]) for r in rows] == [
        ("e1", "1", "m2"),
        ("e1", "2", "m1"),
    ]
    assert float(rows[0]["score"]) > float(rows[1]["score"])
    assert all(r["reasons"] for r in rows)
    reasons = {(u.role, u.id): u.reason for u in result.unmatched}
    assert "language" in reasons[("mentee", "e2")]
    summary = json.loads(files["summary.json"])
    assert summary["method"] == "suggest"
    assert summary["top"] == 3
    assert summary["mentees_with_short_list"] == 1


def test_a_mentor_with_one_place_is_shown_to_at_most_top_mentees() -> None:
    mentors = [
        Participant(id="star", role="mentor", languages="en", specialties="addiction"),
        Participant(id="other", role="mentor", languages="en", capacity=5),
        Participant(id="closed", role="mentor", languages="en", capacity=0),
    ]
    mentees = [Participant(id=f"e{k}", languages="en", specialties="addiction") for k in range(5)]
    result = matcher.suggest(mentors, mentees, top=2)
    shown = Counter(p.mentor_id for p in result.pairs)
    assert shown["star"] == 2  # capacity 1 x top 2
    assert shown["other"] == 5
    assert "closed" not in shown
    assert ("mentor", "closed") in {(u.role, u.id) for u in result.unmatched}


def test_suggest_is_the_method_in_program_toml() -> None:
    mentors = [Participant(id="m1", role="mentor", languages="en")]
    mentees = [Participant(id="e1", languages="en")]
    config = {"program": {"method": "suggest"}, "suggest": {"top": 2}}
    result = matcher.match(mentors, mentees, config=config)
    assert result.kind == "suggest"
    assert [(p.mentee_id, p.rank, p.mentor_id) for p in result.pairs] == [("e1", 1, "m1")]
    assert result.summary_extra["top"] == 2


def test_invalid_top_is_rejected() -> None:
    with pytest.raises(matcher.InvalidInputError, match="top"):
        matcher.suggest([], [], top=-1)
