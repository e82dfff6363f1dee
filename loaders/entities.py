"""Who and what a report names: initiatives, organisations, places, themes and prose statistics.

Everything is found by method, never from a list of one report's names:

- organisations: the national bodies and police forces of `gazetteer.yaml` (national facts), then
  capitalised names that end in an organisation-type word ("... Council", "... Trust",
  "... Unit", "University of ..."), names followed by "charity" or "forum", and the public
  bodies every force area has, named in lower case ("probation", "children's social care");
- initiatives: naming patterns ("Operation X", "(Operation X)", "Exercise X", "Project X",
  "the X scheme/programme/pilot", "a pilot known as X", "the force's IT system, X", "the form
  (PP57)", "the new force 'Evidence Library'", "the 'X' video"), lower case schemes, plans,
  teams and centres the text says the force has, runs or set up ("has developed a revised
  domestic abuse action plan for 2016/17"), and names in parentheses after a team; unnamed
  arrangements whose head noun is an arrangement word of the gazetteer, which the force has
  brought in or has ("has introduced 15 local digital media investigators to ...", "it also has
  phone triage kiosks, where ...", "a fully established children's MASH in <place>", each bullet
  after "the force has introduced:"), never amounts or manners ("a number of", "an approach");
- places: capitalised names after "in", "at", "from", "across" (and "X police station",
  "the X area", "the southern local policing area");
- aliases collapse to one node: acronyms defined as "long name (ABBR)", a bare name
  ("Kestrel patrols" for Operation Kestrel), case, plural and possessive variants, and
  "the scheme" / "the pilot" / "It" referring back inside a paragraph;
- themes: the keywords (skos:altLabel) of `ontology/themes.ttl`, matched on word boundaries, also
  in the long form of an acronym the report defines and then uses alone ("the SPR");
- prose statistics: a number with its unit ("percent", "per 1,000 population", a counted noun)
  in a paragraph sentence, read as the force's value unless the sentence gives it to England
  and Wales ("compared with 46 for England and Wales").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from peelkg.loaders.acronyms import find_definitions, singular
from peelkg.loaders.assemble import slug
from peelkg.loaders.extract import SENTENCE_END
from peelkg.loaders.segment import force_area
from peelkg.model import (
    Area,
    Block,
    BlockKind,
    Collaboration,
    Document,
    Facts,
    FindingKind,
    HeadingKind,
    Initiative,
    InitiativeKind,
    Mention,
    Organisation,
    OrganisationKind,
    Place,
    Statistic,
    ThemeTag,
)
from peelkg.resources import INSTANCE_BASE, ontology_file, package_dir

THEME_BASE = INSTANCE_BASE + "theme/"
TERMINAL = tuple(".?!:;\"')]”’")
URL_LIKE = re.compile(r"^(?:www\.|https?://)")
LIST_GAP = re.compile(r"(?:['’]s\b[^,;.]*?)?\s*,?\s*(?:(?:and|or)\s+)?(?:the\s+)?")
WORD = r"[A-Za-z0-9](?:[\w'’-]*[\w'’])?"
CAP = r"[A-Z](?:[\w'’-]*[\w'’])?"
FINDING_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.SUMMARY, FindingKind.RECOMMENDATION,
                 FindingKind.PRIOR_FINDING)


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
    return re.compile(rf"(?<![\w-])(?:{_alternation(p for phrases in groups.values() for p in phrases)})(?![\w-])",
                      re.IGNORECASE)


def comparison_words(text: str) -> str | None:
    """The last comparison phrase of `text`, as written: the one nearest the figure that follows it.

    >>> comparison_words("This is broadly in line with the")
    'broadly in line with'
    """
    found = list(comparison_cues().finditer(text))
    return found[-1].group() if found else None


def _words(name: str) -> set[str]:
    return {w.lower() for w in gazetteer()[name]}


def _alternation(words) -> str:
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
    return following[0].islower() or following[0] in "'‘\"“" or following[0].isdigit() or last in _words("function_words")


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


# --------------------------------------------------------------------------- organisations


@dataclass
class _Body:
    label: str
    kind: OrganisationKind
    names: set[str]
    local: bool = False
    roles: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    collaboration: set[int] = field(default_factory=set)

    def slug(self, area: str) -> str:
        return slug(f"{area} {self.label}") if self.local else slug(self.label)


def _norm(name: str) -> str:
    """Resolution key: lower case, no leading article or trailing possessive, singular, one space."""
    name = name.replace("’", "'").strip()
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"'s?$", "", name)
    return singular(re.sub(r"\s+", " ", name).lower())


def _national_entries() -> list[tuple[str, list[str], OrganisationKind, list[str]]]:
    g = gazetteer()
    entries = [(e["name"], e.get("aliases", []), OrganisationKind(e["kind"]), e.get("roles", [])) for e in g["national_bodies"]]
    for force in g["police_forces"]:
        name, aliases = (force, []) if isinstance(force, str) else (force["name"], force.get("aliases", []))
        entries.append((name, aliases, OrganisationKind.POLICE_FORCE, []))
    return entries


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = "\x00"
    return "".join(chars)


class Organisations:
    """Finds the bodies a report names and resolves their spellings to one body each."""

    def __init__(self, text: Text) -> None:
        self.text = text
        g = gazetteer()
        self.heads = {w: OrganisationKind(k) for w, k in g["organisation_heads"].items()}
        self.head_nouns = g["organisation_head_nouns"]
        self.kind_words = {w: OrganisationKind(k) for w, k in g["organisation_kind_words"].items()}
        self.function_words = _words("function_words")
        self.generic_words = _words("generic_words")
        self.bodies: dict[str, _Body] = {}
        self.national: dict[str, tuple[str, OrganisationKind, list[str]]] = {}
        for name, aliases, kind, roles in _national_entries():
            for surface in [name, *aliases]:
                self.national[surface] = (name, kind, roles)
        self.self_pattern = re.compile(rf"(?<![\w])(?:{re.escape(text.force)})(?!\w)")
        self.national_pattern = re.compile(rf"(?<![\w-])(?:{_alternation(self.national)})(?![\w-])")

    # discovery -----------------------------------------------------------------

    def find(self) -> None:
        definitions = find_definitions(" ".join(p.text for p in self.text.passages if p.kind is not BlockKind.FOOTNOTE))
        long_forms = {_norm(long): short for short, long in definitions.items()}
        for passage in self.text.passages:
            spans = [m.span() for m in self.self_pattern.finditer(passage.text)]
            for match in self.national_pattern.finditer(passage.text):
                name, kind, roles = self.national[match.group()]
                if name == self.text.force:
                    continue
                body = self._add(name, kind, match.group())
                body.roles.update(roles)
                spans.append(match.span())
            masked = _mask(passage.text, spans)
            for start, end, name, kind in self._capitalised_names(masked):
                if _norm(name) in (_norm(self.text.force), _norm(self.text.area)):
                    continue
                body = self._add(name, kind, name)
                after = re.match(r"\s*\(([A-Z][A-Za-z&]{1,9})\)", passage.text[end:])
                if after:
                    body.names.add(after.group(1))
                short = long_forms.get(_norm(name))
                if short:
                    body.names.add(short)
        self._local_bodies()

    def _add(self, name: str, kind: OrganisationKind, surface: str, local: bool = False) -> _Body:
        key = _norm(name)
        body = self.bodies.get(key)
        if body is None:
            body = self.bodies[key] = _Body(name, kind, set(), local)
        body.names.add(surface)
        body.names.add(name)
        return body

    def _capitalised_names(self, text: str):
        """(start, end, name, kind) of capitalised names that end in an organisation-type word."""
        tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(rf"&|{WORD}", text)]
        sequences: list[list[tuple[int, int, str]]] = []
        current: list[tuple[int, int, str]] = []
        for token in tokens:
            start, end, word = token
            joined = bool(current) and text[current[-1][1]:start] == " "
            capital = word[0].isupper()
            connector = word in ("of", "for", "and", "&", "on", "upon") or (word == "the" and current and current[-1][2] in ("of", "for"))
            if current and joined and (capital or connector):
                if word in ("and", "&") and self._head(current[-1][2]) is not None:
                    sequences.append(current)
                    current = []
                    continue
                current.append(token)
                continue
            if current:
                sequences.append(current)
            current = [token] if capital else []
        if current:
            sequences.append(current)
        for sequence in sequences:
            found = self._name_of(sequence, text)
            if found:
                yield found

    def _head(self, word: str) -> OrganisationKind | None:
        return self.heads.get(re.sub(r"['’]s?$", "", word))

    def _name_of(self, sequence: list[tuple[int, int, str]], text: str):
        while sequence and sequence[0][2].lower() in self.function_words:
            sequence = sequence[1:]
        while sequence and sequence[-1][2] in ("of", "for", "and", "&", "on", "upon", "the"):
            sequence = sequence[:-1]
        if not sequence:
            return None
        words = [w for _, _, w in sequence]
        heads = [i for i, w in enumerate(words) if self._head(w) is not None]
        kind: OrganisationKind | None = None
        end = sequence[-1][1]
        if heads and heads[-1] == len(words) - 1:
            kind = self._head(words[-1])
            possessive = re.search(r"['’]s?$", words[-1])
            if possessive:
                end -= len(possessive.group())
        elif heads and words[heads[-1] + 1] in ("of", "for"):
            kind = self._head(words[heads[-1]])
        else:
            noun = re.match(r"\s+([a-z]+)\b", text[end:])
            if noun and noun.group(1) in self.head_nouns and not re.search(r"['’]s$", words[-1]):
                entry = self.head_nouns[noun.group(1)]
                kind = OrganisationKind(entry["kind"])
                if entry.get("keep"):
                    end += noun.end()
            else:
                return None
        distinctive = [w for i, w in enumerate(words) if w[0].isupper() and (i not in heads or len(words) == 1)
                       and w.lower() not in self.function_words | self.generic_words]
        if not distinctive or (len(words) == 1 and heads):
            return None
        for word in words:
            if word in self.kind_words:
                kind = self.kind_words[word]
        if words[0].isupper() and len(words) == 1:
            return None
        start = sequence[0][0]
        return start, end, text[start:end], kind

    def _local_bodies(self) -> None:
        for entry in gazetteer()["local_bodies"]:
            names = [entry["name"], *entry.get("aliases", [])]
            pattern = re.compile(rf"(?<![\w-])(?:{_alternation(names)})(?![\w-])")
            for passage in self.text.passages:
                if passage.kind is BlockKind.FOOTNOTE:
                    continue
                for match in pattern.finditer(passage.text):
                    body = self._add(entry["name"], OrganisationKind(entry["kind"]), match.group(), entry.get("local", False))
                    body.names.update(names)

    # mentions and roles ---------------------------------------------------------

    def locate(self) -> dict[int, list[tuple[int, int, str]]]:
        """Every mention of every body: passage id -> [(start, end, body key)]; roles read from each sentence."""
        surfaces: dict[str, str] = {}
        for key, body in self.bodies.items():
            for name in body.names:
                surfaces.setdefault(name, key)
                if name[:1].islower():
                    surfaces.setdefault(name[0].upper() + name[1:], key)
        if not surfaces:
            return {}
        pattern = re.compile(rf"(?<![\w-])(?:{_alternation(surfaces)})(?![\w]|-[A-Z])")
        cues = {role: [re.compile(c, re.IGNORECASE) for c in cs] for role, cs in gazetteer()["roles"].items()}
        force_reference = re.compile(rf"\b(?:the force|both forces|the forces|it|its|their|{re.escape(self.text.force)}|"
                                     rf"{re.escape(self.text.area)})\b", re.IGNORECASE)
        found: dict[int, list[tuple[int, int, str]]] = {}
        for passage in self.text.passages:
            for match in pattern.finditer(passage.text):
                key = surfaces[match.group()]
                body = self.bodies[key]
                if body.local and passage.kind is BlockKind.FOOTNOTE:
                    continue
                found.setdefault(id(passage), []).append((match.start(), match.end(), key))
                line = passage.line_at(match.start())
                body.mentions.append(Mention(line, match.group()))
                sentence = self.text.sentence_at(passage, match.start()).text
                self._roles(body, passage, sentence, match, cues, force_reference, line)
        return found

    def _roles(self, body: _Body, passage: Passage, sentence: str, match: re.Match, cues, force_reference, line: int) -> None:
        def has(role: str, text: str = sentence) -> bool:
            return any(c.search(text) for c in cues[role])

        window = passage.text[max(0, match.start() - 60):match.end() + 60]
        if body.kind is OrganisationKind.POLICE_FORCE:
            if has("comparator") or passage.kind is BlockKind.FOOTNOTE or passage.section is None:
                body.roles.add("comparator")
        elif (passage.kind is BlockKind.NOTE and passage.text.startswith("Source")) or has("data_source", window):
            body.roles.add("data_source")
        if passage.kind is BlockKind.FOOTNOTE or passage.section is None:
            return
        if has("collaborator") and force_reference.search(sentence.replace(match.group(), "")) \
                and body.kind in (OrganisationKind.POLICE_FORCE, OrganisationKind.REGIONAL_UNIT, OrganisationKind.PUBLIC_SERVICE,
                                  OrganisationKind.NATIONAL_BODY, OrganisationKind.OTHER):
            body.roles.add("collaborator")
            body.collaboration.add(line)
        elif has("partner") and body.kind is not OrganisationKind.INSPECTORATE:
            body.roles.add("partner")

    def result(self) -> tuple[list[Organisation], list[Collaboration]]:
        area = self.text.area
        organisations, collaborations = [], []
        for body in sorted(self.bodies.values(), key=lambda b: b.slug(area)):
            if not body.mentions:
                continue
            mentions = sorted({(m.passage, m.surface) for m in body.mentions})
            alt = sorted({m.surface for m in body.mentions} - {body.label})
            organisations.append(Organisation(body.slug(area), body.label, body.kind, alt, sorted(body.roles),
                                              [Mention(p, s) for p, s in mentions]))
            if body.collaboration:
                collaborations.append(Collaboration(body.slug(area), sorted(body.collaboration)))
        return organisations, collaborations


# --------------------------------------------------------------------------- initiatives


@dataclass
class _Thing:
    label: str
    kind: InitiativeKind
    name: str | None = None            # the distinctive proper name, found bare as a mention ("Kestrel")
    surfaces: set[str] = field(default_factory=set)      # case-sensitive surfaces
    phrases: set[str] = field(default_factory=set)       # lower case phrases, matched ignoring case
    intro: list[tuple[int, int, str]] = field(default_factory=list)   # (-priority, line, sentence)
    partners: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    mentions: list[tuple[Passage, int, int, str]] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    anchors: list[tuple[int, int, int, str]] = field(default_factory=list)   # unnamed things: (passage id, start, end, words)


class Initiatives:
    """Finds what the force does by naming patterns, then every passage that mentions each one."""

    def __init__(self, text: Text, bodies: Organisations, body_spans: dict[int, list[tuple[int, int, str]]],
                 term_names: set[str]) -> None:
        self.text = text
        self.bodies = bodies
        self.body_spans = body_spans      # passage id -> [(start, end, body key)], from Organisations.locate
        self.term_names = term_names      # glossary terms: defined concepts, not the force's own arrangements
        g = gazetteer()["initiatives"]
        self.g = g
        self.function_words = _words("function_words")
        self.generic_words = _words("generic_words")
        self.things: dict[str, _Thing] = {}
        self.by_name: dict[str, str] = {}
        self.partner_cues = [re.compile(c, re.IGNORECASE) for c in gazetteer()["roles"]["partner"]]
        self.prefix = g["prefix_kinds"]
        self.suffix = {**g["suffix_kinds"], **g["team_kinds"], **g["system_kinds"], **g["form_kinds"]}
        kinds = _alternation(self.suffix)
        self.prefix_re = re.compile(rf"(\()?\b({_alternation(self.prefix)})\s+({CAP}(?:\s+{CAP}){{0,2}})")
        self.known_as_re = re.compile(rf"\b(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?({kinds})\s+(?:known as|called|named)\s+"
                                      rf"'?({CAP}(?:\s+{CAP}){{0,3}})")
        self.proper_re = re.compile(rf"(?<![\w'’-])({CAP}(?:\s+(?:{CAP}|of|and|for|&))*)((?:\s+[a-z][\w-]*){{0,2}}?)\s+"
                                    rf"(?i:({kinds}))s?\b")
        verbs = _alternation(g["setup_verbs"] + g["ownership_verbs"])
        adverbs = _alternation(g["adverbs"])
        np = r"(?:[\w'’/-]+|\([A-Z]{2,8}s?\))"
        self.generic_re = re.compile(rf"\b({verbs})\s+(?:(?:{adverbs})\s+){{0,2}}(?:a|an|its|their)\s+({np}(?:\s+{np}){{0,6}}?)\s+"
                                     rf"({kinds})\b(?:\s+for\s+(\d{{4}}/\d{{2}}))?")
        self.and_re = re.compile(rf"^\s+and\s+(?:an?\s+)?({np}(?:\s+{np}){{0,5}}?)\s+({kinds})\b")
        self.passive_re = re.compile(rf"\b(?:A|An|a|an)\s+({np}(?:\s+{np}){{0,5}}?)\s+({_alternation(g['team_kinds'])})\s+"
                                     rf"(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}been\s+(?:{_alternation(g['setup_verbs'])})\b")
        self.owned_acronym_re = re.compile(rf"\b(?:[Tt]he force's|[Ii]ts|[Tt]heir)\s+({np}(?:\s+{np}){{0,5}}?)\s+"
                                           rf"({_alternation(list(g['team_kinds']) + list(g['system_kinds']))})\s*\(([A-Z]{{2,8}})\)")
        self.the_acronym_re = re.compile(rf"\bthe\s+({np}(?:\s+{np}){{0,5}}?)\s+({_alternation(g['system_kinds'])})\s*\(([A-Z]{{2,8}})\)")
        self.named_team_re = re.compile(rf"\b(?:the|a|an|its|their)\s+((?:[a-z][\w'’-]*\s+){{1,5}}?)({_alternation(g['team_kinds'])})s?"
                                        rf"\s*\(({CAP}(?:\s+{CAP}){{0,2}})\)")
        self.system_re = re.compile(rf"\b(?:{_alternation(g['system_cues'])}),\s+({CAP})")
        self.quoted_re = re.compile(rf"\b(?:the|a|an)\s+(new\s+)?(force\s+)?'([A-Z][^']{{2,60}})'(?:\s+({_alternation(g['media_kinds'])}))?")
        self.form_title_re = re.compile(r"\bform\s+titled\s+'([^']{3,100})'\s*\(([A-Z]{2,5}\d{1,3})\)")
        self.form_code_re = re.compile(r"\b([Tt]he|a|an)\s+form\s*\(([A-Z]{2,5}\d{1,3})\)")
        self.joint_re = re.compile(r"\b(?:a|an)\s+joint\s+(project|programme|initiative|scheme)\s+(?:between|with)\b")
        self.introduced_list_re = re.compile(rf"\b(?:{_alternation(g['setup_verbs'])})(?: the following)?\s*:\s*$")
        self.bullet_re = re.compile(r"^(?:[-•−⁻–▪●]\s*)?(?:a|an|the)\s+((?:[\w'’-]+\s+){0,5}?[\w'’-]+?)(?=\s+(?:to|that|which|in|for|,)\b|[,;.]|$)")
        self.negation_re = re.compile(rf"\b(?:{_alternation(g['negations'])})\b", re.IGNORECASE)
        self.drop = set(g["drop_adjectives"])
        self.person_re = re.compile(rf"^(?:the\s+)?(?:{_alternation(g['person_titles'])})\b", re.IGNORECASE)
        self.arrangement_heads = {w.lower(): InitiativeKind(k) for w, k in g["arrangement_heads"].items()}
        self.abstract = set(g["abstract_heads"])
        self.definitions = find_definitions(" ".join(p.text for p in text.passages if p.kind is not BlockKind.FOOTNOTE))
        count = rf"(?:a|an|\d[\d,]*|{_alternation(g['numbers'])})"
        phrase = r"([\w'’-]+(?:\s+[\w'’-]+){0,8})"
        self.brought_in_re = re.compile(rf"\b(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}(?:{_alternation(g['arrangement_verbs'])})\s+"
                                        rf"{count}\s+{phrase}")
        self.has_re = re.compile(rf"\b(?:[Ii]t|[Tt]he force|{re.escape(text.force)})\s+(?:(?:{adverbs})\s+)?(?:has|have)\s+"
                                 rf"(?:{count}\s+)?{phrase}(?=,?\s+(?:where|which|that|who|to)\b)")
        roles = _alternation([w for w, k in g["arrangement_heads"].items() if k == "StaffRole"])
        self.bare_role_re = re.compile(rf"\b(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}(?:{_alternation(g['arrangement_verbs'])})\s+"
                                       rf"(?:{count}\s+)?((?:[a-z][\w'’-]*\s+){{0,2}}?(?:{roles})s?)\s+"
                                       rf"(?:{_alternation(g['role_complement'])})\s+(?:the\s+)?{phrase}")
        self.recruited_re = re.compile(rf"\b(?:{count})\s+{phrase}\s+(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}been\s+"
                                       rf"(?:{_alternation(g['arrangement_verbs'])})\b", re.IGNORECASE)
        self.ongoing_re = re.compile(rf"\b(?:is|are)\s+(?:(?:{adverbs})\s+){{0,2}}(?:{_alternation(g['ongoing_verbs'])})\s+"
                                     rf"(?:(?:a|an|its|their)\s+)?{phrase}")
        self.established_re = re.compile(rf"\b(?:a|an)\s+(?:(?:{_alternation(g['established_adverbs'])})[\s-]+)?established\s+"
                                         rf"{phrase}(?=\s+(?:in|at)\s+{CAP})")

    # helpers -------------------------------------------------------------------

    def _kind(self, word: str) -> InitiativeKind:
        word = word.lower().rstrip("s") if word.lower() not in self.suffix else word.lower()
        return InitiativeKind(self.suffix.get(word, self.suffix.get(word + "s", "Initiative")))

    def _is_place_or_body(self, name: str) -> bool:
        return _norm(name) in self.bodies.bodies or _norm(name) in (_norm(self.text.area), _norm(self.text.force))

    def _clean_np(self, words: str) -> tuple[str, str | None]:
        """'well-established integrated offender management (IOM)' -> ('integrated offender management', 'IOM')."""
        acronym = re.search(r"\(([A-Z]{2,8})s?\)", words)
        kept = [w for w in re.sub(r"\([A-Z]{2,8}s?\)", " ", words).split() if w.lower() not in self.drop]
        return " ".join(kept), acronym.group(1) if acronym else None

    def _plausible_np(self, words: str) -> bool:
        tokens = re.sub(r"\([A-Z]{2,8}s?\)", " ", words).split()
        return bool(tokens) and all(t.lower() not in self.function_words or t.lower() == "and" for t in tokens) \
            and not tokens[-1].lower() == "and" and not any(t[0].isdigit() for t in tokens)

    def _add(self, label: str, kind: InitiativeKind, sentence: Sentence, priority: int, name: str | None = None,
             surfaces: tuple[str, ...] = (), phrases: tuple[str, ...] = ()) -> _Thing:
        key = _norm(label)
        name_key = _norm(name) if name else None
        found = self.things.get(key) or (self.things.get(self.by_name[name_key]) if name_key in self.by_name else None)
        if found is None:
            for alias in [*surfaces, *phrases]:
                if _norm(alias) in self.things:
                    found = self.things[_norm(alias)]
                    break
        if found is None:
            found = self.things[key] = _Thing(label, kind, name)
        if name and not found.name:
            found.name = name
        if found.name:
            self.by_name[_norm(found.name)] = next(k for k, t in self.things.items() if t is found)
        if re.search(r"[A-Z]", label):
            found.surfaces.add(label)
        else:
            found.phrases.add(label.lower())
        found.surfaces.update(s for s in surfaces if s)
        found.phrases.update(p.lower() for p in phrases if p)
        found.intro.append((-priority, sentence.passage.line_at(sentence.start), sentence.text))
        return found

    def _priority(self, sentence: Sentence, defining: bool) -> int:
        body = sentence.passage.heading not in (HeadingKind.SUMMARY, HeadingKind.OVERALL_SUMMARY) \
            and sentence.passage.section not in (None, "overall")
        return (2 if defining else 0) + (1 if body else 0)

    def _negated(self, sentence: Sentence, at: int) -> bool:
        before = sentence.passage.text[sentence.start:at].split()[-6:]
        return bool(self.negation_re.search(" ".join(before)))

    def _cut_phrase(self, words: str) -> str:
        """The noun phrase `words` opens with: up to the first function word ('of' and 'and' only inside it)."""
        tokens = words.split()
        kept: list[str] = []
        for i, token in enumerate(tokens):
            lower = token.lower()
            if lower in self.function_words and not (lower in ("of", "and") and kept and i + 1 < len(tokens)):
                break
            kept.append(token)
        while kept and kept[-1].lower() in ("of", "and"):
            kept.pop()
        return " ".join(kept)

    def _head_kind(self, phrase: str) -> InitiativeKind | None:
        """The kind its head noun gives an unnamed arrangement; an acronym's head is the last word of its long form."""
        head = re.sub(r"['’]s?$", "", phrase.split()[-1])
        if re.fullmatch(r"[A-Z]{2,8}s?", head):
            long_form = self.definitions.get(head) or self.definitions.get(head.removesuffix("s"))
            head = long_form.split()[-1] if long_form else head
        return self.arrangement_heads.get(singular(head.lower()))

    def _abstract(self, phrase: str) -> bool:
        return any(singular(w.lower()) in self.abstract for w in phrase.split())

    def _arrangements(self, sentence: Sentence, named: bool) -> None:
        """Unnamed arrangements the force brought in or has: 'has introduced 15 local digital media investigators
        to ...', 'It also has phone triage kiosks, where ...', 'a fully established children's MASH in <place>'."""
        if named:
            return
        text = sentence.text
        for match in self.brought_in_re.finditer(text):
            phrase = self._cut_phrase(match.group(1))
            following = re.match(r"\s+([a-z][\w'’-]*)", text[match.start(1) + len(phrase):])
            if phrase and not (following and following.group(1) not in self.function_words):
                self._arrangement(sentence, match.start(), phrase, None)
        for match in self.bare_role_re.finditer(text):
            partner = self._cut_phrase(re.split(r"\s+(?:and|or|which|who|so)\s+", match.group(2))[0])
            if partner:
                written = text[match.start(1):match.start(2) + len(partner)]
                self._arrangement(sentence, match.start(), f"{match.group(1)} working with {partner}", None,
                                  head=match.group(1), written=written)
        for pattern in (self.recruited_re, self.ongoing_re):
            for match in pattern.finditer(text):
                phrase = self._cut_phrase(match.group(1))
                if phrase:
                    self._arrangement(sentence, match.start(), phrase, None)
        for pattern, kind in ((self.has_re, InitiativeKind.SYSTEM), (self.established_re, InitiativeKind.TEAM)):
            for match in pattern.finditer(text):
                if self._cut_phrase(match.group(1)) == match.group(1):
                    self._arrangement(sentence, match.start(), match.group(1), kind)

    def _arrangement(self, sentence: Sentence, at: int, phrase: str, kind: InitiativeKind | None, head: str = "",
                     written: str = "") -> None:
        """One unnamed arrangement, when its head is an arrangement word (of `kind`, if given) and it is not negated."""
        label, _ = self._clean_np(phrase)
        found = self._head_kind(head or label) if label else None
        if found is None or (kind is not None and found is not kind) or len(label.split()) < 2 or self._abstract(label) \
                or any(w[0].isdigit() for w in label.split()) or _norm(label) in self.term_names \
                or self._negated(sentence, sentence.start + at):
            return
        self._add(label, found, sentence, self._priority(sentence, True), None, phrases=(label, singular(label), written))

    # discovery -----------------------------------------------------------------

    def find(self) -> None:
        for passage in self.text.passages:
            if passage.section is None or passage.kind not in (BlockKind.PARAGRAPH, BlockKind.BULLET):
                continue
            if passage.heading in (HeadingKind.AFI, HeadingKind.CAUSE_OF_CONCERN, HeadingKind.RECOMMENDATIONS):
                continue
            for sentence in self.text.sentences_of(passage):
                named = self._named(sentence)
                self._generic(sentence, named)
                self._arrangements(sentence, named)
        self._introduced_lists()

    def _named(self, sentence: Sentence) -> bool:
        text = sentence.text
        named = False
        for match in self.prefix_re.finditer(text):
            words = match.group(3).split()
            while words and (words[-1].lower() in self.function_words or self._head_word(words[-1])):
                words.pop()
            if not words or words[0].lower() in self.function_words | self.generic_words:
                continue
            name = " ".join(words)
            label = f"{match.group(2)} {name}"
            defining = bool(match.group(1))
            thing = self._add(label, InitiativeKind(self.prefix[match.group(2)]), sentence,
                              self._priority(sentence, defining or " is a" in text), name)
            if defining:
                self._parenthesis_context(thing, text[:match.start()], sentence)
            named = True
        for match in self.known_as_re.finditer(text):
            name = match.group(2)
            self._add(name, self._kind(match.group(1)), sentence, self._priority(sentence, True), name,
                      surfaces=(f"{name} {match.group(1)}",))
            named = True
        for match in self.system_re.finditer(text):
            self._add(match.group(1), InitiativeKind.SYSTEM, sentence, self._priority(sentence, True), match.group(1))
            named = True
        for match in self.proper_re.finditer(text):
            found = self._proper(match, sentence)
            named = named or found
        for match in self.named_team_re.finditer(text):
            name = match.group(3)
            if not re.search(r"[a-z]", name) or name in self.term_names or self._is_place_or_body(name) or name.split()[0] in self.prefix:
                continue
            phrase, _ = self._clean_np(match.group(1) + match.group(2))
            self._add(name, self._kind(match.group(2)), sentence, self._priority(sentence, True), name, phrases=(phrase,))
            named = True
        for match in self.quoted_re.finditer(text):
            name, noun = match.group(3), match.group(4)
            if not noun and not match.group(2):
                continue
            last = name.split()[-1].lower()
            kind = InitiativeKind(self.g["media_kinds"].get(noun or last, "Initiative"))
            label = f"'{name}' {noun}" if noun else name
            self._add(label, kind, sentence, self._priority(sentence, True), name if not noun else None)
            named = True
        for match in self.form_title_re.finditer(text):
            self._form(match.group(2), sentence, title=match.group(1))
            named = True
        for match in self.form_code_re.finditer(text):
            self._form(match.group(2), sentence, anaphoric=match.group(1) in ("The", "the"))
            named = True
        for match in self.owned_acronym_re.finditer(text):
            self._acronym_np(match, sentence)
            named = True
        for match in self.the_acronym_re.finditer(text):
            self._acronym_np(match, sentence)
            named = True
        return named

    def _head_word(self, word: str) -> bool:
        return word in gazetteer()["organisation_heads"]

    def _proper(self, match: re.Match, sentence: Sentence) -> bool:
        """'the Safe Streets scheme', 'the Essex hotel watch scheme', 'a National Police Chiefs' Council pilot'."""
        words = match.group(1).split()
        start = match.start(1)
        while words and words[0].lower() in self.function_words:
            start += len(words[0]) + 1
            words = words[1:]
        noun = match.group(3)
        kind_word = noun.lower()
        for cut in range(len(words) - 2, 0, -1):   # "the Thinking Skills Programme and Building Better Relationships scheme"
            if words[cut] == "and" and words[cut - 1].lower() in self.suffix:
                first = " ".join(words[:cut])
                self._named_thing(" ".join(words[:cut - 1]), [], words[cut - 1], start, sentence)
                start += len(first) + len(" and ")
                words = words[cut + 1:]
                break
        if not words or words[0] in self.prefix or words[-1] in ("of", "and", "for", "&"):
            return False
        if kind_word in self.g["team_kinds"] and not noun.islower():
            return False   # "Lakeside Shopping Centre", "... Crime Unit": a place or a body, not a team of the force
        modifiers = match.group(2).split()
        if any(m.lower() in self.function_words for m in modifiers):
            return False
        return self._named_thing(" ".join(words), modifiers, noun, start, sentence)

    def _named_thing(self, capital: str, modifiers: list[str], noun: str, start: int, sentence: Sentence) -> bool:
        words = capital.split()
        kind_word = noun.lower()
        if any(re.fullmatch(r"[A-Z]{2,}s", w) for w in words):
            return False   # "PCSOs and crime reduction initiatives": a plural acronym is not a name
        if len(words) == 1 and self.text.common_word(start, words[0]):
            return False
        if not any(w[0].isupper() and w.lower() not in self.function_words | self.generic_words for w in words):
            return False
        if "our" in (w.lower() for w in sentence.text[:start].split()[-3:]):
            return False   # "our annual PEEL programme": the inspectorate's, not the force's
        if kind_word in self.g["team_kinds"] and capital.isupper():
            return False   # "the IOM team": a unit of something named elsewhere
        if re.search(r"['’]s$", words[-1]) and not modifiers:
            return False   # "Kent Police's plan": a possessive, not a name
        label = " ".join([capital, *modifiers, noun])
        if _norm(label) in self.bodies.bodies:
            return False
        body = _norm(capital) in self.bodies.bodies
        area_only = _norm(capital) in (_norm(self.text.area), _norm(self.text.force))
        if area_only and not modifiers:
            return False
        name = None if (body or area_only or capital in self.term_names) else capital
        thing = self._add(label, self._kind(kind_word), sentence, self._priority(sentence, " is a" in sentence.text), name)
        if body:
            thing.partners.add(_norm(capital))
            acronyms = [n for n in self.bodies.bodies[_norm(capital)].names if n.isupper()]
            thing.surfaces.update(f"{a} {noun}" for a in acronyms)
        return True

    def _parenthesis_context(self, thing: _Thing, before: str, sentence: Sentence) -> None:
        """'a predictive patrol model (Operation Insight)': the words before name what it is, or where."""
        np = re.search(r"\b(?i:a|an|the|its|their)\s+((?:[\w'’-]+\s+){0,7}?[\w'’-]+)\s*$", before)
        if not np:
            return
        words = np.group(1)
        area = re.search(rf"\b(?:{_alternation(gazetteer()['area_directions'])})\s+(?:{_alternation(gazetteer()['area_nouns'])})$", words)
        if area:
            thing.places.add("area:" + words)
            return
        descriptors = set(self.suffix) | {"approach", "model", "actions", "patrols", "response", "operation"}
        tokens = words.split()
        heads = [i for i, t in enumerate(tokens) if t.lower().rstrip("s") in descriptors or t.lower() in descriptors]
        if not heads:
            return
        tail = tokens[heads[0] + 1:]
        if tail and not (tail[0] in ("to", "for", "of") and len(tail) <= 3):
            tokens = tokens[:heads[0] + 1]
        phrase, _ = self._clean_np(" ".join(tokens))
        if len(phrase.split()) >= 2 and self._plausible_np(phrase.replace(" to ", " ").replace(" for ", " ").replace(" of ", " ")):
            thing.phrases.add(phrase.lower())

    def _form(self, code: str, sentence: Sentence, title: str | None = None, anaphoric: bool = False) -> None:
        existing = None
        if anaphoric:
            earlier = [t for t in self.things.values() if t.kind is InitiativeKind.FORM and t.intro
                       and any(line == sentence.passage.line_at(sentence.start) for _, line, _ in t.intro) and t.label != code]
            existing = earlier[-1] if earlier else None
        if existing is not None and not re.fullmatch(r"[A-Z]{2,5}\d{1,3}", existing.label):
            old = existing.label
            key = next(k for k, t in self.things.items() if t is existing)
            del self.things[key]
            existing.label = code
            existing.phrases.add(old.lower())
            self.things[_norm(code)] = existing
            existing.surfaces.add(code)
            existing.name = code
            self.by_name[_norm(code)] = _norm(code)
            return
        self._add(code, InitiativeKind.FORM, sentence, self._priority(sentence, True), code,
                  phrases=(title,) if title else ())

    def _acronym_np(self, match: re.Match, sentence: Sentence) -> None:
        phrase, _ = self._clean_np(match.group(1))
        if not self._plausible_np(phrase) or self._negated(sentence, sentence.start + match.start()):
            return
        label = f"{phrase} {match.group(2)}"
        if _norm(label) in self.term_names:
            return
        self._add(label, self._kind(match.group(2)), sentence, self._priority(sentence, True), None,
                  surfaces=(match.group(3),))

    def _generic(self, sentence: Sentence, named: bool) -> None:
        text = sentence.text
        for match in self.generic_re.finditer(text):
            verb, words, noun, year = match.group(1), match.group(2), match.group(3), match.group(4)
            kind_word = noun.lower()
            if verb.lower() in self.g["ownership_verbs"] and kind_word not in self.g["suffix_kinds"]:
                continue
            self._generic_np(sentence, match.start(), words, noun, year, named, text[match.end():])
            more = self.and_re.match(text[match.end():])
            if more:
                self._generic_np(sentence, match.start(), more.group(1), more.group(2), None, named,
                                 text[match.end() + more.end():])
        for match in self.passive_re.finditer(text):
            self._generic_np(sentence, match.start(), match.group(1), match.group(2), None, named, "")
        if not named:
            joint = self.joint_re.search(text)
            if joint:
                self._joint(sentence, joint)
        if re.match(r"^(?:The|This) initiative\b", text) and not self._last_in_passage(sentence):
            self._unnamed(sentence)

    def _generic_np(self, sentence: Sentence, at: int, words: str, noun: str, year: str | None, named: bool, after: str) -> None:
        if not self._plausible_np(words) or self._negated(sentence, sentence.start + at):
            return
        following = re.match(r"\s+([a-z][\w-]*)", after)
        if following and following.group(1) not in self.function_words:
            return   # "an organised crime group partnership meeting structure": the noun goes on
        phrase, acronym = self._clean_np(words)
        if not phrase:
            return
        if acronym is None:
            follow = re.match(r"\s*\(([A-Z]{2,8})s?\)", after)
            acronym = follow.group(1) if follow else None
        if named:
            alias_of = re.match(rf"\s*\(({_alternation(self.prefix)})\s+({CAP})", after)
            if alias_of:
                target = self.things.get(_norm(f"{alias_of.group(1)} {alias_of.group(2)}"))
                if target:
                    target.phrases.add(f"{phrase} {noun}".lower())
            return
        label = f"{phrase} {noun}" + (f" {year}" if year else "")
        surfaces = (f"{acronym} {noun}",) if acronym else ()
        thing = self._add(label, self._kind(noun), sentence, self._priority(sentence, True), None, surfaces=surfaces,
                          phrases=(f"{phrase} {noun}",))
        if acronym:
            thing.surfaces.add(acronym)

    def _joint(self, sentence: Sentence, match: re.Match) -> None:
        """'This a joint project between the force, X, Y and Z': an unnamed initiative named by its partners."""
        partners = [(s, k) for s, e, k in self.bodies_in(sentence) if s > match.start() + sentence.start]
        if not partners:
            return
        labels = [self.bodies.bodies[k].label for _, k in partners]
        joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        thing = self._add(f"joint {match.group(1)} with {joined}", self._kind(match.group(1)), sentence,
                          self._priority(sentence, True))
        thing.partners.update(k for _, k in partners)
        thing.anchors.append((id(sentence.passage), sentence.start + match.start(), sentence.start + match.end(), match.group()))

    def _unnamed(self, sentence: Sentence) -> None:
        """'The initiative has been running ...' with nothing named before: named after the unit the paragraph opens with."""
        first = self.text.sentences_of(sentence.passage)[0]
        subject = re.match(rf"^(?:The|A|An)\s+((?:[a-z][\w'’-]*\s+){{0,5}}(?:{_alternation(self.g['team_kinds'])}))\b", first.text)
        if subject:
            thing = self._add(f"{subject.group(1)} initiative", InitiativeKind.INITIATIVE, first, self._priority(first, True))
            thing.anchors.append((id(first.passage), first.start, first.start + subject.end(), subject.group()))

    def _last_in_passage(self, sentence: Sentence) -> bool:
        lines = {b.line_start for _, b in sentence.passage.parts}
        return any(line in lines for t in self.things.values() for _, line, _ in t.intro)

    def _introduced_lists(self) -> None:
        """'For instance, the force has introduced:' followed by bullets, one initiative each."""
        for index, passage in enumerate(self.text.passages):
            if passage.kind is not BlockKind.PARAGRAPH or passage.section is None or not self.introduced_list_re.search(passage.text):
                continue
            for bullet in self.text.passages[index + 1:]:
                if bullet.kind is not BlockKind.BULLET:
                    break
                match = self.bullet_re.match(bullet.text)
                if not match:
                    continue
                phrase, _ = self._clean_np(self._cut_phrase(match.group(1)))
                if phrase and not self._abstract(phrase) and not any(w[0].isdigit() for w in phrase.split()):
                    sentence = self.text.sentences_of(bullet)[0]
                    kind = self._head_kind(phrase) or self._kind(phrase.split()[-1])
                    self._add(phrase, kind, sentence, self._priority(sentence, True), phrases=(phrase, singular(phrase)))

    # mentions ------------------------------------------------------------------

    def bodies_in(self, sentence: Sentence) -> list[tuple[int, int, str]]:
        return [(s, e, k) for s, e, k in self.body_spans.get(id(sentence.passage), []) if sentence.start <= s < sentence.end]

    def locate(self) -> None:
        """Every passage that mentions each initiative, by name, alias or a word that refers back."""
        case_sensitive: dict[str, _Thing] = {}
        ignoring_case: dict[str, _Thing] = {}
        for thing in self.things.values():
            for surface in thing.surfaces:
                case_sensitive.setdefault(surface, thing)
            if thing.name and thing.name not in self.term_names:
                case_sensitive.setdefault(thing.name, thing)
            for phrase in thing.phrases:
                ignoring_case.setdefault(phrase, thing)
                ignoring_case.setdefault(phrase + "s", thing)
        exact = re.compile(rf"(?<![\w-])(?:{_alternation(case_sensitive)})(?![\w-])") if case_sensitive else None
        loose = re.compile(rf"(?<![\w'’-])(?:{_alternation(ignoring_case)})(?![\w-])", re.IGNORECASE) if ignoring_case else None
        anaphors = self.g["anaphors"]
        anaphor_re = re.compile(rf"\b(?:the|this|these)\s+({_alternation(anaphors)})\b", re.IGNORECASE)
        for passage in self.text.passages:
            hits: list[tuple[int, int, _Thing]] = []
            taken: list[tuple[int, int]] = []
            for pattern, table in ((exact, case_sensitive), (loose, ignoring_case)):
                if pattern is None:
                    continue
                for match in pattern.finditer(passage.text):
                    if any(s < match.end() and match.start() < e for s, e in taken):
                        continue
                    named = table.get(match.group()) or table.get(match.group().lower())
                    if named is None:
                        continue
                    if match.group() == named.name and not self._bare_ok(passage.text, match):
                        continue
                    hits.append((match.start(), match.end(), named))
                    taken.append(match.span())
            for thing in self.things.values():
                for pid, start, end, surface in thing.anchors:
                    if pid == id(passage) and not any(s < end and start < e for s, e in taken):
                        hits.append((start, end, thing))
                        taken.append((start, end))
            hits.sort(key=lambda h: h[0])
            for start, end, thing in hits:
                thing.mentions.append((passage, start, end, passage.text[start:end]))
            self._refer_back(passage, hits, anaphor_re, anaphors)

    def _bare_ok(self, text: str, match: re.Match) -> bool:
        """A bare name ("Harbour") counts only where it is not part of a longer capitalised name."""
        before = re.search(r"(\S+)\s+$", text[:match.start()])
        after = re.match(r"\s+(\S+)", text[match.end():])
        for word in (before.group(1) if before else "", after.group(1) if after else ""):
            bare = word.strip("(),;:.'’\"")
            if bare[:1].isupper() and bare.lower() not in self.function_words and not word.endswith((".", ",", ";", ":")):
                return False
        return True

    def _refer_back(self, passage: Passage, hits, anaphor_re: re.Pattern, anaphors: dict) -> None:
        sentences = self.text.sentences_of(passage)
        last: _Thing | None = None
        previous_hits: list[tuple[int, int, _Thing]] = []
        for sentence in sentences:
            here = [h for h in hits if sentence.start <= h[0] < sentence.end]
            for _, _, thing in here:
                thing.sentences.append(sentence)
            if here:
                last, previous_hits = here[-1][2], here
                continue
            referred: _Thing | None = None
            surface = ""
            pronoun = re.match(r"^(It|This)\b", sentence.text)
            if pronoun and previous_hits:
                previous = sentences[sentence.index - 1] if sentence.index else None
                if previous is not None and any(previous.start <= s < previous.end for s, _, _ in previous_hits):
                    first = min(previous_hits, key=lambda h: h[0])
                    final = max(previous_hits, key=lambda h: h[1])
                    if first[0] - previous.start <= 12:
                        referred, surface = first[2], pronoun.group(1)
                    elif pronoun.group(1) == "This" and previous.end - final[1] <= 2:
                        referred, surface = final[2], pronoun.group(1)
            if referred is None and last is not None:
                for match in anaphor_re.finditer(sentence.text):
                    if last.kind.value in anaphors[match.group(1).lower()]:
                        referred, surface = last, match.group()
                        break
            if referred is not None:
                referred.mentions.append((passage, sentence.start, sentence.start + len(surface), surface))
                referred.sentences.append(sentence)
                previous_hits = [(sentence.start, sentence.start + len(surface), referred)]
            else:
                previous_hits = []

    def _not_arrangements(self, places: "Places") -> set[str]:
        """Names of places and bodies: what the force does is never one of them."""
        names = {_norm(name) for name in self.bodies.bodies}
        names |= {_norm(place.label) for place in places.found.values()}
        return names

    def result(self, places: "Places") -> list[Initiative]:
        initiatives = []
        seen: set[str] = set()
        area = self.text.area
        not_arrangements = self._not_arrangements(places)
        for thing in self.things.values():
            if not thing.mentions or _norm(thing.label) in not_arrangements or self.person_re.search(thing.label):
                continue
            islug = slug(thing.label)
            if islug in seen:
                continue
            seen.add(islug)
            for sentence in thing.sentences:
                thing.partners.update(self._partners_in(sentence))
                for place in places.in_sentence(sentence):
                    thing.places.add(place)
            for place in [p for p in thing.places if p.startswith("area:")]:
                thing.places.discard(place)
                thing.places.add(places.add_area(place[5:], thing.mentions[0][0]))
            sentences_text = " ".join({s.text for s in thing.sentences} | {thing.label})
            description = sorted(thing.intro)[0][2] if thing.intro else thing.sentences[0].text
            mentions = sorted({(p.line_at(s), surface) for p, s, _, surface in thing.mentions})
            anchors = {surface for _, _, _, surface in thing.anchors}
            alt = sorted({surface for _, _, _, surface in thing.mentions
                          if surface not in ("It", "This") and not anaphor_like(surface)} - {thing.label} - anchors)
            partners = sorted({self.bodies.bodies[k].slug(area) for k in thing.partners if k in self.bodies.bodies})
            initiatives.append(Initiative(
                slug=islug, label=thing.label, kind=thing.kind, alt_labels=alt, description=description,
                question_ids=sorted({p.section for p, _, _, _ in thing.mentions if p.section}),
                mentions=[Mention(line, surface) for line, surface in mentions], partners=partners,
                places=sorted(thing.places), themes=themes_of(sentences_text, self.definitions)))
        return sorted(initiatives, key=lambda i: i.slug)

    def _partners_in(self, sentence: Sentence) -> set[str]:
        """Bodies the sentence says work on it: a list right after a partner cue ('brings together the force, X, Y
        and Z', 'a joint operation with X and Y'), 'X-led', or 'X and <the force> tackle ...'."""
        text = sentence.text
        bodies = [(s - sentence.start, e - sentence.start, k) for s, e, k in self.bodies_in(sentence)]
        found: set[str] = set()
        for start, end, key in bodies:
            if text[end:end + 4] == "-led":
                found.add(key)
            name = re.escape(text[start:end])
            force = re.escape(self.text.force)
            if re.search(rf"{force}\s+and\s+(?:the\s+)?{name}|{name}\s+and\s+{force}", text):
                found.add(key)
        for cue in self.partner_cues:
            for match in cue.finditer(text):
                position, first = match.end(), True
                for start, end, key in bodies:
                    if start < position:
                        continue
                    gap = text[position:start]
                    ok = (len(gap.split()) <= 5 and not re.search(r"[.;:]", gap)) if first else bool(LIST_GAP.fullmatch(gap))
                    if not ok:
                        break
                    found.add(key)
                    position, first = end, False
        return found


