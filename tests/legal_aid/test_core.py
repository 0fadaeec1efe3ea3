"""The legal-aid steps without Kivy: eligibility, the card step, sealing, numbering,
the receipt, and wiping the person's data when the visit ends."""

from __future__ import annotations

import os
import json
from pathlib import Path
from typing import Any

import pytest

from kiosk import events as ev
from kiosk.errors import CatalogError
from kiosk.legal_aid.data import load_legal_aid, parse_legal_aid
from kiosk.phone import is_mobile, masked_phone, mobile_problem, spoken_digits
from kiosk.legal_aid.sealing import SealError, open_box, seal
from kiosk.ports import DeviceKind
from kiosk.visit import VisitState as S
from kiosk.legal_aid.states import LegalAidState as LA
from kiosk.legal_aid import events as la_ev
from tests.legal_aid.conftest import ADULT, ELDERLY, PHONE, la_config_toml

ROOT = Path(__file__).resolve().parents[2]


def card(c: Any) -> ev.CardRead:
    return ev.CardRead(kind=DeviceKind.IDCARD, card=c)


def answer(flow: Any, step: str, value: str = "", data: bytes = b"") -> S:
    return flow.handle(la_ev.LegalAidAnswered(step, value, data))


def to_phone(t: Any, matter: str = "wages", who: Any = ADULT, groups: tuple[str, ...] = ()) -> Any:
    f = t.flow
    f.handle(ev.Started())
    assert f.handle(la_ev.LegalAidOpened()) is LA.LA_MATTER
    assert answer(f, "matter", matter) is S.CARD
    assert f.card_purpose == "legal_aid.card_why"
    assert f.handle(card(who)) is LA.LA_GROUP
    for g in groups:
        answer(f, "group", g)
    return f


def test_the_data_file_is_valid_and_says_what_is_outside() -> None:
    data = load_legal_aid()
    codes = [m.code for m in data.matters]
    for needed in ("wages", "injury", "support", "domestic_violence", "traffic", "medical", "criminal_defence"):
        assert needed in codes and data.matter(needed).within
    outside = [m for m in data.matters if not m.within]
    assert outside and all(m.outside_reason and m.outside_reason.zh_CN and m.outside_reason.en for m in outside)
    assert data.materials("wages", "zh_CN")[-2:] == ["本人身份证原件", "本回执（带上它到法律援助中心）"]
    with pytest.raises(CatalogError, match="exempt_for names unknown matters"):
        parse_legal_aid(
            'version = 1\n[[matters]]\ncode="a"\nwithin=true\nname={zh_CN="甲",en="A"}\nhint={zh_CN="甲",en="A"}\n'
            '[[groups]]\ncode="g"\nname={zh_CN="乙",en="B"}\nexempt_hardship=true\nexempt_for=["nope"]\n')
    with pytest.raises(CatalogError, match="outside_reason"):
        parse_legal_aid('version = 1\n[[matters]]\ncode="a"\nwithin=false\nname={zh_CN="甲",en="A"}\nhint={zh_CN="甲",en="A"}\n'
                        '[[groups]]\ncode="g"\nname={zh_CN="乙",en="B"}\n')


def test_phone_numbers() -> None:
    assert is_mobile("13812345678") and is_mobile("19912345678")
    assert mobile_problem("") == "numpad.empty"
    assert mobile_problem("1381234") == "numpad.too_short"
    assert mobile_problem("12812345678") == "numpad.not_mobile"  # 12x is no carrier's
    assert mobile_problem("0714123456") == "numpad.too_short"
    assert spoken_digits("幺三八 一二三四 五六七洞") == "13812345670"
    assert spoken_digits("我的号码是138") == "138"
    assert masked_phone("13812345678") == "138****5678"


