"""``[equity]`` through the library: ``matcher.match(config=...)`` with the rule, pinned pairs
counting as coverage, the figures with and without the rule, and the same seed giving the same
result."""

from __future__ import annotations

import json

import pytest

import matcher
from matcher import InfeasibleError, InvalidInputError, Participant, ProgramConfig


def _people() -> tuple[list[Participant], list[Participant]]:
    """Two mentors in NS; six NS mentees who score well, five NL mentees who score less."""
    mentors = [
        Participant(id=f"m{k}", role="mentor", region="NS", languages="en", formats="virtual",
                    specialties="chronic_pain", capacity=3)
        for k in range(2)
    ]  # fmt: skip
    mentees = [
        Participant(id=f"ns{k}", role="mentee", region="NS", languages="en", formats="virtual",
                    specialties="chronic_pain")
        for k in range(6)
    ] + [
        Participant(id=f"nl{k}", role="mentee", region="NL", languages="en", formats="virtual",
                    specialties="oncology")
        for k in range(5)
    ]  # fmt: skip
    return mentors, mentees


def _config(**equity: object) -> ProgramConfig:
    return ProgramConfig(equity={"column": "region", **equity})


@pytest.mark.parametrize("method", ["optimal", "fair"])
def test_equalise_in_the_library(method: str) -> None:
    mentors, mentees = _people()
    plain = matcher.match(mentors, mentees, method=method)
    ruled = matcher.match(mentors, mentees, config=_config(mode="equalise"), method=method)
    served = {p.mentee_id[:2] for p in plain.pairs}
    assert served == {"ns"}  # without the rule every place goes to the better pairs
    by = {p.mentee_id[:2]: 0 for p in ruled.pairs}
    for p in ruled.pairs:
        by[p.mentee_id[:2]] += 1
    # 6 places among 6 + 5 mentees: equal rates need 3 of 6 and 3 of 5 (3/6 is the most
    # the lower subgroup can reach: 3/5 for NL leaves 3/6 for NS)
    assert by == {"ns": 3, "nl": 3}
    rule = ruled.summary["equity"]["rule"]
    assert rule["lowest_rate"] == {"with": 0.5, "without": 0.0}
    assert rule["objective"]["with"] < rule["objective"]["without"]
    assert rule["matched"] == {"with": 6, "without": 6}
    assert ruled.bound >= ruled.objective
    json.dumps(ruled.summary, allow_nan=False)


def test_pinned_pairs_count_as_coverage() -> None:
    mentors, mentees = _people()
    cfg = _config(min_share={"NL": 1.0})
    # overall rate 6/11: NL needs ceil(5 x 6/11) = 3; one is pinned, two more are placed
    ruled = matcher.match(mentors, mentees, config=cfg, pinned=[("nl0", "m0")])
    nl = sorted(p.mentee_id for p in ruled.pairs if p.mentee_id.startswith("nl"))
    assert len(nl) == 3 and "nl0" in nl
    rows = {r["subgroup"]: r for r in ruled.summary["equity"]["rule"]["subgroups"]}
    assert rows["NL"]["floor"] == 3 and rows["NL"]["matched_with"] == 3


def test_same_seed_same_result() -> None:
    mentors, mentees = _people()
    cfg = _config(mode="equalise")
    a = matcher.match(mentors, mentees, config=cfg, seed=3)
    b = matcher.match(mentors, mentees, config=cfg, seed=3)
    assert [(p.mentee_id, p.mentor_id) for p in a.pairs] == [
        (p.mentee_id, p.mentor_id) for p in b.pairs
    ]


def test_unreachable_floor_is_infeasible() -> None:
    mentors, mentees = _people()
    mentees = [m.model_copy(update={"languages": ("fr",)}) if m.id == "nl0" else m for m in mentees]
    # m0 is filled by pins, nl0 shares no language, nl3 and nl4 are forbidden: NL can reach
    # 2, while 6 of 11 can be matched at all, so NL's floor is ceil(5 x 6/11) = 3
    with pytest.raises(InfeasibleError, match=r"'NL' needs at least 3 of its 5 .* at most 2"):
        matcher.match(
            mentors,
            mentees,
            config=_config(min_share={"NL": 1.0}),
            pinned=[("ns0", "m0"), ("ns1", "m0"), ("ns2", "m0")],
            forbidden=[(f"nl{k}", f"m{j}") for k in (3, 4) for j in range(2)],
        )


def test_other_methods_refuse_the_rule() -> None:
    mentors, mentees = _people()
    with pytest.raises(InvalidInputError, match="method optimal or fair"):
        matcher.match(mentors, mentees, config=_config(mode="equalise"), method="stable")


