"""Fixtures of the legal-aid tests: the centre's intake keys, a terminal that takes
applications, demo cards, and (for the centre tests) the real broker and web server."""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from kiosk.identity import CardType, Gender, IdentityCard

# The demo card the simulated reader holds as "elderly" (devices/idcard/cards/demo.json).
ELDERLY = IdentityCard(CardType.RESIDENT, "张桂兰", Gender.FEMALE, date(1956, 3, 15), "42020219560315002X", "湖北省黄石市黄石港区江北路18号")
ADULT = IdentityCard(CardType.RESIDENT, "李建国", Gender.MALE, date(1991, 6, 8), "420281199106080036", "湖北省大冶市金湖街道姜桥村三组26号")
PHONE = "13812345678"


@pytest.fixture
def centre_dir(tmp_path: Path) -> Path:
    """The centre's data dir (its intake keys are made on first use)."""
    d = tmp_path / "centre"
    d.mkdir()
    return d


@pytest.fixture
def keys(centre_dir: Path) -> Any:
    """The centre's intake keys."""
    from fleet.intake.keys import IntakeKeys

    return IntakeKeys(centre_dir)


def la_config_toml(public_key: str, extra: str = "") -> str:
    """A terminal configuration that takes applications (sealed to ``public_key``)."""
    return (f'[legal_aid]\npublic_key = "{public_key}"\ncentre_address = "黄石市黄石港区湖滨大道2号"\n'
            f'centre_address_en = "2 Hubin Avenue, Huangshigang, Huangshi"\ncentre_phone = "0714-12348"\n' + extra)


@pytest.fixture
def la_terminal(tmp_path: Path, keys: Any, clock: Any) -> Any:
    """A terminal (no devices) whose visit flow takes applications."""
    from kiosk.bootstrap import build_terminal
    from kiosk.config import parse_config

    return build_terminal(parse_config(la_config_toml(keys.public_text)), tmp_path / "terminal", clock=clock, with_devices=False)


class Web:
    """The centre's real web server (Dashboard, with the intake) on a loop of its own."""

    def __init__(self, link: Any, data_dir: Path) -> None:
        from fleet.center.webapp import CentreWebApp as Dashboard

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-web", daemon=True)
        self.thread.start()
        self.dash = Dashboard(link, data_dir)
        port = asyncio.run_coroutine_threadsafe(self.dash.start("127.0.0.1", 0), self.loop).result(20)
        self.base = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        """Stop the server and its loop."""
        asyncio.run_coroutine_threadsafe(self.dash.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def centre(tmp_path: Path, centre_dir: Path) -> Iterator[tuple[Any, Web]]:
    """A real Mosquitto, the centre's link and store, and its web server."""
    from tests.fleet.conftest import Fleet

    fleet = Fleet(tmp_path)
    web = None
    try:
        web = Web(fleet.center, centre_dir)
        yield fleet, web
    finally:
        if web is not None:
            web.close()
        fleet.close()
