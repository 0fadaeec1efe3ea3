"""The desk's configuration: ``desk.toml`` in the centre's data dir (optional)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DESK_FILE = "desk.toml"


class DeskIceServer(BaseModel):
    """A STUN/TURN server the lawyers' browsers use (the centre's coturn)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    urls: list[str] = Field(min_length=1)
    username: str = ""
    credential: str = ""


class DeskConfig(BaseModel):
    """How the desk records and connects.

    ``retention_days``: recordings are deleted this long after the call (the call row and
    the file's sha256 stay, so what existed can still be proven).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    retention_days: int = Field(default=30, ge=1, le=3650)
    recordings_dir: Path | None = None  # default: <data dir>/recordings
    record_chunk_ms: int = Field(default=1000, ge=200, le=10000)
    ice_servers: list[DeskIceServer] = Field(default_factory=list)
    default_call_seconds: float = Field(default=300.0, ge=30, le=7200)  # estimate before any call ended
    # After a call ends, how long its recordings' last chunks are awaited before the files
    # are closed as they are (a lawyer's page that died mid-call never sends them).
    abandoned_upload_s: float = Field(default=60.0, ge=0.1, le=3600)
    # Bounds on one recording file, so a page (or whoever holds a lawyer's session)
    # cannot fill the centre's disk: at the default 1 s chunks, 6 h; in size, about
    # 4 h of MediaRecorder's default 640x480 WebM.
    max_recording_chunks: int = Field(default=21600, ge=1, le=1_000_000)
    max_recording_mb: int = Field(default=4096, ge=1, le=1_000_000)


def load_desk_config(data_dir: Path) -> DeskConfig:
    """``<data_dir>/desk.toml`` or the defaults; a bad file is an error that names it."""
    p = Path(data_dir) / DESK_FILE
    if not p.is_file():
        return DeskConfig()
    try:
        return DeskConfig.model_validate(tomllib.loads(p.read_text(encoding="utf-8")))
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{p}: {exc}") from exc
