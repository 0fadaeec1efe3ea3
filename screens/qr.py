"""QR codes as Kivy textures (the ticket's link to the queue page)."""

from __future__ import annotations

import io

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture


def qr_texture(data: str, box_size: int = 10) -> Texture:
    """A crisp (nearest-neighbour) texture of the QR code of ``data``."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    buf.seek(0)
    texture = CoreImage(buf, ext="png").texture
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture
