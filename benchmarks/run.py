"""Scale and quality benchmark: matcher against the tools a user would otherwise pick.

For each size the harness writes one synthetic programme (``matcher.io.write_synthetic``), scores
it once in its own subprocess into a shared score file (the allowed pairs, their scores and the
capacities) so that every peer solves the same problem, then runs each method in a fresh
subprocess and measures its wall time, CPU time and peak memory (``VmHWM`` of that child).
Every method's pairs are checked and scored on the shared edges by this parent process.

    python benchmarks/run.py                      # 1000x200, 10000x2000, 100000x20000
    python benchmarks/run.py --quick              # 200x40 only, every method, ~15 s
    python benchmarks/run.py --sizes 10000x2000 --methods matcher,matcher-dense --timeout 900

Results go to ``--out`` (default ``benchmarks/results``): ``results.csv``, ``results.json`` (with
the machine), ``results.md`` and ``time_vs_size.png``.  See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import importlib.util
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

HERE = Path(__file__).resolve().parent
SCORING = "scoring (shared by peers)"
#: Methods in the order they run; the first three are exact (same lexicographic optimum).
METHODS = (
    "matcher",
    "matcher-dense",
    "matcher-fair",
    "matcher-fair-dense",
    "matcher-stable",
    "matcher-stable-dense",
    "matcher-equity",
    "ortools-dense-solve",
    "scipy-lsa",
    "networkx",
    "matching-hr",
    "greedy",
    "groups",
)
#: Above this many members the groups row is skipped (the kernel's all-pairs bound grows as n^2).
GROUPS_MAX_MEMBERS = 20_000
EXACT = ("matcher", "matcher-dense", "ortools-dense-solve")
#: Our own runs, end to end (CSV in to files out): their scores are matcher's own.
OURS = (
    "matcher",
    "matcher-dense",
    "matcher-fair",
    "matcher-fair-dense",
    "matcher-stable",
    "matcher-stable-dense",
    "matcher-equity",
)
#: The ``[equity]`` rule of the ``matcher-equity`` row (optimal, as in ``atlantic-equity``).
EQUITY_RULE = {"column": "region", "mode": "equalise"}
#: Methods that read the shared score file (their end-to-end time adds the scoring row).
PEERS = ("ortools-dense-solve", "scipy-lsa", "networkx", "matching-hr", "greedy")
DEFAULT_SIZES = "1000x200,10000x2000,100000x20000"
QUICK_SIZES = "200x40"

#: Up to this many mentee x mentor cells the shared score file holds every allowed pair; above,
#: each mentee's SHARED_TOP best pairs only (every allowed pair would not fit in memory).
FULL_SCORES_CELLS = 100_000_000
SHARED_TOP = 50
#: scipy's dense (n_mentees, sum of capacities) float64 matrix: skipped above this many cells.
LSA_MAX_CELLS = 200_000_000
#: networkx's pure-Python blossom algorithm: skipped above this many capacity-expanded edges.
NX_MAX_EDGES = 200_000
#: The ``matching`` library deep-copies its players (RecursionError at 1000 + 200 players):
#: attempted up to this many participants so that the failure is on record, skipped above.
HR_MAX_PARTICIPANTS = 1200
#: With --repeat, a measurement is not repeated once a run took longer than this.
REPEAT_MAX_S = 120.0
#: Lines of a failed measurement's output kept in ``OUT/logs``.
LOG_TAIL = 60
#: Peak bytes per allowed pair, measured at 10000x2000 (about 14 million allowed pairs):
#: matcher's dense path (scores, flow network, OR-tools) and the bare OR-tools solve.
BYTES_PER_PAIR = {
    "matcher-dense": 170.0,
    "matcher-fair-dense": 170.0,
    "matcher-stable-dense": 170.0,
    "ortools-dense-solve": 120.0,
}
#: Score resolution shared with matcher's flow solver (scores are rounded to 1e-6).
UNITS = 1_000_000
REL_TOL = 1e-9


# -- results ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One measurement: a method on an instance."""

    instance: str
    method: str
    status: str = "ok"  # ok, skipped, timeout, memory error, killed, error, invalid
    wall_s: float | None = None  # the work only, timed inside the worker (after imports)
    e2e_s: float | None = None  # CSV in -> answer: matcher's wall, a peer's wall + scoring
    process_s: float | None = None  # the whole subprocess, interpreter start and imports included
    cpu_s: float | None = None  # user + system CPU seconds of the subprocess (all its threads)
    peak_mb: float | None = None  # peak resident memory (VmHWM) of the subprocess
    objective: float | None = None  # total score of the chosen pairs
    places: int | None = None  # pairs chosen (mentee places filled)
    matched: int | None = None  # mentees with at least one mentor
    gap: float | None = None  # (best exact objective - objective) / best exact objective
    valid: bool | None = None  # allowed pairs only, no pair twice, capacities respected
    load_1m: float | None = None  # machine load average when the measurement started
    runs: list[float] = field(default_factory=list)  # wall_s of each repeat (median reported)
    note: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instance:
    """A synthetic programme and its shared score file."""

    n_mentees: int
    n_mentors: int
    capacity: int
    seed: int
    folder: Path

    @property
    def name(self) -> str:
        return f"{self.n_mentees}x{self.n_mentors}"

    @property
    def cells(self) -> int:
        return self.n_mentees * self.n_mentors

    @property
    def scores(self) -> Path:
        return self.folder / "scores.npz"