def test_a_whole_application_is_sealed_into_the_outbox(la_terminal: Any, keys: Any) -> None:
    f = to_phone(la_terminal, groups=("migrant_worker",))
    # A migrant worker claiming wages: the hardship review is waived (art. 42).
    assert answer(f, "group", "done") is LA.LA_PHONE
    assert answer(f, "phone", "1381234") is LA.LA_PHONE and f.visit.notice_key == "numpad.not_mobile"
    assert answer(f, "phone", PHONE) is LA.LA_STORY
    answer(f, "story", "老板拖欠三个月工资")
    assert answer(f, "story", "done") is LA.LA_LETTER
    assert answer(f, "letter", "agree") is LA.LA_SIGN
    assert answer(f, "sign", "", b"") is LA.LA_SIGN and f.visit.notice_key == "legal_aid.sign_empty"
    assert answer(f, "sign", "", b"\x89PNG fake but non-empty") is LA.LA_DONE
    sub = f.features.get("legal_aid").draft.submitted
    assert sub is not None and len(sub.number) == 13 and sub.number.isdigit() and len(sub.check_code) == 6
    events = {e.kind: e for e in la_terminal.outbox.pending()}
    # Besides the anonymous count of a visit started (footfall: day, hour, what), only
    # the sealed application and its figure leave the terminal.
    assert set(events) - {"footfall"} == {"legal_aid_application", "legal_aid_submitted"}
    assert events["legal_aid_submitted"].payload == {"day": "2026-11-27", "matter": "wages", "group": ["migrant_worker"]}
    sealed = events["legal_aid_application"].payload
    assert set(sealed) == {"number", "key_id", "sealed"} and sealed["number"] == sub.number
    doc = json.loads(open_box(keys.private, sealed["sealed"], sub.number.encode()))
    assert doc["applicant"]["id_number"] == ADULT.id_number and doc["applicant"]["name"] == "李建国"
    assert doc["phone"] == PHONE and doc["story"] == "老板拖欠三个月工资" and doc["hardship_declared"] is False
    assert doc["groups"] == {"card": [], "declared": ["migrant_worker"]}
    # At rest on the terminal: ciphertext only.
    raw = b"".join(p.read_bytes() for p in (la_terminal.data_dir).glob("kiosk.sqlite3*"))
    for secret in (ADULT.id_number, "李建国", PHONE, "老板拖欠三个月工资", ADULT.address):
        assert secret.encode("utf-8") not in raw, secret
    # The visit ends: nothing of the person stays in memory.
    f.handle(ev.Finished())
    f.handle(ev.Finished())
    assert f.state is S.ATTRACT and f.visit.card is None
    d = f.features.get("legal_aid").draft
    assert (d.matter, d.phone, d.story, d.signature_png, d.submitted) == (None, "", "", b"", None)


def test_the_card_from_the_flow_and_the_elderly(la_terminal: Any) -> None:
    f = to_phone(la_terminal, matter="injury", who=ELDERLY)
    assert f.features.get("legal_aid").draft.card_groups == ("elderly",)
    assert answer(f, "group", "done") is LA.LA_HARDSHIP  # elderly alone does not waive hardship
    assert f.handle(ev.BackPressed()) is LA.LA_GROUP
    assert f.handle(ev.BackPressed()) is LA.LA_MATTER
    # A card already read is used at once: no second trip to the card screen.
    assert answer(f, "matter", "injury") is LA.LA_GROUP


def test_back_from_the_card_step_returns_to_the_flow(la_terminal: Any) -> None:
    f = la_terminal.flow
    f.handle(ev.Started())
    f.handle(la_ev.LegalAidOpened())
    assert answer(f, "matter", "traffic") is S.CARD
    assert f.handle(ev.BackPressed()) is LA.LA_MATTER and f.card_purpose is None
    # The queue's own card step is untouched: a legal-aid ticket still needs the card.
    f.handle(ev.HomePressed())
    f.handle(ev.ServiceChosen("legal_aid"))
    assert f.handle(ev.TicketRequested()) is S.CARD and f.card_purpose is None
    assert f.handle(card(ADULT)) is S.TICKET and f.visit.ticket.service == "legal_aid"


def test_outside_legal_aid_offers_a_consultation_ticket(la_terminal: Any) -> None:
    f = la_terminal.flow
    f.handle(ev.Started())
    f.handle(la_ev.LegalAidOpened())
    assert answer(f, "matter", "business_contract") is LA.LA_OUTSIDE
    assert f.handle(ev.TicketRequested()) is S.TICKET
    assert f.visit.ticket.service == "consultation" and f.visit.ticket.number == "A001"


def test_no_hardship_declared_is_outside_unless_the_matter_waives_it(la_terminal: Any) -> None:
    f = to_phone(la_terminal, matter="medical")
    assert answer(f, "group", "none") is LA.LA_HARDSHIP
    assert answer(f, "hardship", "no") is LA.LA_OUTSIDE and f.features.get("legal_aid").draft.outside_reason == "hardship"
    assert f.handle(ev.BackPressed()) is LA.LA_HARDSHIP
    assert answer(f, "hardship", "yes") is LA.LA_PHONE
    f.handle(ev.HomePressed())
    f.handle(la_ev.LegalAidOpened())
    answer(f, "matter", "domestic_violence")
    assert answer(f, "group", "none") is LA.LA_PHONE  # victims of domestic violence: no hardship condition


def test_idle_timeout_wipes_the_application(la_terminal: Any) -> None:
    f = to_phone(la_terminal)
    answer(f, "group", "none")
    answer(f, "hardship", "yes")
    answer(f, "phone", PHONE)
    f.handle(ev.IdleTimedOut())
    assert f.state is LA.LA_STORY and f.features.get("legal_aid").draft.phone == PHONE  # asked first
    f.handle(ev.IdleTimedOut())
    assert f.state is S.ATTRACT and f.features.get("legal_aid").draft.phone == "" and f.visit.card is None


def test_without_the_centre_key_no_application_is_taken(terminal: Any) -> None:
    f = terminal.flow
    f.handle(ev.Started())
    assert f.handle(la_ev.LegalAidOpened()) is S.HOME and f.visit.notice_key == "legal_aid.unavailable"


