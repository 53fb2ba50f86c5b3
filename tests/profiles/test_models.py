"""Participant, Availability and ProgramConfig: normalisation, validation and defaults."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from strategies import DAYS_EN, DAYS_FR, FORMATS, LANGUAGES, REGIONS, slot_texts

from matcher import Availability, Participant, ProgramConfig, Slot
from matcher.profiles import CRITERIA, CriterionConfig

# --- languages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("français", "fr"),
        ("Français", "fr"),
        ("francais", "fr"),
        ("French", "fr"),
        ("en", "en"),
        ("anglais", "en"),
        ("English", "en"),
        ("espagnol", "es"),
        ("Mi'kmaq", "mic"),
    ],
)
def test_language_names_in_english_and_french_become_codes(typed: str, code: str) -> None:
    assert Participant(id="p", languages=typed).languages == (code,)


def test_languages_keep_order_and_drop_duplicates() -> None:
    # the first listed language is the mentee's first language: order matters
    p = Participant(id="p", languages="anglais|français|English|fr")
    assert p.languages == ("en", "fr")
    assert Participant(id="p", languages=["Français", "en"]).languages == ("fr", "en")


def test_unknown_language_name_is_rejected() -> None:
    with pytest.raises(ValidationError, match="language"):
        Participant(id="p", languages="Klingon")


@given(
    st.sampled_from(sorted(LANGUAGES)).flatmap(
        lambda c: st.tuples(st.just(c), st.sampled_from(LANGUAGES[c]))
    )
)
@settings(max_examples=20, deadline=None)
def test_every_language_spelling_in_strategies_normalises(pair: tuple[str, str]) -> None:
    code, typed = pair
    assert Participant(id="p", languages=typed).languages == (code,)


# --- regions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("NB", "NB"),
        ("nb", "NB"),
        ("Nouveau-Brunswick", "NB"),
        ("New Brunswick", "NB"),
        ("Nova Scotia", "NS"),
        ("Nouvelle-Écosse", "NS"),
        ("nouvelle ecosse", "NS"),
        ("Terre-Neuve-et-Labrador", "NL"),
        ("Newfoundland and Labrador", "NL"),
        ("Île-du-Prince-Édouard", "PE"),
        ("PEI", "PE"),
        ("Québec", "QC"),
        ("Colombie-Britannique", "BC"),
    ],
)
def test_region_names_in_english_and_french_become_codes(typed: str, code: str) -> None:
    assert Participant(id="p", region=typed).region == code


def test_unlisted_region_is_kept_verbatim_as_a_programme_region() -> None:
    # programme-defined regions (health zones) are checked against program.toml at match time
    assert Participant(id="p", region="  Zone 1 ").region == "Zone 1"
    assert Participant(id="p", region="  ").region is None


@given(
    st.sampled_from(sorted(REGIONS)).flatmap(
        lambda c: st.tuples(st.just(c), st.sampled_from(REGIONS[c]))
    )
)
@settings(max_examples=20, deadline=None)
def test_every_region_spelling_in_strategies_normalises(pair: tuple[str, str]) -> None:
    code, typed = pair
    assert Participant(id="p", region=typed).region == code


# --- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("in_person", ("in_person",)),
        ("En personne", ("in_person",)),
        ("présentiel", ("in_person",)),
        ("virtuel|Zoom", ("virtual",)),
        ("téléphone|virtual", ("phone", "virtual")),
        (["online", "phone"], ("virtual", "phone")),
    ],
)
def test_formats_are_normalised(typed: str | list[str], canonical: tuple[str, ...]) -> None:
    assert Participant(id="p", formats=typed).formats == canonical


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("1:1", ("one_to_one",)), ("petit groupe|Large group", ("small_group", "large_group"))],
)
def test_group_formats_are_normalised(typed: str, canonical: tuple[str, ...]) -> None:
    assert Participant(id="p", group_formats=typed).group_formats == canonical


def test_unknown_format_is_rejected_naming_the_choices() -> None:
    with pytest.raises(ValidationError, match="in_person, virtual, phone"):
        Participant(id="p", formats="carrier pigeon")


@given(
    st.sampled_from(sorted(FORMATS)).flatmap(
        lambda c: st.tuples(st.just(c), st.sampled_from(FORMATS[c]))
    )
)
@settings(max_examples=15, deadline=None)
def test_every_format_spelling_in_strategies_normalises(pair: tuple[str, str]) -> None:
    code, typed = pair
    assert Participant(id="p", formats=typed).formats == (code,)


# --- other fields ---------------------------------------------------------------------------


def test_slugs_ids_and_optional_text() -> None:
    p = Participant(
        id="  m1 ",
        role="mentor",
        profession="Nurse Practitioner",
        specialties="Chronic Pain|substance use|chronic_pain",
        gender_preference="No preference",
        organization="  ",
        exclude="e1|e2|e1",
    )
    assert p.id == "m1"
    assert p.profession == "nurse_practitioner"
    assert p.specialties == ("chronic_pain", "substance_use")
    assert p.gender_preference is None  # "no preference" means not asked
    assert p.organization is None
    assert p.exclude == ("e1", "e2")
    assert p.capacity == 1
    assert p.role == "mentor"
    assert Participant(id="e").role == "mentee"


# --- availability ---------------------------------------------------------------------------


def test_availability_parses_english_slots() -> None:
    a = Availability.parse("mon 18:00-20:00|wed 12:00-13:30")
    assert a.slots == (Slot(day=0, start=1080, end=1200), Slot(day=2, start=720, end=810))
    assert a.minutes == 210
    assert str(a) == "mon 18:00-20:00|wed 12:00-13:30"


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("mardi 12h30-14h", (1, 750, 840)),
        ("jeudi 9h à 10h15", (3, 540, 615)),
        ("mer 12h-13h30", (2, 720, 810)),
        ("Dimanche 8:00 - 9:00", (6, 480, 540)),
        ("sam. 10-11", (5, 600, 660)),
        ("fri 22:00-24:00", (4, 1320, 1440)),
    ],
)
def test_availability_parses_french_days_and_12h30(text: str, slot: tuple[int, int, int]) -> None:
    (got,) = Availability.parse(text).slots
    assert (got.day, got.start, got.end) == slot


def test_day_ranges_expand_to_one_slot_per_day() -> None:
    a = Availability.parse("lun-ven 12h-13h30")
    assert [s.day for s in a.slots] == [0, 1, 2, 3, 4]
    assert {(s.start, s.end) for s in a.slots} == {(720, 810)}
    assert a.minutes == 5 * 90
    # a range across the week end wraps round
    assert [s.day for s in Availability.parse("sat-mon 9:00-10:00").slots] == [5, 6, 0]


def test_overlapping_slots_are_counted_once() -> None:
    assert Availability.parse("mon 18:00-20:00|mon 19:00-21:00").minutes == 180


def test_participant_accepts_availability_text() -> None:
    p = Participant(id="p", availability="lundi 18h-19h")
    assert p.availability.slots == (Slot(day=0, start=1080, end=1140),)
    assert Participant(id="p").availability.slots == ()


@pytest.mark.parametrize(
    "text",
    [
        "mon 20:00-18:00",
        "mon 18:00-18:00",
        "someday 10:00-11:00",
        "mon 25:00-26:00",
        "mon",
        "18-20",
    ],
)
def test_bad_availability_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="slot"):
        Availability.parse(text)
    with pytest.raises(ValidationError):
        Participant(id="p", availability=text)


def test_slot_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="end after it starts"):
        Slot(day=0, start=600, end=500)
    with pytest.raises(ValidationError):
        Slot(day=7, start=0, end=60)


@given(st.lists(slot_texts(), min_size=1, max_size=4))
@settings(max_examples=40, deadline=None)
def test_generated_slots_round_trip(texts: list[str]) -> None:
    a = Availability.parse("|".join(texts))
    assert len(a.slots) == len(texts)
    again = Availability.parse(str(a))
    assert again == a
    assert all(s.end > s.start for s in a.slots)
    for text, slot in zip(texts, a.slots, strict=True):
        name = text.split()[0]
        assert slot.day == (DAYS_EN.index(name) if name in DAYS_EN else DAYS_FR.index(name))


# --- validation -----------------------------------------------------------------------------


def test_negative_capacity_is_rejected() -> None:
    with pytest.raises(ValidationError, match="capacity"):
        Participant(id="m", role="mentor", capacity=-1)


def test_capacity_zero_is_allowed_for_a_mentor() -> None:
    assert Participant(id="m", role="mentor", capacity=0).capacity == 0


def test_lat_without_lon_is_rejected() -> None:
    with pytest.raises(ValidationError, match="lat and lon must be given together"):
        Participant(id="p", lat=45.9)
    with pytest.raises(ValidationError, match="lat and lon"):
        Participant(id="p", lon=-66.6)
    p = Participant(id="p", lat=45.9, lon=-66.6)
    assert (p.lat, p.lon) == (45.9, -66.6)


def test_out_of_range_coordinates_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Participant(id="p", lat=91, lon=0)


def test_unknown_timezone_is_rejected() -> None:
    with pytest.raises(ValidationError, match="IANA time zone"):
        Participant(id="p", timezone="Atlantic/Nowhere")
    assert Participant(id="p", timezone=" America/Halifax ").timezone == "America/Halifax"


def test_empty_id_unknown_field_and_role_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Participant(id="  ")
    with pytest.raises(ValidationError):
        Participant(id="p", shoe_size=42)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Participant(id="p", role="coach")  # type: ignore[arg-type]


def test_validation_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        Participant(id="p", capacity=-3)


def test_participant_is_frozen() -> None:
    p = Participant(id="p")
    with pytest.raises(ValidationError):
        p.capacity = 3  # type: ignore[misc]


# --- ProgramConfig --------------------------------------------------------------------------


def test_program_config_defaults() -> None:
    cfg = ProgramConfig()
    assert cfg.method == "optimal"
    assert cfg.seed == 0
    assert cfg.min_score == 0.0
    assert cfg.profession_rule == "any"
    assert cfg.same_organization == "allow"
    assert set(cfg.criteria) == set(CRITERIA)
    # DESIGN: a shared language and a common format are hard by default, the rest soft
    assert {name for name in CRITERIA if cfg.hard(name)} == {"language", "format"}
    for name, (weight, hard) in CRITERIA.items():
        assert cfg.weight(name) == weight
        assert cfg.hard(name) is hard


def test_criteria_weights_merge_with_defaults() -> None:
    cfg = ProgramConfig(
        criteria={
            "specialty": {"weight": 5},
            "language": {"hard": False},
            "availability": CriterionConfig(weight=4, hard=True),
        }
    )
    assert cfg.criteria["specialty"] == CriterionConfig(weight=5.0, hard=False)
    # a table naming only `hard` keeps the default weight, and vice versa
    assert cfg.criteria["language"] == CriterionConfig(weight=2.0, hard=False)
    assert cfg.criteria["availability"] == CriterionConfig(weight=4.0, hard=True)
    # criteria not mentioned keep their defaults
    assert cfg.criteria["format"] == CriterionConfig(weight=1.0, hard=True)
    assert cfg.criteria["region"] == CriterionConfig(weight=1.0, hard=False)


def test_unknown_criterion_is_rejected_listing_the_known_ones() -> None:
    with pytest.raises(ValidationError) as info:
        ProgramConfig(criteria={"colour": {"weight": 1}})
    text = str(info.value)
    assert "'colour'" in text
    assert "specialty" in text and "language" in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"criteria": {"specialty": {"weight": -1}}},
        {"criteria": {"specialty": {"weight": 1, "soft": True}}},
        {"criteria": {"specialty": 3}},
        {"min_score": 1.5},
        {"min_score": -0.1},
        {"profession_rule": "similar"},
        {"same_organization": "maybe"},
        {"regions": {"Zone 1": {"timezone": "Mars/Olympus"}}},
        {"colour": "blue"},
    ],
)
def test_invalid_config_values_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ProgramConfig(**kwargs)  # type: ignore[arg-type]


def test_taxonomy_keys_and_values_are_slugged() -> None:
    cfg = ProgramConfig(taxonomy={"Long COVID": "Chronic Pain"})
    assert cfg.taxonomy == {"long_covid": "chronic_pain"}


def test_availability_accepts_a_list_like_the_other_multi_valued_fields() -> None:
    listed = Participant(id="a", availability=["mon 18:00-20:00", "mercredi 12:00-13:30"])
    text = Participant(id="a", availability="mon 18:00-20:00|wed 12:00-13:30")
    assert listed.availability == text.availability
    assert str(listed.availability) == "mon 18:00-20:00|wed 12:00-13:30"
    assert Participant(id="a", availability=[]).availability.slots == ()
    with pytest.raises(ValidationError):
        Participant(id="a", availability=["someday"])