def _parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        try:
            a, b = part.lower().strip().split("x")
            sizes.append((int(a), int(b)))
        except ValueError:
            raise SystemExit(
                f"--sizes: expected MENTEESxMENTORS items such as 1000x200, got {part!r}"
            ) from None
    return sizes


# -- the worker side: one method in a fresh process ------------------------------------------


def _save_pairs(path: Path, rows: IntArray, cols: IntArray, scores: FloatArray) -> None:
    np.savez(path, rows=rows.astype(np.int64), cols=cols.astype(np.int64), scores=scores)


def _load_shared(path: Path) -> dict[str, Any]:
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _work_scoring(program: Path, scores_out: Path, top: int) -> dict[str, Any]:
    """CSV in -> the allowed pairs and their scores, as matcher scores them, saved to npz."""
    from matcher.io import load_config, load_participants
    from matcher.scoring import ScoringModel

    started = time.perf_counter()
    cfg = load_config(program / "program.toml")
    mentors = load_participants(program / "mentors.csv", "mentor", cfg)
    mentees = load_participants(program / "mentees.csv", "mentee", cfg)
    model = ScoringModel(mentees.participants, mentors.participants, cfg)
    cand = model.candidates(cfg.min_score, top=top or None)
    wall = time.perf_counter() - started
    allowed = int(cand.allowed_per_mentee.sum())
    counted = "allowed pairs"
    if cand.partial:
        # the compiled kernel counts only what each mentee's top list needed: count every
        # allowed pair of a sample of mentees (outside the timed part) and scale up
        n_e = len(model.mentees)
        sample = np.sort(np.random.default_rng(0).choice(n_e, min(n_e, 2000), replace=False))
        model.complete_stats(cand, sample, np.zeros(0, np.intp))
        allowed = round(float(cand.allowed_per_mentee[sample].mean()) * n_e)
        counted = f"allowed pairs (estimated from {sample.size:,} mentees)"
    np.savez(
        scores_out,
        rows=cand.rows,
        cols=cand.cols,
        scores=cand.scores,
        mentee_capacity=model.enc.mentees.capacity,
        mentor_capacity=model.enc.mentors.capacity,
        allowed_total=np.int64(allowed),
        top=np.int64(top),
    )
    return {
        "wall_s": wall,
        "stats": {"edges_saved": len(cand), "allowed_pairs": allowed, "top": top},
        "note": (
            f"{allowed:,} {counted}"
            + (f"; file keeps each mentee's top {top}" if top else "; file keeps all")
        ),
    }


