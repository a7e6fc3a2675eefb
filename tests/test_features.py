"""The fast paths of ``features.measure`` agree with the plain definitions they stand in for.

``measure`` runs on every line, so it takes short cuts: ASCII words are found with ASCII classes
in lowercased text, other text is tokenized after casefolding when that keeps every character's
kind, a line's key skips collapsing white space when there is none to collapse, and the slow
patterns run only on lines holding what they need. Each short cut is checked here against the
definition it replaces, over the whole of Unicode where the argument rests on it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner import features
from cleaner.features import _ASCII_WORD, _FOLDS_TO_LETTER, _TIMESTAMP, _URLISH, _WORD, _is_urlish, _key, measure

# Characters that matter to the short cuts, so that random texts hit them often.
TRICKY = [*" \t\xa0\u3000\x1c.@:/[]-'’_|•·»…年월년0123456789", "www.", "WWW.", "http://", "[email protected]"]
TRICKY += ["Nov 5", "5 nov.", "ſep 9", "\u212aokt 3", "ДЕК 12", "İ", "ß", "ı", "\u0345", "ǰ", "ﬀ", "½", "٣", "Ⅻ"]
texts = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=4)), max_size=12).map("".join)
ascii_texts = st.text(alphabet=st.characters(max_codepoint=127), max_size=40)


@given(ascii_texts)
def test_ascii_words_are_the_words(text: str) -> None:
    folded = text.lower()
    assert _ASCII_WORD.findall(folded) == _WORD.findall(folded)


def _positions(pattern: str, text: str) -> list[int]:
    return [m.start() for m in re.finditer(pattern, text)]


def test_casefolding_keeps_the_kind_of_characters() -> None:
    """Every character that folds to one character keeps its kind (letter, word character, apostrophe
    or hyphen), except ``_FOLDS_TO_LETTER``: so the folded text's words are the folded words."""
    chars = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if len(c.casefold()) == 1)
    chars = chars.replace(_FOLDS_TO_LETTER, "")
    folded = chars.casefold()
    for kind in (r"[^\W\d_]", features._W, r"[-'’]"):
        assert _positions(kind, chars) == _positions(kind, folded), kind


@given(texts)
def test_folded_words(text: str) -> None:
    expected = [w.casefold() for w in _WORD.findall(text)]
    folded = text.casefold()
    if len(folded) == len(text) and _FOLDS_TO_LETTER not in text:
        assert _WORD.findall(folded) == expected


def test_no_printable_white_space_but_the_space() -> None:
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()] == [" "]


@given(texts)
def test_key_collapses_white_space(text: str) -> None:
    folded = text.casefold()
    assert _key(folded) == " ".join(folded.split())


@given(texts)
def test_urlish_guard_loses_no_match(text: str) -> None:
    plain = ("." in text or "@" in text or "://" in text) and _URLISH.search(text) is not None
    assert _is_urlish(text, text.casefold() if not text.isascii() else text.lower()) == plain


@given(texts)
def test_timestamp_look_ahead_changes_nothing(text: str) -> None:
    plain = re.compile(_TIMESTAMP.pattern.replace("(?=[a-zа-я])", "").replace("(?=\\d)", ""), re.IGNORECASE)
    assert "(?=" not in plain.pattern
    assert (_TIMESTAMP.search(text) is None) == (plain.search(text) is None)


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("November 1, 2019", True),
        ("Sam K. November 13, 2024 at 11:02 am", True),  # a comment's stamp
        ("John Doe (@jd) November 1, 2019 at 10:05", True),
        ("— Arvind Kejriwal (@ArvindKejriwal) November 1, 2019", False),  # an embedded post's signature
        ("- Eastbrook Health (@EastbrookHealth) 10 November 2024", False),
    ],
)
def test_a_quoted_posts_signature_is_no_timestamp(line: str, stamp: bool) -> None:
    assert measure(line).timestamp is stamp


def _inert() -> list[str]:
    return [c for c in map(chr, range(0x80, sys.maxunicode + 1)) if features._NOT_INERT.match(c) is None]


def test_inert_characters_are_left_alone_by_folding_and_are_no_word_characters() -> None:
    """What lets text of ASCII and ``_INERT`` characters take the lowercased ASCII path."""
    inert = _inert()
    assert "’" in inert and "\xa0" in inert and "—" in inert and "€" in inert
    for c in inert:
        assert c.lower() == c == c.casefold(), hex(ord(c))
        assert re.match(r"\w", c) is None, hex(ord(c))


