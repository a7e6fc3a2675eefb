"""Blocks (kept and removed) + known outlets -> the document's outlet, with its evidence.

The ``url`` the caller gives decides alone (``outlet-url``). Without one, every piece of evidence
in the document is weighed:

- the outlet rules (scope ``outlet`` in ``rules/outlets.toml``): a page-title suffix ("Headline -
  WSJ"), a copyright line, "Follow X on", "for X readers", "Subscribe to X", domains named on a
  line of their own, after ``www.`` or ``@``. Each rule's ``params`` give its weight: ``weight``
  for a known outlet or a domain, ``unknown_weight`` for a name not in the known list (0: ignore),
  ``max_block`` to look only at the first blocks (titles);
- the fingerprints of known outlets (``outlet-fingerprint``) and lines that are just a known
  outlet's name (``outlet-site-name``).

A candidate is resolved to a known outlet (by domain, name, alias, or its legal owner's name as a
copyright line gives it), else to a domain, else to a plausible name. Names of news agencies and
photo services (``outlet-not-agency``) and generic words (``outlet-not-generic``) are dropped.
Evidence adds up per outlet, once per rule (its best weight); an unknown name joins a domain named
in the document when they spell the same ("The Republic" + ``@therepublic.com``). The best-scored
outlet wins if it reaches ``min_score`` (``outlet-threshold``); otherwise None, not a guess.

Matching is one RE2 set pass over the blocks, stretch by stretch; each pattern it finds then runs alone
over the stretches it was found in.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

import attrs
import re2

from .result import Outlet
from .rules import KnownOutlet, Rule, RuleSet, _options, set_pattern
from .segment import Block

MEMO_SIZE = 4096
"""Evidence strings whose resolution is remembered: a site repeats its copyright line on every page."""
STRETCH_BYTES = 2048
"""The RE2 set runs over stretches of about this many bytes of whole blocks, and each pattern it finds
then runs only over the stretches it was found in, not over the whole document again."""

_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go", "gob", "nic", "ltd", "plc"})

# Legal forms stripped from the end of owner names ("Forbes Media LLC" -> "Forbes Media").
_LEGAL = re.compile(
    r"(?:[\s,]+(?:inc|llc|l\.l\.c|ltd|limited|plc|corp|corporation|co|company|gmbh|ag|s\.a|sa|s\.l|srl|"
    r"s\.p\.a|spa|pty|pvt|private|llp|lp|bv|b\.v|nv|n\.v|oy|ab|kk|ooo|ооо|оао|зао|тов|tbk|sdn bhd|bhd)\.?)+$",
    re.IGNORECASE,
)
# Where an owner name ends and a qualifier starts ("X or its affiliated companies", "X (www.x.com)").
_QUALIFIER = re.compile(
    r"\s*(?:\(|\[|\s(?:or|and|unless|except|exclusive|under|in england|registered|a division|a subsidiary|"
    r"a member|part of|all rights|todos|tous|alle|все|всі|tutti|hak)\b).*$",
    re.IGNORECASE,
)
_YEARS = re.compile(r"^(?:\d{4}(?:\s*[-–]\s*\d{0,4})?[\s.,]*)+|(?:[\s,]*\d{4}(?:\s*[-–]\s*\d{4})?)+\.?$")
_LEADING_NOISE = re.compile(r"^(?:(?:all rights? reserved|copyright|©)[\s.,:;-]*)+", re.IGNORECASE)
_QUOTES = str.maketrans("", "", "\"“”„«»‘’'`")
_AGENCY_PARTS = re.compile(r"\s*[/,]\s*|\s+via\s+")  # "AP / Reuters", "Getty, AFP", "X via AP"
_NAME_PARTS = re.compile(r"\s*,\s*|\s+[-–|]\s+")  # "Name, Place", "Name - Tagline"
_EMBEDDED_DOMAIN = re.compile(r"(?:^|[\s(])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,24})\b", re.IGNORECASE)
_CORPORATE_TAIL = frozenset(
    [
        "media",
        "group",
        "network",
        "networks",
        "publishing",
        "publications",
        "holdings",
        "digital",
        "interactive",
        "online",
        "news",
        "newspapers",
        "company",
        "communications",
        "corp",
        "inc",
        "llc",
        "ltd",
        "limited",
        "international",
        "broadcasting",
        "enterprises",
    ]
)
_NOT_IN_NAMES = frozenset(
    [
        "this",
        "that",
        "these",
        "their",
        "our",
        "your",
        "his",
        "her",
        "its",
        "my",
        "site",
        "website",
        "page",
        "respective",
        "owners",
        "reserved",
        "rights",
        "use",
        "terms",
        "policy",
        "all",
        "by",
        "from",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
    ]
)
_NAME_JOINERS = frozenset(
    [
        "de",
        "of",
        "the",
        "and",
        "&",
        "y",
        "e",
        "la",
        "le",
        "el",
        "les",
        "des",
        "du",
        "da",
        "do",
        "di",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "für",
        "for",
        "on",
        "at",
        "et",
        "a",
        "und",
    ]
)


def registrable_domain(host: str) -> str:
    """``www.bbc.co.uk`` -> ``bbc.co.uk``; ``edition.cnn.com`` -> ``cnn.com`` (no public-suffix list)."""
    host = host.strip().strip(".").lower().split(":")[0]
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def domain_of_url(url: str) -> str | None:
    """The registrable domain of a URL (or bare host), or None."""
    text = url.strip()
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or not _DOMAIN.match(host):
        return None
    return registrable_domain(host)


def _key(name: str) -> str:
    """Casefolded name without quotes, a leading "the" and extra space: the lookup key."""
    if not name:
        return ""
    text = name.translate(_QUOTES).casefold().strip(" \t.,;:|-–—()[]")
    if text.startswith("the "):
        text = text[4:]
    return " ".join(text.split())


def _strip_legal(name: str) -> str:
    return _LEGAL.sub("", name).strip(" ,&-–")


def _compact(name: str) -> str:
    """Letters and digits only: ``The Anti-June Cleaver`` -> ``theantijunecleaver``."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@attrs.frozen
