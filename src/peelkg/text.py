"""Text helpers every stage shares: whitespace collapsed, verbatim quotes cut at words."""

from __future__ import annotations

import re

QUOTE_LIMIT = 160             # characters of a quote in a rationale


def collapse(text: str) -> str:
    """Runs of whitespace as one space, ends trimmed: how quotes are compared with the report.

    >>> collapse("  a\\n  b ")
    'a b'
    """
    return re.sub(r"\s+", " ", text).strip()


def quote(text: str, focus: str = "", limit: int = QUOTE_LIMIT) -> str:
    """A verbatim stretch of `text` in double quotes, at most `limit` characters, around `focus`, cut at words."""
    text = collapse(text)
    if len(text) <= limit:
        return f'"{text}"'
    at = text.lower().find(focus.lower()) if focus else -1
    start = max(0, min(at - limit // 3, len(text) - limit)) if at > 0 else 0
    if start > 0:
        start = text.find(" ", start) + 1
    piece = text[start:start + limit]
    if start + limit < len(text):
        piece = piece.rsplit(" ", 1)[0]
    return '"' + ("…" if start > 0 else "") + piece + ("…" if start + len(piece) < len(text) else "") + '"'
