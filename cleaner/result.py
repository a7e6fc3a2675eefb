"""The value objects `clean()` returns. All offsets are bytes; all classes are frozen."""

from __future__ import annotations

import attrs


@attrs.frozen
class Span:
    """One kept piece of the clean text and where it came from."""

    text_start: int
    """Byte offset of the piece in ``CleanResult.text`` encoded as UTF-8."""
    text_end: int
    """End (exclusive) of the piece in the UTF-8 clean text."""
    source_start: int
    """Byte offset of the piece's origin in the original input bytes."""
    source_end: int
    """End (exclusive) of the origin in the original input bytes."""

    def as_list(self) -> list[int]:
        """``[text_start, text_end, source_start, source_end]``, the JSONL form."""
        return [self.text_start, self.text_end, self.source_start, self.source_end]


@attrs.frozen
class Removal:
    """One piece of the source that was left out, and the rule that left it out."""

    start: int
    """Byte offset of the removed piece in the original input."""
    end: int
    """End (exclusive) of the removed piece in the original input."""
    rule: str
    """Id of the rule that removed it (see ``clean rules list``)."""
    category: str
    """The rule's category, e.g. ``comment-prompt`` or ``copyright``."""
    line: int = 0
    """1-based line of the piece's start in the source (0 when unknown)."""
    col: int = 0
    """1-based column (in characters) of the piece's start in its line."""
    message: str = ""
    """Why it was removed, for people."""


@attrs.frozen
class Outlet:
    """The publication a document comes from, with the evidence for it."""

    name: str
    """Display name, e.g. ``Free Malaysia Today``."""
    domain: str | None
    """Registrable domain, e.g. ``freemalaysiatoday.com``, when known."""
    rule: str
    """Id of the evidence rule (``outlet-url``, ``outlet-copyright``, ...)."""
    start: int
    """Byte offset of the evidence in the source (0 with ``end`` 0 for the url)."""
    end: int
    """End (exclusive) of the evidence in the source."""


@attrs.frozen
class CleanResult:
    """Everything ``clean()`` learnt about one document."""

    text: str
    """The article text: kept blocks joined by ``\\n`` (same paragraph) or ``\\n\\n``."""
    spans: tuple[Span, ...]
    """Kept pieces, in text order; the separators are the only text outside them."""
    removed: tuple[Removal, ...]
    """Left-out pieces, in source order, each naming its rule."""
    language: str
    """ISO 639-1 code (``zh-cn``/``zh-tw`` for Chinese), or ``und`` when not decidable."""
    language_score: float
    """langdetect's probability for ``language`` (0.0 for ``und``)."""
    outlet: Outlet | None
    """The outlet and its evidence, or None when the document shows none."""
    kind: str
    """``text`` or ``html``."""
    encoding: str
    """Codec the source was decoded with (spans decode with it), e.g. ``utf-8``, ``cp1251``."""
    sha256: str
    """Hex SHA-256 of the source bytes."""
    rules_digest: str
    """Hex digest of the rule set that produced this result."""
    version: str
    """The cleaner version that produced this result."""