class _Candidate:
    name: str
    domain: str | None
    known: KnownOutlet | None


class OutletIndex:
    """Known outlets by domain and by name or alias, and the compiled evidence rules; built once per rule set."""

    def __init__(self, rules: RuleSet):
        self.by_domain: dict[str, KnownOutlet] = {}
        self.by_name: dict[str, KnownOutlet] = {}
        # Later files (user folders) override earlier ones for the same domain or alias.
        for o in rules.outlets:
            for d in o.domains:
                self.by_domain[registrable_domain(d)] = o
            for alias in (o.name, *o.aliases):
                for k in (_key(alias), _key(_strip_legal(alias))):
                    if k:
                        self.by_name[k] = o
        agency = rules.heuristic("outlet-not-agency")
        self.agencies = frozenset(_key(a) for a in (agency.param("names", []) if agency else []))
        generic = rules.heuristic("outlet-not-generic")
        self.generic = frozenset(_key(a) for a in (generic.param("names", []) if generic else []))
        self.mail_domains = frozenset(generic.param("mail_domains", []) if generic else [])
        self.platform_domains = frozenset(generic.param("domains", []) if generic else [])
        threshold = rules.heuristic("outlet-threshold")
        self.min_score = float(threshold.param("min_score", 2)) if threshold else 2.0
        self.url_rule = rules.heuristic("outlet-url")
        self.fingerprint_rule = rules.heuristic("outlet-fingerprint")
        self.site_name_rule = rules.heuristic("outlet-site-name")
        self.site_name_max = int(self.site_name_rule.param("max_chars", 60)) if self.site_name_rule else 0
        self.resolved = lru_cache(maxsize=MEMO_SIZE)(self._resolve)

        # One RE2 set over the document (blocks joined by newlines, multi-line mode, no match
        # across a newline), run stretch by stretch: every outlet rule's patterns, then every
        # fingerprint. Each pattern that hits is then run alone over the stretches it hit, to find
        # its blocks and its named group.
        opts = _options()
        opts.never_nl = True
        self.rules: tuple[Rule, ...] = rules.outlet_rules
        self.owner: list[tuple[int, int]] = []  # set index -> (rule number, pattern number) or (-1, fingerprint number)
        self.fingerprint_owner: list[KnownOutlet] = []
        self.fingerprint_rx: list[Any] = []
        self.doc_rx: dict[tuple[int, int], tuple[Any, int]] = {}
        patterns: list[str] = []
        for i, r in enumerate(self.rules):
            for j, p in enumerate(r.patterns):
                patterns.append("(?m)" + set_pattern(p))
                self.owner.append((i, j))
                rx = re2.compile("(?m)" + p, opts)
                self.doc_rx[(i, j)] = (rx, rx.groupindex["outlet"])
        if self.fingerprint_rule is not None:
            for o in rules.outlets:
                for fp in o.fingerprints:
                    patterns.append("(?i)" + re2.escape(fp))
                    self.owner.append((-1, len(self.fingerprint_owner)))
                    self.fingerprint_owner.append(o)
                    self.fingerprint_rx.append(re2.compile("(?i)" + re2.escape(fp), opts))
        self.set = None
        if patterns:
            s = re2.Set.SearchSet(opts)
            for p in patterns:
                s.Add(p)
            s.Compile()
            self.set = s

    # --- resolving a candidate string ---------------------------------------------------------

    def _is_agency(self, text: str) -> bool:
        key = _key(text)
        if not key:
            return False
        if key in self.agencies:
            return True
        parts = _AGENCY_PARTS.split(key)
        if any(p in self.agencies for p in parts):
            return True
        words = key.split()
        return any(" ".join(words[:n]) in self.agencies for n in range(1, min(len(words), 3) + 1))

    def _refused(self, text: str, agencies: bool) -> bool:
        """A generic word, or an agency's name where only an outlet's own name may stand."""
        return (not agencies and self._is_agency(text)) or self._is_generic(text)

    def _is_generic(self, text: str) -> bool:
        return _key(text) in self.generic or _key(_strip_legal(text)) in self.generic

    def known_name(self, text: str) -> KnownOutlet | None:
        """The known outlet a name, alias or owner name (or a prefix of it) stands for."""
        for variant in (text, _strip_legal(text)):
            key = _key(variant)
            if key in self.by_name:
                return self.by_name[key]
        words = _key(_strip_legal(text)).split()
        original = _strip_legal(text).split()
        if original and original[0].casefold() == "the":
            original = original[1:]
        for n in range(len(words) - 1, 0, -1):
            # "Fox News Network" -> Fox News; "PolitiFact West Virginia" -> PolitiFact; but a
            # plain single word ("Time Out London") is not taken for an outlet named "Time".
            if n == 1 and not all(w.strip(".,") in _CORPORATE_TAIL for w in words[1:]):
                first = original[0] if original else ""
                if sum(ch.isupper() for ch in first) < 2:
                    continue
            known = self.by_name.get(" ".join(words[:n]))
            if known is not None:
                return known
        return None

    def resolve(
        self, candidate: str, *, allow_unknown: bool = True, mail: bool = False, agencies: bool = False
    ) -> _Candidate | None:
        """A known outlet, a domain or a plausible name for an evidence string; None when it is
        an agency (unless ``agencies``: the string is the site's own name, and an agency's site is
        its outlet), a generic word or not a name. Remembered: pages repeat their evidence."""
        return self.resolved(candidate, allow_unknown, mail, agencies)

    def _resolve(self, candidate: str, allow_unknown: bool, mail: bool, agencies: bool) -> _Candidate | None:
        cand = candidate.strip(" \t.,;:|-–—()[]\"'«»“”*•·@")
        cand = _YEARS.sub("", cand).strip(" \t.,;:|-–—()[]")
        cand = _LEADING_NOISE.sub("", cand)
        if not cand or self._refused(cand, agencies):
            return None
        lowered = cand.lower()
        if lowered.startswith(("http://", "https://")):
            lowered = lowered.split("//", 1)[1]
        lowered = lowered.split("/", 1)[0]
        if lowered.startswith("www."):
            lowered = lowered[4:]
        if _DOMAIN.match(lowered):
            return self._domain(lowered, mail, agencies)
        known = self.known_name(cand)
        if known is None:
            trimmed = _QUALIFIER.sub("", cand).strip(" \t.,;:|-–—")
            if trimmed and trimmed != cand:
                if self._refused(trimmed, agencies):
                    return None
                known = self.known_name(trimmed)
                if known is None and _DOMAIN.match(trimmed.lower()):
                    return self._domain(trimmed.lower(), agencies=agencies)
                cand = trimmed
            if known is None:
                for part in _NAME_PARTS.split(cand)[:1]:
                    if part != cand:
                        known = self.known_name(part)
                        if known is None and _DOMAIN.match(part.lower()):
                            return self._domain(part.lower(), agencies=agencies)
        if known is not None:
            if known.agency and not agencies:
                return None
            return _Candidate(known.name, known.domains[0] if known.domains else None, known)
        if not allow_unknown:
            return None
        name = _strip_legal(cand)
        if not self._plausible(name) or (not agencies and self._is_agency(name)):
            return None
        return _Candidate(name, None, None)

    def _domain(self, host: str, mail: bool = False, agencies: bool = False) -> _Candidate | None:
        domain = registrable_domain(host)
        if domain in self.platform_domains or (mail and domain in self.mail_domains):
            return None
        known = self.by_domain.get(domain)
        if known is not None:
            if known.agency and not agencies:
                return None  # "Source: reuters.com" in a story credits the wire
            return _Candidate(known.name, known.domains[0] if known.domains else domain, known)
        if not agencies and self._is_agency(domain.split(".")[0]):
            return None
        return _Candidate(domain, domain, None)

    def _plausible(self, name: str) -> bool:
        """An unknown name is taken only if it looks like a proper name: short, capitalised words."""
        key = _key(name)
        if not key or key in self.generic or len(name) > 50 or not any(ch.isalpha() for ch in name):
            return False
        words = name.translate(_QUOTES).split()
        if len(words) > 6:
            return False
        lower = 0
        for i, w in enumerate(words):
            first = next((ch for ch in w if ch.isalnum()), "")
            if first.islower() and w.casefold() not in _NAME_JOINERS:
                if i == 0 or w.casefold() in _NOT_IN_NAMES:
                    return False
                lower += 1
        # Sentence-case titles ("Озёрские вести", "Diario de la tarde") have a lowercase word or two.
        return lower <= 2


def _byte_range(block: Block, utf8: bytes, start: int, end: int) -> tuple[int, int]:
    """Source bytes of ``utf8[start:end]`` (the block's text as UTF-8), when the block's encoding
    can be told (UTF-8, or one byte per character); else the whole block."""
    span = block.end - block.start
    if span == len(utf8):
        return block.start + start, block.start + end
    if span == len(block.text):
        head = len(utf8[:start].decode("utf-8", "surrogatepass"))
        return block.start + head, block.start + head + len(utf8[start:end].decode("utf-8", "surrogatepass"))
    return block.start, block.end


@attrs.define
class _Group:
    cand: _Candidate
    weights: dict[str, float] = attrs.field(factory=dict)
    evidence: dict[str, tuple[float, int, int, int]] = attrs.field(factory=dict)
    """rule id -> (weight, block position, UTF-8 start and end of the evidence in the block's text)"""
    first: int = 1 << 30

    @property
    def score(self) -> float:
        return sum(self.weights.values())

    def add(self, rule_id: str, weight: float, pos: int, start: int, end: int, order: int) -> None:
        if weight > self.weights.get(rule_id, 0.0):
            self.weights[rule_id] = weight
            self.evidence[rule_id] = (weight, pos, start, end)
        self.first = min(self.first, order)


