"""One run of the engine for the service: inputs (files by role) in, result JSON and files out.

The same code serves the synchronous routes and the job workers, and it calls only the public
API, exactly as the CLI does, so a job's files are the CLI's byte for byte.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matcher
from matcher import io as mio
from matcher.api import check_rules
from matcher.report import report_html

__all__ = [
    "FILE_ROLES",
    "JSON_NAMES",
    "check",
    "execute",
    "problem_dicts",
    "result_json",
    "size_of",
    "write_inputs",
]

Progress = Callable[[str, float], None]

#: The roles of input files; each is stored as ``role/original-name``.
FILE_ROLES = (
    "mentors",
    "mentees",
    "config",
    "pinned",
    "forbidden",
    "current",
    "edges",
    "capacities",
)
#: The name a role's file takes when it arrives as JSON instead of an upload.
JSON_NAMES = {
    "mentors": "mentors.csv",
    "mentees": "mentees.csv",
    "config": "program.json",
    "pinned": "pinned.csv",
    "forbidden": "forbidden.csv",
    "current": "current.csv",
    "edges": "edges.csv",
    "capacities": "capacities.csv",
}


def write_inputs(folder: Path, inputs: Mapping[str, bytes]) -> dict[str, Path]:
    """Write ``role/name`` blobs under ``folder``; the path of each role's file."""
    paths: dict[str, Path] = {}
    for key, data in inputs.items():
        role, _, name = key.partition("/")
        if role not in FILE_ROLES or not name or "/" in name or name in (".", ".."):
            continue
        target = folder / role / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        paths[role] = target
    return paths


def _config(paths: Mapping[str, Path], options: Mapping[str, Any]) -> matcher.ProgramConfig:
    path = paths.get("config")
    if path is None:
        cfg = matcher.ProgramConfig()
    elif path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text("utf-8"))
        except ValueError as exc:
            raise matcher.InvalidInputError(
                [matcher.Problem("not valid JSON", file="config", value=str(exc)[:60])]
            ) from None
        if not isinstance(data, dict):
            raise matcher.InvalidInputError(
                [matcher.Problem("config must be an object", file="config")]
            )
        cfg = mio.config_from_mapping(data, name="config")
    else:
        cfg = mio.load_config(path)
    if options.get("min_score") is not None:
        cfg = cfg.model_copy(update={"min_score": options["min_score"]})
    limit = options.get("time_limit_s")
    if limit is not None and cfg.groups.time_limit_s > limit:
        # groups return their best found with its bound within the job's time limit
        cfg = cfg.model_copy(
            update={"groups": cfg.groups.model_copy(update={"time_limit_s": float(limit)})}
        )
    return cfg


def _rows(path: Path) -> int:
    try:
        return len(mio.read_table(path).rows)
    except (matcher.InvalidInputError, OSError, ValueError):
        return 0


def size_of(kind: str, paths: Mapping[str, Path]) -> int:
    """Mentee x mentor pairs of a problem (edges for ``solve``), to choose sync or jobs."""
    if kind == "solve":
        return _rows(paths["edges"]) if "edges" in paths else 0
    mentees = _rows(paths["mentees"]) if "mentees" in paths else 0
    mentors = _rows(paths["mentors"]) if "mentors" in paths else mentees
    return mentees * max(mentors, 1)


def _missing(paths: Mapping[str, Path], *roles: str) -> None:
    absent = [r for r in roles if r not in paths]
    if absent:
        raise matcher.InvalidInputError(
            [
                matcher.Problem(
                    f"no {role} given",
                    column=role,
                    expected=f"a '{role}' file upload or JSON field",
                )
                for role in absent
            ]
        )


