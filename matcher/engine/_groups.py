"""Forming small groups from profiles (method ``groups``), mixed with one-to-one pairs for
participants who chose ``one_to_one`` only."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.engine._build import from_model
from matcher.matching import Matching, Pair, Unmatched, group_member_reason
from matcher.profiles import Participant, vocab
from matcher.scoring import (
    BIN_MINUTES,
    FORMAT_BITS,
    WEEK_BINS,
    Progress,
    ScoringModel,
    Side,
    score_floor,
)
from matcher.solvers import (
    AssignmentProblem,
    GroupProblem,
    GroupResult,
    check_groups,
    solve_groups,
    solve_optimal,
)

__all__ = ["form_groups"]

log = logging.getLogger(__name__)

_GROUP = {"small_group", "large_group"}


@contextlib.contextmanager
def _ticking(progress: Progress | None, stage: str, expected_s: float) -> Iterator[None]:
    """Report progress every half second while a solver that reports nothing runs."""
    if progress is None:
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while not done.wait(0.5):
            progress(stage, min((time.monotonic() - started) / max(expected_s, 1e-9), 0.99))

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        progress(stage, 1.0)


def _wants_group(p: Participant) -> bool:
    return not p.group_formats or bool(_GROUP & set(p.group_formats))


def _windows(side: Side, length_bins: int) -> npt.NDArray[np.bool_]:
    """(n, WEEK_BINS): the participant is free for a whole session starting at bin w (UTC)."""
    avail = side.avail.astype(np.int32)
    wrapped = np.concatenate([avail, avail[:, : length_bins - 1]], axis=1)
    csum = np.concatenate(
        [np.zeros((avail.shape[0], 1), np.int32), np.cumsum(wrapped, axis=1)], axis=1
    )
    free = (csum[:, length_bins : length_bins + WEEK_BINS] - csum[:, :WEEK_BINS]) == length_bins
    free[~side.has_avail] = True  # no availability stated: flexible
    return np.asarray(free, dtype=bool)


def _fmt_matrix(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    out = np.stack([(bits & b) > 0 for b in FORMAT_BITS.values()], axis=1)
    out[bits == 0] = True
    return np.asarray(out, dtype=bool)


def _lang_matrix(lang: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    out = lang > 0
    out[out.sum(axis=1) == 0] = True
    return np.asarray(out, dtype=bool)


def _when(window: int, offset: float, minutes: int) -> str:
    start = (window * BIN_MINUTES + round(offset)) % (7 * 1440)
    day, minute = divmod(start, 1440)
    return vocab.format_slot(day, minute, min(minute + minutes, 1440))


def form_groups(
    model: ScoringModel, *, seed: int = 0, progress: Progress | None = None
) -> Matching:
    """Groups for those who chose them, pairs (optimal) for those who chose one-to-one only."""
    cfg = model.config
    gcfg = cfg.groups
    member_idx = np.array([k for k, p in enumerate(model.mentees) if _wants_group(p)], np.intp)
    pair_idx = np.array([k for k, p in enumerate(model.mentees) if not _wants_group(p)], np.intp)
    if gcfg.leader == "mentor":
        leader_idx = np.array([k for k, p in enumerate(model.mentors) if _wants_group(p)], np.intp)
    else:
        leader_idx = np.zeros(0, np.intp)
    pair_mentor_idx = np.setdiff1d(np.arange(len(model.mentors)), leader_idx).astype(np.intp)

    enc = model.enc
    members = enc.mentees.take(member_idx)
    leaders = enc.mentors.take(leader_idx)
    length = max(1, -(-cfg.session_minutes // BIN_MINUTES))
    m_win = _windows(members, length)
    l_win = _windows(leaders, length)
    keep_w = np.flatnonzero(m_win.sum(axis=0) >= gcfg.min_size)
    if leader_idx.size:
        keep_w = keep_w[l_win[:, keep_w].any(axis=0)]
    # identical windows (same people free) are one choice for the solver
    if keep_w.size:
        stacked = np.concatenate([m_win[:, keep_w], l_win[:, keep_w]], axis=0)
        _, first = np.unique(stacked.T, axis=0, return_index=True)
        keep_w = keep_w[np.sort(first)]
    if progress is not None:
        progress("scoring", 0.5)
    if leader_idx.size and member_idx.size:
        led = model.block(member_idx, leader_idx)
        ml_score = led.total.astype(np.float64)
        ml_ok = led.feasible & (led.total >= score_floor(cfg.min_score))
    else:
        ml_score = np.zeros((member_idx.size, leader_idx.size))
        ml_ok = np.ones((member_idx.size, leader_idx.size), bool)
    peer_cfg = cfg.model_copy(
        update={
            "min_experience_gap": 0.0,
            "criteria": {
                **cfg.criteria,
                "experience": cfg.criteria["experience"].model_copy(update={"weight": 0.0}),
            },
        }
    )
    group_members = [model.mentees[k] for k in member_idx]
    peers = ScoringModel(
        group_members, [p.model_copy(update={"role": "mentor"}) for p in group_members], peer_cfg
    )
    prof_names = {name: code for code, name in enumerate(_prof_names(model))}
    rules = [
        (prof_names.get(r.profession, -2), r.min, -1 if r.max is None else r.max)
        for r in gcfg.require
    ]
    m_lang, m_fmt = _lang_matrix(members.lang), _fmt_matrix(members.fmt)
    at_scale = not leader_idx.size and member_idx.size > gcfg.max_exact_members
    if at_scale:  # peer-led and large: independent blocks of members who share a window etc.
        blocks, home_size = _blocks(m_win[:, keep_w], m_lang, m_fmt, gcfg.min_size)
    else:
        blocks, home_size = [np.arange(member_idx.size)], None
    if progress is not None:
        progress("grouping", 0.0)
    solved: list[tuple[npt.NDArray[np.intp], GroupProblem, GroupResult, npt.NDArray[Any]]] = []
    criteria = [n for n in model.active if cfg.weight(n) > 0 or cfg.hard(n)]
    peer_parts: list[dict[int, dict[str, float | None]]] = []  # peer-led: per block, per group
    with _ticking(progress, "grouping", gcfg.time_limit_s):
        for block in blocks:
            raw: npt.NDArray[Any]
            if at_scale:
                scored = peers.block(block, block)
                raw, mm_ok = scored.total, scored.feasible
            elif member_idx.size:
                raw, mm_ok = peers.score_matrix()
            else:
                raw, mm_ok = np.zeros((0, 0)), np.zeros((0, 0), bool)
            mm_score = (raw.astype(np.float64) + raw.T) / 2
            mm_ok = mm_ok & mm_ok.T
            np.fill_diagonal(mm_ok, True)
            np.fill_diagonal(mm_score, 0.0)
            problem = GroupProblem(
                member_leader_score=ml_score[block],
                member_leader_ok=ml_ok[block],
                member_member_score=mm_score,
                member_member_ok=mm_ok,
                member_window=m_win[block][:, keep_w],
                leader_window=l_win[:, keep_w],
                member_lang=m_lang[block],
                leader_lang=_lang_matrix(leaders.lang),
                member_fmt=m_fmt[block],
                leader_fmt=_fmt_matrix(leaders.fmt),
                profession=members.prof[block].astype(np.int64),
                organization=members.org[block].astype(np.int64),
                leader_organization=leaders.org.astype(np.int64),
                leader_capacity=leaders.capacity.astype(np.int64),
                min_size=gcfg.min_size,
                max_size=gcfg.max_size,
                rules=rules,
                distinct_organizations=gcfg.distinct_organizations,
                max_same_profession=gcfg.max_same_profession,
                member_weight=gcfg.member_weight,
            )
            result = solve_groups(
                problem,
                time_limit=gcfg.time_limit_s,
                seed=seed,
                max_exact_members=0 if at_scale else gcfg.max_exact_members,
            )
            broken = check_groups(problem, result.group)
            if broken:  # a solver bug, never the user's input
                raise RuntimeError("groups break their rules: " + "; ".join(broken))
            if not leader_idx.size:  # peer-led: each group's criteria, from its member pairs
                rows, cols = _group_pairs(result.group)
                if at_scale:  # the block's parts are at hand
                    per = {
                        name: np.where(
                            True if part.applies is None else part.applies[rows, cols],
                            part.score[rows, cols].astype(np.float64),
                            np.nan,
                        )
                        for name, part in scored.parts.items()
                    }
                else:
                    per = peers.pair_parts(block[rows], block[cols])[2]
                peer_parts.append(_group_means(result.group, rows, per, criteria))
            solved.append((block, problem, result, mm_score))

    pairs: list[Pair] = []
    unmatched: list[Unmatched] = []
    n_groups = sum(len(set(r.group[r.group >= 0].tolist())) for _, _, r, _ in solved)
    width = max(2, len(str(n_groups)))
    names: list[dict[int, str]] = []
    named = 0
    for _, _, result, _ in solved:
        block_names: dict[int, str] = {}
        for g in sorted(set(result.group[result.group >= 0].tolist())):
            named += 1
            block_names[g] = f"G{named:0{width}d}"
        names.append(block_names)
    lang_names = enc.languages
    fmt_names = list(FORMAT_BITS)
    objective = 0.0
    bound = 0.0
    status = "optimal"
    grouped = 0
    sizes: list[int] = []
    stats: dict[str, Any] = {}
    for b, ((block, problem, result, mm_score), group_names) in enumerate(
        zip(solved, names, strict=True)
    ):
        objective += result.objective
        bound += result.bound
        grouped += int((result.group >= 0).sum())
        sizes += [int((result.group == g).sum()) for g in group_names]
        if result.status != "optimal":
            status = "feasible"
        if not stats:
            stats = dict(result.stats)
        # per-criterion scores of each member with its leader (peer-led: its group's pairs)
        placed = np.flatnonzero(result.group >= 0)
        lead_parts: dict[int, dict[str, float | None]] = {}
        if leader_idx.size and placed.size:
            _, _, per = model.pair_parts(
                member_idx[block[placed]], leader_idx[result.group[placed]]
            )
            for k, p_local in enumerate(placed.tolist()):
                lead_parts[p_local] = {
                    n: (None if np.isnan(per[n][k]) else float(per[n][k])) for n in criteria
                }
        elif placed.size:  # peer-led: each group's mean over the member pairs inside it
            lead_parts = {int(p): peer_parts[b][int(result.group[p])] for p in placed}
        near = _Nearest(
            problem,
            result,
            group_names,
            m_win[block],
            l_win,
            keep_w,
            members.utc_offset[block],
            [model.mentors[j].id for j in leader_idx.tolist()],
            lang_names,
            cfg.session_minutes,
        )
        for p_local, g in enumerate(result.group.tolist()):
            person = model.mentees[member_idx[block[p_local]]]
            if g < 0:
                if home_size is not None and home_size[block[p_local]]:
                    ok = problem.member_member_ok[p_local].copy()
                    ok[p_local] = False
                    allowed = int(ok.sum())
                    why = (
                        f"only {allowed} of the other {block.size - 1} may be grouped with this "
                        "person under the hard rules (in-person region, organisation, "
                        f"exclusions, min_score); a group needs {gcfg.min_size}"
                        if allowed < gcfg.min_size - 1
                        else f"no group of {gcfg.min_size}-{gcfg.max_size} could take this "
                        "person without breaking a hard rule, a size limit or a composition rule"
                    )
                    reason = (
                        f"not placed: within its block of {block.size} members who share a "
                        f"session window, a language and a format, {why} (a programme this "
                        "large is grouped block by block)"
                    )
                elif home_size is not None and problem.member_window[p_local].any():
                    reason = (
                        f"no session window, language and format that at least {gcfg.min_size} "
                        "group members, this person included, all share (once larger classes "
                        "of members sharing them were grouped)"
                    )
                else:
                    reason = group_member_reason(problem, p_local, gcfg.min_size)
                if not problem.member_window[p_local].any():
                    reason += near.window(p_local)
                unmatched.append(Unmatched(person.id, "mentee", reason + near.group(p_local)))
                continue
            mates = np.flatnonzero(result.group == g)
            others = mates[mates != p_local]
            peer_mean = float(mm_score[p_local, others].mean()) if others.size else 0.0
            if leader_idx.size:
                lead = float(ml_score[block[p_local], g])
                score = (lead + gcfg.member_weight * peer_mean) / (1 + gcfg.member_weight)
                leader_id = model.mentors[leader_idx[g]].id
            else:
                score, leader_id = peer_mean, ""
            window = int(keep_w[result.window[g]])
            offset = float(members.utc_offset[block[p_local]])
            when = _when(window, 0.0 if np.isnan(offset) else offset, cfg.session_minutes)
            language = (
                lang_names[result.language[g]] if lang_names and result.language[g] >= 0 else "any"
            )
            reasons = (
                f"group {group_names[g]} of {mates.size}"
                + (f" led by {leader_id}" if leader_id else " (peer-led)")
                + f"; meets {when} your local time; language {language}; "
                f"format {fmt_names[result.fmt[g]]}; mean compatibility with the other "
                f"members {peer_mean:.2f}"
            )
            pairs.append(
                Pair(
                    person.id,
                    leader_id,
                    round(score, 6),
                    lead_parts.get(p_local, {}),
                    reasons,
                    group_names[g],
                )
            )
    if at_scale:
        # the blocks' bounds hold inside each block only; over every grouping of everyone:
        bound = max(_peer_bound(peers, gcfg.max_size, gcfg.member_weight), objective)
        stats = {"engine": "blocks+greedy", "blocks": len(blocks)}
        stats["largest_block"] = max(int(b.size) for b in blocks)
        stats["bound"] = "each member with its max_size - 1 best peers over all members"
    group_names = names[0] if len(solved) == 1 else {}  # leader-led: one block
    for g_local, leader in enumerate(leader_idx.tolist()):
        if g_local not in group_names:
            unmatched.append(
                Unmatched(
                    model.mentors[leader].id,
                    "mentor",
                    "no group formed: not enough compatible members "
                    "sharing a session window, language and format",
                )
            )

    if not pair_idx.size:
        for j in pair_mentor_idx.tolist():
            reason = (
                "the groups are peer-led, so no mentor leads one, and no mentee chose one-to-one"
                if gcfg.leader == "none"
                else "takes one-to-one mentees only, and no mentee chose one-to-one"
            )
            unmatched.append(Unmatched(model.mentors[j].id, "mentor", reason))
    paired = 0
    solver_status = status
    if pair_idx.size:
        pair_result = _pairs(model, pair_idx, pair_mentor_idx, seed)
        pairs += pair_result.pairs
        unmatched += pair_result.unmatched
        objective += pair_result.objective
        bound = bound + pair_result.bound
        stats["pairs"] = len(pair_result.pairs)
        paired = len(pair_result.pairs)
    pairs.sort(key=lambda p: (p.group_id or "~", p.mentee_id, p.mentor_id))
    order = {"mentee": 0, "mentor": 1}
    unmatched.sort(key=lambda u: (order[u.role], u.id))
    extra = {
        "mentees": len(model.mentees),
        "mentors": len(model.mentors),
        "groups": n_groups,
        "group_sizes": sizes,
        "grouped": grouped,
        "paired_one_to_one": paired,
        "chose_one_to_one": int(pair_idx.size),
        "engine": stats.get("engine"),
        "leader": gcfg.leader,
        "min_score": cfg.min_score,
        "solver": stats,
    }
    if not np.isnan(bound):
        extra["gap"] = round(max(bound - objective, 0.0), 6)
    return Matching(
        pairs=pairs,
        unmatched=unmatched,
        objective=objective,
        bound=objective if np.isnan(bound) else bound,
        method="groups",
        status=solver_status,
        seed=seed,
        criteria=criteria,
        summary_extra=extra,
        mentee_extra={p.id: p.extra for p in model.mentees if p.extra},
        mentor_extra={p.id: p.extra for p in model.mentors if p.extra},
        _explainer=model.explain if len(model.mentors) else peers.explain,
    )


def _group_pairs(group: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Every ordered pair (i, j), i != j, of members in the same group (``group`` per member,
    -1 for none)."""
    placed = np.flatnonzero(group >= 0)
    order = placed[np.argsort(group[placed], kind="stable")]
    g_of = group[order]
    start = np.searchsorted(g_of, g_of, side="left")
    size = np.searchsorted(g_of, g_of, side="right") - start
    rows = np.repeat(np.arange(order.size), size)
    cols = np.repeat(start, size) + (np.arange(rows.size) - np.repeat(np.cumsum(size) - size, size))
    keep = rows != cols
    return order[rows[keep]].astype(np.intp), order[cols[keep]].astype(np.intp)