def _work_matcher(
    program: Path,
    sparse: bool | None,
    seed: int,
    pairs_out: Path,
    method: str = "optimal",
    equity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Ours, end to end: read the CSVs, score, solve, write pairs/unmatched/summary
    (``equity``: with that ``[equity]`` rule added to the programme's config)."""
    import logging

    import matcher
    from matcher.io import load_config
    from matcher.profiles import EquityConfig

    # stages and matcher's own log lines go to the measurement's log (kept when it fails)
    logging.basicConfig(level=logging.INFO, format="%(relativeCreated)9.0f ms %(message)s")
    seen: dict[str, float] = {}

    def progress(stage: str, fraction: float) -> None:
        if stage not in seen or fraction >= seen[stage] + 0.1 or fraction >= 1.0 > seen[stage]:
            seen[stage] = fraction
            print(f"{time.perf_counter() - started:9.1f} s  {stage} {fraction:.0%}", flush=True)

    out = Path(tempfile.mkdtemp(prefix="matcher-out-", dir=pairs_out.parent))
    try:
        started = time.perf_counter()
        config: Any = program / "program.toml"
        if equity is not None:
            config = load_config(config).model_copy(update={"equity": EquityConfig(**equity)})
        result = matcher.match(
            program / "mentors.csv",
            program / "mentees.csv",
            config=config,
            seed=seed,
            sparse=sparse,
            progress=progress,
            method=method,
        )
        result.write(out / "result")
        wall = time.perf_counter() - started
        summary = json.loads((out / "result" / "summary.json").read_text())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    e_pos = _ids(program / "mentees.csv")
    m_pos = _ids(program / "mentors.csv")
    rows = np.array([e_pos[p.mentee_id] for p in result.pairs], np.int64)
    cols = np.array([m_pos[p.mentor_id] for p in result.pairs], np.int64)
    _save_pairs(pairs_out, rows, cols, np.array([p.score for p in result.pairs], np.float64))
    solver = summary.get("solver", {})
    note = "sparse + certificate" if "certificate" in solver else "all allowed pairs"
    if solver.get("lists") == "drawn lazily":
        note = f"lists drawn lazily: {solver['pairs_drawn']:,} pairs in {solver['refills']} refills"
    if equity is not None:
        rule = summary.get("equity", {}).get("rule", {})
        low = rule.get("lowest_rate", {})
        note = f"[equity] {equity}: lowest rate {low.get('without')} -> {low.get('with')}"
        if "cost_rounds" in solver:  # the certified sparse path
            note += f"; {solver['cut_rounds']} cut rounds, {solver['cost_rounds']} cost rounds"
    if "certificate_rounds" in solver:
        note += (
            f": {solver['certificate_rounds']} rounds, "
            f"{solver['pairs_added_by_certificate']:,} pairs added"
        )
    return {
        "wall_s": wall,
        "note": note,
        "stats": {"solver": solver, "status": summary.get("status"), "summary": summary},
    }


def _work_ortools(scores: Path, seed: int, pairs_out: Path) -> dict[str, Any]:
    """matcher's exact solver (OR-tools min-cost flow) on every allowed pair of the shared file."""
    from matcher.solvers import AssignmentProblem, solve_optimal

    started = time.perf_counter()
    d = _load_shared(scores)
    problem = AssignmentProblem(
        len(d["mentee_capacity"]),
        len(d["mentor_capacity"]),
        d["rows"],
        d["cols"],
        d["scores"],
        d["mentee_capacity"],
        d["mentor_capacity"],
        # the edges come from scores, so no pair is listed twice; as in matcher's own dense
        # path, skip that check (np.unique on 14 million keys takes ~20 s with numpy 2.4)
        check_pairs=False,
    )
    result = solve_optimal(problem, seed=seed)
    wall = time.perf_counter() - started
    k = result.chosen
    _save_pairs(pairs_out, d["rows"][k], d["cols"][k], d["scores"][k])
    return {"wall_s": wall, "stats": dict(result.stats)}


def _work_scipy(scores: Path, pairs_out: Path) -> dict[str, Any]:
    """linear_sum_assignment on (n_mentees, sum of capacities): mentor columns repeated."""
    from scipy.optimize import linear_sum_assignment

    started = time.perf_counter()
    d = _load_shared(scores)
    n_e, n_m = len(d["mentee_capacity"]), len(d["mentor_capacity"])
    units = np.rint(d["scores"] * UNITS).astype(np.int64)
    # integer weights held exactly in float64: BIG outweighs any total score, so the most
    # mentees are matched first, then the total is maximised (all sums stay below 2**53)
    big = float(n_e * max(int(np.abs(units).max(initial=1)), 1) + 1)
    weight = np.zeros((n_e, n_m), np.float64)
    weight[d["rows"], d["cols"]] = big + units
    slot_mentor = np.repeat(np.arange(n_m), d["mentor_capacity"])
    matrix = weight[:, slot_mentor]
    del weight
    r, c = linear_sum_assignment(matrix, maximize=True)
    used = matrix[r, c] > 0  # a mentee given a column its mentor does not allow: unmatched
    rows, cols = r[used].astype(np.int64), slot_mentor[c[used]].astype(np.int64)
    wall = time.perf_counter() - started
    score = (matrix[rows, c[used]] - big) / UNITS
    _save_pairs(pairs_out, rows, cols, score)
    wanting_more = int((d["mentee_capacity"] > 1).sum())
    return {
        "wall_s": wall,
        "note": f"one mentor per mentee ({wanting_more} mentees want 2 and get at most 1)",
        "stats": {"matrix_cells": int(matrix.size)},
    }


def _work_networkx(scores: Path, pairs_out: Path) -> dict[str, Any]:
    """max_weight_matching on the bipartite graph with one node per mentor place."""
    import networkx as nx

    started = time.perf_counter()
    d = _load_shared(scores)
    caps = d["mentor_capacity"]
    units = np.rint(d["scores"] * UNITS).astype(np.int64)
    graph = nx.Graph()
    for i, j, w in zip(d["rows"].tolist(), d["cols"].tolist(), units.tolist(), strict=True):
        for slot in range(int(caps[j])):
            graph.add_edge(("e", i), ("m", j, slot), weight=w)
    # maxcardinality=True: the most pairs first, then the largest weight (same as BIG + score)
    chosen = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = []
    for a, b in chosen:
        e, m = (a, b) if a[0] == "e" else (b, a)
        pairs.append((e[1], m[1]))
    pairs.sort()
    wall = time.perf_counter() - started
    _save_pairs(
        pairs_out,
        np.array([p[0] for p in pairs], np.int64),
        np.array([p[1] for p in pairs], np.int64),
        np.zeros(len(pairs)),  # rescored from the shared edges by the parent
    )
    wanting_more = int((d["mentee_capacity"] > 1).sum())
    return {
        "wall_s": wall,
        "note": f"one mentor per mentee ({wanting_more} mentees want 2 and get at most 1)",
        "stats": {"expanded_edges": graph.number_of_edges()},
    }


def _work_matching_hr(scores: Path, pairs_out: Path) -> dict[str, Any]:
    """The ``matching`` library's hospital/residents game, preferences ranked by score."""
    from matching.games import HospitalResident

    started = time.perf_counter()
    d = _load_shared(scores)
    rows, cols, sc = d["rows"], d["cols"], d["scores"]
    by_mentee = np.lexsort((cols, -sc, rows))
    by_mentor = np.lexsort((rows, -sc, cols))
    resident: dict[str, list[str]] = {}
    for k in by_mentee.tolist():
        resident.setdefault(f"e{rows[k]}", []).append(f"m{cols[k]}")
    hospital: dict[str, list[str]] = {}
    for k in by_mentor.tolist():
        hospital.setdefault(f"m{cols[k]}", []).append(f"e{rows[k]}")
    caps = {name: int(d["mentor_capacity"][int(name[1:])]) for name in hospital}
    game = HospitalResident.create_from_dictionaries(resident, hospital, caps)
    solution = game.solve(optimal="resident")
    pairs = sorted(
        (int(r.name[1:]), int(h.name[1:])) for h, members in solution.items() for r in members
    )
    wall = time.perf_counter() - started
    _save_pairs(
        pairs_out,
        np.array([p[0] for p in pairs], np.int64),
        np.array([p[1] for p in pairs], np.int64),
        np.zeros(len(pairs)),
    )
    return {
        "wall_s": wall,
        "note": "resident-optimal stable matching; one mentor per mentee",
    }


def _work_greedy(scores: Path, pairs_out: Path) -> dict[str, Any]:
    """Best pair first: sort the allowed pairs by score, take each while both have room."""
    started = time.perf_counter()
    d = _load_shared(scores)
    rows, cols, sc = d["rows"], d["cols"], d["scores"]
    order = np.lexsort((cols, rows, -sc))
    e_left = d["mentee_capacity"].astype(np.int64).tolist()
    m_left = d["mentor_capacity"].astype(np.int64).tolist()
    limit = min(sum(e_left), sum(m_left))
    r_list, c_list = rows[order].tolist(), cols[order].tolist()
    taken: list[int] = []
    for k, (i, j) in enumerate(zip(r_list, c_list, strict=True)):
        if e_left[i] > 0 and m_left[j] > 0:
            e_left[i] -= 1
            m_left[j] -= 1
            taken.append(k)
            if len(taken) == limit:
                break
    chosen = order[np.array(taken, np.int64)]
    wall = time.perf_counter() - started
    _save_pairs(pairs_out, rows[chosen], cols[chosen], sc[chosen])
    top = int(d["top"])
    return {"wall_s": wall, "note": f"on each mentee's top {top} pairs only" if top else ""}


def _worker(args: argparse.Namespace) -> int:
    """Run one measurement and write its JSON result; failures are results too."""
    method, program, scores = args.worker, Path(args.program), Path(args.scores)
    pairs_out, result_out = Path(args.pairs_out), Path(args.result)
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        SCORING: lambda: _work_scoring(program, scores, args.top),
        "matcher": lambda: _work_matcher(program, None, args.seed, pairs_out),
        "matcher-dense": lambda: _work_matcher(program, False, args.seed, pairs_out),
        "matcher-fair": lambda: _work_matcher(program, None, args.seed, pairs_out, "fair"),
        "matcher-fair-dense": lambda: _work_matcher(program, False, args.seed, pairs_out, "fair"),
        "matcher-stable": lambda: _work_matcher(program, None, args.seed, pairs_out, "stable"),
        "matcher-stable-dense": lambda: _work_matcher(
            program, False, args.seed, pairs_out, "stable"
        ),
        "matcher-equity": lambda: _work_matcher(
            program, None, args.seed, pairs_out, equity=EQUITY_RULE
        ),
        "ortools-dense-solve": lambda: _work_ortools(scores, args.seed, pairs_out),
        "scipy-lsa": lambda: _work_scipy(scores, pairs_out),
        "networkx": lambda: _work_networkx(scores, pairs_out),
        "matching-hr": lambda: _work_matching_hr(scores, pairs_out),
        "greedy": lambda: _work_greedy(scores, pairs_out),
    }
    try:
        out = {"status": "ok", **jobs[method]()}
        code = 0
    except MemoryError:
        out, code = {"status": "memory error"}, 3
    except Exception as exc:
        traceback.print_exc()
        out, code = {"status": "error", "note": f"{type(exc).__name__}: {exc}"[:300]}, 1
    out["peak_mb"] = _peak_mb()
    result_out.write_text(json.dumps(out, default=str))
    return code


# -- the parent side -------------------------------------------------------------------------


def _ids(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["id"]: k for k, row in enumerate(csv.DictReader(f))}


def _peak_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a live process, in MB; 0 if unknown.

    Not ``ru_maxrss``: on Linux a child inherits its parent's high-water mark across fork and
    exec, so every child of a parent holding the shared scores would report at least that much.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    return 0.0


@dataclass
class Child:
    """How a measured subprocess ended."""

    code: int  # exit code; negative: killed by that signal
    wall_s: float
    cpu_s: float
    peak_mb: float  # polled VmHWM (the worker reports its exact one when it finishes)
    timed_out: bool


def _run_child(cmd: list[str], timeout: float, log: Path) -> Child:
    """Run a worker, polling its peak memory; kill its process group at the timeout."""
    started = time.perf_counter()
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            cmd, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    timed_out = False
    peak_mb, polled = 0.0, 0.0
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now - polled > 0.1:  # the last reading stands if the child is killed
                peak_mb, polled = max(peak_mb, _peak_mb(proc.pid)), now
            if now - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
    except BaseException:  # interrupted: leave no worker behind
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
        raise
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    cpu = usage.ru_utime + usage.ru_stime  # this child's own times (unlike ru_maxrss)
    return Child(proc.returncode, wall, cpu, peak_mb, timed_out)


def _measure(
    inst: Instance,
    method: str,
    args: argparse.Namespace,
    work: Path,
    top: int = 0,
    attempt: int = 1,
) -> tuple[Row, Path]:
    tag = f"{inst.name}-{method.split(' ')[0]}" + (f"-{attempt}" if attempt > 1 else "")
    pairs_out, result_out = work / f"{tag}-pairs.npz", work / f"{tag}.json"
    for stale in (pairs_out, result_out):
        stale.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        method,
        "--program",
        str(inst.folder),
        "--scores",
        str(inst.scores),
        "--pairs-out",
        str(pairs_out),
        "--result",
        str(result_out),
        "--seed",
        str(args.seed),
        "--top",
        str(top),
    ]
    log = work / f"{tag}.log"
    load = round(os.getloadavg()[0], 2)
    child = _run_child(cmd, args.timeout, log)
    code = child.code
    row = Row(
        inst.name,
        method,
        process_s=round(child.wall_s, 3),
        cpu_s=round(child.cpu_s, 2),
        peak_mb=round(child.peak_mb, 1),
        load_1m=load,
    )
    if child.timed_out:
        row.status, row.note = "timeout", f"no answer within {args.timeout:g} s"
    elif result_out.exists():
        got = json.loads(result_out.read_text())
        row.status = got["status"]
        row.wall_s = round(got["wall_s"], 3) if "wall_s" in got else None
        row.note = got.get("note", "")
        row.stats = got.get("stats", {})
        row.peak_mb = round(max(got.get("peak_mb", 0.0), child.peak_mb), 1)
        if row.status == "memory error":
            row.note = "MemoryError"
    elif code < 0:
        row.status = "killed"
        row.note = f"killed by signal {-code}" + (" (out of memory?)" if -code == 9 else "")
    else:
        row.status, row.note = "error", f"exit code {code} without a result"
    if row.status != "ok":  # keep the end of its output for a reader
        lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL:]
        if lines:
            (Path(args.out) / "logs" / log.name).write_text("\n".join(lines) + "\n")
            row.note += f" (log: logs/{log.name})"
    return row, pairs_out


