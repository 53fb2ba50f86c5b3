"""The ``matcher`` command.  It calls the public API only.

Exit codes: 0 success; 2 bad input; 3 infeasible constraints; 1 internal error.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import math
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matcher
from matcher import io as mio
from matcher.api import check_rules
from matcher.cli._progress import ProgressLine
from matcher.report import report_html

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3

_DESCRIPTION = """\
Pair mentees with mentors for health mentoring and peer-support programmes.

Typical use: put mentors.csv, mentees.csv and (optionally) program.toml in one folder, then
    matcher validate PROGRAM_DIR
    matcher match PROGRAM_DIR -o results
and open results/pairs.csv and results/unmatched.csv in Excel.
"""

_EPILOG = """\
exit codes: 0 done; 2 a problem in the input (every problem is listed with file, row and
column); 3 the constraints cannot all hold (e.g. pinned pairs beyond capacity); 1 internal error.
No output folder is left behind when a run fails."""


def _delimiter(text: str) -> str:
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t"}
    value = named.get(text, text)
    if value not in (",", ";", "\t"):
        raise argparse.ArgumentTypeError("expected , ; or tab")
    return value


def _output_options(
    p: argparse.ArgumentParser, files: str = "pairs.csv, unmatched.csv and summary.json"
) -> None:
    p.add_argument(
        "-o",
        "--out",
        required=True,
        type=Path,
        metavar="OUT_DIR",
        help=f"folder for {files} (created; existing files of those names are replaced)",
    )
    p.add_argument(
        "--excel",
        action="store_true",
        help="write CSV files with a UTF-8 byte-order mark so Excel shows accents",
    )
    p.add_argument(
        "--delimiter",
        type=_delimiter,
        default=",",
        metavar="SEP",
        help="CSV separator for the outputs: , (default) ; or tab "
        "(French-language Excel expects ;)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="decides between equally good matchings (default: program.toml or 0)",
    )
    p.add_argument(
        "--report",
        action="store_true",
        help="also write report.html: charts, equity by subgroup, printable on A4",
    )
    p.add_argument(
        "--xlsx",
        action="store_true",
        help="also write pairs.xlsx (sheets pairs, unmatched, summary, equity) for Excel",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing on success")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matcher",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"matcher {matcher.__version__}")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    m = sub.add_parser(
        "match",
        help="match mentees with mentors from CSV profiles",
        description="Score every mentee-mentor pair from their profiles and find the best "
        "pairing under mentor capacities: as many mentees matched as possible, "
        "then the highest total score.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    m.add_argument(
        "program_dir",
        nargs="?",
        type=Path,
        metavar="PROGRAM_DIR",
        help="folder with mentors.csv, mentees.csv and optionally program.toml",
    )
    m.add_argument("--mentors", type=Path, metavar="FILE", help="mentors CSV (instead of a folder)")
    m.add_argument("--mentees", type=Path, metavar="FILE", help="mentees CSV (instead of a folder)")
    m.add_argument("--config", type=Path, metavar="FILE", help="program.toml to use")
    m.add_argument(
        "--method",
        default=None,
        help="optimal, fair, stable, groups or suggest (default: program.toml's, else optimal)",
    )
    m.add_argument(
        "--min-score",
        type=float,
        default=None,
        metavar="X",
        help="never use a pair scoring below X (0-1; default: program.toml's)",
    )
    m.add_argument(
        "--pinned",
        type=Path,
        metavar="FILE",
        help="CSV of mentee_id,mentor_id pairs to keep as they are",
    )
    m.add_argument(
        "--forbidden",
        type=Path,
        metavar="FILE",
        help="CSV of mentee_id,mentor_id pairs never to use",
    )
    m.add_argument(
        "--current",
        type=Path,
        metavar="FILE",
        help="current matches (mentee_id,mentor_id[,status]) to keep where still valid; "
        "status: active, ended or do_not_match_again. Default: PROGRAM_DIR/current.csv "
        "if present. Writes changes.csv",
    )
    _output_options(m)

    g = sub.add_parser(
        "suggest",
        help="top-N compatible mentors per mentee, for programmes where mentees choose",
        description="Suggest the N most compatible mentors to each mentee, with reasons. "
        "Load-aware: a mentor with c places is shown to at most c x N mentees, so a popular "
        "mentor is not offered to everyone. Writes suggestions.csv "
        "(mentee_id,rank,mentor_id,score,reasons), unmatched.csv and summary.json.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    g.add_argument("program_dir", nargs="?", type=Path, metavar="PROGRAM_DIR")
    g.add_argument("--mentors", type=Path, metavar="FILE", help="mentors CSV")
    g.add_argument("--mentees", type=Path, metavar="FILE", help="mentees CSV")
    g.add_argument("--config", type=Path, metavar="FILE", help="program.toml to use")
    g.add_argument(
        "--top",
        type=int,
        default=None,
        metavar="N",
        help="mentors per mentee (default: program.toml [suggest] top, else 5)",
    )
    g.add_argument(
        "--min-score",
        type=float,
        default=None,
        metavar="X",
        help="never suggest a mentor scoring below X",
    )
    _output_options(g, "suggestions.csv, unmatched.csv and summary.json")

    s = sub.add_parser(
        "solve",
        help="best assignment from precomputed scores (an edge list)",
        description="Solve the capacitated assignment for scores computed elsewhere. "
        "EDGES.csv: mentee_id,mentor_id,score[,mentee_rank,mentor_rank]; a pair "
        "absent from the file is not allowed. CAPS.csv: id,capacity (mentor "
        "capacities, default 1; a mentee listed there wants that many mentors).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    s.add_argument("edges", type=Path, metavar="EDGES.csv")
    s.add_argument("--capacities", type=Path, metavar="CAPS.csv", default=None)
    s.add_argument("--method", default="optimal", help="optimal, fair or stable (default optimal)")
    s.add_argument(
        "--min-score", type=float, default=None, metavar="X", help="ignore pairs scoring below X"
    )
    _output_options(s)

    c = sub.add_parser(
        "scenario",
        help="write a programme folder: a shipped scenario or a synthetic one",
        description="Write a programme folder (mentors.csv, mentees.csv, program.toml) usable "
        "by 'matcher match'. NAME is 'synthetic' (realistic profiles across Canada, any size) "
        "or a shipped scenario under scenarios/ (e.g. amn-pain-addiction), copied with its "
        "README and generator.",
        epilog=_EPILOG,
    )
    c.add_argument(
        "name", nargs="?", metavar="NAME", help="'synthetic' or a shipped scenario's name"
    )
    c.add_argument("--list", action="store_true", help="list the shipped scenarios and exit")
    c.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write the programme into",
    )
    c.add_argument(
        "--mentees",
        type=int,
        default=1000,
        metavar="N",
        help="synthetic: number of mentees (default 1000)",
    )
    c.add_argument(
        "--mentors",
        type=int,
        default=200,
        metavar="M",
        help="synthetic: number of mentors (default 200)",
    )
    c.add_argument(
        "--capacity",
        type=int,
        default=5,
        metavar="C",
        help="synthetic: capacity of every mentor (default 5)",
    )
    c.add_argument(
        "--groups",
        action="store_true",
        help="synthetic: a peer-led small-group programme of --mentees members (no mentors)",
    )
    c.add_argument("--seed", type=int, default=0, metavar="S")

    v = sub.add_parser(
        "validate",
        help="check input files and report every problem",
        description="Check mentors/mentees CSV files, program.toml, edge lists and capacity "
        "files. A folder is checked as a programme (mentors.csv, mentees.csv, "
        "program.toml). Every problem is listed with file, row and column.",
        epilog=_EPILOG,
    )
    _service_commands(sub)
    v.add_argument("files", nargs="+", type=Path, metavar="FILE")
    v.add_argument(
        "--role",
        choices=("mentor", "mentee"),
        default=None,
        help="role of the people in a CSV whose name says neither",
    )
    return parser


def _service_commands(sub: Any) -> None:
    """``serve`` and ``worker``: the HTTP service (needs the ``matcher[service]`` extra)."""
    w = sub.add_parser(
        "serve",
        help="HTTP service: API, job workers and the embedded store in one command",
        description="Start the HTTP service (API at /v1, OpenAPI at /openapi.json), job "
        "workers and the embedded store (SQLite in --data-dir unless MATCHER_DB/MATCHER_QUEUE "
        "say otherwise). Needs: pip install 'matcher[service]'.",
    )
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", type=int, default=8000)
    w.add_argument("--workers", type=int, default=1, metavar="N", help="jobs run at once")
    w.add_argument("--data-dir", type=Path, default=None, metavar="DIR")
    w.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback --host without MATCHER_TOKEN/MATCHER_TOKENS_FILE",
    )
    k = sub.add_parser(
        "worker",
        help="job workers alone, for deployments on several machines",
        description="Run job workers on the queue and database of MATCHER_QUEUE/MATCHER_DB "
        "(or the embedded ones in --data-dir). Needs: pip install 'matcher[service]'.",
    )
    k.add_argument("--workers", type=int, default=1, metavar="N", help="jobs run at once")
    k.add_argument("--data-dir", type=Path, default=None, metavar="DIR")


def _service_command(name: str) -> Callable[..., int] | None:
    """``serve`` or ``worker`` from the service layer, which registers them as entry points
    (group ``matcher.commands``): the command line sits above the service and never imports it."""
    for entry in importlib.metadata.entry_points(group="matcher.commands", name=name):
        command: Callable[..., int] = entry.load()
        return command
    return None


def _cmd_service(args: argparse.Namespace) -> int:
    try:
        command = _service_command(args.command)
    except ImportError as exc:
        sys.stderr.write(
            f"matcher: error: the service needs its extra ({exc.name} is missing): "
            "pip install 'matcher[service]'\n"
        )
        return EXIT_INPUT
    if command is None:
        sys.stderr.write(
            f"matcher: error: 'matcher {args.command}' is not registered by this installation: "
            "pip install 'matcher[service]' (again, if it was installed before this version)\n"
        )
        return EXIT_INPUT
    if args.workers < 1:
        raise matcher.InvalidInputError(
            [
                matcher.Problem(
                    "invalid option --workers",
                    value=str(args.workers),
                    expected="a whole number >= 1",
                )
            ]
        )
    if args.command == "serve":
        return command(
            host=args.host,
            port=args.port,
            workers=args.workers,
            data_dir=args.data_dir,
            insecure=args.insecure,
        )
    return command(workers=args.workers, data_dir=args.data_dir)


def _echo(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text)


def _n(n: Any, noun: str, plural: str | None = None) -> str:
    """``1 mentor``, ``2 mentors`` (a count missing from the summary shows as ``?``)."""
    if isinstance(n, int):
        return matcher.profiles.vocab.count(n, noun, plural)
    return f"{n} {plural or noun + 's'}"


def _how(method: str, status: str) -> str:
    return method if method == status else f"{method}, {status}"


def _summary_line(result: matcher.Matching, out: Path, names: list[str]) -> str:
    s = result.summary
    mentees = s.get("mentees", "?")
    if result.kind == "suggest":
        head = (
            f"Suggested {_n(s['pairs'], 'mentor')} to {s['matched']} of {_n(mentees, 'mentee')} "
            f"(top {s.get('top')}, load-aware; total score {s['objective']:.4f})."
        )
    elif result.method == "groups" and not s.get("groups"):
        head = "Formed no group."
    elif result.method == "groups":
        head = (
            f"Formed {_n(s.get('groups', 0), 'group')} ({_sizes(s.get('group_sizes') or [])}; "
            f"{s.get('engine')}, {s['status']}; total compatibility {s['objective']:.4f}, "
            f"{_bound_gap(s)}); {_n(s['pairs'], 'row')} in pairs.csv."
        )
    else:
        head = (
            f"Matched {s['matched']} of {_n(mentees, 'mentee')} in {_n(s['pairs'], 'pair')} "
            f"({_how(s['method'], s['status'])}; {_floor(s)}total score {s['objective']:.4f}, "
            f"{_bound_gap(s)})."
        )
    lines = [head]
    rule = (s.get("equity") or {}).get("rule") if isinstance(s.get("equity"), dict) else None
    if rule:
        lines.append(_equity_line(rule))
    if result.unmatched:
        lines.append(
            f"{_n(s['unmatched_mentees'], 'mentee')} and {_n(s['unmatched_mentors'], 'mentor')} "
            f"unmatched: reasons in {out / 'unmatched.csv'}."
        )
    lines.append(f"Wrote {', '.join(names)} to {out} in {result.elapsed_s:.2f} s.")
    return "\n".join(lines)


def _bound_gap(s: Mapping[str, Any]) -> str:
    """``bound 59.1111, gap 14.7778 (25.00%)``: the gap also as a share of the bound."""
    if s.get("gap") is None:
        return f"bound {s['bound']:.4f}, gap not proven"
    gap, bound = float(s["gap"]), float(s["bound"])
    share = f" ({gap / bound:.2%})" if bound > 0 else ""
    return f"bound {bound:.4f}, gap {gap:.4f}{share}"


def _floor(s: Mapping[str, Any]) -> str:
    """fair's floor, the lowest score of a matched mentee, before its total."""
    if s.get("method") != "fair" or s.get("floor") is None:
        return ""
    return f"lowest score {s['floor']:.6g}, "


