"""办事指南 → 写文书 on the real app, offscreen, in a subprocess: from the unpaid-wages
guide a villager opens the 劳动人事争议仲裁申请书, goes back to the guide and on again,
fills it (the card with consent, keypad, buttons), previews it and prints it on the
(simulated) A4 printer, whose PDF is read back; the divorce guide opens its 起诉状.

The simulator keeps the very PDF the app rendered; a cups-pdf queue hands back a PDF that
Ghostscript re-made, whose Chinese text no longer reads back (the CUPS path is covered by
tests/documents/test_documents_ui.py, which checks its pages)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.support import ROOT
from tests.support.ui import run_scenario, step, text

pytestmark = pytest.mark.ui


def _given(library_path: Path) -> dict[str, Any]:
    shots = str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""
    return {"config": f'[lookup]\nlibrary = "{library_path}"\n', "shots": shots}


@pytest.mark.timeout(600)
def test_wage_guide_to_the_printed_arbitration_application(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "guide_document", tmp_path / "kiosk", _given(library_path),
                     out=tmp_path / "doc.json", timeout=300)
    assert r["violations"] == []
    # The guide's last part offers its two documents, by name, and says them aloud.
    assert r["document_offers"] == ["doc:open:labour-arbitration", "doc:open:complaint-wages"]
    nxt = text(r, "law_guide_document")
    assert "写文书：劳动人事争议仲裁申请书" in nxt and "写文书：民事起诉状（劳动争议纠纷·追索劳动报酬）" in nxt
    assert "劳动人事争议仲裁申请书" in r["spoken_next"][-1]
    # Straight to that template's consent (no list), and Back is the guide again.
    assert "劳动人事争议仲裁申请书" in text(r, "guide_doc_consent") and "同意，放身份证" in text(r, "guide_doc_consent")
    assert step(r, "guide_doc_back")["screen"] == "law_guide" and "去办理" in text(r, "guide_doc_back")
    form = text(r, "guide_doc_form")
    assert "李**" in form and "（来自身份证）" in form and "李建国" not in form
    preview = text(r, "guide_doc_preview")
    assert "人民币壹万捌仟伍佰元整" in preview and "4202**********0036" in preview
    assert "已打印" in text(r, "guide_doc_done")
    (job,) = r["sim_jobs"]
    pages = PdfReader(job).pages
    assert abs(float(pages[0].mediabox.height) - 842) < 2  # A4
    printed = "".join(page.extract_text() for page in pages).replace("\n", "")
    for element in ("劳动人事争议仲裁申请书", "李建国", "420281199106080036", "人民币壹万捌仟伍佰元整", "没有签"):
        assert element in printed, element
    # The divorce guide's complaint: its elements in the preview; Back leads to the guide.
    divorce = text(r, "doc_preview_divorce")
    assert "民事起诉状（离婚纠纷）" in divorce and "双方于2012年10月1日办理结婚登记" in divorce
    assert "4202**********0036" in divorce and "420281199106080036" not in divorce
    assert "人民币壹仟伍佰元整" in divorce and "因感情不和分居满二年" in divorce and "由原告直接抚养" in divorce
    assert "民事起诉状（离婚纠纷）" in text(r, "doc_preview_divorce_elder")
    assert r["divorce_back"] == "law_guide"