def _measure_repeated(
    inst: Instance, method: str, args: argparse.Namespace, work: Path, top: int = 0
) -> tuple[Row, Path]:
    """``--repeat`` fresh runs (fewer when a run is long or fails): median times, max memory."""
    row, pairs = _measure(inst, method, args, work, top=top)
    rows = [row]
    while (
        len(rows) < args.repeat
        and row.status == "ok"
        and (row.process_s or 0.0) <= REPEAT_MAX_S
        and method != SCORING  # the peers read the file it writes: measured once
    ):
        again, _ = _measure(inst, method, args, work, top=top, attempt=len(rows) + 1)
        if again.status != "ok":
            break
        rows.append(again)
    row.runs = [r.wall_s for r in rows if r.wall_s is not None]
    if len(rows) > 1:
        for key in ("wall_s", "process_s", "cpu_s"):
            values = [getattr(r, key) for r in rows if getattr(r, key) is not None]
            setattr(row, key, round(float(np.median(values)), 3))
        row.peak_mb = max(r.peak_mb or 0.0 for r in rows)
        row.note = f"median of {len(rows)} ({min(row.runs):.2f}-{max(row.runs):.2f} s)" + (
            f"; {row.note}" if row.note else ""
        )
    return row, pairs


def _prepare(n_e: int, n_m: int, args: argparse.Namespace) -> Instance:
    from matcher.io import write_synthetic

    folder = Path(args.cache) / f"synthetic-{n_e}x{n_m}-c{args.capacity}-s{args.seed}"
    inst = Instance(n_e, n_m, args.capacity, args.seed, folder)
    if not all((folder / f).exists() for f in ("mentors.csv", "mentees.csv", "program.toml")):
        started = time.perf_counter()
        write_synthetic(folder, n_e, n_m, seed=args.seed, mentor_capacity=args.capacity)
        print(f"  wrote {folder} in {time.perf_counter() - started:.1f} s", flush=True)
    return inst


