"""Blocks (kept and removed) + known outlets -> the document's outlet, with its evidence.

Evidence, strongest first: the ``url`` the caller gives (``outlet-url``); the outlet rules
(scope ``outlet``, e.g. a copyright line or "Follow X on"), in the order they are listed; the
fingerprints of known outlets (``outlet-fingerprint``). Names of news agencies and photo services
(``outlet-not-agency``) are never taken for the outlet. No evidence gives None, not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import re2

from .result import Outlet
from .rules import KnownOutlet, Rule, RuleSet, _options, set_pattern
from .segment import Block

_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go", "gob", "nic", "ltd", "plc"})
_HOST_PREFIXES = ("www.", "www2.", "m.", "mobile.", "amp.", "edition.", "en.", "news.")


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


class OutletIndex:
    """Known outlets by domain and by casefolded name or alias, built once per rule set."""

    def __init__(self, rules: RuleSet):
        self.by_domain: dict[str, KnownOutlet] = {}
        self.by_name: dict[str, KnownOutlet] = {}
        for o in rules.outlets:
            for d in o.domains:
                self.by_domain.setdefault(registrable_domain(d), o)
            for alias in (o.name, *o.aliases):
                self.by_name.setdefault(_key(alias), o)
        agency = rules.heuristic("outlet-not-agency")
        self.agencies = frozenset(_key(a) for a in (agency.param("names", []) if agency else []))
        self.fingerprint_owner: list[KnownOutlet] = []
        self.fingerprint_rule = rules.heuristic("outlet-fingerprint")
        self.fingerprints = None
        prints = [(fp, o) for o in rules.outlets for fp in o.fingerprints]
        if prints and self.fingerprint_rule is not None:
            s = re2.Set.SearchSet(_options())
            for fp, o in prints:
                s.Add("(?i)" + re2.escape(fp))
                self.fingerprint_owner.append(o)
            s.Compile()
            self.fingerprints = s
        outlet_rules = rules.outlet_rules
        self.rules = outlet_rules
        self.rule_set = None
        self.rule_owner: list[int] = []
        if outlet_rules:
            s = re2.Set.SearchSet(_options())
            for i, r in enumerate(outlet_rules):
                for p in r.patterns:
                    s.Add(set_pattern(p))
                    self.rule_owner.append(i)
            s.Compile()
            self.rule_set = s

    def resolve(self, candidate: str) -> tuple[str, str | None] | None:
        """(name, domain) for an evidence string, or None when it is an agency or empty."""
        cand = candidate.strip(" \t.,;:|-–—()[]\"'«»")
        key = _key(cand)
        if not key or key in self.agencies:
            return None
        lowered = cand.lower()
        if _DOMAIN.match(lowered):
            domain = registrable_domain(lowered)
            known = self.by_domain.get(domain)
            if known is not None:
                return known.name, domain
            if _key(domain.split(".")[0]) in self.agencies:
                return None
            return domain, domain
        known = self.by_name.get(key)
        if known is not None:
            return known.name, known.domains[0] if known.domains else None
        return cand, None


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("the ", " ", 1).split()) if name else ""


def find_outlet(blocks: Sequence[Block], rules: RuleSet, index: OutletIndex, url: str | None) -> Outlet | None:
    """The outlet of a document, from the url or from evidence in any block."""
    if url:
        domain = domain_of_url(url)
        if domain is not None:
            known = index.by_domain.get(domain)
            rule = rules.heuristic("outlet-url")
            rid = rule.id if rule else "outlet-url"
            return Outlet(known.name if known else domain, domain, rid, 0, 0)
    best: tuple[int, int, Rule, Block, str] | None = None
    if index.rule_set is not None:
        for pos, block in enumerate(blocks):
            hits = index.rule_set.Match(block.text)
            if not hits:
                continue
            for rule_no in sorted({index.rule_owner[h] for h in hits}):
                if best is not None and (rule_no, pos) >= best[:2]:
                    break
                rule = index.rules[rule_no]
                for rx in rule.compiled:
                    m = rx.search(block.text)
                    if m is not None and m.group("outlet") and index.resolve(m.group("outlet")) is not None:
                        best = (rule_no, pos, rule, block, m.group("outlet"))
                        break
                if best is not None and best[1] == pos:
                    break
    if best is not None:
        _, _, rule, block, cand = best
        resolved = index.resolve(cand)
        assert resolved is not None
        return Outlet(resolved[0], resolved[1], rule.id, block.start, block.end)
    if index.fingerprints is not None and index.fingerprint_rule is not None:
        for block in blocks:
            hits = index.fingerprints.Match(block.text)
            if hits:
                known = index.fingerprint_owner[min(hits)]
                return Outlet(
                    known.name,
                    known.domains[0] if known.domains else None,
                    index.fingerprint_rule.id,
                    block.start,
                    block.end,
                )
    return None
