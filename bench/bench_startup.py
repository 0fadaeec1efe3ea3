"""Cold start to the first frame of the attract screen, beside a bare Kivy app.

Each run is a fresh process (cold imports, new window), rendered offscreen. The bare app
is one Label of Chinese text in the CJK font (without a CJK font Kivy shows boxes, so
every Kivy app for Chinese users registers one). The kiosk side does what ``kiosk run
--simulate`` does: configuration, logging, Kivy set-up, the terminal, the app (its
devices start right after the first frame). Goal: at most 1.5× the bare app.

    python bench/bench_startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = r"""
import os, sys, time
t0 = float(sys.argv[1])
os.environ["KIVY_NO_ARGS"] = "1"; os.environ["KIVY_NO_CONSOLELOG"] = "1"; os.environ["KIVY_NO_FILELOG"] = "1"
from kivy.config import Config
Config.set("graphics", "width", "1280"); Config.set("graphics", "height", "800")
from kivy.app import App
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.uix.label import Label
# Kivy's own font has no Chinese glyphs: any Kivy app for Chinese users registers one.
LabelBase.register(DEFAULT_FONT, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
class Bare(App):
    def build(self):
        return Label(text="公共法律服务", font_size=76)
    def on_start(self):
        def flip(*_):
            print(f"{time.time() - t0:.4f}", flush=True)
            Window.unbind(on_flip=flip)
            self.stop()
        Window.bind(on_flip=flip)
Bare().run()
"""

KIOSK = r"""
import sys, time
t0 = float(sys.argv[1])
from pathlib import Path
from kiosk.config import load_config
from kiosk.logs import setup_logging
data_dir = Path(sys.argv[2])
config = load_config(None, data_dir)
setup_logging(data_dir, to_stderr=False)
from screens.env import prepare_kivy
prepare_kivy(1280, 800, offscreen=True)
from kiosk.bootstrap import build_terminal
terminal = build_terminal(config, data_dir, simulate=True)
from kivy.core.window import Window
from screens.app import KioskApp
class Timed(KioskApp):
    def on_start(self):
        super().on_start()
        def flip(*_):
            if self.sm.current == "attract":
                print(f"{time.time() - t0:.4f}", flush=True)
                Window.unbind(on_flip=flip)
                self.stop()
        Window.bind(on_flip=flip)
try:
    Timed(terminal).run()
finally:
    terminal.close()
"""


def once(script: Path, *args: str) -> float:
    """Seconds from spawning the process to its first frame."""
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", PYTHONPATH=str(ROOT))
    # A terminal runs compiled bytecode (the installer runs compileall); a shell that
    # forbids writing it would time the compiler, for both sides but mostly the kiosk's.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, str(script), f"{t0:.6f}", *args], env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    """Alternate bare and kiosk runs so both see the same machine state."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    bare, kiosk = [], []
    with tempfile.TemporaryDirectory() as tmp:
        # Kivy's App looks for its source file: the children must be files, not -c.
        bare_py, kiosk_py, data = Path(tmp) / "bare.py", Path(tmp) / "kiosk_app.py", Path(tmp) / "data"
        bare_py.write_text(BARE, encoding="utf-8")
        kiosk_py.write_text(KIOSK, encoding="utf-8")
        once(bare_py)  # warm the OS file cache for both, not counted
        once(kiosk_py, str(data))
        for _ in range(runs):
            bare.append(once(bare_py))
            kiosk.append(once(kiosk_py, str(data)))
    b, k = statistics.median(bare), statistics.median(kiosk)
    print(f"cold start to first frame, {runs} runs each, median (min–max) seconds")
    print(f"  bare Kivy app      {b:.3f}  ({min(bare):.3f}–{max(bare):.3f})")
    print(f"  kiosk attract      {k:.3f}  ({min(kiosk):.3f}–{max(kiosk):.3f})")
    print(f"  ratio kiosk/bare   {k / b:.2f}x  (goal <= 1.50x) {'OK' if k / b <= 1.5 else 'OVER'}")


if __name__ == "__main__":
    main()
