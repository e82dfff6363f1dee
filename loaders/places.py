"""The places a report names: capitalised names after "in", "at", "from", "across".

Also "X police station", "the X area" and "the southern local policing area"; names of bodies
and initiatives are masked first, so they are never read as places.
"""

from __future__ import annotations

import re

from peelkg.loaders.assemble import slug
from peelkg.loaders.entity_text import CAP, Passage, Sentence, Text, alternation, gazetteer, mask, words
from peelkg.model import Mention, Place


class Places:
    """Capitalised names the text puts a place cue in front of ("in Colchester", "at Stansted Airport")."""

    def __init__(self, text: Text, masks: dict[int, list[tuple[int, int]]]) -> None:
        self.text = text
        self.masks = masks
        g = gazetteer()
        self.function_words = words("function_words")
        self.generic_words = words("generic_words")
        self.time_words = set(g["time_words"])
        self.non_places = g["non_places"]
        self.found: dict[str, Place] = {}
        self.spans: dict[int, list[tuple[int, int, str]]] = {}
        self.cue_re = re.compile(rf"\b(?i:{alternation(g['place_cues'])})\s+({CAP}(?:\s+{CAP}){{0,3}})")
        self.list_re = re.compile(rf"^(?:,\s+|\s+and\s+)({CAP}(?:\s+{CAP}){{0,2}})")
        self.building_re = re.compile(rf"\b({CAP}(?:\s+{CAP}){{0,2}})\s+(?:{alternation(g['place_buildings'])})\b")
        self.the_area_re = re.compile(rf"\bthe\s+({CAP})\s+area\b")
        self.direction_re = re.compile(rf"\bthe\s+((?:{alternation(g['area_directions'])})\s+(?:{alternation(g['area_nouns'])}))\b")
        self.non_place_re = re.compile(rf"\b(?:{alternation(self.non_places)})\b")

    def _masked(self, passage: Passage) -> str:
        spans = list(self.masks.get(id(passage), []))
        spans += [m.span() for m in self.non_place_re.finditer(passage.text)]
        spans += [m.span() for m in re.finditer(re.escape(self.text.force), passage.text)]
        return mask(passage.text, spans)

    def _ok(self, name: str) -> bool:
        words = name.split()
        if words[0] in self.time_words or words[0].lower() in self.function_words | self.generic_words:
            return False
        if any(w.isupper() and len(w) > 1 for w in words) or any(w[0].isdigit() for w in words):
            return False
        return "\x00" not in name

    def find(self) -> None:
        names: set[str] = set()
        for passage in self.text.passages:
            masked = self._masked(passage)
            for match in self.cue_re.finditer(masked):
                name = self._trim(match.group(1))
                if name and self._ok(name):
                    names.add(name)
                    rest = masked[match.end(1):]
                    while True:
                        more = self.list_re.match(rest)
                        if not more or not self._ok(more.group(1)):
                            break
                        names.add(more.group(1))
                        rest = rest[more.end():]
            for pattern in (self.building_re, self.the_area_re):
                for match in pattern.finditer(masked):
                    name = self._trim(match.group(1))
                    if name and self._ok(name):
                        names.add(name)
            if passage.section is not None:
                for match in self.direction_re.finditer(masked):
                    self.add_area(match.group(1), passage)
        names.add(self.text.area)
        self._locate(names)

    def _trim(self, name: str) -> str:
        words = name.split()
        while words and words[-1].lower() in self.function_words:
            words.pop()
        return " ".join(words)

    def add_area(self, phrase: str, passage: Passage) -> str:
        """A lower case area of the force ('the southern local policing area'); its slug carries the force area."""
        pslug = slug(f"{self.text.area} {phrase}")
        if pslug not in self.found:
            self.found[pslug] = Place(pslug, phrase, [])
            for other in self.text.passages:
                for match in re.finditer(rf"\b{re.escape(phrase)}\b", other.text):
                    self.found[pslug].mentions.append(Mention(other.line_at(match.start()), match.group()))
                    self.spans.setdefault(id(other), []).append((match.start(), match.end(), pslug))
        return pslug

    def _locate(self, names: set[str]) -> None:
        if not names:
            return
        pattern = re.compile(rf"(?<![\w-])(?:{alternation(names)})(?![\w-])")
        for passage in self.text.passages:
            masked = self._masked(passage)
            for match in pattern.finditer(masked):
                pslug = slug(match.group())
                place = self.found.setdefault(pslug, Place(pslug, match.group(), []))
                place.mentions.append(Mention(passage.line_at(match.start()), match.group()))
                self.spans.setdefault(id(passage), []).append((match.start(), match.end(), pslug))

    def in_sentence(self, sentence: Sentence) -> list[str]:
        return [p for s, _, p in self.spans.get(id(sentence.passage), []) if sentence.start <= s < sentence.end]

    def result(self) -> list[Place]:
        places = []
        for place in sorted(self.found.values(), key=lambda p: p.slug):
            mentions = sorted({(m.passage, m.surface) for m in place.mentions})
            places.append(Place(place.slug, place.label, [Mention(p, s) for p, s in mentions]))
        return places
