"""Device URL → adapter, the way pyserial's ``serial_for_url`` resolves ``loop://``.

Each (kind, scheme) names a factory as ``"module:callable"``; the module is imported only
when a URL needs it, so a terminal without a camera never imports OpenCV.
A factory takes ``(url, context)`` and returns an adapter satisfying the kind's port.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from kiosk.errors import DeviceError
from kiosk.ports import Clock, Device, DeviceKind, SystemClock


@dataclass(frozen=True)
class DeviceContext:
    """What factories may need besides the URL."""

    data_dir: Path
    clock: Clock = field(default_factory=SystemClock)


# (kind, scheme) -> "module:factory". Schemes are the part of the URL before ':'.
# A "+" scheme (spy+serial, escpos+tcp) is listed whole.
FACTORIES: dict[tuple[DeviceKind, str], str] = {
    (DeviceKind.IDCARD, "sim"): "devices.idcard.adapter:open_sim_reader",
    (DeviceKind.IDCARD, "serial"): "devices.idcard.adapter:open_serial_reader",
    (DeviceKind.IDCARD, "spy+serial"): "devices.idcard.adapter:open_serial_reader",
    (DeviceKind.IDCARD, "socket"): "devices.idcard.adapter:open_serial_reader",
    (DeviceKind.IDCARD, "loop"): "devices.idcard.adapter:open_serial_reader",
    (DeviceKind.PRINTER, "sim"): "devices.printer.sim:open_sim_printer",
    (DeviceKind.PRINTER, "file"): "devices.printer.adapter:open_file_printer",
    (DeviceKind.PRINTER, "escpos+serial"): "devices.printer.adapter:open_escpos_printer",
    (DeviceKind.PRINTER, "escpos+tcp"): "devices.printer.adapter:open_escpos_printer",
    (DeviceKind.PRINTER, "escpos+usb"): "devices.printer.adapter:open_escpos_printer",
    (DeviceKind.A4PRINTER, "sim"): "devices.a4printer.sim:open_sim_a4printer",
    (DeviceKind.A4PRINTER, "cups"): "devices.a4printer.cups:open_cups_printer",
    (DeviceKind.CAMERA, "sim"): "devices.camera.sim:open_sim_camera",
    # Real cameras, for video consultations, through OpenCV's capture thread.
    (DeviceKind.CAMERA, "opencv"): "devices.camera.opencv:open_opencv_camera",
    (DeviceKind.CAMERA, "v4l2"): "devices.camera.opencv:open_opencv_camera",
    (DeviceKind.CAMERA, "file"): "devices.camera.opencv:open_opencv_camera",
    (DeviceKind.MIC, "sim"): "devices.audio.sim:open_sim_mic",
    (DeviceKind.MIC, "wav"): "devices.audio.sim:open_wav_mic",
    (DeviceKind.MIC, "default"): "devices.audio.mic:open_default_mic",
    (DeviceKind.MIC, "sounddevice"): "devices.audio.mic:open_default_mic",
    (DeviceKind.SPEAKER, "sim"): "devices.audio.sim:open_sim_speaker",
    (DeviceKind.SPEAKER, "espeak"): "devices.audio.tts:open_espeak_speaker",
    (DeviceKind.SPEAKER, "espeak+wav"): "devices.audio.tts:open_espeak_speaker",
}


def scheme_of(url: str) -> str:
    """The scheme of a device URL; a bare path (``/dev/ttyUSB0``) counts as ``serial``."""
    if url.startswith("/"):
        return "serial"
    return urlsplit(url).scheme or url.rstrip(":")


def known_schemes(kind: DeviceKind) -> list[str]:
    """The URL schemes that ``kind`` accepts, for error messages and ``kiosk doctor``."""
    return sorted(s for (k, s) in FACTORIES if k is kind)


def resolve(kind: DeviceKind, url: str) -> Callable[[str, DeviceContext], Device]:
    """The factory for ``url``; DeviceError names the kind and the accepted schemes."""
    scheme = scheme_of(url)
    target = FACTORIES.get((kind, scheme))
    if target is None:
        raise DeviceError(
            f"{kind.value}: unsupported URL {url!r} (schemes: {', '.join(known_schemes(kind))})"
        )
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DeviceError(f"{kind.value}: driver for {scheme}: is not available: {exc}") from exc
    factory: Callable[[str, DeviceContext], Device] | None = getattr(module, attr, None)
    if factory is None:
        raise DeviceError(f"{kind.value}: driver for {scheme}: has no {attr}")
    return factory


def open_device(kind: DeviceKind, url: str, context: DeviceContext) -> Device:
    """Create the adapter for ``url`` (not yet opened: call ``open()``)."""
    return resolve(kind, url)(url, context)
