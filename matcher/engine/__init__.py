"""Orchestration: the table of methods, the assignment pipeline and pinned pairs, the certified
sparse path and its pricing, incremental plans, group building.  The only layer that knows
both scoring and solvers; may import profiles, io, scoring, solvers and matching."""

from matcher.engine._assign import (
    SPARSE_PAIRS,
    Solver,
    assign,
    build_model,
    check_pinned,
    edge_ranks,
)
from matcher.engine._build import from_edges, from_model
from matcher.engine._equity import check_equity
from matcher.engine._groups import form_groups
from matcher.engine._incremental import IncrementalPlan, changes, incremental_plan, settle_current
from matcher.engine._methods import METHODS, Method, Runner, RunOptions, check_method, solver_for
from matcher.engine._options import SparseOptions
from matcher.engine._pipeline import manifest_key, record_inputs, run_program
from matcher.engine._pool import MentorPool
from matcher.engine._sparse import certified_optimal

__all__ = [
    "METHODS",
    "SPARSE_PAIRS",
    "IncrementalPlan",
    "MentorPool",
    "Method",
    "RunOptions",
    "Runner",
    "Solver",
    "SparseOptions",
    "assign",
    "build_model",
    "certified_optimal",
    "changes",
    "check_equity",
    "check_method",
    "check_pinned",
    "edge_ranks",
    "form_groups",
    "from_edges",
    "from_model",
    "incremental_plan",
    "manifest_key",
    "record_inputs",
    "run_program",
    "settle_current",
    "solver_for",
]
