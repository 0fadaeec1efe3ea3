"""A real Janus for the mediation tests, started once per test file on this machine."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest

from fleet.mediation import JanusServer, JanusSettings
from remote_video.peer import restrict_host_addresses
from tests.mediation.support import free_port, media_address


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusServer]:
    """Our Janus with the centre's configuration; the parties' ICE confined to the same
    local address (see ``media_address``). Sessions time out after 3 s of silence so the
    keepalive test is short."""
    addr = media_address()
    restrict_host_addresses([addr])
    data: Path = tmp_path_factory.mktemp("centre")
    server = JanusServer(data, JanusSettings(ws_port=free_port(), media_addresses=(addr,), session_timeout_s=3))
    asyncio.run(server.start())
    try:
        yield server
    finally:
        asyncio.run(server.stop())
