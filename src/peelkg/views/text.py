"""Small text helpers of the views: short labels, names from IRIs, counted nouns."""

from __future__ import annotations

import posixpath
import re

LABEL_WIDTH = 28            # characters of a node label before it is shortened


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """One line of at most `width` characters, cut at a word boundary with an ellipsis.

    >>> shorten("Operation Raptor tackles gangs across the county", 20)
    'Operation Raptor…'
    """
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    space = cut.rfind(" ")
    if space > width * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def local(iri: str) -> str:
    """The last segment of an IRI.

    >>> local("https://w3id.org/peelkg/ontology#RequiresImprovement")
    'RequiresImprovement'
    """
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def words(name: str) -> str:
    """"RequiresImprovement" -> "Requires improvement"; a fallback label from an IRI.

    >>> words("RequiresImprovement")
    'Requires improvement'
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return spaced[:1].upper() + spaced[1:].lower() if spaced else name


def slug(text: str, limit: int = 60) -> str:
    """A lower-case ASCII file-name slug, never empty.

    >>> slug("Operation Raptor!")
    'operation-raptor'
    """
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return value or "view"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A counted noun: "1 node", "2 nodes", "1 entity", "3 entities".

    >>> plural(1, "node"), plural(2, "node"), plural(3, "entity"), plural(0, "area", "areas")
    ('1 node', '2 nodes', '3 entities', '0 areas')
    """
    if count == 1:
        return f"{count} {noun}"
    if many is None:
        many = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{count} {many}"


def up(path: str) -> str:
    """The way back to the output directory from a page at `path` (relative to it).

    >>> up("peel-2016-effectiveness/essex-police/overview.html"), up("index.html")
    ('../../', '')
    """
    return "../" * path.count("/")


def href(page: str, target: str) -> str:
    """The relative link from the page at `page` to the file at `target` (both relative to the
    output directory).

    >>> href("r/k/findings/a.html", "r/k/initiatives/b.html"), href("r/k/overview.html", "r/k/findings/a.html")
    ('../initiatives/b.html', 'findings/a.html')
    """
    return posixpath.relpath(target, posixpath.dirname(page) or ".")