@dataclass
class Shared:
    """The shared scores as the parent uses them to check and score every method's pairs."""

    keys: IntArray  # rows * n_mentors + cols, sorted
    scores: FloatArray
    mentee_capacity: IntArray
    mentor_capacity: IntArray
    allowed_total: int
    complete: bool  # every allowed pair, not each mentee's top ones only


def _shared(inst: Instance) -> Shared:
    d = _load_shared(inst.scores)
    keys = d["rows"].astype(np.int64) * inst.n_mentors + d["cols"]
    order = np.argsort(keys, kind="stable")
    return Shared(
        keys[order],
        d["scores"][order],
        d["mentee_capacity"].astype(np.int64),
        d["mentor_capacity"].astype(np.int64),
        int(d["allowed_total"]),
        int(d["top"]) == 0,
    )


def _evaluate(row: Row, pairs_path: Path, inst: Instance, shared: Shared) -> None:
    """Places, mentees matched, total score and validity, from the pairs on the shared edges."""
    with np.load(pairs_path) as data:
        rows, cols, reported = data["rows"], data["cols"], data["scores"]
    problems = []
    keys = rows * inst.n_mentors + cols
    if np.unique(keys).size != keys.size:
        problems.append("a pair chosen twice")
    at = np.clip(np.searchsorted(shared.keys, keys), 0, max(shared.keys.size - 1, 0))
    found = shared.keys[at] == keys if shared.keys.size else np.zeros(keys.size, bool)
    if shared.complete:
        if not found.all():
            problems.append(f"{int((~found).sum())} pairs not allowed")
        scores = np.where(found, shared.scores[at], 0.0)
        if row.method in OURS and found.all():
            off = float(np.abs(scores - reported).max(initial=0.0))
            if off > 1e-6:
                problems.append(f"scores differ from the shared ones by up to {off:.2g}")
    elif row.method in OURS:
        scores = reported  # pairs beyond the shared top-k: matcher's own (identical) scores
    else:
        scores = np.where(found, shared.scores[at], 0.0)
        if not found.all():
            problems.append(f"{int((~found).sum())} pairs outside the shared scores")
    e_count = np.bincount(rows, minlength=inst.n_mentees)
    m_count = np.bincount(cols, minlength=inst.n_mentors)
    if (e_count > shared.mentee_capacity).any():
        problems.append("a mentee gets more mentors than wanted")
    if (m_count > shared.mentor_capacity).any():
        problems.append("a mentor's capacity is exceeded")
    row.objective = math.fsum(np.sort(scores).tolist())
    row.places = int(rows.size)
    row.matched = int((e_count > 0).sum())
    row.valid = not problems
    if problems:
        row.status = "invalid"
        row.note = "; ".join([*problems, row.note] if row.note else problems)


