"""Signed releases at the centre: a TUF repository (root, targets, snapshot, timestamp)
made with ``tuf.api.metadata``, and its targets (``release_web.py`` serves them).

Keys and what each protects (docs/update.md):
- root: which keys may sign each role. Offline; used to rotate keys.
- targets: which files exist and their length and hashes. Offline: signs each release.
- snapshot: the versions of all targets metadata (stops mix-and-match). Online.
- timestamp: the newest snapshot, expiring within a day (stops freezing a terminal on
  old metadata). Online; ``kiosk-center serve`` re-signs it.

Target names say what they carry: ``app/legal-kiosk-<VERSION>.bundle`` for releases,
``content/<NAME>-<SERIAL>.<ext>`` for content packages (the law library), which travel the
same signed way without a software update. A content package's serial grows by one with
each package of that name; the terminal refuses one not above what it runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from fleet.update.bundle import APP_NAME, app_target, read_manifest
from fleet.update.content import CONTENT_KINDS, content_target, package_version

log = logging.getLogger(__name__)

ROLES = ("root", "targets", "snapshot", "timestamp")
OFFLINE_ROLES = ("root", "targets")
ONLINE_ROLES = ("snapshot", "timestamp")
EXPIRY = {"root": timedelta(days=365), "targets": timedelta(days=365), "snapshot": timedelta(days=30), "timestamp": timedelta(days=1)}
METADATA_NAME = re.compile(r"^(\d{1,10}\.)?(root|targets|snapshot|timestamp)\.json$|^publicity\.json$")
# Content the centre may sign by itself: the targets role (offline key) delegates these
# names to a role whose key the running centre holds, so the bureau can publish from its
# page. A stolen centre can then sign publicity slides at worst, never software or the law
# library; the terminal still checks each package as hostile (kiosk/publicity/package.py).
DELEGATED: dict[str, str] = {"publicity": "content/publicity-*"}
SERIALS = "content-serials.json"  # the highest serial ever given per content (never reused)
TARGET_NAME = re.compile(r"^(app|content)/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


class ReleaseError(RuntimeError):
    """A release step that cannot be done; the message says why and what to do."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _write_key(path: Path, signer: CryptoSigner) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(signer.private_bytes)


def load_signer(keys_dir: Path, role: str) -> CryptoSigner:
    """The private key of ``role`` from ``keys_dir/<role>.pem``."""
    path = keys_dir / f"{role}.pem"
    try:
        return CryptoSigner(load_pem_private_key(path.read_bytes(), password=None))
    except FileNotFoundError:
        where = "the offline keys (--keys DIR on the removable medium)" if role in OFFLINE_ROLES else "the centre's online keys"
        raise ReleaseError(f"no {role} key at {path}: it is kept with {where}") from None
    except ValueError as exc:
        raise ReleaseError(f"{path} is not a private key: {exc}") from None


