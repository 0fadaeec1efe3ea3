"""Reading a printed QR code back, as a phone would: the one QR reader of the tests.

OpenCV's classic ``cv2.QRCodeDetector`` misses some perfectly valid codes (about one
in twenty of the agreement receipts' session/hash payloads, the same image every time),
so a test that prints a code holding a random session id failed now and then whatever
the machine's load. The ArUco-based detector of the same OpenCV reads all of them.
"""

from __future__ import annotations

from typing import Any


def read_qr(image: Any) -> str:
    """The text of the QR code in ``image`` (a greyscale or BGR numpy array, as
    ``cv2.imread`` gives), or ``""`` when no code can be read."""
    import cv2  # deferred: OpenCV is heavy and only the tests that read a QR need it

    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return str(text or "")
