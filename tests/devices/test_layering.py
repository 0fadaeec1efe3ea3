"""The device packages and the core's device ports stand on their own: no import cycle
touches them, and every import inside one of their functions defers a heavy library on
purpose (and says so). The whole product is checked by tests/test_architecture.py; this
keeps the device area from sliding back while other areas are still being untangled."""

from __future__ import annotations

from tests.test_architecture import ROOT, cycles, import_graph, module_name, product_files, unexplained_nested

AREA = [p for p in product_files() if p.relative_to(ROOT).parts[0] == "devices"] + [
    ROOT / "kiosk" / "terminal.py",
    ROOT / "kiosk" / "ports.py",
]


def test_no_import_cycle_touches_the_devices() -> None:
    """A simulator imports its driver, never the other way round (and so on)."""
    mine = {module_name(p) for p in AREA}
    found = [group for group in cycles(import_graph()) if mine & set(group)]
    assert not found, "import cycles:\n" + "\n".join(" ⇄ ".join(c) for c in found)


def test_device_imports_inside_functions_say_why() -> None:
    """Drivers load OpenCV, PortAudio, Vosk, pyserial, python-escpos only when used."""
    found = unexplained_nested(AREA)
    assert not found, "imports inside functions without a reason:\n" + "\n".join(found)
