"""Start-up as systemd sees it: the real ``kiosk run --simulate``, beside a bare Kivy app.

Both are started the way the terminal's unit starts them (``Type=notify``): a datagram
socket stands where ``$NOTIFY_SOCKET`` points, and each process says ``READY=1`` once its
first frame has been drawn. The bare app is one Label of Chinese text in the CJK font
(without a CJK font Kivy shows boxes, so every Kivy app for Chinese users registers one),
rendered offscreen like the kiosk. Three figures, medians of RUNS fresh processes each:

- **first frame**: process start → ``READY=1`` (the attract screen drawn). Goal ≤ 1.5× bare.
- **ready for a card**: process start → ``STATUS=serving, ready for a card`` (the devices
  opened behind the attract screen; the bare app has nothing to open).
- **dark after a crash**: what a person in front of a crashed terminal waits for — the
  old process gone, systemd's ``ExecStopPost=`` (``kiosk session stopped``),
  ``RestartSec=`` of the unit, and the new process's first frame (and card). A stop by
  SIGTERM stands in for the end; the bare app pays the same ``RestartSec`` and no
  ``ExecStopPost``. cage and Xwayland, which a terminal also restarts, are not here.

    python bench/bench_startup.py [RUNS]
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fleet.terminal_install.units import RESTART_SEC  # noqa: E402
from tests.unattended.notify_support import NotifySocket  # noqa: E402

GOAL = 1.5

BARE = r"""
import os, socket
os.environ["KIVY_NO_ARGS"] = "1"; os.environ["KIVY_NO_CONSOLELOG"] = "1"; os.environ["KIVY_NO_FILELOG"] = "1"
from kivy.config import Config
Config.set("graphics", "width", "1280"); Config.set("graphics", "height", "800")
from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.uix.label import Label
# Kivy's own font has no Chinese glyphs: any Kivy app for Chinese users registers one.
LabelBase.register(DEFAULT_FONT, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
def ready(_dt):
    if Clock.frames_displayed < 1:
        Clock.schedule_once(ready, 0)
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
class Bare(App):
    def build(self):
        return Label(text="公共法律服务", font_size=76)
    def on_start(self):
        Clock.schedule_once(lambda _dt: Clock.schedule_once(ready, 0), 0)
Bare().run()
"""


class Notified(NotifySocket):
    """A fake systemd's notify socket (the tests' own): what arrives, and when."""

    def wait_for(self, text: str, timeout: float = 120.0, after: float = 0.0, poll: float = 0.002) -> float:
        """When the first message containing ``text`` arrived after ``after``; the bench
        stops with a plain message when it never came."""
        try:
            return super().wait_for(text, timeout, after, poll)
        except AssertionError as exc:
            raise SystemExit(f"bench_startup: {exc}") from None


def env_for(notify: Path, data: Path | None = None) -> dict[str, str]:
    """The unit's environment, offscreen; compiled bytecode as on a terminal (a shell
    that forbids writing it would time the compiler, mostly the kiosk's)."""
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", PYTHONPATH=str(ROOT), NOTIFY_SOCKET=str(notify))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if data is not None:
        env["KIOSK_DATA_DIR"] = str(data)
    return env


def one(cmd: list[str], env: dict[str, str], ns: Notified, serving: bool) -> dict[str, float]:
    """Start ``cmd``; seconds to READY=1 (and to serving), then to its exit after SIGTERM."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        out = {"ready": ns.wait_for("READY=1", after=t0) - t0}
        if serving:
            out["serving"] = ns.wait_for("STATUS=serving", after=t0) - t0
        time.sleep(0.5)  # settled: the stop is not timed against the rest of the start
        t1 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        out["stop"] = time.monotonic() - t1
        if code != 0:
            err = proc.stderr.read().decode(errors="replace")[-1500:] if proc.stderr else ""
            raise SystemExit(f"bench_startup: {cmd[1:3]} exited {code} on SIGTERM:\n{err}")
        return out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop_post(data: Path) -> float:
    """``ExecStopPost=``: ``kiosk session stopped`` as systemd runs it after a stop."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIOSK_DATA_DIR=str(data), SERVICE_RESULT="success", EXIT_CODE="exited",
               EXIT_STATUS="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "kiosk.cli", "--data-dir", str(data), "session", "stopped"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=60)
    return time.monotonic() - t0


def med(xs: list[float]) -> float:
    """Median."""
    return statistics.median(xs)


def main() -> int:
    """Alternate bare and kiosk runs so both see the same machine state."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bare_py, data = root / "bare.py", root / "data"
        # Kivy's App looks for its source file: the bare app must be a file, not -c.
        bare_py.write_text(BARE, encoding="utf-8")
        ns = Notified(root / "notify.sock")
        bare_cmd = [sys.executable, str(bare_py)]
        kiosk_cmd = [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data), "run", "--simulate"]
        bare_env, kiosk_env = env_for(ns.path), env_for(ns.path, data)
        try:
            one(bare_cmd, bare_env, ns, False)  # warm the OS file cache and the data dir, not counted
            one(kiosk_cmd, kiosk_env, ns, True)
            stop_post(data)
            bare: list[dict[str, float]] = []
            kiosk: list[dict[str, float]] = []
            post: list[float] = []
            for _ in range(runs):
                bare.append(one(bare_cmd, bare_env, ns, False))
                kiosk.append(one(kiosk_cmd, kiosk_env, ns, True))
                post.append(stop_post(data))
        finally:
            ns.close()

    def col(rows: list[dict[str, float]], key: str) -> float:
        return med([r[key] for r in rows])

    b_ready, k_ready, k_serving = col(bare, "ready"), col(kiosk, "ready"), col(kiosk, "serving")
    b_stop, k_stop, k_post = col(bare, "stop"), col(kiosk, "stop"), med(post)
    b_dark = b_stop + RESTART_SEC + b_ready
    k_dark = k_stop + k_post + RESTART_SEC + k_ready
    k_card = k_stop + k_post + RESTART_SEC + k_serving
    ratio = k_ready / b_ready
    print(f"start-up under a fake systemd (READY=1 at the first frame drawn), {runs} runs each, medians in seconds")
    print(f"  load average {Path('/proc/loadavg').read_text().split()[0]}")
    print(f"  first frame       bare {b_ready:.3f}  kiosk {k_ready:.3f} "
          f"({min(r['ready'] for r in kiosk):.3f}–{max(r['ready'] for r in kiosk):.3f})  "
          f"ratio {ratio:.2f}x (goal <= {GOAL:.2f}x) {'met' if ratio <= GOAL else 'NOT MET'}")
    print(f"  ready for a card  kiosk {k_serving:.3f}  ({k_serving / b_ready:.2f}x the bare first frame)")
    print(f"  stop on SIGTERM   bare {b_stop:.3f}  kiosk {k_stop:.3f};  ExecStopPost (kiosk session stopped) {k_post:.3f}")
    print(f"  dark after a crash (stop + ExecStopPost + RestartSec={RESTART_SEC} + first frame)")
    print(f"                    bare {b_dark:.3f}  kiosk {k_dark:.3f}  ratio {k_dark / b_dark:.2f}x;  "
          f"to a card {k_card:.3f} ({k_card / b_dark:.2f}x)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
