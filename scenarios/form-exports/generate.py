"""Generate the form-exports example: mentors as a REDCap raw export (mentors.csv) and mentees
as a Microsoft Forms workbook (mentees.xlsx), exactly as those tools write them.

All data is synthetic.  Run: python generate.py [--seed 13] (needs XlsxWriter, a dependency of
matcher).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent

# REDCap codes (the data dictionary's choices), mapped in program.toml [values]
PROFESSIONS = {"1": "Family physician", "2": "Nurse", "3": "Pharmacist", "4": "Social worker",
               "5": "Nurse practitioner"}  # fmt: skip
AREAS = {"1": "Chronic pain", "2": "Substance use", "3": "Mental health", "4": "Opioid tapering",
         "5": "Harm reduction", "6": "Compassion fatigue"}  # fmt: skip
FORMATS = {"1": "In person", "2": "Video call", "3": "Phone"}
PROVINCES = ("NB", "NS", "PE", "NL")
SLOTS = ("mon 12:00-13:00", "tue 18:00-20:00", "wed 12:00-13:00", "thu 19:00-21:00",
         "fri 07:30-08:30", "sat 10:00-12:00")  # fmt: skip


def mentors(rng: Random, n: int) -> tuple[list[str], list[list[str]]]:
    header = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance", "prof"]
    header += [f"spec___{c}" for c in AREAS] + ["lang___en", "lang___fr"]
    header += [f"fmt___{c}" for c in FORMATS]
    header += ["prov", "slots", "cap", "yrs", "mentor_profile_complete"]
    rows = []
    for k in range(1, n + 1):
        areas = set(rng.sample(sorted(AREAS), rng.randint(2, 4)))
        french = rng.random() < 0.3
        formats = (
            {"2"}
            | ({"1"} if rng.random() < 0.5 else set())
            | ({"3"} if rng.random() < 0.4 else set())
        )
        row = [str(k), "", "", rng.choice(sorted(PROFESSIONS))]
        row += ["1" if c in areas else "0" for c in AREAS]
        row += ["1" if not french or rng.random() < 0.7 else "0", "1" if french else "0"]
        row += ["1" if c in formats else "0" for c in FORMATS]
        row += [rng.choice(PROVINCES), "|".join(sorted(rng.sample(SLOTS, rng.randint(1, 3))))]
        row += [str(rng.randint(1, 3)), str(rng.randint(8, 30)), "2"]
        rows.append(row)
        if k % 7 == 0:  # a repeating check-in instrument: not a profile, left out when read
            rows.append([str(k), "check_in", "1", *[""] * (len(header) - 4)])
            rows[-1][-1] = "2"
    return header, rows


QUESTIONS = [
    "ID", "Start time", "Completion time", "Email", "Name",
    "What is your profession?", "Which areas would you like help with?",
    "Which languages can you be mentored in?", "How would you like to meet?",
    "Province", "When are you free? (e.g. mon 18:00-20:00)", "Years in practice",
]  # fmt: skip


def mentees(rng: Random, n: int) -> list[list[object]]:
    start = dt.datetime(2026, 1, 5, 9, 0)
    rows: list[list[object]] = []
    for k in range(1, n + 1):
        began = start + dt.timedelta(hours=7 * k + rng.randint(0, 5))
        done = began + dt.timedelta(minutes=rng.randint(3, 12))
        french = rng.random() < 0.25
        languages = (
            "French;"
            if french and rng.random() < 0.6
            else ("English;French;" if french else "English;")
        )
        areas = rng.sample(sorted(AREAS), rng.randint(1, 2))
        formats = ["Video call"] + (["In person"] if rng.random() < 0.4 else [])
        rows.append([
            k, began, done, "anonymous", "",
            PROFESSIONS[rng.choice(sorted(PROFESSIONS))],
            "".join(AREAS[a] + ";" for a in areas),
            languages,
            "".join(f + ";" for f in formats),
            rng.choice(PROVINCES),
            "|".join(sorted(rng.sample(SLOTS, rng.randint(1, 2)))),
            rng.randint(0, 6),
        ])  # fmt: skip
    return rows


def write_workbook(path: Path, rows: list[list[object]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2026, 1, 1)})
    sheet = book.add_worksheet("Sheet1")  # Microsoft Forms' own sheet name
    when = book.add_format({"num_format": "m/d/yy h:mm:ss"})
    sheet.write_row(0, 0, QUESTIONS)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, when)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, str(value))
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    rng = Random(args.seed)
    header, rows = mentors(rng, 24)
    with (args.out / "mentors.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    write_workbook(args.out / "mentees.xlsx", mentees(rng, 60))


if __name__ == "__main__":
    main()