def _equity_line(rule: dict[str, Any]) -> str:
    """The equity rule's effect in one line: the lowest subgroup rate and the price."""
    low, total = rule["lowest_rate"], rule["objective"]
    how = rule["mode"] or "min_share"

    def rate(value: float | None) -> str:
        return "–" if value is None else f"{value:.1%}"

    line = (
        f"Equity rule on {rule['column']} ({how}): lowest subgroup coverage "
        f"{rate(low['without'])} without the rule, {rate(low['with'])} with it; total score "
        f"{total['without']:.4f} without, {total['with']:.4f} with (summary.json: equity.rule)."
    )
    if rule["mode"] == "equalise" and low["with"] == 0:
        line += (
            " Note: a subgroup cannot be served at all (no compatible mentor), so equalise "
            "could raise no floor; see unmatched.csv for its reasons."
        )
    return line


def _sizes(sizes: Sequence[int]) -> str:
    """Groups by size, as "3 of 4 members, 2 of 5 members"."""
    counts = sorted(Counter(sizes).items())
    return ", ".join(f"{n} of {size} members" for size, n in counts)


def _inputs(
    args: argparse.Namespace,
) -> tuple[Path | list[matcher.Participant], Path, Path | None, Path | None]:
    """Mentors, mentees, program.toml and current.csv from PROGRAM_DIR or explicit flags."""
    config = args.config
    current = getattr(args, "current", None)
    if args.program_dir is not None:
        folder = args.program_dir
        if not folder.is_dir():
            raise matcher.InvalidInputError(
                [
                    matcher.Problem(
                        "program folder not found",
                        file=str(folder),
                        expected="a folder with mentors.csv and mentees.csv",
                    )
                ]
            )
        mentors = args.mentors or mio.profile_file(folder, "mentor")
        mentees = args.mentees or mio.profile_file(folder, "mentee")
        if config is None and (folder / "program.toml").exists():
            config = folder / "program.toml"
        if current is None and hasattr(args, "current") and (folder / "current.csv").exists():
            current = folder / "current.csv"
    elif args.mentees is not None:
        mentors, mentees = args.mentors, args.mentees
        nearby = Path(args.mentees).parent / "program.toml"
        if config is None and nearby.is_file():
            sys.stderr.write(
                f"matcher: note: {nearby} is not used without --config; the "
                "default settings apply\n"
            )
    else:
        raise matcher.InvalidInputError(
            [
                matcher.Problem(
                    "nothing to match", expected="PROGRAM_DIR, or --mentors and --mentees"
                )
            ]
        )
    peer_led = False
    if config is not None and Path(config).is_file():
        try:
            peer_led = mio.load_config(config).groups.leader == "none"
        except matcher.InvalidInputError as exc:
            if not isinstance(exc.partial, matcher.ProgramConfig):
                raise
            peer_led = exc.partial.groups.leader == "none"  # reported by _program_config
    missing = [p for p in (mentors, mentees) if p is None or not Path(p).exists()]
    if peer_led and mentors in missing:
        missing.remove(mentors)
        mentors = []  # peer-led groups need no mentors file
    folders = [p for p in (mentors, mentees) if isinstance(p, Path) and p.is_dir()]
    if missing or folders:
        raise matcher.InvalidInputError(
            [
                matcher.Problem(
                    "file not found", file=str(p), expected="a CSV or .xlsx file of profiles"
                )
                for p in missing
            ]
            + [
                matcher.Problem(
                    "is a folder", file=str(p), expected="a CSV or .xlsx file of profiles"
                )
                for p in folders
            ]
        )
    return mentors, mentees, config, current


