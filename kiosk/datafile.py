"""Validated TOML files (configuration, catalogue, vocabulary): one way to read them and
one way to say what is wrong — a line per problem, each naming the dotted key."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kiosk.errors import KioskError

M = TypeVar("M", bound=BaseModel)


def format_validation_error(source: str, what: str, err: ValidationError) -> str:
    """``source: invalid <what>`` then ``  devices.printer: <why>`` for each problem."""
    lines = [f"{source}: invalid {what}"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=64)
def toml_loads_cached(text: str) -> dict[str, Any]:
    """``tomllib.loads`` remembered by text: the same packaged catalogue, messages and
    legal-aid data are read by every terminal a process builds (the simulator builds
    thousands; parsing was most of the time). Read-only: callers must not change it."""
    return tomllib.loads(text)


def parse_toml(text: str, source: str, model: type[M], what: str, error: type[KioskError]) -> M:
    """Parse TOML ``text`` into ``model``; ``error`` (naming ``source``) when it is not
    TOML or not valid."""
    try:
        data = toml_loads_cached(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(format_validation_error(source, what, exc)) from exc


def read_text(path: Path | None, packaged: str, error: type[KioskError]) -> tuple[str, str]:
    """The text of ``path``, or of the product's own ``kiosk/data/<packaged>``; with the
    name to quote in errors."""
    if path is None:
        return resources.files("kiosk.data").joinpath(packaged).read_text(encoding="utf-8"), f"kiosk/data/{packaged}"
    return read_utf8(path, error), str(path)


UTF8_BOM = b"\xef\xbb\xbf"


def read_utf8(path: Path, error: type[KioskError]) -> str:
    """The text of ``path`` as UTF-8. A leading BOM (Windows Notepad saves one) is
    dropped; other bytes that are not UTF-8 give ``error`` naming the file and the
    offset of the first bad byte, so a technician can find it (never a traceback)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc}") from exc
    skip = len(UTF8_BOM) if raw.startswith(UTF8_BOM) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = skip + exc.start  # the offset in the file, as a hex editor shows it
        raise error(f"{path}: not UTF-8 text: byte 0x{raw[at]:02x} at offset {at}; save the file as UTF-8") from None