def anaphor_like(surface: str) -> bool:
    return bool(re.match(r"^(?:the|this|these)\s+\w+$", surface, re.IGNORECASE))


# --------------------------------------------------------------------------- places


class Places:
    """Capitalised names the text puts a place cue in front of ("in Colchester", "at Stansted Airport")."""

    def __init__(self, text: Text, masks: dict[int, list[tuple[int, int]]]) -> None:
        self.text = text
        self.masks = masks
        g = gazetteer()
        self.function_words = _words("function_words")
        self.generic_words = _words("generic_words")
        self.time_words = set(g["time_words"])
        self.non_places = g["non_places"]
        self.found: dict[str, Place] = {}
        self.spans: dict[int, list[tuple[int, int, str]]] = {}
        self.cue_re = re.compile(rf"\b(?i:{_alternation(g['place_cues'])})\s+({CAP}(?:\s+{CAP}){{0,3}})")
        self.list_re = re.compile(rf"^(?:,\s+|\s+and\s+)({CAP}(?:\s+{CAP}){{0,2}})")
        self.building_re = re.compile(rf"\b({CAP}(?:\s+{CAP}){{0,2}})\s+(?:{_alternation(g['place_buildings'])})\b")
        self.the_area_re = re.compile(rf"\bthe\s+({CAP})\s+area\b")
        self.direction_re = re.compile(rf"\bthe\s+((?:{_alternation(g['area_directions'])})\s+(?:{_alternation(g['area_nouns'])}))\b")
        self.non_place_re = re.compile(rf"\b(?:{_alternation(self.non_places)})\b")

    def _masked(self, passage: Passage) -> str:
        spans = list(self.masks.get(id(passage), []))
        spans += [m.span() for m in self.non_place_re.finditer(passage.text)]
        spans += [m.span() for m in re.finditer(re.escape(self.text.force), passage.text)]
        return _mask(passage.text, spans)

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
        pattern = re.compile(rf"(?<![\w-])(?:{_alternation(names)})(?![\w-])")
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


