"""Stored programmes and matcher.MentorPool: suggestions for one newcomer, loads, pairs."""

from __future__ import annotations

from typing import Any

import matcher
from matcher import io as mio

from .conftest import SCENARIOS

AMN = SCENARIOS / "amn-pain-addiction"


def _amn() -> tuple[list[matcher.Participant], list[matcher.Participant], matcher.ProgramConfig]:
    cfg = mio.load_config(AMN / "program.toml")
    mentors, mentees = mio.load_program(AMN / "mentors.csv", AMN / "mentees.csv", cfg)
    return mentors.participants, mentees.participants, cfg


def test_pool_suggest_agrees_with_matcher_suggest_for_one_mentee() -> None:
    mentors, mentees, cfg = _amn()
    pool = matcher.MentorPool(mentors, config=cfg)
    for mentee in mentees[:25]:
        mine = pool.suggest(mentee, top=3)
        alone = matcher.suggest(mentors, [mentee], config=cfg, top=3).pairs
        assert [round(p.score, 6) for p in mine] == [round(p.score, 6) for p in alone]
        tied = {round(p.score, 6) for p in alone[-1:]}
        assert {p.mentor_id for p in mine if round(p.score, 6) not in tied} == {
            p.mentor_id for p in alone if round(p.score, 6) not in tied
        }
        assert all(p.reasons for p in mine)


def test_pool_is_load_aware() -> None:
    mentors = [
        matcher.Participant(id="m1", role="mentor", specialties="oncology", capacity=1),
        matcher.Participant(id="m2", role="mentor", specialties="chronic_pain", capacity=1),
    ]
    pool = matcher.MentorPool(mentors, current=[("e0", "m1")])
    assert pool.load("m1") == 1
    assert [p.mentor_id for p in pool.suggest({"id": "e1", "specialties": "oncology"})] == ["m2"]
    pool.release("e0", "m1")
    assert pool.suggest({"id": "e1", "specialties": "oncology"})[0].mentor_id == "m1"
    pool.assign("e1", "m1")
    try:
        pool.assign("e2", "m1")
    except matcher.InfeasibleError as exc:
        assert "capacity" in str(exc)
    else:
        raise AssertionError("assign past capacity must fail")


def _client_program(client: Any) -> None:
    files = {
        "mentors": ("mentors.csv", (AMN / "mentors.csv").read_bytes()),
        "config": ("program.toml", (AMN / "program.toml").read_bytes()),
    }
    r = client.put("/v1/programs/amn", files=files)
    assert r.status_code == 200, r.text


def test_program_routes(client: Any) -> None:
    _client_program(client)
    info = client.get("/v1/programs/amn").json()
    assert info["mentors"] == 14 and info["load"] == 0
    assert set(info["per_mentor"][0]) == {"id", "capacity", "load"}
    newcomer = {"id": "new-1", "languages": "en", "specialties": "chronic_pain", "region": "NB"}
    r = client.post("/v1/programs/amn/suggest", json={"mentee": newcomer, "top": 3})
    assert r.status_code == 200, r.text
    got = r.json()["suggestions"]
    assert [s["rank"] for s in got] == [1, 2, 3]
    assert got[0]["score"] >= got[-1]["score"] and got[0]["reasons"]
    best = got[0]["mentor_id"]
    r = client.post("/v1/programs/amn/pairs", json={"mentee_id": "new-1", "mentor_id": best})
    assert r.status_code == 201
    assert {m["id"]: m["load"] for m in r.json()["per_mentor"]}[best] == 1
    again = client.post("/v1/programs/amn/suggest", json={"mentee": newcomer, "top": 3}).json()
    assert best not in [s["mentor_id"] for s in again["suggestions"]]  # already paired
    assert client.delete(f"/v1/programs/amn/pairs/new-1/{best}").status_code == 204
    assert client.delete(f"/v1/programs/amn/pairs/new-1/{best}").status_code == 404
    assert client.get("/v1/programs/amn").json()["load"] == 0
    assert client.delete("/v1/programs/amn").status_code == 204
    assert client.get("/v1/programs/amn").status_code == 404


