"""Decoding with offsets: BOMs, line endings, broken bytes, legacy codecs, binary and odd inputs."""

from __future__ import annotations

import codecs
import gzip

import pytest
from samples import PROSE_DE, PROSE_EN, PROSE_EN_2, PROSE_FR, PROSE_RU, PROSE_RU_2

from cleaner import InputError, clean, verify


def _piece(data: bytes, start: int, end: int) -> bytes:
    return data[start:end]


def _kept_sources(result, data: bytes) -> list[bytes]:
    return [data[s.source_start : s.source_end] for s in result.spans]


# --- byte order marks ---------------------------------------------------------------------------


def test_utf8_bom_is_skipped_and_never_in_a_span() -> None:
    text = f"Council keeps library open\n\n{PROSE_EN}\n\n{PROSE_EN_2}\n"
    data = codecs.BOM_UTF8 + text.encode("utf-8")
    result = clean(data)
    assert result.encoding == "utf-8"
    assert "\ufeff" not in result.text
    assert PROSE_EN in result.text
    assert all(s.source_start >= 3 for s in result.spans)
    assert verify(result, data) == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    text = f"{PROSE_RU}\n\n{PROSE_EN}\n\n{PROSE_RU_2}\n"
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + text.encode(codec)
    result = clean(data)
    assert result.encoding == codec
    assert result.kind == "text"
    assert PROSE_RU in result.text
    assert verify(result, data) == []
    for span in result.spans:
        assert span.source_start >= 2
        assert (span.source_end - span.source_start) % 2 == 0
        piece = result.text.encode("utf-8")[span.text_start : span.text_end].decode("utf-8")
        assert data[span.source_start : span.source_end].decode(codec) == piece


def test_utf16_with_odd_length_is_input_error() -> None:
    data = codecs.BOM_UTF16_LE + PROSE_EN.encode("utf-16-le") + b"\x41"
    with pytest.raises(InputError):
        clean(data)


# --- line endings: line:col as an editor shows them ---------------------------------------------


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_and_column_of_a_removal(eol: str) -> None:
    lines = [
        "Council keeps library open on Sundays",
        "",
        PROSE_EN,
        "",
        PROSE_EN_2,
        "",
        "   Leave a Reply",
        "",
        "Your email address will not be published. Required fields are marked *",
    ]
    data = eol.join(lines).encode("utf-8")
    result = clean(data)
    assert verify(result, data) == []
    by_bytes = {data[r.start : r.end]: r for r in result.removed}
    leave = by_bytes[b"Leave a Reply"]
    assert (leave.line, leave.col) == (7, 4)
    email = next(r for r in result.removed if data[r.start : r.end].startswith(b"Your email"))
    assert (email.line, email.col) == (9, 1)
    for span in result.spans:
        assert b"\r" not in data[span.source_start : span.source_end]
        assert b"\n" not in data[span.source_start : span.source_end]
    assert "\r" not in result.text


def test_column_counts_characters_not_bytes() -> None:
    data = f"{PROSE_RU}\n\n{PROSE_RU_2}\n\n\t«Ёж» Leave a Reply\nпривет Leave a Reply\n".encode()
    result = clean(data)
    assert verify(result, data) == []
    # the removal of the line that starts with a tab: column 2, whatever its bytes
    for r in result.removed:
        prefix = data[: r.start].decode("utf-8")
        line_start = prefix.rfind("\n") + 1
        assert r.col == len(prefix) - line_start + 1
        assert r.line == prefix.count("\n") + 1


def test_mixed_line_endings_lines_are_never_merged() -> None:
    data = f"{PROSE_EN}\r\n{PROSE_EN_2}\r{PROSE_EN}!\n".encode()
    result = clean(data)
    assert verify(result, data) == []
    assert "\r" not in result.text
    for src in _kept_sources(result, data):
        assert b"\r" not in src and b"\n" not in src


# --- invalid UTF-8 ------------------------------------------------------------------------------


def test_invalid_utf8_bytes_never_inside_a_span() -> None:
    good = f"{PROSE_RU}\n\n{PROSE_FR}\n\n{PROSE_DE}\n".encode()
    broken = good.replace("библиотека".encode(), "библио\xff\xfeтека".encode("utf-8", "surrogateescape"))
    broken = broken.replace(b"Monday", b"Mon\x80day")
    data = broken.replace("Bücherei".encode(), b"B\xc3cherei")  # a truncated sequence
    assert data != good
    result = clean(data)
    assert result.encoding == "utf-8"
    assert verify(result, data) == []
    result.text.encode("utf-8")  # no lone surrogates leak into the text
    assert "\ufffd" not in result.text
    for src in _kept_sources(result, data):
        src.decode("utf-8")  # strict: every span is valid UTF-8
    assert "Le conseil municipal" in result.text


def test_invalid_utf8_line_keeps_its_valid_neighbours() -> None:
    data = f"{PROSE_EN}\n\n".encode() + b"\xff\xfe\xfd\n\n" + f"{PROSE_EN_2}\n".encode()
    result = clean(data)
    assert verify(result, data) == []
    assert PROSE_EN in result.text and PROSE_EN_2 in result.text


# --- legacy codecs ------------------------------------------------------------------------------


def test_cp1251_russian_is_decoded_as_cp1251() -> None:
    text = f"Совет сохранил библиотеку\n\n{PROSE_RU}\n\n{PROSE_RU_2}\n"
    data = text.encode("cp1251")
    result = clean(data)
    assert result.encoding == "cp1251"
    assert PROSE_RU in result.text
    assert verify(result, data) == []
    for span in result.spans:
        piece = result.text.encode("utf-8")[span.text_start : span.text_end].decode("utf-8")
        assert data[span.source_start : span.source_end].decode("cp1251") == piece


def test_cp1251_ukrainian_letters() -> None:
    text = (
        "Міська рада в понеділок обговорила бюджет на наступний рік, і депутати вирішили, що "
        "бібліотека буде відкрита щонеділі, а ґанок біля їдальні відремонтують.\n\n"
        "Мешканці, які виступили на засіданні, поскаржилися на автобуси, і мер пообіцяв звіт.\n"
    )
    data = text.encode("cp1251")
    result = clean(data)
    assert result.encoding == "cp1251"
    assert "ґанок біля їдальні" in result.text
    assert verify(result, data) == []


@pytest.mark.parametrize("prose", [PROSE_FR, PROSE_DE], ids=["fr", "de"])
def test_cp1252_western_text_is_decoded_as_cp1252(prose: str) -> None:
    data = f"{prose}\n\n{prose.replace('lundi', 'mardi').replace('Montag', 'Dienstag')}\n".encode("cp1252")
    result = clean(data)
    assert result.encoding == "cp1252"
    assert prose in result.text
    assert verify(result, data) == []


def test_latin1_bytes_without_cp1252_meaning_still_decode() -> None:
    # 0x81 and 0x8d have no cp1252 character: the cleaner must still decode the file deterministically
    data = (
        f"{PROSE_FR}\n\n".encode("cp1252")
        + b"Caf\xe9 \x81 cr\xe8me, le maire a parl\xe9 longuement du budget et des \xe9coles.\n"
    )
    first = clean(data)
    assert first.encoding in ("latin-1", "iso8859-1")
    assert verify(first, data) == []
    assert clean(data) == first


def test_forced_encoding_is_used_and_reported() -> None:
    data = f"{PROSE_RU}\n\n{PROSE_RU_2}\n".encode("cp1251")
    result = clean(data, encoding="windows-1251")
    assert result.encoding == "cp1251"
    assert PROSE_RU in result.text
    assert verify(result, data) == []


def test_forced_encoding_takes_web_labels() -> None:
    """A label browsers know and Python does not (``windows-874``, the Thai one) is taken too."""
    data = "ข่าวเศรษฐกิจวันนี้ รัฐบาลประกาศมาตรการใหม่\n".encode("cp874")
    result = clean(data, encoding="windows-874")
    assert result.encoding == "cp874"
    assert verify(result, data) == []


def test_unknown_encoding_is_input_error() -> None:
    with pytest.raises(InputError, match="no-such-codec"):
        clean(PROSE_EN.encode(), encoding="no-such-codec")


def test_forced_encoding_that_does_not_fit_is_input_error() -> None:
    with pytest.raises(InputError):
        clean(f"{PROSE_FR}\n".encode("cp1252"), encoding="ascii")


# --- inputs that are not text -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(64)),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        gzip.compress(PROSE_EN.encode() * 3),
        PROSE_EN.encode() + b"\x00\x00\x00\x00" + PROSE_EN_2.encode(),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40),
        b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
    ],
    ids=["png", "pdf", "gzip", "nul-bytes", "zip", "elf"],
)
def test_binary_input_is_input_error(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        clean(data)
    message = str(err.value)
    assert "binary" in message.lower()
    assert "\n" not in message


def test_many_control_bytes_is_input_error() -> None:
    data = bytes(b % 26 + 1 for b in range(2000))  # \x01..\x1a, no NUL
    with pytest.raises(InputError):
        clean(data)


def test_empty_input_is_input_error() -> None:
    with pytest.raises(InputError, match="empty"):
        clean(b"")


def test_empty_file_is_input_error(tmp_path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        clean(path)


def test_blank_only_input_is_not_an_error() -> None:
    data = b" \n\t\r\n\r\n   \n"
    try:
        result = clean(data)
    except InputError:
        return
    assert result.text.strip() == ""
    assert result.spans == ()
    assert result.language == "und"
    assert verify(result, data) == []


def test_max_bytes_limit() -> None:
    data = f"{PROSE_EN}\n\n{PROSE_EN_2}\n".encode()
    with pytest.raises(InputError) as err:
        clean(data, max_bytes=len(data) - 1)
    assert str(len(data) - 1) in str(err.value)
    result = clean(data, max_bytes=len(data))
    assert PROSE_EN in result.text


def test_missing_path_is_input_error(tmp_path) -> None:
    with pytest.raises(InputError):
        clean(tmp_path / "nope.txt")


def test_folder_path_is_input_error(tmp_path) -> None:
    with pytest.raises(InputError):
        clean(tmp_path)


def test_unknown_kind_is_input_error() -> None:
    with pytest.raises(InputError):
        clean(PROSE_EN.encode(), kind="pdf")


def test_cp1251_with_one_undefined_byte_still_decodes() -> None:
    data = (
        f"{PROSE_RU}\n\n{PROSE_RU_2}\n\n".encode("cp1251")
        + b"\x98\n\n"
        + PROSE_RU.replace("совет", "суд").encode("cp1251")
    )
    result = clean(data)
    assert PROSE_RU_2 in result.text
    assert verify(result, data) == []