# --------------------------------------------------------------------------- prose statistics


VALUE_RE = re.compile(r"(?<![\w.,/£-])(£)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s+(million|billion))?(?![\w/]|\.\d|,\d)")
PERCENT_RE = re.compile(r"^\s*(?:percent|per cent|%)")
RATE_RE = re.compile(r"^\s*(?:times\s+)?per\s+(1,000|one million|1 million|million|100,000|head)\s+(?:of\s+(?:the\s+)?)?"
                     r"(population|households)?")
PER_NOUN_RE = re.compile(r"^\s*per\s+([a-z]+)\b")
SKIP_AFTER_RE = re.compile(r"^(?:\s*(?:-|–)?\s*(?:months?|weeks?|days?|hours?|years?|minutes?|am|pm|a\.m|p\.m|January|February|"
                           r"March|April|May|June|July|August|September|October|November|December)\b|-(?:day|week|month|year|hour))")
SKIP_BEFORE_RE = re.compile(r"\b(?:per|every|Part|part|level|figure|Figure|Figures|aged|under|over|annex|outcome|Q|question|"
                            r"between|strands?|top|bottom)\s*$|\b[Ff]igures? \d+ (?:and|to)\s*$")
COMPARATOR_RE = re.compile(r"\b(?:compared with|compared to|compares with|compares to|against|than|whereas|while|below|above|"
                           r"in line with|similar to)\b")