# Text that takes the lowercased path: ASCII with curly quotes, dashes, no-break spaces, currency signs.
inert_texts = st.lists(
    st.one_of(
        st.sampled_from(["’", "‘", "“", "”", "—", "–", "\xa0", "€", "×", "«", "»", "…", "5 Nov", "o’clock"]),
        st.text(alphabet=st.characters(max_codepoint=127), max_size=6),
    ),
    max_size=12,
).map("".join)


@given(inert_texts)
def test_inert_text_words_and_dates_on_the_lowercased_path(text: str) -> None:
    assert features._NOT_INERT.search(text) is None
    assert _ASCII_WORD.findall(text.lower()) == [w.casefold() for w in _WORD.findall(text)]
    assert text.lower() == text.casefold()
    assert (features._LOWER_TIMESTAMP.search(text.lower()) is None) == (_TIMESTAMP.search(text) is None)


@given(texts)
def test_measure_counts_words_and_stop_words(text: str) -> None:
    f = measure(text)
    words = [w.casefold().replace("i\u0307", "i") for w in _WORD.findall(text)]
    stops = sum(w in features.stopwords() for w in words)
    cjk = len(features._CJK.findall(text))
    unspaced = len(features._UNSPACED.findall(text)) // features._UNSPACED_WORD_CHARS
    assert f.words == len(words) + cjk // 2 + unspaced
    if words and cjk <= len(words) and unspaced <= len(words):
        assert f.stop_ratio == stops / len(words)
    assert f.key == " ".join(text.casefold().split())


def _mark_ranges() -> str:
    """``cleaner/data/marks.txt``'s ranges, made from the running Python's Unicode data."""
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)).startswith("M")]
    ranges: list[list[int]] = []
    for c in marks:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(f"{a:04X}..{b:04X}\n" if a != b else f"{a:04X}\n" for a, b in ranges)


def test_marks_are_the_combining_marks() -> None:
    shipped = resources.files("cleaner").joinpath("data/marks.txt").read_text(encoding="ascii")
    header = shipped.splitlines()[0]
    ranges = "".join(line + "\n" for line in shipped.splitlines() if not line.startswith("#"))
    if f"Unicode {unicodedata.unidata_version} " in header:
        assert ranges == _mark_ranges()
    else:  # another Python's Unicode: marks stay marks, newer ones are missing
        for line in ranges.splitlines():
            a, _, b = line.partition("..")
            for c in range(int(a, 16), int(b or a, 16) + 1):
                assert unicodedata.category(chr(c)).startswith("M"), hex(c)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("हिंदी भाषा में समाचार", ["हिंदी", "भाषा", "में", "समाचार"]),  # vowel signs and nasal marks
        ("বাংলা ভাষা", ["বাংলা", "ভাষা"]),
        ("ភាសាខ្មែរ", ["ភាសាខ្មែរ"]),  # a coeng and a vowel sign inside
        ("cafe\u0301 au lait", ["cafe\u0301", "au", "lait"]),  # decomposed accent
        ("\u0301abc", ["abc"]),  # a word does not start with a mark
    ],
)
def test_words_hold_their_combining_marks(text: str, words: list[str]) -> None:
    assert _WORD.findall(text) == words


def test_thai_prose_is_counted_in_words_and_function_words() -> None:
    line = "นายกรัฐมนตรีกล่าวว่าโครงการนี้จะเริ่มต้นในเดือนหน้า และคาดว่าจะช่วยเหลือครัวเรือนได้มากกว่าหนึ่งแสนครัวเรือน"
    f = measure(line)
    assert f.words >= 15  # one word per five characters, not the two space-separated runs
    assert f.stop_ratio >= 0.2
    assert measure("หน้าแรก ข่าว กีฬา").stop_ratio == 0.0  # a menu: no function words


def test_turkish_capital_dotted_i_folds_to_the_stop_word() -> None:
    """ "İ" casefolds to "i" and a combining dot above, a word character now: "İçin" must still be "için"."""
    assert measure("İçin İle").stop_ratio == 1.0


def test_a_long_thai_line_with_function_words_ends_like_a_sentence() -> None:
    """Thai ends sentences with a space or the line end, not a full stop."""
    line = "นายกรัฐมนตรีกล่าวว่าโครงการนี้จะเริ่มในเดือนหน้าและจะช่วยเหลือครัวเรือนได้มาก"
    assert measure(line).sentence_end
    assert not measure("หน้าแรก ข่าว กีฬา").sentence_end  # a menu: short, no function words
