"""Data at rest is private: directories 0700, files 0600 (DESIGN.md "Trust").

The terminal's and the centre's data directories hold personal data (tickets, drafts,
recordings, lawyers' notes), secrets (the technician PIN, broker passwords, keys) and
logs. Another local account on the same machine must read none of it. Two layers:

- ``restrict_umask()``: every file any library creates afterwards (SQLite's database,
  ``-wal`` and ``-shm``, log rotation, screenshots, Mosquitto's files) is born private,
  whatever umask the service was started with;
- ``private_dir`` / ``private_file`` / ``write_private``: explicit modes where we create
  things, and tightening of what an older version left readable.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OPEN_BITS = 0o077  # group and other: none of them may stay set


def restrict_umask() -> int:
    """Add group/other bits to the process umask (never loosens it); returns the new umask.

    Process-wide on purpose: a library that creates files itself (SQLite's ``-wal``) can
    only be made to create them private this way.
    """
    old = os.umask(_OPEN_BITS)
    new = old | _OPEN_BITS
    os.umask(new)
    return new


def _tighten(path: Path, mode: int) -> None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid():
        return  # not ours to change (a link, or a file another account owns)
    if stat.S_ISDIR(st.st_mode) and _shared(path, st):
        return
    if st.st_mode & _OPEN_BITS:
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~_OPEN_BITS & 0o7777 | (mode & 0o700))


def _shared(path: Path, st: os.stat_result) -> bool:
    # A data dir given as /tmp, / or a home directory (by mistake) must not have the
    # machine's shared directories closed: those are never tightened, nor walked.
    if st.st_mode & stat.S_ISVTX:
        return True
    resolved = path.resolve()
    try:
        home = Path.home().resolve()
    except (KeyError, RuntimeError):
        home = None
    return resolved == Path(resolved.anchor) or (home is not None and (resolved == home or resolved in home.parents))


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700; returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file owner-only (0600 or stricter); returns it."""
    _tighten(path, PRIVATE_FILE_MODE)
    return path


def write_private(path: Path, data: bytes | str, *, fsync: bool = True) -> Path:
    """Write ``path`` atomically as a 0600 file (its directory made 0700)."""
    private_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def tighten_tree(root: Path) -> None:
    """Make every directory under ``root`` 0700 and every file 0600 where group or
    other could read it (what an older version, or a copy by hand, left open)."""
    if not root.is_dir() or _shared(root, root.stat()):
        return
    _tighten(root, PRIVATE_DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for d in dirnames:
            _tighten(base / d, PRIVATE_DIR_MODE)
        for f in filenames:
            _tighten(base / f, PRIVATE_FILE_MODE)
