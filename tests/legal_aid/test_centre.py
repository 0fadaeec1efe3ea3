"""Applications reach the centre and their status comes back: a kiosk submits while the
broker is down, the broker comes back, the application arrives once; legal-aid staff
open it in Chromium and ask for more material; any terminal's look-up sees it."""

from __future__ import annotations

import os
import json
import logging
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fleet.center.auth import User, Users, login_cookie
from fleet.center.store import events
from tests.support.cdp import Browser
from tests.fleet.conftest import until
from tests.legal_aid.conftest import ELDERLY, la_config_toml
from tests.legal_aid.test_ui import run, start, step, text
from tests.support import ROOT

pytestmark = pytest.mark.ui
NOTE = "请补充工资条和考勤记录"


def _get(url: str, cookie: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_offline_application_reaches_the_intake_and_its_status_comes_back(centre: Any, keys: Any, tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    fleet, web = centre
    pw = fleet.provision("LA-T1", "团城山街道工作站")
    fleet_toml = f'terminal_id = "LA-T1"\nsite_name = "团城山街道工作站"\n[fleet]\nbroker = "{fleet.broker.url}"\npassword = "{pw}"\nwill_delay_seconds = 1\n'
    config = fleet_toml + la_config_toml(keys.public_text)
    data = tmp_path / "kiosk"
    fleet.broker.kill()  # the kiosk is offline from the start

    # 1. The kiosk takes the application with no centre; the broker comes back; it arrives.
    marker = tmp_path / "submitted.json"
    proc = start("apply_touch", data, config=config, card_action="idcard.insert_elderly", marker=str(marker))
    until(lambda: marker.is_file() or proc.poll() is not None, timeout=90)
    assert marker.is_file(), proc.communicate()[1][-3000:]
    submitted = json.loads(marker.read_text())
    time.sleep(1.0)  # offline for a while yet
    assert fleet.store.event_count("LA-T1") == 0
    fleet.broker.start(fleet.users())
    r = run_finished(proc, data / "apply_touch.json")
    # What the person saw and heard on the way (by touch).
    home = text(r, "home").replace("\n", "")  # a tile's title may wrap
    # Offline, the progress look-up is not a tile but a line saying why (and what to do).
    assert "在这里申请法律援助" in home and "查申请进度：现在连不上服务中心" in home and "法律援助请不起律师的，申请免费律师无需等候" in home
    assert "您遇到的是哪类问题？" in text(r, "la_matter") and "讨要工资（欠薪）" in text(r, "la_matter")
    assert step(r, "card")["screen"] == "card" and "申请法律援助需要读取您的身份证" in text(r, "card")
    assert "从身份证读出：60岁以上老年人" in text(r, "la_group")
    assert "✓ 农民工（进城务工人员）" in text(r, "la_group_chosen")
    assert r["group_selected"] == ["la:group:migrant_worker"] and r["group_buttons_kept"]
    assert step(r, "after_group")["screen"] == "la_phone"  # a migrant worker's wages: no hardship review
    assert "号码位数不够，请检查" in text(r, "la_phone_short") and "138 1234 5678" in text(r, "la_phone")
    assert r["typed_through_elder"] == ["13812345678", "13812345678"]  # big type on and off: still there
    # Nothing here can listen: no 开始说话 or 重新说 that would do nothing, and one 跳过 (the band's).
    story = step(r, "la_story")["texts"]
    assert "开始说话" not in story and "重新说" not in story and story.count("跳过") == 1, story
    assert r["story_actions"] == ["la:story:clear", "la:story:done"]
    assert r["story_actions_back"] == ["la:story:dictate", "la:story:redo", "la:story:clear", "la:story:skip",
                                       "la:story:done"]
    assert "本人张**（身份证号4202**********002X）" in text(r, "la_letter")
    assert r["empty_sign_notice"] == "还没有签名，请用手指在框内写下您的名字"
    number = submitted["number"]
    done = text(r, "la_done")
    assert f"{number[:6]} {number[6:10]} {number[10:]}" in done and submitted["code"] in done
    assert "回执已打印，请取走" in done and "劳动合同" in done and "本人身份证原件" in done and r["printed"] is True
    assert any("本人张**" in s and "郑重承诺" in s for s in r["spoken"])  # the letter read aloud to everyone
    assert r["card_after"] is False and "matter=None" in r["draft_after"]  # wiped at the end of the visit
    assert "申请已安全保存，联网后自动送到法律援助中心" in text(r, "la_done")
    assert "申请已送到法律援助中心" in text(r, "la_done_sent")
    # Once, and blanked on the terminal once the centre acknowledged it.
    until(lambda: fleet.store.event_count("LA-T1", "legal_aid_application") == 1, timeout=20)
    assert fleet.store.event_count("LA-T1", "legal_aid_submitted") == 1
    with fleet.store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(events).where(events.c.kind == "legal_aid_application")).scalar_one() == 1
    after = {e["kind"]: e for e in r["outbox_after"]}
    assert after["legal_aid_application"]["delivered_at"] and after["legal_aid_application"]["size"] == 2  # "{}"
    raw = b"".join(p.read_bytes() for p in data.glob("kiosk.sqlite3*"))
    for secret in (ELDERLY.id_number, ELDERLY.name, "13812345678"):
        assert secret.encode() not in raw

    # 2. Legal-aid staff sign in (the real form) and open it; technicians may not.
    users = Users(fleet.store)
    users.add("chen", "legal_aid", "intake pw 2026", "陈专员")
    users.add("li", "technician", "tech pw 2026", "李工")
    tech = "=".join(login_cookie(web.dash.data_dir, User("li", "technician", "李工")))
    assert _get(web.base + "/api/intake/applications")[0] == 401
    assert _get(web.base + "/api/intake/applications", tech)[0] == 403
    # make screenshots (KIOSK_DOC_SHOTS=1) refreshes docs/img; a plain run writes nothing there.
    DOC_IMG = ROOT / "docs" / "img" if os.environ.get("KIOSK_DOC_SHOTS") else tmp_path
    browser = Browser(tmp_path / "chromium", 1280, 900)
    try:
        browser.goto(web.base + "/intake", 1.5)
        assert "/login" in browser.js("location.pathname")
        browser.js("document.querySelector('#name').value='chen'; document.querySelector('#password').value='intake pw 2026';"
                   "document.querySelector('#form').submit(); true")
        until(lambda: browser.js("location.pathname") == "/intake" and browser.js("document.querySelectorAll('#list tbody tr').length") == 1, 15)
        row = browser.js("document.querySelector('#list tbody tr').textContent")
        assert submitted["number"] in row and "张桂兰" in row and "讨要工资" in row and "待受理" in row
        browser.js("document.querySelector('#list tbody tr').click(); true")
        until(lambda: browser.js("document.querySelector('#d-signature').naturalWidth") or 0, 10)
        detail = browser.js("document.querySelector('#detail').innerText")
        for shown in (ELDERLY.id_number, "13812345678", "湖北省黄石市黄石港区江北路18号", "老年人", "农民工", "承诺"):
            assert shown in detail, shown
        browser.screenshot(DOC_IMG / "intake.png")
        # "More material" without saying what is refused; with a note it is saved.
        browser.js("document.querySelector('input[value=more_material]').checked = true; document.querySelector('#note').value='';"
                   "document.querySelector('#save').click(); true")
        until(lambda: "请写明" in (browser.js("document.querySelector('#msg').textContent") or ""), 5)
        browser.js(f"document.querySelector('#note').value={NOTE!r}; document.querySelector('#save').click(); true")
        until(lambda: browser.js("document.querySelector('#msg').textContent") == "已保存", 10)
        assert "需补充材料" in browser.js("document.querySelector('#list tbody tr').textContent")
        assert "chen" in browser.js("document.querySelector('#d-history').textContent")
        browser.screenshot(DOC_IMG / "intake-detail.png", height=1280)
        # The page the receipt's QR code opens, on a phone-sized screen.
        browser.call("Emulation.setDeviceMetricsOverride", width=420, height=640, deviceScaleFactor=1, mobile=True)
        browser.goto(f"{web.base}/legal-aid/progress?n={submitted['number']}&c={submitted['code']}", 1.0)
        browser.screenshot(DOC_IMG / "intake-progress-page.png")
    finally:
        browser.close()

    # 3. The public progress page (the receipt's QR): number and check code, nothing personal.
    status, page = _get(f"{web.base}/legal-aid/progress?n={submitted['number']}&c={submitted['code']}")
    assert status == 200 and "需要补充材料" in page and NOTE in page and "张" not in page
    assert "没有找到" in _get(f"{web.base}/legal-aid/progress?n={submitted['number']}&c=WRONG1")[1]
    code = submitted["code"]
    assert code.isdigit() and len(code) == 6  # typed on any numeric keypad
    grouped = f"{code[:3]}%20{code[3:]}"  # typed in two groups of three, as read off the slip
    assert "需要补充材料" in _get(f"{web.base}/legal-aid/progress?n={submitted['number']}&c={grouped}")[1]

    # 4. Any terminal looks it up: by the number on its keypad, and by the ID card.
    pw2 = fleet.provision("LA-T2", "西塞山区司法所")
    config2 = (f'terminal_id = "LA-T2"\n[fleet]\nbroker = "{fleet.broker.url}"\npassword = "{pw2}"\n' + la_config_toml(keys.public_text))
    p = run("progress_lookup", tmp_path / "kiosk2", config=config2, number=submitted["number"], card_action="idcard.insert_elderly")
    # By number (anyone may type one): the status only. By the card: the matter too.
    # The staff's note never goes to a terminal (the public page, with the check code, shows it).
    assert f"申请{submitted['number']}：需要补充材料" in text(p, "by_number")
    assert NOTE not in text(p, "by_number") and "讨要工资" not in text(p, "by_number")
    assert f"申请{submitted['number']}（讨要工资（欠薪））：需要补充材料" in text(p, "by_card") and NOTE not in text(p, "by_card")
    assert any("需要补充材料" in s for s in p["spoken"])

    # 5. Nothing personal in any log: the kiosks' files, the centre's records.
    logs = caplog.text + "".join(f.read_text() for d in (data, tmp_path / "kiosk2") for f in (d / "logs").glob("*.log*"))
    assert "legal-aid application" in logs  # the log is there, and names the number only
    for secret in (ELDERLY.id_number, ELDERLY.name, "13812345678", "江北路"):
        assert secret not in logs, secret


def run_finished(proc: subprocess.Popen[str], out: Path) -> dict[str, Any]:
    """Wait for a started scenario and read its record."""
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))