def _group_means(
    group: npt.NDArray[np.int64],
    rows: npt.NDArray[np.intp],
    per: dict[str, npt.NDArray[np.float64]],
    criteria: list[str],
) -> dict[int, dict[str, float | None]]:
    """Each group's score on every criterion: the mean over its ordered member pairs
    (``rows``, with ``per`` their criterion scores, NaN where one does not apply) where it
    applies (both directions, as the solver's symmetric pair score); None where it applies to
    no pair."""
    groups = np.unique(group[group >= 0])
    out: dict[int, dict[str, float | None]] = {int(g): {} for g in groups}
    if not groups.size:
        return out
    n_g = int(groups.max()) + 1
    where = group[rows]
    for name in criteria:
        values = per.get(name, np.full(rows.size, np.nan))
        applies = ~np.isnan(values)
        total = np.bincount(where, weights=np.where(applies, values, 0.0), minlength=n_g)
        count = np.bincount(where, weights=applies.astype(np.float64), minlength=n_g)
        mean = np.round(total / np.maximum(count, 1), 6)
        for g in out:
            out[g][name] = float(mean[g]) if count[g] else None
    return out


_BLOCK_MEMBERS = 400  # members per block when a large peer-led programme is split


def _blocks(
    window: npt.NDArray[np.bool_],
    lang: npt.NDArray[np.bool_],
    fmt: npt.NDArray[np.bool_],
    min_size: int,
) -> tuple[list[npt.NDArray[np.intp]], npt.NDArray[np.int64]]:
    """Split members into blocks that are grouped independently, everyone in a block sharing
    one (window, language, format): the most populous such class takes all its members not yet
    taken, then the next, until no class has ``min_size`` members left; a class is cut into
    blocks of at most ``_BLOCK_MEMBERS``. Also returns, per member, the size of the class that
    took it (0: none could, so no group can include this member with the others left)."""
    n = window.shape[0]
    n_k, n_f = lang.shape[1], fmt.shape[1]
    both = (lang[:, :, None] & fmt[:, None, :]).reshape(n, -1).astype(np.int32)
    count = window.T.astype(np.int32) @ both  # (W, K*F) members in each class
    taken = np.zeros(n, bool)
    home_size = np.zeros(n, np.int64)
    blocks: list[npt.NDArray[np.intp]] = []
    while True:
        best = int(np.argmax(count))
        w, kf = divmod(best, n_k * n_f)
        if count[w, kf] < min_size:
            break
        of = np.flatnonzero(~taken & window[:, w] & both[:, kf].astype(bool))
        taken[of] = True
        home_size[of] = of.size
        blocks += np.array_split(of, -(-of.size // _BLOCK_MEMBERS))
        count -= window[of].T.astype(np.int32) @ both[of]
    rest = np.flatnonzero(~taken)
    if rest.size:
        blocks += np.array_split(rest, -(-rest.size // _BLOCK_MEMBERS))
    return [b.astype(np.intp) for b in blocks], home_size


def _peer_bound(peers: ScoringModel, max_size: int, member_weight: float) -> float:
    """A proven bound on any grouping's total: half of each member's ``max_size - 1`` best
    allowed peer scores over all members (a group's total counts each of its pairs from both
    ends), found by the compiled kernel without the full matrix."""
    k = max_size - 1
    if k <= 0 or peers.shape[0] < 2:
        return 0.0
    cand = peers.candidates(0.0, top=max_size)
    keep = cand.rows != cand.cols
    rows = cand.rows[keep].astype(np.int64)
    score = np.clip(cand.scores[keep], 0.0, None)
    order = np.lexsort((-score, rows))
    rows, score = rows[order], score[order]
    first = np.searchsorted(rows, rows, side="left")
    rank = np.arange(rows.size) - first
    return member_weight * float(score[rank < k].sum()) / 2


def _prof_names(model: ScoringModel) -> list[str]:
    seen: dict[str, int] = {}
    for p in [*model.mentees, *model.mentors]:
        if p.profession is not None:
            seen.setdefault(p.profession, len(seen))
    return list(seen)


@dataclass
class _Nearest:
    """What almost fitted an unplaced member: the formed group with the fewest obstacles, or
    the session window in which the most other members are free."""

    problem: GroupProblem
    result: GroupResult
    names: dict[int, str]
    member_window: npt.NDArray[np.bool_]  # (n, WEEK_BINS), every window, not only those kept
    leader_window: npt.NDArray[np.bool_]
    kept: npt.NDArray[np.intp]
    utc_offset: npt.NDArray[np.floating[Any]]
    leader_ids: list[str]
    languages: list[str]
    minutes: int

    def _when(self, p: int, window: int) -> str:
        offset = float(self.utc_offset[p])
        return _when(window, 0.0 if np.isnan(offset) else offset, self.minutes)

    def window(self, p: int) -> str:
        """``"; nearest window: ..."`` for a member free in no window the groups could use."""
        free = self.member_window[p]
        if not free.any():
            return f"; this person is free for no whole {self.minutes}-minute session in the week"
        others = self.member_window.sum(axis=0).astype(np.int64) - 1
        if self.leader_window.shape[0]:
            others = np.where(self.leader_window.any(axis=0), others, -1)
        best = int(np.flatnonzero(free)[np.argmax(np.where(free, others, -2)[free])])
        k = int(others[best])
        if k < 0:
            return f"; when this person is free ({self._when(p, best)}), no group leader is"
        needed = self.problem.min_size - 1
        return (
            f"; nearest window: {self._when(p, best)} your local time, when "
            f"{vocab.count(k, 'other member')} {'is' if k == 1 else 'are'} free "
            f"({needed} needed)"
        )

    def group(self, p: int) -> str:
        """``"; nearest group G02 (...): ..."`` naming what kept member ``p`` out of it.

        Every formed group is checked at once (arrays over the groups), so a large programme
        with many groups and many people left out stays fast."""
        pr, res = self.problem, self.result
        gs = np.array(sorted(self.names), dtype=np.intp)
        if gs.size == 0:
            return ""
        placed = np.flatnonzero(res.group >= 0)
        where = res.group[placed]
        n_g = int(res.group.max()) + 1

        def per_group(values: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
            counted = np.bincount(where, weights=values.astype(np.float64), minlength=n_g)
            return np.asarray(counted[gs], dtype=np.float64)

        size = per_group(np.ones(placed.size)).astype(np.int64)
        lang = res.language[gs].astype(np.intp)
        fmt = res.fmt[gs].astype(np.intp)
        room = np.full(gs.size, pr.max_size, np.int64)
        if pr.n_leaders:
            room = np.minimum(room, pr.leader_capacity[gs])
        clash = per_group(~pr.member_member_ok[p, placed]).astype(np.int64)
        org, prof = int(pr.organization[p]), int(pr.profession[p])
        same_org = per_group(pr.organization[placed] == org) if org >= 0 else np.zeros(gs.size)
        same_prof = per_group(pr.profession[placed] == prof) if prof >= 0 else np.zeros(gs.size)
        not_free = ~pr.member_window[p, res.window[gs]]
        no_lang = (lang >= 0) & ~pr.member_lang[p, np.maximum(lang, 0)]
        no_fmt = ~pr.member_fmt[p, fmt]
        checks: list[tuple[npt.NDArray[np.bool_], str]] = [
            (not_free, "not free then"),
            (no_lang, "does not speak its language"),
            (no_fmt, "does not accept its format"),
        ]
        if pr.n_leaders:
            checks.append((~pr.member_leader_ok[p, gs], "a hard rule or min_score with its leader"))
        checks.append((clash > 0, "clash"))
        checks.append((size >= room, "full"))
        if pr.distinct_organizations:
            checks.append((same_org > 0, "already has a member of the same organisation"))
        if pr.max_same_profession:
            checks.append(
                (
                    same_prof >= pr.max_same_profession,
                    "already has the most members of this profession allowed",
                )
            )
        misses = np.sum([hit for hit, _ in checks], axis=0)
        fit = per_group(pr.member_member_score[p, placed]) / np.maximum(size, 1)
        # a group whose language, format and time the member shares comes first (what keeps
        # it out is then the group itself: full, a composition rule, a member), a language
        # it cannot speak last: a Portuguese speaker is told about the Portuguese group
        apart = 4 * no_lang.astype(np.int64) + 2 * no_fmt + not_free
        k = int(np.lexsort((gs, -fit, misses, apart))[0])
        g = int(gs[k])
        said: list[str] = []
        for hit, text in checks:
            if not hit[k]:
                continue
            if text == "clash":
                if apart[k]:  # already said: the language, format or time it does not share
                    continue
                text = (
                    f"a hard rule with {clash[k]} of its {vocab.count(int(size[k]), 'member')} "
                    "(organisation, an exclusion or another hard criterion)"
                )
            elif text == "full":
                text = f"full ({size[k]} of {room[k]})"
            said.append(text)
        if not said:
            said.append("joining would break a composition rule or a size limit")
        window = int(self.kept[res.window[g]])
        lead = f", led by {self.leader_ids[g]}" if pr.n_leaders else ""
        language = self.languages[lang[k]] if lang[k] >= 0 and self.languages else "any language"
        return (
            f"; nearest group {self.names[g]} (meets {self._when(p, window)} your local time, "
            f"{language}, {list(FORMAT_BITS)[fmt[k]]}, {vocab.count(int(size[k]), 'member')}"
            f"{lead}): " + "; ".join(said)
        )


def _pairs(
    model: ScoringModel, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp], seed: int
) -> Matching:
    """One-to-one pairs (optimal) for the participants who chose one-to-one only."""
    sub = ScoringModel(
        [model.mentees[i] for i in rows], [model.mentors[j] for j in cols], model.config
    )
    cand = sub.candidates(model.config.min_score)
    problem = AssignmentProblem(
        len(rows),
        len(cols),
        cand.rows,
        cand.cols,
        cand.scores,
        sub.enc.mentees.capacity,
        sub.enc.mentors.capacity,
        check_pairs=False,
    )
    result = solve_optimal(problem, seed=seed)
    return from_model(
        sub, cand, result, pinned=[], residual_mentor_capacity=sub.enc.mentors.capacity, seed=seed
    )
