"""The SAM reader's frame protocol and card text layouts, as pure functions (no I/O).

Frames (the SAM module protocol, GA 467)::

    AA AA AA 96 69 | LEN (2, big-endian) | body | XOR
    command body  = CMD PARA DATA…
    response body = SW1 SW2 SW3 DATA…

``LEN`` counts the body plus the checksum byte; the checksum is the XOR of every byte
after the preamble (``LEN`` included). Both directions are built and parsed here, so the
driver and the simulator share one definition of the wire format.

Every parsing failure raises a subclass of :class:`CodecError` and nothing else: the
driver treats those as "the line was noisy" and retries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from kiosk.identity import CardType, Gender, IdentityCard

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2  # preamble + LEN
# Longest body we accept: read with fingerprint = 3 status + 6 lengths + 256 text +
# 1024 photo + 1024 fingerprint + 1 checksum = 2314. Anything longer is noise, and
# refusing it early keeps a corrupted LEN from making the driver wait for 64 KiB.
MAX_LEN = 2400
MIN_COMMAND_LEN = 3  # CMD PARA CHK
MIN_RESPONSE_LEN = 4  # SW1 SW2 SW3 CHK

TEXT_SIZE = 256
PHOTO_SIZE = 1024


class CodecError(Exception):
    """Base of every error this module raises."""


class FrameError(CodecError):
    """Bytes on the line are not a well-formed frame."""


class LengthError(FrameError):
    """A frame's LEN field is out of range, or its body is too short for its kind."""


class ChecksumError(FrameError):
    """A frame's XOR checksum does not match."""


class CardDataError(CodecError):
    """A card's text block cannot be decoded (or a record cannot be encoded)."""


class UnknownCardType(CardDataError):
    """The card-type flag at text offset 248 is not one we know."""


class Command(bytes, enum.Enum):
    """Command codes (CMD, PARA) of a generic SAM module."""

    RESET = b"\x10\xff"
    STATUS = b"\x11\xff"
    SAM_ID = b"\x12\xff"
    FIND = b"\x20\x01"
    SELECT = b"\x20\x02"
    READ = b"\x30\x01"
    READ_FINGERPRINT = b"\x30\x10"
    READ_EXTRA_ADDRESS = b"\x30\x03"
    SET_MAX_RF_BYTE = b"\x61\xff"


class Status(enum.IntEnum):
    """SW3 status codes."""

    OK = 0x90
    NO_CONTENT = 0x91
    FIND_OK = 0x9F
    HOST_CHECKSUM_ERROR = 0x10
    HOST_LENGTH_ERROR = 0x11
    BAD_COMMAND = 0x21
    UNAUTHORIZED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_FAILED = 0x31
    SAM_AUTH_FAILED = 0x32
    VERIFY_FAILED = 0x33
    FINGERPRINT_ERROR = 0x37
    INFO_LENGTH_ERROR = 0x3F
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81


def status_name(code: int) -> str:
    """A short English name for an SW3 code, for logs (``0x41 READ_FAILED``)."""
    try:
        return f"0x{code:02X} {Status(code).name}"
    except ValueError:
        return f"0x{code:02X}"


def xor_checksum(data: bytes | bytearray | memoryview) -> int:
    """XOR of all bytes of ``data``."""
    value = 0
    for b in bytes(data):
        value ^= b
    return value


