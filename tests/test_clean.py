"""The library API: ``clean()`` on the seed documents, the result object, inputs, language, outlet."""

from __future__ import annotations

import gc
import gzip
import hashlib
from pathlib import Path

import attrs
import pytest
from samples import SEEDS

import cleaner
from cleaner import CleanResult, InputError, Outlet, clean, verify
from cleaner.rules import default_rules

# Per seed: lines of the article that must be kept (headline first) and boilerplate that must go.
SEED_CASES = {
    "000": {
        "article": [
            "Ukraine-NATO Council condemns Russian strikes, reaffirms support for Kyiv",
            "The Ukraine-NATO Council held a meeting today at the ambassadorial level to discuss the massive "
            "Russian strikes on Ukraine using Iranian drones and North Korean missiles.",
            "The Ukraine-NATO Council meeting due to Russia's attacks",
            "On December 29, Russian terrorists heavily shelled Ukraine, firing around 160 missiles of various "
            "types besides Kalibr.",
            "Subsequently, Ukraine's Foreign Minister, Dmytro Kuleba, initiated the Ukraine-NATO Council meeting",
        ],
        "boilerplate": ["ua en ru", "Author: Daria Shekina"],
        "outlet": None,
    },
    "001": {
        "article": [
            "NATO-Ukraine Council Meets, Allies Pledge Further Air Defences",
            "The NATO-Ukraine Council met on Wednesday (10 January 2024) following recent waves of heavy Russian "
            "airstrikes against Ukrainian civilians and infrastructure.",
            "Wednesday’s meeting was held at ambassadorial level and was convened at Ukraine’s request.",
        ],
        "boilerplate": ["Leave a Reply", "Your email address will not be published", "Required fields are marked"],
        "outlet": None,
    },
    "002": {
        "article": [
            "NATO countries pledged to continue strengthening Ukraine’s air defenses",
            "The allies expressed themselves in this sense during a new ambassador-level meeting of the "
            "NATO-Ukraine Council",
            "This Wednesday’s meeting was called at the request of kyiv and was chaired by Stoltenberg.",
        ],
        "boilerplate": [],
        "outlet": None,
    },
    "003": {
        "article": [
            "Stoltenberg to convene NATO-Ukraine Council over Russian air strikes",
            "NATO Secretary General to hold NATO-Ukraine Council meeting next week to discuss Russian missile "
            "and drone strikes on Ukraine amid recent escalation.",
            "NATO spokesperson Dylan White announced on 4 January that NATO Secretary-General Jens Stoltenberg "
            "will convene the NATO-Ukraine Council on 10 January",
            "A day prior, Kuleba urged allies to expedite the delivery of air defense systems",
        ],
        "boilerplate": [
            "Copyright ©",
            "The work of Euromaidan Press is supported by",
            "When referencing our materials",
            "Privacy and Cookie Policies",
            "Read also:",
            "You could close this page",
            "Become a Patron!",
            "To suggest a correction or clarification",
            "press Ctrl + Enter",
            "Please leave your suggestions or corrections here",
            "Stay informed with Kompreno",
            "Special discount",
            "for Euromaidan Press readers",
            "disabling your ad blocker",
            "Related Posts",
        ],
        "outlet": ("Euromaidan Press", "euromaidanpress.com"),
    },
    "004": {
        "article": [
            "Nato, Ukraine to discuss air defences after Russian strikes",
            "Moscow unleashed major missile and drone attacks on its neighbour over the New Year.",
            "Ambassadors from Nato and Ukraine will hold a special meeting next week as Kyiv urges faster "
            "deliveries of air defences after mounting Russian strikes, the alliance said today.",
            "At least 32 people were killed in the deadliest attack on Kyiv on Dec 29.",
            "However, right-wing Republicans have led a push to halt the effort",
        ],
        "boilerplate": ["Follow FMT on WhatsApp", "Stay current", "Subscribe to our newsletter"],
        "outlet": ("Free Malaysia Today", "freemalaysiatoday.com"),
    },
}

PROSE = (
    "The city council met on Monday evening to discuss the budget for the coming year, and the members "
    "agreed that the library would stay open on Sundays. Residents who spoke at the meeting said that the "
    "bus service to the old town had become too slow."
)


def _seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS}")
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return found[0]