def _groups_row(inst: Instance, args: argparse.Namespace) -> Row:
    """Method ``groups`` on a peer-led group programme with the instance's mentees as members
    (``matcher scenario synthetic --groups``), measured by ``benchmarks/groups.py``."""
    sys.path.insert(0, str(HERE))
    import groups as bench_groups  # benchmarks/groups.py

    cache = Path(args.cache) if args.cache else Path(tempfile.gettempdir()) / "matcher-bench"
    folder = bench_groups.programme(inst.n_mentees, args.seed, cache)
    got = bench_groups.measure(folder, args.timeout)
    if got["status"] != "ok":
        return Row(inst.name, "groups", status=got["status"], load_1m=got["load_1m"])
    return Row(
        inst.name,
        "groups",
        wall_s=got["solve_s"],
        e2e_s=got["solve_s"],
        process_s=got["wall_s"],
        cpu_s=got["cpu_s"],
        peak_mb=got["peak_mb"],
        objective=got["objective"],
        matched=got["grouped"],
        load_1m=got["load_1m"],
        note=(
            f"{got['members']:,} members in {got['groups']:,} groups; bound "
            f"{got['bound']:.1f}, gap {got['gap_pct']:.1f} % ({got['engine']})"
        ),
        stats={k: got[k] for k in ("bound", "gap", "gap_pct", "groups", "engine")},
    )


