"""Property tests of the provenance contract on random documents.

For any input, ``clean()`` either raises ``InputError`` or returns a result that ``verify()`` accepts:
every span's source bytes are its text bytes (UTF-8 input: byte for byte), the text outside spans is
white space, removals lie inside the source and never overlap what was kept, and cleaning is
deterministic. The documents mix prose in several scripts, the rules' own boilerplate examples,
odd white space and every line ending, in several encodings, plus random and broken bytes.
"""

from __future__ import annotations

import codecs
import unicodedata

from hypothesis import assume, given, note
from hypothesis import strategies as st

import cleaner
from cleaner import InputError, clean, verify

# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

_RULES = cleaner.load_rules()
BOILERPLATE = sorted({ex for r in _RULES.rules for ex in r.match}) or ["Leave a Reply"]

WORDS = [
    # English, German, French, Spanish
    "the",
    "council",
    "met",
    "on",
    "Monday",
    "to",
    "discuss",
    "budget",
    "and",
    "of",
    "a",
    "in",
    "Bürgermeister",
    "Straße",
    "über",
    "für",
    "die",
    "Stadt",
    "élu",
    "été",
    "à",
    "ça",
    "déjà",
    "año",
    "niño",
    "señora",
    "está",
    "mañana",
    "el",
    "de",
    "la",
    # Ukrainian / Russian
    "Київ",
    "громада",
    "їжак",
    "ґанок",
    "рада",
    "Москва",
    "ёлка",
    "съезд",
    "в",
    "и",
    "на",
    "что",
    # CJK, emoji, combining marks, symbols
    "東京",
    "会議",
    "予算",
    "서울",
    "😀",
    "👍🏽",
    "🇺🇦",
    "e\u0301",
    "n\u0303",
    "A\u030a",
    "—",
    "«",
    "»",
    "“",
    "”",
    "…",
    "€",
    "©",
    "№",
    "2024",
    "1,000",
    "(AP)",
]
INNER_SPACE = st.sampled_from([" ", " ", " ", "\t", "\u00a0", "  ", "\u3000", "\u2009"])
INDENT = st.sampled_from(["", "", "", " ", "    ", "\t", "\u00a0", " \t ", "\u3000"])
TRAIL = st.sampled_from(["", "", "", " ", "\t", "\u00a0", "  "])
EOL = st.sampled_from(["\n", "\r\n", "\r"])
PUNCT_END = st.sampled_from(["", ".", ".", "!", "?", ":", "…", "»", "”"])

ODD_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    # no line breaks or NUL here: lines are built by the strategy, NUL makes the input binary
    exclude_characters="\r\n\x00",
)


@st.composite
def prose_line(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 30))
    out = []
    for i in range(n):
        if i:
            out.append(draw(INNER_SPACE))
        out.append(draw(st.sampled_from(WORDS)))
    return "".join(out) + draw(PUNCT_END)


LINE_CONTENT = st.one_of(
    prose_line(),
    prose_line(),
    st.sampled_from(BOILERPLATE),
    st.text(ODD_CHARS, min_size=1, max_size=40),
)


@st.composite
def document(draw: st.DrawFn) -> str:
    """A text document: lines of prose, boilerplate and odd characters, any line endings."""
    n = draw(st.integers(0, 25))
    parts = []
    for _ in range(n):
        for _ in range(draw(st.integers(0, 2))):  # blank lines, some holding white space
            parts.append(draw(st.sampled_from(["", "", " ", "\t", "\u00a0"])) + draw(EOL))
        parts.append(draw(INDENT) + draw(LINE_CONTENT) + draw(TRAIL) + draw(EOL))
    if parts and draw(st.booleans()):
        # sometimes no final line ending
        last = parts[-1]
        parts[-1] = last.rstrip("\r\n")
    return "".join(parts)


@st.composite
def encoded_document(draw: st.DrawFn) -> tuple[bytes, str]:
    text = draw(document())
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "cp1252", "latin-1"]))
    if codec.startswith("utf-8"):
        return text.encode(codec), codec
    return text.encode(codec, "replace"), codec


@st.composite
def broken_utf8(draw: st.DrawFn) -> bytes:
    """UTF-8 text with invalid sequences spliced in (lone continuation bytes, truncated leads...)."""
    data = bytearray(draw(document()).encode("utf-8"))
    bad = st.sampled_from(
        [
            b"\x80",
            b"\xbf",
            b"\xc0",
            b"\xc1\x81",
            b"\xc3",
            b"\xe2\x82",
            b"\xed\xa0\x80",
            b"\xf0\x9f",
            b"\xf5",
            b"\xff",
            b"\xfe\xfe",
        ]
    )
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        data[pos:pos] = draw(bad)
    return bytes(data)


ANY_INPUT = st.one_of(
    encoded_document().map(lambda t: t[0]),
    encoded_document().map(lambda t: t[0]),
    broken_utf8(),
    st.binary(max_size=300),
)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def clean_or_none(data: bytes) -> cleaner.CleanResult | None:
    """The result, or None when the cleaner refuses the input with InputError (and only then)."""
    try:
        return clean(data)
    except InputError as e:
        assert str(e).strip(), "InputError must carry a message"
        assert "\n" not in str(e).strip(), "InputError messages are one line"
        return None


