"""Acronym definitions written as 'long form (SHORT)', found with the Schwartz-Hearst algorithm.

Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text": the short form's characters are matched right to left against the words
before the parenthesis, the first character at the start of a word.
"""

from __future__ import annotations

import re

PAREN = re.compile(r"\(([A-Z][A-Za-z0-9&]{1,9}s?)\)")
IRREGULAR_PLURALS = {"arrangements": "arrangements", "series": "series", "premises": "premises", "lines": "lines"}


def _long_form(short: str, words_before: list[str]) -> str | None:
    """The shortest run of the preceding words whose letters spell `short` (Schwartz-Hearst)."""
    letters = short.rstrip("s") if short.endswith("s") and short[:-1].isupper() else short
    max_words = min(len(letters) + 5, len(letters) * 2)
    candidate = " ".join(words_before[-max_words:])
    s_index, l_index = len(letters) - 1, len(candidate) - 1
    lower = candidate.lower()
    while s_index >= 0:
        char = letters[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            lower[l_index] != char or (s_index == 0 and l_index > 0 and lower[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = candidate.rfind(" ", 0, l_index + 1) + 1
    long_form = candidate[start:].strip(" ,;:*")
    if long_form.lower().startswith(("the ", "a ", "an ", "its ", "their ")):
        long_form = long_form.split(" ", 1)[1]
    if len(long_form) <= len(letters) or long_form.isupper() and " " not in long_form:
        return None
    return long_form


def find_definitions(text: str) -> dict[str, str]:
    """Map each defined short form (as written, e.g. 'SCPOs') to its long form ('serious crime prevention orders')."""
    definitions: dict[str, str] = {}
    for match in PAREN.finditer(text):
        short = match.group(1)
        if not any(c.isupper() for c in short[1:]) and len(short) > 3:
            continue  # "(Operation Raptor)" style names are not acronyms
        words = text[: match.start()].split()
        long_form = _long_form(short, words)
        if long_form and short not in definitions:
            definitions[short] = long_form
    return definitions


def singular(phrase: str) -> str:
    """'serious crime prevention orders' -> 'serious crime prevention order' (last word only)."""
    words = phrase.split()
    if not words:
        return phrase
    last = words[-1]
    lower = last.lower()
    if lower in IRREGULAR_PLURALS or not lower.endswith("s") or lower.endswith(("ss", "us", "is")):
        return phrase
    if lower.endswith("ies") and len(lower) > 4:
        words[-1] = last[:-3] + "y"
    elif lower.endswith(("sses", "ches", "shes", "xes")):
        words[-1] = last[:-2]
    else:
        words[-1] = last[:-1]
    return " ".join(words)