@dataclass
class ReleaseRepo:
    """The repository under ``<data>/updates``: ``metadata/``, ``targets/``, ``keys/``
    (online keys only)."""

    base: Path

    @property
    def metadata_dir(self) -> Path:
        """Signed metadata, served at ``/updates/metadata/``."""
        return self.base / "metadata"

    @property
    def targets_dir(self) -> Path:
        """Bundles, served at ``/updates/targets/``."""
        return self.base / "targets"

    @property
    def online_keys(self) -> Path:
        """Snapshot and timestamp keys: the only keys the running centre holds."""
        return self.base / "keys"

    def exists(self) -> bool:
        """Whether ``init`` was run."""
        return (self.metadata_dir / "root.json").is_file()

    # ---- reading and writing metadata -------------------------------------------------
    def _load(self, role: str) -> Metadata[Any]:
        return Metadata.from_file(str(self.metadata_dir / f"{role}.json"))

    def _save(self, md: Metadata[Any], role: str) -> None:
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        raw = md.to_bytes(JSONSerializer(compact=False))
        names = [f"{role}.json"]
        if role == "root":
            names.append(f"{md.signed.version}.root.json")  # clients walk root versions one by one
        for name in names:
            tmp = self.metadata_dir / f".{name}.tmp"
            tmp.write_bytes(raw)
            os.replace(tmp, self.metadata_dir / name)

    def init(self, offline_keys: Path, *, expiry: dict[str, timedelta] | None = None) -> None:
        """New keys (root and targets into ``offline_keys``, snapshot and timestamp into the
        online keys dir) and version 1 of every role."""
        if self.exists():
            raise ReleaseError(f"a release repository already exists in {self.base}")
        exp = {**EXPIRY, **(expiry or {})}
        signers = {role: CryptoSigner.generate_ed25519() for role in ROLES}
        for role, signer in signers.items():
            _write_key((offline_keys if role in OFFLINE_ROLES else self.online_keys) / f"{role}.pem", signer)
        now = _now()
        root = Root(expires=now + exp["root"], consistent_snapshot=False)
        for role, signer in signers.items():
            root.add_key(signer.public_key, role)
        mds: dict[str, Metadata[Any]] = {
            "root": Metadata(root),
            "targets": Metadata(Targets(expires=now + exp["targets"])),
            "snapshot": Metadata(Snapshot(expires=now + exp["snapshot"])),
            "timestamp": Metadata(Timestamp(expires=now + exp["timestamp"])),
        }
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        for role in ("root", "targets", "snapshot", "timestamp"):
            mds[role].sign(signers[role])
            self._save(mds[role], role)

    def add(self, bundle: Path, offline_keys: Path, *, expiry: dict[str, timedelta] | None = None) -> str:
        """Add ``bundle`` as a target (signs targets with the offline key), then a new
        snapshot and timestamp. Returns the target name."""
        manifest = read_manifest(bundle)
        if manifest.name != APP_NAME:
            raise ReleaseError(f"{bundle} is a bundle of {manifest.name!r}, not {APP_NAME}")
        targets_signer = load_signer(offline_keys, "targets")
        name = app_target(manifest.version)
        targets = self._load("targets")
        if name in targets.signed.targets:
            raise ReleaseError(f"version {manifest.version} is already released; a fix gets a new version")
        dest = self.targets_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        with open(bundle, "rb") as src, open(tmp, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        os.replace(tmp, dest)
        tf = TargetFile.from_file(name, str(dest), ["sha256"])
        tf.unrecognized_fields["custom"] = {"kind": "app", "version": manifest.version, "debs": list(manifest.debs)}
        targets.signed.targets[name] = tf
        targets.signed.version += 1
        targets.signed.expires = _now() + {**EXPIRY, **(expiry or {})}["targets"]
        targets.signatures.clear()
        targets.sign(targets_signer)
        self._save(targets, "targets")
        self.publish(expiry=expiry)
        return name

    def add_content(self, content: str, package: Path, offline_keys: Path, *, expiry: dict[str, timedelta] | None = None) -> str:
        """Add the content package ``package`` of kind ``content`` (``library``) as the
        next serial of that kind: checked the way a terminal opens it, signed with the
        offline targets key, then a new snapshot and timestamp. Returns the target name."""
        if content not in CONTENT_KINDS:
            raise ReleaseError(f"unknown content {content!r}; known: {', '.join(sorted(CONTENT_KINDS))}")
        try:
            version = package_version(content, package)
        except ValueError as exc:
            raise ReleaseError(str(exc)) from None
        role = content if content in DELEGATED and self.delegated(content) else "targets"
        signer = load_signer(offline_keys if role == "targets" else self.online_keys, role)
        targets = self._load(role)
        serial = 1 + max([self._serials().get(content, 0), *(int(c.get("serial", 0)) for c in self.all_customs()
                                                             if c.get("kind") == "content" and c.get("content") == content)])
        name = content_target(content, serial)
        dest = self.targets_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        with open(package, "rb") as src, open(tmp, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        os.replace(tmp, dest)
        tf = TargetFile.from_file(name, str(dest), ["sha256"])
        tf.unrecognized_fields["custom"] = {"kind": "content", "content": content, "serial": serial, "version": version}
        targets.signed.targets[name] = tf
        self._resign(targets, role, signer, expiry)
        self._write_serials({**self._serials(), content: serial})
        self.publish(expiry=expiry)
        return name

    def _resign(self, md: Metadata[Any], role: str, signer: CryptoSigner, expiry: dict[str, timedelta] | None) -> None:
        md.signed.version += 1
        md.signed.expires = _now() + {**EXPIRY, **(expiry or {})}["targets"]
        md.signatures.clear()
        md.sign(signer)
        self._save(md, role)

    def _serials(self) -> dict[str, int]:
        try:
            doc = json.loads((self.base / SERIALS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in doc.items() if isinstance(v, int)} if isinstance(doc, dict) else {}

    def _write_serials(self, serials: dict[str, int]) -> None:
        tmp = self.base / f".{SERIALS}.tmp"
        tmp.write_text(json.dumps(serials), encoding="utf-8")
        os.replace(tmp, self.base / SERIALS)

    def delegated(self, role: str) -> bool:
        """Whether the targets role hands ``role``'s names to the centre's own key."""
        delegations = self._load("targets").signed.delegations
        return bool(delegations and delegations.roles and role in delegations.roles) and (self.online_keys / f"{role}.pem").is_file()

    def delegate(self, role: str, offline_keys: Path, *, expiry: dict[str, timedelta] | None = None) -> None:
        """Let the running centre sign ``role``'s content by itself (``DELEGATED``): a new
        key in the online keys dir, named in targets (signed with the offline key)."""
        if role not in DELEGATED:
            raise ReleaseError(f"{role!r} cannot be delegated; only {', '.join(DELEGATED)}")
        if self.delegated(role):
            raise ReleaseError(f"{role} is already signed by the centre's own key")
        targets_signer = load_signer(offline_keys, "targets")
        signer = CryptoSigner.generate_ed25519()
        key_path = self.online_keys / f"{role}.pem"
        key_path.unlink(missing_ok=True)
        _write_key(key_path, signer)
        targets = self._load("targets")
        delegations = targets.signed.delegations or Delegations(keys={}, roles={})
        assert delegations.roles is not None
        delegations.keys[signer.public_key.keyid] = signer.public_key
        delegations.roles[role] = DelegatedRole(name=role, keyids=[signer.public_key.keyid], threshold=1,
                                                terminating=True, paths=[DELEGATED[role]])
        targets.signed.delegations = delegations
        self._resign(targets, "targets", targets_signer, expiry)
        # Its own metadata starts empty, at version 1, signed with its new key.
        md = Metadata(Targets(version=1, expires=_now() + {**EXPIRY, **(expiry or {})}["targets"]))
        md.sign(signer)
        self._save(md, role)
        self.publish(expiry=expiry)

    def remove_content(self, name: str, offline_keys: Path | None, *, expiry: dict[str, timedelta] | None = None) -> None:
        """Withdraw the content target ``name`` (terminals that run it keep it; none
        fetches it again). Its serial is never given again."""
        for role in [*(r for r in DELEGATED if self.delegated(r)), "targets"]:
            md = self._load(role)
            tf = md.signed.targets.get(name)
            if tf is None:
                continue
            if dict(tf.unrecognized_fields.get("custom") or {}).get("kind") != "content":
                raise ReleaseError(f"{name} is a software release, not content; releases are halted, not removed")
            if role == "targets" and offline_keys is None:
                raise ReleaseError(f"{name} is signed with the offline targets key: give --keys DIR")
            signer = load_signer(offline_keys if role == "targets" and offline_keys is not None else self.online_keys, role)
            del md.signed.targets[name]
            self._resign(md, role, signer, expiry)
            self.publish(expiry=expiry)
            (self.targets_dir / name).unlink(missing_ok=True)
            return
        raise ReleaseError(f"no content package {name} in the repository")

    def delegated_roles(self) -> list[str]:
        """The delegated roles in use (their metadata is in the snapshot)."""
        delegations = self._load("targets").signed.delegations
        return [r for r in (delegations.roles or {}) if (self.metadata_dir / f"{r}.json").is_file()] if delegations else []

    def all_customs(self) -> list[dict[str, Any]]:
        """The custom fields of every target, the delegated roles' too."""
        out = self._customs(self._load("targets"))
        for role in self.delegated_roles():
            out += self._customs(self._load(role))
        return out

    @staticmethod
    def _customs(targets: Metadata[Any]) -> list[dict[str, Any]]:
        return [dict(tf.unrecognized_fields.get("custom") or {}) for tf in targets.signed.targets.values()]

    def publish(self, *, expiry: dict[str, timedelta] | None = None) -> None:
        """A new snapshot naming the current targets metadata, and a new timestamp."""
        exp = {**EXPIRY, **(expiry or {})}
        targets = self._load("targets")
        snapshot = self._load("snapshot")
        snapshot.signed.meta["targets.json"] = MetaFile(version=targets.signed.version)
        for role in self.delegated_roles():
            snapshot.signed.meta[f"{role}.json"] = MetaFile(version=self._load(role).signed.version)
        snapshot.signed.version += 1
        snapshot.signed.expires = _now() + exp["snapshot"]
        snapshot.signatures.clear()
        snapshot.sign(load_signer(self.online_keys, "snapshot"))
        self._save(snapshot, "snapshot")
        self.refresh_timestamp(force=True, expiry=expiry)

    def refresh_timestamp(self, *, force: bool = False, expiry: dict[str, timedelta] | None = None) -> bool:
        """Re-sign the timestamp when half of its life is gone (or ``force``); the
        snapshot too when it nears expiry. True when something was signed."""
        exp = {**EXPIRY, **(expiry or {})}
        now = _now()
        snapshot = self._load("snapshot")
        if snapshot.signed.expires - now < exp["snapshot"] / 4 and not force:
            self.publish(expiry=expiry)
            return True
        ts = self._load("timestamp")
        if not force and ts.signed.expires - now > exp["timestamp"] / 2 and ts.signed.snapshot_meta.version == snapshot.signed.version:
            return False
        ts.signed.snapshot_meta = MetaFile(version=snapshot.signed.version)
        ts.signed.version += 1
        ts.signed.expires = now + exp["timestamp"]
        ts.signatures.clear()
        ts.sign(load_signer(self.online_keys, "timestamp"))
        self._save(ts, "timestamp")
        return True

    def releases(self) -> dict[str, dict[str, Any]]:
        """Every target: name -> {version, kind, length} (content also: content, serial)."""
        out = {}
        tfs = dict(self._load("targets").signed.targets)
        for role in self.delegated_roles():
            tfs.update(self._load(role).signed.targets)
        for name, tf in tfs.items():
            custom = dict(tf.unrecognized_fields.get("custom") or {})
            out[name] = {"version": custom.get("version"), "kind": custom.get("kind"), "length": tf.length}
            if custom.get("kind") == "content":
                out[name].update(content=custom.get("content"), serial=custom.get("serial"))
        return out


async def keep_signed(base: Path, stop: asyncio.Event, every_s: float = 600.0) -> None:
    """Until ``stop``: re-sign the timestamp (and snapshot) before they expire, so that
    terminals never see frozen metadata from a live centre. Runs in ``serve``."""
    repo = ReleaseRepo(base)
    while not stop.is_set():
        if repo.exists():
            try:
                if await asyncio.to_thread(repo.refresh_timestamp):
                    log.info("release timestamp re-signed")
            except (ReleaseError, OSError, ValueError) as exc:
                log.error("cannot re-sign the release timestamp: %s", exc)
        try:
            await asyncio.wait_for(stop.wait(), every_s)
        except asyncio.TimeoutError:
            pass
