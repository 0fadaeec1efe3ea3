"""Voice mode on a terminal without a speech model: it says and shows what works
(screens read aloud, the keypad) and what does not, never invites speech, and the
technician screen reports the missing model as a fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fleet.conftest import fleet  # noqa: F401 — the real broker + centre fixture
from tests.screens.test_card_reminder import run, texts

pytestmark = pytest.mark.ui
INVITATIONS = ("请直接说", "直接说话", "请说", "说“", "直接说出")


def test_voice_mode_without_a_model(data_dir: Path) -> None:
    r = run("voice_without_model", data_dir)
    spoken = "\n".join(r["spoken"])
    assert "已打开语音服务" in spoken and "本机暂不能听懂说话" in spoken  # what does not work
    assert "读出每一屏" in spoken and "上下键" in spoken  # what does
    for invitation in INVITATIONS:
        assert invitation not in spoken, invitation
    assert "您还在吗" in spoken  # the idle question is still asked aloud…
    assert "按确认键" in spoken  # …with an answer that works
    for label in ("home", "service"):
        assert "本机暂不能听懂说话" in texts(r, label)  # shown, not only said
    tech = texts(r, "technician")
    assert "语音识别" in tech and "故障" in tech and "未安装模型" in tech


def test_the_fleet_reports_the_missing_model_as_a_fault(fleet) -> None:  # type: ignore[no-untyped-def]
    """self_test fails and the dashboard raises an alert for a terminal with a
    microphone and no speech model (a real agent over real Mosquitto)."""
    from datetime import datetime, timezone

    from fleet.dashboard.server import alerts
    from tests.fleet.conftest import until

    t = fleet.terminal("V1", devices=True, telemetry_seconds=1)
    try:
        fleet.agent(t)
        until(lambda: (row := fleet.store.terminal("V1")) and row["online"] and row["telemetry"])
        st = fleet.center.command("V1", "self_test", timeout=10)
        assert st.ok and st.result["ok"] is False and st.result["speech_model"] is False
        speech = next(d for d in st.result["devices"] if d["kind"] == "speech")
        assert speech["state"] == "absent" and "not installed" in speech["detail"]
        row = fleet.store.terminal("V1")
        assert "speech_model_missing" in alerts(row, 10, datetime.now(timezone.utc))
    finally:
        t.close()