def execute(
    kind: str,
    paths: Mapping[str, Path],
    options: Mapping[str, Any],
    progress: Progress | None = None,
    *,
    extras: bool = False,
) -> tuple[matcher.Matching, dict[str, bytes]]:
    """Run ``kind`` (match, suggest or solve) as the CLI would; the result and its files.

    With ``extras`` the files also hold ``report.html`` and ``pairs.xlsx``, as the CLI's
    ``--report --xlsx`` write them (jobs; the synchronous routes answer JSON only).
    """
    if progress is not None:
        progress("reading", 0.0)
    seed = options.get("seed")
    if kind == "solve":
        _missing(paths, "edges")
        result = matcher.solve(
            paths["edges"],
            capacities=paths.get("capacities"),
            method=options.get("method") or "optimal",
            min_score=options.get("min_score"),
            seed=seed or 0,
        )
        hashed: list[Path] = []
        cfg_used: matcher.ProgramConfig | None = None
    else:
        cfg = _config(paths, options)
        cfg_used = cfg
        peer_led = cfg.groups.leader == "none"
        _missing(paths, *(("mentees",) if peer_led else ("mentors", "mentees")))
        mentors: Path | list[matcher.Participant] = paths.get("mentors") or []
        if kind == "suggest":
            result = matcher.suggest(
                mentors,
                paths["mentees"],
                config=cfg,
                top=options.get("top"),
                seed=seed,
                progress=progress,
            )
            hashed = [p for r, p in paths.items() if r == "config"]
        else:
            result = matcher.match(
                mentors,
                paths["mentees"],
                config=cfg,
                seed=seed,
                method=options.get("method"),
                pinned=paths.get("pinned") or (),
                forbidden=paths.get("forbidden") or (),
                current=paths.get("current"),
                progress=progress,
                # the certified sparse path returns its best found, with a proven bound
                time_limit_s=options.get("time_limit_s"),
            )
            hashed = [paths[r] for r in ("config", "pinned", "forbidden", "current") if r in paths]
    if progress is not None:
        progress("writing", 0.0)
    for path in hashed:  # as the CLI records them in summary.json
        result.inputs[path.name] = mio.sha256_file(path)
    files = result.files(
        version=matcher.__version__,
        bom=bool(options.get("excel")),
        delimiter=options.get("delimiter") or ",",
    )
    if extras:
        files["pairs.xlsx"] = result.workbook(version=matcher.__version__)
        files["report.html"] = report_html(result, cfg_used)
    return result, files


def _raw_config(path: Path | None) -> dict[str, Any]:
    """The config file as its tables (already checked), for the page to change a setting."""
    if path is None:
        return {}
    text = path.read_text("utf-8-sig")
    data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    return dict(json.loads(json.dumps(data, default=str)))


def check(paths: Mapping[str, Path], options: Mapping[str, Any]) -> dict[str, Any]:
    """Every problem of a run's inputs at once (config, both files, cross-file ids), or what
    the page needs to review the run: counts, each person's region, and the settings."""
    problems: list[matcher.Problem] = []
    try:
        cfg = _config(paths, options)
    except matcher.InvalidInputError as exc:
        problems.extend(exc.problems)
        # only [equity] slips: its rule is still checked against the mentees below
        partial = exc.partial
        cfg = partial if isinstance(partial, matcher.ProgramConfig) else matcher.ProgramConfig()
    peer_led = cfg.groups.leader == "none"
    try:
        _missing(paths, *(("mentees",) if peer_led else ("mentors", "mentees")))
    except matcher.InvalidInputError as exc:
        problems.extend(exc.problems)
    sets: tuple[mio.ParticipantSet, mio.ParticipantSet] | None = None
    if "mentees" in paths and (peer_led or "mentors" in paths):
        try:
            sets = mio.load_program(paths.get("mentors") or [], paths["mentees"], cfg)
            mentors_found = len(sets[0].participants)
            check_rules(cfg, sets[1].participants, mentors_found or len(sets[1].participants))
        except matcher.InvalidInputError as exc:
            problems.extend(exc.problems)
    if "current" in paths:  # the current pairs' statuses, located as the CLI reports them
        try:
            mio.read_current(paths["current"])
        except matcher.InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems or sets is None:
        raise matcher.InvalidInputError(problems)
    mentors, mentees = sets
    return {
        "config": _raw_config(paths.get("config")),
        "mentors": len(mentors.participants),
        "mentees": len(mentees.participants),
        "regions": {
            "mentors": {p.id: p.region or "" for p in mentors.participants},
            "mentees": {p.id: p.region or "" for p in mentees.participants},
        },
        "settings": {
            "method": cfg.method,
            "min_score": cfg.min_score,
            "criteria": {
                name: {"weight": c.weight, "hard": c.hard} for name, c in cfg.criteria.items()
            },
        },
    }


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, 6)


def result_json(result: matcher.Matching) -> dict[str, Any]:
    """The result as JSON: pairs, unmatched and the summary."""
    return {
        "pairs": [
            {
                "mentee_id": p.mentee_id,
                "mentor_id": p.mentor_id,
                "score": _number(p.score),
                "criteria": {k: _number(v) for k, v in p.criteria.items()},
                "reasons": p.reasons,
                "group_id": p.group_id,
                "rank": p.rank,
                "pinned": p.pinned,
            }
            for p in result.pairs
        ],
        "unmatched": [{"id": u.id, "role": u.role, "reason": u.reason} for u in result.unmatched],
        "changes": [
            {
                "mentee_id": c.mentee_id,
                "mentor_id": c.mentor_id,
                "change": c.change,
                "reason": c.reason,
            }
            for c in result.changes
        ],
        "summary": json.loads(mio.json_bytes(result.summary(version=matcher.__version__))),
    }


def problem_dicts(problems: list[matcher.Problem]) -> list[dict[str, Any]]:
    return [
        {
            "file": p.file,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "expected": p.expected,
            "message": p.message,
        }
        for p in problems
    ]
