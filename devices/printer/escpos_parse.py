"""Read an ESC/POS byte stream back into commands, text and images.

The simulator uses it to answer ``DLE EOT`` queries the way a printer does — without
mistaking image data for a query — and tests use it to check what a job would print.
It knows the commands this package sends; anything else passes as raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["cmd", "text", "lf", "image", "qr", "status_query"]

ESC, FS, GS, DLE, LF, CR = 0x1B, 0x1C, 0x1D, 0x10, 0x0A, 0x0D
_ESC_TWO = frozenset(b"@2<")  # ESC x with no parameter
_FS_TWO = frozenset(b"&.")
_GS_V_WITH_N = frozenset((65, 66, 97, 98, 103, 104))


@dataclass(frozen=True)
class Token:
    """One piece of the stream: a command, a run of text, a line feed, an image or QR
    command (with its payload), or a status query (``DLE EOT n``)."""

    kind: TokenKind
    data: bytes


class EscPosReader:
    """An incremental tokenizer: ``feed`` bytes as they arrive, get complete tokens."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Token]:
        """Add bytes; return every token now complete (a split command waits)."""
        self._buf += data
        out: list[Token] = []
        while self._buf:
            size, kind = _next(self._buf)
            if size == 0:
                break  # incomplete: wait for more bytes
            out.append(Token(kind, bytes(self._buf[:size])))
            del self._buf[:size]
        return out

    @property
    def pending(self) -> bytes:
        """Bytes of an incomplete command still waiting for the rest."""
        return bytes(self._buf)


def _u16(buf: bytearray, at: int) -> int:
    return buf[at] | buf[at + 1] << 8


def _next(buf: bytearray) -> tuple[int, TokenKind]:
    """(length, kind) of the token at the start of ``buf``; length 0 when incomplete."""
    n = len(buf)
    b = buf[0]
    if b == LF or b == CR:
        return 1, "lf"
    if b == ESC:
        if n < 2:
            return 0, "cmd"
        size = 2 if buf[1] in _ESC_TWO else 3
        return (size if n >= size else 0), "cmd"
    if b == FS:
        if n < 2:
            return 0, "cmd"
        size = 2 if buf[1] in _FS_TWO else 3
        return (size if n >= size else 0), "cmd"
    if b == DLE:
        if n < 3:
            return 0, "cmd"
        return 3, ("status_query" if buf[1] == 0x04 else "cmd")
    if b == GS:
        if n < 3:
            return 0, "cmd"
        c = buf[1]
        if c == ord("v") and buf[2] == ord("0"):  # GS v 0 m xL xH yL yH d…
            if n < 8:
                return 0, "image"
            size = 8 + _u16(buf, 4) * _u16(buf, 6)
            return (size if n >= size else 0), "image"
        if c == ord("("):  # GS ( k / GS ( L pL pH payload
            if n < 5:
                return 0, "cmd"
            size = 5 + _u16(buf, 3)
            kind: TokenKind = "qr" if buf[2] == ord("k") else "image"
            return (size if n >= size else 0), kind
        if c == ord("V"):
            size = 4 if buf[2] in _GS_V_WITH_N else 3
            return (size if n >= size else 0), "cmd"
        return 3, "cmd"
    if b < 0x20:
        return 1, "cmd"
    # Text runs to the next control byte. GBK/GB18030 bytes are all ≥ 0x30 after the
    # lead byte, so a control byte never splits a character.
    end = 1
    while end < n and buf[end] >= 0x20:
        end += 1
    return end, "text"


def parse(data: bytes) -> list[Token]:
    """All tokens of a complete job."""
    reader = EscPosReader()
    tokens = reader.feed(data)
    if reader.pending:
        tokens.append(Token("cmd", reader.pending))
    return tokens


def printed_text(data: bytes, encoding: str = "gb18030") -> list[str]:
    """The text lines a job prints (images and commands left out), decoded as the
    printer's Chinese font decodes them."""
    lines: list[str] = []
    current = b""
    for token in parse(data):
        if token.kind == "text":
            current += token.data
        elif token.kind == "lf":
            lines.append(current.decode(encoding))
            current = b""
    if current:
        lines.append(current.decode(encoding))
    return lines