PERIOD_RES = [
    re.compile(r"\b(?:12|twelve) months? (?:to|ending) (?:\d{1,2} )?[A-Z][a-z]+ \d{4}"),
    re.compile(r"\byear (?:to|ending) (?:\d{1,2} )?[A-Z][a-z]+ \d{4}"),
    re.compile(r"\bas at \d{1,2} [A-Z][a-z]+ \d{4}"),
    re.compile(r"\bbetween [A-Z][a-z]+ and [A-Z][a-z]+ \d{4}"),
    re.compile(r"\b\d{4}/\d{2}\b"),
]
CHANGE_VERB_RE = re.compile(r"\b(increased|decreased|fallen|fell|rose|risen|reduced|grown|dropped|gone up|gone down)\s+(by|from|to)\s*$")
CHANGE_NOUN_RE = re.compile(r"\b(?:an? )?(increase|decrease|reduction|fall|rise|drop)\s+of\s*$")
NEGATIVE = {"decrease", "decreased", "fallen", "fell", "reduced", "reduction", "fall", "dropped", "drop", "gone down", "fewer", "lower"}
SHARE_RE = re.compile(r"(?:^|[,;]\s+)([^,;]+?)\s+(?:accounted for|accounts for|account for|made up|makes up|make up|"
                      r"represented|represents|comprised)\s*$")
