"""写文书 on the real app, offscreen, in a subprocess: a 劳动仲裁申请书 filled from the ID
card with consent, by keypad, buttons and dictation, previewed (masked), printed on the
simulated A4 printer and on a real CUPS; refusal of consent leaves the fields empty; a
借条 on the receipt printer and a QR code where no A4 printer exists."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.support import ROOT
from tests.support.cups import PrivateCups, available, wait_for_pdf
from tests.support.ui import run_scenario, text

pytestmark = pytest.mark.ui


def _shots() -> str:
    return str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""


def _check_arbitration(r: dict[str, Any]) -> None:
    assert r["violations"] == []
    assert "劳动人事争议仲裁申请书" in text(r, "doc_list") and "借条" in text(r, "doc_list")
    assert "同意，放身份证" in text(r, "doc_consent")
    form = text(r, "doc_form")
    assert "李**" in form and "4202**********0036" in form and "（来自身份证）" in form
    assert "李建国" not in form and "420281199106080036" not in form
    assert "大写：人民币贰万肆仟元整" in text(r, "doc_field_amount")
    if "heard" in r:  # dictated by a real recogniser
        assert r["heard"] and r["heard"] in text(r, "doc_field_heard") and r["heard"] in r["paper"]
    else:
        assert "本机暂不能听写" in r["dictation_notice"]
    preview = text(r, "doc_preview")
    assert "人民币贰万肆仟元整（¥24,000.00）" in preview and "2025年3月1日入职" in preview
    assert "4202**********0036" in preview and "420281199106080036" not in preview
    assert "人民币贰万肆仟元整" in text(r, "doc_preview_elder")
    assert "已打印" in text(r, "doc_done")
    paper = r["paper"]
    assert "李建国" in paper and "420281199106080036" in paper
    assert r["after_finish"] == {"screen": "attract", "values": {}}


@pytest.mark.timeout(600)  # loading the speech model and decoding take their time on a busy machine
def test_arbitration_with_card_consent_printed_on_the_sim_a4(tmp_path: Path) -> None:
    """The whole way, the story dictated through real Vosk where a model is installed
    (Korean speech stands in: no Chinese model is installable here)."""
    from tests.devices.audio.audio_helpers import have_speech_tools, ko_model_dir, pcm_of, silence, synth, write

    given: dict[str, Any] = {"shots": _shots()}
    model = ko_model_dir()
    if model is not None and have_speech_tools():
        words = synth("서울 변호사", tmp_path / "said.raw.wav")
        wav = write(tmp_path / "said.wav", silence(0.5) + pcm_of(words)[0] + silence(1.5))
        given |= {"vosk_model": str(model), "wav": str(wav)}
    r = run_scenario("tests.documents.ui_scenarios", "arbitration", tmp_path / "kiosk", given,
                     out=tmp_path / "a.json", timeout=300)
    _check_arbitration(r)
    (job,) = r["sim_jobs"]
    reader = PdfReader(job)
    printed = "".join(page.extract_text() for page in reader.pages)
    assert "劳动人事争议仲裁申请书" in printed and "李建国" in printed and "人民币贰万肆仟元整" in printed


@pytest.mark.timeout(600)
def test_arbitration_printed_through_real_cups(tmp_path: Path) -> None:
    why = available()
    if why:
        pytest.skip(why)
    base = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    cups = PrivateCups(base).start()
    try:
        out = tmp_path / "out"
        queue = cups.add_pdf_queue(out)
        r = run_scenario("tests.documents.ui_scenarios", "arbitration", tmp_path / "kiosk",
                         {"a4_url": f"cups://{queue}?server={cups.socket}"}, out=tmp_path / "a.json", timeout=240)
        _check_arbitration(r)
        printed = PdfReader(wait_for_pdf(out))
        assert len(printed.pages) >= 2  # the application runs over two A4 pages
        assert abs(float(printed.pages[0].mediabox.height) - 842) < 2
    finally:
        cups.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_refused_consent_leaves_the_fields_empty(tmp_path: Path) -> None:
    r = run_scenario("tests.documents.ui_scenarios", "refuse_consent", tmp_path / "kiosk", {}, out=tmp_path / "r.json")
    assert r["values"] == {}
    form = text(r, "doc_form_refused")
    assert "借款人（您）姓名\n（未填，打印后可手写）" in form and "李建国" not in form and "（来自身份证）" not in form


def test_without_a4_short_ones_on_receipt_others_as_qr(tmp_path: Path) -> None:
    r = run_scenario("tests.documents.ui_scenarios", "short_on_receipt_and_qr", tmp_path / "kiosk",
                     {"no_a4": True, "shots": _shots()}, out=tmp_path / "q.json")
    assert r["violations"] == []
    assert "打印（小票）" in text(r, "doc_preview_iou") and "打印（A4纸）" not in text(r, "doc_preview_iou")
    assert "已打印，请取走小票" in text(r, "doc_done_receipt")
    assert "今借到＿＿＿＿＿＿人民币壹万元整（￥10,000.00），用于看病。" in r["receipt"].replace("\n", "") and "借条" in r["receipt"]
    mediation = text(r, "doc_preview_mediation")
    assert "打印（小票）" not in mediation and "手机扫码带走" in mediation
    assert "二维码里是您填写的内容" in text(r, "doc_done_qr")
    assert r["qr_text"].startswith("人民调解申请书\n纠纷类型：邻里纠纷")


def test_a_paused_a4_printer_is_said_plainly_and_recovers(tmp_path: Path) -> None:
    r = run_scenario("tests.documents.ui_scenarios", "a4_stopped", tmp_path / "kiosk", {}, out=tmp_path / "s.json")
    assert r["violations"] == []
    assert "A4打印机已暂停，可能缺纸或卡纸，请工作人员处理" in text(r, "doc_preview_stopped")
    not_printed = text(r, "doc_preview_not_printed")
    assert "没有打印出来：A4打印机已暂停" in not_printed and "打印（小票）" in not_printed
    assert "已打印，请在下方出纸口取走文书" in text(r, "doc_done_after_resume")
