"""The call screens driven offscreen, by touch and by voice (each scenario in its own
process; the centre is the loopback duty lawyer, a real aiortc peer on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.ui import run_scenario, step, text


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Play scenario ``name`` of call_scenarios.py in its own process; its record."""
    return run_scenario("tests.video.call_scenarios", name, data_dir, given, size=size)


def test_no_lawyer_then_a_call_by_touch_with_consent(tmp_path: Path) -> None:
    r = run("call_by_touch", tmp_path, elder=True)
    # No centre: no video tile (a note says why); with one, it calls.
    assert "call:open" not in r["home_actions_no_centre"] and "service:video" not in r["home_actions_no_centre"]
    assert "call:open" in r["home_actions"] and "service:video" not in r["home_actions"]
    # Nobody on duty: said plainly, and a ticket for the window offered instead.
    assert step(r, "no_lawyer")["screen"] == "call_ended" and "现在没有值班律师在线" in text(r, "no_lawyer")
    assert step(r, "ticket_service")["screen"] == "service"
    assert step(r, "consent")["screen"] == "call_consent"
    assert "本次通话将录音录像，是否同意？" in text(r, "consent")
    assert "前面还有 1 位" in text(r, "wait_first") or "正在连接服务中心" in text(r, "wait_first")
    assert "下一位就是您" in text(r, "wait") and "律师马上接听" in text(r, "wait")
    assert r["idle_timeout_waiting"] is None  # no time pressure while waiting, elder mode or not
    assert step(r, "active")["screen"] == "call_active"
    assert "正在与王律师通话" in text(r, "active") and "● 录音录像中" in text(r, "active")
    assert r["remote_texture"] == [640, 480] and r["self_texture"] == [640, 480]  # the lawyer's picture is drawn
    assert r["stats"]["video_received"] >= 5 and r["stats"]["audio_received"] >= 20 and r["stats"]["audio_peak"] > 500, r["stats"]
    assert r["stats"]["video_sent"] >= 5 and r["stats"]["audio_sent"] >= 20, r["stats"]  # and the terminal's own, sent
    assert r["idle_timeout_in_call"] is None  # nobody is timed out mid-call
    assert "音量 90%" in text(r, "louder")
    assert step(r, "ended")["screen"] == "call_ended" and "您已挂断" in text(r, "ended")
    assert {"rate:video", "call:ticket", "home"} <= set(r["ended_actions"])
    assert r["signals"] == ["request", "request", "hangup"] and r["consent"] is True
    unanswered, fig = r["outbox"]
    assert unanswered["answered"] is False and unanswered["recorded"] is False
    assert fig["answered"] is True and fig["recorded"] is True and fig["service"] == "video"
    assert 1.0 <= fig["duration_s"] < 30 and fig["wait_s"] >= 1.0
    assert set(fig) == {"day", "service", "answered", "wait_s", "duration_s", "recorded"}  # counts only
    assert step(r, "home_again")["screen"] == "home"


def test_consent_refused_by_voice_still_talks_unrecorded(tmp_path: Path) -> None:
    r = run("call_by_voice", tmp_path)
    assert step(r, "consent")["screen"] == "call_consent"
    assert step(r, "wait")["screen"] in ("call_wait", "call_active")
    assert r["consent"] is False
    assert "未录像" in text(r, "active")
    assert "律师已结束通话" in text(r, "ended")
    spoken = "\n".join(r["spoken"])
    # No speech model here: the question asks for the answer that works on this terminal
    # (tests/screens/test_voice_without_model.py); words at the recogniser's boundary still answer it.
    assert "本次通话将录音录像，是否同意？" in spoken and "请按确认键表示同意" in spoken and "请说“同意”" not in spoken
    assert r["outbox"][0]["recorded"] is False and r["outbox"][0]["answered"] is True
