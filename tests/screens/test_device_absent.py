"""A device the screen shown needs is missing or faulty: the screen says so within 2 s,
in plain words (and aloud in voice mode), and offers the way on — never waits forever."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.test_card_reminder import run, texts

pytestmark = pytest.mark.ui


def test_unplugged_reader_and_printer_out_of_paper(data_dir: Path) -> None:
    r = run("device_absent", data_dir)
    assert "读卡器暂时不能使用" not in texts(r, "card")
    # The reader unplugged under the waiting card screen: said within 2 s, on screen
    # and aloud, with a ticket for the window as the way on.
    assert r["reader_seconds"] <= 2.0
    assert "读卡器暂时不能使用" in texts(r, "unplugged")
    # (in words that agree with the card screen's heading, not "不用身份证")
    assert r["way_on"] == ["window_ticket"] and "取号到窗口办理，由工作人员核对" in texts(r, "unplugged")
    assert any("读卡器暂时不能使用" in s for s in r["spoken_unplugged"])
    # The way on: a ticket for the service, without the card (staff check it at the window).
    assert r["ticket"] is not None and r["ticket"][1] == "legal_aid"
    assert r["ticket"][0] in texts(r, "window_ticket")
    # The materials screen's own step is printing: paper out is said there at once,
    # the ticket can still be taken, and it clears when paper is back.
    assert r["printer_seconds"] <= 2.0
    assert "打印机暂时不能打印" in texts(r, "paper_out") and r["take_offered"]
    assert "打印机暂时不能打印" not in texts(r, "paper_back")


def test_camera_unplugged_before_a_video_call(data_dir: Path) -> None:
    r = run("camera_absent", data_dir)
    assert "摄像头暂时不能使用" not in texts(r, "consent")
    assert r["camera_seconds"] <= 2.0
    assert "摄像头暂时不能使用" in texts(r, "camera_unplugged")
    # The way on: a consultation ticket for the window instead of the call.
    assert r["ticket"] is not None and r["ticket"][1] == "consultation"
    assert r["ticket"][0] in texts(r, "window_ticket")