def _check_options(args: argparse.Namespace, *, low: float = 0.0) -> None:
    """The command's own options, each problem named by its flag (every one at once)."""
    if getattr(args, "out", None) is not None:
        mio.check_output_dir(args.out)  # before a long run, not after it
    problems = []
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed <= matcher.profiles.MAX_SEED:
        problems.append(
            matcher.Problem(
                "invalid option --seed",
                value=str(seed),
                expected=f"a whole number from 0 to {matcher.profiles.MAX_SEED}",
            )
        )
    min_score = getattr(args, "min_score", None)
    high = 1.0 if low == 0 else matcher.profiles.MAX_SCORE
    if min_score is not None and not (math.isfinite(min_score) and low <= min_score <= high):
        problems.append(
            matcher.Problem(
                "invalid option --min-score",
                value=str(min_score),
                expected=f"a finite number from {low:g} to {high:g}",
            )
        )
    method = getattr(args, "method", None)
    allowed = tuple(
        name
        for name, m in matcher.METHODS.items()
        if args.command != "solve" or m.solver is not None
    )
    if method is not None and method not in allowed:
        problems.append(
            matcher.Problem(
                "invalid option --method",
                value=method,
                expected="one of "
                + ", ".join(allowed)
                + matcher.profiles.vocab.did_you_mean(method, allowed),
            )
        )
    top = getattr(args, "top", None)
    if top is not None and not 1 <= top <= 10_000:
        problems.append(
            matcher.Problem(
                "invalid option --top", value=str(top), expected="a whole number from 1 to 10,000"
            )
        )
    if problems:
        raise matcher.InvalidInputError(problems)


