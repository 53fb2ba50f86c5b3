"""Form-tool exports read as they come: fixtures built to each tool's documented format.

- REDCap: raw export (``field___code`` checkbox columns of 0/1, ``redcap_*`` columns, a
  repeating instrument's rows) and label export (``Label (choice=Choice)`` headers,
  ``Checked``/``Unchecked`` cells, ``Record ID``, ``Event Name``, ``Complete?``).
- Microsoft Forms: the .xlsx it downloads (``ID``, ``Start time``, ``Completion time``,
  ``Email``, ``Name``, then one column per question; multi-choice cells ``A;B;``).
- Google Forms: the CSV it downloads (``Timestamp`` first; multi-choice cells ``A, B``).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

import matcher
from matcher.io import load_participants, load_program
from matcher.io._forms import detect_tool

REPO = Path(__file__).resolve().parents[2]

REDCAP_RAW = """record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,\
prof,areas___1,areas___2,areas___3,lang___en,lang___fr,fmt___1,fmt___2,profile_complete
1,intake_arm_1,,,2,1,0,1,1,0,0,1,2
2,intake_arm_1,,,1,0,1,0,1,1,1,1,2
2,intake_arm_1,check_in,1,,,,,,,,,0
3,intake_arm_1,,,1,0,0,0,0,1,0,1,1
"""

REDCAP_LABEL = """Record ID,Event Name,Profession,Areas (choice=Chronic pain),\
Areas (choice=Substance use),Areas (choice=Opioid tapering),Languages (choice=English),\
Languages (choice=French),Complete?
E1,Intake,Nurse,Checked,Unchecked,Checked,Checked,Unchecked,Complete
E2,Intake,Pharmacist,Unchecked,Checked,Unchecked,Unchecked,Checked,Incomplete
"""

CONFIG = {
    "columns": {"prof": "profession", "areas": "specialties", "lang": "languages",
                "fmt": "formats"},
    "values": {
        "profession": {"1": "family_physician", "2": "nurse"},
        "specialties": {"1": "chronic_pain", "2": "substance_use", "3": "opioid_tapering"},
        "formats": {"1": "in_person", "2": "virtual"},
    },
}  # fmt: skip


def test_the_tools_are_told_apart() -> None:
    assert detect_tool(["record_id", "areas___1"]) == "redcap"
    assert detect_tool(["Record ID", "Areas (choice=Chronic pain)"]) == "redcap"
    assert detect_tool(["ID", "Start time", "Completion time", "Email"]) == "msforms"
    assert detect_tool(["Timestamp", "Languages"]) == "google"
    assert detect_tool(["id", "languages"]) is None


def test_redcap_raw_export(tmp_path: Path) -> None:
    path = tmp_path / "mentors.csv"
    path.write_text(REDCAP_RAW, encoding="utf-8")
    got = load_participants(path, "mentor", matcher.ProgramConfig(**CONFIG))
    people = {p.id: p for p in got.participants}
    assert list(people) == ["1", "2", "3"]  # the check-in row is not a profile
    assert people["1"].profession == "nurse"
    assert people["1"].specialties == ("chronic_pain", "opioid_tapering")
    assert people["2"].languages == ("en", "fr")
    assert people["2"].formats == ("in_person", "virtual")
    assert people["3"].specialties == ()
    assert people["1"].extra["redcap_event_name"] == "intake_arm_1"
    assert "profile_complete" in got.extra_columns
    assert got.rows["3"] == 5  # the file's own row number


def test_redcap_label_export(tmp_path: Path) -> None:
    path = tmp_path / "mentees.csv"
    path.write_text(REDCAP_LABEL, encoding="utf-8")
    got = load_participants(path, "mentee", matcher.ProgramConfig())
    people = {p.id: p for p in got.participants}
    assert people["E1"].specialties == ("chronic_pain", "opioid_tapering")
    assert people["E1"].languages == ("en",)
    assert people["E2"].languages == ("fr",)
    assert people["E2"].specialties == ("substance_use",)
    assert people["E2"].extra["Complete?"] == "Incomplete"


def test_redcap_raw_checkbox_columns_may_hold_labels(tmp_path: Path) -> None:
    path = tmp_path / "mentees.csv"
    path.write_text("record_id,languages___1,languages___2\n1,English,\n2,Unchecked,French\n")
    got = load_participants(path, "mentee")
    assert [p.languages for p in got.participants] == [("en",), ("fr",)]


def _ms_forms(path: Path) -> Path:
    import datetime as dt

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["ID", "Start time", "Completion time", "Email", "Name",
                        "Which languages?", "Areas you want help with", "Meeting"])  # fmt: skip
    date = book.add_format({"num_format": "m/d/yy h:mm:ss"})
    for r, (langs, areas, meet) in enumerate(
        [("English;French;", "Chronic pain;Harm reduction;", "Video call;"),
         ("French;", "Sleep;", "Video call;In person;")], start=1,
    ):  # fmt: skip
        ws.write_number(r, 0, r)
        ws.write_datetime(r, 1, dt.datetime(2026, 1, r, 9), date)
        ws.write_datetime(r, 2, dt.datetime(2026, 1, r, 9, 5), date)
        ws.write_string(r, 3, f"person{r}@example.org")
        ws.write_row(r, 5, [langs, areas, meet])
    book.close()
    return path


MS_CONFIG = {
    "columns": {"Which languages?": "languages", "Areas you want help with": "specialties",
                "Meeting": "formats"},
    "values": {"formats": {"Video call": "virtual"}},
}  # fmt: skip


def test_microsoft_forms_workbook(tmp_path: Path) -> None:
    got = load_participants(_ms_forms(tmp_path / "mentees.xlsx"), "mentee",
                            matcher.ProgramConfig(**MS_CONFIG))  # fmt: skip
    one, two = got.participants
    assert (one.id, two.id) == ("1", "2")  # Forms' ID is the person's id
    assert one.languages == ("en", "fr")
    assert one.specialties == ("chronic_pain", "harm_reduction")
    assert two.formats == ("virtual", "in_person")
    assert one.extra["Start time"].startswith("2026-01-01T09:00")
    assert one.extra["Email"] == "person1@example.org"


def test_microsoft_forms_id_yields_to_a_mapped_id(tmp_path: Path) -> None:
    cfg = matcher.ProgramConfig(**{**MS_CONFIG, "columns": {**MS_CONFIG["columns"], "Email": "id"}})
    got = load_participants(_ms_forms(tmp_path / "mentees.xlsx"), "mentee", cfg)
    assert [p.id for p in got.participants] == ["person1@example.org", "person2@example.org"]
    assert "ID (Microsoft Forms)" in got.extra_columns


GOOGLE = """Timestamp,Email Address,id,Languages,Formats,Areas
2026/01/05 9:14:03 AM AST,a@example.org,g1,"English, French","Virtual, Phone","Chronic pain, Harm reduction"
2026/01/05 9:20:41 AM AST,b@example.org,g2,French,Virtual,Substance use
"""  # noqa: E501


def test_google_forms_csv(tmp_path: Path) -> None:
    path = tmp_path / "mentees.csv"
    path.write_text(GOOGLE, encoding="utf-8")
    got = load_participants(path, "mentee")
    one, two = got.participants
    assert one.languages == ("en", "fr")
    assert one.formats == ("virtual", "phone")
    assert one.specialties == ("chronic_pain", "harm_reduction")
    assert two.specialties == ("substance_use",)
    assert one.extra["Timestamp"].startswith("2026/01/05")


def test_a_bad_value_is_located_and_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "mentees.csv"
    path.write_text(GOOGLE.replace('"Virtual, Phone"', '"Virtual, Pigeon"'), encoding="utf-8")
    with pytest.raises(matcher.InvalidInputError) as caught:
        load_participants(path, "mentee")
    text = str(caught.value)
    assert "mentees.csv, row 2, column 'Formats'" in text
    assert "'Virtual, Pigeon'" in text


def test_unknown_vocabulary_is_warned_with_counts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("id,languages,specialties,profession\nm1,en,chronic_pain,nurse\n")
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(
        "id,languages,specialties,profession\n"
        "e1,en,chronic_pain|sleeep,nurse\ne2,en,sleeep,nurse\ne3,en,chronic_pain,astronaut\n"
    )
    with caplog.at_level(logging.WARNING, logger="matcher"):
        load_program(mentors, mentees, matcher.ProgramConfig())
    text = caplog.text  # counts only: profile values never go to a log
    assert "1 unknown specialties value given by 2 people" in text
    assert "1 unknown profession value given by 1 person" in text
    assert "sleeep" not in text and "astronaut" not in text
    shown = subprocess.run(
        [sys.executable, "-m", "matcher", "validate", mentors, mentees],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 0
    assert "'sleeep' (2)" in shown.stderr  # validate lists them to the person who ran it
    assert "'astronaut' (1)" in shown.stderr
    assert "chronic_pain" not in shown.stderr


def test_the_shipped_example_matches_as_exported(tmp_path: Path) -> None:
    got = subprocess.run(
        [sys.executable, "-m", "matcher", "match", REPO / "scenarios" / "form-exports",
         "-o", tmp_path / "out", "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    assert "unknown" not in got.stderr
    summary = (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    assert '"mentees.xlsx"' in summary and '"mentors.csv"' in summary
