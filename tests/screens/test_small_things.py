"""Small things a person notices, in the real app offscreen: the card line after the
card is read, one wait figure, the elder-mode offer, where to wait, the QR caption."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.test_notices import run

pytestmark = pytest.mark.ui

CONFIG = '[queue]\nwaiting_area = "一楼大厅东侧等候区"\n'


def text(record: dict, label: str) -> str:
    return "\n".join(next(s for s in record["steps"] if s["label"] == label)["texts"])


def test_a_70_year_old_at_the_consultation_service(data_dir: Path) -> None:
    r = run("elderly_at_the_service", data_dir, config=CONFIG)
    assert "等候 2 人" in text(r, "home")
    service = text(r, "service")
    # No card needed for the ticket, and the materials list asks for it: said both ways.
    assert "取号不需要身份证，到窗口办理时请带上身份证" in service and "无需身份证也可取号" not in service
    assert "前面还有 2 人" in service
    # The card says 70: elder mode is offered (not imposed), once.
    assert "要不要换成长辈版" in text(r, "offer")
    assert r["offer_buttons"] == ["elder_offer:no", "elder_offer:yes"]
    assert r["elder"] is True and "elder_offer:yes" not in r["buttons_after"]
    after = text(r, "service_after")
    assert "已读取您的身份证" in after and "无需身份证" not in after and "取号不需要身份证" not in after
    # The same two people wait; this person goes first (one figure, not "无人等候").
    assert "目前等候 2 人，您优先办理" in after and "目前无人等候" not in after
    ticket = text(r, "ticket")
    assert "请到一楼大厅东侧等候区等候叫号" in ticket
    assert "扫码把号码存到手机" in ticket and "查看排队进度" not in ticket
    assert r["offered_again"] is False