NP_STOP = {"per", "will", "would", "can", "could", "should", "may", "might", "must", "having", "being", "met", "than"}
VERB_RE = re.compile(r"\b(?:has|have|had|is|are|was|were|recorded|used|made|received|made)\s+(?:an?\s+|the\s+)?(.*)$")


@dataclass
class _Value:
    value: float
    unit: str
    indicator: str
    area: Area
    period: str
    line: int
    start: int
    n: int = 0
    before: str = ""                      # the sentence up to the number, where the report says how it compares
    statistic: Statistic | None = None    # what the value became, once emitted


class ProseStatistics:
    """Numbers stated in paragraphs, with their unit, area (the force or England and Wales) and period."""

    def __init__(self, text: Text) -> None:
        self.text = text
        self.function_words = (_words("function_words") - {"of", "and"}) | NP_STOP
        self.force_re = re.compile(rf"\b(?:the force|its|{re.escape(text.force)}|{re.escape(text.area)})\b", re.IGNORECASE)
        self.ew_re = re.compile(r"\bEngland (?:and|&) Wales\b")

    def result(self) -> list[Statistic]:
        stats: list[Statistic] = []
        counters: dict[int, int] = {}
        for passage in self.text.passages:
            if passage.kind is not BlockKind.PARAGRAPH or passage.section is None:
                continue
            previous: list[_Value] = []
            previous_period = ""
            for sentence in self.text.sentences_of(passage):
                values = self._values(sentence, previous, previous_period)
                for value in values:
                    value.statistic = self._emit(value, values, previous, counters)
                    stats.append(value.statistic)
                if values:
                    previous = values
                    previous_period = next((v.period for v in values if v.period), previous_period)
        return stats

    def _emit(self, value: _Value, values: list[_Value], previous: list[_Value], counters: dict[int, int]) -> Statistic:
        """Statistic `p{line}-{n}-force`; an England and Wales value shares the n of the force value it is compared with."""
        if value.area is Area.ENGLAND_AND_WALES:
            partner = next((v for v in reversed(values) if v.area is Area.FORCE and v.start < value.start and v.unit == value.unit), None)
            if partner is None:
                partner = next((v for v in reversed(previous) if v.area is Area.FORCE and v.unit == value.unit), None)
            if partner is not None and partner.n:
                if partner.statistic is not None and partner.statistic.comparison is None:
                    # The words between the two figures: "4.2 percent of calls ... This is in line with the".
                    between = value.before[partner.start:] if partner in values else value.before
                    partner.statistic.comparison = comparison_words(between)
                value.indicator = partner.indicator or value.indicator
                value.period = value.period or partner.period
                value.n = partner.n
                return Statistic(f"p{partner.line}-{value.n}-ew", value.indicator, value.value, value.unit, value.area, value.period,
                                 value.line)
        counters[value.line] = counters.get(value.line, 0) + 1
        value.n = counters[value.line]
        suffix = "force" if value.area is Area.FORCE else "ew"
        return Statistic(f"p{value.line}-{value.n}-{suffix}", value.indicator, value.value, value.unit, value.area, value.period,
                         value.line)

    def _values(self, sentence: Sentence, previous: list[_Value], previous_period: str) -> list[_Value]:
        text = sentence.text
        if re.search(r"\bforces\b", text) and not self.ew_re.search(text):
            return []   # figures about other forces
        cues = [m.start() for m in COMPARATOR_RE.finditer(text)]
        periods = [(m.start(), m.end(), m.group()) for r in PERIOD_RES for m in r.finditer(text)]
        values: list[_Value] = []
        for match in VALUE_RE.finditer(text):
            before, after = text[:match.start()], text[match.end():]
            if SKIP_AFTER_RE.match(after) or SKIP_BEFORE_RE.search(before) or re.match(r"^\s*\d{4}\b", after):
                continue
            number = float(match.group(2).replace(",", "") + (match.group(3) or ""))
            if not match.group(3) and "," not in match.group(2) and 1990 <= number <= 2099 and not PERCENT_RE.match(after):
                continue   # a year
            scale = {"million": 1e6, "billion": 1e9}.get(match.group(4) or "", 1)
            found = self._unit_and_indicator(match, before, after)
            if found is None:
                continue
            unit, indicator, sign = found
            if indicator.startswith("change ") and re.match(r"^(?:This|That)\b", text) and previous and " in " not in indicator:
                indicator = f"change in {previous[-1].indicator} {indicator[len('change '):]}".strip()
            period = self._period(periods, match.start(), match.end(), text, previous_period)
            values.append(_Value(sign * number * scale, unit, indicator, self._area(text, match.start(), cues), period,
                                 sentence.passage.line_at(sentence.start + match.start()), match.start(), before=before))
        return values

    def _area(self, text: str, at: int, cues: list[int]) -> Area:
        """England and Wales when the clause around the value (between comparison words) names it and not the force."""
        if not self.ew_re.search(text):
            return Area.FORCE
        start = max([c for c in cues if c <= at], default=0)
        end = min([c for c in cues if c > at], default=len(text))
        clause = text[start:end]
        if self.ew_re.search(clause) and not self.force_re.search(self.ew_re.sub("", clause)):
            return Area.ENGLAND_AND_WALES
        return Area.FORCE

    def _period(self, periods: list[tuple[int, int, str]], start: int, end: int, text: str, previous_period: str) -> str:
        """The period right after the value ('from 72.7 percent in the 12 months to ...'), else the nearest before."""
        following = [p for p in periods if 0 <= p[0] - end <= 25]
        preceding = [p for p in periods if p[1] <= start]
        if following:
            return min(following)[2]
        if preceding:
            return max(preceding)[2]
        if "same period" in text or not periods:
            return previous_period if "same period" in text else ""
        return min(periods)[2]

    def _noun_phrase(self, after: str) -> str:
        """The counted noun after a number: '1,245 registered sex offenders in Essex' -> 'registered sex offenders'."""
        words: list[str] = []
        for word in re.findall(r"\(?[\w'’/-]+\)?", after)[:9]:
            if word.startswith("("):
                if word.endswith(")") and word[1:-1].rstrip("s").isupper():
                    continue
                break
            word = word.rstrip(")")
            if not words and word.lower() in ("all", "the", "its", "their"):
                continue
            acronym = bool(re.fullmatch(r"[A-Z]{2,}s?", word))
            if word.lower() in self.function_words or not word[0].isalpha() or (not words and not word[0].islower() and not acronym):
                break
            if word in ("of", "and") and (not words or word in words):
                break
            if words and words[-1] == "and" and re.search(r"ed$", word):
                words.pop()
                break
            words.append(word)
            if word.endswith(")"):
                break
        while words and words[-1] in ("of", "and"):
            words.pop()
        if len(words) == 1 and re.search(r"(?:ed|ing)$", words[0]):
            return ""
        return " ".join(words)

    def _subject(self, before: str) -> str:
        """The words a change applies to: 'police-recorded crime (excluding fraud) for the 12 months ... has increased by'."""
        clause = re.split(r",\s+|\b(?:that|which|where|when)\s+", before)[-1]
        clause = re.sub(rf"^(?:the\s+)?(?:force|{re.escape(self.text.force)}|{re.escape(self.text.area)})['’]s\s+", "", clause.strip())
        clause = re.sub(r"\s*(?:has|have|had|was|were|is|are)?\s*(?:increased|decreased|fallen|fell|rose|risen|reduced|grown|"
                        r"dropped|gone up|gone down)\s+(?:by|from|to)\s*$", "", clause)
        for pattern in PERIOD_RES:
            clause = pattern.sub("", clause)
        clause = re.sub(r"\s+(?:for|in|over|to|during)(?: the)?\s*$", "", clause.strip())
        clause = re.sub(rf"\s+in\s+(?:{re.escape(self.text.area)}|{re.escape(self.text.force)})\b", "", clause)
        return re.sub(r"^(?:the|a|an)\s+", "", clause.strip(" ,"), flags=re.IGNORECASE).strip()

    def _unit_and_indicator(self, match: re.Match, before: str, after: str) -> tuple[str, str, float] | None:
        if match.group(1):   # £
            rate = RATE_RE.match(after)
            unit = "GBP" + (f" per {rate.group(1)} {rate.group(2) or ''}".rstrip() if rate else "")
            return unit, self._fallback(before) or "amount", 1.0
        percent = PERCENT_RE.match(after)
        if percent:
            return self._percent(before, re.sub(r"^\)", "", after[percent.end():]))
        every = re.search(r"\bfor every (\d[\d,]*) ([\w\s-]+?)(?: recorded)?(?: in the [^,]*)?, there were\s*$", before)
        if every:
            return f"per {every.group(1)} {every.group(2)}", self._noun_phrase(after) or "count", 1.0
        rate = RATE_RE.match(after)
        if rate:
            return self._rate_unit(rate), self._fallback(before), 1.0
        per = PER_NOUN_RE.match(after)
        if per:
            return f"per {per.group(1)}", self._fallback(before), 1.0
        noun = self._noun_phrase(after)
        if not noun:
            were = re.match(r"^\s+(?:are|were|is|was)\s+((?:\w+\s+){0,3}?(?:risk|\w+ed))\b", after)
            return ("count", were.group(1), 1.0) if were else None
        rest = re.sub(r"^\s*\([A-Z]+s?\)", "", after[after.find(noun) + len(noun):])
        rate = RATE_RE.match(rest)
        if rate:
            return self._rate_unit(rate), noun, 1.0
        if noun == "times":
            return "count", self._fallback(before) + " (times)", 1.0
        return "count", noun, 1.0

    @staticmethod
    def _rate_unit(rate: re.Match) -> str:
        return f"per {rate.group(1)} {rate.group(2) or 'population'}".replace("1 million", "one million")

    def _percent(self, before: str, rest: str) -> tuple[str, str, float]:
        sign = 1.0
        change = CHANGE_VERB_RE.search(before)
        change_noun = CHANGE_NOUN_RE.search(before)
        if change and change.group(2) == "by" and change.group(1) in NEGATIVE or change_noun and change_noun.group(1) in NEGATIVE:
            sign = -1.0
        of = re.match(r"^\s+of\s+(.+)", rest)
        were = re.match(r"^\s+(?:were|was|are|is)\s+(.+?)(?=[,;]|\.(?!\d)|$)", rest)
        more = re.match(r"^\s+(fewer|more|higher|lower)\s+(.+?)(?=\s+than\b|[,;](?!\d)|\.(?!\d)|$)", rest)
        trend = re.match(r"^\s+(increase|decrease|reduction|fall|rise|drop)\b\s*(.*?)(?=[,;]|\.(?!\d)|$)", rest)
        quoted = re.match(r"^\s+as\s+('[^']+')", rest)
        rate_for = re.search(r".*\brate for (.+?)\s+(?:at|is|was)\s*$", before)
        named = re.search(r"(?:the\s+)?([\w'’ ()-]{3,80}?)\s+(?:rate|average|level|proportion)\s+(?:of|at|is)\s*$", before)
        number_of = re.search(r"\b(increased|reduced|cut|decreased|raised)\s+(?:the\s+)?(.+?)\s+by\s*$", before)
        if rate_for:
            return "percent", rate_for.group(1), sign
        if named and re.search(r"(?:rate|average|level|proportion)\s+(?:of|at)\s*$", before):
            return "percent", self._subject(named.group(1)) + " rate", sign
        if number_of and not change:
            negative = number_of.group(1) in ("reduced", "cut", "decreased")
            return "percent", "change in " + self._subject(number_of.group(2)), -1.0 if negative else 1.0
        if change and change.group(2) in ("from", "to") or re.search(r"\bfrom\s+[\d.]+\s+percent\b.*\bto\s*$", before):
            return "percent", self._subject(re.split(r"\s+from\s+", before)[0] + " by"), sign
        if change or change_noun:
            subject = before[:change_noun.start()] if change_noun and not change else before
            return "percent", "change in " + self._subject(subject), sign
        if more:
            return "percent", f"{more.group(1)} {' '.join(more.group(2).split()[:8])}", -1.0 if more.group(1) in NEGATIVE else 1.0
        if trend:
            return "percent", f"change {trend.group(2)}".strip(), -1.0 if trend.group(1) in NEGATIVE else 1.0
        if of:
            noun = self._noun_phrase(of.group(1))
            if not noun:
                return "percent", " ".join(of.group(1).split()[:6]), sign
            share = SHARE_RE.search(before)
            if share:   # "domestic abuse accounted for 12 percent of all police-recorded crime"
                return "percent", f"{self._subject(share.group(1))} as a share of {noun}", sign
            return "percent", self._qualified(noun, of.group(1), before), sign
        if were:
            return "percent", " ".join(were.group(1).split()[:12]), sign
        if quoted:
            return "percent", quoted.group(1), sign
        if rate_for:
            return "percent", rate_for.group(1), sign
        if named:
            return "percent", self._subject(named.group(1)) + " rate", sign
        return "percent", self._fallback(before), sign

    def _qualified(self, noun: str, following: str, before: str) -> str:
        """A counted noun with what the sentence says about the ones counted: 'percent of calls' is no indicator.

        '1.1 percent of incidents in Essex were identified as having a mental health element' ->
        'incidents identified as having a mental health element'; 'flagged 4.2 percent of calls as
        involving a vulnerable victim' -> 'calls flagged as involving a vulnerable victim'.
        """
        rest = following[following.find(noun) + len(noun):]
        rest = re.sub(rf"^\s+(?:in|across)\s+(?:{re.escape(self.text.area)}|{re.escape(self.text.force)})\b", "", rest)
        end = r"(?=[,;]|\.(?!\d)|$)"
        were = re.match(rf"^\s+(?:were|was|are|is)\s+(\w+ed\s+(?:as|to|by|with|for)\s+.+?){end}", rest)
        if were:
            return f"{noun} {' '.join(were.group(1).split()[:8])}"
        as_ = re.match(rf"^\s+(as\s+.+?){end}", rest)
        if as_:
            verb = re.search(r"\b(\w+ed)\s*$", before)
            return " ".join([noun, *([verb.group(1)] if verb else []), *as_.group(1).split()[:8]])
        return noun

    def _fallback(self, before: str) -> str:
        """The clause before the number, from its verb on: 'Essex has a high expenditure on X (' -> 'high expenditure on X'."""
        before = re.sub(r"[\s(]*(?:around|about|some|only|almost|nearly)?\s*$", "", before)
        before = re.sub(r"\s+(?:of\s+)?(?:more|less|fewer)\s+than$|\s+over$", "", before)
        clauses = [c for c in re.split(r"[,;:]\s+|\s+and\s+", before) if c.strip()]
        clause = clauses[-1] if clauses else before
        if len(clause.split()) < 3:
            clause = re.split(r"\s+(?:is|are|was|were)\s+", before)[0]
        verb = VERB_RE.search(clause)
        if verb and verb.group(1).strip():
            clause = verb.group(1)
        return " ".join(clause.split()[-10:]).strip(" (")