def _config_in(toml: Path, problems: list[matcher.Problem]) -> matcher.ProgramConfig:
    """A folder's program.toml for ``validate``: its problems join ``problems``, and with only
    ``[equity]`` slips the rest of the folder is still checked."""
    try:
        return mio.load_config(toml)
    except matcher.InvalidInputError as exc:
        if not isinstance(exc.partial, matcher.ProgramConfig):
            raise
        problems.extend(exc.problems)
        return exc.partial


def _program_config(
    args: argparse.Namespace,
    config: Path | None,
    mentors: Path | list[matcher.Participant],
    mentees: Path,
) -> matcher.ProgramConfig:
    """program.toml; when only its ``[equity]`` table has slips, the rule's problems with the
    mentees (and the files' own) are reported with them, all at once."""
    try:
        cfg = mio.load_config(config)
    except matcher.InvalidInputError as exc:
        partial = exc.partial
        if not isinstance(partial, matcher.ProgramConfig):
            raise
        problems = list(exc.problems)
        try:
            sets = mio.load_program(mentors, mentees, partial)
            n_mentors = len(sets[0].participants) or len(sets[1].participants)
            check_rules(
                partial, sets[1].participants, n_mentors, method=getattr(args, "method", None)
            )
        except matcher.InvalidInputError as more:
            problems.extend(more.problems)
        raise matcher.InvalidInputError(problems) from None
    if getattr(args, "min_score", None) is not None:
        cfg = cfg.model_copy(update={"min_score": args.min_score})
    return cfg


