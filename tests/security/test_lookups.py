"""Terminals' look-ups of people's records: a terminal gets the status only (never the
staff's note), look-ups are rate-limited per terminal and audited at the centre (no ID
number in clear), the public progress page is throttled against guessing, and a booking
code cannot be walked through with guessed phone digits. Real Mosquitto, real agent,
real SQLite store, the centre's real web server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any

import pytest

from fleet.intake.store import applications
from kiosk.legal_aid.flow import PROGRESS_ASK
from kiosk.legal_aid.sealing import seal
from kiosk.ports import CentreError
from tests.appointments.conftest import person
from tests.fleet.conftest import until

ID_NUMBER = "42020219560315002X"
NOTE = "请补充工资条和考勤记录"


def _file_application(fleet: Any, keys: Any, number: str, check_code: str) -> None:
    """An application as the intake files it, at "more material" with the staff's note."""
    now = datetime.now(timezone.utc)
    with fleet.store.engine.begin() as c:
        c.execute(applications.insert().values(
            event_id=f"ev-{number}", number=number, check_code=check_code, terminal_id="LA-X", site="团城山", submitted_at=now,
            received_at=now, matter="wage_arrears", groups="[]", hardship=0, id_hash=keys.id_hash(ID_NUMBER), sealed="-",
            status="more_material", note=NOTE, status_at=now, status_by="staff"))


def _online(fleet: Any, tid: str) -> Any:
    t = fleet.terminal(tid)
    fleet.agent(t)
    until(lambda: t.centre is not None and t.centre.connected())
    return t


def test_a_terminal_gets_the_status_only_and_every_lookup_is_audited(centre, keys):
    fleet, web = centre
    _file_application(fleet, keys, "2611270001001", "K7P2QX")
    t = _online(fleet, "LK-1")
    sealed = seal(keys.public_text, ID_NUMBER.encode(), b"progress")
    by_card = t.centre.ask(PROGRESS_ASK, {"sealed_id": sealed}, timeout=10)["applications"]
    assert [a["status"] for a in by_card] == ["more_material"] and by_card[0]["matter"] == "wage_arrears"
    assert all("note" not in a for a in by_card), by_card  # the staff's note stays at the centre
    by_number = t.centre.ask(PROGRESS_ASK, {"number": "2611270001001"}, timeout=10)["applications"]
    assert by_number and all(set(a) == {"number", "status", "submitted", "status_at"} for a in by_number)

    rows = fleet.center.lookup_guard.audit_rows("LK-1")
    assert [(r["kind"], r["outcome"], r["found"]) for r in reversed(rows)] == [
        ("legal_aid.progress.card", "found", 1), ("legal_aid.progress.number", "found", 1)]
    assert rows[1]["subject"] == keys.id_hash(ID_NUMBER)  # who was looked up: a keyed hash
    dump = json.dumps(rows, default=str)
    assert ID_NUMBER not in dump and ID_NUMBER[:6] + "*" not in dump


def test_a_terminal_walking_through_numbers_is_throttled(centre, keys):
    fleet, web = centre
    t = _online(fleet, "LK-2")
    answered = 0
    with pytest.raises(CentreError) as refused:
        for n in range(100):
            t.centre.ask(PROGRESS_ASK, {"number": f"26112700010{n:02d}"}, timeout=10)
            answered += 1
    assert refused.value.code == "rate_limited" and answered < 10
    # Another terminal is not held up by this one.
    other = _online(fleet, "LK-3")
    assert other.centre.ask(PROGRESS_ASK, {"number": "2611270001001"}, timeout=10) == {"applications": []}
    assert any(r["outcome"] == "throttled" for r in fleet.center.lookup_guard.audit_rows("LK-2"))


def _get(url: str, forwarded_for: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_public_page_refuses_guessed_check_codes(centre, keys):
    fleet, web = centre
    _file_application(fleet, keys, "2611270001002", "M3Q9RT")
    page = f"{web.base}/legal-aid/progress?n=2611270001002&c="
    for wrong in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        status, body = _get(page + wrong)
        assert status == 200 and "没有找到" in body
    # Five wrong check codes for this number: even the right one waits now.
    status, body = _get(page + "M3Q9RT")
    assert status == 429 and "查询太频繁" in body and NOTE not in body
    # And one client cannot try numbers without end.
    codes = [_get(f"{web.base}/legal-aid/progress?n=26112799{i:05d}&c=AAAAAA")[0] for i in range(12)]
    assert 429 in codes
    # Behind the site's proxy on this machine, each person has a budget of their own.
    assert _get(f"{web.base}/legal-aid/progress?n=2611279900099&c=AAAAAA", forwarded_for="1.2.3.4, 203.0.113.9")[0] == 200
    rows = fleet.center.lookup_guard.audit_rows()
    assert {r["kind"] for r in rows} == {"legal_aid.progress.web"}
    assert {r["who"] for r in rows} == {"web:127.0.0.1", "web:203.0.113.9"}


def test_booking_codes_cannot_be_walked_with_guessed_phone_digits(appt_fleet):
    appt_fleet.publish(capacity=2)
    owner = appt_fleet.online_terminal("AK-1")
    slot = owner.centre.ask("appointments.slots", {"service": "consultation"}, timeout=10)["slots"][0]
    booking = owner.centre.ask("appointments.book", {"slot_id": slot["id"], "id_number": person().id_number,
                                                     "phone": "13900008000", "name": "李*"}, timeout=10)["booking"]
    code = booking["code"]
    thief = appt_fleet.online_terminal("AK-2")
    for digits in ("0000", "1111", "2222", "3333", "4444"):
        assert thief.centre.ask("appointments.find", {"code": code, "phone_last4": digits}, timeout=10) == {"bookings": []}
    # Locked for that code now, from every terminal of the site, even with the right digits.
    with pytest.raises(CentreError) as locked:
        owner.centre.ask("appointments.cancel", {"code": code, "phone_last4": "8000"}, timeout=10)
    assert locked.value.code == "rate_limited"
    # A check-in by code tells nothing about the person.
    checked = owner.centre.ask("appointments.checkin", {"code": code}, timeout=10)["booking"]
    assert checked["state"] == "checked_in" and "name" not in checked and "phone_last4" not in checked
    rows = appt_fleet.center.lookup_guard.audit_rows("AK-2")
    assert len(rows) == 5 and {r["outcome"] for r in rows} == {"none"} and {r["subject"] for r in rows} == {code}
    assert "13900008000" not in json.dumps(appt_fleet.center.lookup_guard.audit_rows(), default=str)
