"""The SAM frame codec and card text layouts (devices.idcard.codec): exact bytes,
table-driven cases, and properties of the parser on arbitrary input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.idcard import codec
from devices.idcard.codec import Command, Deframer, Status
from devices.idcard.simulator import load_cards
from kiosk.identity import CardType, Gender, IdentityCard


def frame(hexstr: str) -> bytes:
    return bytes.fromhex(hexstr)


# Frames of the SAM protocol (GA 467): the codec computes them; the
# table only records what the documentation says they must come out as.
@pytest.mark.parametrize(
    "command, data, expected",
    [
        (Command.RESET, b"", "AA AA AA 96 69 00 03 10 FF EC"),
        (Command.STATUS, b"", "AA AA AA 96 69 00 03 11 FF ED"),
        (Command.SAM_ID, b"", "AA AA AA 96 69 00 03 12 FF EE"),
        (Command.FIND, b"", "AA AA AA 96 69 00 03 20 01 22"),
        (Command.SELECT, b"", "AA AA AA 96 69 00 03 20 02 21"),
        (Command.READ, b"", "AA AA AA 96 69 00 03 30 01 32"),
        (Command.READ_FINGERPRINT, b"", "AA AA AA 96 69 00 03 30 10 23"),
        (Command.READ_EXTRA_ADDRESS, b"", "AA AA AA 96 69 00 03 30 03 30"),
        (Command.SET_MAX_RF_BYTE, b"\x50", "AA AA AA 96 69 00 04 61 FF 50 CA"),
    ],
)
def test_command_frames(command: Command, data: bytes, expected: str) -> None:
    assert codec.build_command(command, data) == frame(expected)


@pytest.mark.parametrize(
    "raw, status, data_len",
    [
        ("AA AA AA 96 69 00 04 00 00 90 94", Status.OK, 0),
        ("AA AA AA 96 69 00 04 00 00 60 64", Status.SAM_SELF_TEST_FAILED, 0),
        ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", Status.FIND_OK, 4),
        ("AA AA AA 96 69 00 04 00 00 80 84", Status.FIND_FAILED, 0),
        ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", Status.OK, 8),
        ("AA AA AA 96 69 00 04 00 00 81 85", Status.SELECT_FAILED, 0),
        ("AA AA AA 96 69 00 04 00 00 41 45", Status.READ_FAILED, 0),
    ],
)
def test_documented_responses_parse(raw: str, status: Status, data_len: int) -> None:
    response = codec.parse_response_frame(frame(raw))
    assert response.status == status
    assert len(response.data) == data_len
    assert codec.build_response(status, response.data) == frame(raw)


def test_read_response_has_documented_header_and_size() -> None:
    card = load_cards()[0].card
    data = codec.build_read_data(codec.encode_text(card), bytes(1024))
    raw = codec.build_response(Status.OK, data)
    assert raw[:14] == frame("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    assert len(raw) == 1295
    payload = codec.split_read_data(codec.parse_response_frame(raw).data)
    assert payload.photo_length == 1024 and len(payload.text) == 256
    assert not hasattr(payload, "photo")  # the photo bytes are never copied out


def test_read_with_fingerprint_layout() -> None:
    text = codec.encode_text(load_cards()[0].card)
    data = codec.build_read_data(text, bytes(1024), bytes(1024))
    payload = codec.split_read_data(data, with_fingerprint=True)
    assert payload.text == text and payload.fingerprint_length == 1024


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01\x00", b"\x00\xff\x04\x00" + bytes(255 + 1024), b"\x01\x00\x04\x00" + bytes(10)],
)
def test_bad_read_data_is_rejected(data: bytes) -> None:
    with pytest.raises(codec.CardDataError):
        codec.split_read_data(data)


def test_deframer_resynchronises_after_garbage() -> None:
    good = codec.build_response(Status.FIND_OK, bytes(4))
    d = Deframer(min_len=codec.MIN_RESPONSE_LEN)
    d.feed(b"\x00\x13\xaa\xaa" + good)
    assert codec.decode_response(d.pop() or b"").status == Status.FIND_OK
    assert d.discarded == 4 and d.pending == 0


def test_deframer_handles_byte_by_byte_arrival_and_split_preamble() -> None:
    good = codec.build_response(Status.OK, b"xyz")
    d = Deframer()
    out = []
    for b in b"\xaa\xaa" + good:
        d.feed(bytes([b]))
        body = d.pop()
        if body is not None:
            out.append(body)
    assert out == [b"\x00\x00\x90xyz"]


def test_bad_checksum_raises_then_next_frame_parses() -> None:
    good = codec.build_response(Status.OK)
    bad = good[:-1] + bytes([good[-1] ^ 1])
    d = Deframer()
    d.feed(bad + good)
    with pytest.raises(codec.ChecksumError):
        d.pop()
    assert d.pop() == b"\x00\x00\x90"


@pytest.mark.parametrize("length", [0, 1, 2, codec.MAX_LEN + 1, 0xFFFF])
def test_bad_length_raises_length_error(length: int) -> None:
    d = Deframer()
    d.feed(codec.PREAMBLE + length.to_bytes(2, "big") + bytes(8))
    with pytest.raises(codec.LengthError):
        d.pop()


def test_strict_parse_rejects_trailing_bytes() -> None:
    with pytest.raises(codec.FrameError):
        codec.parse_response_frame(codec.build_response(Status.OK) + b"\x00")


def test_status_names() -> None:
    assert codec.status_name(0x41) == "0x41 READ_FAILED"
    assert codec.status_name(0x01) == "0x01"


def _drain(d: Deframer) -> list[bytes]:
    frames = []
    # Each pop consumes at least one byte or returns None, so this ends.
    for _ in range(d.pending + 2):
        try:
            body = d.pop()
        except codec.FrameError:
            continue
        if body is None:
            break
        frames.append(body)
    return frames


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_no_input_makes_the_parser_raise_anything_else_or_hang(chunks: list[bytes]) -> None:
    d = Deframer()
    for chunk in chunks:
        d.feed(chunk)
        while True:
            before = d.pending
            try:
                body = d.pop()
            except codec.CodecError:
                assert d.pending < before  # an error always consumes input
                continue
            if body is None:
                break
            try:
                codec.decode_response(body)
            except codec.CodecError:
                pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.integers(0, 0xFF), st.binary(max_size=300))
def test_any_frame_after_any_garbage_is_found(garbage: bytes, status: int, data: bytes) -> None:
    good = codec.build_response(status, data)
    d = Deframer()
    d.feed(garbage + good)
    frames = _drain(d)
    assert frames and frames[-1] == b"\x00\x00" + bytes([status]) + data


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_any_text_block_decodes_or_raises_card_data_error(text: bytes) -> None:
    try:
        codec.decode_text(text)
    except codec.CardDataError:
        pass


# --- text layouts ---------------------------------------------------------------------


@pytest.mark.parametrize("demo", load_cards(), ids=lambda c: c.card_id)
def test_demo_cards_round_trip_through_the_text_block(demo) -> None:  # type: ignore[no-untyped-def]
    text = codec.encode_text(demo.card)
    assert len(text) == 256
    decoded = codec.decode_text(text)
    for name in ("card_type", "name", "gender", "birth_date", "id_number", "address", "nation",
                 "name_en", "authority", "valid_from", "valid_to"):
        assert getattr(decoded, name) == getattr(demo.card, name), name
    extra = dict(decoded.extra)
    for key, value in demo.card.extra:
        assert extra[key] == value, key


def _text(fields: dict[int, str], flag: str = " ") -> bytes:
    buf = bytearray(" ".encode("utf-16-le") * 128)
    for offset, value in fields.items():
        raw = value.encode("utf-16-le")
        buf[offset : offset + len(raw)] = raw
    buf[248:250] = flag.encode("utf-16-le")
    return bytes(buf)


def test_resident_layout_offsets() -> None:
    text = _text({0: "张三", 30: "1", 32: "03", 36: "19900101", 52: "湖北省黄石市", 122: "420202199001010013",
                  158: "黄石市公安局", 188: "20100101", 204: "长期"})
    card = codec.decode_text(text)
    assert card.card_type is CardType.RESIDENT
    assert (card.name, card.gender, card.nation, card.birth_date) == ("张三", Gender.MALE, "回", date(1990, 1, 1))
    assert card.valid_to is None and card.valid_from == date(2010, 1, 1)
    assert card.authority == "黄石市公安局" and card.id_number == "420202199001010013"


def test_nul_padding_and_unknown_codes() -> None:
    text = bytearray(_text({0: "王五", 30: "9", 32: "77", 36: "19900101", 122: "X", 188: "20100101", 204: "20300101"}))
    text[4:30] = bytes(26)  # NUL padding after the name
    card = codec.decode_text(bytes(text))
    assert card.name == "王五" and card.gender is Gender.UNKNOWN and card.nation is None


def test_foreign_2023_english_name_spans_two_fields() -> None:
    long_name = "ABCDEFGHIJ KLMNOPQRSTUVWXYZ ABCDEFG HIJKLMNOP"  # 45 chars, split at 35
    card = IdentityCard(CardType.FOREIGN_2023, "名", Gender.FEMALE, date(1990, 1, 1), "9" * 18,
                        name_en=long_name, valid_from=date(2024, 1, 1), valid_to=date(2034, 1, 1))
    assert codec.decode_text(codec.encode_text(card)).name_en == long_name


def test_foreign_2017_layout_offsets() -> None:
    text = _text({0: "DOE JANE", 120: "2", 122: "USA110090010123", 152: "USA", 158: "简", 188: "20170101",
                  204: "20270101", 220: "19900101", 236: "05", 240: "1100"}, flag="I")
    card = codec.decode_text(text)
    assert card.card_type is CardType.FOREIGN_2017
    assert (card.name_en, card.name, card.gender, card.authority) == ("DOE JANE", "简", Gender.FEMALE, "1100")
    assert dict(card.extra) == {"nationality": "USA", "card_version": "05"}


@pytest.mark.parametrize(
    "fields, flag, error",
    [
        ({36: "19900101", 188: "20100101", 204: "长期", 122: "1"}, "Z", codec.UnknownCardType),
        ({36: "1990010", 188: "20100101", 204: "长期", 122: "1"}, " ", codec.CardDataError),
        ({36: "19901301", 188: "20100101", 204: "长期", 122: "1"}, " ", codec.CardDataError),
        ({36: "19900101", 188: "20100101", 204: "永久", 122: "1"}, " ", codec.CardDataError),
        ({36: "19900101", 188: "20100101", 204: "长期"}, " ", codec.CardDataError),  # no number
    ],
)
def test_undecodable_text_blocks(fields: dict[int, str], flag: str, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        codec.decode_text(_text(fields, flag))
    assert "1990" not in str(info.value)  # errors never echo field values


def test_wrong_text_size_and_too_long_fields() -> None:
    with pytest.raises(codec.CardDataError):
        codec.decode_text(bytes(255))
    card = IdentityCard(CardType.RESIDENT, "名" * 16, Gender.MALE, date(1990, 1, 1), "1")
    with pytest.raises(codec.CardDataError):
        codec.encode_text(card)