def test_sealed_boxes(keys: Any) -> None:
    box = seal(keys.public_text, "张桂兰 42020219560315002X".encode(), b"2611270001001")
    assert "张桂兰".encode() not in box.encode() and "42020219560315002X" not in box
    assert open_box(keys.private, box, b"2611270001001").decode() == "张桂兰 42020219560315002X"
    with pytest.raises(SealError):
        open_box(keys.private, box, b"2611270001002")  # passed off as another application
    tampered = box[:-6] + ("A" if box[-6] != "A" else "B") + box[-5:]
    with pytest.raises(SealError):
        open_box(keys.private, tampered, b"2611270001001")
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    with pytest.raises(SealError):
        open_box(X25519PrivateKey.generate(), box, b"2611270001001")
    with pytest.raises(SealError):
        seal("not a key", b"x", b"")


def test_numbers_are_unique_and_survive_a_restart(la_terminal: Any, clock: Any, keys: Any) -> None:
    from kiosk.legal_aid.application import Draft, submit
    from kiosk.store import connect

    numbers = []
    for i in range(3):
        conn = connect(la_terminal.data_dir / "kiosk.sqlite3")  # a fresh connection: as after a power cut
        d = Draft(matter="wages", phone=PHONE, signature_png=b"png")
        numbers.append(submit(conn, d, ADULT, public_key=keys.public_text, terminal_id="T0001", site="站", prefix="0001",
                              at=clock.now(), language="zh_CN", letter_text="…").number)
        conn.close()
    assert numbers == ["2611270001001", "2611270001002", "2611270001003"]
    clock.advance(days=1)
    conn = connect(la_terminal.data_dir / "kiosk.sqlite3")
    d = Draft(matter="wages", phone=PHONE, signature_png=b"png")
    assert submit(conn, d, ADULT, public_key=keys.public_text, terminal_id="T0001", site="站", prefix="0001", at=clock.now(),
                  language="zh_CN", letter_text="…").number == "2611280001001"


def test_the_receipt(la_terminal: Any, clock: Any) -> None:
    from devices.printer.png_render import render_png
    from devices.printer.profiles import get_profile
    from kiosk.legal_aid.application import Submitted
    from kiosk.legal_aid.receipt import legal_aid_receipt

    sub = Submitted("2611270001001", "7KQ2MX", "wages", clock.now(), "e1")
    data, config = la_terminal.flow.features.get("legal_aid").data, la_terminal.config
    r = legal_aid_receipt(sub, data, config, holder_name="张**")
    text = r.text_content()
    for needed in ("法律援助申请回执", "2611270001001", "查询码 7KQ2MX", "张**", "讨要工资（欠薪）", "劳动合同", "本人身份证原件",
                   "黄石市黄石港区湖滨大道2号", "咨询电话：0714-12348"):
        assert needed in text, needed
    with pytest.raises(ValueError):
        legal_aid_receipt(sub, data, config, holder_name="张桂兰")  # never a full name on paper
    qr = [b for b in r.blocks if type(b).__name__ == "QrCode"][0]
    # No progress page configured: the QR keeps the number and code, it links nowhere.
    assert qr.data == "法律援助申请 编号2611270001001 查询码7KQ2MX" and "扫码把申请编号和查询码存到手机" in text
    from kiosk.config import parse_config

    config = parse_config(la_config_toml(config.legal_aid.public_key, 'progress_url = "https://12348.hs.gov.cn/la?n={number}&c={code}"\n'))
    r = legal_aid_receipt(sub, data, config, holder_name="张**")
    qr = [b for b in r.blocks if type(b).__name__ == "QrCode"][0]
    assert qr.data == "https://12348.hs.gov.cn/la?n=2611270001001&c=7KQ2MX" and "扫码查询办理进度" in r.text_content()
    # Printed (rendered as the printer would) and read back by a phone's QR reader.
    import cv2
    import numpy as np

    for lang, name in (("zh_CN", "receipt-legal-aid-80.png"), ("en", "receipt-legal-aid-80-en.png")):
        png = render_png(legal_aid_receipt(sub, data, config, language=lang, holder_name="张**"), get_profile("80mm"))
        if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
            (ROOT / "docs" / "img" / name).write_bytes(png)
        img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(img)
        assert decoded == qr.data


def test_progress_by_card_needs_the_centre_key(terminal: Any) -> None:
    f = terminal.flow
    f.handle(ev.Started())
    assert f.handle(la_ev.ProgressOpened()) is LA.LA_PROGRESS
    assert answer(f, "progress", "card") is LA.LA_PROGRESS and f.visit.notice_key == "legal_aid.progress_error"


def test_progress_offline_says_so(la_terminal: Any) -> None:
    la = la_terminal.flow.features.get("legal_aid")
    f = la_terminal.flow
    f.handle(ev.Started())
    f.handle(la_ev.ProgressOpened())
    la.lookup(number="2611270001001")  # no centre link: terminal.centre is None
    f.handle(f.inbox.take(timeout=2.5))  # the answer, as the app's bridge hands it over
    assert la.progress["state"] == "answered" and la.progress["message_key"] == "legal_aid.progress_offline"
