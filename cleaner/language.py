"""Clean text -> language: langdetect on a bounded sample, seeded so the answer never changes."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

UNDETERMINED = "und"
SAMPLE_CHARS = 1200
MIN_LETTERS = 20
N_TRIAL = 3

_LETTER = re.compile(r"[^\W\d_]")
_NOISE = re.compile(r"https?://\S+|\S+@\S+|[#@]\w+")


@cache
def _factory() -> Any:
    from langdetect import detector_factory

    detector_factory.init_factory()
    factory = detector_factory._factory
    factory.set_seed(0)
    return factory


def sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """A bounded, deterministic sample: whole lines from the start of the text, longest first."""
    text = _NOISE.sub(" ", text)
    if len(text) <= limit:
        return text
    lines = sorted((ln for ln in text.split("\n") if ln.strip()), key=len, reverse=True)
    out: list[str] = []
    size = 0
    for ln in lines:
        out.append(ln[: limit - size])
        size += len(out[-1]) + 1
        if size >= limit:
            break
    return "\n".join(out)


def detect(text: str) -> tuple[str, float]:
    """ISO 639-1 code and probability, or (``und``, 0.0) when the text cannot tell."""
    piece = sample(text)
    if len(_LETTER.findall(piece)) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    try:
        from langdetect.lang_detect_exception import LangDetectException

        detector = _factory().create()
        detector.n_trial = N_TRIAL
        detector.append(piece)
        probs = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED, 0.0
    if not probs:
        return UNDETERMINED, 0.0
    best = probs[0]
    return str(best.lang), round(float(best.prob), 4)
