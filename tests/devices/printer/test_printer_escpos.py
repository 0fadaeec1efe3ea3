"""Receipt → ESC/POS bytes: exact bytes for small documents, golden bytes for the
kiosk's receipts on 58 and 80 mm, and the Chinese text read back from the bytes.

Regenerate the golden files after an intended change with
``PRINTER_GOLDEN_UPDATE=1 pytest tests/devices/printer/test_printer_escpos.py`` and look
at the PNG previews before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devices.printer.escpos_parse import parse, printed_text
from devices.printer.escpos_render import render_escpos
from devices.printer.profiles import get_profile
from devices.printer.textwidth import text_width
from kiosk.receipt import Align, Columns, Feed, QrCode, Receipt, Separator, Text
from tests.devices.printer.printer_samples import DOCUMENTS

GOLDEN = Path(__file__).with_name("golden")
P58, P80, GB18030 = get_profile("58mm"), get_profile("80mm"), get_profile("tm-t70ii-ch")

START = b"\x1b@\x1c&"  # ESC @ (reset), FS & (Chinese mode)


def test_chinese_title_exact_bytes_on_80mm() -> None:
    doc = Receipt("t", (Text("法律", align=Align.CENTER, bold=True, width=2, height=2), Separator("-"), Feed(2)))
    assert render_escpos(doc, P80) == (
        START
        + b"\x1ba\x01" + b"\x1d!\x11" + b"\x1bE\x01" + "法律".encode("gbk") + b"\n"  # centre, 2×2, bold
        + b"\x1ba\x00" + b"\x1d!\x00" + b"\x1bE\x00" + b"-" * 48 + b"\n"  # a 48-column rule
        + b"\x1bd\x02"  # two blank lines
        + b"\x1bd\x04" + b"\x1dVB\x00"  # feed past the blade, cut
    )


def test_58mm_rule_is_32_columns_and_has_no_cut_command() -> None:
    doc = Receipt("t", (Separator("="),))
    assert render_escpos(doc, P58) == START + b"=" * 32 + b"\n" + b"\x1bd\x04"


def test_columns_line_up_in_display_columns() -> None:
    doc = Receipt("t", (Columns(("前面等候", "3 人"), (1, 2), (Align.LEFT, Align.RIGHT)),), cut=False)
    expected_line = "前面等候".encode("gbk") + b" " * 3 + b" " * 17 + b"3 " + "人".encode("gbk")
    assert render_escpos(doc, P58) == START + expected_line + b"\n"
    assert text_width("前面等候" + " " * 20 + "3 人") == 32  # flush with the right edge


def test_native_qr_on_80mm_exact_bytes() -> None:
    url = "https://x.cn/q?n=B007"
    doc = Receipt("t", (QrCode(url, module=6),), cut=False)
    data = url.encode()
    assert render_escpos(doc, P80) == (
        START
        + b"\x1ba\x01"  # centred by the printer
        + b"\x1d(k\x04\x001A2\x00"  # model 2
        + b"\x1d(k\x03\x001C\x06"  # 6 dots per module
        + b"\x1d(k\x03\x001E1"  # error correction M
        + b"\x1d(k" + bytes((len(data) + 3, 0)) + b"1P0" + data  # store
        + b"\x1d(k\x03\x001Q0"  # print
    )


def test_qr_is_a_full_width_raster_image_on_58mm() -> None:
    doc = Receipt("t", (QrCode("https://x.cn/q?n=B007", module=6),), cut=False)
    out = render_escpos(doc, P58)
    tokens = parse(out)
    images = [t for t in tokens if t.kind == "image"]
    assert len(images) == 1 and not any(t.kind == "qr" for t in tokens)
    header = images[0].data[:8]
    assert header[:4] == b"\x1dv0\x00" and header[4:6] == bytes((48, 0))  # 48 bytes = 384 dots


def test_rare_character_prints_as_an_image_on_a_gbk_printer() -> None:
    doc = Receipt("t", (Text("取号人 王䶮"), Text("法律")), cut=False)
    out = render_escpos(doc, P58)
    assert [t.kind for t in parse(out)].count("image") == 1
    assert printed_text(out) == ["法律"]  # the name line went as pixels, nothing garbled


def test_rare_character_is_gb18030_text_where_the_font_has_it() -> None:
    out = render_escpos(Receipt("t", (Text("王䶮 𠮷"),), cut=False), GB18030)
    assert "王䶮 𠮷".encode("gb18030") in out
    assert not any(t.kind == "image" for t in parse(out))


def test_chinese_punctuation_alone_is_not_question_marks() -> None:
    # python-escpos 3.1 sends "，。" through a single-byte code page as "??".
    out = render_escpos(Receipt("t", (Text("，。《》"),), cut=False), P58)
    assert printed_text(out) == ["，。《》"]
    assert b"?" not in out


def test_text_cannot_smuggle_printer_commands() -> None:
    out = render_escpos(Receipt("t", (Text("A\x1dV\x00B"),), cut=False), P58)
    assert b"\x1dV" not in out
    assert printed_text(out) == ["A V B"]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize("profile", [P58, P80], ids=["58", "80"])
def test_receipts_match_golden_bytes(name: str, profile) -> None:  # type: ignore[no-untyped-def]
    out = render_escpos(DOCUMENTS[name](), profile)
    golden = GOLDEN / f"{name}-{profile.paper_mm}.bin"
    if os.environ.get("PRINTER_GOLDEN_UPDATE"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(out)
    assert out == golden.read_bytes()


@pytest.mark.parametrize("profile", [P58, P80], ids=["58", "80"])
def test_ticket_bytes_decode_to_the_ticket(profile) -> None:  # type: ignore[no-untyped-def]
    out = render_escpos(DOCUMENTS["ticket"](), profile)
    assert out.startswith(START)
    lines = printed_text(out, "gb18030")
    text = "\n".join(lines)
    for expected in ("法律援助", "B007", "老年人优先", "前面等候", "3 人", "约 75 分钟", "张*",
                     "2025-05-06 09:12", "过号请重新取号", "12348"):
        assert expected in text, expected
    # Every line fits the paper at its size: nothing wraps on the printer by itself.
    assert all(text_width(line) <= profile.columns for line in lines)
    # The big number is printed at 4×4.
    tokens = parse(out)
    number = next(i for i, t in enumerate(tokens) if t.kind == "text" and t.data == b"B007")
    assert b"\x1d!\x33" in b"".join(t.data for t in tokens[number - 3:number])


def test_ticket_rows_end_flush_right() -> None:
    lines = printed_text(render_escpos(DOCUMENTS["ticket"](), P58))
    rows = [line for line in lines if line.startswith(("前面等候", "预计等候", "取号时间", "取号人"))]
    assert len(rows) == 4
    assert {text_width(row) for row in rows} == {32}


def test_materials_bytes_list_every_item_with_its_mark() -> None:
    lines = printed_text(render_escpos(DOCUMENTS["materials"](), P80))
    marked = [line for line in lines if "[必带]" in line or "[如有]" in line]
    assert len(marked) == 5
    assert sum("[必带]" in line for line in marked) == 3
    # Continuation lines of an item start under its text, not under the mark.
    first = next(i for i, line in enumerate(lines) if line.startswith("2."))
    indent = text_width(lines[first].split("]")[0] + "] ")
    assert lines[first + 1].startswith(" " * indent) and lines[first + 1].strip()


def test_test_page_has_every_size_a_table_and_a_qr() -> None:
    out = render_escpos(DOCUMENTS["test"](), P80)
    sizes = {t.data[2] for t in parse(out) if t.kind == "cmd" and t.data[:2] == b"\x1d!"}
    assert {0x00, 0x01, 0x10, 0x11, 0x22} <= sizes
    assert any(t.kind == "qr" for t in parse(out))
    assert any(line.startswith("法律咨询") and "A001" in line for line in printed_text(out))
