"""Profiles from CSV files, DataFrames and lists: parsing, header mapping and located problems."""

from __future__ import annotations

import pandas as pd
import pytest

import matcher
from matcher import io as mio
from matcher.profiles import ProgramConfig

CANONICAL_HEADER = [
    "id",
    "profession",
    "specialties",
    "lived_experience",
    "consent_lived_experience",
    "region",
    "lat",
    "lon",
    "timezone",
    "languages",
    "availability",
    "formats",
    "group_formats",
    "capacity",
    "years_experience",
    "career_stage",
    "organization",
    "gender",
    "gender_preference",
    "exclude",
    "preferences",
    "cohort",
]
CANONICAL_ROW = [
    "M1",
    "Nurse Practitioner",
    "chronic_pain|Substance Use",
    "burnout",
    "yes",
    "New Brunswick",
    "46.09",
    "-64.78",
    "America/Moncton",
    "fr|English",
    "mon 18:00-20:00|wed 12:00-13:30",
    "virtual|in person",
    "one_to_one|small group",
    "3",
    "12",
    "mid",
    "Horizon Health Network",
    "woman",
    "",
    "E9",
    "E1|E2",
    "2026-spring",
]


def _load(write_rows, name, header, rows, role, config=None, **kw):
    return mio.load_participants(write_rows(name, header, rows, **kw), role, config)


def test_canonical_columns_parse_into_fields(write_rows):
    people = _load(write_rows, "mentors.csv", CANONICAL_HEADER, [CANONICAL_ROW], "mentor")
    [p] = people.participants
    assert p.id == "M1"
    assert p.role == "mentor"
    assert p.profession == "nurse_practitioner"
    assert p.specialties == ("chronic_pain", "substance_use")
    assert p.lived_experience == ("burnout",)
    assert p.consent_lived_experience is True
    assert p.region == "NB"
    assert (p.lat, p.lon) == (46.09, -64.78)
    assert p.timezone == "America/Moncton"
    assert p.languages == ("fr", "en")
    assert [(s.day, s.start, s.end) for s in p.availability.slots] == [
        (0, 1080, 1200),
        (2, 720, 810),
    ]
    assert p.formats == ("virtual", "in_person")
    assert p.group_formats == ("one_to_one", "small_group")
    assert p.capacity == 3
    assert p.years_experience == 12
    assert p.career_stage == "mid"
    assert p.organization == "Horizon Health Network"
    assert p.gender == "woman"
    assert p.gender_preference is None
    assert p.exclude == ("E9",)
    assert p.preferences == ("E1", "E2")
    assert p.extra == {"cohort": "2026-spring"}
    assert people.rows == {"M1": 2}
    assert people.extra_columns == ["cohort"]
    assert people.columns["languages"] == "languages"


def test_empty_optional_cells_give_defaults(write_rows):
    people = _load(
        write_rows,
        "mentees.csv",
        ["id", "capacity", "languages", "lat", "lon"],
        [["E1", "", "", "", ""]],
        "mentee",
    )
    [p] = people.participants
    assert p.role == "mentee"
    assert p.capacity == 1
    assert p.languages == ()
    assert p.lat is None and p.lon is None
    assert p.availability.slots == ()


def test_french_headers_and_values(write_rows):
    header = [
        "Identifiant",
        "Langues",
        "Région",
        "Modalités",
        "Disponibilités",
        "Capacité",
        "Consentement",
        "Organisme",
    ]
    rows = [
        [
            "M-01",
            "français|anglais",
            "Nouveau-Brunswick",
            "virtuel|en personne|téléphone",
            "lun 12h-13h30|mer-ven 18h-20h",
            "2",
            "oui",
            "Réseau de santé Vitalité",
        ],
        ["M-02", "Anglais", "Nouvelle-Écosse", "visio", "mar 7h30-8h30", "1", "non", ""],
    ]
    people = _load(write_rows, "mentors.csv", header, rows, "mentor", delimiter=";")
    m1, m2 = people.participants
    assert m1.languages == ("fr", "en")
    assert m1.region == "NB"
    assert m1.formats == ("virtual", "in_person", "phone")
    assert [(s.day, s.start, s.end) for s in m1.availability.slots] == [
        (0, 720, 810),
        (2, 1080, 1200),
        (3, 1080, 1200),
        (4, 1080, 1200),
    ]
    assert m1.capacity == 2
    assert m1.consent_lived_experience is True
    assert m1.organization == "Réseau de santé Vitalité"
    assert (m2.languages, m2.region, m2.formats) == (("en",), "NS", ("virtual",))
    assert [(s.day, s.start, s.end) for s in m2.availability.slots] == [(1, 450, 510)]
    assert m2.consent_lived_experience is False
    assert people.columns["languages"] == "Langues"
    assert people.extra_columns == []


