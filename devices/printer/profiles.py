"""Printer profiles: what a model can do, as data (capabilities, not if-model branches).

Choose one with ``?profile=NAME`` on the device URL. Names are lower case; ``58mm`` and
``80mm`` are the safe generic China-market profiles (GBK font, raster QR on 58 mm).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import DeviceError


@dataclass(frozen=True)
class PrinterProfile:
    """What one printer model offers.

    ``dots``: printable width in dots (203 dpi); ``columns``: 12×24 font characters per
    line (a Chinese character takes two); ``gb18030``: the Chinese font has the GB18030
    repertoire (else GBK only, and other characters are printed as images);
    ``native_qr``: understands ``GS ( k``; ``cutter``: has an auto-cutter;
    ``escpos_profile``: the python-escpos capabilities profile with the same media width
    (python-escpos uses it for images).
    """

    name: str
    paper_mm: int
    dots: int
    columns: int
    gb18030: bool
    native_qr: bool
    cutter: bool
    escpos_profile: str
    # Lines to feed before a cut (or a tear-off) so the last line clears the blade.
    feed_before_cut: int = 4

    @property
    def dots_per_column(self) -> int:
        """Width of one column (half a Chinese character) in dots."""
        return self.dots // self.columns


PROFILES: dict[str, PrinterProfile] = {
    p.name: p
    for p in (
        # Xprinter XP-58, GP-58, ZJ-5870 and the like: GBK font, often no GS ( k, tear bar.
        PrinterProfile("58mm", 58, 384, 32, gb18030=False, native_qr=False, cutter=False,
                       escpos_profile="POS-5890"),
        # 58 mm models that do have GS ( k (XP-58IIH and newer GP-58 firmware).
        PrinterProfile("58mm-qr", 58, 384, 32, gb18030=False, native_qr=True, cutter=False,
                       escpos_profile="POS-5890"),
        # Xprinter XP-80, GP-80 kiosk printers: GBK font, GS ( k, auto-cutter.
        PrinterProfile("80mm", 80, 576, 48, gb18030=False, native_qr=True, cutter=True,
                       escpos_profile="TM-T20II"),
        # Epson TM-T70II/TM-T82 Simplified Chinese models: GB18030 font.
        PrinterProfile("tm-t70ii-ch", 80, 576, 48, gb18030=True, native_qr=True, cutter=True,
                       escpos_profile="TM-T20II"),
    )
}

DEFAULT_PROFILE = "80mm"


def get_profile(name: str | None) -> PrinterProfile:
    """The profile called ``name`` (``None``: the default); ``58``/``80`` mean the
    generic profiles. DeviceError lists the known names."""
    if not name:
        name = DEFAULT_PROFILE
    key = name.lower()
    if key in ("58", "80"):
        key += "mm"
    try:
        return PROFILES[key]
    except KeyError:
        raise DeviceError(f"printer: unknown profile {name!r} (known: {', '.join(PROFILES)})") from None


def profile_for_width(width_mm: int) -> PrinterProfile:
    """The generic profile for 58 or 80 mm paper."""
    return get_profile(f"{width_mm}mm")
