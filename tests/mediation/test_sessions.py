"""Mediation sessions in the centre's store (a real SQLite file): invitations by code,
locked after repeated wrong codes; what a terminal is invited to; masking; counts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from fleet.center import figures
from fleet.center.store import Store
from fleet.mediation.sessions import MAX_CODE_TRIES, PartySpec, SessionStore, mask_name
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.support import free_port


@pytest.fixture
def sessions(tmp_path: Path) -> SessionStore:
    return SessionStore(Store(f"sqlite:///{tmp_path / 'center.sqlite3'}"))


def test_a_phone_code_opens_only_its_own_invitation_and_locks_after_wrong_tries(sessions: SessionStore) -> None:
    sid, invs = sessions.create("zhou", "相邻关系纠纷", [PartySpec("张三", "phone"), PartySpec("李四", "terminal", "T1")])
    sid2, invs2 = sessions.create("zhou", "另一纠纷", [PartySpec("王五", "phone"), PartySpec("赵六", "phone")])
    (a,) = invs
    assert sessions.by_invitation(a.invite, a.code) == (sid, "party-a")
    assert sessions.by_invitation(a.invite, invs2[0].code if invs2[0].code != a.code else "999999") is None
    assert sessions.by_invitation(invs2[1].invite, invs2[1].code) == (sid2, "party-b")
    row = sessions.session(sid)
    assert row is not None and row["parties"]["party-a"]["code_hash"] != a.code  # only the hash is kept
    wrong = "000000" if a.code != "000000" else "111111"
    for _ in range(MAX_CODE_TRIES):
        assert sessions.by_invitation(a.invite, wrong) is None
    assert sessions.by_invitation(a.invite, a.code) is None  # locked: six digits cannot be tried through


def test_terminal_invitations_states_and_counts(sessions: SessionStore) -> None:
    sid, _ = sessions.create("zhou", "宅基地纠纷", [PartySpec("张三", "terminal", "T1"), PartySpec("李四", "terminal", "T2")])
    assert [(r["session_id"], r["label"]) for r in sessions.invited_at("T2")] == [(sid, "party-b")]
    assert sessions.invited_at("T3") == []
    sessions.set_state(sid, "active")
    assert sessions.session(sid)["started_at"] is not None  # type: ignore[index]
    sessions.agreement_kept(sid, "/x.pdf", "ab" * 32)
    assert sessions.counts() == {"mediation_sessions": 1, "mediation_agreements": 1}
    sessions.set_state(sid, "closed")
    assert sessions.invited_at("T2") == []  # a closed session invites nobody


@pytest.mark.parametrize("bad", [
    [PartySpec("", "phone"), PartySpec("李四", "phone")],
    [PartySpec("张三", "fax"), PartySpec("李四", "phone")],
    [PartySpec("张三", "terminal"), PartySpec("李四", "phone")],
    [PartySpec("张三", "phone")],
])
def test_bad_sessions_are_refused_plainly(sessions: SessionStore, bad: list[PartySpec]) -> None:
    with pytest.raises(ValueError):
        sessions.create("zhou", "纠纷", bad)


def test_names_are_masked() -> None:
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("王") == "王*"


def test_mediation_sessions_and_agreements_are_counted_in_the_figures() -> None:
    doc = figures.day_document([
        ("e1", figures.MEDIATION, {"day": "2026-12-02", "agreement": True}, "2026-12-02T10:00:00+08:00"),
        ("e2", figures.MEDIATION, {"day": "2026-12-02", "agreement": False}, "2026-12-02T11:00:00+08:00"),
        ("e3", figures.MEDIATION, {"day": "2026-12-02", "agreement": "yes"}, "2026-12-02T12:00:00+08:00"),  # malformed: skipped
    ])
    acc = figures.Acc()
    acc.add_other(doc["other"])
    result = acc.result()
    assert (result["mediation_sessions"], result["mediation_agreements"]) == (2, 1)


def test_a_media_server_that_does_not_answer_is_said_plainly(fleet: Any, tmp_path: Path) -> None:
    add_mediator(fleet)

    async def scenario() -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
        async with centre(fleet, tmp_path / "centre", None, url=f"ws://127.0.0.1:{free_port()}/") as (base, _), signed_in(base) as http:
            async with http.post("/mediation/api/sessions", json={"matter": "纠纷", "parties": [
                    {"name": "张三", "joins": "phone"}, {"name": "李四", "joins": "phone"}]}) as r:
                return r.status, await r.json(), SessionStore(fleet.store).sessions_of("zhou")

    status, body, rows = asyncio.run(scenario())
    assert status == 503 and body["error"] == "media_server" and "Traceback" not in body["detail"]
    assert [r["state"] for r in rows] == ["cancelled"]
