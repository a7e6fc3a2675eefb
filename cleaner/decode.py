"""Source bytes -> Document: the decoded text, the codec, and how to map text back to bytes.

Offsets always refer to the original bytes. The text is decoded with a codec for which every
character maps to a whole number of source bytes, so the byte range of any piece of text is the
length of its prefix re-encoded with the same codec (plus the BOM). Invalid UTF-8 bytes are kept
as lone surrogates (``surrogateescape``) so that they still count as one byte each, and are
never part of a span.
"""

from __future__ import annotations

import codecs
import re

import attrs

from .errors import InputError

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x7fELF", "executable"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"wOFF", "web font"),
)

_HTML_START = re.compile(
    rb"\A(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|section|script|link)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAGS = re.compile(rb"</(?:p|div|a|span|html|body|li|td|article|section|h[1-6])>", re.IGNORECASE)
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])  # not \t\n\v\f\r or ESC
# Byte classes, counted as len(data) - len(data.translate(None, CLASS)): a C loop, not a Python one.
_CYRILLIC_CP1251 = bytes([*range(0xC0, 0x100), *b"\xa8\xb8\xaa\xba\xaf\xbf\xb2\xb3\xa5\xb4"])
_HIGH = bytes(range(0x80, 0x100))
_ASCII_LETTERS = bytes(b for b in range(0x80) if 0x41 <= (b | 0x20) <= 0x7A)
_SURROGATE = re.compile("[\udc80-\udcff]")
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")


@attrs.frozen
class Document:
    """A decoded source: the original bytes, its text and how one maps onto the other."""

    data: bytes
    """The original input, untouched."""
    text: str
    """The decoded text (BOM excluded; invalid UTF-8 bytes as lone surrogates)."""
    encoding: str
    """Codec that maps ``text`` back onto ``data[bom:]``."""
    kind: str
    """``text`` or ``html``."""
    bom: int = 0
    """Length of the byte order mark at the start of ``data``."""

    def byte_len(self, piece: str) -> int:
        """How many source bytes ``piece`` (a slice of ``text``) occupies."""
        return len(piece.encode(self.encoding, "surrogateescape"))


def sniff_kind(data: bytes) -> str:
    """``html`` when the bytes look like a web page, else ``text``."""
    head = data[:4096].lstrip(codecs.BOM_UTF8)
    if _HTML_START.match(head):
        return "html"
    if head[:1] == b"<" and len(_HTML_TAGS.findall(data[:65536])) >= 5:
        return "html"
    return "text"


def _check_binary(data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file ({what}), not a text or HTML document")
    sample = data[:65536]
    if b"\x00" in sample:
        raise InputError("binary file (NUL bytes), not a text or HTML document")
    controls = len(sample) - len(sample.translate(None, _CONTROL))  # counts them 5x faster than a regex
    if controls > max(8, len(sample) // 100):
        raise InputError(f"binary file ({controls} control bytes in the first 64 KiB)")


def _count(data: bytes, byte_class: bytes) -> int:
    """How many bytes of ``data`` are in ``byte_class``."""
    return len(data) - len(data.translate(None, byte_class))


def _legacy_codec(data: bytes) -> str:
    """Pick a single-byte codec for bytes that are not UTF-8, deterministically.

    Cyrillic text in cp1251 is almost entirely high bytes in the letter range; Western text in
    cp1252 has the odd accented letter between ASCII ones.
    """
    high = _count(data, _HIGH)
    letters = _count(data, _ASCII_LETTERS) + high
    cyr = _count(data, _CYRILLIC_CP1251)
    if letters and cyr / letters > 0.3 and cyr >= 0.8 * high:
        return "cp1251"
    if _CP1252_HOLES.isdisjoint(data):
        return "cp1252"
    return "latin-1"


def choose_encoding(data: bytes) -> tuple[str, int]:
    """The codec and BOM length for ``data``: BOM, else UTF-8 if (mostly) valid, else legacy."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    try:
        data.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a few broken sequences stays UTF-8 (the bad bytes are dropped).
    text = data.decode("utf-8", "surrogateescape")
    bad = len(_SURROGATE.findall(text))
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters that decoded
    if multibyte >= 2 * bad:
        return "utf-8", 0
    return _legacy_codec(data), 0


def decode(
    data: bytes,
    *,
    kind: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Decode ``data`` into a Document, or raise InputError with a one-line reason."""
    if not data:
        raise InputError("empty file")
    if max_bytes and len(data) > max_bytes:
        raise InputError(f"file too large ({len(data)} bytes > limit {max_bytes}); skipped")
    forced = encoding is not None
    if encoding is None:
        encoding, bom = choose_encoding(data)
    else:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        bom = next((len(b) for b, n in _BOMS if data.startswith(b) and codecs.lookup(n).name == encoding), 0)
    if not encoding.startswith("utf-16") and not encoding.startswith("utf-32"):
        _check_binary(data)
    encoding = _canonical(encoding)
    # A detected codec keeps the bytes it leaves undefined apart, one byte each, in no span; a codec
    # the user forced must fit the whole file.
    errors = "strict" if forced and encoding != "utf-8" else "surrogateescape"
    try:
        text = data[bom:].decode(encoding, errors)
    except UnicodeDecodeError as e:
        raise InputError(f"cannot decode as {encoding}: {e.reason} at byte {e.start + bom}") from None
    if kind is None:
        kind = "text" if encoding.startswith(("utf-16", "utf-32")) else sniff_kind(data)
    elif kind not in ("text", "html"):
        raise InputError(f"unknown kind {kind!r} (expected 'text' or 'html')")
    return Document(data=data, text=text, encoding=encoding, kind=kind, bom=bom)


def _canonical(name: str) -> str:
    """Stable, human names for the codecs we report."""
    name = codecs.lookup(name).name
    return {"iso8859-1": "latin-1", "windows-1251": "cp1251", "windows-1252": "cp1252"}.get(name, name)
