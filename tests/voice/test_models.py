"""``kiosk models install``: from a file, from a local HTTP server (127.0.0.1 only),
sha256 checks, unsafe archives, and the status ``kiosk doctor`` reports."""

from __future__ import annotations

import hashlib
import http.server
import json
import subprocess
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.voice.models import ModelError, check_model, install_model, model_path
from tests.support import PYTHON, ROOT, kiosk_env

FILES = {"am/final.mdl": b"acoustic", "conf/model.conf": b"--min-active=200\n", "graph/HCLr.fst": b"hcl", "graph/Gr.fst": b"gr", "README": b"test model"}


def make_zip(path: Path, files: dict[str, bytes] = FILES, top: str | None = "vosk-model-small-cn-0.22") -> str:
    """A model archive like the official one (one top directory); returns its sha256."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"{top}/{name}" if top else name, data)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "model.zip"
    return path, make_zip(path)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A static HTTP server on 127.0.0.1 serving ``tmp_path/www``."""
    www = tmp_path / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):  # type: ignore[no-untyped-def]
            super().__init__(*a, directory=str(www), **kw)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_install_from_a_file(tmp_path: Path, archive: tuple[Path, str]) -> None:
    data = tmp_path / "data"
    path, sha = archive
    progress: list[tuple[int, int | None]] = []
    installed = install_model(data, "vosk-small-cn", source=str(path), sha256=sha, progress=lambda d, t: progress.append((d, t)))
    assert installed == model_path(data) == data / "models" / "vosk-small-cn"
    assert (installed / "am" / "final.mdl").read_bytes() == b"acoustic"
    manifest = json.loads((installed / "kiosk-model.json").read_text())
    assert manifest["sha256"] == sha and manifest["name"] == "vosk-small-cn"
    assert progress[-1][0] == path.stat().st_size
    status = check_model(data)
    assert status.ok and sha[:12] in status.detail
    # Nothing left over from the install.
    assert sorted(p.name for p in (data / "models").iterdir()) == ["vosk-small-cn"]


def test_install_over_http_with_progress(tmp_path: Path, server: str) -> None:
    www = tmp_path / "www"
    sha = make_zip(www / "vosk-model-small-cn-0.22.zip", {**FILES, "big.bin": bytes(3_000_000)})
    calls: list[tuple[int, int | None]] = []
    install_model(tmp_path / "data", source=f"{server}/vosk-model-small-cn-0.22.zip", sha256=sha, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) > 3 and calls[-1][0] == calls[-1][1]
    assert check_model(tmp_path / "data").ok


def test_files_at_the_archive_root_work_too(tmp_path: Path) -> None:
    sha = make_zip(tmp_path / "flat.zip", top=None)
    install_model(tmp_path / "data", source=f"file://{tmp_path / 'flat.zip'}", sha256=sha)
    assert check_model(tmp_path / "data").ok


def test_sha256_mismatch_is_refused_and_the_old_model_stays(tmp_path: Path, archive: tuple[Path, str]) -> None:
    path, sha = archive
    data = tmp_path / "data"
    install_model(data, source=str(path), sha256=sha)
    other = tmp_path / "other.zip"
    make_zip(other, {**FILES, "am/final.mdl": b"tampered"})
    with pytest.raises(ModelError, match="sha256 mismatch"):
        install_model(data, source=str(other), sha256=sha)
    assert (model_path(data) / "am" / "final.mdl").read_bytes() == b"acoustic"
    assert sorted(p.name for p in (data / "models").iterdir()) == ["vosk-small-cn"]


def test_no_pinned_hash_means_no_install(tmp_path: Path, archive: tuple[Path, str]) -> None:
    with pytest.raises(ModelError, match="--sha256"):
        install_model(tmp_path / "data", source=str(archive[0]))


@pytest.mark.parametrize(
    "name, files, error",
    [
        ("incomplete", {"am/final.mdl": b"x"}, "missing conf/model.conf"),
        ("escape", {"../../evil.txt": b"x"}, "unsafe path"),
        ("absolute", {"/etc/evil": b"x"}, "unsafe path"),
    ],
)
def test_bad_archives_are_refused(tmp_path: Path, name: str, files: dict[str, bytes], error: str) -> None:
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in files.items():
            zf.writestr(zipfile.ZipInfo(member), data)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ModelError, match=error):
        install_model(tmp_path / "data", source=str(path), sha256=sha)
    assert not (tmp_path / "evil.txt").exists()
    assert not check_model(tmp_path / "data").ok


def test_not_a_zip_and_missing_sources(tmp_path: Path, server: str) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a zip"):
        install_model(tmp_path / "d", source=str(junk), sha256=hashlib.sha256(b"not a zip").hexdigest())
    with pytest.raises(ModelError, match="cannot read"):
        install_model(tmp_path / "d", source=str(tmp_path / "nope.zip"), sha256="0" * 64)
    with pytest.raises(ModelError, match="cannot download"):
        install_model(tmp_path / "d", source=f"{server}/nope.zip", sha256="0" * 64)
    with pytest.raises(ModelError, match="unsupported source"):
        install_model(tmp_path / "d", source="ftp://127.0.0.1/x.zip", sha256="0" * 64)


def test_check_model_states(tmp_path: Path) -> None:
    assert "not installed" in check_model(tmp_path).detail
    root = model_path(tmp_path)
    (root / "am").mkdir(parents=True)
    (root / "am" / "final.mdl").write_bytes(b"x")
    assert "incomplete" in check_model(tmp_path).detail
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    status = check_model(tmp_path)
    assert status.ok and "by hand" in status.detail
    with pytest.raises(ModelError, match="unknown model"):
        check_model(tmp_path, "vosk-huge-xx")


def test_cli_install_and_status(tmp_path: Path, server: str) -> None:
    sha = make_zip(tmp_path / "www" / "m.zip")
    data = tmp_path / "data"

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], capture_output=True, text=True, env=kiosk_env(data), cwd=ROOT, timeout=60)

    missing = kiosk("models", "status")
    assert missing.returncode == 1 and "MISSING" in missing.stdout
    done = kiosk("models", "install", "vosk-small-cn", "--from", f"{server}/m.zip", "--sha256", sha)
    assert done.returncode == 0, done.stderr
    assert "100.0%" in done.stderr and "installed in" in done.stdout
    status = kiosk("models", "status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)[0]["ok"] is True
    refused = kiosk("models", "install", "vosk-small-cn", "--from", f"{server}/m.zip", "--sha256", "f" * 64)
    assert refused.returncode == 1 and "sha256 mismatch" in refused.stderr
    unknown = kiosk("models", "install", "nope")
    assert unknown.returncode == 1 and "unknown model" in unknown.stderr