def _write(
    args: argparse.Namespace,
    result: matcher.Matching,
    hashed: list[Path | None],
    config: matcher.ProgramConfig | None = None,
) -> Path:
    for path in hashed:
        if path is not None:
            result.inputs[path.name] = mio.sha256_file(path)
    extra = {}
    if getattr(args, "report", False):
        extra["report.html"] = report_html(result, config)
    files = result.files(version=matcher.__version__, bom=args.excel, delimiter=args.delimiter)
    if getattr(args, "xlsx", False):
        files["pairs.xlsx"] = result.workbook(version=matcher.__version__)
    files.update(extra)
    out = mio.write_outputs(args.out, files)
    _echo(args, _summary_line(result, out, sorted(files)))
    return out


def _cmd_match(args: argparse.Namespace) -> int:
    _check_options(args)
    mentors, mentees, config, current = _inputs(args)
    cfg = _program_config(args, config, mentors, mentees)
    if current is not None and args.current is None:
        _echo(args, f"Keeping the current matches in {current} where still valid.")
    progress = ProgressLine(enabled=not args.quiet)
    try:
        result = matcher.match(
            mentors,
            mentees,
            config=cfg,
            seed=args.seed,
            method=args.method,
            pinned=args.pinned or (),
            forbidden=args.forbidden or (),
            current=current,
            progress=progress,
        )
    finally:
        progress.done()
    _write(args, result, [config, args.pinned, args.forbidden, current], cfg)
    return EXIT_OK