# --------------------------------------------------------------------------- entry point


def extract_entities(document: Document, facts: Facts) -> None:
    """Fill facts.initiatives, organisations, places, collaborations, theme tags and prose statistics."""
    text = Text.of(document)
    bodies = Organisations(text)
    bodies.find()
    body_spans = bodies.locate()
    term_names = {_norm(t.label) for t in facts.terms} | {_norm(a) for t in facts.terms for a in t.alt_labels} \
        | {t.label for t in facts.terms} | {a for t in facts.terms for a in t.alt_labels}
    things = Initiatives(text, bodies, body_spans, term_names)
    things.find()
    things.locate()
    masks: dict[int, list[tuple[int, int]]] = {}   # names of bodies and initiatives are not places
    for passage in text.passages:
        masks[id(passage)] = [(s, e) for s, e, _ in body_spans.get(id(passage), [])]
    for thing in things.things.values():
        for passage, start, end, surface in thing.mentions:
            if surface[:1].isupper() and surface not in ("It", "This"):
                masks.setdefault(id(passage), []).append((start, end))
    places = Places(text, masks)
    places.find()
    facts.initiatives = things.result(places)
    facts.organisations, facts.collaborations = bodies.result()
    facts.places = places.result()
    facts.theme_tags = [ThemeTag(f.id, theme, list(f.passages)) for f in facts.findings if f.kind in FINDING_KINDS
                        for theme in themes_of(f.text, things.definitions)]
    facts.statistics = [s for s in facts.statistics if s.figure is not None] + ProseStatistics(text).result()
