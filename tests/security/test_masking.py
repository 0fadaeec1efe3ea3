"""Log masking: no ID number survives, wherever it stands in the text; ordinary
numbers (tickets, times, dates, masked phones) are left as they are."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.idnumber import is_valid_number, mod11_2_check_char
from kiosk.logs import mask_text

VALID_18 = "420281199106080036"
VALID_15 = "420281910608003"  # first generation: region, YYMMDD, sequence


def test_the_sample_numbers_are_valid() -> None:
    assert is_valid_number(VALID_18, today=date(2026, 1, 1))


@pytest.mark.parametrize(
    "text",
    [
        f"ID{VALID_18}",
        f"id={VALID_18};",
        f"abc{VALID_18}def",
        f"身份证{VALID_18}已读",
        json.dumps({"id": VALID_18}),
        json.dumps({"note": f"card ID{VALID_18} read"}),
        f"\\n{VALID_18}\\n",
        f"card {VALID_15} read",
        f"old{VALID_15}card",
        json.dumps({"id15": VALID_15}),
        "42028119910608003X",
        "x42028119910608003xy",
    ],
)
def test_id_numbers_anywhere_are_masked(text: str) -> None:
    masked = mask_text(text)
    assert VALID_18 not in masked and VALID_15 not in masked
    assert "42028119910608003" not in masked
    assert "*" in masked


@pytest.mark.parametrize(
    "text",
    [
        "ticket A001 issued at 2026-12-02T13:05:09",
        "B017 called to window 3 at 13:05",
        "phone 138****1234 booked",
        "day 20261202, seq 12345678901234",  # 14 digits: shorter than any ID number
        "event 3f2a9c1e8b7d4e6f a1b2c3",
        "wait_seconds=3600 ahead=12",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert mask_text(text) == text


def test_existing_shapes_still_masked() -> None:
    assert mask_text("card 42020219560101123X read") == "card 4202**********123X read"
    assert mask_text("permit ABC123456789012 ok") == "permit ABC1*******9012 ok"


_REGIONS = st.sampled_from(["110101", "420281", "440305", "510104", "650102", "810000"])
_BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@st.composite
def id18(draw: st.DrawFn) -> str:
    """A valid 18-digit resident ID number."""
    first17 = draw(_REGIONS) + draw(_BIRTHS).strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return first17 + mod11_2_check_char(first17)


@st.composite
def id15(draw: st.DrawFn) -> str:
    """A first-generation 15-digit number (born 1900–1999, YYMMDD)."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)))
    return draw(_REGIONS) + born.strftime("%y%m%d") + f"{draw(st.integers(0, 999)):03d}"


_AROUND = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=300, deadline=None)
@given(number=st.one_of(id18(), id15()), before=_AROUND, after=_AROUND, as_json=st.booleans())
def test_no_id_number_survives_masking(number: str, before: str, after: str, as_json: bool) -> None:
    text = before + number + after
    if as_json:
        text = json.dumps({"k": text}, ensure_ascii=False)
    masked = mask_text(text)
    # Whatever surrounds it, the number (and its first 15/17 digits) is gone.
    assert number not in masked
    assert number[:-1] not in masked


def test_the_centre_masks_log_lines_a_terminal_sends_unmasked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A terminal whose credentials are in other hands answers ``get_logs`` with raw ID
    numbers: the centre masks them before anyone sees them or the history keeps them."""
    import shutil
    from pathlib import Path

    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        pytest.skip("mosquitto is not installed")
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from sqlalchemy import select

    from fleet import topics
    from fleet.center.tables import commands
    from fleet.mqttlink import make_client, parse_broker_url
    from tests.fleet.conftest import Fleet, until

    raw = [f"card ID{VALID_18} read", f"old card{VALID_15}", "ticket A001 at 09:05"]
    fleet = Fleet(tmp_path)
    rogue = None
    try:
        pw = fleet.provision("R1")
        rogue = make_client("R1", "R1", pw)

        def answer(client, userdata, msg) -> None:  # type: ignore[no-untyped-def]
            cmd = topics.Command.model_validate_json(msg.payload)
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = msg.properties.CorrelationData
            res = topics.CommandResult(id=cmd.id, ok=True, result={"lines": raw})
            client.publish(msg.properties.ResponseTopic, res.to_bytes(), qos=1, properties=props)

        subscribed: list[int] = []
        rogue.on_message = answer
        rogue.on_subscribe = lambda *a: subscribed.append(1)
        rogue.on_connect = lambda c, *a: c.subscribe(topics.topic("R1", topics.CMD), qos=1)
        host, port, _ = parse_broker_url(fleet.broker.url)
        rogue.connect(host, port)
        rogue.loop_start()
        until(lambda: subscribed)
        res = fleet.center.command("R1", "get_logs", {"lines": 3}, timeout=10)
        assert res.ok, res
        shown = "\n".join(res.result["lines"])
        assert VALID_18 not in shown and VALID_15 not in shown
        assert res.result["lines"][2] == "ticket A001 at 09:05"
        fleet.center.flush_journal()
        with fleet.store.engine.connect() as c:
            kept = c.execute(select(commands.c.result).where(commands.c.terminal_id == "R1")).scalar_one()
        assert VALID_18 not in kept and VALID_15 not in kept
    finally:
        if rogue is not None:
            rogue.loop_stop()
            rogue.disconnect()
        fleet.close()
