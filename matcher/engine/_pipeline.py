"""A programme run from loaded profiles to a :class:`Matching`: incremental plan, scoring
model, pinned pairs checked, the method's runner from the table, what changed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from matcher.engine._assign import SPARSE_PAIRS, build_model, check_pinned
from matcher.engine._equity import check_equity_method
from matcher.engine._incremental import changes, incremental_plan, settle_current
from matcher.engine._methods import RunOptions, check_method
from matcher.io import PairList, ParticipantSet, pairs_of, sha256_file
from matcher.matching import Matching
from matcher.profiles import ProgramConfig
from matcher.scoring import COMPILE_S, Progress, kernel_cached

__all__ = ["manifest_key", "record_inputs", "run_program"]

log = logging.getLogger(__name__)


def run_program(
    method: str,
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    *,
    seed: int,
    pinned: PairList | str | Path = (),
    forbidden: PairList | str | Path = (),
    current: list[tuple[str, str, str]] | None = None,
    progress: Progress | None = None,
    options: RunOptions | None = None,
) -> Matching:
    """Run ``method`` on a loaded programme.  ``current``: (mentee_id, mentor_id, status)
    triples (see :func:`matcher.io.read_current`); every still valid pair is kept."""
    runner = check_method(method).runner
    check_equity_method(method, cfg.equity)
    plan = incremental_plan(current, mentor_set, mentee_set) if current else None
    if plan is not None:
        forbidden = [*pairs_of(forbidden)[0], *plan.forbidden]
    announce_compile(method, mentor_set, mentee_set, cfg, progress)
    model, pin = build_model(mentor_set, mentee_set, cfg, pinned, forbidden)
    check_pinned(model, pin)
    if plan is not None:
        pin = settle_current(model, plan, pin)
    matching = runner(model, pin, seed=seed, progress=progress, options=options or RunOptions())
    if plan is not None:
        matching.changes = changes(plan, matching)
        matching.summary_extra["changes"] = {
            kind: sum(1 for c in matching.changes if c.change == kind)
            for kind in ("kept", "new", "ended", "dropped")
        }
    return matching


def announce_compile(
    method: str,
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    progress: Progress | None,
) -> None:
    """Say so (a log line and the progress stage ``compiling``) before a run that will use the
    compiled scoring kernel for the first time on this machine: numba then compiles it, which
    takes about ``COMPILE_S`` seconds once; later runs load it from numba's on-disk cache."""
    n_e, n_m = len(mentee_set.participants), len(mentor_set.participants)
    if method == "groups":
        large = cfg.groups.leader == "none" and n_e > cfg.groups.max_exact_members
    else:
        large = n_e * n_m > SPARSE_PAIRS
    if not large or kernel_cached() is True:  # unknown: said, as the run is large
        return
    log.info("compiling the scoring kernel: first run only, about %d s", COMPILE_S)
    if progress is not None:
        progress("compiling", 0.0)


def record_inputs(
    matching: Matching,
    mentor_set: ParticipantSet,
    mentee_set: ParticipantSet,
    cfg: ProgramConfig,
    cfg_path: Path | None = None,
) -> None:
    """The run manifest: SHA-256 of every input (files by name), extra columns, programme."""
    for group in (mentor_set, mentee_set):
        if group.path is not None:
            matching.inputs[manifest_key(matching.inputs, group.path)] = sha256_file(group.path)
        elif group.digest is not None:
            matching.inputs[group.name] = group.digest
    if cfg_path is not None:
        matching.inputs[manifest_key(matching.inputs, cfg_path)] = sha256_file(cfg_path)
    matching.mentee_extra_columns = mentee_set.extra_columns
    matching.mentor_extra_columns = mentor_set.extra_columns
    matching.summary_extra["program"] = cfg.name
    matching.profiles = {"mentor": mentor_set.participants, "mentee": mentee_set.participants}
    matching.equity_columns, matching.flag_spread = cfg.report.subgroups, cfg.report.flag_spread


def manifest_key(inputs: Mapping[str, str], path: Path) -> str:
    """The file's name, or its path when another input already has that name."""
    return path.name if path.name not in inputs else str(path)
