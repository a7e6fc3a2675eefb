"""The hostile corpus: inputs that must never crash, hang or mislead the cleaner.

``build(root)`` writes the inputs into ``root`` (deterministically: random bytes come from a
generator seeded with the entry's name) and returns the entries it made, by id. Each entry says
what the cleaner must give:

* ``ok``: a cleaned document whose provenance verifies;
* ``error``: exactly one clear, single-line error naming the file, matching ``reason`` (a regex);
* ``either``: one of the two (blank input, HTML while HTML support lands, and so on).

An entry with ``known_bug`` is left out of the batch run: it hangs or crashes today, and a strict
``xfail`` test in ``tests/test_hostile.py`` holds it until the bug is fixed (then drop ``known_bug``
and the entry joins the batch). Inputs the platform cannot make (a FIFO without ``mkfifo``, an
unreadable file when running as root, symbolic links without the privilege) are left out.

Nothing here is committed as data. To look at the inputs, write them out by hand:

    python tests/hostile/make_corpus.py OUT_DIR

Every file name ends in a suffix the ``clean`` walker takes (``.txt`` or ``.html``, perhaps followed
by ``.gz``) so that each one reaches the cleaner.
"""

from __future__ import annotations

import codecs
import gzip
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the tests' shared samples are one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from samples import PROSE_EN, PROSE_EN_2, PROSE_JA, PROSE_RU, PROSE_RU_2

MAX_SIZE = 8_000_000
"""The ``--max-size`` (bytes) the batch passes: the big inputs stay under it, ``too-large.txt`` is over."""
TINY_LINES = 2_000_000
"""Lines of ``tiny-lines.txt``: mostly blank, every 16th a word (125,000 blocks, as many removals)."""
LONG_LINE_BYTES = 5_000_000
NESTING = 100_000
HOSTILE_LINE = 50_000
"""Length of the lines built to make a backtracking regex (``re``, not RE2) take quadratic time."""

ARTICLE_EN = f"Council keeps library open\n\n{PROSE_EN}\n\n{PROSE_EN_2}\n\nLeave a Reply\n"
ARTICLE_RU = f"Совет сохранил библиотеку\n\n{PROSE_RU}\n\n{PROSE_RU_2}\n"
HTML_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Council keeps library open</title></head>"
    "<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Council keeps library open</h1>"
    f"<p>{PROSE_EN}</p><p>{PROSE_EN_2}</p></article><footer>Leave a Reply</footer></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"

BINARY = r"binary|not a text"
NESTED = r"nest|deep"


@dataclass(frozen=True)
class Entry:
    name: str
    """The input's id: its path relative to the corpus folder."""
    expect: str
    """``ok``, ``error`` or ``either``."""
    make: Callable[[Path, random.Random], None]
    """Writes the input at the path given."""
    reason: str = ""
    """A regex the one-line error must match (``error``, and the error branch of ``either``)."""
    slow: bool = False
    """Big input (seconds to clean): only the batch runs it."""
    special: bool = False
    """Not a regular file (folder, FIFO, link, unreadable, sparse): only the batch runs it."""
    known_bug: str = ""
    """Why the entry is left out of the batch: it hangs or crashes today (see the module docstring)."""


def _data(data: bytes | Callable[[random.Random], bytes]) -> Callable[[Path, random.Random], None]:
    def make(path: Path, rng: random.Random) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data(rng) if callable(data) else data)

    return make


def _random(n: int, prefix: bytes = b"") -> Callable[[random.Random], bytes]:
    return lambda rng: prefix + rng.randbytes(n)