def check_contract(result: cleaner.CleanResult, data: bytes) -> None:
    assert verify(result, data) == []
    text = result.text.encode("utf-8")  # must be encodable: no lone surrogates in the text
    if result.kind == "html":  # input sniffed as a page: verify() holds its contract (tests/test_html.py)
        return
    # spans: ordered, in range, not overlapping, in text and in source
    last_t = last_s = 0
    covered = bytearray(len(text))
    for span in result.spans:
        ts, te, ss, se = span.as_list()
        assert 0 <= ts < te <= len(text), span
        assert 0 <= ss < se <= len(data), span
        assert ts >= last_t and ss >= last_s, f"span {span} goes back"
        last_t, last_s = te, se
        covered[ts:te] = b"\x01" * (te - ts)
        piece, orig = text[ts:te], data[ss:se]
        if result.encoding == "utf-8":
            assert piece == orig, span
            orig.decode("utf-8")  # strict: invalid bytes are never inside a span
        else:
            assert piece.decode("utf-8") == orig.decode(result.encoding), span
    loose = bytes(b for b, c in zip(text, covered, strict=True) if not c)
    assert loose.decode("utf-8").isspace() or not loose, f"text outside spans: {loose[:40]!r}"
    # removals: in range, ordered, disjoint from each other and from every kept span
    kept = [(s.source_start, s.source_end) for s in result.spans]
    prev_end = 0
    for r in result.removed:
        assert 0 <= r.start < r.end <= len(data), r
        assert r.start >= prev_end, f"removals overlap or go back: {r}"
        prev_end = r.end
        assert r.rule and r.category, r
        for ks, ke in kept:
            assert r.end <= ks or r.start >= ke, f"removal {r} overlaps kept span [{ks}, {ke}]"


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@given(ANY_INPUT)
def test_clean_verifies_or_raises_input_error(data: bytes) -> None:
    result = clean_or_none(data)
    if result is not None:
        check_contract(result, data)


@given(encoded_document())
def test_encoded_documents_verify(doc: tuple[bytes, str]) -> None:
    data, codec = doc
    note(f"codec={codec}")
    result = clean_or_none(data)
    if result is None:
        return
    check_contract(result, data)
    if codec == "utf-8-sig":
        assert result.encoding == "utf-8"
        for span in result.spans:
            assert span.source_start >= len(codecs.BOM_UTF8), "the BOM is never part of a span"


@given(st.one_of(document().map(lambda t: t.encode("utf-8")), broken_utf8()))
def test_utf8_spans_are_the_source_bytes(data: bytes) -> None:
    result = clean_or_none(data)
    assume(result is not None)
    assert result is not None
    # mostly-broken input may fall back to a single-byte codec; the others stay UTF-8
    assume(result.encoding == "utf-8")
    text = result.text.encode("utf-8")
    for span in result.spans:
        assert text[span.text_start : span.text_end] == data[span.source_start : span.source_end]
    check_contract(result, data)


@given(document())
def test_valid_utf8_text_never_refused(text: str) -> None:
    """Well-formed UTF-8 text with letters and no control characters is always cleaned, never refused."""
    assume(any(ch.isalpha() for ch in text))
    assume(not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text))
    assume(not text.lstrip().startswith("<"))  # could be sniffed as HTML
    data = text.encode("utf-8")
    result = clean(data)
    assert result.encoding == "utf-8"
    check_contract(result, data)


@given(st.one_of(document().map(lambda t: t.encode("utf-8")), broken_utf8()))
def test_every_visible_source_character_is_kept_or_removed(data: bytes) -> None:
    """Accountability: each non-blank, valid character of a text source is in a span or a removal."""
    result = clean_or_none(data)
    assume(result is not None)
    assert result is not None
    assume(result.encoding == "utf-8" and result.kind == "text")  # in HTML, markup is neither
    covered = bytearray(len(data))
    for s in result.spans:
        covered[s.source_start : s.source_end] = b"\x01" * (s.source_end - s.source_start)
    for r in result.removed:
        covered[r.start : r.end] = b"\x01" * (r.end - r.start)
    visible = []
    pos = 0
    for ch in data.decode("utf-8", "surrogateescape"):
        size = len(ch.encode("utf-8", "surrogateescape"))
        blank = ch.isspace() or ch == "\ufeff" or "\udc80" <= ch <= "\udcff"
        if not blank and not any(covered[pos : pos + size]):
            visible.append(ch)
        pos += size
    assert not visible, f"source characters neither kept nor removed: {''.join(visible)[:40]!r}"


@given(ANY_INPUT)
def test_clean_is_deterministic(data: bytes) -> None:
    first = clean_or_none(data)
    second = clean_or_none(data)
    assert first == second


@given(document())
def test_str_and_utf8_bytes_agree(text: str) -> None:
    """A str is the text itself: cleaning it equals cleaning its UTF-8 bytes."""
    try:
        from_bytes = clean(text.encode("utf-8"))
    except InputError:
        return
    assert clean(text) == from_bytes


@given(encoded_document())
def test_removal_positions_match_editor_line_and_column(doc: tuple[bytes, str]) -> None:
    """Each removal's line:col is where an editor shows its first character (\\r\\n, \\r, \\n end lines)."""
    data, _ = doc
    result = clean_or_none(data)
    assume(result is not None)
    assert result is not None
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) and result.encoding == "utf-8" else 0
    for r in result.removed:
        prefix = data[bom : r.start].decode(result.encoding, "surrogateescape")
        lines = prefix.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert (r.line, r.col) == (len(lines), len(lines[-1]) + 1), r
