"""Asks: what each finding asks the force to do, read from its own words.

"The force should develop further its serious and organised crime local profile, in
conjunction with other policing authorities ..., to enhance its understanding ..." is the
action "develop further", the object "its serious and organised crime local profile", the
scope "in conjunction with other policing authorities ..." and the purpose "to enhance its
understanding ...". The linker matches initiatives against the object; the word lists are
data (`asks.yaml`), one set for every report.

>>> ask = parse_ask("The force should continue to develop an effective county multi-agency "
...                 "safeguarding hub so that victims are offered the best possible service.")
>>> ask.action, ask.object, ask.purpose
('continue to develop', 'an effective county multi-agency safeguarding hub', 'so that victims are offered the best possible service')
"""

from __future__ import annotations

import re
from typing import Any
from dataclasses import replace
from functools import lru_cache

import yaml

from peelkg.model import Ask, Finding, FindingKind
from peelkg.resources import package_dir

ASKING_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.RECOMMENDATION, FindingKind.PRIOR_FINDING)
SUBJECT_END = r"(?:is|are|was|were|be|has|have|can|will|should|receive|receives|undertake|undertakes|get|gets)"


@lru_cache(maxsize=1)
def _lists() -> dict:
    return yaml.safe_load((package_dir("peelkg.loaders") / "asks.yaml").read_text(encoding="utf-8"))


def _alternation(phrases: list[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:   # a pattern each, "reporting" a list of them
    lists = _lists()
    verbs = "|".join(sorted(lists["actions"], key=len, reverse=True))
    verb = rf"(?:{verbs})(?:s|es|d|ed|ing)?"
    words = _alternation(lists["action_words"])
    return {
        "reporting": [re.compile(r) for r in lists["reporting"]],
        "openers": re.compile("|".join(f"(?:{o})" for o in lists["openers"]), re.IGNORECASE),
        "action": re.compile(rf"^((?:\w+ly\s+)?(?:(?:{words})\s+)*{verb}(?:\s+(?:and|or)\s+{verb})?(?:\s+(?:{words}))*)\b\s*", re.IGNORECASE),
        "ends": re.compile(rf"(?:,\s*|\s+)(?=(?:{_alternation(lists['purpose'])}|{_alternation(lists['scope'])})\b)|;\s+", re.IGNORECASE),
        "purpose": re.compile(rf"^(?:{_alternation(lists['purpose'])})\b", re.IGNORECASE),
        "purpose_within": re.compile(rf"\s(?:{_alternation(lists['purpose'])})\b", re.IGNORECASE),
        "scope": re.compile(rf"^(?:{_alternation(lists['scope'])})\b", re.IGNORECASE),
        "subject_end": re.compile(rf"\s+(?:\w+ly\s+)?{SUBJECT_END}\b"),
    }


def _first_sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    match = re.search(r"(?<=[a-z)])\.\s+(?=[A-Z])", text)
    sentence = (text[:match.start()] if match else text).rstrip(" .;:")
    return re.sub(r"[;,]?\s+(?:and|or)$", "", sentence)     # a recommendation in a list: "...; and"


def parse_ask(text: str) -> Ask | None:
    """The action, object, scope and purpose of a finding's first sentence; None when no object is left."""
    p = _patterns()
    sentence = _first_sentence(text)
    for reporting in p["reporting"]:
        quoted = reporting.match(sentence)
        if quoted and len(sentence[quoted.end():].split()) >= 3:
            sentence = sentence[quoted.end():]
    opened = p["openers"].search(sentence)
    rest = sentence[opened.end():] if opened and opened.start() == 0 else sentence
    action = ""
    match = p["action"].match(rest)
    if match and (opened or not rest[:1].isupper()):
        action = match.group(1).strip()
        rest = rest[match.end():]
        action = re.sub(r"\s+that$", "", action)
    adverb = re.match(r"(\w+ly)\s+(with\s+)?", rest)   # "engage routinely with partner agencies"
    if action and adverb:
        action += f" {adverb.group(2).strip()}" if adverb.group(2) else ""
        rest = rest[adverb.end():]
    rest = re.sub(r"^that\s+", "", rest)
    object_, tail = rest, ""
    subject = p["subject_end"].search(rest) if action.lower().startswith("ensure") else None
    if subject and len(rest[:subject.start()].split()) >= 2:
        object_, tail = rest[:subject.start()], rest[subject.start():].strip()
    else:
        end = p["ends"].search(rest)
        if end and end.start() > 0:
            object_, tail = rest[:end.start()], rest[end.end():]
    object_ = re.sub(r"[\s,;:]+(?:and|or)$", "", object_.strip(" ,;:")).strip(" ,;:")
    scope_words = adverb.group(1) if action and adverb else ""
    if not object_:
        return None
    purpose, scope = "", scope_words
    for part in re.split(r",\s+", tail):
        part = part.strip(" .,;")
        if not part:
            continue
        if p["purpose"].match(part) and not purpose:
            purpose = part
        elif p["scope"].match(part):
            inner = p["purpose_within"].search(part)     # "at a senior level to enhance ..."
            if inner and not purpose:
                part, purpose = part[:inner.start()].strip(), part[inner.start():].strip()
            scope = f"{scope}, {part}" if scope else part
        elif purpose:
            purpose += ", " + part
        elif scope:
            scope += ", " + part
        else:
            purpose = part
    return Ask(action=action, object=object_, purpose=purpose, scope=scope)


def with_asks(findings: list[Finding]) -> list[Finding]:
    """The findings, each that asks something of the force carrying its ask."""
    return [replace(f, ask=parse_ask(f.text)) if f.kind in ASKING_KINDS else f for f in findings]
