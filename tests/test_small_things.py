"""Small things a person notices, without Kivy: the card line agrees with the materials
list, one wait figure, where to wait, the QR without a configured page, the elder-mode
offer from a 60+ card, and the time to answer the idle question."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk import events as ev
from kiosk.catalog import load_catalog, parse_catalog
from kiosk.config import KioskConfig, parse_config
from kiosk.errors import CatalogError
from kiosk.identity import CardType, Gender, IdentityCard
from kiosk.ports import DeviceKind
from kiosk.receipt import QrCode, ticket_receipt
from kiosk.tickets import Priority, Ticket, TicketState
from kiosk.visit import VisitState as S
from kiosk.legal_aid.states import LegalAidState as LA
from kiosk.legal_aid import events as la_ev
from tests.support import PYTHON, kiosk_env

CATALOG = load_catalog()
OLD = IdentityCard(CardType.RESIDENT, "张桂兰", Gender.FEMALE, date(1956, 3, 15), "42020219560315002X", "湖北省黄石市")
YOUNG = IdentityCard(CardType.RESIDENT, "李建国", Gender.MALE, date(1991, 6, 8), "420281199106080036", "湖北省大冶市")


def card(c: IdentityCard) -> ev.CardRead:
    return ev.CardRead(kind=DeviceKind.IDCARD, card=c)


def test_every_service_that_reads_the_card_lists_it_and_the_check_refuses_otherwise() -> None:
    for s in CATALOG.services:
        assert s.brings_id_card or not s.needs_id_card
    # The consultation ticket needs no card, but the list asks for it at the window.
    consultation = CATALOG.get("consultation")
    assert not consultation.needs_id_card and consultation.brings_id_card
    bad = ('version = 1\n[[services]]\ncode = "a"\nprefix = "A"\nneeds_id_card = true\navg_service_minutes = 10\n'
           'name = { zh_CN = "甲", en = "A" }\nsummary = { zh_CN = "甲", en = "A" }\n'
           'materials = [ { text = { zh_CN = "户口簿", en = "Register" } } ]\n')
    with pytest.raises(CatalogError, match="needs_id_card but no required material"):
        parse_catalog(bad)


def test_one_wait_figure_for_the_tile_and_the_service_screen(terminal: Any) -> None:
    q = terminal.queue
    q.take("consultation", Priority.NORMAL)
    q.take("consultation", Priority.NORMAL)
    normal, elderly = q.estimate("consultation"), q.estimate("consultation", Priority.ELDERLY)
    assert (normal.waiting, normal.ahead) == (2, 2)
    assert (elderly.waiting, elderly.ahead) == (2, 0)  # two wait; the elderly person goes first


def _ticket(service: str = "consultation") -> Ticket:
    return Ticket(1, date(2026, 12, 2), service, "A012", Priority.NORMAL, TicketState.WAITING, datetime(2026, 12, 2, 9, 5))


def test_the_ticket_says_where_to_wait_per_site_and_per_service() -> None:
    config = parse_config('[queue]\nwaiting_area = "一楼大厅东侧等候区"\nwaiting_area_en = "the east side of the hall"\n'
                          '[queue.waiting_areas.notary]\nzh_CN = "二楼公证等候区"\nen = "the notary waiting room, 2nd floor"\n')
    assert "请到一楼大厅东侧等候区等候叫号" in ticket_receipt(_ticket(), CATALOG.get("consultation"), config).text_content()
    assert "请到二楼公证等候区等候叫号" in ticket_receipt(_ticket("notary"), CATALOG.get("notary"), config).text_content()
    en = ticket_receipt(_ticket("notary"), CATALOG.get("notary"), config, language="en").text_content()
    assert "Please wait in the notary waiting room, 2nd floor" in en
    assert "等候叫号" not in ticket_receipt(_ticket(), CATALOG.get("consultation"), KioskConfig()).text_content()


def test_without_a_configured_page_the_qr_holds_the_number_not_a_placeholder_link() -> None:
    r = ticket_receipt(_ticket(), CATALOG.get("consultation"), KioskConfig())
    (qr,) = [b for b in r.blocks if isinstance(b, QrCode)]
    assert "example" not in qr.data and "http" not in qr.data
    assert "A012" in qr.data and "2026-12-02" in qr.data
    assert "扫码把号码存到手机" in r.text_content() and "查看排队进度" not in r.text_content()


def test_doctor_warns_about_qr_pages_that_are_not_set_or_placeholders(tmp_path: Path) -> None:
    out = subprocess.run([PYTHON, "-m", "kiosk.cli", "doctor", "--simulate", "--data-dir", str(tmp_path)],
                         env=kiosk_env(), capture_output=True, text=True, timeout=60)
    lines = {line.split()[0] + " " + line.split()[1]: line for line in out.stdout.splitlines() if " QR " in line}
    assert "warn" in lines["ticket QR"] and "[queue] ticket_url" in lines["ticket QR"]
    assert "warn" in lines["legal-aid QR"] and "[legal_aid] progress_url" in lines["legal-aid QR"]
    assert "warn" in lines["appointment QR"] and "placeholder host 12348.example.gov.cn" in lines["appointment QR"]
    (tmp_path / "kiosk.toml").write_text('[queue]\nticket_url = "https://12348.hs.gov.cn/q?n={number}"\n', encoding="utf-8")
    out = subprocess.run([PYTHON, "-m", "kiosk.cli", "doctor", "--simulate", "--data-dir", str(tmp_path)],
                         env=kiosk_env(), capture_output=True, text=True, timeout=60)
    ticket = next(line for line in out.stdout.splitlines() if line.startswith("ticket QR"))
    assert " ok " in ticket and "12348.hs.gov.cn" in ticket


def test_a_60_plus_card_offers_elder_mode_once(terminal: Any) -> None:
    f = terminal.flow
    f.handle(card(OLD))  # on the attract screen: the visit starts
    assert f.state is S.HOME and f.visit.elder_offer
    f.elder_offer_shown()
    f.handle(ev.ServiceChosen("consultation"))
    f.handle(card(OLD))  # read again: not asked twice
    assert not f.visit.elder_offer
    f.handle(ev.Finished())
    f.handle(ev.Started())
    f.handle(card(YOUNG))
    assert not f.visit.elder_offer
    f.handle(ev.Finished())
    f.handle(ev.Started())
    f.handle(ev.ElderModeToggled(True))
    f.handle(card(OLD))  # already in elder mode: nothing to offer
    assert not f.visit.elder_offer


def test_the_offer_follows_the_queues_elderly_age(tmp_path: Path, clock: Any) -> None:
    from kiosk.bootstrap import build_terminal

    t = build_terminal(parse_config("[queue]\nelderly_age = 75\n"), tmp_path / "d", clock=clock, with_devices=False)
    t.flow.handle(card(OLD))  # 70: not elderly at this site
    assert not t.flow.visit.elder_offer and t.flow.priority() is Priority.NORMAL


def test_more_time_to_answer_the_idle_question_in_elder_mode_and_mid_application(tmp_path: Path, clock: Any) -> None:
    from kiosk.bootstrap import build_terminal
    from tests.legal_aid.conftest import la_config_toml
    from fleet.intake.keys import IntakeKeys

    keys = IntakeKeys(tmp_path / "c")
    t = build_terminal(parse_config(la_config_toml(keys.public_text, "[timeouts]\nflow_warning_seconds = 90\n")),
                       tmp_path / "d", clock=clock, with_devices=False)
    f = t.flow
    f.handle(ev.Started())
    f.handle(ev.ServiceChosen("consultation"))
    f.handle(ev.IdleTimedOut())
    assert f.idle_timeout() == 20  # a ticket screen, standard mode: the old 20 s
    f.handle(ev.StillHere())
    f.handle(ev.ElderModeToggled(True))
    f.handle(ev.IdleTimedOut())
    assert f.idle_timeout() == 60  # elder mode: a minute
    f.handle(ev.StillHere())
    f.handle(ev.ElderModeToggled(False))
    f.handle(ev.HomePressed())
    f.handle(la_ev.LegalAidOpened())
    assert f.state is LA.LA_MATTER
    f.handle(ev.IdleTimedOut())
    assert f.idle_timeout() == 90  # in the middle of an application: as configured