def _cmd_suggest(args: argparse.Namespace) -> int:
    _check_options(args)
    mentors, mentees, config, _ = _inputs(args)
    cfg = _program_config(args, config, mentors, mentees)
    progress = ProgressLine(enabled=not args.quiet)
    try:
        result = matcher.suggest(
            mentors, mentees, config=cfg, top=args.top, seed=args.seed, progress=progress
        )
    finally:
        progress.done()
    _write(args, result, [config], cfg)
    return EXIT_OK


def _cmd_solve(args: argparse.Namespace) -> int:
    _check_options(args, low=-matcher.profiles.MAX_SCORE)
    result = matcher.solve(
        args.edges,
        capacities=args.capacities,
        method=args.method,
        min_score=args.min_score,
        seed=args.seed or 0,
    )
    _write(args, result, [])
    return EXIT_OK


def _shipped_scenarios() -> Path:
    """The scenarios inside the installed package, else beside it (a source checkout)."""
    package = Path(matcher.__file__).resolve().parent
    inside = package / "_scenarios"
    return inside if inside.is_dir() else package.parent / "scenarios"


def _scenario_names(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "program.toml").exists())


def _scenario_title(folder: Path) -> str:
    """The first heading of a scenario's README, as its one-line description."""
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return ""


def _cmd_scenario(args: argparse.Namespace) -> int:
    root = _shipped_scenarios()
    if args.list:
        for name in _scenario_names(root):
            title = _scenario_title(root / name)
            print(f"{name:34} {title}".rstrip())
        print(f"{'synthetic':34} realistic profiles across Canada, any size (--mentees, --mentors)")
        return EXIT_OK
    missing = [
        matcher.Problem(f"missing {what}", expected=expected)
        for what, given, expected in (
            ("NAME", args.name, "'synthetic' or a shipped scenario (matcher scenario --list)"),
            ("-o/--out", args.out, "a folder to write the programme into"),
        )
        if given is None
    ]
    if missing:
        raise matcher.InvalidInputError(missing)
    if args.name == "synthetic":
        bad = [
            (flag, value)
            for flag, value in (
                ("--mentees", args.mentees),
                ("--mentors", args.mentors),
                ("--capacity", args.capacity),
            )
            if value < 1
        ]
        if bad:
            raise matcher.InvalidInputError(
                [
                    matcher.Problem(
                        f"invalid {flag}", value=str(value), expected="a whole number >= 1"
                    )
                    for flag, value in bad
                ]
            )
        out = mio.write_synthetic(
            args.out,
            args.mentees,
            args.mentors,
            seed=args.seed,
            mentor_capacity=args.capacity,
            groups=args.groups,
        )
        if args.groups:
            print(
                f"Wrote a synthetic peer-led group programme of {_n(args.mentees, 'member')} "
                f"to {out}"
            )
        else:
            print(
                f"Wrote a synthetic programme of {_n(args.mentors, 'mentor')} and "
                f"{_n(args.mentees, 'mentee')} to {out}"
            )
        return EXIT_OK
    source = root / args.name
    names = _scenario_names(root)
    if not (source / "program.toml").exists():
        raise matcher.InvalidInputError(
            [
                matcher.Problem(
                    "unknown scenario",
                    value=args.name,
                    expected="'synthetic' or one of: "
                    + (", ".join(names) or "(no shipped scenarios found beside this installation)"),
                )
            ]
        )
    files = {  # with its subfolders (a second intake's scenario carries the first's folder)
        p.relative_to(source).as_posix(): p.read_bytes()
        for p in sorted(source.rglob("*"))
        if p.is_file()
        and not any(part in ("out", "__pycache__") for part in p.relative_to(source).parts)
    }
    shared = root / "_common.py"  # what the scenario's generate.py imports
    if shared.is_file():
        files[shared.name] = shared.read_bytes()
    out = mio.write_outputs(args.out, files)
    print(f"Wrote scenario {args.name} to {out}")
    return EXIT_OK


