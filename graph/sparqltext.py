"""The text of a SPARQL query as the checker and the engine both read it.

The checker (rdflib's parser) and the engine (Oxigraph) read a few things differently: a
comment ends at a line feed for rdflib but also at a lone carriage return for Oxigraph;
rdflib expands `\\u` escapes over the whole text first (as the SPARQL 1.1 spec says) and
takes `\\u` with eight hex digits, while Oxigraph expands them only inside strings and
IRIs. A query could hide a SERVICE call from the checker in either gap. So the query is
rewritten once, before either sees it, into a text where those places cannot differ: the
escapes expanded (four hex digits after `\\u`, eight after `\\U`), the comments removed
(ending at either line break), and the checker and the engine then get that same text.

>>> canonical_text("SELECT * WHERE { ?s ?p ?o #\\r SERVICE <http://x> { } }")
'SELECT * WHERE { ?s ?p ?o \\r SERVICE <http://x> { } }'
>>> canonical_text('SELECT ("caf\\\\u00E9" AS ?x) {}')
'SELECT ("café" AS ?x) {}'
"""

from __future__ import annotations

import re

from peelkg.errors import InputError

# Brackets of any kind nested deeper than this are refused with a message: rdflib's parser
# recurses about forty frames a level and stops with RecursionError near thirty, and very
# deep nesting makes the engine itself abort.
MAX_NESTING = 24

# The tokens that decide where code is: comments (ending at either line break), strings,
# IRIs, variables, an escaped character of a prefixed name (`ex:a\#b` holds no comment,
# `ex:a\'b` no string), brackets, bare words and everything else.
_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<escape>\\.)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<word>[A-Za-z_][\w.:-]*)
    | (?P<other>[^#"'<?$\\({\[)}\]A-Za-z_]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LEFT_ESCAPE = re.compile(r"\\[uU]")
_KEYWORDS = {"SERVICE", "FROM"}


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs that cover the whole text."""
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]


def expand_codepoints(text: str) -> str:
    """`\\uXXXX` and `\\UXXXXXXXX` replaced by their characters, once, over the whole text."""

    def expand(found: re.Match[str]) -> str:
        digits = found[1] or found[2]
        value = int(digits, 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise InputError(f"the query escapes an invalid character: \\{'u' if found[1] else 'U'}{digits}")
        return chr(value)

    expanded = _CODEPOINT.sub(expand, text)
    left = _LEFT_ESCAPE.search(expanded)
    if left is not None:
        raise InputError(
            f"the query has a \\u or \\U that is not a complete escape (or spells another one) at character "
            f"{left.start() + 1}: write the character itself or \\u with four hex digits, \\U with eight")
    return expanded


def canonical_text(text: str) -> str:
    """The query with escapes expanded and comments removed: what the checker and the engine both get."""
    out = []
    depth = 0
    for kind, value in tokens(expand_codepoints(text)):
        if kind == "comment":
            continue
        if kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(f"the query nests brackets more than {MAX_NESTING} deep: flatten it")
        elif kind == "close":
            depth -= 1
        out.append(value)
    return "".join(out)


def bare_keywords(text: str) -> set[str]:
    """SERVICE and FROM where they stand as words of the query (not in a string, IRI or name)."""
    return {value.upper() for kind, value in tokens(text) if kind == "word" and value.upper() in _KEYWORDS}