def _gzip_random(rng: random.Random) -> bytes:
    return gzip.compress(rng.randbytes(4096), mtime=0)


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _gzip_corrupt(rng: random.Random) -> bytes:
    packed = bytearray(_gz(ARTICLE_EN.encode() * 4))
    packed[len(packed) // 2 : len(packed) // 2 + 8] = rng.randbytes(8)
    return bytes(packed)


def _text(
    name: str,
    expect: str,
    data: bytes | Callable[[random.Random], bytes],
    *,
    reason: str = "",
    slow: bool = False,
    known_bug: str = "",
) -> Entry:
    return Entry(name, expect, _data(data), reason=reason, slow=slow, known_bug=known_bug)


def _too_large(path: Path, rng: random.Random) -> None:
    with open(path, "wb") as f:  # sparse: costs no disk
        f.write(ARTICLE_EN.encode())
        f.truncate(MAX_SIZE + 1)


def _fifo(path: Path, rng: random.Random) -> None:
    os.mkfifo(path)


def _unreadable(path: Path, rng: random.Random) -> None:
    path.write_bytes(ARTICLE_EN.encode())
    path.chmod(0)


def _broken_link(path: Path, rng: random.Random) -> None:
    os.symlink(path.parent / "no-such-target.txt", path)


def _tiny_lines(rng: random.Random) -> bytes:
    def line(i: int) -> bytes:
        if i % 16:
            return b"\n" if i % 3 else b" \r\n"
        return b"ab\n" if i % 32 else b"7\r\n"

    return b"".join(line(i) for i in range(TINY_LINES))


def _hostile_line(line: bytes) -> bytes:
    return f"{PROSE_EN}\n\n".encode() + line + f"\n\n{PROSE_EN_2}\n".encode()


def entries() -> list[Entry]:
    """Every entry this platform can make, in a fixed order."""
    ok, either = "ok", "either"
    out = [
        # --- good documents ------------------------------------------------------------------
        _text("good-en.txt", ok, ARTICLE_EN.encode()),
        _text("good-ru-cp1251.txt", ok, ARTICLE_RU.encode("cp1251")),
        _text("good-crlf.txt", ok, ARTICLE_EN.replace("\n", "\r\n").encode()),
        _text("good-bom.txt", ok, codecs.BOM_UTF8 + ARTICLE_RU.encode()),
        _text("nested/good-deep.txt", ok, f"{PROSE_EN_2}\n\n{PROSE_EN}\n".encode()),
        # --- nothing, or nothing but white space ---------------------------------------------
        _text("empty.txt", "error", b"", reason=r"empty"),
        _text("whitespace.txt", either, b" \n\t\r\n\r\n   \n\x0b\x0c\n"),
        _text("bom-only.txt", either, codecs.BOM_UTF8),
        _text("utf16-bom-only.txt", either, codecs.BOM_UTF16_LE),
        # --- binary --------------------------------------------------------------------------
        _text("png.txt", "error", _random(2048, PNG), reason=BINARY),
        _text("pdf.txt", "error", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", reason=BINARY),
        _text("gzip.txt", "error", _gzip_random, reason=BINARY),
        _text("elf.txt", "error", _random(1024, b"\x7fELF\x02\x01\x01\x00" + bytes(8)), reason=BINARY),
        _text("zip.txt", "error", _random(512, b"PK\x03\x04\x14\x00\x00\x00\x08\x00"), reason=BINARY),
        _text("random-bytes.txt", either, _random(8192), reason=BINARY + r"|decode"),
        _text("control-bytes.txt", "error", bytes(b % 26 + 1 for b in range(4000)), reason=BINARY),
        _text("nul-inside.txt", either, f"{PROSE_EN}\n\n".encode() + b"\x00" + f"\n\n{PROSE_EN_2}\n".encode()),
        _text("nul-many.txt", "error", PROSE_EN.encode() + bytes(200) + PROSE_EN_2.encode(), reason=BINARY),
        # --- gzipped documents (read decompressed) and gzip that is not one ------------------
        _text("gzipped.txt.gz", ok, _gz(ARTICLE_EN.encode())),
        _text("gzipped-members.txt.gz", ok, _gz(ARTICLE_EN.encode()) + _gz(ARTICLE_RU.encode())),
        _text("gzipped-page.html.gz", either, _gz(HTML_PAGE.encode())),
        _text("gzip-truncated.txt.gz", "error", _gz(ARTICLE_EN.encode())[:-12], reason=r"gzip.*ends too soon"),
        _text("gzip-corrupt.txt.gz", "error", _gzip_corrupt, reason=r"not valid gzip"),
        _text("gzip-missing.txt.gz", "error", ARTICLE_EN.encode(), reason=r"not valid gzip.*header"),
        _text("gzip-of-png.html.gz", "error", lambda rng: _gz(_random(2048, PNG)(rng)), reason=BINARY),
        _text("gzip-bomb.txt.gz", "error", _gz(bytes(8 * MAX_SIZE)), reason=r"once decompressed"),
        # --- broken, mixed and BOM-less encodings --------------------------------------------
        _text(
            "invalid-utf8.txt",
            ok,
            f"{PROSE_RU} «Ёлка» — déjà vu.\n\n".encode() + b"\xff\xfe broken \x80 bytes \xc3\n\n" + ARTICLE_RU.encode(),
        ),
        _text("mixed-utf8-cp1251.txt", ok, ARTICLE_RU.encode() + b"\n" + ARTICLE_RU.encode("cp1251")),
        _text(
            "lone-surrogates.txt",
            ok,
            f"{PROSE_EN} \ud800 and \udfff and \udc80.\n\n{PROSE_EN_2}\n".encode("utf-8", "surrogatepass"),
        ),
        _text(
            "overlong-utf8.txt",
            ok,
            f"{PROSE_EN}\n\n".encode() + b"\xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf\n\n" + ARTICLE_EN.encode(),
        ),
        _text("utf16le-bom.txt", ok, codecs.BOM_UTF16_LE + ARTICLE_RU.encode("utf-16-le")),
        _text("utf16be-bom.txt", ok, codecs.BOM_UTF16_BE + ARTICLE_EN.encode("utf-16-be")),
        _text("utf16le-nobom.txt", ok, ARTICLE_EN.encode("utf-16-le")),
        _text("utf16be-nobom.txt", ok, ARTICLE_RU.encode("utf-16-be")),
        _text("utf16-odd-length.txt", either, codecs.BOM_UTF16_LE + ARTICLE_EN.encode("utf-16-le") + b"A"),
        _text(
            "utf16-lone-surrogate.txt",
            either,
            codecs.BOM_UTF16_LE + PROSE_EN.encode("utf-16-le") + b"\x00\xd8" + PROSE_EN_2.encode("utf-16-le"),
        ),
        _text("utf32le-bom.txt", either, codecs.BOM_UTF32_LE + ARTICLE_EN.encode("utf-32-le")),
        _text(
            "zero-width-and-bidi.txt",
            ok,
            f"\u202e{PROSE_EN}\u202c\u200b\n\n\u2066{PROSE_RU}\u2069\ufeff\n\n{'e' + chr(0x301) * 500}\n".encode(),
        ),
        # --- size and shape ------------------------------------------------------------------
        _text("long-line.txt", ok, (b"word " * (LONG_LINE_BYTES // 5))[:-1] + b".", slow=True),
        _text("long-token.txt", ok, b"x" * (LONG_LINE_BYTES // 5), slow=True),
        _text("long-line-cyrillic.txt", ok, ("ёж " * 400_000).encode()),
        _text("tiny-lines.txt", ok, _tiny_lines, slow=True),
        _text("blank-lines.txt", ok, b"\n" * 500_000 + PROSE_EN.encode() + b"\r" * 500_000),
        _text("line-at-chain.txt", ok, _hostile_line(b"a@" * (HOSTILE_LINE // 2))),
        _text(
            "line-long-address.txt",
            ok,
            _hostile_line(b"x" * HOSTILE_LINE + b"@" + b"y" * HOSTILE_LINE),
        ),
        _text("line-spaces-paren.txt", ok, _hostile_line(b"a" + b" " * HOSTILE_LINE + b"b)")),
        # --- HTML ----------------------------------------------------------------------------
        _text("good-page.html", either, HTML_PAGE.encode()),
        _text(
            "nested-divs.html",
            either,
            b"<!doctype html><html><body>" + b"<div>" * NESTING + PROSE_EN.encode() + b"</div>" * NESTING,
            reason=NESTED,
            slow=True,
        ),
        _text("nested-unclosed.html", either, b"<html><body>" + b"<div><span>x" * (NESTING // 2), reason=NESTED),
        _text(
            "unclosed-tags.html",
            either,
            f"<html><body><p>{PROSE_EN}<p><b><i>{PROSE_EN_2}<div><table><tr><td>{PROSE_EN}".encode(),
        ),
        _text(
            "script-never-closed.html",
            either,
            f"<html><head><script>var s = '{PROSE_EN}';\n".encode() + b"for (;;) { x = '</scr' + 'ipt>'; }\n" * 2000,
        ),
        _text("comment-never-closed.html", either, f"<html><body><p>{PROSE_EN}</p><!-- {PROSE_EN_2}".encode() * 3),
        _text(
            "huge-attribute.html",
            either,
            b'<html><body><p title="' + b"a" * 2_000_000 + b'">' + PROSE_EN.encode() + b"</p></body></html>",
        ),
        _text(
            "cdata.html",
            either,
            f"<html><body><![CDATA[{PROSE_EN}]]><svg><![CDATA[{PROSE_EN_2}]]></svg><p>{PROSE_EN}</p>".encode(),
        ),
        _text(
            "meta-charset-cp1251.html",
            either,
            (
                "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>"
                f"<title>Совет</title></head><body><p>{PROSE_RU}</p><p>{PROSE_RU_2}</p></body></html>"
            ).encode("cp1251"),
        ),
        _text(
            "meta-charset-shift-jis.html",
            either,
            f"<html><head><meta charset='shift_jis'></head><body><p>{PROSE_JA}</p>".encode("shift_jis"),
        ),
        _text(
            "meta-charset-lies.html",
            either,
            f"<html><head><meta charset='utf-16'><meta charset='x-no-such'></head><body><p>{PROSE_RU}</p>".encode(),
        ),
        _text("utf16-page.html", either, codecs.BOM_UTF16_LE + HTML_PAGE.encode("utf-16-le")),
        _text("title-runs.html", either, b"<html><body><p>text</p>" + (b"<title>" + b"x" * 20) * 50_000),
        _text(
            "markup-soup.html",
            either,
            b"<html><body>"
            + b"".join(b"<a href='/%d'><b>x</a></b>&amp;&#0;&#xD800;&#99999999;<svg/><p/>" % i for i in range(3000)),
        ),
        # --- not regular files, or not readable -----------------------------------------------
        Entry("too-large.txt", "error", _too_large, reason=r"too large|larger|size", special=True),
        Entry("x.txt/inside.txt", ok, _data(ARTICLE_EN.encode()), special=True),  # a folder named like a document
    ]
    if hasattr(os, "mkfifo"):
        out.append(
            Entry(
                "fifo.txt",
                "error",
                _fifo,
                reason=r"regular file|FIFO|pipe|special",
                special=True,
            )
        )
    if hasattr(os, "geteuid") and os.geteuid() != 0:  # root reads any file
        out.append(Entry("unreadable.txt", "error", _unreadable, reason=r"permission|cannot read|denied", special=True))
    if hasattr(os, "symlink"):
        out.append(Entry("broken-link.txt", "error", _broken_link, reason=r"link|no such|not found", special=True))
    return out


def build(root: Path, names: set[str] | None = None, *, known_bugs: bool = False) -> dict[str, Entry]:
    """Write the entries (all, or those ``names``) into ``root``; return those made, by id.

    Entries with a ``known_bug`` are only made when ``known_bugs`` is true or they are named.
    """
    made: dict[str, Entry] = {}
    for entry in entries():
        if names is not None and entry.name not in names:
            continue
        if entry.known_bug and not known_bugs and names is None:
            continue
        path = root / entry.name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            entry.make(path, random.Random(entry.name))
        except (OSError, NotImplementedError):  # e.g. no privilege for symbolic links
            continue
        made[entry.name] = entry
    return made


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, entry in build(out, known_bugs=True).items():
        print(f"{entry.expect:7} {name}{'  (known bug)' if entry.known_bug else ''}")
