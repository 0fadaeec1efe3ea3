"""Run the calling display offscreen in this process and record what it shows and says.

    python tests/calling/display_run.py DATA_DIR OUT.json [WxH] [--shot F.png] [--lang en]

Seeds a queue (two windows already serving, people waiting), starts the display with a
simulated speaker, then calls the next ticket to window 3 from *another process*
(``kiosk queue call``), as a window console would, and records the screen's texts
before and after, the calls shown and what the speaker said.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Run the scenario; exit 0 when it ran (the test judges what was recorded)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("size", nargs="?", default="1920x1080")
    ap.add_argument("--shot", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--notice", default="")
    args = ap.parse_args()

    from screens.env import prepare_kivy

    w, h = (int(v) for v in args.size.split("x"))
    prepare_kivy(w, h, offscreen=True)
    from devices.audio.sim import SimSpeaker
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig
    from kiosk.tickets import Priority
    from screens.display_app import DisplayApp
    from screens.pilot import run_script

    config = KioskConfig().model_copy(update={"language": args.lang})
    terminal = build_terminal(config, args.data_dir, with_devices=False)
    q = terminal.queue
    for service, priority in (
        ("consultation", Priority.NORMAL),
        ("legal_aid", Priority.NORMAL),
        ("consultation", Priority.ELDERLY),
        ("legal_aid", Priority.NORMAL),
        ("mediation", Priority.NORMAL),
        ("consultation", Priority.NORMAL),
        ("legal_aid", Priority.DISABLED),
        ("consultation", Priority.NORMAL),
        ("notary", Priority.NORMAL),
    ):
        q.take(service, priority)
    q.call_next(1, ["consultation"])
    q.call_next(2, ["legal_aid"])

    speaker = SimSpeaker("sim:", seconds_per_char=0.02)
    speaker.open()
    app = DisplayApp(terminal, speaker, windows=[1, 2, 3, 4], notice=args.notice)
    record: dict[str, object] = {}

    def script(p):  # type: ignore[no-untyped-def]
        record["before"] = p.texts()
        env = dict(__import__("os").environ, PYTHONPATH=str(ROOT), KIOSK_DATA_DIR=str(args.data_dir))
        call = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "queue", "call", "--window", "3", "--service", "legal_aid", "--json"],
            env=env, capture_output=True, text=True, timeout=60,
        )
        record["called"] = json.loads(call.stdout)["number"] if call.returncode == 0 else None
        for _ in range(40):  # the display follows within a poll or two
            yield 0.1
            if app.calls_shown:
                break
        yield 0.8  # layout and the announcement (at 0.02 s a character) settle
        record["after"] = p.texts()
        record["calls_shown"] = list(app.calls_shown)
        record["spoken"] = speaker.spoken()
        if args.shot:
            p.screenshot(args.shot.resolve())

    try:
        run_script(app, script)
    finally:
        speaker.close()
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
