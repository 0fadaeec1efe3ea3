"""Receipt → ESC/POS bytes.

python-escpos 3.1 does images (``GS v 0``), native QR codes (``GS ( k``) and the cut
right, so those go through it (its ``Dummy`` printer collects the bytes). Text does not:
its Chinese path sends no ``FS &``, switches to GB18030 only when a common ideograph is
present, prints ``?`` for Chinese punctuation alone and counts widths with ``len()``; and
its double sizes use ``ESC !``, which does not enlarge Chinese characters. So text,
sizes and emphasis are encoded here:

- ``ESC @`` then ``FS &`` (Chinese mode) at the start of every job;
- each line GBK-encoded, GB18030 where the profile's font has it, else the whole line is
  sent as a raster image drawn with a CJK font (a rare character in a name still prints);
- ``GS !`` for sizes (it applies to Chinese and ASCII alike), ``ESC E`` for bold,
  ``ESC a`` for alignment — each sent only when it changes;
- control characters in the text are never sent (they would be printer commands).
"""

from __future__ import annotations

from PIL import Image

from devices.printer.escpos_lib import escpos
from devices.printer.layout import BlankLines, CutLine, Laid, Line, QrLine, layout
from devices.printer.profiles import PrinterProfile
from devices.printer.raster import qr_image, qr_module_for, render_line, to_bilevel
from kiosk.receipt import Align, Receipt

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CHINESE_MODE = FS + b"&"
_ALIGN = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}
# C0 controls and DEL would be taken as commands: print them as spaces.
_NO_CONTROLS = {c: " " for c in [*range(0x20), 0x7F]}


def encode_text(text: str, profile: PrinterProfile) -> bytes | None:
    """``text`` as bytes the printer's Chinese font prints, or None when it cannot
    (a character outside GBK, or outside GB18030 on a GB18030 printer)."""
    text = text.translate(_NO_CONTROLS)
    try:
        return text.encode("gbk")
    except UnicodeEncodeError:
        pass
    if profile.gb18030:
        try:
            return text.encode("gb18030")
        except UnicodeEncodeError:  # lone surrogates: nothing prints them
            return None
    return None


class _Job:
    """One job's bytes, with the text state the printer is in, so a command is sent
    only when a line needs a different state."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.printer = escpos().Dummy(profile=profile.escpos_profile)
        self.align = 0
        self.size = 0
        self.bold = False
        self.raw(INIT + CHINESE_MODE)

    def raw(self, data: bytes) -> None:
        self.printer._raw(data)

    def state(self, align: int, size: int, bold: bool) -> None:
        if align != self.align:
            self.raw(ESC + b"a" + bytes((align,)))
            self.align = align
        if size != self.size:
            self.raw(GS + b"!" + bytes((size,)))
            self.size = size
        if bold != self.bold:
            self.raw(ESC + b"E" + (b"\x01" if bold else b"\x00"))
            self.bold = bold

    def image(self, img: Image.Image) -> None:
        # Images are drawn full paper width and already aligned: a left margin from
        # ESC a would push them off the paper on some clones.
        self.state(0, self.size, self.bold)
        self.printer.image(img, impl="bitImageRaster")

    @property
    def output(self) -> bytes:
        data: bytes = self.printer.output  # python-escpos ships no type information
        return data


def render_laid(lines: list[Laid], profile: PrinterProfile) -> bytes:
    """ESC/POS bytes for already laid-out lines."""
    job = _Job(profile)
    for item in lines:
        if isinstance(item, Line):
            data = encode_text(item.text, profile)
            if data is None:
                job.image(to_bilevel(render_line(item, profile)))
                continue
            size = ((item.width - 1) << 4) | (item.height - 1)
            job.state(_ALIGN[item.align], size, item.bold)
            job.raw(data + LF)
        elif isinstance(item, QrLine):
            module = qr_module_for(item.data, item.module, profile)
            if profile.native_qr:
                # GS ( k ignores python-escpos's centring; ESC a centres it on the printer.
                job.state(1, job.size, job.bold)
                job.printer.qr(item.data, ec=escpos().QR_ECLEVEL_M, size=module, native=True)
            else:
                job.image(qr_image(item.data, module, profile))
        elif isinstance(item, BlankLines):
            job.raw(ESC + b"d" + bytes((min(item.count, 255),)))
        elif isinstance(item, CutLine):
            job.raw(ESC + b"d" + bytes((profile.feed_before_cut,)))
            if profile.cutter:
                job.printer.cut(feed=False)
    return job.output


def render_escpos(receipt: Receipt, profile: PrinterProfile) -> bytes:
    """The whole job for ``receipt`` on ``profile``'s printer, from ``ESC @`` to the cut."""
    return render_laid(layout(receipt, profile), profile)
