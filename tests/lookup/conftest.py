"""The full law library, built once per source version and shared by every test process
(building takes ~25 s; a lock keeps parallel workers from building it twice)."""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.lookup.build import build, default_source, source_files, source_sha256
from kiosk.lookup.library import Library


@pytest.fixture(scope="session")
def library_path() -> Path:
    """Path of the full library built from content/laws."""
    source = default_source()
    digest = source_sha256(source, source_files(source))
    # The build's own code is part of the key: a change to parsing must rebuild.
    code = Path(build.__code__.co_filename).parent
    for name in ("build.py", "parse.py", "segment.py", "numerals.py"):
        digest = hashlib.sha256(digest.encode() + (code / name).read_bytes()).hexdigest()
    cache = Path(tempfile.gettempdir()) / f"legal-kiosk-library-{digest[:16]}"
    cache.mkdir(exist_ok=True)
    path = cache / "library.sqlite3"
    with open(cache / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            build(source, path)
    return path


@pytest.fixture()
def library(library_path: Path) -> Iterator[Library]:
    """The full library, opened read-only."""
    with Library(library_path) as lib:
        yield lib
