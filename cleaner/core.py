"""``clean()``: source -> decoded Document -> Blocks -> Verdicts -> CleanResult. Nothing else."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from . import __version__
from .assemble import assemble
from .decode import DEFAULT_MAX_BYTES, decode
from .errors import InputError
from .files import BadCompression, FileTooLarge, NotAFile, read_file
from .html_content import judge_page
from .html_meta import Meta, meta_outlet, name_outlet, read_meta
from .html_segment import parse, segment_html
from .judge import judge
from .language import detect
from .outlet import OutletIndex, find_outlet
from .result import CleanResult
from .rules import RuleSet, default_rules, load_rules
from .segment import Block, segment_text

Source = bytes | bytearray | memoryview | str | os.PathLike[str]


@cache
def _index(rules: RuleSet) -> OutletIndex:
    return OutletIndex(rules)


def read_source(source: Source, max_bytes: int = 0) -> bytes:
    """The bytes of ``source``: bytes as they are, str as UTF-8 text, a path read from disk
    (decompressed when its name ends in ``.gz``).

    A path must name a regular file (a FIFO or a device would block or never end), and one larger
    than ``max_bytes`` (when not 0) is refused without being read.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str):
        return source.encode("utf-8", "surrogatepass")
    name = os.fspath(source)
    try:
        return read_file(source, max_bytes)[0]
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a file") from None
    except NotAFile as e:
        raise InputError(f"{name}: {e}; skipped") from None
    except BadCompression as e:
        raise InputError(f"{name}: {e}") from None
    except FileTooLarge as e:
        if e.decompressed:
            raise InputError(
                f"{name}: too large once decompressed (over the limit of {e.limit} bytes); skipped"
            ) from None
        raise InputError(f"{name}: file too large ({e.size} bytes > limit {max_bytes}); skipped") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror or e})") from None


def resolve_rules(rules: RuleSet | Sequence[str | os.PathLike[str]] | None) -> RuleSet:
    """A RuleSet from None (the shipped rules), a RuleSet, or a list of extra rule folders."""
    if rules is None:
        return default_rules()
    if isinstance(rules, RuleSet):
        return rules
    return load_rules([Path(p) for p in rules])


def clean(
    source: Source,
    *,
    kind: str | None = None,
    url: str | None = None,
    rules: RuleSet | Sequence[str | os.PathLike[str]] | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CleanResult:
    """Clean one document.

    ``source`` is bytes, a str (taken as the text itself) or a path. ``kind`` forces ``text`` or
    ``html`` (default: sniffed). ``url`` is the page's address, the strongest outlet evidence.
    ``rules`` is a RuleSet or a list of extra rule folders added to the shipped ones.
    Raises ``InputError`` (one clear line) for input that cannot be cleaned.
    """
    data = read_source(source, max_bytes)
    return run(data, resolve_rules(rules), kind=kind, url=url, encoding=encoding, max_bytes=max_bytes)


def run(
    data: bytes,
    ruleset: RuleSet,
    *,
    kind: str | None = None,
    url: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    done: Callable[[str], None] | None = None,
) -> CleanResult:
    """The pipeline itself, on bytes; ``done(stage)`` is called after each stage (for benchmarks)."""
    with _collector_paused():
        return _run(data, ruleset, kind=kind, url=url, encoding=encoding, max_bytes=max_bytes, tick=done or _no_tick)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a document is cleaned, back on after (if it was on).

    A document makes many small objects that live until it is done (blocks, line features, pieces),
    and the collector would walk them again and again: that took 10-15% of the time, 30% on a 10 MB
    text. Reference counting still frees everything that is not part of a cycle at once.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run(
    data: bytes,
    ruleset: RuleSet,
    *,
    kind: str | None,
    url: str | None,
    encoding: str | None,
    max_bytes: int,
    tick: Callable[[str], None],
) -> CleanResult:
    doc = decode(data, kind=kind, encoding=encoding, max_bytes=max_bytes)
    tick("decode")
    blocks: Sequence[Block]
    meta: Meta | None = None
    if doc.kind == "html":
        tree = parse(doc)
        meta = read_meta(tree)
        tick("parse")
        page = segment_html(doc, tree, ruleset)
        blocks = page.blocks
        tick("segment")
        verdicts = judge_page(page, ruleset)
    else:
        blocks = segment_text(doc)
        tick("segment")
        verdicts = judge(blocks, ruleset)
    tick("judge")
    text, spans, removed = assemble(blocks, verdicts)
    tick("assemble")
    language, score = detect(text)
    tick("language")
    if language == "und" and meta is not None and meta.lang and text.strip():
        language = meta.lang  # the page's own claim, when the text is too short to tell
    index = _index(ruleset)
    outlet = meta_outlet(doc, meta, ruleset, index) if meta is not None and not url else None
    if outlet is None:
        outlet = find_outlet(blocks, ruleset, index, url)
    if outlet is None and meta is not None and not url:
        outlet = name_outlet(doc, meta, ruleset, index)
    tick("outlet")
    result = CleanResult(
        text=text,
        spans=tuple(spans),
        removed=tuple(removed),
        language=language,
        language_score=score,
        outlet=outlet,
        kind=doc.kind,
        encoding=doc.encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        rules_digest=ruleset.digest,
        version=__version__,
    )
    tick("result")
    return result


def _no_tick(stage: str) -> None:
    pass
