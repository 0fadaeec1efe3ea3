"""The app offscreen with the toy "ping" feature registered: its tile, its screen.

    python tests/features/ping_app.py DATA_DIR OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Generator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    data_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    from screens.env import prepare_kivy

    prepare_kivy(1280, 800, offscreen=True)
    from kiosk.bootstrap import FEATURES, build_terminal
    from kiosk.config import KioskConfig
    from screens.app import KioskApp
    from screens.pilot import run_script
    from tests.features.ping import REGISTRATION

    terminal = build_terminal(KioskConfig(), data_dir, simulate=True, features=(*FEATURES, REGISTRATION))
    app = KioskApp(terminal)
    record: dict[str, Any] = {}

    def script(p: Any) -> Generator[float, None, None]:
        yield p.tap("start")
        record["home_actions"] = sorted(b.action for b in p.buttons() if b.action)
        yield p.tap("ping:open")
        record["screen"] = app.sm.current
        yield p.tap("ping:ping")
        yield p.tap("ping:ping")
        record["count_shown"] = app.sm.current_screen.count.text
        record["idle_s"] = terminal.flow.idle_timeout()
        p.screenshot(data_dir / "ping.png")
        yield p.tap("home")
        record["after_home"] = app.sm.current
        yield p.tap("ping:open")
        yield p.tap("finish")
        record["after_finish"] = app.sm.current
        record["count_after_visit"] = terminal.flow.features.get("ping").pings  # type: ignore[union-attr]

    try:
        run_script(app, script)
    finally:
        terminal.close()
        out.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
