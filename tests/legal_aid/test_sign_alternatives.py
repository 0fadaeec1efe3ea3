"""The other ways the law allows to sign a legal-aid application (a fingerprint mark,
or at the window with the form kept), told up front; the summary before signing; the
hardship declaration read aloud; the real reason when hardship was not declared; check
codes of digits only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk import events as ev
from kiosk.legal_aid.application import new_check_code
from kiosk.legal_aid.sealing import open_box
from kiosk.visit import VisitState as S
from kiosk.legal_aid.states import LegalAidState as LA
from tests.legal_aid.conftest import PHONE, la_config_toml
from tests.legal_aid.test_core import answer, to_phone
from tests.support.ui import run_scenario


def to_sign(t: Any) -> Any:
    f = to_phone(t)
    assert answer(f, "group", "done") is LA.LA_HARDSHIP
    assert answer(f, "hardship", "yes") is LA.LA_PHONE
    assert answer(f, "phone", PHONE) is LA.LA_STORY
    answer(f, "story", "老板拖欠三个月工资")
    answer(f, "story", "done")
    assert answer(f, "letter", "agree") is LA.LA_SIGN
    return f


def test_check_codes_are_digits_only() -> None:
    codes = {new_check_code() for _ in range(300)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 250  # random, not a counter


def test_the_summary_names_what_is_signed_with_the_phone_masked(la_terminal: Any) -> None:
    f = to_sign(la_terminal)
    text = f.features.get("legal_aid").summary("zh_CN")
    assert "讨要工资（欠薪）" in text and "已承诺" in text and "老板拖欠三个月工资" in text
    assert "138****5678" in text and PHONE not in text
    assert "Unpaid wages" in f.features.get("legal_aid").summary("en")


def test_a_fingerprint_mark_is_signed_and_sealed_as_such(la_terminal: Any, keys: Any) -> None:
    f = to_sign(la_terminal)
    assert answer(f, "sign", "fingerprint", b"") is LA.LA_SIGN
    assert f.visit.notice_key == "legal_aid.ways.fingerprint_empty"
    assert answer(f, "sign", "fingerprint", b"\x89PNG mark") is LA.LA_DONE
    sub = f.features.get("legal_aid").draft.submitted
    assert sub.sign_method == "fingerprint" and sub.check_code.isdigit()
    sealed = {e.kind: e for e in la_terminal.outbox.pending()}["legal_aid_application"].payload
    doc = json.loads(open_box(keys.private, sealed["sealed"], sub.number.encode()))
    assert doc["sign_method"] == "fingerprint" and doc["signature_png"]


def test_kept_for_the_window_is_numbered_without_a_signature(la_terminal: Any, keys: Any) -> None:
    f = to_sign(la_terminal)
    assert answer(f, "sign", "window") is LA.LA_DONE
    sub = f.features.get("legal_aid").draft.submitted
    assert sub.sign_method == "window"
    sealed = {e.kind: e for e in la_terminal.outbox.pending()}["legal_aid_application"].payload
    doc = json.loads(open_box(keys.private, sealed["sealed"], sub.number.encode()))
    assert doc["sign_method"] == "window" and doc["signature_png"] == "" and doc["phone"] == PHONE


def test_an_unknown_way_of_signing_is_refused(la_terminal: Any) -> None:
    f = to_sign(la_terminal)
    assert answer(f, "sign", "stamp", b"\x89PNG") is LA.LA_SIGN
    assert f.visit.notice_key == "error.generic" and f.features.get("legal_aid").draft.submitted is None


def test_the_window_slip_says_to_sign_there(la_terminal: Any, clock: Any) -> None:
    from kiosk.legal_aid.application import Submitted
    from kiosk.legal_aid.receipt import legal_aid_receipt

    data, config = la_terminal.flow.features.get("legal_aid").data, la_terminal.config
    kept = Submitted("2611270001001", "482913", "wages", clock.now(), "e1", sign_method="window")
    signed = Submitted("2611270001002", "482914", "wages", clock.now(), "e2")
    assert "本申请尚未签字：请持本回执到窗口" in legal_aid_receipt(kept, data, config).text_content()
    assert "尚未签字" not in legal_aid_receipt(signed, data, config).text_content()


def test_the_centre_files_a_window_application_without_a_signature(tmp_path: Path, la_terminal: Any, keys: Any) -> None:
    from datetime import datetime, timezone

    from sqlalchemy import create_engine

    from fleet.center.store import events, metadata
    from fleet.intake.store import Intake

    f = to_sign(la_terminal)
    answer(f, "sign", "window")
    event = {e.kind: e for e in la_terminal.outbox.pending()}["legal_aid_application"]
    engine = create_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    metadata.create_all(engine)
    now = datetime.now(timezone.utc)
    with engine.begin() as c:
        c.execute(events.insert().values(event_id=event.event_id, terminal_id="t1", kind=event.kind,
                                         payload=json.dumps(event.payload), created_at=now, received_at=now))
    intake = Intake(engine, keys)
    assert intake.import_new() == 1
    app_id = intake.list()[0]["id"]
    assert intake.detail(app_id)["application"]["sign_method"] == "window"
    assert intake.signature_png(app_id) is None  # staff see "sign at the window", not a broken image


# --- in the real app ------------------------------------------------------------------


def run(name: str, data_dir: Path, keys: Any, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    given.setdefault("config", la_config_toml(keys.public_text))
    given.setdefault("card_action", "idcard.insert_adult")
    return run_scenario("tests.legal_aid.sign_scenarios", name, data_dir, given, size=size, timeout=200)


def text(record: dict[str, Any], label: str) -> str:
    return "\n".join(next(s for s in record["steps"] if s["label"] == label)["texts"])


@pytest.mark.ui
def test_hardship_read_aloud_and_the_real_reason(tmp_path: Path, keys: Any) -> None:
    r = run("hardship_answered_no", tmp_path / "d", keys)
    # Told up front, on the first screen, in writing and in the spoken prompt.
    for said in (text(r, "la_matter"), r["matter_spoken"]):
        assert "按手印" in said and "到窗口当面签字" in said and "身份证" in said
    assert any("法律援助实行经济困难告知承诺制" in s for s in r["read"])
    outside = text(r, "la_outside")
    assert "您选择了“我不困难”" in outside and "返回" in outside
    assert "不在法律援助范围内" not in outside
    assert "take" in r["outside_buttons"]
    assert next(s for s in r["steps"] if s["label"] == "back")["screen"] == "la_hardship"


@pytest.mark.ui
def test_sign_by_fingerprint_in_the_app(tmp_path: Path, keys: Any) -> None:
    r = run("sign_by_fingerprint", tmp_path / "d", keys)
    sign = text(r, "la_sign")
    assert "请核对您的申请" in sign and "讨要工资（欠薪）" in sign and "138****5678" in sign
    assert "改为按手印" in sign and "到窗口签字" in sign
    assert "请核对您的申请" in r["sign_spoken"] and "讨要工资" in r["sign_spoken"]
    assert "请按手印" in text(r, "fingerprint") and "把手指按在这里" in text(r, "fingerprint")
    assert r["empty_notice"] == "还没有按手印，请把手指按在框内"
    assert r["mark"] is not None
    assert r["submitted"]["sign_method"] == "fingerprint" and r["submitted"]["code"].isdigit()
    assert "申请已提交" in text(r, "la_done")


@pytest.mark.ui
def test_sign_at_the_window_in_the_app(tmp_path: Path, keys: Any) -> None:
    r = run("sign_at_the_window", tmp_path / "d", keys)
    done = text(r, "la_done")
    assert "申请已保存，请到窗口签字" in done and "工作人员会请您当面签字或按手印" in done
    assert r["submitted"]["number"] in done.replace(" ", "") and "回执已打印" in done
    assert r["submitted"]["sign_method"] == "window"
    assert "请拿着回执到窗口签字" in r["done_spoken"]
