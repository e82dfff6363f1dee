"""The organisations a report names, and the collaborations it puts them in.

The national bodies and police forces of `gazetteer.yaml` (national facts), then capitalised
names that end in an organisation-type word ("... Council", "... Trust", "... Unit",
"University of ..."), names followed by "charity" or "forum", and the public bodies every force
area has, named in lower case ("probation", "children's social care").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peelkg.loaders.acronyms import find_definitions
from peelkg.loaders.assemble import slug
from peelkg.loaders.entity_text import Passage, Text, alternation, gazetteer, mask, norm, words
from peelkg.model import BlockKind, Collaboration, Mention, Organisation, OrganisationKind

WORD = r"[A-Za-z0-9](?:[\w'’-]*[\w'’])?"


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


def _national_entries() -> list[tuple[str, list[str], OrganisationKind, list[str]]]:
    g = gazetteer()
    entries = [(e["name"], e.get("aliases", []), OrganisationKind(e["kind"]), e.get("roles", [])) for e in g["national_bodies"]]
    for force in g["police_forces"]:
        name, aliases = (force, []) if isinstance(force, str) else (force["name"], force.get("aliases", []))
        entries.append((name, aliases, OrganisationKind.POLICE_FORCE, []))
    return entries


class Organisations:
    """Finds the bodies a report names and resolves their spellings to one body each."""

    def __init__(self, text: Text) -> None:
        self.text = text
        g = gazetteer()
        self.heads = {w: OrganisationKind(k) for w, k in g["organisation_heads"].items()}
        self.head_nouns = g["organisation_head_nouns"]
        self.kind_words = {w: OrganisationKind(k) for w, k in g["organisation_kind_words"].items()}
        self.function_words = words("function_words")
        self.generic_words = words("generic_words")
        self.bodies: dict[str, _Body] = {}
        self.national: dict[str, tuple[str, OrganisationKind, list[str]]] = {}
        for name, aliases, kind, roles in _national_entries():
            for surface in [name, *aliases]:
                self.national[surface] = (name, kind, roles)
        self.self_pattern = re.compile(rf"(?<![\w])(?:{re.escape(text.force)})(?!\w)")
        self.national_pattern = re.compile(rf"(?<![\w-])(?:{alternation(self.national)})(?![\w-])")

    # discovery -----------------------------------------------------------------

    def find(self) -> None:
        definitions = find_definitions(" ".join(p.text for p in self.text.passages if p.kind is not BlockKind.FOOTNOTE))
        long_forms = {norm(long): short for short, long in definitions.items()}
        for passage in self.text.passages:
            spans = [m.span() for m in self.self_pattern.finditer(passage.text)]
            for match in self.national_pattern.finditer(passage.text):
                name, kind, roles = self.national[match.group()]
                if name == self.text.force:
                    continue
                body = self._add(name, kind, match.group())
                body.roles.update(roles)
                spans.append(match.span())
            masked = mask(passage.text, spans)
            for start, end, name, kind in self._capitalised_names(masked):
                if norm(name) in (norm(self.text.force), norm(self.text.area)):
                    continue
                body = self._add(name, kind, name)
                after = re.match(r"\s*\(([A-Z][A-Za-z&]{1,9})\)", passage.text[end:])
                if after:
                    body.names.add(after.group(1))
                short = long_forms.get(norm(name))
                if short:
                    body.names.add(short)
        self._local_bodies()

    def _add(self, name: str, kind: OrganisationKind, surface: str, local: bool = False) -> _Body:
        key = norm(name)
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
            pattern = re.compile(rf"(?<![\w-])(?:{alternation(names)})(?![\w-])")
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
        pattern = re.compile(rf"(?<![\w-])(?:{alternation(surfaces)})(?![\w]|-[A-Z])")
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