def test_problems_name_the_header_as_written(write_rows, find_problem):
    path = write_rows("mentors.csv", ["Identifiant", "Langues"], [["M1", "klingon"]], delimiter=";")
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor")
    problem = find_problem(info.value, file="mentors.csv", row=2, column="Langues", value="klingon")
    assert "language" in problem.expected


def test_columns_mapping_from_config(write_rows):
    config = ProgramConfig(
        columns={
            "Record ID": "id",
            "Numéro de membre": "id",  # absent from this file: ignored
            "Langue(s) parlée(s)": "languages",
            "Où pratiquez-vous?": "region",
            "Combien de mentorés?": "capacity",
        }
    )
    header = [
        "Record ID",
        "Langue(s) parlée(s)",
        "Où pratiquez-vous?",
        "Combien de mentorés?",
        "Courriel",
    ]
    rows = [["17", "français", "Québec", "4", "x@example.org"]]
    people = _load(write_rows, "mentors.csv", header, rows, "mentor", config)
    [p] = people.participants
    assert (p.id, p.languages, p.region, p.capacity) == ("17", ("fr",), "QC", 4)
    assert p.extra == {"Courriel": "x@example.org"}
    assert people.columns == {
        "id": "Record ID",
        "languages": "Langue(s) parlée(s)",
        "region": "Où pratiquez-vous?",
        "capacity": "Combien de mentorés?",
    }


def test_columns_mapping_is_accent_and_case_insensitive(write_rows):
    config = ProgramConfig(columns={"NUMERO DE MEMBRE": "id"})
    people = _load(write_rows, "m.csv", ["Numéro de membre"], [["7"]], "mentor", config)
    assert [p.id for p in people.participants] == ["7"]


