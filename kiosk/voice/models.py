"""Speech models on the terminal: install (download, sha256 check, unpack) and check.

Models live in ``DATA_DIR/models/<name>``; what can be installed is listed in
``kiosk/data/models.toml``. An install never leaves a half-unpacked model behind: it
unpacks beside the target and renames into place. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import tempfile
import time
import tomllib
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, TextIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

MANIFEST = "kiosk-model.json"
_CHUNK = 1 << 16
_TIMEOUT_S = 60


class ModelError(KioskError):
    """A model could not be installed or is not usable."""

    message_key = "error.model"


class ModelSpec(BaseModel):
    """One installable model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str
    url: str
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    required: tuple[str, ...] = ()
    graphs: tuple[tuple[str, ...], ...] = ()


class ModelList(BaseModel):
    """``kiosk/data/models.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    models: tuple[ModelSpec, ...] = Field(min_length=1)


def load_models() -> dict[str, ModelSpec]:
    """The installable models by name."""
    text = resources.files("kiosk.data").joinpath("models.toml").read_text(encoding="utf-8")
    try:
        listed = ModelList.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ModelError(f"kiosk/data/models.toml: invalid: {exc}") from exc
    return {m.name: m for m in listed.models}


def spec_of(name: str) -> ModelSpec:
    """The spec of model ``name``; ModelError names the known ones."""
    models = load_models()
    if name not in models:
        raise ModelError(f"unknown model {name!r} (known: {', '.join(sorted(models))})")
    return models[name]


def models_dir(data_dir: Path) -> Path:
    """Where models are installed."""
    return data_dir / "models"


def model_path(data_dir: Path, name: str = "vosk-small-cn") -> Path:
    """Where model ``name`` is (or would be) installed."""
    return models_dir(data_dir) / name


def missing_files(root: Path, spec: ModelSpec) -> list[str]:
    """The files ``spec`` needs that ``root`` lacks (empty when the model is complete)."""
    missing = [f for f in spec.required if not (root / f).is_file()]
    if spec.graphs and not any(all((root / f).is_file() for f in group) for group in spec.graphs):
        missing.append(" or ".join("+".join(g) for g in spec.graphs))
    return missing


@dataclass(frozen=True)
class ModelStatus:
    """Whether a model is installed and usable, for ``kiosk doctor``."""

    name: str
    path: Path
    ok: bool
    detail: str


def check_model(data_dir: Path, name: str = "vosk-small-cn") -> ModelStatus:
    """Is model ``name`` installed and complete in ``data_dir``? (Reads only the file
    tree and the manifest: cheap, and it never loads the model.)"""
    spec = spec_of(name)
    root = model_path(data_dir, name)
    if not root.is_dir():
        return ModelStatus(name, root, False, f"not installed: kiosk models install {name}")
    missing = missing_files(root, spec)
    if missing:
        return ModelStatus(name, root, False, f"{root}: incomplete, missing {', '.join(missing)}")
    detail = str(root)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        detail += f" (sha256 {str(manifest.get('sha256', ''))[:12]}…)"
    except (OSError, ValueError):
        detail += " (installed by hand: no manifest)"
    return ModelStatus(name, root, True, detail)


# --- install ------------------------------------------------------------------------


class ProgressBar:
    """A one-line text progress bar on a terminal stream (no third-party library)."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        """Show ``done`` of ``total`` bytes (total None: unknown length)."""
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < 0.1:
            return  # redrawing more often only costs time
        self._last = now
        mb = done / 1e6
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"\r{self.label} [{bar}] {100 * done / total:5.1f}% {mb:.1f}/{total / 1e6:.1f} MB"
        else:
            text = f"\r{self.label} {mb:.1f} MB"
        self.stream.write(text)
        if final:
            self.stream.write("\n")
        self.stream.flush()


Progress = Callable[[int, "int | None"], None]


def _open_source(source: str) -> tuple[BinaryIO, int | None]:
    """A readable stream for a URL (http, https, file) or a local path, and its size."""
    parts = urllib.parse.urlsplit(source)
    if parts.scheme in ("http", "https"):
        try:
            response = urllib.request.urlopen(source, timeout=_TIMEOUT_S)  # noqa: S310 (scheme checked)
        except OSError as exc:
            raise ModelError(f"cannot download {source}: {exc}") from exc
        length = response.headers.get("Content-Length")
        return response, int(length) if length and length.isdigit() else None
    if parts.scheme not in ("", "file"):
        raise ModelError(f"unsupported source {source!r}: use http(s)://, file:// or a path")
    path = Path(urllib.parse.unquote(parts.path)) if parts.scheme == "file" else Path(source)
    try:
        f = path.open("rb")
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc}") from exc
    return f, path.stat().st_size


def fetch(source: str, dest: Path, progress: Progress | None = None) -> str:
    """Copy ``source`` to ``dest`` and return the sha256 of its bytes."""
    stream, total = _open_source(source)
    digest = hashlib.sha256()
    done = 0
    try:
        with stream, dest.open("wb") as out:
            while True:
                try:
                    block = stream.read(_CHUNK)
                except OSError as exc:
                    raise ModelError(f"download of {source} failed: {exc}") from exc
                if not block:
                    break
                digest.update(block)
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, total)
    except OSError as exc:
        raise ModelError(f"cannot write {dest}: {exc}") from exc
    if total is not None and done != total:
        raise ModelError(f"download of {source} ended early ({done} of {total} bytes)")
    if progress and total is None:
        progress(done, done)
    return digest.hexdigest()


def _safe_extract(archive: Path, into: Path) -> None:
    """Unpack a zip, refusing members that would land outside ``into`` or are links."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts or info.filename.startswith("\\"):
                    raise ModelError(f"{archive.name}: unsafe path in archive: {info.filename!r}")
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise ModelError(f"{archive.name}: symbolic link in archive: {info.filename!r}")
            zf.extractall(into)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"{archive.name}: not a zip archive: {exc}") from exc


