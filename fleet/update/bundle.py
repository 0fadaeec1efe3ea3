"""Release bundles: one tar holding the app's wheel, every wheel it needs for the
terminal's platform, and ``manifest.json`` (version, python tag, platform, sha256 of
each file, the Debian packages the app needs). A terminal installs one with no package
index: ``python -m venv`` + ``pip install --no-index --find-links``.

``python -m fleet.update.bundle build`` is what ``make bundle`` runs.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fleet.update.layout import COMPLETE, Layout, check_version

MANIFEST = "manifest.json"
FORMAT = 1
APP_NAME = "legal-kiosk"
_WHEEL_NAME = re.compile(r"^wheels/[A-Za-z0-9_.+-]+\.whl$")


def app_target(version: str) -> str:
    """The TUF target name of the app bundle of ``version`` (content packages are
    ``content/…``: fleet/update/content.py)."""
    return f"app/{APP_NAME}-{check_version(version)}.bundle"


class BundleError(RuntimeError):
    """A bundle that cannot be built, read or installed; the message says why."""


@dataclass(frozen=True)
class Manifest:
    """What a bundle says about itself."""

    name: str
    version: str
    python: str
    platform: str
    files: dict[str, str]  # member name -> sha256
    debs: tuple[str, ...]

    def to_json(self) -> bytes:
        """The manifest as stored in the bundle."""
        return json.dumps({"format": FORMAT, "name": self.name, "version": self.version, "python": self.python,
                           "platform": self.platform, "files": self.files, "debs": list(self.debs)},
                          indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        """Parse and check a manifest; ``BundleError`` on anything odd."""
        try:
            doc = json.loads(raw)
            if doc.get("format") != FORMAT:
                raise BundleError(f"unknown bundle format {doc.get('format')!r}")
            files = {str(k): str(v) for k, v in dict(doc["files"]).items()}
            m = cls(str(doc["name"]), check_version(str(doc["version"])), str(doc["python"]), str(doc["platform"]),
                    files, tuple(str(d) for d in doc.get("debs", [])))
        except BundleError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BundleError(f"bad manifest: {exc}") from None
        for name, digest in m.files.items():
            if not _WHEEL_NAME.fullmatch(name) or not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise BundleError(f"bad manifest entry {name!r}")
        return m


def python_tag() -> str:
    """``cp311`` for this interpreter."""
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def platform_tag() -> str:
    """``linux-x86_64`` and the like (sysconfig's platform)."""
    return sysconfig.get_platform()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_bundle(wheelhouse: Path, out: Path, *, name: str, version: str, debs: tuple[str, ...] = ()) -> Path:
    """Pack every ``*.whl`` of ``wheelhouse`` with its manifest into ``out``."""
    wheels = sorted(wheelhouse.glob("*.whl"))
    if not any(w.name.lower().startswith(name.replace("-", "_").lower() + "-" + version + "-") for w in wheels):
        raise BundleError(f"no wheel of {name} {version} in {wheelhouse}")
    files = {f"wheels/{w.name}": _sha256(w) for w in wheels}
    manifest = Manifest(name, check_version(version), python_tag(), platform_tag(), files, tuple(debs))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tarfile.open(tmp, "w") as tar:
        raw = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
        for w in wheels:
            tar.add(w, arcname=f"wheels/{w.name}", recursive=False)
    tmp.replace(out)
    return out


def read_manifest(bundle: Path) -> Manifest:
    """The manifest of ``bundle`` (``BundleError`` if it is not a bundle)."""
    try:
        with tarfile.open(bundle, "r:") as tar:
            member = tar.getmember(MANIFEST)
            f = tar.extractfile(member)
            if f is None or member.size > 1 << 20:
                raise BundleError("manifest is not a small regular file")
            return Manifest.from_json(f.read())
    except (tarfile.TarError, KeyError, OSError) as exc:
        raise BundleError(f"{bundle}: not a release bundle ({exc})") from None


def missing_debs(debs: tuple[str, ...]) -> list[str]:
    """The Debian packages of ``debs`` that dpkg does not report as installed."""
    missing = []
    for pkg in debs:
        try:
            out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            missing.append(pkg)
            continue
        if out.returncode != 0 or "ok installed" not in out.stdout:
            missing.append(pkg)
    return missing


def unpack(bundle: Path, dest: Path) -> Manifest:
    """Extract the wheels of ``bundle`` into ``dest`` after checking every member against
    the manifest (names, regular files, sha256); nothing else is written."""
    manifest = read_manifest(bundle)
    dest.mkdir(parents=True, exist_ok=True)
    seen = set()
    with tarfile.open(bundle, "r:") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            if member.name not in manifest.files or not member.isreg():
                raise BundleError(f"unexpected member {member.name!r} in bundle")
            src = tar.extractfile(member)
            assert src is not None  # a regular member always has a file
            target = dest / Path(member.name).name
            h = hashlib.sha256()
            with open(target, "wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
            if h.hexdigest() != manifest.files[member.name]:
                raise BundleError(f"{member.name}: sha256 does not match the manifest")
            seen.add(member.name)
    if seen != set(manifest.files):
        raise BundleError(f"bundle lacks {sorted(set(manifest.files) - seen)}")
    return manifest


def install(bundle: Path, layout: Layout, *, python: str | None = None) -> str:
    """Install ``bundle`` into ``versions/<VERSION>`` beside the running version; returns
    the version. Refuses a missing Debian package by name, another Python or platform.
    An interrupted install is redone from scratch."""
    manifest = read_manifest(bundle)
    if manifest.python != python_tag() or manifest.platform != platform_tag():
        raise BundleError(f"bundle is for {manifest.python} {manifest.platform}, this terminal is {python_tag()} {platform_tag()}")
    missing = missing_debs(manifest.debs)
    if missing:
        raise BundleError(f"missing Debian packages: {' '.join(missing)} (apt-get install them first)")
    target = layout.version_dir(manifest.version)
    if layout.is_installed(manifest.version):
        return manifest.version
    if target.exists():
        if layout.current_version() == manifest.version:
            raise BundleError(f"version {manifest.version} is running but marked incomplete")
        shutil.rmtree(target)
    layout.versions.mkdir(parents=True, exist_ok=True)
    py = python or sys.executable
    with tempfile.TemporaryDirectory(dir=layout.versions, prefix=".wheels-") as tmp:
        unpack(bundle, Path(tmp))
        try:
            # The venv is created in place: a venv's scripts name its path, so it cannot be
            # built elsewhere and moved. The COMPLETE marker says it finished.
            _run([py, "-m", "venv", "--without-pip", str(target)])
            _run([py, "-m", "pip", "--python", str(target / "bin" / "python"), "install", "--quiet", "--isolated", "--no-index",
                  "--disable-pip-version-check", "--find-links", tmp, f"{manifest.name}=={manifest.version}"])
        except BundleError:
            shutil.rmtree(target, ignore_errors=True)
            raise
    (target / COMPLETE).write_text(manifest.version + "\n", encoding="utf-8")
    return manifest.version


def _run(cmd: list[str]) -> None:
    # The new venv must see only its own packages: a PYTHONPATH of the running app would
    # make pip believe legal-kiosk is already installed and skip it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP") and not k.startswith("PIP_")}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise BundleError(f"{Path(cmd[0]).name} {' '.join(cmd[1:3])} failed: {' / '.join(tail)}")


def build(project: Path, out_dir: Path, debs: tuple[str, ...]) -> Path:
    """``make bundle``: the project's wheel and every wheel it needs for this platform
    (the index is reachable at build time, never on a terminal)."""
    with tempfile.TemporaryDirectory() as tmp:
        house = Path(tmp)
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(house), str(project)])
        own = [w for w in house.glob("legal_kiosk-*.whl")]
        if not own:
            raise BundleError("pip wheel made no legal_kiosk wheel")
        version = own[0].name.split("-")[1]
        return write_bundle(house, out_dir / f"{APP_NAME}-{version}.bundle", name=APP_NAME, version=version, debs=debs)


def main(argv: list[str] | None = None) -> int:
    """``python -m fleet.update.bundle build|show|install``."""
    p = argparse.ArgumentParser(prog="python -m fleet.update.bundle", description="release bundles")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build dist/legal-kiosk-VERSION.bundle from a project directory")
    b.add_argument("--project", default=".")
    b.add_argument("--out", default="dist")
    b.add_argument("--deb", action="append", default=[], help="a Debian package the app needs (repeatable)")
    s = sub.add_parser("show", help="print a bundle's manifest")
    s.add_argument("bundle")
    i = sub.add_parser("install", help="install a bundle into PREFIX/opt/legal-kiosk/versions/VERSION")
    i.add_argument("bundle")
    i.add_argument("--prefix", default="/")
    args = p.parse_args(argv)
    try:
        if args.cmd == "build":
            print(build(Path(args.project), Path(args.out), tuple(args.deb)))
        elif args.cmd == "show":
            print(read_manifest(Path(args.bundle)).to_json().decode())
        else:
            print(install(Path(args.bundle), Layout(Path(args.prefix))))
    except (BundleError, ValueError, OSError) as exc:
        print(f"bundle: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
