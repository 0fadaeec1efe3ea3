"""The simulated speaker says when it is speaking, like the espeak one."""

from __future__ import annotations

import time

from devices.audio.sim import SimSpeaker


def test_speaking_flag() -> None:
    speaker = SimSpeaker("sim:", seconds_per_char=0.05)
    speaker.open()
    try:
        assert not speaker.speaking
        speaker.say("请A零零一号到一号窗口办理")
        time.sleep(0.1)
        assert speaker.speaking
        speaker.say("好", interrupt=True)
        time.sleep(0.3)
        assert not speaker.speaking
        assert speaker.spoken() == ["请A零零一号到一号窗口办理", "好"]
    finally:
        speaker.close()
