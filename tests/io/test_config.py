"""Reading program.toml: defaults, valid files and problems named by their key."""

from __future__ import annotations

import pytest

import matcher
from matcher import io as mio
from matcher.profiles import CRITERIA

VALID = """\
# a programme
[program]
name = "Réseau atlantique — douleur chronique"
method = "optimal"
seed = 7
min_score = 0.25
profession_rule = "different"
same_organization = "avoid"

[criteria.specialty]
weight = 5.0
[criteria.availability]
weight = 0
[criteria.region]
hard = true

[columns]
"Numéro de membre" = "id"
"Langues parlées" = "languages"

[regions."Zone 1"]
timezone = "America/Moncton"
lat = 46.1
lon = -64.8

[taxonomy]
"Douleur lombaire" = "chronic_pain"
"""


def test_missing_path_gives_defaults():
    config = mio.load_config(None)
    assert config == matcher.ProgramConfig()
    assert config.hard("language") and config.hard("format")
    assert not config.hard("specialty")
    assert {name: config.weight(name) for name in CRITERIA} == {
        name: weight for name, (weight, _) in CRITERIA.items()
    }


def test_valid_program_toml(write_text):
    config = mio.load_config(write_text("program.toml", VALID))
    assert config.name == "Réseau atlantique — douleur chronique"
    assert (config.method, config.seed, config.min_score) == ("optimal", 7, 0.25)
    assert (config.profession_rule, config.same_organization) == ("different", "avoid")
    assert config.weight("specialty") == 5.0
    assert config.weight("availability") == 0.0
    # a table naming only "hard" keeps the default weight; untouched criteria keep defaults
    assert (config.weight("region"), config.hard("region")) == (CRITERIA["region"][0], True)
    assert config.hard("language") is True
    assert config.columns == {"Numéro de membre": "id", "Langues parlées": "languages"}
    assert config.regions["Zone 1"].timezone == "America/Moncton"
    assert config.taxonomy == {"douleur_lombaire": "chronic_pain"}


def test_utf8_bom_is_accepted(write_text):
    config = mio.load_config(write_text("program.toml", VALID, encoding="utf-8-sig"))
    assert config.seed == 7


def _problems(write_text, text, *, encoding="utf-8"):
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.load_config(write_text("program.toml", text, encoding=encoding))
    assert all(p.file == "program.toml" for p in info.value.problems), info.value
    return info.value


def test_unknown_criterion_is_named(write_text):
    exc = _problems(write_text, "[criteria.charisma]\nweight = 2\n")
    [problem] = exc.problems
    assert problem.column == "criteria"
    assert "'charisma'" in problem.message
    assert "specialty" in problem.message  # says what would have been accepted


def test_negative_weight_is_named(write_text):
    exc = _problems(write_text, "[criteria.specialty]\nweight = -1.5\n")
    [problem] = exc.problems
    assert problem.column == "criteria.specialty.weight"
    assert problem.value == "-1.5"
    assert problem.message == "out of range" and problem.expected == "a number >= 0.0"


def test_unknown_table_is_named(write_text):
    exc = _problems(write_text, '[programme]\nname = "x"\n')
    [problem] = exc.problems
    assert problem.column == "programme"
    assert "[program]" in problem.expected


def test_every_bad_key_is_reported(write_text):
    text = """\
[program]
nme = "typo"
min_score = 2
profession_rule = "sometimes"
[criteria.language]
hard = "yes please"
[regions.Mars]
timezone = "Mars/Olympus_Mons"
"""
    exc = _problems(write_text, text)
    keys = {p.column: p for p in exc.problems}
    assert set(keys) == {
        "program.nme",
        "program.min_score",
        "program.profession_rule",
        "criteria.language.hard",
        "regions.Mars.timezone",
    }
    assert keys["program.min_score"].value == "2"
    # values shown one way ("got 'sometimes'"); quotes only where they are the slip
    assert keys["program.profession_rule"].value == "sometimes"
    assert keys["regions.Mars.timezone"].value == "Mars/Olympus_Mons"
    assert keys["criteria.language.hard"].value == '"yes please"'
    assert str(keys["criteria.language.hard"]).startswith(
        "program.toml, key 'criteria.language.hard': wrong type: got '\"yes please\"', expected"
    )
    # an unknown key is named; its value is not shown as if it were the key
    assert keys["program.nme"].value is None
    assert str(keys["program.nme"]).startswith("program.toml, key 'program.nme': unknown key, ")


def test_unknown_table_does_not_hide_other_problems(write_text):
    exc = _problems(write_text, "[programme]\n[criteria.specialty]\nweight = -1\n")
    assert {p.column for p in exc.problems} == {"programme", "criteria.specialty.weight"}


def test_bad_toml_syntax_names_the_line(write_text):
    exc = _problems(write_text, '[program]\nname = "x"\nmin_score = \n')
    [problem] = exc.problems
    assert "not valid TOML" in problem.message
    assert "line 3" in problem.message


def test_criterion_that_is_not_a_table(write_text):
    exc = _problems(write_text, "[criteria]\nspecialty = 3\n")
    [problem] = exc.problems
    assert problem.column == "criteria"
    assert "criteria.specialty" in problem.message


def test_program_that_is_not_a_table():
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.config_from_mapping({"program": 3}, name="cfg.toml")
    [problem] = info.value.problems
    assert (problem.file, problem.column) == ("cfg.toml", "program")


def test_not_utf8(write_text):
    exc = _problems(write_text, '[program]\nname = "Québec"\n', encoding="cp1252")
    assert "UTF-8" in exc.problems[0].message


def test_file_not_found(tmp_path):
    with pytest.raises(matcher.InvalidInputError, match="file not found"):
        mio.load_config(tmp_path / "program.toml")


def test_config_from_mapping_matches_load_config(write_text):
    import tomllib

    assert mio.config_from_mapping(tomllib.loads(VALID)) == mio.load_config(
        write_text("program.toml", VALID)
    )


def test_equity_slips_leave_a_partial_config_to_check_the_rule_on_the_data() -> None:
    data = {"equity": {"column": "region", "min_share": {"NL": 1.2, "Atlantis": 0.9}}}
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.config_from_mapping(data, name="program.toml")
    [problem] = info.value.problems
    assert (problem.column, problem.value) == ("equity.min_share.NL", "1.2")
    partial = info.value.partial
    assert isinstance(partial, matcher.ProgramConfig)
    assert partial.equity.min_share == {"NL": 1.0, "Atlantis": 0.9}
    typo = {"equity": {"column": "regoin", "mode": "equalize"}}
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.config_from_mapping(typo, name="program.toml")
    assert info.value.partial.equity.mode == "equalise"
    assert info.value.partial.equity.column == "regoin"  # still checked against the mentees


def test_other_slips_leave_no_partial_config() -> None:
    data = {"program": {"min_score": 2.0}, "equity": {"column": "region", "mode": "x"}}
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.config_from_mapping(data, name="program.toml")
    assert len(info.value.problems) == 2 and info.value.partial is None
