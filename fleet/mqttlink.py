"""Making a paho-mqtt 2 client (MQTT v5, callback API 2) from a broker URL."""

from __future__ import annotations

import random
import socket
import ssl
from pathlib import Path
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RECONNECT_MIN_S, RECONNECT_MAX_S = 1.0, 10.0  # paho's back-off after a lost connection
RECONNECT_SPREAD = (0.5, 1.5)  # each client's own factor on both delays


def parse_broker_url(url: str) -> tuple[str, int, bool]:
    """``(host, port, tls)`` of ``mqtt://host:port`` or ``mqtts://host:port``.

    Plain TCP is allowed only to loopback: credentials never cross a network in clear.
    """
    u = urlparse(url)
    if u.scheme not in ("mqtt", "mqtts") or not u.hostname:
        raise ValueError(f"not a broker URL: {url!r}")
    tls = u.scheme == "mqtts"
    if not tls and u.hostname not in LOOPBACK:
        raise ValueError(f"{url}: plain MQTT only on loopback; use mqtts:// with a CA file")
    return u.hostname, u.port or (8883 if tls else 1883), tls


def make_client(
    client_id: str,
    username: str,
    password: str,
    *,
    tls: bool = False,
    ca_file: Path | None = None,
) -> mqtt.Client:
    """An MQTT v5 client; TLS verified against ``ca_file`` (else the system's CAs)."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(username, password)
    if tls:
        ctx = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        client.tls_set_context(ctx)
    client.on_socket_open = _nodelay
    # Reconnect quickly after a broker restart, without hammering it. paho's back-off
    # has no jitter: every terminal that lost the broker at the same moment would retry
    # at the same 1, 2, 4, 8 s. Each client gets its own scale of the delays instead.
    scale = random.uniform(RECONNECT_SPREAD[0], RECONNECT_SPREAD[1])
    # paho annotates the delays as int, but takes (and needs, for the spread) fractions.
    client.reconnect_delay_set(min_delay=RECONNECT_MIN_S * scale, max_delay=RECONNECT_MAX_S * scale)  # type: ignore[arg-type]
    return client


def _nodelay(client: mqtt.Client, userdata: object, sock: object) -> None:
    # Small request/response messages: Nagle + delayed ACK would add ~40 ms per hop.
    if not isinstance(sock, socket.socket):  # (TLS sockets are sockets too)
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass
