"""Fuzzing ``clean()``: any bytes, any str, any kind, any encoding name.

Properties, for every input:

* ``clean()`` returns or raises ``InputError`` with a one-line message, never anything else (and
  never hangs: each call has a generous time limit);
* every returned result verifies (``cleaner.verify`` finds no problem) and its text is valid UTF-8;
* cleaning is deterministic: the same input twice gives equal results.

The inputs are random bytes, and hostile documents built from pieces that trip decoders and
parsers: byte order marks, NUL and control bytes, invalid and overlong UTF-8, encoded surrogates,
cp1251 and UTF-16 fragments, every line ending, unclosed tags, comments, CDATA, script, entities,
charset declarations, long runs of any of these.

Budgets come from the hypothesis profiles in ``conftest.py`` (``default``/``ci``: fixed and
derandomized). For a longer hunt with fresh randomness::

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import tempfile
from pathlib import Path

from hostile.deadline import deadline
from hypothesis import event, example, given, note
from hypothesis import strategies as st

from cleaner import CleanResult, InputError, clean, verify

CALL_LIMIT = 20.0
"""Seconds one clean() call may take on these small inputs (they take milliseconds)."""

PROSE = [
    "The city council met on Monday evening to discuss the budget for the coming year.",
    "Городской совет в понедельник обсудил бюджет на следующий год.",
    "Міська рада обговорила бюджет, і ґанок біля їдальні відремонтують.",
    "Der Stadtrat hat über den Haushalt für das nächste Jahr beraten.",
    "東京都議会は月曜日に来年度の予算を審議した。",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "© 2024 Daily Planet. All rights reserved.",
    "Share on Facebook | Twitter | Email",
]

PIECES = [
    # byte order marks, anywhere
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    # white space and line ends
    b" ",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\x0b\x0c",
    b"\xc2\xa0",
    b"\xe2\x80\xa8",
    b"\n\n",
    # control and NUL bytes
    b"\x00",
    b"\x01\x02\x1b",
    b"\x7f",
    # invalid, overlong and surrogate UTF-8
    b"\x80",
    b"\xbf",
    b"\xc0\xaf",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf0\x9f",
    b"\xf4\x90\x80\x80",
    b"\xff\xfe",
    # legacy and wide encodings
    "Совет обсудил бюджет".encode("cp1251"),
    "Café crème déjà".encode("cp1252"),
    "Совет".encode("utf-16-le"),
    "Council".encode("utf-16-be"),
    b"\x00\xd8",
    # markup
    b"<",
    b">",
    b"</",
    b"<html>",
    b"<body>",
    b"<div>",
    b"</div>",
    b"<p>",
    b"</p>",
    b"<span>",
    b"<a href='x'>",
    b"</a>",
    b"<br/>",
    b"<svg/>",
    b"<script>",
    b"</script>",
    b"<style>",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"<!doctype html>",
    b"<meta charset='windows-1251'>",
    b"<meta charset=utf-16>",
    b"<meta charset=shift_jis>",
    b"<title>",
    b"<textarea>",
    b"<plaintext>",
    b"<table><tr><td>",
    b'"',
    b"'",
    b"=",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"&#99999999;",
    b"&nbsp",
    b"&",
    # things some heuristics look for
    b"@",
    b"http://",
    b"www.",
    b"(",
    b")",
    b"|",
    b"\xc2\xa9",
    b"2024",
    b"12:30",
    b".",
    b"...",
]

BINARYISH = (b"\x00", b"\x01\x02\x1b", b"\x00\xd8", "Совет".encode("utf-16-le"), "Council".encode("utf-16-be"))
TEXTY_PIECES = [p for p in PIECES if p not in BINARYISH]

piece = st.one_of(
    st.sampled_from(PIECES),
    st.sampled_from(TEXTY_PIECES),
    st.sampled_from(PROSE).map(str.encode),
    st.sampled_from(PROSE).map(lambda s: s.encode("utf-16-le")),
    st.sampled_from(PROSE).map(lambda s: s.encode("cp1251", "replace")),
    st.binary(min_size=1, max_size=6),
)
run = st.tuples(piece, st.integers(1, 12)).map(lambda t: t[0] * t[1])
texty_run = st.tuples(
    st.one_of(st.sampled_from(TEXTY_PIECES), st.sampled_from(PROSE).map(str.encode)), st.integers(1, 12)
)
hostile_bytes = st.lists(run, max_size=40).map(b"".join)
"""Anything built from the pieces: mostly refused as binary when a NUL or UTF-16 piece gets in."""
texty_bytes = st.lists(texty_run.map(lambda t: t[0] * t[1]), max_size=40).map(b"".join)
"""Built from the pieces a text can hold: mostly cleaned, so the results get checked."""
ANY_BYTES = st.one_of(
    st.binary(max_size=2000), hostile_bytes, texty_bytes, texty_bytes.map(lambda b: codecs.BOM_UTF8 + b)
)
KIND = st.sampled_from([None, "text", "html"])

ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "cp1251",
    "windows-1252",
    "latin-1",
    "koi8-r",
    "ascii",
    "shift_jis",
    "gb18030",
    "big5",
    "cp037",
    "mac-roman",
    "utf-7",
    "idna",
    "punycode",
    "rot13",
    "base64",
    "hex",
    "unicode_escape",
    "raw_unicode_escape",
    "iso2022_jp",
    "hz",
    "undefined",
    "no-such-codec",
    "",
]


def limit(seconds: float = CALL_LIMIT) -> contextlib.AbstractContextManager[None]:
    """Turn a hang of ``clean()`` into a failure."""
    return deadline(seconds, "clean() still running")


def attempt(source: bytes | str | Path, **options: str | None) -> CleanResult | None:
    """clean(), or None when it refuses the input with a one-line InputError (the only error allowed)."""
    try:
        with limit():
            return clean(source, **options)  # type: ignore[arg-type]
    except InputError as e:
        message = str(e)
        assert message.strip(), "InputError without a message"
        assert "\n" not in message.strip(), f"InputError of more than one line: {message!r}"
        event("refused")
        return None


def check(result: CleanResult | None, data: bytes) -> None:
    if result is None:
        return
    event(f"cleaned as {result.kind} ({result.encoding})")
    assert verify(result, data) == []
    result.text.encode("utf-8")  # strict: no lone surrogate in the text
    assert result.kind in ("text", "html")


@given(ANY_BYTES, KIND)
@example(b"\xfe\xff\x00\x00\x80", None)  # UTF-16 with an odd, high last byte: was UnicodeEncodeError
def test_any_bytes_give_a_verified_result_or_input_error(data: bytes, kind: str | None) -> None:
    check(attempt(data, kind=kind), data)


@given(st.one_of(hostile_bytes, texty_bytes))
def test_html_kind_gives_a_verified_result_or_input_error(data: bytes) -> None:
    check(attempt(data, kind="html"), data)


@given(ANY_BYTES, KIND)
def test_clean_is_deterministic(data: bytes, kind: str | None) -> None:
    assert attempt(data, kind=kind) == attempt(data, kind=kind)


@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(PROSE), st.sampled_from(["\ud800", "\udcff", "\x00"]))))
def test_any_str_gives_a_verified_result_or_input_error(parts: list[str]) -> None:
    """A str is the text itself, lone surrogates included (encoded with ``surrogatepass``)."""
    text = "".join(parts)
    check(attempt(text), text.encode("utf-8", "surrogatepass"))


@given(ANY_BYTES, st.sampled_from(ENCODINGS), KIND)
def test_any_encoding_name_gives_a_verified_result_or_input_error(data: bytes, encoding: str, kind: str | None) -> None:
    note(f"encoding={encoding!r}")
    result = attempt(data, encoding=encoding, kind=kind)
    check(result, data)


@given(ANY_BYTES, st.integers(min_value=0, max_value=64), st.booleans())
def test_any_gzipped_file_gives_a_verified_result_or_input_error(data: bytes, cut: int, packed: bool) -> None:
    """A ``.gz`` path holds gzip data (perhaps cut short) or anything else: a result that verifies
    against the decompressed bytes, or one line of InputError."""
    raw = gzip.compress(data, mtime=0) if packed else data
    raw = raw[: len(raw) - cut] if cut else raw
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt.gz"
        path.write_bytes(raw)
        result = attempt(path)
    if result is not None:
        check(result, gzip.decompress(raw))
