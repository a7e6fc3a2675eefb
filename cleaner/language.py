"""Clean text -> language, with langdetect's profiles scored deterministically and fast.

langdetect's own ``Detector`` walks the text one character at a time in Python, then draws n-grams
at random and multiplies 55 language probabilities per draw until they converge (~3 ms a document).
We keep its profiles (the same 55 languages, the same 1- to 3-grams) and its character normalisation,
but score every n-gram of a bounded sample exactly once: the naive-Bayes product langdetect estimates
by sampling, with its smoothing (``alpha = 0.5``) and no randomness, so the answer never changes.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable
from functools import cache
from pathlib import Path

UNDETERMINED = "und"
SAMPLE_CHARS = 1200
MIN_LETTERS = 20

# Matches once the text holds MIN_LETTERS letters; stops there instead of counting them all.
_ENOUGH_LETTERS = re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS}}}")
# URLs, addresses and handles. (?<!\S): an address can only start a token (had it started later, it
# would have matched from the token's start), and trying it nowhere else keeps the pattern linear.
_NOISE = re.compile(r"https?://\S+|(?<!\S)\S+@\S+|[#@]\w+")
_LATIN = re.compile(r"[A-z]")  # langdetect's test: 'A' <= ch <= 'z'
_LATIN_BYTES = bytes(range(ord("A"), ord("z") + 1))  # the same, as UTF-8 bytes (only ASCII has these values)
# langdetect's other scripts: characters from U+0300 but for Latin Extended Additional (U+1E00-U+1EFF),
# counted on UTF-8 bytes: the lead bytes of characters from U+0300, less the first two bytes of those.
_NON_LATIN_LEADS = bytes(range(0xCC, 0xF5))
_LATIN_EXTENDED_ADDITIONAL = (b"\xe1\xb8", b"\xe1\xb9", b"\xe1\xba", b"\xe1\xbb")

_ALPHA = 0.5 / 10_000  # langdetect's ALPHA_DEFAULT / BASE_FREQ: the smoothing added to every probability
_SCALE = 64  # cost units per nat; a cost is -log(P(n-gram | language) + alpha), at most ~10 nats
_LANE = 32  # bits per language in a packed cost (room for millions of n-grams); struct's "I"
_UNSEEN = round(-math.log(_ALPHA) * _SCALE)  # the cost where a language never has the n-gram (most)
_CACHE_LIMIT = 50_000  # tokens, words (and unknown n-grams) remembered; known n-grams always are (<= 88k)


class _Normaliser(dict[int, str]):
    """``str.translate`` table applying langdetect's per-character normalisation, filled on demand."""

    def __init__(self, normalize: Callable[[str], str]):
        super().__init__()
        self.normalize = normalize

    def __missing__(self, code: int) -> str:
        ch = self.normalize(chr(code))
        self[code] = ch
        return ch


class _Costs(dict[str, int]):
    """n-gram -> the costs of all languages packed into one int, ``_LANE`` bits per language.

    Packing lets ``sum()`` add the costs of every language at once, in C: scoring a sample is one
    dictionary look-up and one big-int addition per n-gram instead of 55 Python multiplications.
    n-grams outside the profiles cost 0 everywhere (langdetect skips them). Filled on demand.
    """

    def __init__(self, profiles: dict[str, bytearray], n_langs: int):
        super().__init__()
        self.profiles = profiles
        self.unpack = struct.Struct(f"<{n_langs}d").unpack

    def __missing__(self, gram: str) -> int:
        row = self.profiles.get(gram)
        packed = 0
        if row is not None:
            probs = self.unpack(row)
            lanes = [round(-math.log(p + _ALPHA) * _SCALE) if p else _UNSEEN for p in probs]
            packed = int.from_bytes(struct.pack(f"<{len(lanes)}I", *lanes), "little")  # lane i at bit 32*i
        if row is not None or len(self) < _CACHE_LIMIT:
            self[gram] = packed
        return packed


class _WordCosts(dict[str, int]):
    """word -> packed cost of all its n-grams, filled on demand.

    The n-grams of ``" w1 w2 "`` are exactly those of ``" w1 "`` plus those of ``" w2 "`` (grams
    spanning a space, like ``"1 w"``, are in no profile), so a text's cost is the sum of its words'
    costs, and frequent words are scored once per process.
    """

    def __init__(self, costs: _Costs):
        super().__init__()
        self.costs = costs

    def __missing__(self, word: str) -> int:
        s = f" {word} "
        grams: list[str] = []
        for i in range(1, len(s)):
            # langdetect's rule: no n-gram ends on the second or later letter of a run of capitals.
            if s[i].isupper() and s[i - 1].isupper():
                continue
            grams += (s[i], s[i - 1 : i + 1], s[i - 2 : i + 1]) if i > 1 else (s[i], s[i - 1 : i + 1])
        packed = sum(map(self.costs.__getitem__, grams))
        if len(self) >= _CACHE_LIMIT:
            self.clear()  # start afresh rather than stop learning the words in use now
        self[word] = packed
        return packed


