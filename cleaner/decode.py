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
from collections import Counter
from functools import cache

import attrs

from .errors import InputError
from .files import GZIP_MAGIC

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
    (GZIP_MAGIC, "gzip data"),
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
_UTF8_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
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
    intact: bool = True
    """Every byte decoded: ``text`` holds no kept-apart byte (lone surrogate)."""

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
            hint = "; a gzipped document is read from a name ending in .gz" if magic == GZIP_MAGIC else ""
            raise InputError(f"binary file ({what}), not a text or HTML document{hint}")
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


# [^<>]: a search from one "<meta" stops at the next tag, so a head of unclosed "<meta" is one linear pass.
_META_CHARSET = re.compile(
    rb"""<meta\b[^<>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
# WHATWG Encoding Standard: labels browsers read differently from Python's codec of that name.
_WHATWG = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-9": "cp1254",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-16": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
# WHATWG labels that Python's codec registry does not know, as the codec browsers decode them with
# (the Encoding Standard's label table; the labels Python knows are looked up as they are).
_WHATWG_LABELS = {
    **dict.fromkeys(["windows-874", "dos-874"], "cp874"),
    **{f"x-cp125{n}": f"cp125{n}" for n in range(9)},
    **dict.fromkeys(["x-sjis", "windows-31j"], "cp932"),
    **dict.fromkeys(["x-euc-jp", "cseucpkdfmtjapanese"], "euc_jp"),
    **dict.fromkeys(["x-gbk", "csgb2312", "gb_2312", "gb_2312-80"], "gb18030"),
    **dict.fromkeys(["x-x-big5", "cn-big5"], "big5hkscs"),
    **dict.fromkeys(["cseuckr", "ks_c_5601-1989", "ksc_5601", "windows-949", "iso-ir-149"], "cp949"),
    **dict.fromkeys(["iso-8859-8-i", "csiso88598i", "logical", "visual"], "iso8859-8"),
    **dict.fromkeys(["iso-8859-6-i", "iso-8859-6-e"], "iso8859-6"),
    **dict.fromkeys(["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"], "utf-8"),
    **dict.fromkeys(["koi", "koi8"], "koi8-r"),
    "koi8-ru": "koi8-u",
    "csisolatin9": "iso8859-15",
    **dict.fromkeys(["mac", "x-mac-roman", "csmacintosh"], "mac-roman"),
    **dict.fromkeys(["x-mac-cyrillic", "x-mac-ukrainian"], "mac-cyrillic"),
}
# Codecs that map some characters from two byte sequences (cp932: NEC and IBM extensions; Big5-HKSCS
# a few) and encode them back as the other one, always of the same length: offsets counted by
# re-encoding stay right though the page does not round-trip (tests/test_html.py checks every sequence).
SAME_LENGTHS = frozenset({"cp932", "big5hkscs"})
PRESCAN_BYTES = 1024
"""How far into an HTML page browsers look for a ``<meta charset>`` (HTML Standard: 1024 bytes)."""


LATE_META_BYTES = 64 * 1024
"""How far into the head a page that is not UTF-8 is searched for a ``<meta charset>`` the prescan
missed (browsers switch to it when their parser meets it, and parse the page again)."""
_HEAD_END = re.compile(rb"</head\b|<body\b", re.IGNORECASE)


def meta_charset(data: bytes, limit: int = PRESCAN_BYTES) -> str | None:
    """The codec an HTML page declares in its first ``limit`` bytes (``<meta charset>`` or ``http-equiv``).

    Only codecs that map every character to whole source bytes, without state, are taken; a label
    Python does not know, or a stateful one (ISO-2022, UTF-7), is ignored, as browsers ignore
    labels they do not support.
    """
    for m in _META_CHARSET.finditer(data[:limit]):
        label = m.group(1).decode("ascii").strip().lower()
        try:
            name = codecs.lookup(_WHATWG_LABELS.get(label, label)).name
        except LookupError:
            continue
        name = _WHATWG.get(name, name)
        if "2022" in name or name in ("utf-7", "hz") or name.startswith("utf-32"):
            continue
        return name
    return None


def choose_encoding(data: bytes, kind: str | None = None) -> tuple[str, int, str | None]:
    """The codec and BOM length for ``data``, as browsers choose it, and the decoded text when the
    choice took it (valid UTF-8: decoding it once tells that it is), else None.

    BOM; for HTML, then the ``<meta charset>`` prescan (unless the page is valid UTF-8 with non-ASCII
    bytes, whatever it declares); then UTF-8 if (mostly) valid; for HTML, then
    a ``<meta charset>`` later in the head; then a deterministic single-byte guess.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom), None
    if b"\x00" in data[:4096]:
        utf16 = bomless_utf16(data)
        if utf16 is not None:
            return utf16, 0, None
    utf8 = _utf8(data)
    if kind == "html":
        declared = meta_charset(data)
        if declared is not None and declared != "utf-8" and utf8 is not None and not utf8.isascii():
            # Declared wrongly (a template's leftover "iso-8859-1"): legacy text with non-ASCII bytes
            # is almost never valid UTF-8 as well, so the bytes say more than the label.
            return "utf-8", 0, utf8
        if declared is not None and (declared in ("utf-8", *SAME_LENGTHS) or _round_trips(data, declared)):
            return declared, 0, utf8 if declared == "utf-8" else None
    if utf8 is not None:
        return "utf-8", 0, utf8
    # Mostly valid UTF-8 with a few broken sequences stays UTF-8 (the bad bytes are dropped).
    text = data.decode("utf-8", "surrogateescape")
    bad = len(_SURROGATE.findall(text))
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters that decoded
    # UTF-8-encoded surrogates (CESU-8, WTF-8, Python's surrogatepass) are UTF-8 too: 3 bad bytes each.
    encoded_surrogates = len(_UTF8_SURROGATE.findall(data))
    bad -= 3 * encoded_surrogates
    multibyte += encoded_surrogates
    # Stay UTF-8 when that reads at least as many characters as a legacy codec would: a file that
    # mixes UTF-8 and cp1251 loses its cp1251 lines (kept apart, in no span) rather than showing both
    # halves as mojibake; legacy text almost never holds valid multi-byte UTF-8 sequences.
    if multibyte >= bad:
        return "utf-8", 0, None
    if kind == "html":
        head_end = _HEAD_END.search(data, 0, LATE_META_BYTES)
        late = meta_charset(data, head_end.start() if head_end else LATE_META_BYTES)
        if late is not None and late != "utf-8" and (late in SAME_LENGTHS or _round_trips(data, late)):
            return late, 0, None
    return _legacy_codec(data), 0, None


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
    sniffed = kind is None
    if kind is None and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        kind = sniff_kind(data)
    text: str | None = None
    if encoding is None:
        encoding, bom, text = choose_encoding(data, kind)
    else:
        encoding, bom = forced_codec(encoding, data)
    if not encoding.startswith("utf-16") and not encoding.startswith("utf-32"):
        _check_binary(data)
    encoding = _canonical(encoding)
    # A detected codec keeps the bytes it leaves undefined apart, one byte each, in no span; a codec
    # the user forced must fit the whole file, and so must UTF-16/32 (their encoders cannot write a
    # kept-apart byte back, so its offset could not be counted).
    wide = encoding.startswith(("utf-16", "utf-32"))
    errors = "strict" if (forced and encoding != "utf-8") or wide else "surrogateescape"
    intact = True
    if text is None:
        try:
            text = data[bom:].decode(encoding)
        except UnicodeDecodeError as e:
            if errors == "strict":
                raise InputError(f"cannot decode as {encoding}: {e.reason} at byte {e.start + bom}") from None
            text, intact = data[bom:].decode(encoding, errors), False
    if kind is None:
        kind = "text" if encoding.startswith(("utf-16", "utf-32")) else sniff_kind(data)
    if kind not in ("text", "html"):
        raise InputError(f"unknown kind {kind!r} (expected 'text' or 'html')")
    if kind == "html" and not _ascii_markup(encoding):
        # The markup must be the ASCII bytes it looks like ('<' is 0x3C) for spans to be checked: not
        # so in UTF-16/32 (0x3C also occurs inside wide characters) or EBCDIC.
        if not sniffed:
            raise InputError(f"HTML in {encoding} is not supported; convert it to UTF-8 or clean it as text")
        kind = "text"  # bytes that only looked like markup before decoding
    if kind == "html" and html_depth(text) > MAX_HTML_DEPTH:
        raise InputError(f"HTML nested too deeply (over {MAX_HTML_DEPTH} open elements), not cleaned")
    return Document(data=data, text=text, encoding=encoding, kind=kind, bom=bom, intact=intact)


