"""Voice mode on a terminal without a speech model: it says and shows what works
(screens read aloud, the keypad) and what does not, never invites speech, and the
technician screen reports the missing model as a fault."""

from __future__ import annotations

from pathlib import Path

import pytest

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
