"""Each criterion on tiny hand-made examples whose answers are worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from matcher import Participant, ProgramConfig
from matcher.scoring import BIN_MINUTES, CRITERION_FUNCS, ScoringModel, encode

MENTEE = "mentee"
MENTOR = "mentor"


def mentee(pid: str = "e", **fields: object) -> Participant:
    return Participant(id=pid, role=MENTEE, **fields)  # type: ignore[arg-type]


def mentor(pid: str = "m", **fields: object) -> Participant:
    return Participant(id=pid, role=MENTOR, **fields)  # type: ignore[arg-type]


def criterion(
    name: str,
    mentees: Sequence[Participant],
    mentors: Sequence[Participant],
    config: ProgramConfig | None = None,
) -> np.ndarray:
    """The ``(n_mentees, n_mentors)`` scores of one criterion, NaN where it does not apply."""
    model = ScoringModel(mentees, mentors, config or ProgramConfig())
    rows, cols = np.indices(model.shape)
    _, _, per = model.pair_parts(rows.ravel(), cols.ravel())
    return per[name].reshape(model.shape)


def feasible(
    mentees: Sequence[Participant],
    mentors: Sequence[Participant],
    config: ProgramConfig | None = None,
) -> np.ndarray:
    return ScoringModel(mentees, mentors, config or ProgramConfig()).score_matrix()[1]


def test_every_configurable_criterion_has_a_function() -> None:
    assert set(CRITERION_FUNCS) == set(ProgramConfig().criteria)


# --- specialty ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sought", "covered", "expected"),
    [
        ("chronic_pain", "chronic_pain", 1.0),
        # taxonomy: addiction is a child of substance_use -> half credit, both directions
        ("addiction", "substance_use", 0.5),
        ("substance_use", "addiction", 0.5),
        # siblings earn nothing
        ("opioid_use_disorder", "addiction", 0.0),
        # an exact match wins over a related area
        ("addiction", "substance_use|addiction", 1.0),
        # the share of the areas sought: one exact of two
        ("chronic_pain|oncology", "chronic_pain", 0.5),
        # one exact, one related, of two
        ("chronic_pain|addiction", "chronic_pain|substance_use", 0.75),
        ("mental_health", "oncology", 0.0),
    ],
)
def test_specialty_coverage_with_taxonomy_partial_credit(
    sought: str, covered: str, expected: float
) -> None:
    got = criterion("specialty", [mentee(specialties=sought)], [mentor(specialties=covered)])
    assert got[0, 0] == pytest.approx(expected)


def test_specialty_uses_the_programme_taxonomy() -> None:
    cfg = ProgramConfig(taxonomy={"long_covid": "chronic_pain"})
    e = mentee(specialties="long_covid")
    m = mentor(specialties="chronic_pain")
    assert criterion("specialty", [e], [m], cfg)[0, 0] == pytest.approx(0.5)
    assert criterion("specialty", [e], [m])[0, 0] == 0.0


def test_specialty_does_not_apply_when_the_mentee_seeks_nothing() -> None:
    got = criterion(
        "specialty",
        [mentee(), mentee("e2", specialties="oncology")],
        [mentor(specialties="oncology")],
    )
    assert np.isnan(got[0, 0])
    assert got[1, 0] == 1.0


def test_hard_specialty_blocks_mentors_covering_nothing_sought() -> None:
    cfg = ProgramConfig(criteria={"specialty": {"hard": True}})
    e = mentee(specialties="addiction")
    ms = [mentor("m1", specialties="substance_use"), mentor("m2", specialties="oncology")]
    assert feasible([e], ms, cfg).tolist() == [[True, False]]
    assert feasible([e], ms).tolist() == [[True, True]]  # soft by default


# --- language -------------------------------------------------------------------------------


def test_language_first_language_scores_one_other_shared_three_quarters() -> None:
    e = mentee(languages="fr|en")
    ms = [
        mentor("m_fr", languages="fr"),
        mentor("m_en", languages="en"),
        mentor("m_es", languages="es"),
        mentor("m_both", languages="en|fr"),
    ]
    assert criterion("language", [e], ms).tolist() == [[1.0, 0.75, 0.0, 1.0]]


def test_language_is_hard_by_default_and_skipped_when_unknown() -> None:
    e = mentee(languages="fr")
    ms = [mentor("m1", languages="en"), mentor("m2", languages="fr|en"), mentor("m3")]
    assert feasible([e], ms).tolist() == [[False, True, True]]
    got = criterion("language", [e], ms)
    assert np.isnan(got[0, 2])
    soft = ProgramConfig(criteria={"language": {"hard": False}})
    assert feasible([e], ms, soft).tolist() == [[True, True, True]]


# --- format ---------------------------------------------------------------------------------


def test_format_is_a_hard_mask() -> None:
    e = mentee(formats="phone|virtual")
    ms = [
        mentor("m1", formats="in_person"),
        mentor("m2", formats="virtual"),
        mentor("m3", formats="phone|in_person"),
        mentor("m4"),
    ]
    got = criterion("format", [e], ms)
    assert got[0, :3].tolist() == [0.0, 1.0, 1.0]
    assert np.isnan(got[0, 3])
    assert feasible([e], ms).tolist() == [[False, True, True, True]]


def test_group_format_scores_a_common_group_format() -> None:
    e = mentee(group_formats="one_to_one")
    ms = [
        mentor("m1", group_formats="small_group|one_to_one"),
        mentor("m2", group_formats="large_group"),
    ]
    assert criterion("group_format", [e], ms).tolist() == [[1.0, 0.0]]
    assert feasible([e], ms).tolist() == [[True, True]]  # soft by default


# --- availability ---------------------------------------------------------------------------


def test_availability_is_converted_to_utc_newfoundland_and_nova_scotia() -> None:
    # NL is UTC-3:30 and NS UTC-4 in January: 18:00-20:00 local are 21:30-23:30 and
    # 22:00-00:00 UTC, so the two have 90 minutes in common.
    e = mentee(region="NL", availability="mon 18:00-20:00")
    m = mentor(region="NS", availability="mon 18:00-20:00")
    enc = encode([e], [m], ProgramConfig())
    per_hour = 60 // BIN_MINUTES
    e_bins = np.flatnonzero(enc.mentees.avail[0])
    m_bins = np.flatnonzero(enc.mentors.avail[0])
    assert e_bins.tolist() == list(range(21 * per_hour + 2, 23 * per_hour + 2))
    assert m_bins.tolist() == list(range(22 * per_hour, 24 * per_hour))
    assert enc.mentees.utc_offset[0] == -210
    assert enc.mentors.utc_offset[0] == -240
    assert criterion("availability", [e], [m], ProgramConfig(session_minutes=120))[0, 0] == 0.75
    assert criterion("availability", [e], [m], ProgramConfig(session_minutes=60))[0, 0] == 1.0
    explanation = ScoringModel([e], [m], ProgramConfig(session_minutes=120)).explain("e", "m")
    assert explanation.sentences["availability"] == (
        "90 min/week of common availability, of the 120 a session needs"
    )


def test_availability_wraps_round_the_week_across_time_zones() -> None:
    # BC Sunday 20:00-23:00 (UTC-8) is Monday 04:00-07:00 UTC, like NS Monday 00:00-03:00
    e = mentee(region="NS", availability="mon 00:00-03:00")
    m = mentor(region="BC", availability="sun 20:00-23:00")
    assert criterion("availability", [e], [m], ProgramConfig(session_minutes=240))[0, 0] == 0.75


def test_availability_explicit_timezone_beats_region() -> None:
    e = mentee(timezone="Europe/Paris", region="QC", availability="mon 18:00-20:00")
    m = mentor(region="QC", availability="mon 12:00-14:00")
    assert criterion("availability", [e], [m], ProgramConfig(session_minutes=120))[0, 0] == 1.0


def test_availability_does_not_apply_without_slots_and_is_soft() -> None:
    e = mentee(region="NB", availability="tue 09:00-10:00")
    ms = [mentor("m1", region="NB", availability="wed 09:00-10:00"), mentor("m2", region="NB")]
    got = criterion("availability", [e], ms)
    assert got[0, 0] == 0.0
    assert np.isnan(got[0, 1])
    assert feasible([e], ms).tolist() == [[True, True]]


def test_min_overlap_minutes_is_a_rule() -> None:
    cfg = ProgramConfig(min_overlap_minutes=60)
    e = mentee(region="NB", availability="tue 09:00-10:00")
    ms = [
        mentor("m1", region="NB", availability="tue 09:15-12:00"),  # 45 min in common
        mentor("m2", region="NB", availability="tue 08:00-10:00"),  # 60 min
        mentor("m3", region="NB"),  # unknown availability: not blocked
    ]
    assert feasible([e], ms, cfg).tolist() == [[False, True, True]]


def test_availability_without_timezone_falls_back_on_the_programme_not_utc() -> None:
    e = mentee(availability="mon 18:00-20:00")
    m = mentor(region="NS", availability="mon 18:00-20:00")
    cfg = ProgramConfig(session_minutes=120)
    alone = criterion("availability", [e], [m], cfg)[0, 0]
    with_neighbour = criterion(
        "availability", [e, mentee("e2", region="NS", availability="mon 18:00-20:00")], [m], cfg
    )[0, 0]
    assert alone == with_neighbour == 1.0


# --- region ---------------------------------------------------------------------------------


def test_region_same_and_different() -> None:
    # NB and NS share UTC-4 in January: different regions score half by time zone
    e = mentee(region="Nouveau-Brunswick")
    ms = [
        mentor("m1", region="NB"),
        mentor("m2", region="NS"),
        mentor("m3", region="BC"),
        mentor("m4"),
    ]
    got = criterion("region", [e], ms)
    assert got[0, 0] == 1.0
    assert got[0, 1] == pytest.approx(0.5)
    assert got[0, 2] == 0.0  # 4 hours apart: past the 3-hour horizon
    assert np.isnan(got[0, 3])
    # NL (UTC-3:30) vs NS (UTC-4): half of (1 - 30/180)
    nl = criterion("region", [mentee(region="NL")], [mentor(region="NS")])
    assert nl[0, 0] == pytest.approx(0.5 * (1 - 30 / 180))


def test_region_by_distance_when_coordinates_are_known() -> None:
    # one degree of latitude is 111.19 km; distance_scale_km defaults to 500
    e = mentee(region="NB", lat=45.0, lon=-66.0)
    m = mentor(region="NS", lat=46.0, lon=-66.0)
    got = criterion("region", [e], [m])
    assert got[0, 0] == pytest.approx(1 - 111.19 / 500, abs=1e-3)


def test_in_person_only_pairs_must_share_a_region() -> None:
    e = mentee(region="NS", formats="in_person|virtual")
    ms = [
        mentor("m1", region="NB", formats="in_person"),  # can only meet in person, elsewhere
        mentor("m2", region="NS", formats="in_person"),  # in person, same region
        mentor("m3", region="NB", formats="in_person|virtual"),  # can meet virtually
        mentor("m4", formats="in_person"),  # region unknown: not blocked
    ]
    assert feasible([e], ms).tolist() == [[False, True, True, True]]
    # the rule holds whatever the weight of the region criterion
    zero = ProgramConfig(criteria={"region": {"weight": 0}})
    assert feasible([e], ms, zero).tolist() == [[False, True, True, True]]


def test_in_person_max_km_allows_nearby_pairs_across_a_border() -> None:
    e = mentee(region="NB", formats="in_person", lat=46.09, lon=-64.78)  # Moncton
    m = mentor(region="NS", formats="in_person", lat=45.83, lon=-64.20)  # Amherst, ~55 km
    assert feasible([e], [m]).tolist() == [[False]]
    assert feasible([e], [m], ProgramConfig(in_person_max_km=100)).tolist() == [[True]]
    assert feasible([e], [m], ProgramConfig(in_person_max_km=30)).tolist() == [[False]]


# --- lived experience -----------------------------------------------------------------------


def test_lived_experience_only_with_consent_on_both_sides() -> None:
    tags = "cancer_survivor|caregiver"
    e_yes = mentee("e_yes", lived_experience=tags, consent_lived_experience=True)
    e_no = mentee("e_no", lived_experience=tags, consent_lived_experience=False)
    ms = [
        mentor("m_one", lived_experience="cancer_survivor", consent_lived_experience=True),
        mentor("m_both", lived_experience=tags, consent_lived_experience=True),
        mentor("m_no", lived_experience=tags, consent_lived_experience=False),
    ]
    got = criterion("lived_experience", [e_yes, e_no], ms)
    assert got[0].tolist() == [0.5, 1.0, 0.0]
    assert np.isnan(got[1]).all()  # the mentee did not consent: not used at all
    model = ScoringModel([e_yes, e_no], ms, ProgramConfig())
    # without the mentor's consent nothing about their lived experience is said
    assert model.explain("e_yes", "m_no").sentences["lived_experience"] == (
        "no shared lived experience"
    )
    assert "lived_experience" not in model.explain("e_no", "m_both").sentences


# --- experience -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap_needed", "mentee_years", "mentor_years", "expected"),
    [
        (0.0, 8, 10, 1.0),
        (0.0, 12, 10, 0.8),  # two years short of the gap: 0.1 less per year
        (5.0, 8, 10, 0.7),
        (5.0, 5, 10, 1.0),
        (5.0, 10, 0, 0.0),
    ],
)
def test_experience_gap(
    gap_needed: float, mentee_years: float, mentor_years: float, expected: float
) -> None:
    cfg = ProgramConfig(min_experience_gap=gap_needed)
    got = criterion(
        "experience",
        [mentee(years_experience=mentee_years)],
        [mentor(years_experience=mentor_years)],
        cfg,
    )
    assert got[0, 0] == pytest.approx(expected)


def test_experience_does_not_apply_when_years_are_unknown() -> None:
    got = criterion("experience", [mentee(years_experience=3)], [mentor()])
    assert np.isnan(got[0, 0])


def test_hard_experience_gap_blocks_juniors() -> None:
    cfg = ProgramConfig(min_experience_gap=5, criteria={"experience": {"hard": True}})
    e = mentee(years_experience=8)
    ms = [mentor("m1", years_experience=10), mentor("m2", years_experience=13), mentor("m3")]
    assert feasible([e], ms, cfg).tolist() == [[False, True, True]]


# --- gender ---------------------------------------------------------------------------------


def test_gender_only_where_asked() -> None:
    es = [
        mentee("e1", gender_preference="Female"),
        mentee("e2"),
        mentee("e3", gender_preference="any"),
    ]
    ms = [mentor("m1", gender="female"), mentor("m2", gender="male"), mentor("m3")]
    got = criterion("gender", es, ms)
    assert got[0].tolist() == [1.0, 0.0, 0.0]
    assert np.isnan(got[1:]).all()
    assert feasible(es, ms).all()  # soft by default
    hard = ProgramConfig(criteria={"gender": {"hard": True}})
    assert feasible(es, ms, hard).tolist() == [[True, False, False], [True] * 3, [True] * 3]


# --- organization ---------------------------------------------------------------------------


def test_organization_forbid_is_hard_and_case_insensitive() -> None:
    e = mentee(organization="CHU Dumont")
    ms = [
        mentor("m1", organization=" chu dumont"),
        mentor("m2", organization="Horizon"),
        mentor("m3"),
    ]
    forbid = ProgramConfig(same_organization="forbid")
    assert feasible([e], ms, forbid).tolist() == [[False, True, True]]
    avoid = ProgramConfig(same_organization="avoid")
    assert feasible([e], ms, avoid).tolist() == [[True, True, True]]
    got = criterion("organization", [e], ms, avoid)
    assert got[0, :2].tolist() == [0.0, 1.0]
    assert np.isnan(got[0, 2])
    # by default the organisation is not a criterion at all
    assert "organization" not in ScoringModel([e], ms, ProgramConfig()).active


# --- profession -----------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "expected"), [("same", [1.0, 0.0]), ("different", [0.0, 1.0])])
def test_profession_rule(rule: str, expected: list[float]) -> None:
    cfg = ProgramConfig(profession_rule=rule)  # type: ignore[arg-type]
    e = mentee(profession="nurse")
    ms = [mentor("m1", profession="Nurse"), mentor("m2", profession="pharmacist")]
    assert criterion("profession", [e], ms, cfg).tolist() == [expected]
    assert "profession" not in ScoringModel([e], ms, ProgramConfig()).active


# --- preference -----------------------------------------------------------------------------


def test_stated_preferences_mean_over_the_sides_that_ranked() -> None:
    # rank 1 of a list scores 1, rank 2 of 2 scores 1 - 0.75/2 = 0.625, unranked 0
    es = [mentee("e1", preferences="m2|m1"), mentee("e2")]
    ms = [mentor("m1"), mentor("m2", preferences="e2|e1"), mentor("m3")]
    got = criterion("preference", es, ms)
    assert got[0].tolist() == pytest.approx([0.625, (1.0 + 0.625) / 2, 0.0])
    assert got[1, 1] == 1.0  # only the mentor ranked this pair's side
    assert np.isnan(got[1, 0]) and np.isnan(got[1, 2])  # nobody ranked anything
    sentence = ScoringModel(es, ms, ProgramConfig()).explain("e1", "m2").sentences["preference"]
    assert sentence == "mentee ranked this mentor #1; mentor ranked this mentee #2"


# --- exclusions -----------------------------------------------------------------------------


def test_exclusions_are_hard_in_both_directions() -> None:
    es = [mentee("e1", exclude="m1"), mentee("e2"), mentee("e3")]
    ms = [mentor("m1"), mentor("m2", exclude="e2")]
    assert feasible(es, ms).tolist() == [[False, True], [True, False], [True, True]]
    model = ScoringModel(es, ms, ProgramConfig(), forbidden=[("e3", "m1")])
    assert model.score_matrix()[1].tolist() == [[False, True], [True, False], [False, True]]
    explanation = model.explain("e2", "m2")
    assert explanation.feasible is False
    assert explanation.blocked_by == ["exclude"]