@pytest.fixture(scope="module")
def seed_results() -> dict[str, tuple[bytes, CleanResult]]:
    out = {}
    for prefix in SEED_CASES:
        path = _seed(prefix)
        data = path.read_bytes()
        out[prefix] = (data, clean(data))
    return out


# --- seeds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", sorted(SEED_CASES))
def test_seed_language_is_english(prefix: str, seed_results) -> None:
    _, result = seed_results[prefix]
    assert result.language == "en"
    assert 0.5 < result.language_score <= 1.0


@pytest.mark.parametrize("prefix", sorted(SEED_CASES))
def test_seed_outlet(prefix: str, seed_results) -> None:
    data, result = seed_results[prefix]
    want = SEED_CASES[prefix]["outlet"]
    if want is None:
        assert result.outlet is None, f"outlet guessed without evidence: {result.outlet}"
        return
    assert result.outlet is not None
    assert (result.outlet.name, result.outlet.domain) == want
    # the evidence is a real piece of the document, named by a rule in force
    assert 0 <= result.outlet.start < result.outlet.end <= len(data)
    assert result.outlet.rule in default_rules().by_id


@pytest.mark.parametrize("prefix", sorted(SEED_CASES))
def test_seed_article_lines_kept(prefix: str, seed_results) -> None:
    _, result = seed_results[prefix]
    for line in SEED_CASES[prefix]["article"]:
        assert line in result.text, f"article line missing: {line[:60]!r}"


@pytest.mark.parametrize("prefix", sorted(SEED_CASES))
def test_seed_headline_first_and_once(prefix: str, seed_results) -> None:
    _, result = seed_results[prefix]
    headline = SEED_CASES[prefix]["article"][0]
    lines = result.text.split("\n")
    assert lines[0] == headline
    assert lines.count(headline) == 1


@pytest.mark.parametrize("prefix", sorted(p for p in SEED_CASES if SEED_CASES[p]["boilerplate"]))
def test_seed_boilerplate_removed(prefix: str, seed_results) -> None:
    _, result = seed_results[prefix]
    left = [b for b in SEED_CASES[prefix]["boilerplate"] if b in result.text]
    assert not left, f"boilerplate kept: {left}"


def test_seed_001_lone_by_line_removed(seed_results) -> None:
    _, result = seed_results["001"]
    assert "By" not in result.text.split("\n")


@pytest.mark.parametrize("prefix", sorted(SEED_CASES))
def test_seed_provenance(prefix: str, seed_results) -> None:
    data, result = seed_results[prefix]
    assert verify(result, data) == []
    assert result.encoding == "utf-8"
    assert result.kind == "text"
    rule_ids = default_rules().by_id
    for r in result.removed:
        assert r.rule in rule_ids, f"removal by unknown rule {r.rule!r}"
        assert r.line >= 1 and r.col >= 1


# --- the result object ----------------------------------------------------------------------------


def test_result_is_frozen_and_complete() -> None:
    data = f"Council keeps library open\n\n{PROSE}\n\nLeave a Reply\n".encode()
    result = clean(data)
    assert isinstance(result, CleanResult)
    assert attrs.has(CleanResult)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.text = "changed"  # type: ignore[misc]
    for obj in (*result.spans, *result.removed):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            obj.start = 0  # type: ignore[misc]
    assert isinstance(result.spans, tuple) and isinstance(result.removed, tuple)
    hash(result.spans)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.rules_digest == default_rules().digest
    assert result.version == cleaner.__version__
    assert result.kind == "text"
    assert result.encoding == "utf-8"


def test_every_result_field_is_documented() -> None:
    for cls in (CleanResult, cleaner.Span, cleaner.Removal, Outlet):
        assert cls.__doc__
    assert clean.__doc__


