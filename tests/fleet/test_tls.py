"""TLS on loopback: `tls init` certificates, the broker's TLS listener, an agent over
mqtts:// verifying the CA — and plain MQTT refused to anything but loopback."""

from __future__ import annotations

import pytest

from fleet.agent import start_agent
from fleet.broker import Broker, TlsFiles, free_port, hash_password
from fleet.center.tls import init_tls
from fleet.mqttlink import parse_broker_url
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig


def test_plain_mqtt_only_on_loopback():
    assert parse_broker_url("mqtt://127.0.0.1:1883") == ("127.0.0.1", 1883, False)
    assert parse_broker_url("mqtts://fleet.example.gov.cn") == ("fleet.example.gov.cn", 8883, True)
    with pytest.raises(ValueError):
        parse_broker_url("mqtt://fleet.example.gov.cn:1883")


def test_agent_over_tls(tmp_path):
    files = init_tls(tmp_path / "tls", ["localhost", "127.0.0.1"])
    import shutil

    port = free_port()
    b = Broker()  # a private dir the broker's user can read (as root it drops to mosquitto)
    for k in ("ca", "cert", "key"):
        shutil.copy(files[k], b.directory / files[k].name)
    b.tls = TlsFiles(b.directory / "ca.crt", b.directory / "server.crt", b.directory / "server.key", port, "127.0.0.1")
    b.start({"T1": hash_password("pw")})
    try:
        cfg = KioskConfig(terminal_id="T1", fleet=FleetSettings(broker=f"mqtts://localhost:{port}", password="pw", ca_file=files["ca"]))
        t = build_terminal(cfg, tmp_path / "t", with_devices=False)
        a = start_agent(t)
        try:
            assert a.connected_event.wait(10)
        finally:
            a.close()
        # The wrong CA: the terminal refuses the broker.
        other = init_tls(tmp_path / "other", ["localhost"])
        cfg2 = cfg.model_copy(update={"fleet": cfg.fleet.model_copy(update={"ca_file": other["ca"]})})
        a2 = start_agent(build_terminal(cfg2, tmp_path / "t2", with_devices=False))
        try:
            assert not a2.connected_event.wait(3)
        finally:
            a2.close()
    finally:
        b.stop()
