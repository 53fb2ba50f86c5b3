"""The ``matcher`` command, run for real as ``python -m matcher`` in temporary folders.

Contracts from DESIGN.md: output files and their columns, the run manifest, exit codes
(0 done, 2 bad input naming file/row/column, 3 infeasible), every problem listed at once, and no
output folder left behind on failure.

Each command mostly costs interpreter start-up, so the commands of a group are prepared in a
module-scoped fixture and run at once (``cli.run_batch``); the tests then read the results.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import shutil
from pathlib import Path

import pytest

import matcher
from matcher import io as mio

SUMMARY_KEYS = {
    "matched",
    "unmatched",
    "objective",
    "bound",
    "method",
    "seed",
    "elapsed_s",
    "version",
    "inputs",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_no_output(cwd: Path, out: str = "out") -> None:
    """No output folder and no temporary folder left behind."""
    assert not (cwd / out).exists()
    leftovers = [p.name for p in cwd.iterdir() if p.name.startswith(f".{out}.")]
    assert leftovers == []


def assert_lines(stderr: str, *expected: tuple[str, ...]) -> None:
    """Each tuple of fragments must appear together on one line of ``stderr``."""
    lines = stderr.splitlines()
    for fragments in expected:
        assert any(all(f in line for f in fragments) for line in lines), (
            f"no line of stderr contains all of {fragments}:\n{stderr}"
        )


def load_outputs(cli, out: Path, delimiter: str = ","):
    pair_header, pairs = cli.read_csv(out / "pairs.csv", delimiter)
    un_header, unmatched = cli.read_csv(out / "unmatched.csv", delimiter)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return pair_header, pairs, un_header, unmatched, summary


def pair_set(pairs) -> set[tuple[str, str]]:
    return {(p["mentee_id"], p["mentor_id"]) for p in pairs}


# --- match on the shipped scenario ---------------------------------------------------------


@pytest.fixture(scope="module")
def scenario_runs(cli, tmp_path_factory):
    """The shipped scenario (copied, so concurrent edits cannot change it mid-test), run twice
    with the same seed into ``a`` and ``b``."""
    program = tmp_path_factory.mktemp("scenario") / "amn"
    shutil.copytree(cli.scenario, program, ignore=shutil.ignore_patterns("out", "*.py", "*.md"))
    runs = cli.run_batch(
        tmp_path_factory,
        {
            name: lambda cwd, name=name: ("match", program, "-o", name, "--seed", "0")
            for name in "ab"
        },
    )
    return program, runs


def test_scenario_match_succeeds(scenario_runs):
    _, runs = scenario_runs
    for _, run in runs.values():
        assert run.returncode == 0, run.stderr
        assert "Matched" in run.stdout
    cwd, _ = runs["a"]
    assert sorted(p.name for p in (cwd / "a").iterdir()) == [
        "pairs.csv",
        "summary.json",
        "unmatched.csv",
    ]


def test_scenario_output_columns(cli, scenario_runs):
    _, runs = scenario_runs
    cwd, _ = runs["a"]
    pair_header, _, un_header, _, summary = load_outputs(cli, cwd / "a")
    assert pair_header[:3] == ["mentee_id", "mentor_id", "score"]
    criteria = summary["criteria"]
    assert criteria, "summary.json lists the criteria used"
    # no groups in this programme: the criterion scores follow the score, then the reasons
    assert pair_header[3 : 3 + len(criteria)] == [f"score_{c}" for c in criteria]
    assert pair_header[3 + len(criteria)] == "reasons"
    # the scenario's pass-through column follows, for both sides
    assert pair_header[4 + len(criteria) :] == ["mentee_cohort", "mentor_cohort"]
    assert un_header[:3] == ["id", "role", "reason"]
    assert un_header[3:] == ["cohort"]


def test_scenario_summary_is_a_run_manifest(cli, scenario_runs):
    program, runs = scenario_runs
    cwd, _ = runs["a"]
    _, pairs, _, unmatched, summary = load_outputs(cli, cwd / "a")
    assert set(summary) >= SUMMARY_KEYS
    assert summary["method"] == "optimal"
    assert summary["seed"] == 0
    assert summary["version"] == matcher.__version__
    assert summary["inputs"] == {
        name: sha256(program / name) for name in ("mentors.csv", "mentees.csv", "program.toml")
    }
    assert summary["matched"] == len({p["mentee_id"] for p in pairs})
    assert summary["unmatched"] == len(unmatched)
    total = sum(float(p["score"]) for p in pairs)
    assert summary["objective"] == pytest.approx(total, abs=5e-5 * len(pairs) + 1e-6)
    assert summary["bound"] >= summary["objective"] - 1e-9
    assert isinstance(summary["elapsed_s"], int | float) and summary["elapsed_s"] >= 0


def test_scenario_every_participant_is_accounted_for(cli, scenario_runs):
    program, runs = scenario_runs
    cwd, _ = runs["a"]
    _, pairs, _, unmatched, _ = load_outputs(cli, cwd / "a")
    _, mentors = cli.read_csv(program / "mentors.csv")
    _, mentees = cli.read_csv(program / "mentees.csv")
    paired_mentees = {p["mentee_id"] for p in pairs}
    paired_mentors = {p["mentor_id"] for p in pairs}
    listed = {(u["id"], u["role"]) for u in unmatched}
    assert len(listed) == len(unmatched), "nobody is listed twice in unmatched.csv"
    for m in mentees:
        assert (m["id"] in paired_mentees) != ((m["id"], "mentee") in listed), m["id"]
    for m in mentors:
        assert (m["id"] in paired_mentors) != ((m["id"], "mentor") in listed), m["id"]
    ids = {m["id"] for m in mentees} | {m["id"] for m in mentors}
    assert {u["id"] for u in unmatched} <= ids
    assert all(u["reason"].strip() for u in unmatched)


def test_scenario_constraints_hold(cli, scenario_runs):
    program, runs = scenario_runs
    cwd, _ = runs["a"]
    _, pairs, _, _, _ = load_outputs(cli, cwd / "a")
    # profiles as matcher reads them (names normalised: "English" -> "en"); io has its own tests
    config = mio.load_config(program / "program.toml")
    mentors = {
        p.id: p
        for p in mio.load_participants(program / "mentors.csv", "mentor", config).participants
    }
    mentees = {
        p.id: p
        for p in mio.load_participants(program / "mentees.csv", "mentee", config).participants
    }
    per_mentor: dict[str, int] = {}
    per_mentee: dict[str, int] = {}
    keys = [(p["mentee_id"], p["mentor_id"]) for p in pairs]
    assert len(set(keys)) == len(keys), "no pair twice"
    assert keys == sorted(keys), "pairs sorted by mentee then mentor"
    for p in pairs:
        e, m = mentees[p["mentee_id"]], mentors[p["mentor_id"]]
        per_mentor[m.id] = per_mentor.get(m.id, 0) + 1
        per_mentee[e.id] = per_mentee.get(e.id, 0) + 1
        # hard constraints of this programme: a shared language and a shared format
        assert set(e.languages) & set(m.languages), p
        assert set(e.formats) & set(m.formats), p
        assert m.id not in e.exclude and e.id not in m.exclude, p
        assert float(p["score"]) >= config.min_score == 0.25
        assert p["reasons"].strip()
    assert all(n <= mentors[mid].capacity for mid, n in per_mentor.items())
    assert all(n <= mentees[eid].capacity for eid, n in per_mentee.items())


def test_scenario_same_seed_gives_identical_outputs(scenario_runs):
    _, runs = scenario_runs
    a, b = runs["a"][0] / "a", runs["b"][0] / "b"
    for name in ("pairs.csv", "unmatched.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    sa = json.loads((a / "summary.json").read_text(encoding="utf-8"))
    sb = json.loads((b / "summary.json").read_text(encoding="utf-8"))
    sa.pop("elapsed_s")
    sb.pop("elapsed_s")
    assert sa == sb


# --- match on small programmes: forms, options, French export, output folder ---------------

FRENCH_TOML = """\
[program]
name = "Réseau de mentorat — essai"

[columns]
"Numéro de membre" = "id"
"Langues parlées" = "languages"
"Province de pratique" = "region"
"Modalités acceptées" = "formats"
"Disponibilités (heure locale)" = "availability"
"Nombre de mentorés" = "capacity"
"Domaines d'intérêt" = "specialties"
"""
FR_MENTOR_HEADER = [
    "Numéro de membre",
    "Langues parlées",
    "Province de pratique",
    "Modalités acceptées",
    "Disponibilités (heure locale)",
    "Nombre de mentorés",
    "Domaines d'intérêt",
    "Établissement",
]
FR_MENTORS = [
    ["M-01", "français|anglais", "Nouveau-Brunswick", "virtuel|en personne",
     "lun 12h-13h30|mer 18h-20h", "2", "santé mentale|chronic_pain",
     "Hôpital Dr-Georges-L.-Dumont"],
    ["M-02", "anglais", "Nouvelle-Écosse", "virtuel", "mar 12h-13h", "1", "chronic_pain",
     "Santé Nouvelle-Écosse"],
]  # fmt: skip
FR_MENTEE_HEADER = [
    "Numéro de membre",
    "Langues parlées",
    "Province de pratique",
    "Modalités acceptées",
    "Disponibilités (heure locale)",
    "Domaines d'intérêt",
    "Remarques",
]
FR_MENTEES = [
    ["E-01", "français", "Québec", "virtuel", "lun 12h-13h", "santé mentale", "Préfère le midi"],
    ["E-02", "anglais", "Nouvelle-Écosse", "virtuel", "mar 12h-13h", "chronic_pain", ""],
    ["E-03", "Français", "Nouveau-Brunswick", "en personne", "mer 18h-19h", "chronic_pain",
     "Déjà rencontré « M-01 »"],
]  # fmt: skip


def _setup_folder(cli):
    def setup(cwd):
        cli.small_program().write(cwd / "prog")
        return ("match", "prog", "-o", "out")

    return setup


def _setup_files(cli):
    def setup(cwd):
        prog = cli.small_program().write(cwd / "prog")
        return (
            "match",
            "--mentors", prog / "mentors.csv",
            "--mentees", prog / "mentees.csv",
            "--config", prog / "program.toml",
            "-o", "out",
        )  # fmt: skip

    return setup


def _setup_options(cli):
    def setup(cwd):
        cli.small_program().write(cwd / "prog")
        return (
            "match", "prog", "-o", "out",
            "--report", "--excel", "--delimiter", ";", "--seed", "3", "--quiet",
        )  # fmt: skip

    return setup


def _setup_french(cli):
    def setup(cwd):
        folder = cwd / "programme"
        folder.mkdir()
        # mentors: French Excel "CSV UTF-8" (BOM, ';'); mentees: plain "CSV" on Windows (cp1252)
        (folder / "mentors.csv").write_bytes(
            cli.csv_text(FR_MENTOR_HEADER, FR_MENTORS, ";").encode("utf-8-sig")
        )
        (folder / "mentees.csv").write_bytes(
            cli.csv_text(FR_MENTEE_HEADER, FR_MENTEES, ";").encode("cp1252")
        )
        (folder / "program.toml").write_text(FRENCH_TOML, encoding="utf-8")
        return ("match", "programme", "-o", "résultats")

    return setup


def _setup_existing_out(cli):
    def setup(cwd):
        cli.small_program().write(cwd / "prog")
        (cwd / "out").mkdir()
        (cwd / "out" / "pairs.csv").write_text("old")
        (cwd / "out" / "notes.txt").write_text("mine")
        return ("match", "prog", "-o", "out")

    return setup


def _setup_out_is_a_file(cli):
    def setup(cwd):
        cli.small_program().write(cwd / "prog")
        (cwd / "out").write_text("not a folder")
        return ("match", "prog", "-o", "out")

    return setup


@pytest.fixture(scope="module")
def match_runs(cli, tmp_path_factory):
    return cli.run_batch(
        tmp_path_factory,
        {
            "folder": _setup_folder(cli),
            "files": _setup_files(cli),
            "options": _setup_options(cli),
            "french": _setup_french(cli),
            "existing out": _setup_existing_out(cli),
            "out is a file": _setup_out_is_a_file(cli),
        },
    )


def test_small_program_pairs_and_reasons(cli, match_runs):
    cwd, run = match_runs["folder"]
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "Matched 3 of 4 mentees" in run.stdout
    raw = (cwd / "out" / "pairs.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.startswith(b"mentee_id,mentor_id,score,")
    _, pairs, _, unmatched, summary = load_outputs(cli, cwd / "out")
    assert pair_set(pairs) == cli.expected_pairs
    assert [(u["id"], u["role"], u["reason"]) for u in unmatched] == [
        ("E4", "mentee", "no mentor shares a language: es")
    ]
    # pass-through columns keep their values
    e1 = next(p for p in pairs if p["mentee_id"] == "E1")
    assert (e1["mentee_cohort"], e1["mentor_cohort"]) == ("A", "A")
    assert unmatched[0]["cohort"] == "B"
    assert summary["matched"] == 3
    assert summary["unmatched"] == 1
    assert summary["program"] == "petit programme"


def test_mentors_mentees_config_options_match_the_folder_form(match_runs):
    (a, run_a), (b, run_b) = match_runs["folder"], match_runs["files"]
    assert run_a.returncode == run_b.returncode == 0, run_a.stderr + run_b.stderr
    for name in ("pairs.csv", "unmatched.csv"):
        assert (a / "out" / name).read_bytes() == (b / "out" / name).read_bytes()
    summary = json.loads((b / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"] == {
        name: sha256(b / "prog" / name) for name in ("mentors.csv", "mentees.csv", "program.toml")
    }


def test_report_option_writes_report_html(match_runs):
    cwd, run = match_runs["options"]
    assert run.returncode == 0, run.stderr
    page = (cwd / "out" / "report.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "3 of 4" in page  # mentees matched
    assert sha256(cwd / "prog" / "mentors.csv") in page
    assert "petit programme" in page


def test_excel_option_writes_a_utf8_bom(match_runs):
    cwd, run = match_runs["options"]
    assert run.returncode == 0, run.stderr
    for name in ("pairs.csv", "unmatched.csv"):
        data = (cwd / "out" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
        assert not data[3:].startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")
    json.loads((cwd / "out" / "summary.json").read_text(encoding="utf-8"))


def test_delimiter_option(cli, match_runs):
    cwd, run = match_runs["options"]
    assert run.returncode == 0, run.stderr
    out = cwd / "out"
    first = (out / "pairs.csv").read_bytes()[3:].split(b"\r\n")[0].decode()
    assert first.startswith("mentee_id;mentor_id;score;score_")
    header, pairs = cli.read_csv(out / "pairs.csv", ";")
    assert pair_set(pairs) == cli.expected_pairs
    assert "," not in "".join(header)
    un_header, _ = cli.read_csv(out / "unmatched.csv", ";")
    assert un_header[:3] == ["id", "role", "reason"]
    # matcher reads its own Excel output back: BOM and ';' are detected
    table = mio.read_table(out / "pairs.csv")
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ";")


def test_seed_and_quiet_options(match_runs):
    cwd, run = match_runs["options"]
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert json.loads((cwd / "out" / "summary.json").read_text(encoding="utf-8"))["seed"] == 3


def test_french_excel_export(cli, match_runs):
    cwd, run = match_runs["french"]
    assert run.returncode == 0, run.stderr
    header, pairs, _, unmatched, summary = load_outputs(cli, cwd / "résultats")
    # E-01 and E-03 need French (only M-01, capacity 2); E-02 then takes M-02
    assert pair_set(pairs) == {("E-01", "M-01"), ("E-02", "M-02"), ("E-03", "M-01")}
    assert unmatched == []
    # accented pass-through columns survive both input encodings (outputs are UTF-8)
    assert "mentor_Établissement" in header and "mentee_Remarques" in header
    by_mentee = {p["mentee_id"]: p for p in pairs}
    assert by_mentee["E-01"]["mentor_Établissement"] == "Hôpital Dr-Georges-L.-Dumont"
    assert by_mentee["E-01"]["mentee_Remarques"] == "Préfère le midi"
    assert by_mentee["E-03"]["mentee_Remarques"] == "Déjà rencontré « M-01 »"
    assert by_mentee["E-01"]["score_language"] == "1.0000"
    assert summary["program"] == "Réseau de mentorat — essai"
    assert summary["inputs"]["mentees.csv"] == sha256(cwd / "programme" / "mentees.csv")


def test_existing_output_folder_files_are_replaced(match_runs):
    cwd, run = match_runs["existing out"]
    assert run.returncode == 0, run.stderr
    out = cwd / "out"
    assert (out / "pairs.csv").read_text(encoding="utf-8").startswith("mentee_id,")
    assert (out / "notes.txt").read_text() == "mine"
    assert [p.name for p in cwd.iterdir() if p.name.startswith(".out.")] == []


def test_output_path_that_is_a_file_is_an_input_error(match_runs):
    cwd, run = match_runs["out is a file"]
    assert (cwd / "out").read_text() == "not a folder"
    assert [p.name for p in cwd.iterdir() if p.name.startswith(".out.")] == []
    assert "internal error" not in run.stderr
    assert run.returncode == 2, run.stderr


# --- malformed inputs: exit 2, every problem located, no output -----------------------------


def _dup_id(p):
    p.mentors.append(["M1", *p.mentors[1][1:]])  # row 5


def _several(p):
    p.set("mentors", "M1", "languages", "klingon")  # row 2
    p.set("mentors", "M2", "capacity", "-1")  # row 3
    p.set("mentors", "M3", "availability", "lundi soir")  # row 4
    p.mentors.append(["M2", "nurse", "", "NB", "", "", "en", "", "virtual", "1", "", "", "A"])


def _both_files(p):
    p.set("mentors", "M2", "capacity", "-3")
    p.set("mentees", "E3", "languages", "klingon")
    p.set("mentees", "E4", "formats", "hologramme")


def _cell_and_cross_file(p):
    p.set("mentors", "M1", "capacity", "-1")
    p.set("mentors", "M3", "region", "Atlantis")
    p.set("mentees", "E2", "exclude", "M99")


def _missing_id(p):
    p.mentee_header[0] = "nom"


def _empty(p):
    p.raw["mentors.csv"] = b""


def _set_toml(text):
    def edit(p):
        p.toml = text

    return edit


def _cell(who, row_id, column, value):
    return lambda p: p.set(who, row_id, column, value)


MALFORMED = {
    "duplicate id": (_dup_id, [("mentors.csv", "row 5", "column 'id'", "'M1'", "duplicate")]),
    "negative capacity": (
        _cell("mentors", "M2", "capacity", "-1"),
        [("mentors.csv", "row 3", "column 'capacity'", "'-1'")],
    ),
    "unreadable slot": (
        _cell("mentees", "E1", "availability", "lundi soir"),
        [("mentees.csv", "row 2", "column 'availability'", "'lundi soir'")],
    ),
    "unknown region": (
        _cell("mentors", "M3", "region", "Atlantis"),
        [("mentors.csv", "row 4", "column 'region'", "'Atlantis'")],
    ),
    "exclude names a missing id": (
        _cell("mentees", "E2", "exclude", "M99"),
        [("mentees.csv", "row 3", "column 'exclude'", "'M99'")],
    ),
    "missing id column": (_missing_id, [("mentees.csv", "row 1", "'id'")]),
    "non-numeric lat": (
        _cell("mentors", "M1", "lat", "quarante-six"),
        [("mentors.csv", "row 2", "column 'lat'", "'quarante-six'")],
    ),
    "bad language": (
        _cell("mentees", "E3", "languages", "klingon"),
        [("mentees.csv", "row 4", "column 'languages'", "'klingon'")],
    ),
    "mentee capacity 0": (
        _cell("mentees", "E2", "capacity", "0"),
        [("mentees.csv", "row 3", "column 'capacity'", "'0'", ">= 1")],
    ),
    "bad format": (
        _cell("mentors", "M2", "formats", "hologramme"),
        [("mentors.csv", "row 3", "column 'formats'", "'hologramme'")],
    ),
    "empty file": (_empty, [("mentors.csv", "row 1", "'id'")]),
    "program.toml syntax": (
        _set_toml('[program]\nname = "x"\nmin_score = \n'),
        [("program.toml", "line 3", "column")],
    ),
    # a TOML key has no row: the key path is its location
    "program.toml negative weight": (
        _set_toml("[criteria.specialty]\nweight = -2\n"),
        [("program.toml", "key 'criteria.specialty.weight'", "'-2'")],
    ),
    "program.toml unknown criterion": (
        _set_toml("[criteria.charisma]\nweight = 1\n"),
        [("program.toml", "key 'criteria'", "'charisma'")],
    ),
    "several problems in one file": (
        _several,
        [
            ("4 problems found",),
            ("mentors.csv", "row 2", "column 'languages'", "'klingon'"),
            ("mentors.csv", "row 3", "column 'capacity'", "'-1'"),
            ("mentors.csv", "row 4", "column 'availability'", "'lundi soir'"),
            ("mentors.csv", "row 5", "column 'id'", "'M2'", "duplicate"),
        ],
    ),
    "problems in both files": (
        _both_files,
        [
            ("3 problems found",),
            ("mentors.csv", "row 3", "column 'capacity'", "'-3'"),
            ("mentees.csv", "row 4", "column 'languages'", "'klingon'"),
            ("mentees.csv", "row 5", "column 'formats'", "'hologramme'"),
        ],
    ),
    "cell and cross-file problems": (
        _cell_and_cross_file,
        [
            ("mentors.csv", "row 2", "column 'capacity'", "'-1'"),
            ("mentors.csv", "row 4", "column 'region'", "'Atlantis'"),
            ("mentees.csv", "row 3", "column 'exclude'", "'M99'"),
        ],
    ),
}
MALFORMED_XFAIL: dict[str, str] = {}


@pytest.fixture(scope="module")
def malformed_runs(cli, tmp_path_factory):
    def setup_for(edit):
        def setup(cwd):
            program = cli.small_program()
            edit(program)
            program.write(cwd / "prog")
            return ("match", "prog", "-o", "out")

        return setup

    return cli.run_batch(
        tmp_path_factory, {name: setup_for(edit) for name, (edit, _) in MALFORMED.items()}
    )


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=MALFORMED_XFAIL[name], strict=True))
        if name in MALFORMED_XFAIL
        else name
        for name in MALFORMED
    ],
)
def test_malformed_input_exit_2(malformed_runs, case):
    cwd, run = malformed_runs[case]
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("matcher: error:")
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert_no_output(cwd)
    assert_lines(run.stderr, *MALFORMED[case][1])


# --- pinned pairs ---------------------------------------------------------------------------


def _setup_pins(cli, text):
    def setup(cwd):
        cli.small_program().write(cwd / "prog")
        (cwd / "pins.csv").write_text(text, encoding="utf-8")
        return ("match", "prog", "-o", "out", "--pinned", "pins.csv")

    return setup


@pytest.fixture(scope="module")
def pinned_runs(cli, tmp_path_factory):
    return cli.run_batch(
        tmp_path_factory,
        {
            # M2 has capacity 1; E4 speaks only Spanish, M1 French and English
            "beyond capacity": _setup_pins(
                cli, "mentee_id,mentor_id\r\nE2,M2\r\nE4,M2\r\nE4,M1\r\n"
            ),
            "kept": _setup_pins(cli, "mentee_id,mentor_id\nE2,M1\n"),
            "unknown id": _setup_pins(cli, "mentee_id,mentor_id\n\nE99,M1\n"),
        },
    )


def test_pinned_pairs_beyond_capacity_exit_3(pinned_runs):
    cwd, run = pinned_runs["beyond capacity"]
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert_lines(
        run.stderr,
        ("'M2'", "2 pinned mentees", "capacity 1"),
        ("'E4'", "'M1'", "language"),
    )
    assert_no_output(cwd)


def test_pinned_pair_is_kept(cli, pinned_runs):
    cwd, run = pinned_runs["kept"]
    assert run.returncode == 0, run.stderr
    _, pairs, _, _, summary = load_outputs(cli, cwd / "out")
    keys = pair_set(pairs)
    assert ("E2", "M1") in keys
    assert sum(1 for _, mentor in keys if mentor == "M1") <= 2
    assert summary["inputs"]["pins.csv"] == sha256(cwd / "pins.csv")


def test_pinned_unknown_id_names_the_file(pinned_runs):
    cwd, run = pinned_runs["unknown id"]
    assert run.returncode == 2
    assert_no_output(cwd)
    assert_lines(run.stderr, ("pins.csv", "row 3", "'E99'"))


# --- validate -------------------------------------------------------------------------------


def _setup_validate_files(cli, edit=None, edges="E1,M1,0.5\n", caps="M1,2\n", toml=None):
    def setup(cwd):
        program = cli.small_program()
        if edit is not None:
            edit(program)
        if toml is not None:
            program.toml = toml
        prog = program.write(cwd / "prog")
        (cwd / "edges.csv").write_text("mentee_id,mentor_id,score\n" + edges)
        (cwd / "caps.csv").write_text("id,capacity\n" + caps)
        return (
            "validate",
            prog / "program.toml",
            prog / "mentors.csv",
            prog / "mentees.csv",
            "edges.csv",
            "caps.csv",
        )

    return setup


def _bad_cells(p):
    p.set("mentors", "M1", "languages", "klingon")
    p.set("mentors", "M3", "capacity", "-2")
    p.set("mentees", "E1", "availability", "lundi soir")


def _setup_validate_folder(cli, edit=None):
    def setup(cwd):
        program = cli.small_program()
        if edit is not None:
            edit(program)
        program.write(cwd / "prog")
        return ("validate", "prog")

    return setup


@pytest.fixture(scope="module")
def validate_runs(cli, tmp_path_factory):
    return cli.run_batch(
        tmp_path_factory,
        {
            "good folder": _setup_validate_folder(cli),
            "good files": _setup_validate_files(cli),
            "bad files": _setup_validate_files(
                cli,
                _bad_cells,
                edges="E1,M1,abc\nE1,M1,0.2\n",
                caps="M1,-4\n",
                toml="[criteria.specialty]\nweight = -1\n",
            ),
            "bad folder": _setup_validate_folder(
                cli,
                lambda p: (
                    p.set("mentors", "M3", "region", "Atlantis"),
                    p.set("mentees", "E2", "exclude", "M99"),
                ),
            ),
        },
    )


def test_validate_good_folder(validate_runs):
    _, run = validate_runs["good folder"]
    assert run.returncode == 0, run.stderr
    assert "3 mentors" in run.stdout and "4 mentees" in run.stdout
    assert run.stderr == ""


def test_validate_good_files(validate_runs):
    _, run = validate_runs["good files"]
    assert run.returncode == 0, run.stderr
    assert "is not checked" not in run.stderr  # program.toml was named
    for fragment in ("program.toml", "3 mentors", "4 mentees", "1 scored pair OK", "1 capacity OK"):
        assert fragment in run.stdout


def test_validate_files_says_a_program_toml_beside_them_is_not_used(cli, tmp_path):
    _setup_validate_folder(cli)(tmp_path)
    run = cli.run("validate", "prog/mentors.csv", "prog/mentees.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "program.toml is not checked with these files unless named" in run.stderr


def test_validate_lists_every_problem_in_every_file(validate_runs):
    _, run = validate_runs["bad files"]
    assert run.returncode == 2
    assert_lines(
        run.stderr,
        ("6 problems found",),
        ("program.toml", "criteria.specialty.weight", "'-1'"),
        ("mentors.csv", "row 2", "column 'languages'", "'klingon'"),
        ("mentors.csv", "row 4", "column 'capacity'", "'-2'"),
        ("mentees.csv", "row 2", "column 'availability'", "'lundi soir'"),
        ("edges.csv", "row 2", "column 'score'", "'abc'"),
        ("caps.csv", "row 2", "column 'capacity'", "'-4'"),
    )
    assert run.stdout == ""


def test_validate_folder_runs_the_cross_file_checks(validate_runs):
    _, run = validate_runs["bad folder"]
    assert run.returncode == 2
    assert_lines(
        run.stderr,
        ("2 problems found",),
        ("mentors.csv", "row 4", "column 'region'", "'Atlantis'"),
        ("mentees.csv", "row 3", "column 'exclude'", "'M99'"),
    )


# --- solve ----------------------------------------------------------------------------------


def brute_force(edges: dict[tuple[str, str], float], caps: dict[str, int]) -> tuple[int, float]:
    """Best (mentees matched, total score) over every assignment of one mentor or none."""
    mentees = sorted({e for e, _ in edges})
    options = [[None, *sorted(m for (e2, m) in edges if e2 == e)] for e in mentees]
    best = (0, 0.0)
    for choice in itertools.product(*options):
        load: dict[str, int] = {}
        for m in choice:
            if m is not None:
                load[m] = load.get(m, 0) + 1
        if any(n > caps.get(m, 1) for m, n in load.items()):
            continue
        chosen = [(e, m) for e, m in zip(mentees, choice, strict=True) if m is not None]
        value = (len(chosen), sum(edges[p] for p in chosen))
        if value[0] > best[0] or (value[0] == best[0] and value[1] > best[1] + 1e-12):
            best = value
    return best


def _trap_instance():
    # picking a-x (0.9, the best score) leaves b without a mentor; covering more mentees comes first
    edges = {
        ("a", "x"): 0.9, ("b", "x"): 0.8, ("a", "y"): 0.05, ("c", "x"): 0.6,
        ("c", "z"): 0.3, ("d", "y"): 0.7, ("d", "z"): 0.65, ("e", "z"): 0.2,
    }  # fmt: skip
    return edges, {"x": 1, "y": 1, "z": 1}


def _random_instance():
    rng = random.Random(20260112)
    mentees = [f"e{k}" for k in range(6)]
    mentors = ["w", "x", "y", "z"]
    edges = {
        (e, m): round(rng.uniform(-0.2, 1.0), 3)
        for e in mentees
        for m in mentors
        if rng.random() < 0.6
    }
    return edges, {"w": 0, "x": 2, "y": 1, "z": 2, "idle": 3}  # "idle" has no edge at all


INSTANCES = {"trap": _trap_instance, "random": _random_instance}


def _setup_solve(cli, instance):
    def setup(cwd):
        edges, caps = instance()
        rows = [[e, m, str(s)] for (e, m), s in edges.items()]
        (cwd / "edges.csv").write_text(cli.csv_text(["mentee_id", "mentor_id", "score"], rows))
        caps_rows = [[m, str(c)] for m, c in caps.items()]
        (cwd / "caps.csv").write_text(cli.csv_text(["id", "capacity"], caps_rows))
        return ("solve", "edges.csv", "--capacities", "caps.csv", "-o", "out")

    return setup


def _setup_solve_text(edges, caps=None):
    def setup(cwd):
        (cwd / "edges.csv").write_text(edges)
        if caps is None:
            return ("solve", "edges.csv", "-o", "out")
        (cwd / "caps.csv").write_text(caps)
        return ("solve", "edges.csv", "--capacities", "caps.csv", "-o", "out")

    return setup


@pytest.fixture(scope="module")
def solve_runs(cli, tmp_path_factory):
    cases = {name: _setup_solve(cli, instance) for name, instance in INSTANCES.items()}
    cases["malformed edges"] = _setup_solve_text(
        "mentee_id,mentor_id,score\r\na,x,0.5\r\na,y,beaucoup\r\nb,x,0.3\r\nb,x,0.2\r\n"
    )
    cases["missing column"] = _setup_solve_text("mentee,mentor_id,score\na,x,1\n")
    cases["bad capacities"] = _setup_solve_text(
        "mentee_id,mentor_id,score\na,x,1\n", "id,capacity\nx,-1\n"
    )
    return cli.run_batch(tmp_path_factory, cases)


@pytest.mark.parametrize("name", INSTANCES)
def test_solve_reaches_the_brute_force_optimum(cli, solve_runs, name):
    cwd, run = solve_runs[name]
    assert run.returncode == 0, run.stderr
    edges, caps = INSTANCES[name]()
    _, pairs, _, unmatched, summary = load_outputs(cli, cwd / "out")

    best_count, best_total = brute_force(edges, caps)
    assert summary["matched"] == best_count
    assert summary["objective"] == pytest.approx(best_total, abs=1e-6)
    # the pairs themselves: allowed, scored as given, within capacity, each mentee once
    load: dict[str, int] = {}
    for p in pairs:
        key = (p["mentee_id"], p["mentor_id"])
        assert key in edges
        assert float(p["score"]) == pytest.approx(edges[key], abs=5e-5)
        load[key[1]] = load.get(key[1], 0) + 1
    assert all(n <= caps[m] for m, n in load.items())
    assert len({p["mentee_id"] for p in pairs}) == len(pairs)
    assert sum(edges[key] for key in pair_set(pairs)) == pytest.approx(best_total)
    # everyone accounted for, mentors without edges included
    everyone = {e for e, _ in edges} | set(caps)
    listed = {p["mentee_id"] for p in pairs} | {p["mentor_id"] for p in pairs}
    assert listed | {u["id"] for u in unmatched} == everyone
    assert not listed & {u["id"] for u in unmatched}
    assert summary["inputs"] == {
        "edges.csv": sha256(cwd / "edges.csv"),
        "caps.csv": sha256(cwd / "caps.csv"),
    }


def test_solve_malformed_edges_exit_2(solve_runs):
    cwd, run = solve_runs["malformed edges"]
    assert run.returncode == 2
    assert_lines(
        run.stderr,
        ("2 problems found",),
        ("edges.csv", "row 3", "column 'score'", "'beaucoup'"),
        ("edges.csv", "row 5", "column 'mentor_id'", "duplicate"),
    )
    assert_no_output(cwd)


def test_solve_edges_missing_column_exit_2(solve_runs):
    cwd, run = solve_runs["missing column"]
    assert run.returncode == 2
    assert_lines(run.stderr, ("edges.csv", "row 1", "mentee_id"))
    assert_no_output(cwd)


def test_solve_bad_capacities_exit_2(solve_runs):
    cwd, run = solve_runs["bad capacities"]
    assert run.returncode == 2
    assert_lines(run.stderr, ("caps.csv", "row 2", "column 'capacity'", "'-1'"))
    assert_no_output(cwd)


# --- help and usage errors ------------------------------------------------------------------

HELP = {
    "matcher": ([], ["match", "suggest", "solve", "scenario", "validate", "exit codes"]),
    "match": (["match"], ["PROGRAM_DIR", "pairs.csv", "unmatched.csv", "summary.json",
                          "report.html", "--excel", "--delimiter", "--seed", "--pinned",
                          "exit codes"]),
    "suggest": (["suggest"], ["PROGRAM_DIR", "--top", "suggestions.csv", "unmatched.csv",
                              "summary.json", "exit codes"]),
    "solve": (["solve"], ["EDGES.csv", "CAPS.csv", "pairs.csv", "unmatched.csv", "summary.json",
                          "--method", "exit codes"]),
    "scenario": (["scenario"], ["NAME", "synthetic", "mentors.csv", "mentees.csv",
                                "program.toml", "exit codes"]),
    "validate": (["validate"], ["every problem", "row", "column", "exit codes"]),
}  # fmt: skip
HELP_XFAIL: dict[str, str] = {}


@pytest.fixture(scope="module")
def quick_runs(cli, tmp_path_factory):
    def args(*values):
        return lambda cwd: values

    def bad_delimiter(cwd):
        cli.small_program().write(cwd / "prog")
        return ("match", "prog", "-o", "out", "--delimiter", "|")

    cases = {name: args(*command, "--help") for name, (command, _) in HELP.items()}
    cases |= {
        "no command": args(),
        "bad --delimiter": bad_delimiter,
        "missing program folder": args("match", "nowhere", "-o", "out"),
        "validate a missing file": args("validate", "mentors.csv"),
    }
    return cli.run_batch(tmp_path_factory, cases)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=HELP_XFAIL[name], strict=True))
        if name in HELP_XFAIL
        else name
        for name in HELP
    ],
)
def test_help(quick_runs, command):
    _, run = quick_runs[command]
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())  # argparse wraps lines
    for fragment in HELP[command][1]:
        assert fragment in text, fragment


def test_suggest_help_does_not_promise_pairs_csv(quick_runs):
    _, run = quick_runs["suggest"]
    assert run.returncode == 0
    assert "pairs.csv" not in run.stdout


def test_no_command_is_a_usage_error(quick_runs):
    _, run = quick_runs["no command"]
    assert run.returncode == 2
    assert "match" in run.stdout


def test_bad_delimiter_option_is_a_usage_error(quick_runs):
    cwd, run = quick_runs["bad --delimiter"]
    assert run.returncode == 2
    assert "--delimiter" in run.stderr
    assert_no_output(cwd)


def test_missing_program_folder(quick_runs):
    cwd, run = quick_runs["missing program folder"]
    assert run.returncode == 2
    assert_lines(run.stderr, ("nowhere", "not found"))
    assert_no_output(cwd)


def test_validate_missing_file(quick_runs):
    _, run = quick_runs["validate a missing file"]
    assert run.returncode == 2
    assert_lines(run.stderr, ("mentors.csv", "not found"))
