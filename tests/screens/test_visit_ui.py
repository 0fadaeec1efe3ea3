"""The app driven offscreen by touches, checked by what is on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.ui import run_scenario, step, text

pytestmark = pytest.mark.ui
SCENARIOS = "tests.screens.scenarios"


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Play scenario ``name`` of tests/screens/scenarios.py in its own process; its record."""
    return run_scenario(SCENARIOS, name, data_dir, given, size=size)


def test_a_whole_visit_by_touch(data_dir: Path) -> None:
    r = run("visit", data_dir)
    assert step(r, "attract")["screen"] == "attract"
    assert "公共法律服务" in text(r, "attract") and "12348" in text(r, "attract")
    assert step(r, "home")["screen"] == "home"
    for name in ("法律咨询", "法律援助", "人民调解", "公证", "司法鉴定", "仲裁", "视频找律师"):
        assert name in text(r, "home")
    assert "法律咨询" in text(r, "service") and "目前无人等候" in text(r, "service")
    assert step(r, "materials")["screen"] == "materials"
    assert "1. 本人身份证" in text(r, "materials") and "必带" in text(r, "materials")
    assert step(r, "ticket")["screen"] == "ticket"
    assert "A001" in step(r, "ticket")["texts"]
    assert "前面没有人，请留意叫号" in text(r, "ticket")
    assert "扫码把号码存到手机" in text(r, "ticket")  # no queue page configured: the QR keeps the number
    assert r["queue"] == ["A001"]
    assert step(r, "done")["screen"] == "done" and "请留意叫号" in text(r, "done")
    assert step(r, "end")["screen"] == "attract"


def test_back_english_and_elder_mode(data_dir: Path) -> None:
    r = run("back_and_language", data_dir)
    assert step(r, "back")["screen"] == "home"
    assert "Take a number for a window" in text(r, "english") and "Do it here yourself" in text(r, "english")
    assert "People's mediation" in text(r, "english")
    small, large = r["font_sizes"]
    assert large >= small * 1.25
    assert r["columns"] == 2  # elder mode: two wide tiles a row, each line whole
    assert step(r, "end")["screen"] == "attract"
    assert r["language_after"] == "zh_CN"  # the next person starts in Chinese


def test_portrait_home_has_two_columns(data_dir: Path) -> None:
    r = run("back_and_language", data_dir, size="800x1280")
    assert r["columns"] == 1  # elder mode in portrait: one tile per row


def test_idle_question_then_wipe(data_dir: Path) -> None:
    r = run("idle", data_dir)
    assert "您还在吗？" in text(r, "asked")
    assert step(r, "answered")["screen"] == "service" and "您还在吗？" not in text(r, "answered")
    assert step(r, "ended")["screen"] == "attract"


def test_technician_pin_and_simulator(data_dir: Path) -> None:
    r = run("technician", data_dir)
    assert step(r, "pin")["screen"] == "pin"
    assert "密码不正确" in text(r, "wrong")
    tech = text(r, "technician")
    assert step(r, "technician")["screen"] == "technician"
    for name in ("身份证读卡器", "打印机", "摄像头", "麦克风", "扬声器"):
        assert name in tech
    assert "未连接" in text(r, "camera_unplugged")
    assert step(r, "exit")["screen"] == "attract"


def test_printer_out_of_paper_keeps_the_ticket_on_screen(data_dir: Path) -> None:
    r = run("paper_out", data_dir)
    failed = text(r, "failed")
    assert step(r, "failed")["screen"] == "ticket"
    assert "A001" in step(r, "failed")["texts"]
    assert "未能打印号票，请拍照或扫码保存您的号码" in failed
    assert r["notice"] == "打印机缺纸，请拍照或扫码保存您的号码"
    assert "重新打印号票" in failed
    assert "号票已打印，请取走" in text(r, "reprinted")
    assert "重新打印号票" not in text(r, "reprinted")
    assert r["printed"]


def test_a_70_year_old_places_the_card_and_gets_an_elderly_ticket(data_dir: Path) -> None:
    r = run("elderly_card", data_dir, card_action="idcard.insert_elderly")
    assert step(r, "card")["screen"] == "card"
    assert "请把身份证放在读卡区" in text(r, "card")
    assert r["ticket"] == {"number": "B001", "priority": "elderly"}
    shown = text(r, "ticket")
    assert "B001" in step(r, "ticket")["texts"]
    assert "优先 · 60岁以上老人" in shown
    holder = next(line for line in step(r, "ticket")["texts"] if line.startswith("持证人："))
    assert holder.endswith("*") and "*" in holder  # masked: family name only
    assert r["card_after"] is False  # the visit ended: the card's data is gone


def test_an_expired_card_is_explained_on_the_card_screen(data_dir: Path) -> None:
    r = run("elderly_card", data_dir, card_action="idcard.insert_expired")
    assert r["ticket"] is None
    assert "身份证已过有效期" in text(r, "ticket")  # still on the card screen, told why


def test_a_whole_visit_by_keypad_with_every_step_spoken(data_dir: Path) -> None:
    r = run("keypad", data_dir)
    assert step(r, "home")["screen"] == "home"
    assert step(r, "service")["screen"] == "service"
    assert step(r, "materials")["screen"] == "materials"
    assert step(r, "ticket")["screen"] == "ticket"
    assert step(r, "escaped")["screen"] == "home"
    assert step(r, "end")["screen"] == "attract"
    assert r["queue"] == ["A001"]
    spoken = "\n".join(r["spoken"])
    assert "请选择您要办理的业务" in spoken  # the home screen said what it is
    assert "法律咨询" in spoken and "可以选择" in spoken  # and what it offers
    assert "请带齐以下材料" in spoken and "必带：1. 本人身份证" in spoken  # the materials, read out
    assert "您的号码A零零一号" in spoken  # the number as people say it
    assert "取号排队" in spoken  # the focused button was named


def test_a_whole_visit_in_voice_mode_by_recognised_speech(data_dir: Path) -> None:
    r = run("voice_visit", data_dir)
    assert step(r, "home")["screen"] == "home"
    assert step(r, "service")["screen"] == "service" and "法律咨询" in text(r, "service")
    assert step(r, "materials")["screen"] == "materials"
    assert step(r, "ticket")["screen"] == "ticket" and "A001" in step(r, "ticket")["texts"]
    assert step(r, "done")["screen"] == "done"
    assert r["queue"] == ["A001"]
    spoken = "\n".join(r["spoken"])
    assert "已打开语音服务" in spoken
    assert "请选择您要办理的业务" in spoken and "可以选择：法律咨询" in spoken
    assert "婚姻家庭" in spoken  # the service screen read its summary
    assert spoken.count("您的号码A零零一号") >= 2  # said, then repeated on request
    assert "请留意叫号" in spoken
    assert spoken.endswith("没有听清，请再说一遍，或用按键选择。")


def test_the_kiosk_announces_calls_when_configured_to(data_dir: Path) -> None:
    r = run("announce_in_app", data_dir, config="[calling]\nannounce_in_app = true\n")
    calls = [s for s in r["spoken"] if "窗口办理" in s]
    assert calls == ["请A零零一号到2号窗口办理", "请A零零一号到2号窗口办理"]
