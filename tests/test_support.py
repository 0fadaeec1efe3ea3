"""The tests' own drivers: the DevTools driver reads a real page in headless chromium the
same way blocking or async, and the scenario runner names what it cannot play."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image

from tests.support import PYTHON, kiosk_env
from tests.support.cdp import CHROMIUM, AsyncBrowser, Browser
from tests.support.ui import scenario_command

PAGE = "data:text/html;charset=utf-8," + quote(
    "<title>t</title><p id=p>你好</p><script>console.log('hello', 2); setTimeout(() => { throw new Error('boom') }, 0)</script>"
)
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")


@needs_chromium
def test_the_blocking_driver_reads_the_page_its_console_and_takes_a_picture(tmp_path: Path) -> None:
    with Browser(tmp_path / "profile", 800, 600) as b:
        b.call("Runtime.enable")
        b.goto(PAGE, wait=0.5)
        assert b.js("document.querySelector('#p').textContent") == "你好"
        assert b.js("undefinedName.x") is None  # a page error reads as nothing, the test goes on
        assert b.wait_for("document.title") == "t"
        console = b.console()
        assert "log: hello 2" in console and any(line.startswith("exception:") and "boom" in line for line in console)
        shot = b.screenshot(tmp_path / "page.png", height=500)
        assert Image.open(shot).size == (800, 500)


@needs_chromium
def test_the_async_driver_reads_the_same_page_and_raises_on_page_errors(tmp_path: Path) -> None:
    async def main() -> None:
        async with AsyncBrowser(PAGE, 640, 480) as b:
            assert await b.wait_for("document.querySelector('#p') && document.querySelector('#p').textContent") == "你好"
            with pytest.raises(RuntimeError, match="undefinedName"):
                await b.js("undefinedName.x")
            shot = await b.screenshot(tmp_path / "page.png")
            assert Image.open(shot).size == (640, 480)  # the viewport pinned to the size asked for
            with pytest.raises(AssertionError, match="timed out"):
                await b.wait_for("false", timeout=0.3)

    asyncio.run(main())


def test_an_unknown_scenario_is_named_with_those_there_are(tmp_path: Path) -> None:
    cmd = scenario_command("tests.screens.scenarios", "no_such_visit", tmp_path / "k", tmp_path / "out.json")
    proc = subprocess.run(cmd, env=kiosk_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and not (tmp_path / "out.json").exists()
    assert "has no scenario 'no_such_visit'" in proc.stderr and "visit" in proc.stderr