def _model_root(unpacked: Path, spec: ModelSpec) -> Path:
    """The directory holding the model: the archive's root or its only top directory."""
    if not missing_files(unpacked, spec):
        return unpacked
    entries = [p for p in unpacked.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir() and not missing_files(entries[0], spec):
        return entries[0]
    # Name what is missing where the model seems to be: at the root if parts of it are.
    at_root = any((unpacked / f.split("/")[0]).exists() for f in spec.required)
    candidate = entries[0] if len(entries) == 1 and entries[0].is_dir() and not at_root else unpacked
    raise ModelError(f"archive is not a {spec.name} model: missing {', '.join(missing_files(candidate, spec))}")


def install_model(
    data_dir: Path,
    name: str = "vosk-small-cn",
    source: str | None = None,
    sha256: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download (or copy) model ``name``, check its sha256, unpack it into
    ``DATA_DIR/models/<name>`` and return that path.

    ``sha256`` (from a trusted copy) overrides the hash pinned in models.toml; with
    neither the install is refused, since unverified bytes would become the recogniser.
    """
    spec = spec_of(name)
    expected = (sha256 or spec.sha256 or "").lower() or None
    if expected is None:
        raise ModelError(f"no sha256 pinned for {name}: pass --sha256 HEX (the hash of a trusted copy of the archive)")
    target = model_path(data_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".install-{name}-", dir=target.parent))
    try:
        archive = work / "archive.zip"
        src = source or spec.url
        log.info("model %s: fetching %s", name, src)
        actual = fetch(src, archive, progress)
        if actual != expected:
            raise ModelError(f"sha256 mismatch for {name}: got {actual}, expected {expected}")
        unpacked = work / "unpacked"
        unpacked.mkdir()
        _safe_extract(archive, unpacked)
        root = _model_root(unpacked, spec)
        manifest = {"name": name, "source": src, "sha256": actual, "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        # Swap in by renames: the old model stays usable until the new one is complete.
        old = work / "previous"
        if target.exists():
            target.rename(old)
        root.rename(target)
        log.info("model %s installed in %s", name, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def default_progress(label: str) -> Progress:
    """A progress bar on stderr."""
    return ProgressBar(sys.stderr, label)
