"""`kiosk-center`: terminal ids checked wherever they come in (one rule, a clear error,
no traceback), screenshots written to a PNG file, the terminal list aligned with Chinese
site names."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from wcwidth import wcswidth

from fleet.agent import start_agent
from fleet.center.store import Store
from kiosk.config import ConfigError, load_config
from kiosk.terminal_id import check_terminal_id
from tests.fleet.test_cli import PNG, _terminal, center, served  # noqa: F401  (the served centre fixture)
from tests.fleet.conftest import until
from tests.support import PYTHON, ROOT, kiosk_env

BAD_IDS = ["A1\n", "A1\nB2", "a/b", "a+", "#", "", "x" * 33, "中文", "center", "A 1", "A1:x"]


def _run(d: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "fleet.center_cli", *args, "--data-dir", str(d)],
                          capture_output=True, text=True, timeout=60, env=kiosk_env(), cwd=ROOT)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_one_rule_refuses_bad_ids(bad):
    with pytest.raises(ValueError, match="not a terminal id"):
        check_terminal_id(bad)


def test_terminals_add_refuses_an_id_with_a_newline(tmp_path):
    d = tmp_path / "c"
    for args in (["terminals", "add", "A1\nB2", "--site", "S"], ["terminals", "add", "A1\n", "--site", "S"],
                 ["terminals", "remove", "a/b"], ["cmd", "x+", "ping"], ["logs", "A1\n"], ["screenshot", "#"],
                 ["config", "push", "A1\n", str(tmp_path / "none.toml")]):
        out = _run(d, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "not a terminal id" in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
    d.mkdir(exist_ok=True)
    store = Store(f"sqlite:///{d / 'center.sqlite3'}")
    try:
        assert store.password_hashes() == {}  # nothing registered
        with pytest.raises(ValueError):
            store.add_terminal("A1\nB2", "S", "x")
    finally:
        store.close()


def test_terminal_config_refuses_an_id_with_a_newline(tmp_path):
    (tmp_path / "kiosk.toml").write_text('terminal_id = "T1\\n"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(None, tmp_path)


def test_cmd_screenshot_writes_a_png_and_the_list_lines_up(served, tmp_path):
    d, rt = served
    creds = json.loads(center(d, "terminals", "add", "SC-1", "--site", "黄石市下陆区团城山街道公共法律服务工作室", "--json").stdout)
    center(d, "terminals", "add", "SC-LONGER-ID-2", "--site", "Site B", "--json")
    t = _terminal(tmp_path, creds, rt["broker"], "t")
    agent = start_agent(t, screenshot=lambda: PNG)
    try:
        assert agent.connected_event.wait(5)
        out_file = tmp_path / "shot.png"
        shot = center(d, "cmd", "SC-1", "screenshot", "--out", str(out_file))
        assert shot.returncode == 0, shot.stderr
        assert shot.stdout.strip() == str(out_file) and "png_base64" not in shot.stdout
        assert out_file.read_bytes() == PNG
        # Without --out: a file named after the terminal in the current directory.
        here = tmp_path / "cwd"
        here.mkdir()
        shot2 = subprocess.run([PYTHON, "-m", "fleet.center_cli", "cmd", "SC-1", "screenshot", "--data-dir", str(d)],
                               capture_output=True, text=True, timeout=60, env=kiosk_env(), cwd=here)
        assert shot2.returncode == 0, shot2.stderr
        written = here / shot2.stdout.strip()
        assert written.name.startswith("screenshot-SC-1-") and written.suffix == ".png" and written.read_bytes() == PNG
        until(lambda: json.loads(center(d, "terminals", "--json").stdout)[0]["online"])
        lines = center(d, "terminals").stdout.splitlines()
    finally:
        agent.close()
        t.close()
    # Each column starts at the same screen column on every line, whatever its script.
    assert len(lines) == 3
    by_id = {line.split()[0]: line for line in lines}

    def col(line: str, text: str, after: int = 0) -> int:
        return wcswidth(line[:line.index(text, after)])

    header = by_id["terminal"]
    want = [col(header, w) for w in ("state", "site", "last seen")]
    for tid, state, site, seen in (("SC-1", "online", "黄石", "20"), ("SC-LONGER-ID-2", "offline", "Site B", "-")):
        line = by_id[tid]
        i_site = line.index(site)
        got = [col(line, state), col(line, site), col(line, seen, i_site + len(site) + 1)]
        assert got == want, (lines, got, want)


def test_dashboard_refuses_bad_ids_in_its_urls(served):
    import urllib.error
    import urllib.request

    from fleet.center.auth import User, login_cookie

    d, rt = served
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--password-stdin",
                        "--data-dir", str(d)], input="technician pw\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
    assert r.returncode == 0, r.stderr
    name, value = login_cookie(d, User("li", "technician", ""))
    (d / "x.png").write_bytes(PNG)  # a file outside the screenshots directory

    def status(path: str, data: bytes | None = None) -> int:
        req = urllib.request.Request(f"http://{rt['http']}{path}", data=data, headers={"Cookie": f"{name}={value}",
                                     "Content-Type": "application/json", "Origin": f"http://{rt['http']}"})
        try:
            return int(urllib.request.urlopen(req, timeout=20).status)
        except urllib.error.HTTPError as exc:
            return exc.code

    # Refused before anything is read or sent: 404 (no such terminal) or 400.
    assert status("/api/terminals/..%2Fx/screenshot.png") in (400, 404)
    assert status("/api/terminals/A1%0A/cmd", b'{"name": "ping"}') in (400, 404)
    assert status("/api/terminals/a%2Bb/cmd", b'{"name": "ping"}') in (400, 404)