def build_frame(body: bytes) -> bytes:
    """Wrap ``body`` in preamble, LEN and checksum."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([xor_checksum(head + body)])


def build_command(command: Command | bytes, data: bytes = b"") -> bytes:
    """A host → SAM command frame, e.g. ``build_command(Command.FIND)``."""
    code = command.value if isinstance(command, Command) else bytes(command)
    if len(code) != 2:
        raise ValueError("a command is CMD and PARA: two bytes")
    return build_frame(code + data)


def build_response(status: int, data: bytes = b"", sw12: bytes = b"\x00\x00") -> bytes:
    """A SAM → host response frame (used by the simulator and the tests)."""
    return build_frame(sw12 + bytes([status]) + data)


@dataclass(frozen=True)
class Request:
    """A decoded command frame (the simulator's view)."""

    cmd: int
    para: int
    data: bytes = b""

    @property
    def code(self) -> bytes:
        """CMD and PARA as two bytes, comparable with :class:`Command` values."""
        return bytes([self.cmd, self.para])


@dataclass(frozen=True)
class Response:
    """A decoded response frame (the host's view)."""

    status: int
    data: bytes = field(default=b"", repr=False)  # may hold card data: never in a repr
    sw12: bytes = b"\x00\x00"


def decode_request(body: bytes) -> Request:
    """A command body (without preamble, LEN, checksum) → :class:`Request`."""
    if len(body) < MIN_COMMAND_LEN - 1:
        raise LengthError("command body shorter than CMD PARA")
    return Request(cmd=body[0], para=body[1], data=bytes(body[2:]))


def decode_response(body: bytes) -> Response:
    """A response body (without preamble, LEN, checksum) → :class:`Response`."""
    if len(body) < MIN_RESPONSE_LEN - 1:
        raise LengthError("response body shorter than SW1 SW2 SW3")
    return Response(status=body[2], data=bytes(body[3:]), sw12=bytes(body[:2]))


class Deframer:
    """Incremental frame parser: feed it bytes as they arrive, pop whole frames.

    It resynchronises on the preamble: bytes before a preamble are dropped (and
    counted in ``discarded``). A frame with a bad LEN or checksum is dropped *before*
    the error is raised, so the caller can simply call :meth:`pop` again to carry on
    with what follows. Work per call is bounded by the buffer size: it cannot hang.
    """

    def __init__(self, min_len: int = MIN_COMMAND_LEN, max_len: int = MAX_LEN) -> None:
        self._buf = bytearray()
        self._min_len = min_len
        self._max_len = max_len
        self.discarded = 0

    def feed(self, data: bytes | bytearray) -> None:
        """Append received bytes."""
        self._buf += data

    @property
    def pending(self) -> int:
        """Bytes buffered but not yet part of a popped frame."""
        return len(self._buf)

    def clear(self) -> None:
        """Forget buffered bytes (zeroed first: they may hold card data)."""
        self._buf[:] = bytes(len(self._buf))
        self._buf.clear()

    def _drop(self, n: int) -> None:
        self.discarded += n
        del self._buf[:n]

    def pop(self) -> bytes | None:
        """The body of the next complete frame, or None if more bytes are needed.

        Raises :class:`LengthError` or :class:`ChecksumError` for a malformed frame
        (already removed from the buffer).
        """
        start = self._buf.find(PREAMBLE)
        if start < 0:
            # Keep a tail that may be the start of a preamble split across reads.
            keep = 0
            for k in range(min(len(PREAMBLE) - 1, len(self._buf)), 0, -1):
                if self._buf.endswith(PREAMBLE[:k]):
                    keep = k
                    break
            self._drop(len(self._buf) - keep)
            return None
        if start:
            self._drop(start)
        if len(self._buf) < HEADER_SIZE:
            return None
        length = int.from_bytes(self._buf[5:7], "big")
        if length < self._min_len or length > self._max_len:
            # Skip this preamble's first byte only: a real frame may start inside.
            self._drop(1)
            raise LengthError(f"frame LEN {length} out of range {self._min_len}..{self._max_len}")
        total = HEADER_SIZE + length
        if len(self._buf) < total:
            return None
        expected = xor_checksum(self._buf[5 : total - 1])
        actual = self._buf[total - 1]
        if expected != actual:
            self._drop(1)
            raise ChecksumError(f"checksum 0x{actual:02X}, expected 0x{expected:02X}")
        body = bytes(self._buf[HEADER_SIZE : total - 1])
        # Zero what we consume: a read response holds personal data and the photo.
        self._buf[:total] = bytes(total)
        del self._buf[:total]
        return body


def parse_response_frame(frame: bytes) -> Response:
    """Parse exactly one complete response frame (strict: no leading or trailing bytes)."""
    deframer = Deframer(min_len=MIN_RESPONSE_LEN)
    deframer.feed(frame)
    body = deframer.pop()
    if body is None or deframer.discarded or deframer.pending:
        raise FrameError("not exactly one complete frame")
    return decode_response(body)


# --- read-card payload ----------------------------------------------------------------


@dataclass(frozen=True)
class ReadPayload:
    """The data part of a successful read: the 256-byte text block, and only the
    *lengths* of the photo and fingerprint (their bytes are never copied out)."""

    text: bytes = field(repr=False)
    photo_length: int
    fingerprint_length: int = 0


def split_read_data(data: bytes, *, with_fingerprint: bool = False) -> ReadPayload:
    """Split the data of a ``30 01`` (or ``30 10``) response into text + lengths."""
    words = 3 if with_fingerprint else 2
    head = 2 * words
    if len(data) < head:
        raise CardDataError("read response shorter than its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    fp_len = int.from_bytes(data[4:6], "big") if with_fingerprint else 0
    if text_len != TEXT_SIZE:
        raise CardDataError(f"text length {text_len}, expected {TEXT_SIZE}")
    if len(data) != head + text_len + photo_len + fp_len:
        raise CardDataError("read response length does not match its length fields")
    return ReadPayload(text=bytes(data[head : head + text_len]), photo_length=photo_len, fingerprint_length=fp_len)


def build_read_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The data of a read response (the simulator's side of :func:`split_read_data`)."""
    words = [len(text), len(photo)] + ([len(fingerprint)] if fingerprint is not None else [])
    head = b"".join(n.to_bytes(2, "big") for n in words)
    return head + text + photo + (fingerprint or b"")


# --- text layouts ---------------------------------------------------------------------

FLAG_OFFSET = 248
_FLAGS: dict[str, CardType] = {
    " ": CardType.RESIDENT,
    "J": CardType.HK_MO_TW,
    "I": CardType.FOREIGN_2017,
    "Y": CardType.FOREIGN_2023,
}
_FLAG_OF = {v: k for k, v in _FLAGS.items()}

# (field, byte offset, byte length) per card type. Field names are
# those of IdentityCard, or "extra:<key>" for values kept in IdentityCard.extra, or
# "_<name>" for codes decoded separately.
Layout = tuple[tuple[str, int, int], ...]
LAYOUTS: dict[CardType, Layout] = {
    CardType.RESIDENT: (
        ("name", 0, 30),
        ("_gender", 30, 2),
        ("_nation", 32, 4),
        ("_birth", 36, 16),
        ("address", 52, 70),
        ("id_number", 122, 36),
        ("authority", 158, 30),
        ("_valid_from", 188, 16),
        ("_valid_to", 204, 16),
    ),
    CardType.HK_MO_TW: (
        ("name", 0, 30),
        ("_gender", 30, 2),
        ("_birth", 36, 16),
        ("address", 52, 70),
        ("id_number", 122, 36),
        ("authority", 158, 30),
        ("_valid_from", 188, 16),
        ("_valid_to", 204, 16),
        ("extra:pass_number", 220, 18),
        ("extra:issue_count", 238, 4),
    ),
    CardType.FOREIGN_2017: (
        ("name_en", 0, 120),
        ("_gender", 120, 2),
        ("id_number", 122, 30),
        ("extra:nationality", 152, 6),
        ("name", 158, 30),
        ("_valid_from", 188, 16),
        ("_valid_to", 204, 16),
        ("_birth", 220, 16),
        ("extra:card_version", 236, 4),
        ("authority", 240, 8),
    ),
    CardType.FOREIGN_2023: (
        ("name", 0, 30),
        ("_gender", 30, 2),
        ("extra:renewals", 32, 4),
        ("_birth", 36, 16),
        ("_name_en_1", 52, 70),
        ("id_number", 122, 36),
        ("authority", 158, 30),
        ("_valid_from", 188, 16),
        ("_valid_to", 204, 16),
        ("_name_en_2", 220, 22),
        ("extra:nationality", 242, 6),
        ("extra:previous_number", 250, 6),
    ),
}

_GENDERS = {"1": Gender.MALE, "2": Gender.FEMALE}
_GENDER_CODES = {Gender.MALE: "1", Gender.FEMALE: "2", Gender.UNKNOWN: "0"}

# GB/T 3304 (46 is 德昂, not the 德昴 typo found in one source).
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝",
    "08": "壮", "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白",
    "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤",
    "22": "畲", "23": "高山", "24": "拉祜", "25": "水", "26": "东乡", "27": "纳西", "28": "景颇",
    "29": "柯尔克孜", "30": "土", "31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗",
    "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌", "40": "普米",
    "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}
_NATION_CODES = {v: k for k, v in NATIONS.items()}
LONG_TERM = "长期"


def _field(text: bytes, offset: int, length: int, *, strip: bool = True) -> str:
    try:
        value = text[offset : offset + length].decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise CardDataError(f"field at {offset} is not UCS-2") from exc
    # Padding is spaces; some readers pad with NULs.
    value = value.replace("\x00", " ")
    return value.strip() if strip else value


def _date(value: str, what: str) -> date:
    if len(value) != 8 or not value.isdigit():
        raise CardDataError(f"{what} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise CardDataError(f"{what} is not a valid date") from exc


def card_type_of(text: bytes) -> CardType:
    """The card type from the flag at offset 248."""
    if len(text) != TEXT_SIZE:
        raise CardDataError(f"text block is {len(text)} bytes, expected {TEXT_SIZE}")
    flag = _field(text, FLAG_OFFSET, 2) or " "
    try:
        return _FLAGS[flag]
    except KeyError:
        raise UnknownCardType(f"card type flag {flag!r}") from None


def decode_text(text: bytes) -> IdentityCard:
    """Decode a 256-byte UCS-2 text block into an :class:`IdentityCard`.

    Raises :class:`UnknownCardType` or :class:`CardDataError`; error messages never
    contain field values (they may be personal data).
    """
    card_type = card_type_of(text)
    values: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for name, offset, length in LAYOUTS[card_type]:
        # The two halves of a 2023 English name are joined before trimming: the split
        # may fall on a space.
        value = _field(text, offset, length, strip=not name.startswith("_name_en"))
        if name.startswith("extra:"):
            extra.append((name[6:], value))
        else:
            values[name] = value
    nation = None
    if "_nation" in values:
        nation = NATIONS.get(values["_nation"])
    name_en = values.get("name_en")
    if card_type is CardType.FOREIGN_2023:
        name_en = (values["_name_en_1"] + values["_name_en_2"]).strip()
    valid_to_text = values["_valid_to"]
    valid_to = None if valid_to_text == LONG_TERM else _date(valid_to_text, "valid_to")
    if not values["id_number"]:
        raise CardDataError("empty ID number")
    return IdentityCard(
        card_type=card_type,
        name=values.get("name", ""),
        gender=_GENDERS.get(values["_gender"], Gender.UNKNOWN),
        birth_date=_date(values["_birth"], "birth date"),
        id_number=values["id_number"],
        address=values.get("address", ""),
        nation=nation,
        name_en=name_en or None,
        authority=values.get("authority", ""),
        valid_from=_date(values["_valid_from"], "valid_from"),
        valid_to=valid_to,
        extra=tuple(extra),
    )


def _put(buf: bytearray, value: str, offset: int, length: int, what: str) -> None:
    raw = value.encode("utf-16-le")
    if len(raw) > length:
        raise CardDataError(f"{what} longer than {length // 2} characters")
    buf[offset : offset + length] = raw + " ".encode("utf-16-le") * ((length - len(raw)) // 2)


def encode_text(card: IdentityCard, nation_code: str | None = None) -> bytes:
    """The 256-byte text block a card of this record would hold (the simulator's side
    of :func:`decode_text`). ``nation_code`` overrides the code derived from the name."""
    layout = LAYOUTS[card.card_type]
    buf = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
    extra = dict(card.extra)
    name_en = card.name_en or ""
    values: dict[str, str] = {
        "name": card.name,
        "name_en": name_en,
        "_gender": _GENDER_CODES[card.gender],
        "_nation": nation_code or _NATION_CODES.get(card.nation or "", ""),
        "_birth": card.birth_date.strftime("%Y%m%d"),
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        "_valid_from": card.valid_from.strftime("%Y%m%d") if card.valid_from else "",
        "_valid_to": card.valid_to.strftime("%Y%m%d") if card.valid_to else LONG_TERM,
        "_name_en_1": name_en[:35],
        "_name_en_2": name_en[35:],
    }
    for name, offset, length in layout:
        value = extra.get(name[6:], "") if name.startswith("extra:") else values[name]
        _put(buf, value, offset, length, name)
    _put(buf, _FLAG_OF[card.card_type], FLAG_OFFSET, 2, "flag")
    return bytes(buf)