def _identity(c: _Candidate) -> tuple[str, str]:
    if c.known is not None:
        return ("known", c.known.name)
    if c.domain is not None:
        return ("domain", c.domain)
    return ("name", _compact(c.name))


def _stretches(starts: list[int], size: int) -> list[tuple[int, int]]:
    """Byte ranges of runs of whole blocks, about ``STRETCH_BYTES`` each, in the ``size`` bytes of the
    joined blocks (``starts``: where each block starts); a range ends before the newline after its run."""
    ranges = []
    a = 0
    while (i := bisect_left(starts, a + STRETCH_BYTES)) < len(starts):
        ranges.append((a, starts[i] - 1))
        a = starts[i]
    ranges.append((a, size))
    return ranges


def _finditer(rx: Any, text: bytes, where: list[tuple[int, int]]) -> Iterator[Any]:
    """The matches of ``rx`` in ``text``, looked for only in the stretches ``where`` (those the set found
    it in): the same as over all of ``text``, since no match crosses a newline, and each search sees
    the whole text around its stretch (for anchors and ``\\b``)."""
    for a, b in where:
        if a >= len(text):  # ``text`` stops before this stretch (``max_block``)
            return
        yield from rx.finditer(text, a, min(b, len(text)))


def find_outlet(blocks: Sequence[Block], rules: RuleSet, index: OutletIndex, url: str | None) -> Outlet | None:
    """The outlet of a document, from the url or from the evidence in its blocks."""
    if url:
        domain = domain_of_url(url)
        if domain is not None:
            known = index.by_domain.get(domain)
            rid = index.url_rule.id if index.url_rule else "outlet-url"
            return Outlet(known.name if known else domain, domain, rid, 0, 0)
    groups: dict[tuple[str, str], _Group] = {}
    order = 0

    def add(c: _Candidate, rule_id: str, weight: float, pos: int, start: int, end: int) -> None:
        nonlocal order
        if weight <= 0:
            return
        ident = _identity(c)
        g = groups.get(ident)
        if g is None:
            g = groups[ident] = _Group(c)
        order += 1
        g.add(rule_id, weight, pos, start, end, order)

    n_blocks = len(blocks)
    if index.set is None or not n_blocks:
        return None
    encoded = [b.text.encode("utf-8", "surrogatepass") for b in blocks]
    joined = b"\n".join(encoded)
    starts = [0, *accumulate([len(e) + 1 for e in encoded[:-1]])]  # where each block starts in ``joined``
    stretches = [(a, b, index.set.Match(joined[a:b]) or ()) for a, b in _stretches(starts, len(joined))]
    hits = sorted({h for _, _, found in stretches for h in found})
    if not hits:
        return None
    for h in hits:
        where = [(a, b) for a, b, found in stretches if h in found]
        rule_no, k = index.owner[h]
        if rule_no < 0:
            fr = index.fingerprint_rule
            assert fr is not None
            known = index.fingerprint_owner[k]
            m = index.fingerprint_rx[k].search(joined, *where[0])
            if m is not None:
                pos = bisect_right(starts, m.start()) - 1
                fp_cand = _Candidate(known.name, known.domains[0] if known.domains else None, known)
                add(fp_cand, fr.id, float(fr.param("weight", 3)), pos, m.start() - starts[pos], m.end() - starts[pos])
            continue
        rule = index.rules[rule_no]
        rx, g = index.doc_rx[(rule_no, k)]
        max_block = int(rule.param("max_block", 0))
        text = joined if not max_block or max_block >= n_blocks else joined[: starts[max_block]]
        seen: set[int] = set()
        for m in _finditer(rx, text, where):
            start, end = m.span(g)  # one call: each of re2's match methods costs a Python call or two
            raw = text[start:end]
            if not raw:
                continue
            pos = bisect_right(starts, start) - 1
            if pos in seen:
                continue
            seen.add(pos)
            unknown_w = float(rule.param("unknown_weight", 0))
            if pos < n_blocks // 2 and "unknown_weight_early" in rule.params:
                # Early in the page an unknown name needs a rights phrase to count fully
                # ("Photo © Jane Doe" is a credit; a footer copyright line is the site's).
                low = blocks[pos].text.casefold()
                if not any(w in low for w in rule.param("tail_words", [])):
                    unknown_w = min(unknown_w, float(rule.params["unknown_weight_early"]))
            not_after = rule.param("not_after", [])
            if not_after:
                # "Photo © Jane Doe", "Image: Getty ©": a credit, not the site's copyright.
                before = encoded[pos][: start - starts[pos]].decode("utf-8", "surrogatepass").casefold()
                if any(w in before for w in not_after):
                    continue
            name = raw.decode("utf-8", "surrogatepass")
            cand = index.resolve(
                name,
                allow_unknown=unknown_w > 0,
                mail=bool(rule.param("mail", False)),
                agencies=bool(rule.param("agencies", False)),
            )
            if cand is None:
                continue
            if cand.known is not None or cand.domain is not None:
                weight = float(rule.param("weight", 1))
                if cand.known is None:
                    weight = float(rule.param("domain_weight", weight))
            else:
                weight = unknown_w
            add(cand, rule.id, weight, pos, start - starts[pos], end - starts[pos])
    if not groups:
        return None

    # A line that is just the name of a known outlet already in evidence backs it up.
    if index.site_name_rule is not None:
        weight = float(index.site_name_rule.param("weight", 1))
        wanted: dict[str, tuple[str, str]] = {}
        for g_ident, grp in groups.items():
            if grp.cand.known is not None:
                for alias in (grp.cand.known.name, *grp.cand.known.aliases):
                    wanted.setdefault(alias.casefold(), g_ident)
        if wanted:
            # Case folding never shortens a text: a longer line cannot fold into any of the names.
            longest = min(index.site_name_max, max(map(len, wanted)))
            for pos, block in enumerate(blocks):
                if len(block.text) <= longest:
                    ident = wanted.get(block.text.casefold())
                    if ident is not None:
                        groups[ident].add(index.site_name_rule.id, weight, pos, 0, len(encoded[pos]), 1 << 29)

    # An unknown name joins a domain named in the document that spells it.
    domains = {
        registrable_domain(grp.cand.domain).split(".")[0]: ident for ident, grp in groups.items() if grp.cand.domain
    }
    if domains:
        for ident, grp in list(groups.items()):
            if ident[0] != "name":
                continue
            compact = ident[1]
            target = domains.get(compact) or (domains.get(compact[3:]) if compact.startswith("the") else None)
            if target is None:
                continue
            dg = groups[target]
            for rid, w in grp.weights.items():
                ev = grp.evidence[rid]
                dg.add(rid, w, ev[1], ev[2], ev[3], grp.first)
            if dg.cand.known is None:
                dg.cand = _Candidate(grp.cand.name, dg.cand.domain, None)
            del groups[ident]

    best = max(groups.values(), key=lambda g: (g.score, g.cand.known is not None, g.cand.domain is not None, -g.first))
    if best.score < index.min_score:
        return None
    rid, (weight, pos, start, end) = max(best.evidence.items(), key=lambda kv: kv[1][0])
    bstart, bend = _byte_range(blocks[pos], encoded[pos], start, end)
    return Outlet(best.cand.name, best.cand.domain, rid, bstart, bend)