class _TokenCosts(dict[str, int]):
    """token (a run of characters between white space) -> packed cost of the words that langdetect's
    normalisation makes of it, filled on demand.

    The normalisation maps each character to one character, and white space to white space, so a
    text's words are its tokens' words: a token is normalised once per process, not in every text that
    holds it (``str.translate`` looks each character up in ``_Normaliser``, at Python speed).
    """

    def __init__(self, normal: _Normaliser, word_costs: _WordCosts):
        super().__init__()
        self.normal = normal
        self.word_costs = word_costs

    def __missing__(self, token: str) -> int:
        packed = sum(map(self.word_costs.__getitem__, token.translate(self.normal).split()))
        if len(self) >= _CACHE_LIMIT:
            self.clear()  # as _WordCosts does
        self[token] = packed
        return packed


class _Model:
    """langdetect's profiles and normalisation, and the costs computed from them so far."""

    def __init__(self) -> None:
        from langdetect.utils.ngram import NGram

        self.langs, profiles = load_profiles()
        costs = _Costs(profiles, len(self.langs))
        self.token_costs = _TokenCosts(_Normaliser(NGram.normalize), _WordCosts(costs))
        self.normalize_vi = NGram.normalize_vi
        self.vi_marks = re.compile(f"[{NGram.DMARK_CLASS}]")  # what normalize_vi rewrites, after a letter


def load_profiles() -> tuple[list[str], dict[str, bytearray]]:
    """langdetect's languages and, for each n-gram, its probability in each of them.

    What ``DetectorFactory.add_profile`` makes of langdetect's profile files (``tests/test_language.py``
    checks that it is the same), with two differences: the files are read in name order, where
    langdetect takes the directory's order (which the file system decides, and with it the order of
    languages that tie), and each n-gram's probabilities are doubles packed in a byte array (little-endian,
    in the languages' order) instead of a list of float objects. The garbage collector walks neither
    byte arrays nor a dict of nothing else: the ~90,000 lists cost every full collection a walk over
    five million references (8% of the time in text mode).
    """
    from langdetect.detector_factory import PROFILES_DIRECTORY

    folder = Path(PROFILES_DIRECTORY)
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    langs: list[str] = []
    probs: dict[str, bytearray] = {}
    size = 8 * len(names)
    put = struct.Struct("<d").pack_into
    for index, name in enumerate(names):
        profile = json.loads((folder / name).read_text(encoding="utf-8"))
        langs.append(profile["name"])
        n_words = profile["n_words"]
        for gram, count in profile["freq"].items():
            row = probs.get(gram)
            if row is None:
                row = probs[gram] = bytearray(size)
            if 1 <= len(gram) <= 3:
                put(row, 8 * index, count / n_words[len(gram) - 1])
    return langs, probs


@cache
def _model() -> _Model:
    """The profiles, loaded once per process (~0.3 s)."""
    return _Model()


def sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """A bounded, deterministic sample: the longest lines (ties in text order), URLs and handles removed."""
    if len(text) > limit:
        out: list[str] = []
        size = 0
        for ln in sorted(text.split("\n"), key=len, reverse=True):
            out.append(ln[: limit - size])
            size += len(out[-1]) + 1
            if size >= limit:
                break
        text = "\n".join(out)
    if "@" in text or "#" in text or "://" in text:  # the pattern is slow; most texts need no pass
        text = _NOISE.sub(" ", text)
    return text


def _tokens(piece: str, model: _Model) -> list[str]:
    """``piece`` as langdetect reads it (Vietnamese marks combined, Latin letters dropped from text written
    mostly in another script), cut at white space."""
    if not piece.isascii():
        if model.vi_marks.search(piece):
            piece = model.normalize_vi(piece)
        # Like langdetect, drop Latin letters from text written mostly in another script.
        latin, other = _scripts(piece)
        if other and 2 * latin < other:
            piece = _LATIN.sub("", piece)
    return piece.split()


def _scripts(piece: str) -> tuple[int, int]:
    """How many characters of ``piece`` are Latin letters by langdetect's test, and how many are of other
    scripts: counted in C on its UTF-8 bytes."""
    data = piece.encode("utf-8", "surrogatepass")
    latin = len(data) - len(data.translate(None, _LATIN_BYTES))
    leads = len(data) - len(data.translate(None, _NON_LATIN_LEADS))
    return latin, leads - sum(map(data.count, _LATIN_EXTENDED_ADDITIONAL))


def detect(text: str) -> tuple[str, float]:
    """ISO 639-1 code (langdetect's ``zh-cn``/``zh-tw`` for Chinese) and probability, or (``und``, 0.0)."""
    piece = sample(text)
    if not _ENOUGH_LETTERS.match(piece):
        return UNDETERMINED, 0.0
    model = _model()
    total = sum(map(model.token_costs.__getitem__, _tokens(piece, model)))
    if not total:
        return UNDETERMINED, 0.0
    n = len(model.langs)
    costs = struct.unpack(f"<{n}I", total.to_bytes(n * _LANE // 8, "little"))  # the lanes, as packed
    best = min(range(len(costs)), key=costs.__getitem__)
    # Posterior of the best language under the same model (uniform prior).
    norm = sum(math.exp((costs[best] - c) / _SCALE) for c in costs)
    return model.langs[best], round(1.0 / norm, 4)