def test_mapping_to_an_unknown_column_is_a_problem(write_rows, find_problem):
    config = ProgramConfig(columns={"Langues parlées": "langs"})
    path = write_rows("m.csv", ["id", "Langues parlées"], [["1", "fr"]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor", config)
    problem = find_problem(info.value, file="m.csv", row=1, column="Langues parlées")
    assert "langs" in problem.message


def test_two_headers_meaning_the_same_column(write_rows, find_problem):
    path = write_rows("m.csv", ["id", "langues", "languages"], [["1", "fr", "en"]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor")
    problem = find_problem(info.value, file="m.csv", row=1, column="languages")
    assert "languages" in problem.message


def test_an_alias_beside_its_canonical_column_says_how_to_keep_both(write_rows, find_problem):
    header = ["id", "region", "Province"]
    path = write_rows("mentees.csv", header, [["E1", "NB", "New Brunswick"]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentee")
    problem = find_problem(info.value, file="mentees.csv", row=1, column="Province")
    assert str(problem) == (
        "mentees.csv, row 1, column 'Province': 'Province' is read as the canonical column "
        "'region' (as are the headers 'region', 'région', 'province'), and so is 'region', "
        "expected one "
        "column for 'region'; to keep both, rename 'Province' in the file (e.g. 'home_province'), "
        'or add "Province" = "Province" under [columns] in program.toml to pass it through as it is'
    )


def test_a_header_mapped_to_itself_passes_through(write_rows):
    config = ProgramConfig(columns={"Province": "Province"})
    header = ["id", "region", "Province"]
    people = _load(
        write_rows, "mentees.csv", header, [["E1", "NB", "New Brunswick"]], "mentee", config
    )
    [p] = people.participants
    assert (p.region, p.extra) == ("NB", {"Province": "New Brunswick"})


def test_missing_id_column(write_rows, find_problem):
    path = write_rows("mentees.csv", ["name", "languages"], [["x", "fr"]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentee")
    problem = find_problem(info.value, file="mentees.csv", row=1, column=None)
    assert "'id'" in problem.message


def test_unknown_columns_pass_through_untouched(write_rows):
    header = ["id", "Cohorte", "Note libre", "languages"]
    rows = [["E1", "2026-printemps", "  espaces gardés ", "fr"], ["E2", "", "", "en"]]
    people = _load(write_rows, "mentees.csv", header, rows, "mentee")
    e1, e2 = people.participants
    assert e1.extra == {"Cohorte": "2026-printemps", "Note libre": "  espaces gardés "}
    assert e2.extra == {"Cohorte": "", "Note libre": ""}
    assert people.extra_columns == ["Cohorte", "Note libre"]


def test_repeated_unknown_headers_keep_every_value(write_rows):
    people = _load(write_rows, "m.csv", ["id", "Note", "Note"], [["M1", "a", "b"]], "mentor")
    [p] = people.participants
    assert sorted(p.extra.values()) == ["a", "b"]


def test_blank_trailing_header_cells_are_not_pass_through_columns(write_text):
    path = write_text("mentors.csv", "id;langues;;;\r\nM1;fr;;;\r\n")
    people = mio.load_participants(path, "mentor")
    assert people.extra_columns == []
    assert people.participants[0].extra == {}


def test_more_cells_than_header_columns_is_a_problem(write_text, find_problem):
    path = write_text("m.csv", "id,languages\nM1,fr,en\n")
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor")
    problem = find_problem(info.value, file="m.csv", row=2, column=None)
    assert "3 cells" in problem.message


# --- every problem at once -----------------------------------------------------------------


def test_every_bad_cell_is_reported_with_its_location(write_rows, find_problem):
    header = ["id", "languages", "availability", "capacity", "lat", "lon", "region"]
    rows = [
        ["M1", "fr", "mon 18:00-20:00", "2", "45.9", "-64.7", "NB"],  # row 2: fine
        ["M2", "en", "lundi soir", "1", "", "", "NS"],  # row 3: unreadable slot
        ["M1", "en", "", "1", "", "", ""],  # row 4: duplicate id
        ["M3", "en", "", "-1", "", "", ""],  # row 5: negative capacity
        ["M4", "klingon", "", "1", "", "", ""],  # row 6: bad language
        ["M5", "en", "", "1", "quarante-cinq", "-64", ""],  # row 7: bad lat
        ["M6", "en", "", "1", "95", "-64", ""],  # row 8: lat out of range
    ]
    path = write_rows("mentors.csv", header, rows)
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor")
    exc = info.value
    find_problem(exc, file="mentors.csv", row=3, column="availability", value="lundi soir")
    dup = find_problem(exc, file="mentors.csv", row=4, column="id", value="M1")
    assert "duplicate" in dup.message and "row 2" in dup.message
    cap = find_problem(exc, file="mentors.csv", row=5, column="capacity", value="-1")
    assert "from 0 to" in cap.expected
    find_problem(exc, file="mentors.csv", row=6, column="languages", value="klingon")
    find_problem(exc, file="mentors.csv", row=7, column="lat", value="quarante-cinq")
    find_problem(exc, file="mentors.csv", row=8, column="lat", value="95")
    assert len(exc.problems) == 6
    assert str(exc).startswith("6 problems found:")


def test_mentee_capacity_zero_is_a_problem(write_rows, find_problem):
    path = write_rows("mentees.csv", ["id", "capacity"], [["E1", "1"], ["E2", "0"]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentee")
    problem = find_problem(info.value, file="mentees.csv", row=3, column="capacity", value="0")
    assert ">= 1" in problem.expected


def test_mentor_capacity_zero_is_allowed(write_rows):
    people = _load(write_rows, "mentors.csv", ["id", "capacity"], [["M1", "0"]], "mentor")
    assert people.participants[0].capacity == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("capacity", "1.5"),
        ("capacity", "deux"),
        ("formats", "hologram"),
        ("group_formats", "tête-à-tête"),
        ("consent_lived_experience", "peut-être"),
        ("timezone", "Mars/Olympus_Mons"),
        ("years_experience", "-3"),
        ("availability", "mon 20:00-18:00"),
        ("availability", "funday 10:00-11:00"),
        ("lon", "200"),
    ],
)
def test_bad_cell_values(write_rows, find_problem, column, value):
    header = ["id", column] + (["lat"] if column == "lon" else [])
    row = ["M1", value] + (["45"] if column == "lon" else [])
    path = write_rows("mentors.csv", header, [row])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor")
    problem = find_problem(info.value, file="mentors.csv", row=2, column=column, value=value)
    assert problem.expected


def test_lat_without_lon_names_a_column(write_rows):
    path = write_rows("mentors.csv", ["id", "lat", "lon"], [["M1", "45.9", ""]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(path, "mentor")
    [problem] = info.value.problems
    assert problem.row == 2
    assert problem.column in {"lat", "lon"}


def _sets(write_rows, mentor_rows, mentee_rows, config=None):
    header = ["id", "region", "exclude", "preferences"]
    mentors = _load(write_rows, "mentors.csv", header, mentor_rows, "mentor", config)
    mentees = _load(write_rows, "mentees.csv", header, mentee_rows, "mentee", config)
    return mentors, mentees


def test_every_region_and_cross_file_problem_is_reported_at_once(write_rows, find_problem):
    header = ["id", "region", "exclude", "preferences"]
    mentors = write_rows(
        "mentors.csv", header, [["M1", "NB", "", ""], ["M2", "Atlantis", "E1|E404", ""]]
    )
    mentees = write_rows(
        "mentees.csv",
        header,
        [["E1", "Nouveau-Brunswick", "", "M1"], ["E2", "Terre du Milieu", "M9", "E1"]],
    )
    with pytest.raises(matcher.InvalidInputError) as info:
        matcher.match(mentors, mentees)
    exc = info.value
    region = find_problem(exc, file="mentors.csv", row=3, column="region", value="Atlantis")
    assert "NB" in region.expected
    find_problem(exc, file="mentees.csv", row=3, column="region", value="Terre du Milieu")
    find_problem(exc, file="mentors.csv", row=3, column="exclude", value="E404")
    find_problem(exc, file="mentees.csv", row=3, column="exclude", value="M9")
    other_side = find_problem(exc, file="mentees.csv", row=3, column="preferences", value="E1")
    assert "mentors file" in other_side.message
    assert len(exc.problems) == 5


def test_check_program_accepts_programme_regions(write_rows):
    config = ProgramConfig(regions={"Zone 1": {"timezone": "America/Moncton"}})
    mentors, mentees = _sets(
        write_rows, [["M1", "Zone 1", "", ""]], [["E1", "NB", "M1", ""]], config
    )
    mio.check_program(mentors, mentees, config)  # no error
    assert mentors.participants[0].region == "Zone 1"


def test_programme_regions_are_matched_like_provinces(write_rows):
    config = ProgramConfig(regions={"Zone Sud": {"timezone": "America/Moncton"}})
    mentors, mentees = _sets(
        write_rows, [["M1", "zone sud", "", ""]], [["E1", "NB", "", ""]], config
    )
    mio.check_program(mentors, mentees, config)
    assert mentors.participants[0].region == "Zone Sud"


def test_same_id_in_both_files_is_allowed(write_rows):
    # ids are unique within their own file: two REDCap projects both number records from 1
    mentors, mentees = _sets(
        write_rows, [["1", "", "", ""]], [["1", "", "", ""], ["2", "", "", ""]]
    )
    mio.check_program(mentors, mentees, ProgramConfig())  # no error


def test_problems_name_mapped_headers(write_rows, find_problem):
    config = ProgramConfig(columns={"Province de pratique": "region", "Exclure": "exclude"})
    header = ["id", "Province de pratique", "Exclure"]
    mentors = write_rows("mentors.csv", header, [["M1", "Atlantis", ""]])
    mentees = write_rows("mentees.csv", header, [["E1", "NB", "M2"]])
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_program(mentors, mentees, config)
    find_problem(
        info.value, file="mentors.csv", row=2, column="Province de pratique", value="Atlantis"
    )
    find_problem(info.value, file="mentees.csv", row=2, column="Exclure", value="M2")


# --- DataFrames and lists ------------------------------------------------------------------


def test_dataframe_input():
    frame = pd.DataFrame(
        {
            "id": ["M1", "M2"],
            "langues": ["français|anglais", ["en", "es"]],
            "capacity": [2.0, float("nan")],
            "lat": [46.09, None],
            "lon": [-64.78, None],
            "consent": [True, False],
            "cohort": ["A", "B"],
        }
    )
    people = mio.load_participants(frame, "mentor")
    m1, m2 = people.participants
    assert (m1.languages, m1.capacity, m1.lat, m1.consent_lived_experience) == (
        ("fr", "en"),
        2,
        46.09,
        True,
    )
    assert (m2.languages, m2.capacity, m2.lat, m2.consent_lived_experience) == (
        ("en", "es"),
        1,
        None,
        False,
    )
    assert m1.extra == {"cohort": "A"}
    assert people.rows == {"M1": 2, "M2": 3}
    assert people.name == "<mentors DataFrame>"


def test_dataframe_problems_are_located_like_excel_rows(find_problem):
    frame = pd.DataFrame({"id": ["M1", "M2", "M1"], "capacity": [1, -1, 1]})
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(frame, "mentor", name="roster")
    find_problem(info.value, file="roster", row=3, column="capacity", value="-1")
    find_problem(info.value, file="roster", row=4, column="id", value="M1")


def test_dataframe_nullable_missing_values_are_empty():
    frame = pd.DataFrame(
        {"id": ["M1", "M2"], "languages": ["fr", None], "capacity": [2, None]}
    ).convert_dtypes()
    people = mio.load_participants(frame, "mentor")
    assert [(p.languages, p.capacity) for p in people.participants] == [(("fr",), 2), ((), 1)]


def test_list_of_participants_input():
    given = [
        matcher.Participant(id="M1", role="mentee", languages="fr"),  # role is set by the caller
        matcher.Participant(id="M2", role="mentor", extra={"k": "v"}),
    ]
    people = mio.load_participants(given, "mentor")
    assert [(p.id, p.role) for p in people.participants] == [("M1", "mentor"), ("M2", "mentor")]
    assert people.participants[1] is given[1]
    assert people.participants[1].extra == {"k": "v"}
    assert given[0].role == "mentee"  # the caller's object is not changed
    assert people.rows == {"M1": 0, "M2": 1}


def test_list_with_duplicate_ids(find_problem):
    given = [
        matcher.Participant(id="E1"),
        matcher.Participant(id="E2"),
        matcher.Participant(id="E1"),
    ]
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_participants(given, "mentee")
    find_problem(info.value, file="<mentees list>", row=2, column="id", value="E1")


def test_unsupported_source_is_an_input_error():
    with pytest.raises(matcher.InvalidInputError, match="cannot read mentors from a dict"):
        mio.load_participants({"id": "M1"}, "mentor")


def test_csv_path_as_string_records_the_path(write_rows):
    path = write_rows("mentors.csv", ["id"], [["M1"]])
    people = mio.load_participants(str(path), "mentor")
    assert people.path == path
    assert people.name == "mentors.csv"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (CANONICAL_HEADER, CANONICAL_ROW),
        (["id", "capacity", "languages", "lat", "lon"], ["E1", "", "", "", ""]),
    ],
)
def test_participants_read_equal_the_validated_model(write_rows, header, row):
    """Rows are built without pydantic's per-field lookups: the same participant as the
    validated model, field for field, in order, with the same fields counted as set."""
    [p] = _load(write_rows, "mentors.csv", header, [row], "mentor").participants
    validated = matcher.Participant.model_validate(p.model_dump())
    assert p == validated
    assert repr(p) == repr(validated)
    assert list(p.__dict__) == list(matcher.Participant.model_fields)
    assert p.model_dump() == validated.model_dump()
    assert "extra" in p.model_fields_set and "id" in p.model_fields_set
    assert p.model_fields_set <= set(matcher.Participant.model_fields)
    with pytest.raises(Exception, match="frozen"):
        p.id = "other"  # type: ignore[misc]