def _skip_reason(method: str, inst: Instance, shared: Shared | None, ram_gb: float) -> str:
    """Why a method is not run at this size (empty: run it)."""
    if method == "matching-hr" and importlib.util.find_spec("matching") is None:
        return "skipped: the 'matching' library is not installed (pip install matching)"
    if method in PEERS and shared is None:
        return "skipped: no shared scores (the scoring step failed)"
    allowed = shared.allowed_total if shared else int(inst.cells * 0.75)
    if method in BYTES_PER_PAIR:
        need = allowed * BYTES_PER_PAIR[method] / 1e9
        if need > 0.8 * ram_gb:
            return f"skipped: would need ~{need:,.0f} GB ({allowed:,} allowed pairs)"
    places = inst.n_mentors * inst.capacity
    if method == "scipy-lsa" and inst.n_mentees * places > LSA_MAX_CELLS:
        cells = inst.n_mentees * places
        return f"skipped: would need ~{cells * 8 / 1e9:,.0f} GB ({cells:.1e}-cell dense matrix)"
    if method == "networkx" and allowed * inst.capacity > NX_MAX_EDGES:
        return (
            f"skipped: {allowed * inst.capacity:,} capacity-expanded edges "
            f"(> {NX_MAX_EDGES:,}; pure-Python blossom)"
        )
    if method == "matching-hr" and inst.n_mentees + inst.n_mentors > HR_MAX_PARTICIPANTS:
        return (
            f"skipped: {inst.n_mentees + inst.n_mentors:,} participants "
            f"(> {HR_MAX_PARTICIPANTS}; RecursionError from its deep copies at 1,200)"
        )
    if method == "groups" and inst.n_mentees > GROUPS_MAX_MEMBERS:
        return (
            f"skipped: {inst.n_mentees:,} members (> {GROUPS_MAX_MEMBERS:,}, the size the "
            "groups target is set at; benchmarks/groups.py --members N runs any size)"
        )
    if method in PEERS and shared is not None and not shared.complete and method != "greedy":
        need = allowed * 16 / 1e9
        return f"skipped: every allowed pair ({allowed:,}) would need ~{need:,.0f} GB"
    return ""


def _finish_instance(rows: list[Row], scoring: Row | None) -> dict[str, Any]:
    """Gaps to the best exact objective, end-to-end times, and whether the exact methods agree."""
    exact = [r for r in rows if r.method in EXACT and r.status == "ok" and r.objective is not None]
    best = max((r.objective for r in exact if r.objective is not None), default=None)
    for r in rows:
        if r.method in PEERS and r.wall_s is not None and scoring and scoring.wall_s is not None:
            r.e2e_s = round(r.wall_s + scoring.wall_s, 3)
        elif r.method in OURS:
            r.e2e_s = r.wall_s
        # groups solve another problem (peer groups): its gap is to its own bound, in the note
        if best is not None and r.objective is not None and r.method != "groups":
            r.gap = (best - r.objective) / abs(best) if best else 0.0
    agree = None
    if len(exact) >= 2 and best is not None:
        agree = all(
            r.places == exact[0].places
            and r.matched == exact[0].matched
            and abs((r.objective or 0.0) - best) <= REL_TOL * max(abs(best), 1.0)
            for r in exact
        )
    return {
        "best_exact_objective": best,
        "exact_methods": [r.method for r in exact],
        "exact_agree": agree,
    }


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024**2, 1)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(HERE.parent)]
        info["commit"] = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", "matcher"], capture_output=True, text=True
        ).stdout
        info["matcher_uncommitted_changes"] = bool(changed.strip())
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("matcher", "numpy", "scipy", "ortools", "networkx", "matching", "matplotlib"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    return info


def _fmt(value: float | int | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


COLUMNS = (
    ("instance", "instance", ""),
    ("method", "method", ""),
    ("status", "status", ""),
    ("wall_s", "wall s", ".2f"),
    ("e2e_s", "e2e s", ".2f"),
    ("process_s", "process s", ".2f"),
    ("cpu_s", "cpu s", ".2f"),
    ("peak_mb", "peak MB", ".0f"),
    ("objective", "objective", ".6f"),
    ("places", "places", "d"),
    ("matched", "matched", "d"),
    ("gap", "gap to best", ".2e"),
    ("note", "note", ""),
)


def _cells(row: Row) -> list[str]:
    out = []
    for key, _, spec in COLUMNS:
        value = getattr(row, key)
        out.append(str(value) if not spec else _fmt(value, spec))
    return out


def _table(rows: Sequence[Row]) -> str:
    header = [title for _, title, _ in COLUMNS]
    body = [_cells(r) for r in rows]
    widths = [max(len(x) for x in col) for col in zip(header, *body, strict=True)]
    widths[-1] = 0  # the note column is not padded
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)).rstrip() for b in body]
    return "\n".join(lines)


