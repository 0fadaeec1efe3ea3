"""A real Janus for the mediation tests, started once per test file on this machine."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import aioice.ice
import pytest

from fleet.mediation import JanusServer, JanusSettings
from remote_video.peer import restrict_host_addresses
from tests.mediation.support import free_port, media_address


@pytest.fixture(scope="module")
def local_ice() -> Iterator[str]:
    """aiortc's ICE confined to this machine's own address (see ``media_address``) for
    the file's tests, then put back as it was for whatever runs next in the process."""
    before = aioice.ice.get_host_addresses
    addr = media_address()
    restrict_host_addresses([addr])
    try:
        yield addr
    finally:
        aioice.ice.get_host_addresses = before


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory, local_ice: str) -> Iterator[JanusServer]:
    """Our Janus with the centre's configuration, its media on ``local_ice``'s address."""
    data: Path = tmp_path_factory.mktemp("centre")
    server = JanusServer(data, JanusSettings(ws_port=free_port(), media_addresses=(local_ice,)))
    asyncio.run(server.start())
    try:
        yield server
    finally:
        asyncio.run(server.stop())


from tests.fleet.conftest import fleet  # noqa: E402,F401 — re-exported: a real Mosquitto and the centre's link
