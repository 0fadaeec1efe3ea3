"""The centre's Janus configuration: written fresh at every start, for loopback or LAN use.

What it locks down (each line below says why):
- only the VideoRoom plugin and the WebSocket transport are loaded; the Admin API is off
  on every transport; the admin secret is random anyway;
- every request needs a token signed by the centre (``token_auth_secret``: HMAC tokens
  that name the plugin and an expiry, so nothing has to be pushed into Janus per party);
- creating a room needs the plugin's ``admin_key``, which only the centre has;
- no STUN or TURN server: the centre and the terminals share a network (LAN or the
  county's VPN); Janus offers only its host candidates on ``media_addresses``;
- mDNS candidates are ignored (nothing to resolve them on a kiosk network).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from kiosk.files import private_dir, write_private

LIB_DIR = Path("/usr/lib/x86_64-linux-gnu/janus")  # Debian's janus package (multiarch path)
KEEP_PLUGINS = ("libjanus_videoroom.so",)
KEEP_TRANSPORTS = ("libjanus_websockets.so",)


@dataclass(frozen=True)
class JanusSettings:
    """How the centre runs Janus.

    ``media_addresses``: the addresses (or interface names) Janus gathers ICE candidates
    on — the centre's LAN/VPN address; empty means every non-loopback interface (Janus
    never uses a loopback interface for media). ``rtp_ports``: the UDP range for media
    (open it in the centre's firewall); None lets the system choose.
    """

    ws_port: int = 8188
    bind: str = "127.0.0.1"
    media_addresses: tuple[str, ...] = ()
    rtp_ports: tuple[int, int] | None = None
    publisher_kbps: int = 600
    max_publishers: int = 3
    session_timeout_s: int = 60
    debug_level: int = 3
    binary: str = "janus"
    lib_dir: Path = LIB_DIR

    @property
    def url(self) -> str:
        """The WebSocket URL clients connect to."""
        host = "127.0.0.1" if self.bind in ("", "0.0.0.0") else self.bind
        return f"ws://{host}:{self.ws_port}/"


@dataclass(frozen=True)
class JanusSecrets:
    """The secrets of one Janus: the token-signing key, the room admin key, the admin
    secret; and ``instance``, the name it answers ``info`` with (so we know the server
    on the port is ours, not another Janus left running there)."""

    token_secret: str
    admin_key: str
    admin_secret: str
    instance: str = field(default_factory=lambda: "legal-kiosk-mediation-" + secrets.token_hex(6))

    @classmethod
    def generate(cls) -> "JanusSecrets":
        """Fresh random secrets (rooms are not permanent, so a restart loses nothing)."""
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(24), secrets.token_urlsafe(24))


def settings_from(section: Mapping[str, Any]) -> JanusSettings:
    """``JanusSettings`` from a ``[mediation]`` configuration table (TOML values), each
    bad value named plainly (``ValueError``), unknown keys refused (a typo must not
    silently fall back to a default)."""
    known = {"ws_port", "bind", "media_addresses", "rtp_ports", "publisher_kbps", "max_publishers", "binary"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ValueError(f"[mediation] has unknown setting(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    kw: dict[str, Any] = {}
    for key, lo, hi in (("ws_port", 1, 65535), ("publisher_kbps", 100, 10000), ("max_publishers", 2, 16)):
        if key in section:
            v = section[key]
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ValueError(f"[mediation] {key} must be a whole number from {lo} to {hi}, not {v!r}")
            kw[key] = v
    for key in ("bind", "binary"):
        if key in section:
            if not isinstance(section[key], str) or not section[key]:
                raise ValueError(f"[mediation] {key} must be a non-empty text, not {section[key]!r}")
            kw[key] = section[key]
    if "media_addresses" in section:
        addrs = section["media_addresses"]
        if not isinstance(addrs, list) or not all(isinstance(a, str) and a and "," not in a for a in addrs):
            raise ValueError(f"[mediation] media_addresses must be a list of addresses or interface names, not {addrs!r}")
        kw["media_addresses"] = tuple(addrs)
    if "rtp_ports" in section:
        r = section["rtp_ports"]
        if not (isinstance(r, list) and len(r) == 2 and all(isinstance(x, int) and 1024 <= x <= 65535 for x in r) and r[0] < r[1]):
            raise ValueError(f"[mediation] rtp_ports must be [first, last] UDP ports between 1024 and 65535, not {r!r}")
        kw["rtp_ports"] = (r[0], r[1])
    return JanusSettings(**kw)


def _disabled(folder: Path, keep: tuple[str, ...]) -> str:
    """Janus loads every library in a folder unless told not to: list all but ``keep``."""
    if not folder.is_dir():
        return ""
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".so") and p.name not in keep)
    return ",".join(names)


def _q(value: str) -> str:
    """A libconfig string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(settings: JanusSettings, keys: JanusSecrets, config_dir: Path) -> dict[str, str]:
    """The three configuration files (name → text)."""
    lib = settings.lib_dir
    media = []
    if settings.rtp_ports is not None:
        media.append(f"\trtp_port_range = {_q(f'{settings.rtp_ports[0]}-{settings.rtp_ports[1]}')}")
    nat = ["\tignore_mdns = true", "\tnice_debug = false"]
    if settings.media_addresses:
        nat.append(f"\tice_enforce_list = {_q(','.join(settings.media_addresses))}")
    core = f"""general: {{
	configs_folder = {_q(str(config_dir))}
	plugins_folder = {_q(str(lib / "plugins"))}
	transports_folder = {_q(str(lib / "transports"))}
	events_folder = {_q(str(lib / "events"))}
	loggers_folder = {_q(str(lib / "loggers"))}
	debug_level = {int(settings.debug_level)}
	debug_colors = false
	admin_secret = {_q(keys.admin_secret)}
	token_auth = true
	token_auth_secret = {_q(keys.token_secret)}
	hide_dependencies = true
	session_timeout = {int(settings.session_timeout_s)}
	server_name = {_q(keys.instance)}
}}
media: {{
{chr(10).join(media)}
}}
nat: {{
{chr(10).join(nat)}
}}
plugins: {{
	disable = {_q(_disabled(lib / "plugins", KEEP_PLUGINS))}
}}
transports: {{
	disable = {_q(_disabled(lib / "transports", KEEP_TRANSPORTS))}
}}
events: {{
	broadcast = false
	disable = {_q(_disabled(lib / "events", ()))}
}}
loggers: {{
	disable = {_q(_disabled(lib / "loggers", ()))}
}}
"""
    websockets = f"""general: {{
	json = "plain"
	ws = true
	ws_port = {int(settings.ws_port)}
	ws_ip = {_q(settings.bind)}
	wss = false
}}
admin: {{
	admin_ws = false
	admin_wss = false
}}
"""
    videoroom = f"""general: {{
	admin_key = {_q(keys.admin_key)}
	lock_rtp_forward = true
}}
"""
    return {"janus.jcfg": core, "janus.transport.websockets.jcfg": websockets, "janus.plugin.videoroom.jcfg": videoroom}


def write_config(config_dir: Path, settings: JanusSettings, keys: JanusSecrets) -> Path:
    """Write the configuration into ``config_dir`` (0700, files 0600); the core file's path."""
    private_dir(config_dir)
    for name, text in render(settings, keys, config_dir).items():
        write_private(config_dir / name, text)
    return config_dir / "janus.jcfg"


__all__ = ["JanusSecrets", "JanusSettings", "render", "settings_from", "write_config"]
