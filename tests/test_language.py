"""The short cuts of ``language.detect`` rest on facts about langdetect's normalisation and about
UTF-8; each is checked here over the whole of Unicode."""

from __future__ import annotations

import re
import struct
import sys

from hypothesis import given
from hypothesis import strategies as st
from langdetect.utils.ngram import NGram

from cleaner.language import _model, _scripts, detect, load_profiles

ALL = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]


def test_normalisation_maps_each_character_to_one_and_white_space_to_white_space() -> None:
    """So a text's words are its tokens' words, and a token's cost can be remembered (``_TokenCosts``)."""
    for c in ALL:
        n = NGram.normalize(c)
        assert len(n) == 1, hex(ord(c))
        if c.isspace():
            assert n.isspace(), hex(ord(c))


def test_script_counts_on_utf8_bytes_are_langdetects() -> None:
    """Latin letters are 'A' to 'z'; other scripts start at U+0300, but for Latin Extended Additional."""
    other = re.compile(r"[\u0300-\u1dff\u1f00-\U0010ffff]")
    for start in range(0, len(ALL), 4096):
        chunk = ALL[start : start + 4096]
        want = [(int("A" <= c <= "z"), int(other.match(c) is not None)) for c in chunk]
        assert [_scripts(c) for c in chunk] == want
        assert _scripts("".join(chunk)) == tuple(map(sum, zip(*want, strict=True)))


# Texts in many scripts, with the characters normalisation turns into white space (digits, punctuation).
texts = st.lists(
    st.one_of(
        st.sampled_from(
            ["The council met", "Городской совет", "Tiếng Việt", "日本語の文章", "l'été", "3,5 %", "—", "\xa0"]
        ),
        st.text(max_size=5),
    ),
    max_size=10,
).map(" ".join)


@given(texts)
def test_token_costs_add_up_to_the_word_costs(text: str) -> None:
    """Costing a text token by token (remembered) gives the sum langdetect's own words give."""
    costs = _model().token_costs
    by_words = sum(map(costs.word_costs.__getitem__, text.translate(costs.normal).split()))
    assert sum(map(costs.__getitem__, text.split())) == by_words


def test_detect_names_the_language() -> None:
    texts = {
        "en": "The council met on Monday to discuss the budget for the coming year and the library.",
        "ru": "Городской совет в понедельник обсудил бюджет на следующий год, и депутаты решили.",
        "vi": "Tiếng Việt có dấu được viết bằng chữ Latinh với nhiều dấu thanh khác nhau trong câu.",
        "ja": "日本語の文章です。これは言語の判定のための短い文章です。",
    }
    for lang, text in texts.items():
        assert detect(text)[0] == lang


def test_profiles_are_langdetects() -> None:
    """``load_profiles`` reads langdetect's files as ``DetectorFactory`` does: the same languages, the
    same n-grams, the same probability of each n-gram in each language (its own order of languages
    aside), and no n-gram walked by the garbage collector."""
    import gc

    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    langs, probs = load_profiles()
    assert langs == sorted(langs) and sorted(factory.langlist) == langs
    assert probs.keys() == factory.word_lang_prob_map.keys()
    where = [factory.langlist.index(lang) for lang in langs]
    unpack = struct.Struct(f"<{len(langs)}d").unpack
    for gram, row in probs.items():
        theirs = factory.word_lang_prob_map[gram]
        assert list(unpack(row)) == [theirs[i] for i in where], gram
    gc.collect()
    assert not gc.is_tracked(probs)