def test_floors_reachable_alone_but_not_together_say_so() -> None:
    # one mentor with one place, two subgroups that each need their one mentee matched
    mentors = [Participant(id="m1", role="mentor", capacity=1, languages=["en"], region="NS")]
    mentees = [
        Participant(id="e1", role="mentee", languages=["en"], region="NS"),
        Participant(id="e2", role="mentee", languages=["en"], region="NL"),
    ]
    config = ProgramConfig(
        min_score=0.0,
        equity={"column": "region", "min_share": {"NS": 1.0, "NL": 1.0}},
    )
    with pytest.raises(InfeasibleError) as err:
        matcher.match(mentors, mentees, config=config)
    assert err.value.reasons == [
        "[equity] together the floors ask for 2 mentees matched, and at most 1 of them can be "
        "matched at once (mentor places and compatible pairs are shared; floors are rounded up "
        "to whole mentees); each floor alone can be met, so they are infeasible only together "
        "(floors: NL 1 of 1, NS 1 of 1)"
    ]


@pytest.mark.parametrize("sparse", [False, True])
def test_only_the_floors_out_of_reach_alone_are_named(sparse: bool) -> None:
    # NS's floor can be met, NL's cannot (no mentor speaks French): only NL is the cause
    mentors = [Participant(id="m1", role="mentor", capacity=1, languages=["en"], region="NS")]
    mentees = [
        Participant(id="e1", role="mentee", languages=["en"], region="NS"),
        Participant(id="e2", role="mentee", languages=["fr"], region="NL"),
    ]
    config = ProgramConfig(
        min_score=0.0,
        equity={"column": "region", "min_share": {"NS": 1.0, "NL": 1.0}},
    )
    with pytest.raises(InfeasibleError) as err:
        matcher.match(mentors, mentees, config=config, sparse=sparse)
    assert err.value.reasons == [
        "[equity] subgroup 'NL' needs at least 1 of its 1 mentees matched, but can reach at "
        "most 0 even with every mentor place to itself"
    ]


def _nl_floor(result: matcher.Matching) -> int:
    rows = {r["subgroup"]: r for r in result.summary["equity"]["rule"]["subgroups"]}
    return int(rows["NL"]["floor"])


@pytest.mark.parametrize(
    "key", ["NL", "nl", "Newfoundland and Labrador", "Terre-Neuve-et-Labrador", "TERRE-NEUVE"]
)
def test_min_share_takes_the_code_or_the_name_of_a_region(key: str) -> None:
    mentors, mentees = _people()
    by_code = matcher.match(mentors, mentees, config=_config(min_share={"NL": 1.0}))
    named = matcher.match(mentors, mentees, config=_config(min_share={key: 1.0}))
    assert _nl_floor(named) == _nl_floor(by_code) == 3
    # shown by the subgroup's code, however the key was typed
    assert named.summary["equity"]["rule"]["min_share"] == {"NL": 1.0}
    assert [(p.mentee_id, p.mentor_id) for p in named.pairs] == [
        (p.mentee_id, p.mentor_id) for p in by_code.pairs
    ]


def test_min_share_on_a_column_holding_full_names_takes_them_and_their_codes() -> None:
    """A pass-through column holds the names as written; the key may be one, or its code."""
    mentors, mentees = _people()
    written = {"NS": "Nova Scotia", "NL": "Terre-Neuve-et-Labrador"}
    mentees = [
        p.model_copy(update={"extra": {"Province": written[p.region or ""]}}) for p in mentees
    ]
    cfg = ProgramConfig(
        equity={"column": "province", "min_share": {"terre-neuve-et-labrador": 1.0}}
    )
    named = matcher.match(mentors, mentees, config=cfg)
    coded = matcher.match(
        mentors,
        mentees,
        config=ProgramConfig(equity={"column": "Province", "min_share": {"NL": 1.0}}),
    )
    for result in (named, coded):
        rows = {r["subgroup"]: r for r in result.summary["equity"]["rule"]["subgroups"]}
        assert rows["Terre-Neuve-et-Labrador"]["floor"] == 3


def test_min_share_takes_a_profession_as_written() -> None:
    mentors, mentees = _people()
    mentees = [
        p.model_copy(
            update={"profession": "family_physician" if p.id.startswith("nl") else "nurse"}
        )
        for p in mentees
    ]
    ruled = matcher.match(
        mentors,
        mentees,
        config=ProgramConfig(
            equity={"column": "profession", "min_share": {"Family physician": 1.0}}
        ),
    )
    rows = {r["subgroup"]: r for r in ruled.summary["equity"]["rule"]["subgroups"]}
    assert (rows["family_physician"]["floor"], rows["nurse"]["floor"]) == (3, 0)


@pytest.mark.parametrize(
    ("min_share", "said"),
    [
        ({"Newfoundland and Labradr": 1.0}, "did you mean 'NL'?"),
        ({"Quebec": 1.0}, "unknown subgroup"),  # a real province, but no mentee is there
        ({"NL": 1.0, "Newfoundland and Labrador": 0.9}, "given twice"),
    ],
)
def test_min_share_mistakes_are_named(min_share: dict[str, float], said: str) -> None:
    mentors, mentees = _people()
    with pytest.raises(InvalidInputError) as caught:
        matcher.match(mentors, mentees, config=_config(min_share=min_share))
    assert said in str(caught.value)
    assert all(p.file == "program.toml" for p in caught.value.problems)