def test_program_errors(client: Any) -> None:
    r = client.put("/v1/programs/p", json={"mentors": [{"id": "m1", "capacity": "x"}]})
    assert r.status_code == 422
    assert r.json()["problems"][0]["column"] == "capacity"
    client.put("/v1/programs/p", json={"mentors": [{"id": "m1", "capacity": 1}]})
    r = client.post("/v1/programs/p/pairs", json={"mentee_id": "e1", "mentor_id": "nobody"})
    assert r.status_code == 422
    assert (
        client.post("/v1/programs/p/pairs", json={"mentee_id": "e1", "mentor_id": "m1"}).status_code
        == 201
    )
    r = client.post("/v1/programs/p/pairs", json={"mentee_id": "e2", "mentor_id": "m1"})
    assert r.status_code == 409  # at capacity
    r = client.post("/v1/programs/p/suggest", json={"mentee": {"id": "e3", "capacity": "-1"}})
    assert r.status_code == 422


def test_pool_scores_every_mentor_as_a_full_run(tmp_path: Any) -> None:
    """Encoded once, the newcomer scores each mentor exactly as a run with it alone would,
    also with languages, areas, regions and time zones that no mentor has."""
    folder = mio.write_synthetic(tmp_path, 30, 120, seed=3)
    cfg = mio.load_config(folder / "program.toml")
    mentors, mentees = mio.load_program(folder / "mentors.csv", folder / "mentees.csv", cfg)
    pool = matcher.MentorPool(mentors.participants, config=cfg)
    odd = [
        matcher.Participant(id="x1", languages="mic|fr", specialties="astrology|chronic_pain"),
        matcher.Participant(id="x2", languages="en", availability="mon 09:00-17:00"),
        matcher.Participant(
            id="x3",
            languages="en",
            region="Yukon",
            profession="herbalist",
            gender="woman",
            gender_preference="woman",
            organization="Zed",
        ),
    ]
    for mentee in [*mentees.participants, *odd]:
        mine = {p.mentor_id: round(p.score, 6) for p in pool.suggest(mentee, top=120)}
        alone = matcher.suggest(mentors.participants, [mentee], config=cfg, top=120).pairs
        assert mine == {p.mentor_id: round(p.score, 6) for p in alone}, mentee.id


def test_program_with_current_pairs_upload(client: Any) -> None:
    files = {
        "mentors": ("mentors.csv", (AMN / "mentors.csv").read_bytes()),
        "current": ("current.csv", b"mentee_id,mentor_id\r\nE9001,M001\r\nE9002,M001\r\n"),
    }
    r = client.put("/v1/programs/amn", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["pairs"] == 2
    loads = {m["id"]: m["load"] for m in client.get("/v1/programs/amn").json()["per_mentor"]}
    assert loads["M001"] == 2
    assert client.delete("/v1/programs/amn/pairs/E9001/M001").status_code == 204
    assert client.get("/v1/programs/amn").json()["load"] == 1


def test_assign_refuses_a_pair_that_breaks_a_hard_rule_for_a_newcomer_suggested_for(
    client: Any,
) -> None:
    mentors, _, cfg = _amn()
    pool = matcher.MentorPool(mentors, config=cfg)
    newcomer = {"id": "N1", "languages": "fr", "specialties": "chronic_pain", "region": "NB"}
    suggested = {p.mentor_id for p in pool.suggest(newcomer, top=3)}
    english_only = next(m.id for m in mentors if "fr" not in m.languages)
    try:
        pool.assign("N1", english_only)  # a shared language is a hard rule
    except matcher.InfeasibleError as exc:
        assert "hard rule" in str(exc) and english_only in str(exc)
    else:
        raise AssertionError("a pair breaking a hard rule must be refused")
    assert pool.load(english_only) == 0
    pool.assign("N1", sorted(suggested)[0])  # a suggested mentor is accepted
    # the same through the service: 409 with the reason, the load unchanged
    _client_program(client)
    r = client.post("/v1/programs/amn/suggest", json={"mentee": newcomer, "top": 3})
    assert r.status_code == 200, r.text
    r = client.post("/v1/programs/amn/pairs", json={"mentee_id": "N1", "mentor_id": english_only})
    assert r.status_code == 409, r.text
    assert "hard rule" in r.text
