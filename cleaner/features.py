"""Block text -> Features: the measurements the heuristic rules read (length, stop words, punctuation...).

Every block is measured once, in one pass over its text; the judge only reads these numbers.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import attrs


def _marks() -> str:
    """The combining marks (``cleaner/data/marks.txt``) as the inside of a regex character class."""
    text = resources.files("cleaner").joinpath("data/marks.txt").read_text(encoding="ascii")
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            a, _, b = line.partition("..")
            out.append(chr(int(a, 16)) + (f"-{chr(int(b, 16))}" if b else ""))
    return "".join(out)


# Word characters: Python's \w (letters, digits, _) and the combining marks that the letters of many
# scripts carry (the vowel signs of Hindi and Bengali, Thai tone marks), which \w does not hold: without
# them "हिंदी" would be five words.
_W = rf"[\w{_marks()}]"
# A word: a letter, then word characters, with apostrophes and hyphens only inside ("don't", "e-mail").
_WORD = re.compile(rf"[^\W\d_]{_W}*(?:[-'’]+{_W}+)*")
# The one character that casefolds to a single character of another kind (a combining mark to "ι").
_FOLDS_TO_LETTER = "\u0345"
# Non-ASCII characters that are not word characters and that lowercasing and case folding leave as
# they are: Latin-1 and general punctuation (curly quotes, dashes, no-break spaces...), currency signs.
_INERT = "\u00a0-\u00a9\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7\u2000-\u206f\u20a0-\u20bf\u2122"
# A character outside ASCII and _INERT: a text without one (English with curly quotes) is folded by
# lowercasing, and its words are all ASCII.
_NOT_INERT = re.compile(f"[^\\x00-\\x7f{_INERT}]")
# The same words in such lowercased text, with ASCII classes, found as a letter and the longest run of
# word characters and joiners after it that ends in a word character: one class repeated, not _WORD's
# repeated group (for which the regex engine allocates at every word). Found in 60% of _WORD's time.
_ASCII_WORD = re.compile(r"[a-z][-'’a-z0-9_]*(?<=[a-z0-9_])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# In Chinese and Japanese, written without spaces, function words are single characters: kana
# particles and endings (hiragana) and the commonest Chinese function characters.
_CJK_FUNCTION = re.compile(r"[\u3041-\u309f的了是在和有我这他们不也就都而及与着或被把从对之其为以于]")
# Thai, Lao, Khmer and Myanmar are written without spaces between words either: a run of them is one
# "word" to _WORD. Their words are counted as one per _UNSPACED_WORD_CHARS characters (marks included),
# and their commonest function words stand in for stop words.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_UNSPACED_WORD_CHARS = 5
# Thai and Lao end sentences with a space or a line end, not a full stop: a line that ends in their
# script, long enough to be a sentence and holding function words, ends like one.
UNPUNCTUATED_SCRIPTS = "\u0e00-\u0eff"
"""Thai and Lao, as a regex character range."""
_UNPUNCTUATED_END = re.compile(f"[{UNPUNCTUATED_SCRIPTS}]$")
_UNPUNCTUATED_SENTENCE_WORDS = 8
_UNSPACED_FUNCTION = re.compile(
    "ที่|และ|ของ|ใน|การ|เป็น|ได้|จะ|ว่า|มี|ให้|กับ|ไม่|นี้|แต่|โดย|จาก|ซึ่ง|แล้ว|อยู่"  # Thai
    "|ທີ່|ແລະ|ຂອງ|ໃນ|ການ|ເປັນ|ໄດ້|ຈະ|ວ່າ|ມີ|ໃຫ້|ກັບ|ບໍ່|ນີ້|ແຕ່|ໂດຍ|ຈາກ"  # Lao
    "|និង|នៃ|ក្នុង|បាន|ជា|ដែល|នេះ|ទៅ|ពី|មាន|ឲ្យ|ថា"  # Khmer
    "|၏|နှင့်|တွင်|သည်|ကို|များ|၍|ပြီး|ဖြစ်|ရှိ"  # Myanmar
)
_URLISH = re.compile(r"https?://|www\.|\[email\s*protected\]", re.IGNORECASE)
_DOT_WORD = re.compile(r"\.\w")
_SEPARATOR = re.compile(r"\s[|•·»/]\s|\s[|•·»]$|^[|•·»]\s")
OTHER_SENTENCE_STOPS = "؟۔।॥።፧։՞။។៕．"
"""Full stops, question and exclamation marks of other scripts: Arabic and Urdu (؟ ۔), Devanagari and
Bengali (। ॥), Ethiopic (። ፧), Armenian (։ ՞), Myanmar (။), Khmer (។ ៕), full-width (．)."""
_SENTENCE_END = frozenset(".!?…:;。！？」』\"”“»)]’'" + OTHER_SENTENCE_STOPS)
_DIGIT = re.compile(r"\d")
_TRAILING_GROUP = re.compile(r"[(\[][^()\[\]]*[)\]]$")
_MONTH = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|avr|mai|juin|juil|août|déc|ene|abr|ago|dic"
    r"|gen|mag|giu|lug|set|ott|okt|dez|mär|fev|out|dez|янв|фев|мар|апр|мая|июн|июл|авг|сен|окт|ноя|дек"
)
_TIMESTAMP_PATTERN = (
    # (?=\d): the alternatives that start with a digit are tried only where one is, not at every position
    r"(?=\d)(?:\b\d{1,2}:\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\d{4}\s*年\s*\d{1,2}\s*月|\d{4}\s*년"
    r"|\b\d+\s*(?:min|minutes?|hours?|hrs?|days?|weeks?|months?)\s+ago\b"
    rf"|\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{_MONTH})[a-zа-яé]*\b)"
    # (?=...): most word starts are no month; the look-ahead saves trying all sixty names there
    rf"|\b(?=[a-zа-я])(?:{_MONTH})[a-zа-я]*\.?\s+\d{{1,2}}\b"
)
_TIMESTAMP = re.compile(_TIMESTAMP_PATTERN, re.IGNORECASE)
_EMBED_SIGNATURE = re.compile(r"[—–-]\s*[^()\n]{1,80}\(@\w{1,50}\)")
# For text that lowercasing folds (see _NOT_INERT): the same dates in the lowercased text, matched
# without ignoring case, twice as fast (the engine would fold each letter for each month name).
_LOWER_TIMESTAMP = re.compile(_TIMESTAMP_PATTERN)


@cache
def stopwords() -> frozenset[str]:
    """Function words of many languages in one set (``cleaner/data/stopwords.txt``)."""
    words: set[str] = set()
    text = resources.files("cleaner").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        words.update(w.casefold() for w in line.split(":", 1)[1].split())
    return frozenset(words)


@attrs.define
class Features:
    """What a block looks like, numerically.

    A slotted class, not a named tuple: the judge reads these fields over and over, and a slot is read
    faster than a named tuple's field. Not frozen (a frozen attrs instance costs three times as much to
    build), but shared by the lines with the same text (the judge's memo): never changed once made.
    """

    chars: int
    """Length in characters."""
    words: int
    """Words: those between spaces, plus one for every two CJK characters and every five of Thai,
    Lao, Khmer or Myanmar script (written without spaces between words)."""
    stop_ratio: float
    """Share of words that are function words (of any language we list)."""
    sentence_end: bool
    """Ends like a sentence (., !, ?, closing quote...)."""
    urlish: bool
    """Holds a URL, a www. host or an e-mail address."""
    separators: int
    """Menu separators standing between words (``|``, ``•``, ``»``, `` / ``): menus flattened onto a line."""
    teaser: bool
    """Ends with an ellipsis after some words, as cut-off teasers and comment previews do."""
    timestamp: bool
    """A short line that carries a date or a time (``November 19, 2019 at 6:34 am``, ``2 days ago``):
    comments and list entries repeat them, article text rarely has them on a line of their own."""
    key: str
    """The text casefolded, its white space collapsed: lines with the same key repeat each other."""


def _is_urlish(text: str, folded: str) -> bool:
    # Runs only on lines holding what one test needs: "://", "@", "www." or "[email protected]"'s
    # bracket. An address (``x@y.z``) is looked for token by token: as one regex (``\S+@\S+\.\w``)
    # it backtracks into cubic time on a long line of "a@a@a@...".
    if "@" in text or "://" in text or ("." in text and ("www." in folded or "[" in text)):
        if _URLISH.search(text) is not None:
            return True
        if "@" in text:
            for token in text.split():
                at = token.find("@", 1)
                if at > 0 and _DOT_WORD.search(token, at + 2) is not None:
                    return True
    return False


def _separators(text: str) -> int:
    if "|" in text or "•" in text or "»" in text or "·" in text or " / " in text:
        return len(_SEPARATOR.findall(text))
    return 0


def _sentence_end(text: str) -> bool:
    last = text[-1] if text else ""
    if last in ")]":  # "... the game (145)" is a title with a count; "... said. (AP)" ends a sentence
        m = _TRAILING_GROUP.search(text)  # no leading \s* in the pattern: that made it quadratic
        inner = text[: m.start()].rstrip() if m is not None else text
        return bool(inner) and inner != text and inner[-1] in _SENTENCE_END
    return last in _SENTENCE_END


def measure(text: str) -> Features:
    """Measure one block's text."""
    lowered = text.isascii() or _NOT_INERT.search(text) is None
    if lowered:
        # Lowercasing such text changes no word boundary: the words come out ready for the look-up.
        folded = text.lower()
        tokens = _ASCII_WORD.findall(folded)
        cjk = unspaced = 0
    else:
        folded = text.casefold()
        if len(folded) == len(text) and _FOLDS_TO_LETTER not in text:
            # Each character folded to one of the same kind: the folded text's words are the folded words.
            tokens = _WORD.findall(folded)
        else:  # "İ" folds to "i" and a combining dot above: fold word by word, and drop the dot
            tokens = [w.casefold().replace("i\u0307", "i") for w in _WORD.findall(text)]
        cjk = len(_CJK.findall(text))
        unspaced = len(_UNSPACED.findall(text)) // _UNSPACED_WORD_CHARS
    n_tok = len(tokens)
    stop_ratio = sum(map(stopwords().__contains__, tokens)) / n_tok if n_tok else 0.0
    if cjk > n_tok:
        # No spaces to count words by: the share of function characters stands in for stop words.
        stop_ratio = min(1.0, len(_CJK_FUNCTION.findall(text)) / cjk * 1.5)
    if unspaced > n_tok:
        stop_ratio = min(1.0, len(_UNSPACED_FUNCTION.findall(text)) / unspaced)
    sentence_end = _sentence_end(text)
    if not sentence_end and unspaced >= _UNPUNCTUATED_SENTENCE_WORDS and stop_ratio:
        sentence_end = _UNPUNCTUATED_END.search(text) is not None
    teaser = text.endswith(("…", "...")) and n_tok > 3
    timestamp = n_tok <= 10 and len(text) <= 80 and _is_timestamp(text, folded, lowered)
    # Positional arguments, in field order: an attrs class is built faster that way.
    return Features(
        len(text),
        n_tok + cjk // 2 + unspaced,
        stop_ratio,
        sentence_end,
        _is_urlish(text, folded),
        _separators(text),
        teaser,
        timestamp,
        _key(folded),
    )


def _key(folded: str) -> str:
    """The casefolded text with its white space collapsed."""
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded  # its only white space is single spaces between words (no other is printable)
    return " ".join(folded.split())


def _is_timestamp(text: str, folded: str, lowered: bool) -> bool:
    """Whether ``text`` holds a date or a time; ``folded`` is the text lowercased when ``lowered``.
    Not the signature of a post quoted in the article ("— Jane Doe (@jane) May 3, 2024", as embedded
    tweets end): that is part of the quote, not the stamp of a comment or a list entry."""
    if _DIGIT.search(text) is None:  # all of them have a digit: a quick test before the slow one
        return False
    if _EMBED_SIGNATURE.match(text) is not None:
        return False
    if lowered:
        return _LOWER_TIMESTAMP.search(folded) is not None
    return _TIMESTAMP.search(text) is not None
