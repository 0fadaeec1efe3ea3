"""``kiosk screenshot``: render one screen offscreen to a PNG.

The app runs against a throwaway copy of the terminal (a temporary data dir with a few
demo tickets in the queue), so a screenshot never touches the live queue.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screens.pilot import Pilot  # annotations only: the screens load after Kivy is configured

import argparse
import tempfile
from pathlib import Path

from kiosk.bootstrap import build_terminal
from kiosk.cli.common import config_of
from kiosk.cli.run import parse_size
from kiosk.lookup.library import default_library_path
from kiosk.tickets import Priority

SCREENS = ("attract", "home", "service", "materials", "card", "ticket", "done", "pin", "technician", "idle",
           "call_consent", "call_wait", "call_active", "call_ended",
           "appt_menu", "appt_slots", "rate_ticket", "rate",  # the screens that need no centre
           "law_topics", "law_texts", "law_articles", "law_article", "law_search", "law_results",  # 查法律 (needs the library)
           "law_guides", "law_guide", "law_calcs", "law_calc", "law_calc_result")  # 办事指南, 法律计算器


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk screenshot``."""
    p = sub.add_parser("screenshot", parents=[common], help="render one screen to PNG (offscreen)")
    p.add_argument("screen", choices=SCREENS)
    p.add_argument("--lang", choices=("zh_CN", "en"), default=None)
    p.add_argument("--elder", action="store_true", help="elder mode (长辈版)")
    p.add_argument("--size", type=parse_size, default=(1280, 800), metavar="WxH")
    p.add_argument("--service", default=None, help="service code for service/materials/card/ticket screens")
    p.add_argument("--out", required=True, type=Path, metavar="F.png")
    p.set_defaults(handler=screenshot)


def seed_demo_queue(terminal: object) -> None:
    """A few people already waiting, so the screens show real waits."""
    q = terminal.queue  # type: ignore[attr-defined]
    for service, priority in (
        ("consultation", Priority.NORMAL),
        ("consultation", Priority.ELDERLY),
        ("consultation", Priority.NORMAL),
        ("legal_aid", Priority.NORMAL),
        ("mediation", Priority.NORMAL),
    ):
        q.take(service, priority)


def screenshot(args: argparse.Namespace) -> int:
    """Render the screen and write the PNG."""
    config, data_dir = config_of(args)
    # The throwaway copy reads the terminal's own law library (read only).
    library = default_library_path(data_dir, config.lookup.library)
    config = config.model_copy(update={"lookup": config.lookup.model_copy(update={"library": library})})
    if args.lang:
        config = config.model_copy(update={"language": args.lang})
    from screens.env import prepare_kivy  # deferred: Kivy loads only after prepare_kivy has configured it

    prepare_kivy(*args.size, offscreen=True)
    from screens.app import KioskApp  # deferred: Kivy loads only after prepare_kivy has configured it
    from screens.pilot import run_script  # deferred: Kivy loads only after prepare_kivy has configured it
    from screens.shots import reach  # deferred: Kivy loads only after prepare_kivy has configured it

    out = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="kiosk-shot-") as tmp:
        terminal = build_terminal(config, Path(tmp), simulate=True)
        seed_demo_queue(terminal)
        app = KioskApp(terminal)
        goto = reach(args.screen, args.service)

        def script(p: Pilot) -> Generator[float, None, None]:
            while not terminal.devices_ready.is_set():  # the simulators start after the first frame
                yield 0.05
            if args.elder:
                app.act("elder")  # as the 长辈版 switch does
            yield from goto(p)
            yield 0.8  # let layout, textures and animations settle
            p.screenshot(out)

        try:
            run_script(app, script)
        finally:
            terminal.close()
    print(out)
    return 0 if out.is_file() else 1
