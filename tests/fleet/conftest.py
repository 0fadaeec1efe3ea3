"""Fixtures: a real Mosquitto on a free loopback port, the centre's link and store,
and terminals running the real agent."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from fleet.broker import Broker, hash_password, new_password
from fleet.center.service import CenterLink
from fleet.center.store import Store
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig

if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
    pytest.skip("mosquitto is not installed", allow_module_level=True)


class Fleet:
    """A broker, the centre's store and link, and a way to add terminals."""

    def __init__(self, tmp: Path, db_url: str | None = None) -> None:
        self.tmp = tmp
        self.center_pw = new_password()
        self.store = Store(db_url or f"sqlite:///{tmp / 'center.sqlite3'}")
        self.broker = Broker()
        self.broker.start(self.users())
        self.center = CenterLink(self.broker.center_url, self.center_pw, self.store, ingest=True).start()
        self.passwords: dict[str, str] = {}
        self.agents: list[Any] = []

    def users(self) -> dict[str, str]:
        """Every broker user with its hash."""
        return {"center": hash_password(self.center_pw), **self.store.password_hashes()}

    def provision(self, tid: str, site: str = "测试站") -> str:
        """Register a terminal and reload the broker; returns its password."""
        pw = new_password()
        self.store.add_terminal(tid, site, hash_password(pw))
        self.broker.reload(self.users())
        self.passwords[tid] = pw
        return pw

    def terminal(self, tid: str, *, devices: bool = False, telemetry_seconds: int = 30, clock: Any = None) -> Any:
        """A terminal (own data dir) configured for this broker; not yet connected."""
        if tid not in self.passwords:
            self.provision(tid)
        settings = FleetSettings(broker=self.broker.url, password=self.passwords[tid], telemetry_seconds=telemetry_seconds, will_delay_seconds=5)
        config = KioskConfig(terminal_id=tid, fleet=settings)
        t = build_terminal(config, self.tmp / tid, simulate=True, with_devices=devices, clock=clock)
        if devices:
            t.open_devices()
        return t

    def agent(self, terminal: Any, **kw: Any) -> Any:
        """Start the real agent for ``terminal`` (closed at teardown)."""
        from fleet.agent import start_agent

        a = start_agent(terminal, terminal.config.fleet, **kw)
        self.agents.append(a)
        return a

    def close(self) -> None:
        """Stop everything started."""
        for a in self.agents:
            try:
                a.close()
            except Exception:  # noqa: BLE001
                pass
        self.center.close()
        self.broker.stop()
        self.store.close()


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    """A running broker + centre (SQLite store)."""
    f = Fleet(tmp_path)
    try:
        yield f
    finally:
        f.close()


def until(pred: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Wait for ``pred()`` to be truthy; fail the test on time-out."""
    from fleet.center.service import wait_for

    assert wait_for(lambda: bool(pred()), timeout), "condition not met in time"
    return pred()