def test_sha256_is_of_the_source_bytes_not_the_text() -> None:
    data = b"\xef\xbb\xbf" + f"{PROSE}\r\n\r\nLeave a Reply\r\n".encode()
    result = clean(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.sha256 != hashlib.sha256(result.text.encode()).hexdigest()


# --- inputs ---------------------------------------------------------------------------------------


def test_str_input_is_the_text_itself(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(PROSE, encoding="utf-8")
    as_str = clean(str(path))  # a str is text, even when it looks like a path
    assert as_str.sha256 == hashlib.sha256(str(path).encode()).hexdigest()
    assert PROSE not in as_str.text
    text_result = clean(PROSE)
    assert text_result == clean(PROSE.encode("utf-8"))
    assert PROSE in text_result.text


def test_path_input_is_read_from_disk(tmp_path: Path) -> None:
    data = f"Council keeps library open\n\n{PROSE}\n".encode()
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    assert clean(path) == clean(data)
    assert PROSE in clean(path).text


def test_bytes_like_inputs() -> None:
    data = PROSE.encode()
    assert clean(bytearray(data)) == clean(memoryview(data)) == clean(data)


def test_html_is_refused_or_handled_not_crashing() -> None:
    data = b"<!doctype html><html><body><p>" + PROSE.encode() + b"</p></body></html>"
    try:
        result = clean(data)
    except InputError as e:
        assert "html" in str(e).lower()
        return
    assert result.kind == "html"
    assert verify(result, data) == []


def test_html_forced_as_text() -> None:
    data = b"<p>" + PROSE.encode() + b"</p>\n"
    result = clean(data, kind="text")
    assert result.kind == "text"
    assert verify(result, data) == []


# --- language -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1234567890 2024-01-10 12:30 +380 44 123 45 67",
        "— — — *** ### 12 % 45 € ... !!! ???",
        "😀 👍🏽 🇺🇦 🎉 ❤️ 🙈",
        "Hi.",
        "OK",
        "  \n\t\n",
        "https://www.example.com/news/2024/01/10/article-12345.html",
    ],
    ids=["digits", "symbols", "emoji", "hi", "ok", "blank", "url"],
)
def test_language_undetermined(text: str) -> None:
    result = clean(text)
    assert result.language == "und"
    assert result.language_score == 0.0


@pytest.mark.parametrize(
    "text, lang",
    [
        (PROSE, "en"),
        (
            "Der Stadtrat hat am Montagabend über den Haushalt für das nächste Jahr beraten, und die Mitglieder "
            "beschlossen, dass die Bücherei künftig auch sonntags geöffnet bleibt.",
            "de",
        ),
        (
            "Городской совет в понедельник обсудил бюджет на следующий год, и депутаты решили, что библиотека "
            "будет открыта по воскресеньям.",
            "ru",
        ),
    ],
    ids=["en", "de", "ru"],
)
def test_language_of_clear_prose(text: str, lang: str) -> None:
    result = clean(text)
    assert result.language == lang
    assert 0.5 < result.language_score <= 1.0


def test_language_is_deterministic_across_processes() -> None:
    import subprocess
    import sys

    text = "Ce texte est court mais il est en français, avec des mots simples."
    code = f"import cleaner; r = cleaner.clean({text!r}); print(r.language, r.language_score)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    result = clean(text)
    assert proc.stdout.split() == [result.language, str(result.language_score)]


# --- outlet ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, name, domain",
    [
        (
            "https://www.freemalaysiatoday.com/category/world/2024/01/05/x/",
            "Free Malaysia Today",
            "freemalaysiatoday.com",
        ),
        ("http://euromaidanpress.com/2024/01/05/x", "Euromaidan Press", "euromaidanpress.com"),
        ("https://news.example.co.uk/a/b?c=d", "example.co.uk", "example.co.uk"),
        ("https://edition.example-news.com/story", "example-news.com", "example-news.com"),
    ],
)
def test_outlet_from_url(url: str, name: str, domain: str) -> None:
    result = clean(PROSE, url=url)
    assert result.outlet is not None
    assert (result.outlet.name, result.outlet.domain) == (name, domain)
    assert result.outlet.rule == "outlet-url"


def test_url_beats_evidence_in_the_document() -> None:
    doc = f"{PROSE}\n\nCopyright © 2024 Euromaidanpress.com\n"
    result = clean(doc, url="https://www.freemalaysiatoday.com/x")
    assert result.outlet is not None and result.outlet.domain == "freemalaysiatoday.com"


def test_outlet_from_copyright_line_with_evidence() -> None:
    data = f"Council keeps library open\n\n{PROSE}\n\nCopyright © 2024 Euromaidanpress.com\n".encode()
    result = clean(data)
    assert result.outlet is not None
    assert result.outlet.name == "Euromaidan Press"
    assert b"Euromaidanpress.com" in data[result.outlet.start : result.outlet.end]


