"""Topic names, payload schemas and the generated broker files (no broker needed)."""

import base64
import hashlib

import pytest

from fleet import topics
from fleet.broker import acl_text, config_text, hash_password, passwd_text


def test_topics_and_parse():
    assert topics.topic("HS-1", topics.STATUS) == "kiosk/v1/HS-1/status"
    assert topics.response_topic("HS-1", "w1") == "kiosk/v1/HS-1/res/w1"
    assert topics.parse("kiosk/v1/HS-1/config/desired") == ("HS-1", "config/desired")
    assert topics.parse("other/v1/HS-1/status") is None
    assert topics.shared("g", topics.any_terminal(topics.TELEMETRY)) == "$share/g/kiosk/v1/+/telemetry"


def test_payloads_validate_and_reject_unknown_versions():
    s = topics.Status(state="online", session=3)
    assert topics.Status.from_bytes(s.to_bytes()) == s
    with pytest.raises(ValueError):
        topics.Status.from_bytes(b'{"v": 2, "state": "online", "session": 1}')
    with pytest.raises(ValueError):
        topics.Command.from_bytes(b'{"v": 1, "id": "", "name": "ping"}')
    with pytest.raises(ValueError):
        topics.Desired.from_bytes(b'{"v": 1, "version": 0, "config": {}}')


def test_acl_gives_terminals_only_their_own_root():
    acl = acl_text()
    assert "user center\ntopic readwrite kiosk/v1/#" in acl
    for leaf in topics.TERMINAL_WRITES:
        assert f"pattern write kiosk/v1/%u/{leaf}\n" in acl
    for leaf in topics.TERMINAL_READS:
        assert f"pattern read kiosk/v1/%u/{leaf}\n" in acl
    assert "readwrite kiosk/v1/%u" not in acl and "pattern read kiosk/v1/%u/#" not in acl


def test_password_hash_is_mosquittos_pbkdf2():
    h = hash_password("secret", salt=b"0123456789ab")
    _, kind, iterations, salt, digest = h.split("$")
    assert kind == "7" and iterations == "101" and base64.b64decode(salt) == b"0123456789ab"
    assert base64.b64decode(digest) == hashlib.pbkdf2_hmac("sha512", b"secret", b"0123456789ab", 101)
    assert passwd_text({"b": "h2", "a": "h1"}) == "a:h1\nb:h2\n"


def test_broker_config_plain_only_on_loopback(tmp_path):
    text = config_text(tmp_path, 1883)
    assert "listener 1883 127.0.0.1" in text and "allow_anonymous false" in text
    assert "set_tcp_nodelay true" in text and "websockets" not in text
