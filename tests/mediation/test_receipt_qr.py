"""The agreement receipt's QR code, printed at the paper's real width, reads back for any
session and hash — not only for the few a UI run happens to draw."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from devices.printer.png_render import render_image
from devices.printer.profiles import get_profile
from kiosk.config import KioskConfig
from kiosk.mediation.receipt import agreement_qr, agreement_receipt
from tests.support.qr import read_qr

# Enough payloads that a reader missing one code in twenty is caught every run.
PAYLOADS = 120


@pytest.mark.parametrize("paper", ["58mm", "80mm"])
def test_every_agreement_receipt_qr_reads_back(paper: str) -> None:
    profile = get_profile(paper)
    config = KioskConfig(site_name="李家村公共法律服务工作室")
    unread: list[str] = []
    for i in range(PAYLOADS):
        # Session ids shaped like the centre's ("M" + 12 hex digits), hashes of varied agreements.
        sid = "M" + hashlib.md5(f"{paper}{i}".encode()).hexdigest()[:12].upper()
        sha = hashlib.sha256(f"agreement {i}".encode()).hexdigest()
        receipt = agreement_receipt({"session_id": sid, "matter": "宅基地边界纠纷", "masked": "李**"},
                                    {"agreement": "一、乙方支付修缮费三千元。", "sha256": sha}, config)
        picture = np.asarray(render_image(receipt, profile))
        if read_qr(picture) != agreement_qr(sid, sha):
            unread.append(sid)
    assert not unread, f"{len(unread)} of {PAYLOADS} receipts' QR codes could not be read: {unread[:5]}"
