"""What many tests share: where the repository's and the shared benchmark's data are, and a few
sentences of article prose in several languages (the tests' own words, not copied articles)."""

from __future__ import annotations

import gzip
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
EXPECTED = REPO / "tests" / "expected"
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
BENCH = SHARED / "bench" / "articles"
BENCH_VERIFY = SHARED / "bench" / "verify.py"


def document_bytes(path: Path) -> bytes:
    """The document a file holds, whose bytes offsets count: gunzipped for a ``.gz`` name."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


PROSE_EN = (
    "The city council met on Monday evening to discuss the budget for the coming year, and the members "
    "agreed that the library would stay open on Sundays."
)
PROSE_EN_2 = (
    "Residents who spoke at the meeting said that the bus service to the old town had become too slow, "
    "and the mayor promised a report on it before the summer."
)
PROSE_RU = (
    "Городской совет в понедельник обсудил бюджет на следующий год, и депутаты решили, что библиотека "
    "будет открыта по воскресеньям."
)
PROSE_RU_2 = (
    "Жители, выступившие на заседании, пожаловались на автобусы, и мэр пообещал подготовить отчёт об этом до лета."
)
PROSE_FR = (
    "Le conseil municipal s’est réuni lundi soir pour débattre du budget de l’année prochaine, "
    "et les élus ont décidé que la bibliothèque resterait ouverte le dimanche à 10 €."
)
PROSE_DE = (
    "Der Stadtrat hat am Montagabend über den Haushalt für das nächste Jahr beraten, und die "
    "Mitglieder beschlossen, dass die Bücherei künftig auch sonntags geöffnet bleibt – für 5 €."
)
PROSE_JA = "東京都議会は月曜日に来年度の予算を審議し、図書館を日曜日も開けることを決めた。"


def _articles() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (REPO / "tests" / "multilingual.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, paragraph = line.split("\t")
            out.setdefault(lang, []).append(paragraph)
    return out


ARTICLES = _articles()
"""Three paragraphs of article prose per language code (``tests/multilingual.txt``)."""
