"""An HTML page's metadata -> outlet evidence and a language hint.

Publishers say who they are in the head: the canonical or ``og:url`` address (its registrable domain
is the outlet's), ``og:site_name``, ``application-name`` and the JSON-LD ``publisher``. An address
decides (``outlet-meta-url``), named by the known outlet of its domain, else by a site name that
spells the domain, else by the domain itself; a site name alone (``outlet-meta-name``) counts when
the text gives no better evidence. Evidence points to the attribute value's bytes in the source.
``<html lang>`` is only a hint: langdetect on the clean text decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import attrs

from .decode import Document
from .outlet import OutletIndex, domain_of_url, registrable_domain
from .result import Outlet
from .rules import RuleSet

_NOT_NAME = re.compile(r"[^0-9a-z]+")


@attrs.frozen
class Meta:
    """What a page's head says about where it comes from."""

    urls: tuple[str, ...] = ()
    """Absolute addresses of the page itself (canonical, og:url), best first."""
    names: tuple[str, ...] = ()
    """Site names (og:site_name, application-name, JSON-LD publisher), best first."""
    lang: str = ""
    """The ``<html lang>`` attribute (primary subtag, lower case), or empty."""


def _attr(node: Any, name: str) -> str:
    value = node.attributes.get(name)
    return value.strip() if isinstance(value, str) else ""


def _publishers(data: Any) -> Iterator[str]:
    """Publisher names in a JSON-LD value (objects, lists and ``@graph``s, nested)."""
    if isinstance(data, list):
        for item in data:
            yield from _publishers(item)
    elif isinstance(data, dict):
        pub = data.get("publisher")
        for p in pub if isinstance(pub, list) else [pub]:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                yield p["name"]
            elif isinstance(p, str):
                yield p
        if "@graph" in data:
            yield from _publishers(data["@graph"])


_HEAD_QUERY = 'link[rel="canonical" i], meta[property], meta[name], script[type="application/ld+json" i]'
"""The elements read_meta reads, found in one pass over the tree."""


def read_meta(tree: Any) -> Meta:
    """The page's address, site names and language hint, from its parsed tree."""
    canonical: list[str] = []
    og_urls: list[str] = []
    meta_names: list[str] = []
    publishers: list[str] = []
    for node in tree.css(_HEAD_QUERY):
        tag = node.tag
        if tag == "link":
            canonical.append(_attr(node, "href"))
        elif tag == "meta":
            key = (_attr(node, "property") or _attr(node, "name")).lower()
            if key == "og:url":
                og_urls.append(_attr(node, "content"))
            elif key in ("og:site_name", "application-name"):
                meta_names.append(_attr(node, "content"))
        else:
            text = node.text(deep=True) or "null"
            if "publisher" not in text and "\\u" not in text:
                continue  # no publisher in it (a key can only be spelled otherwise with an escape)
            try:
                publishers.extend(_publishers(json.loads(text)))
            except (ValueError, RecursionError):
                continue
    root = tree.root
    lang = _attr(root, "lang").split("-")[0].lower() if root is not None and root.tag == "html" else ""
    return Meta(
        urls=tuple(u for u in canonical + og_urls if u.startswith(("http://", "https://", "//"))),
        names=tuple(dict.fromkeys(n for n in meta_names + publishers if n)),
        lang=lang,
    )


def _where(doc: Document, value: str) -> tuple[int, int]:
    """The byte range of an attribute value in the source (0, 0 when it is written differently)."""
    for form in (value, value.replace("&", "&amp;")):
        raw = form.encode(doc.encoding, "surrogateescape")
        at = doc.data.find(raw)
        if at >= 0:
            return at, at + len(raw)
    return 0, 0


def _spells(name: str, domain: str) -> bool:
    """Whether a site name spells the domain's first label ("The Verge" ~ theverge.com)."""
    compact = _NOT_NAME.sub("", name.casefold())
    label = domain.split(".")[0]
    return bool(compact) and (compact == label or compact == "the" + label or "the" + compact == label)


def meta_outlet(doc: Document, meta: Meta, rules: RuleSet, index: OutletIndex) -> Outlet | None:
    """The outlet the page's address says (``outlet-meta-url``), or None."""
    rule = rules.heuristic("outlet-meta-url")
    if rule is None:
        return None
    for url in meta.urls:
        domain = domain_of_url(url if not url.startswith("//") else "https:" + url)
        if domain is None or domain in index.platform_domains:
            continue
        domain = registrable_domain(domain)
        known = index.by_domain.get(domain)
        name = known.name if known is not None else next((n for n in meta.names if _spells(n, domain)), domain)
        start, end = _where(doc, url)
        return Outlet(name, domain, rule.id, start, end)
    return None


def name_outlet(doc: Document, meta: Meta, rules: RuleSet, index: OutletIndex) -> Outlet | None:
    """The outlet a site name says (``outlet-meta-name``), for when nothing better is known."""
    rule = rules.heuristic("outlet-meta-name")
    if rule is None:
        return None
    for name in meta.names:
        cand = index.resolve(name, agencies=True)  # the site's own name: an agency's own site is its outlet
        if cand is not None:
            start, end = _where(doc, name)
            return Outlet(cand.name, cand.domain, rule.id, start, end)
    return None
