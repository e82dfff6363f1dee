"""The text units and word helpers every entity finder shares.

A report's paragraphs and bullets as passages, split into sentences (`Text`); the generic
knowledge of `gazetteer.yaml`; the theme keywords of `ontology/themes.ttl`, matched on word
boundaries, also in the long form of an acronym the report defines and then uses alone ("the SPR");
and the resolution key (`norm`) that collapses case, plural and possessive variants of a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from peelkg.loaders.acronyms import singular
from peelkg.loaders.extract import SENTENCE_END
from peelkg.loaders.segment import force_area
from peelkg.model import Block, BlockKind, Document, HeadingKind
from peelkg.resources import INSTANCE_BASE, ontology_file, package_dir

THEME_BASE = INSTANCE_BASE + "theme/"
TERMINAL = tuple(".?!:;\"')]”’")
URL_LIKE = re.compile(r"^(?:www\.|https?://)")
CAP = r"[A-Z](?:[\w'’-]*[\w'’])?"


# --------------------------------------------------------------------------- data files


@cache
def gazetteer() -> dict:
    """The generic knowledge in `gazetteer.yaml` (kinds of body, national bodies, cue words)."""
    with open(package_dir("peelkg.loaders") / "gazetteer.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def theme_keywords() -> dict[str, re.Pattern]:
    """Theme slug -> a pattern of its keywords (prefLabel and altLabels of ontology/themes.ttl)."""
    graph = Graph().parse(ontology_file("themes.ttl"), format="turtle")
    patterns: dict[str, re.Pattern] = {}
    for theme in sorted(set(graph.subjects(SKOS.inScheme, None)), key=str):
        if not isinstance(theme, URIRef) or not str(theme).startswith(THEME_BASE):
            continue
        words = {str(label).lower() for p in (SKOS.altLabel, SKOS.prefLabel, RDFS.label) for label in graph.objects(theme, p)}
        if words:
            alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            patterns[str(theme)[len(THEME_BASE):]] = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
    return patterns


def themes_of(text: str, acronyms: dict[str, str] | None = None) -> list[str]:
    """Slugs of the themes whose keywords occur in `text`, or in the long form of an acronym it uses.

    A report defines its acronyms once ("Strategic Policing Requirement (SPR)") and then writes
    the short form alone, so `acronyms` (short -> long form) lets "the SPR" count as its words.

    >>> themes_of("three chief officers lead on the SPR", {"SPR": "Strategic Policing Requirement"})
    ['firearms-and-terrorism']
    """
    used = [long for short, long in (acronyms or {}).items() if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)]
    text = " ".join([text, *used])
    return sorted(t for t, pattern in theme_keywords().items() if pattern.search(text))


@cache
def comparison_cues() -> re.Pattern:
    """The phrases of `statistic-cues.yaml` with which a report compares a figure with England and Wales."""
    with open(package_dir("peelkg.loaders") / "statistic-cues.yaml", encoding="utf-8") as handle:
        groups = yaml.safe_load(handle)["comparison"]
    return re.compile(rf"(?<![\w-])(?:{alternation(p for phrases in groups.values() for p in phrases)})(?![\w-])",
                      re.IGNORECASE)


def comparison_words(text: str) -> str | None:
    """The last comparison phrase of `text`, as written: the one nearest the figure that follows it.

    >>> comparison_words("This is broadly in line with the")
    'broadly in line with'
    """
    found = list(comparison_cues().finditer(text))
    return found[-1].group() if found else None


def words(name: str) -> set[str]:
    """A word list of the gazetteer, lower case."""
    return {w.lower() for w in gazetteer()[name]}


def alternation(words) -> str:
    """A regex alternation of `words`, longest first, so a longer cue wins over its prefix."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --------------------------------------------------------------------------- text model


