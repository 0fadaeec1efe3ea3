"""The online keys keep the repository fresh: the timestamp is re-signed before it
expires, so a live centre never looks frozen to its terminals."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from tuf.api.metadata import Metadata, Timestamp

from fleet.center.releases import ReleaseRepo, keep_signed


def _ts(repo: ReleaseRepo) -> Metadata[Timestamp]:
    return Metadata[Timestamp].from_file(str(repo.metadata_dir / "timestamp.json"))


def test_timestamp_resigned_before_it_expires(tmp_path: Path) -> None:
    repo = ReleaseRepo(tmp_path / "updates")
    repo.init(tmp_path / "usb", expiry={"timestamp": timedelta(seconds=4)})
    short = {"timestamp": timedelta(seconds=4)}
    assert not repo.refresh_timestamp(expiry=short)  # fresh: nothing to sign
    time.sleep(2.2)
    assert repo.refresh_timestamp(expiry=short)  # half its life gone: re-signed
    first = _ts(repo).signed

    async def serve_for(seconds: float) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(keep_signed(repo.base, stop, every_s=0.5))
        await asyncio.sleep(seconds)
        stop.set()
        await task

    asyncio.run(serve_for(1.5))
    after = _ts(repo).signed
    # keep_signed uses the normal one-day life: the short stamp was re-signed at once.
    assert after.version > first.version
    assert after.expires - first.expires > timedelta(hours=23)
