"""The bureau's publicity page in Debian's headless Chromium against a real centre
(`kiosk-center serve`): upload a picture, a text and a short video with their schedules,
preview what a site plays at a moment, publish the signed package; hostile titles stay
text, oversized uploads are refused, other roles are kept out."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

from fleet.center.auth import User, login_cookie
from kiosk.publicity.package import check_package
from tests.fleet.conftest import until
from tests.fleet.test_cli import center
from tests.publicity.media import poster, video
from tests.support import PYTHON, ROOT, kiosk_env
from tests.support.cdp import CHROMIUM, Browser

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

HOSTILE = '<img src=x onerror="window.__owned=1">国家宪法日'
SITE = "城关司法所"


def _status(url: str, cookie: tuple[str, str] | None = None, data: bytes | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers={"Cookie": f"{cookie[0]}={cookie[1]}"} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status) if "/login" not in r.geturl() else 302
    except urllib.error.HTTPError as exc:
        return exc.code


def _monday_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7 or 7)


def test_upload_schedule_preview_and_publish_in_chromium(tmp_path: Path) -> None:
    d = tmp_path / "center"
    d.mkdir()
    usb = tmp_path / "usb"
    for args in (("release", "init", "--keys", str(usb)), ("content", "delegate", "publicity", "--keys", str(usb)),
                 ("terminals", "add", "HS-PB-0001", "--site", SITE), ("terminals", "add", "HS-PB-0002", "--site", "下陆司法所")):
        r = center(d, *args)
        assert r.returncode == 0, r.stderr
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        base = "http://" + json.loads((d / "center.json").read_text())["http"]
        for name, role, shown in (("wang", "bureau", "王科长"), ("li", "technician", "李工")):
            r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", name, "--role", role, "--display-name", shown,
                                "--password-stdin", "--data-dir", str(d)], input=f"{role} password 1\n", capture_output=True,
                               text=True, env=kiosk_env(), cwd=ROOT)
            assert r.returncode == 0, r.stderr
        bureau = login_cookie(d, User("wang", "bureau", "王科长"))
        technician = login_cookie(d, User("li", "technician", "李工"))
        # Only the bureau (and admins): anonymous to the sign-in, a technician refused.
        assert _status(base + "/publicity") == 302 and _status(base + "/api/publicity") == 401
        assert _status(base + "/api/publicity", technician) == 403
        assert _status(base + "/api/publicity/publish", technician, b"") == 403
        picture = poster(tmp_path / "xianfa.png", "12月4日 国家宪法日")
        clip = video(tmp_path / "minfadian.mp4")
        huge = tmp_path / "huge.png"
        huge.write_bytes(os.urandom(16 * 1024 * 1024))
        start = _monday_after(date.today())
        end = start + timedelta(days=6)
        browser = Browser(tmp_path / "chromium", height=1400)
        try:
            browser.call("Runtime.enable")
            browser.call("Log.enable")
            browser.set_cookie(base + "/", *bureau)
            browser.goto(base + "/publicity")
            browser.wait_for("document.querySelectorAll('input[name=site]').length === 2")

            def fill(kind: str, title: str, *, text: str = "", file: Path | None = None, sites: tuple[str, ...] = (),
                     hours: tuple[int, int] = (8, 18), weekdays_only: bool = False) -> str:
                browser.js(f"document.getElementById('f-kind').value = {json.dumps(kind)};"
                           "document.getElementById('f-kind').dispatchEvent(new Event('change'))")
                browser.js(f"document.getElementById('f-title').value = {json.dumps(title)}")
                browser.js(f"document.getElementById('f-text').value = {json.dumps(text)}")
                browser.js(f"document.getElementById('f-from').value = '{start}'; document.getElementById('f-to').value = '{end}'")
                browser.js(f"document.getElementById('f-h0').value = {hours[0]}; document.getElementById('f-h1').value = {hours[1]}")
                browser.js("document.querySelectorAll('input[name=day]').forEach(c => { c.checked = "
                           + ("+c.value <= 5" if weekdays_only else "true") + " })")
                browser.js(f"document.querySelectorAll('input[name=site]').forEach(c => {{ c.checked = {json.dumps(list(sites))}.includes(c.value) }})")
                if file is not None:
                    doc = browser.call("DOM.getDocument")["root"]["nodeId"]
                    node = browser.call("DOM.querySelector", nodeId=doc, selector="#f-file")["nodeId"]
                    browser.call("DOM.setFileInputFiles", files=[str(file)], nodeId=node)
                before = browser.js("document.querySelectorAll('#items .item').length")
                browser.js("document.getElementById('add-msg').textContent = ''")
                browser.js("document.getElementById('f-submit').click()")
                browser.wait_for("document.getElementById('add-msg').textContent !== ''", 30)
                if "未成功" not in browser.js("document.getElementById('add-msg').textContent"):
                    browser.wait_for(f"document.querySelectorAll('#items .item').length === {before + 1}", 10)
                return str(browser.js("document.getElementById('add-msg').textContent"))

            assert fill("image", HOSTILE, file=picture, sites=(SITE,), weekdays_only=True) == "已添加。"
            assert fill("text", "宪法宣传周", text="宪法是国家的根本法，是治国安邦的总章程。", hours=(9, 17)) == "已添加。"
            assert fill("video", "民法典进万家", file=clip, sites=(SITE,)) == "已添加。"
            # Refused with a reason, nothing added: too large, hours backwards, a video that is not one.
            assert "larger than 15 MB" in fill("image", "太大了", file=huge)
            assert "at or before they start" in fill("text", "时段错了", text="x", hours=(18, 8))
            assert "not an MP4 video" in fill("video", "假视频", file=picture.rename(tmp_path / "fake.mp4"))
            items = browser.js("Array.from(document.querySelectorAll('#items .item .what > b')).map(b => b.textContent)")
            assert items == [HOSTILE, "宪法宣传周", "民法典进万家"], (d / "publicity" / "items.json").read_text()  # shown as text
            assert "周一、周二、周三、周四、周五" in browser.js("document.querySelector('#items .item .when').textContent")
            # Each picture (and the video's first frame) is shown from the centre.
            browser.wait_for("Array.from(document.querySelectorAll('#items img')).every(i => i.complete && i.naturalWidth > 0)")
            assert browser.js("document.querySelectorAll('#items img').length") == 2

            def preview(site: str, at: str) -> list[str]:
                browser.js(f"document.getElementById('p-site').value = {json.dumps(site)}; document.getElementById('p-at').value = '{at}'")
                browser.js("document.getElementById('p-out').textContent = ''; document.getElementById('p-go').click()")
                browser.wait_for("document.getElementById('p-out').textContent !== ''")
                return list(browser.js("Array.from(document.querySelectorAll('#p-out .item .what > b')).map(b => b.textContent)"))

            assert preview(SITE, f"{start}T10:00") == [HOSTILE, "宪法宣传周", "民法典进万家"]  # Monday 10:00 at 城关
            browser.js("document.getElementById('add-msg').textContent = ''; document.getElementById('f-title').value = ''")
            browser.screenshot(tmp_path / "publicity_page.png", height=1400)
            assert preview("下陆司法所", f"{start}T10:00") == ["宪法宣传周"]  # the others are for 城关 only
            assert preview(SITE, f"{start + timedelta(days=5)}T16:30") == ["宪法宣传周", "民法典进万家"]  # Saturday: no weekday-only picture
            assert preview(SITE, f"{start}T17:30") == [HOSTILE, "民法典进万家"]  # the text ends at 17:00
            assert preview(SITE, f"{end + timedelta(days=1)}T10:00") == []
            assert "没有要播放的内容" in browser.js("document.getElementById('p-out').textContent")
            # Reschedule the picture to every day of the week (the form holds its schedule; no new upload).
            browser.js("document.querySelector('#items .item [data-edit]').click()")
            assert browser.js("document.getElementById('f-title').value") == HOSTILE
            assert browser.js("document.getElementById('f-submit').textContent") == "保存排期"
            browser.js("document.querySelectorAll('input[name=day]').forEach(c => { c.checked = true })")
            browser.js("document.getElementById('add-msg').textContent = ''; document.getElementById('f-submit').click()")
            browser.wait_for("document.getElementById('add-msg').textContent === '排期已保存。'")
            browser.wait_for("document.querySelector('#items .item .when').textContent.includes('每天')")
            assert preview(SITE, f"{start + timedelta(days=5)}T16:30") == [HOSTILE, "宪法宣传周", "民法典进万家"]
            # Publish: the next signed package, with the three items as the terminal reads them.
            browser.js("document.getElementById('publish-go').click()")
            browser.wait_for("document.getElementById('publish-msg').textContent.startsWith('已发布')", 30)
            assert "第 1 版" in browser.js("document.getElementById('publish-msg').textContent")
            browser.wait_for("document.querySelectorAll('#published li').length === 1")
            assert browser.js("window.__owned === undefined")
            assert not [m for m in browser.console() if "Refused" in m or "Uncaught" in m]  # no CSP violation, no script error
        finally:
            browser.close()
        manifest = check_package(d / "updates" / "targets" / "content" / "publicity-1.zip")
        assert [(i.kind, i.title) for i in manifest.items] == [("image", HOSTILE), ("text", "宪法宣传周"), ("video", "民法典进万家")]
        assert sorted(manifest.items[0].sites) == [SITE] and manifest.items[0].days == frozenset(range(1, 8))
        listed = center(d, "content", "list")
        assert "content/publicity-1.zip\tpublicity\t1\t" in listed.stdout
        if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
            shutil.copy(tmp_path / "publicity_page.png", ROOT / "docs" / "screens" / "publicity_page.png")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
