"""A pushed configuration can never leave a terminal unable to start.

Every configuration example in the docs and hostile values go through the real agent
over a real Mosquitto; the terminal is then started again from its file the way
`kiosk run` starts (``start_config`` → ``build_terminal`` → ``mark_started``). What
applies must come back identical; what would not start is refused with the reason while
the file stays byte-identical; a file damaged anyway falls back to the last one that
started, and the centre sees that.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
import re
import shutil
import sqlite3
import subprocess
import textwrap
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from fleet.agent.configfile import LOCAL_ONLY
from fleet.dashboard.server import alerts
from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig
from kiosk.startconfig import StartConfig, last_good_path, mark_started, start_config
from tests.fleet.conftest import Fleet, until
from tests.support import PYTHON, ROOT, kiosk_env

FENCE = re.compile(r"^([ \t]*)```toml[ \t]*\n(.*?)^\1```", re.M | re.S)


def doc_examples() -> list[tuple[str, dict[str, Any]]]:
    """Every ```toml block of docs/*.md and README.md, parsed."""
    out = []
    for f in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        for i, m in enumerate(FENCE.finditer(f.read_text(encoding="utf-8"))):
            out.append((f"{f.relative_to(ROOT)}#{i}", tomllib.loads(textwrap.dedent(m.group(2)))))
    return out


class Site:
    """One terminal whose configuration lives in its kiosk.toml, as on a kiosk, linked
    to the fleet's broker; started and restarted the way `kiosk run` does it."""

    def __init__(self, fleet: Fleet, tid: str, extra: str = "") -> None:
        self.fleet, self.tid = fleet, tid
        pw = fleet.provision(tid)
        self.dir = fleet.tmp / tid
        self.dir.mkdir()
        self.file = self.dir / "kiosk.toml"
        self.file.write_text(
            f'terminal_id = "{tid}"\n{extra}\n[fleet]\nbroker = "{fleet.broker.url}"\npassword = "{pw}"\n'
            "will_delay_seconds = 5\ntelemetry_seconds = 1\n",
            encoding="utf-8",
        )
        self.terminals: list[Any] = []
        self.agent: Any = None
        self.version = 0

    def start(self, *, with_agent: bool = True) -> StartConfig:
        """What `kiosk run` does at start (without the window): the configuration or its
        fallback, the terminal built from it, kept as last good, the agent told."""
        if with_agent and self.agent is not None:
            self.agent.close()
            self.agent = None
        start = start_config(None, self.dir)
        terminal = build_terminal(start.config, self.dir, simulate=True, with_devices=False)
        self.terminals.append(terminal)
        mark_started(start)
        if with_agent:
            self.agent = self.fleet.agent(terminal, config_path=start.path, config_fallback=start.fallback)
            until(lambda: (self.fleet.store.terminal(self.tid) or {}).get("online"))
        return start

    def reported(self) -> dict[str, Any]:
        """The centre's copy of the terminal's reported configuration."""
        return self.fleet.store.terminal(self.tid)["reported"] or {}

    def push(self, desired: dict[str, Any]) -> dict[str, Any]:
        """Push as desired configuration; the terminal's verdict once it has one."""
        v = self.fleet.center.push_desired(self.tid, desired)
        until(lambda: self.reported().get("desired_version") == v and self.reported().get("state") in ("applied", "rejected"))
        return self.reported()

    def close(self) -> None:
        """Stop what was started."""
        if self.agent is not None:
            self.agent.close()
        for t in self.terminals:
            t.close()


@pytest.fixture
def site(tmp_path: Path):
    fleet = Fleet(tmp_path)
    s = Site(fleet, "SEC1")
    try:
        yield s
    finally:
        s.close()
        fleet.close()


def _same(started: KioskConfig, desired: dict[str, Any]) -> None:
    """Every value of ``desired`` is what the restarted terminal has."""
    want = KioskConfig.model_validate(desired).model_dump(mode="json")
    have = started.model_dump(mode="json")
    for key, value in desired.items():
        if isinstance(value, dict):
            for k in value:
                assert have[key][k] == want[key][k], (key, k)
        else:
            assert have[key] == want[key], key


def test_every_doc_example_applies_and_starts_or_is_refused(site):
    examples = doc_examples()
    assert len(examples) >= 6  # the extraction found the blocks (a silent zero proves nothing)
    site.start()
    kiosk_examples = 0
    for name, example in examples:
        pushable = {k: v for k, v in example.items() if k not in LOCAL_ONLY}
        local = {k: v for k, v in example.items() if k in LOCAL_ONLY}
        if not set(example) <= set(KioskConfig.model_fields):
            # Another file's example (the centre's desk.toml): refused, named, file kept.
            before = site.file.read_bytes()
            rep = site.push(example)
            assert rep["state"] == "rejected" and "unknown key" in rep["error"], name
            assert site.file.read_bytes() == before
            continue
        kiosk_examples += 1
        if pushable:
            rep = site.push(pushable)
            assert rep["state"] == "applied", (name, rep)
            started = site.start()
            assert started.fallback is None, name
            _same(started.config, pushable)
        if local:
            before = site.file.read_bytes()
            rep = site.push(local)
            assert rep["state"] == "rejected" and "set on the terminal only" in rep["error"], name
            assert site.file.read_bytes() == before
    assert kiosk_examples >= 5


def test_turn_example_by_set_config_starts(site):
    """The finding: docs/video.md's TURN servers sent with `set_config` once wrote Python
    text into kiosk.toml. Now the file is TOML and the terminal starts with them."""
    (turn,) = [e for n, e in doc_examples() if "video" in e]
    site.start()
    res = site.fleet.center.command(site.tid, "set_config", {"config": turn})
    assert res.ok, res
    until(lambda: site.reported().get("state") == "applied" and site.reported()["version"] == res.result["desired_version"])
    tomllib.loads(site.file.read_text(encoding="utf-8"))  # real TOML
    started = site.start()
    assert started.fallback is None
    servers = started.config.video.ice_servers
    assert [s.urls for s in servers] == [tuple(turn["video"]["ice_servers"][0]["urls"])]
    assert servers[0].username == "kiosk" and servers[0].credential == "…"
    assert (site.file.stat().st_mode & 0o777) == 0o600


# Values that must arrive exactly as sent.
APPLIED: list[dict[str, Any]] = [
    {"calling": {"notice": 'DEL\x7f NL\n CR\r quote" back\\slash tab\t 中文 😀 \u2028 nul\x00 esc\x1b'}},
    {"site_name": '"""\n[fleet]\nbroker = "mqtt://127.0.0.1:1"\n\'\'\' # not a table'},
    {"video": {"ice_servers": [
        {"urls": ["turn:turn.example.gov.cn:3478?transport=udp"], "username": "kiosk", "credential": "p\"w\\d\x7f\n"},
        {"urls": ["stun:stun.example.gov.cn:3478"]},
    ]}},
    {"legal_aid": {"centre_address": "黄石市黄石港区\n湖滨大道2号", "centre_name": "黄石市法律援助中心"}},
    {"hours": {"open": "09:00", "close": "16:45:30", "days": [1, 3, 5, 6]}},
    {"timeouts": {"idle_seconds": "90"}},  # a number as text: taken as the number
    {"calling": {"windows": [3, 1, 2]}},
]

# Values that must be refused, with the key or reason the error names.
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"catalog": "no/such/catalog.toml"}, "catalog"),
    ({"timeouts": {"idle_seconds": {"nested": 1}}}, "timeouts.idle_seconds"),
    ({"timeouts": 5}, "timeouts"),
    ({"calling": [{"notice": "x"}]}, "calling"),
    ({"printer": {"profile": "58mm"}}, "printer: unknown key"),
    ({"video": {"ice_servers": [{"urls": ["turn:x"], "secret": "y"}]}}, "video.ice_servers.0.secret: unknown key"),
    ({"video": {"ice_servers": [{"urls": []}]}}, "video.ice_servers.0.urls"),
    ({"video": {"ice_servers": [{"urls": ["http://not-ice"]}]}}, "not an ICE server URL"),
    ({"video": {"fps": 10**30}}, "video.fps"),
    ({"site_name": 5}, "site_name"),
    ({"hours": {"days": "weekdays"}}, "hours.days"),
    ({"hours": {"open": "25:00"}}, "hours.open"),
    ({"timeouts": {"idle_seconds": True}}, "timeouts.idle_seconds"),
    ({"technician": {"pin": "12\n34"}}, "technician.pin"),
    ({"fleet": {"broker": "mqtt://127.0.0.1:1"}}, "set on the terminal only"),
    ({"terminal_id": "SEC2"}, "set on the terminal only"),
]


def test_hostile_values_round_trip_or_are_refused_with_the_file_untouched(site):
    site.start()
    for desired in APPLIED:
        rep = site.push(desired)
        assert rep["state"] == "applied", (desired, rep)
        started = site.start(with_agent=False)
        assert started.fallback is None
        _same(started.config, desired)
    # The injection attempt stayed a site name: the broker is still the real one.
    assert started.config.fleet.broker == site.fleet.broker.url
    site.start()
    for desired, reason in REFUSED:
        before = site.file.read_bytes()
        rep = site.push(desired)
        assert rep["state"] == "rejected" and reason in rep["error"], (desired, rep)
        assert ".tmp" not in rep["error"]  # the reason names kiosk.toml, not the file it was checked in
        assert site.file.read_bytes() == before, desired
    assert not [p for p in site.dir.iterdir() if p.name.endswith(".tmp")]  # no temp file left behind


def test_catalogue_path_is_relative_to_the_file_and_checked(site):
    site.start()
    shipped = resources.files("kiosk.data").joinpath("catalog.toml").read_text(encoding="utf-8")
    (site.dir / "site-catalog.toml").write_text(shipped, encoding="utf-8")
    rep = site.push({"catalog": "site-catalog.toml"})
    assert rep["state"] == "applied", rep
    started = site.start()
    assert started.config.catalog == site.dir / "site-catalog.toml"  # beside kiosk.toml, not the cwd
    (site.dir / "broken-catalog.toml").write_text("[[services]\nid = 1\n", encoding="utf-8")
    before = site.file.read_bytes()
    rep = site.push({"catalog": "broken-catalog.toml"})
    assert rep["state"] == "rejected" and "broken-catalog.toml" in rep["error"] and "would not start" in rep["error"]
    bad = site.fleet.center.command(site.tid, "set_config", {"config": {"catalog": "missing.toml"}})
    assert bad.error == "rejected" and "missing.toml" in bad.message
    assert site.file.read_bytes() == before


@pytest.mark.parametrize(
    "damage",
    [
        b"terminal_id = \"SEC1\"\n[timeouts\n",  # truncated TOML
        b"terminal_id = \"SEC1\"\nsite_name = \"\xd5\xbe\xb5\xe3\"\n",  # GBK, not UTF-8
        b"terminal_id = \"SEC1\"\ncatalog = \"gone.toml\"\n",  # a catalogue that is not there
        None,  # the file is gone (defaults would have no centre to reach)
    ],
    ids=["truncated", "gbk", "missing-catalogue", "deleted"],
)
def test_damaged_file_falls_back_and_the_centre_sees_it(site, damage):
    first = site.start(with_agent=False)
    assert first.fallback is None and last_good_path(site.file).read_bytes() == site.file.read_bytes()
    good = site.file.read_bytes()
    if damage is None:
        site.file.unlink()
    else:
        site.file.write_bytes(damage)
    start = site.start()
    assert start.fallback and str(site.file) in start.fallback
    assert start.config.fleet.broker == site.fleet.broker.url  # it runs, on the last good file
    assert last_good_path(site.file).read_bytes() == good  # a fallback is never kept as good
    until(lambda: "config:fallback" in site.fleet.store.terminal(site.tid)["faults"])
    row = site.fleet.store.terminal(site.tid)
    assert row["telemetry"]["config_fallback"] == start.fallback
    assert "config_fallback" in alerts(row, 5, datetime.now(timezone.utc))  # the dashboard's alert
    until(lambda: site.fleet.store.event_count(site.tid, "config_fallback") == 1)
    with sqlite3.connect(site.fleet.tmp / "center.sqlite3") as db:
        (payload,) = db.execute("SELECT payload FROM events WHERE kind = 'config_fallback'").fetchone()
    assert json.loads(payload)["reason"] == start.fallback
    listed = subprocess.run([PYTHON, "-m", "fleet.center_cli", "terminals", "--db", f"sqlite:///{site.fleet.tmp / 'center.sqlite3'}",
                             "--data-dir", str(site.fleet.tmp / "centre")], capture_output=True, text=True, timeout=60, env=kiosk_env(), cwd=ROOT)
    assert re.search(r"SEC1 .*config:fallback", listed.stdout), listed.stdout + listed.stderr
    # A push repairs it from afar: merged over what runs, it replaces the damaged file.
    rep = site.push({"hotline": "0714-12348"})
    assert rep["state"] == "applied", rep
    again = site.start()
    assert again.fallback is None and again.config.hotline == "0714-12348"
    assert last_good_path(site.file).read_bytes() == site.file.read_bytes()
    until(lambda: "config:fallback" not in site.fleet.store.terminal(site.tid)["faults"])


def test_no_last_good_means_a_clear_error(tmp_path):
    (tmp_path / "kiosk.toml").write_text("[timeouts\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        start_config(None, tmp_path)
    assert "not valid TOML" in str(err.value) and str(tmp_path / "kiosk.toml") in str(err.value)


def kiosk_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m kiosk.cli ARGS`` in its own process."""
    return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], capture_output=True, text=True, timeout=timeout, env=kiosk_env(), cwd=ROOT)


def test_bom_is_accepted_and_non_utf8_is_one_clear_line_in_every_command(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbfterminal_id = \"BOM1\"\nsite_name = \"\xe4\xb8\x8b\xe9\x99\x86\xe5\x8c\xba\"\n")
    status = kiosk_cli("queue", "status", "--config", str(bom), "--data-dir", str(data))
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    doctor = kiosk_cli("doctor", "--simulate", "--json", "--config", str(bom), "--data-dir", str(data))
    rows = {r["check"]: r for r in json.loads(doctor.stdout)}
    assert rows["config"]["status"] == "ok", rows["config"]
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(b"terminal_id = \"GBK1\"\nsite_name = \"\xcf\xc2\xc2\xbd\xc7\xf8\"\n")
    offset = gbk.read_bytes().index(b"\xcf")
    for cmd in (["run", "--simulate"], ["doctor"], ["queue", "status"], ["queue", "take", "legal_aid"]):
        res = kiosk_cli(*cmd, "--config", str(gbk), "--data-dir", str(data))
        assert res.returncode != 0 and "Traceback" not in res.stderr, (cmd, res.stderr)
        text = res.stderr + res.stdout
        assert f"{gbk}: not UTF-8 text: byte 0xcf at offset {offset}" in text, (cmd, text)
    res = kiosk_cli("run", "--simulate", "--config", str(gbk), "--data-dir", str(data))
    assert res.stderr.strip().count("\n") == 0, res.stderr  # one line


def test_kiosk_run_itself_falls_back_and_keeps_what_started(tmp_path):
    """`kiosk run` (offscreen, its own process): a good start is kept as last good; a
    damaged file then starts from it, and the centre lists the fallback."""
    fleet = Fleet(tmp_path)
    site = Site(fleet, "RUN1")
    try:
        def run() -> subprocess.Popen[str]:
            return subprocess.Popen([PYTHON, "-m", "kiosk.cli", "run", "--simulate", "--data-dir", str(site.dir)],
                                    env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def stop(p: subprocess.Popen[str]) -> str:
            p.terminate()
            try:
                _, err = p.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                _, err = p.communicate()
            return err

        good = site.file.read_bytes()
        p = run()
        try:
            until(lambda: last_good_path(site.file).is_file(), timeout=60)
        finally:
            stop(p)
        assert last_good_path(site.file).read_bytes() == good
        site.file.write_bytes(good.replace(b"[fleet]", b"[fleet"))
        p = run()
        try:
            until(lambda: "config:fallback" in (fleet.store.terminal("RUN1") or {}).get("faults", []), timeout=60)
        finally:
            err = stop(p)
        assert "not valid TOML" in err and "started from" in err and "Traceback" not in err
        assert last_good_path(site.file).read_bytes() == good
    finally:
        fleet.close()


def test_the_doc_example_helper_sees_the_turn_block():
    # The finding's example is among those pushed above (kept here so a doc move that
    # hides it from the extraction fails loudly).
    assert any("video" in e and e["video"].get("ice_servers") for _, e in doc_examples())
    assert shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()


def test_doctor_says_the_file_fails_and_what_kiosk_run_starts_from(tmp_path):
    good = 'terminal_id = "DOC1"\nhotline = "12348"\n'
    (tmp_path / "kiosk.toml").write_text(good, encoding="utf-8")
    assert mark_started(start_config(None, tmp_path))  # as after a start
    (tmp_path / "kiosk.toml").write_text('terminal_id = "DOC1"\n[video]\nfps = "fast"\n', encoding="utf-8")
    res = kiosk_cli("doctor", "--simulate", "--json", "--data-dir", str(tmp_path))
    rows = {r["check"]: r for r in json.loads(res.stdout)}
    assert res.returncode == 1 and rows["config"]["status"] == "FAIL"
    assert "video.fps" in rows["config"]["detail"] and "kiosk.toml.last-good" in rows["config"]["detail"]
    assert rows["catalogue"]["status"] == "ok"  # the rest is checked with what would run