@dataclass
class Passage:
    """A logical paragraph: one block, or the blocks a page break or footnote split, joined by spaces."""

    text: str
    parts: list[tuple[int, Block]]
    heading: HeadingKind | None

    @property
    def kind(self) -> BlockKind:
        return self.parts[0][1].kind

    @property
    def section(self) -> str | None:
        return self.parts[0][1].section

    def block_at(self, offset: int) -> Block:
        current = self.parts[0][1]
        for start, block in self.parts:
            if start <= offset:
                current = block
        return current

    def line_at(self, offset: int) -> int:
        return self.block_at(offset).line_start


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    start: int
    end: int
    index: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]


def _continues(previous: str, following: str) -> bool:
    """A paragraph that stops mid-sentence at a page break goes on in the next paragraph block."""
    previous = previous.rstrip()
    if not previous or not following or previous.endswith(TERMINAL):
        return False
    last = previous.split()[-1].lower()
    return following[0].islower() or following[0] in "'‘\"“" or following[0].isdigit() or last in words("function_words")


def passages(document: Document) -> list[Passage]:
    """The report's text passages in order, page-broken paragraphs joined; table rows and grade lines left out."""
    headings = {h.line: h.kind for h in document.headings}
    result: list[Passage] = []
    open_paragraph: Passage | None = None
    for block in document.blocks:
        if block.kind in (BlockKind.TABLE_ROW, BlockKind.GRADE_LINE) or not block.clean.strip():
            open_paragraph = None if block.kind is not BlockKind.GRADE_LINE else open_paragraph
            continue
        if block.kind is BlockKind.FOOTNOTE or (block.kind is BlockKind.PARAGRAPH and URL_LIKE.match(block.clean)):
            result.append(Passage(block.clean, [(0, block)], headings.get(block.heading_line or -1)))
            continue
        if (block.kind is BlockKind.PARAGRAPH and open_paragraph is not None
                and open_paragraph.parts[-1][1].heading_line == block.heading_line
                and _continues(open_paragraph.text, block.clean)):
            open_paragraph.parts.append((len(open_paragraph.text) + 1, block))
            open_paragraph.text += " " + block.clean
            continue
        passage = Passage(block.clean, [(0, block)], headings.get(block.heading_line or -1))
        result.append(passage)
        open_paragraph = passage if block.kind is BlockKind.PARAGRAPH else None
    return result


def split_sentences(passage: Passage) -> list[Sentence]:
    found, start = [], 0
    for boundary in SENTENCE_END.finditer(passage.text):
        found.append((start, boundary.start()))
        start = boundary.end()
    found.append((start, len(passage.text)))
    return [Sentence(passage, s, e, i) for i, (s, e) in enumerate((s, e) for s, e in found if e > s)]


@dataclass
class Text:
    """The passages and sentences of one report, with where each name was found in them."""

    document: Document
    passages: list[Passage]
    sentences: dict[int, list[Sentence]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Document) -> "Text":
        text = cls(document, passages(document))
        text.sentences = {id(p): split_sentences(p) for p in text.passages}
        return text

    def sentences_of(self, passage: Passage) -> list[Sentence]:
        return self.sentences[id(passage)]

    def sentence_at(self, passage: Passage, offset: int) -> Sentence:
        for sentence in self.sentences_of(passage):
            if sentence.start <= offset < sentence.end + 1:
                return sentence
        return self.sentences_of(passage)[-1]

    @property
    def lower_words(self) -> set[str]:
        if not hasattr(self, "_lower_words"):
            self._lower_words = {w for p in self.passages for w in re.findall(r"\b[a-z][\w'’-]*", p.text)}
        return self._lower_words

    def common_word(self, start: int, word: str) -> bool:
        """A capitalised word that opens its sentence but is written in lower case elsewhere ('Community policing team')."""
        return start == 0 and word.lower() in self.lower_words

    @property
    def force(self) -> str:
        return self.document.meta.force_name

    @property
    def area(self) -> str:
        return force_area(self.document.meta.force_name)


def norm(name: str) -> str:
    """Resolution key: lower case, no leading article or trailing possessive, singular, one space."""
    name = name.replace("’", "'").strip()
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"'s?$", "", name)
    return singular(re.sub(r"\s+", " ", name).lower())


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans blanked out, offsets kept, so a name found once is not read again."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = "\x00"
    return "".join(chars)