def _kind(path: Path) -> str:
    if path.is_dir():
        return "program"
    if path.suffix.lower() == ".toml":
        return "config"
    try:
        header = [h.strip().casefold() for h in mio.read_table(path).header]
    except matcher.InvalidInputError:
        return "participants"
    if "mentee_id" in header and "mentor_id" in header:
        return "edges"
    if set(header) == {"id", "capacity"}:
        return "capacities"
    return "participants"


def _role_of(path: Path, default: str | None) -> str | None:
    name = path.name.casefold()
    if "mentee" in name or "mentoré" in name or "mentore" in name:
        return "mentee"
    if "mentor" in name or "tuteur" in name:
        return "mentor"
    return default


def _cmd_validate(args: argparse.Namespace) -> int:
    problems: list[matcher.Problem] = []
    notes: list[str] = []
    sets: dict[str, mio.ParticipantSet] = {}
    checked: list[tuple[mio.ParticipantSet, mio.ParticipantSet, matcher.ProgramConfig]] = []
    configs = [f for f in args.files if f.suffix.lower() == ".toml"]
    cfg = matcher.ProgramConfig()
    for path in args.files:
        if not path.exists():
            problems.append(matcher.Problem("file not found", file=str(path)))
    if not configs:  # as `match` says: a programme's rules beside its files are not guessed
        beside = {f.parent / "program.toml" for f in args.files if f.is_file()}
        for nearby in sorted(b for b in beside if b.is_file()):
            sys.stderr.write(
                f"matcher: note: {nearby} is not checked with these files unless named; "
                "the default settings apply (give it too, or the folder)\n"
            )
    for path in configs:
        try:
            cfg = mio.load_config(path)
            notes.append(f"{path.name}: programme configuration OK")
        except matcher.InvalidInputError as exc:
            problems.extend(exc.problems)
            if isinstance(exc.partial, matcher.ProgramConfig):
                cfg = exc.partial  # only [equity] slips: its rule is still checked on the data
    for path in args.files:
        if not path.exists() or path in configs:
            continue
        kind = _kind(path)
        try:
            if kind == "program":
                toml = path / "program.toml"
                local = _config_in(toml, problems) if toml.exists() else cfg
                files: dict[str, Path | list[matcher.Participant]] = {
                    role: mio.profile_file(path, role) for role in ("mentor", "mentee")
                }
                if local.groups.leader == "none" and not mio.profile_file(path, "mentor").exists():
                    files["mentor"] = []  # peer-led groups need no mentors file
                missing = [f for f in files.values() if isinstance(f, Path) and not f.exists()]
                if missing:
                    problems.extend(matcher.Problem("file not found", file=str(f)) for f in missing)
                    continue
                found_sets = mio.load_program(files["mentor"], files["mentee"], local)
                checked.append((found_sets[0], found_sets[1], local))
                n_mentors = len(found_sets[0].participants) or len(found_sets[1].participants)
                check_rules(local, found_sets[1].participants, n_mentors)
                notes.append(
                    f"{path}: {_n(len(found_sets[0].participants), 'mentor')}, "
                    f"{_n(len(found_sets[1].participants), 'mentee')} OK"
                )
            elif kind == "edges":
                edges = mio.read_edges(path)
                notes.append(f"{path.name}: {_n(len(edges.scores), 'scored pair')} OK")
            elif kind == "capacities":
                caps = mio.read_capacities(path)
                notes.append(f"{path.name}: {_n(len(caps), 'capacity', 'capacities')} OK")
            else:
                found = _role_of(path, args.role)
                if found is None:
                    problems.append(
                        matcher.Problem(
                            "cannot tell whether this file holds mentors or mentees",
                            file=path.name,
                            expected="a file name containing 'mentor' or 'mentee', or --role",
                        )
                    )
                    continue
                role = found
                if role in sets:
                    problems.append(
                        matcher.Problem(
                            f"a second {role}s file",
                            file=path.name,
                            expected=f"one {role}s file (or --role for the other)",
                        )
                    )
                    continue
                try:
                    sets[role] = mio.load_participants(path, role, cfg)
                    notes.append(f"{path.name}: {_n(len(sets[role].participants), role)} OK")
                except matcher.InvalidInputError as exc:
                    problems.extend(exc.problems)
                    if isinstance(exc.partial, mio.ParticipantSet):
                        sets[role] = exc.partial  # still checked against the other file
        except matcher.InvalidInputError as exc:
            problems.extend(exc.problems)
    if len(sets) == 2:
        try:
            mio.check_program(sets["mentor"], sets["mentee"], cfg)
            checked.append((sets["mentor"], sets["mentee"], cfg))
            n_mentors = len(sets["mentor"].participants)
            check_rules(cfg, sets["mentee"].participants, n_mentors)
        except matcher.InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise matcher.InvalidInputError(problems)
    for note in notes:
        print(note)
    for mentors, mentees, config in checked:  # the values themselves, to the user's own screen
        unknown = mio.unknown_values(list(mentors.participants), list(mentees.participants), config)
        for line in mio.describe_unknown_values(unknown):
            print(f"matcher: {line}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``matcher`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="matcher: %(message)s")
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    commands = {
        "match": _cmd_match,
        "suggest": _cmd_suggest,
        "solve": _cmd_solve,
        "validate": _cmd_validate,
        "scenario": _cmd_scenario,
        "serve": _cmd_service,
        "worker": _cmd_service,
    }
    try:
        return commands[args.command](args)
    except matcher.InvalidInputError as exc:
        sys.stderr.write(f"matcher: error: {exc}\n")
        return EXIT_INPUT
    except matcher.InfeasibleError as exc:
        sys.stderr.write(f"matcher: {exc}\n")
        return EXIT_INFEASIBLE
    except KeyboardInterrupt:
        sys.stderr.write("matcher: interrupted; no output written\n")
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(
            f"matcher: internal error: {type(exc).__name__}: {exc}\n"
            "Please report it (without any profile data) with the command you ran.\n"
        )
        return EXIT_INTERNAL