def _utf8(data: bytes) -> str | None:
    """``data`` decoded as UTF-8, or None when it is not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _round_trips(data: bytes, codec: str) -> bool:
    """Whether ``data`` decodes with ``codec`` into text that encodes back to the same bytes.

    Byte offsets come from re-encoding slices of the text, so a multi-byte codec is only usable
    when it round-trips; single-byte codecs always do (undefined bytes become lone surrogates).
    """
    try:
        return data.decode(codec, "surrogateescape").encode(codec, "surrogateescape") == data
    except (UnicodeError, LookupError):
        return False


def _canonical(name: str) -> str:
    """Stable, human names for the codecs we report."""
    name = codecs.lookup(name).name
    return {"iso8859-1": "latin-1", "windows-1251": "cp1251", "windows-1252": "cp1252"}.get(name, name)


# --- encodings the user names ---------------------------------------------------------------------

# Codecs whose text cannot be mapped back onto the bytes piece by piece: stateful ones (a piece's
# bytes depend on what came before it) and those that are not character encodings at all.
_UNUSABLE = frozenset({"utf-7", "punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined", "hz"})
# A name that leaves the byte order open: the BOM decides, else little-endian (as browsers do).
_ENDIAN = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}


def forced_codec(label: str, data: bytes) -> tuple[str, int]:
    """The codec and BOM length for an encoding the user named, or InputError when it cannot be used."""
    try:
        info = codecs.lookup(_WHATWG_LABELS.get(label.strip().lower(), label))
    except LookupError:
        raise InputError(f"unknown encoding {label!r}") from None
    name = info.name
    if not getattr(info, "_is_text_encoding", True) or name in _UNUSABLE or "2022" in name:
        raise InputError(f"encoding {label!r} cannot be used: its text does not map back onto the bytes piece by piece")
    boms = [(bom, codec) for bom, codec in _BOMS if data.startswith(bom)]
    if name in _ENDIAN:
        family = name.removesuffix("-sig")
        found = next((c for _, c in boms if c.startswith(family)), None)
        name = found or _ENDIAN[name]
    bom = next((len(b) for b, n in boms if codecs.lookup(n).name == name), 0)
    return name, bom


# --- UTF-16 without a byte order mark ---------------------------------------------------------------


def bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for UTF-16 text that has no BOM, else None.

    Such text has NUL high bytes for its ASCII characters (spaces, digits, line ends) on one side
    of every byte pair and almost none on the other, decodes without a broken surrogate, and gives
    text without control characters: binary data with NUL bytes fails one of these.
    """
    sample = data[:65536]
    if len(data) % 2 or len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= max(2, pairs // 20) and even <= pairs // 100:
        codec = "utf-16-le"
    elif even >= max(2, pairs // 20) and odd <= pairs // 100:
        codec = "utf-16-be"
    else:
        return None
    if len(sample) < len(data):
        sample = sample[:-2]  # the sample may end inside a surrogate pair
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError:
        return None
    controls = len(text) - len(text.translate(_TEXT_CONTROLS))
    return codec if controls <= len(text) // 200 else None


_TEXT_CONTROLS = dict.fromkeys(c for c in [*range(0x20), 0x7F] if chr(c) not in "\t\n\v\f\r\x1b")
"""str.translate table that deletes the C0 control characters text never holds."""


# --- nesting depth of HTML ---------------------------------------------------------------------------


def _words(names: str) -> frozenset[str]:
    return frozenset(names.split())


MAX_HTML_DEPTH = 1024
"""Pages whose elements nest deeper are refused: parsing them takes time quadratic in the depth."""

# A comment, a declaration or processing instruction, or a tag: (end?, name, self-closing?); one that
# the input cuts short runs to its end.
_HTML_TOKEN = re.compile(r"<(?:!--.*?(?:-->|\Z)|[!?][^>]*(?:>|\Z)|(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)(?:>|\Z))", re.DOTALL)
_VOID = _words(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr"
)
# Elements the parser closes by itself when a sibling starts: they never make a page deeper.
_IMPLIED_END = _words(
    "html head body p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rtc rp"
)
_NOT_NESTING = _VOID | _IMPLIED_END
"""Elements that never hold others open: the nesting pass does not count them."""
# A start tag's name, as the pass below reads it (the same characters, found at every "<").
_START_NAME = re.compile(r"<([A-Za-z][^\s/>]*)")
_RAW_TEXT = _words("script style textarea title xmp iframe noembed noframes noscript")
_HEADINGS = _words("h1 h2 h3 h4 h5 h6")
_FOREIGN = frozenset({"svg", "math"})


def html_depth(text: str, limit: int = MAX_HTML_DEPTH) -> int:
    """How deeply the elements of an HTML page nest, estimated from its tags in one pass; 0 when a
    count of its tags shows it cannot nest deeper than ``limit`` (most pages: no pass is needed).

    An end tag closes the elements opened since its start tag; elements whose end tag is optional,
    void elements and self-closed foreign (SVG, MathML) elements do not count. The count stops as
    soon as it passes ``limit``.
    """
    if nesting_bound(text) <= limit:
        return 0
    return _nesting(text, limit)


def nesting_bound(text: str) -> int:
    """At most how deeply the page can nest: its start tags, but for those of void elements and of
    elements whose end tag is optional (the only ones the pass below leaves off the stack). Counted
    at every "<" and a letter, even in comments and scripts, where the pass sees no tag."""
    names = Counter(_START_NAME.findall(text))  # a few dozen distinct names
    return sum(n for name, n in names.items() if name.lower() not in _NOT_NESTING)


def _nesting(text: str, limit: int) -> int:
    stack: list[str] = []
    opened: dict[str, int] = {}
    deepest = pos = 0
    end = len(text)
    while pos < end:
        m = _HTML_TOKEN.search(text, pos)
        if m is None:
            break
        pos = m.end()
        name = m.group(2)
        if name is None:  # comment, doctype, processing instruction
            continue
        name = name.lower()
        if m.group(1):  # an end tag closes its element and everything opened inside it
            if opened.get(name):
                while (top := stack.pop()) != name:
                    opened[top] -= 1
                opened[name] -= 1
            continue
        if name in _NOT_NESTING or (m.group(3) and (name in _FOREIGN or _inside(opened, _FOREIGN))):
            continue
        if name in _RAW_TEXT:  # its content is text up to its end tag
            close = re.compile(rf"</{name}[\s/>]", re.IGNORECASE).search(text, pos)
            pos = close.end() if close else end
            deepest = max(deepest, len(stack) + 1)
            continue
        if name == "plaintext":
            break
        if (name == "a" and opened.get("a")) or (name in _HEADINGS and stack and stack[-1] in _HEADINGS):
            shut = "a" if name == "a" else stack[-1]  # <a> in <a>, <h2> in <h1>: the open one closes
            while (top := stack.pop()) != shut:
                opened[top] -= 1
            opened[shut] -= 1
        stack.append(name)
        opened[name] = opened.get(name, 0) + 1
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                break
    return deepest


def _inside(opened: dict[str, int], names: frozenset[str]) -> bool:
    return any(opened.get(n) for n in names)


_MARKUP = "<>&/=\"' \t\n"


@cache
def _ascii_markup(codec: str) -> bool:
    """Whether ``codec`` writes HTML's markup characters as their ASCII bytes."""
    try:
        return _MARKUP.encode(codec) == _MARKUP.encode("ascii")
    except (UnicodeError, LookupError):
        return False