def _markdown(rows: Sequence[Row]) -> str:
    header = [title for _, title, _ in COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in _cells(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _pairs_of(instance: str) -> int:
    a, b = instance.split("x")
    return int(a) * int(b)


def _plot(rows: Sequence[Row], path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no plot (pip install matplotlib)"
    fig, ax = plt.subplots(figsize=(8.5, 5.5))
    for method in (SCORING, *METHODS):
        mine = [r for r in rows if r.method == method]
        # end to end where known (a peer's solve plus the shared scoring it needs)
        pts = sorted(
            (_pairs_of(r.instance), r.e2e_s or r.wall_s)
            for r in mine
            if r.status == "ok" and (r.e2e_s or r.wall_s)
        )
        style = "--" if method == SCORING else "-"
        line = None
        if pts:
            (line,) = ax.plot(*zip(*pts, strict=True), style, marker="o", label=method)
        late = [(_pairs_of(r.instance), r.process_s or 0.0) for r in mine if r.status == "timeout"]
        if late:
            color = line.get_color() if line else None
            label = None if line else f"{method} (timed out)"
            xs, ys = [x for x, _ in late], [y for _, y in late]
            ax.scatter(xs, ys, marker="x", s=90, color=color, label=label)
            for x, y in late:
                ax.annotate(
                    f"{method}: no answer in {y:.0f} s",
                    (x, y),
                    fontsize=7,
                    xytext=(-160, 6),
                    textcoords="offset points",
                )
    ax.scatter([2e7, 2e9], [5, 60], marker="*", s=160, color="black", zorder=5, label="targets")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("mentees x mentors (pairs)")
    ax.set_ylabel("wall time, s (peers: shared scoring + solve)")
    ax.set_title("CSV in to answer, one fresh process per measurement (capacity 5)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"plot: {path}"


def _write(rows: Sequence[Row], meta: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.csv", out / "results.json", out / "results.md"]
    with written[0].open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([key for key, _, _ in COLUMNS] + ["valid", "load_1m"])
        for r in rows:
            valid = "" if r.valid is None else str(r.valid).lower()
            writer.writerow([*_cells(r), valid, _fmt(r.load_1m, ".2f")])
    doc = {**meta, "rows": [asdict(r) for r in rows]}
    written[1].write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    written[2].write_text(_markdown(rows), encoding="utf-8")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="MENTEESxMENTORS,... ")
    parser.add_argument("--capacity", type=int, default=5, help="mentor capacity")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--methods", default=",".join(METHODS), help="comma-separated, from: " + ", ".join(METHODS)
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per measurement")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument(
        "--cache",
        default=str(Path(tempfile.gettempdir()) / "matcher-bench"),
        help="where the synthetic programmes and shared score files are kept",
    )
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZES}")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help=f"runs per measurement, median reported (once when a run takes > {REPEAT_MAX_S:g} s)",
    )
    parser.add_argument(
        "--force", action="store_true", help="run methods even where they would not fit"
    )
    # the worker side (internal)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--program", help=argparse.SUPPRESS)
    parser.add_argument("--scores", help=argparse.SUPPRESS)
    parser.add_argument("--pairs-out", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--top", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    # a plain `kill` of the harness still removes its work folder and its running worker
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    sizes = _parse_sizes(QUICK_SIZES if args.quick else args.sizes)
    out = Path(args.out)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    for stale in (out / "logs").glob("*.log"):  # the logs of this run's failures only
        stale.unlink()
    meta: dict[str, Any] = {
        "machine": _machine(),
        "capacity": args.capacity,
        "seed": args.seed,
        "timeout_s": args.timeout,
        "repeat": args.repeat,
        "instances": {},
    }
    ram_gb = float(meta["machine"].get("ram_gb") or 8.0)
    print(
        f"machine: {meta['machine'].get('cpu')}, {meta['machine']['cores_usable']} cores, "
        f"{ram_gb} GB RAM, Python {meta['machine']['python']}",
        flush=True,
    )
    all_rows: list[Row] = []
    work = Path(tempfile.mkdtemp(prefix="matcher-bench-work-"))
    try:
        for n_e, n_m in sizes:
            print(f"\n== {n_e} mentees x {n_m} mentors, capacity {args.capacity}", flush=True)
            inst = _prepare(n_e, n_m, args)
            top = 0 if inst.cells <= FULL_SCORES_CELLS else SHARED_TOP
            inst.scores.unlink(missing_ok=True)
            scoring, _ = _measure(inst, SCORING, args, work, top=top)
            print(f"  {SCORING}: {scoring.status} {_fmt(scoring.wall_s, '.2f')} s", flush=True)
            shared = _shared(inst) if scoring.status == "ok" else None
            rows: list[Row] = []
            for method in methods:
                reason = "" if args.force else _skip_reason(method, inst, shared, ram_gb)
                if not reason and method in PEERS and shared is None:
                    reason = "skipped: no shared scores"
                if reason:
                    row = Row(inst.name, method, status="skipped", note=reason)
                elif method == "groups":
                    row = _groups_row(inst, args)
                else:
                    row, pairs = _measure_repeated(inst, method, args, work)
                    if row.status == "ok" and shared is not None:
                        _evaluate(row, pairs, inst, shared)
                rows.append(row)
                print(
                    f"  {method}: {row.status} {_fmt(row.wall_s, '.2f')} s "
                    f"{_fmt(row.peak_mb, '.0f')} MB {row.note}".rstrip(),
                    flush=True,
                )
            meta["instances"][inst.name] = _finish_instance(rows, scoring)
            all_rows += [scoring, *rows]
            _write(all_rows, meta, out)  # keep what is measured so far
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(_table(all_rows))
    for name, info in meta["instances"].items():
        if info["exact_agree"] is not None:
            verdict = "agree" if info["exact_agree"] else "DISAGREE"
            print(
                f"{name}: exact methods ({', '.join(info['exact_methods'])}) {verdict} "
                f"to {REL_TOL:g} relative"
            )
    written = _write(all_rows, meta, out)
    print(_plot(all_rows, out / "time_vs_size.png"))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