@pytest.mark.parametrize(
    "credit",
    [
        "Photo: Reuters",
        "(AP Photo/Efrem Lukatsky)",
        "© 2024 Reuters",
        "Copyright © 2024 AFP. All rights reserved.",
        "(With information from EFE)",
        "Photo: EPA-EFE/Sergey Dolzhenko",
        "Source: Getty Images",
        "Source: reuters.com",
        "Follow AP News on Twitter",
        "저작권자 ⓒ 연합뉴스, 무단 전재 및 재배포 금지",
        "© ТАСС",
        "© Интерфакс",
        "Copyright © 共同通信",
        "(c) Xinhuanet",
        "© apnews.com",
        "© aa.com.tr",
    ],
)
def test_agency_or_photo_credit_is_never_the_outlet(credit: str) -> None:
    doc = f"Council keeps library open\n\n{PROSE}\n\n{credit}\n\n{PROSE.replace('Monday', 'Tuesday')}\n"
    result = clean(doc)
    assert result.outlet is None, f"{credit!r} taken for the outlet: {result.outlet}"


@pytest.mark.parametrize(
    ("doc", "name", "domain"),
    [
        (f"Oil slips as supply worries grow - Reuters\n\n{PROSE}\n", "Reuters", "reuters.com"),
        (f"Council keeps library open | AP News\n\n{PROSE}\n", "AP News", "apnews.com"),
        (
            "<html><head><title>Council keeps library open</title><meta property='og:site_name' content='Reuters'>"
            f"</head><body><article><p>{PROSE}</p></article></body></html>",
            "Reuters",
            "reuters.com",
        ),
    ],
)
def test_an_agency_is_the_outlet_of_its_own_site(doc: str, name: str, domain: str) -> None:
    """A page title's site suffix or a page's site name is the site's own name: an agency's site is its outlet."""
    result = clean(doc)
    assert result.outlet is not None and (result.outlet.name, result.outlet.domain) == (name, domain)


def test_no_evidence_no_outlet() -> None:
    assert clean(f"Council keeps library open\n\n{PROSE}\n").outlet is None


def test_the_garbage_collector_is_paused_while_cleaning_and_restored_after() -> None:
    from cleaner.core import run

    seen: list[bool] = []
    doc = b"The council met on Monday to discuss the budget for the coming year.\n"
    assert gc.isenabled()
    run(doc, default_rules(), done=lambda stage: seen.append(gc.isenabled()))
    assert seen and not any(seen), "collector on during a stage"
    assert gc.isenabled()
    with pytest.raises(InputError):
        clean(b"")
    assert gc.isenabled(), "not restored after an error"
    gc.disable()
    try:
        clean(doc)
        assert not gc.isenabled(), "a collector the caller turned off was turned on"
    finally:
        gc.enable()


def test_a_gzipped_path_is_cleaned_as_the_document_it_holds(tmp_path: Path) -> None:
    data = (SEEDS / "004_440043d812c3049a.txt").read_bytes() if SEEDS.is_dir() else b"The council met.\n"
    path = tmp_path / "seed.txt.gz"
    path.write_bytes(gzip.compress(data[: len(data) // 2]) + gzip.compress(data[len(data) // 2 :]))  # two members
    assert clean(path) == clean(data)
    assert verify(clean(path), data) == []
    with pytest.raises(InputError, match=r"binary file \(gzip data\)"):
        clean(path.read_bytes())  # bytes are taken as they are: only a .gz name says "decompress me"
    with pytest.raises(InputError, match=r"seed\.txt\.gz: too large once decompressed"):
        clean(path, max_bytes=len(data) - 1)
    trailing = tmp_path / "trailing.txt.gz"
    trailing.write_bytes(gzip.compress(data) + b"not gzip")
    with pytest.raises(InputError, match=r"not valid gzip data \(bytes that are not gzip data follow it\)"):
        clean(trailing)
    upper = tmp_path / "seed.txt.GZ"  # the suffix is read in lower case only, as the shared verifier reads it
    upper.write_bytes(path.read_bytes())
    with pytest.raises(InputError, match=r"gzip data.*a gzipped document is read from a name ending in \.gz"):
        clean(upper)


def test_without_a_size_limit_a_gzipped_document_is_still_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleaner import files

    monkeypatch.setattr(files, "GUNZIP_CAP", 1 << 20)
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(bytes(4 << 20)))
    with pytest.raises(
        InputError, match=r"bomb\.txt\.gz: too large once decompressed \(over the limit of 1048576 bytes\)"
    ):
        clean(path, max_bytes=0)
