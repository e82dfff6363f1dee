"""The initiatives a report names: what the force does, by naming patterns, and its mentions.

Naming patterns ("Operation X", "(Operation X)", "Exercise X", "Project X", "the X
scheme/programme/pilot", "a pilot known as X", "the force's IT system, X", "the form (PP57)",
"the new force 'Evidence Library'", "the 'X' video"), lower case schemes, plans, teams and
centres the text says the force has, runs or set up, names in parentheses after a team, and
unnamed arrangements whose head noun is an arrangement word of the gazetteer. Aliases collapse
to one initiative: acronyms defined as "long name (ABBR)", a bare name ("Kestrel patrols" for
Operation Kestrel), and "the scheme" / "the pilot" / "It" referring back inside a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peelkg.loaders.acronyms import find_definitions, singular
from peelkg.loaders.assemble import slug
from peelkg.loaders.entity_text import CAP, Passage, Sentence, Text, alternation, gazetteer, norm, themes_of, words
from peelkg.loaders.organisations import Organisations
from peelkg.loaders.places import Places
from peelkg.model import BlockKind, HeadingKind, Initiative, InitiativeKind, Mention

LIST_GAP = re.compile(r"(?:['’]s\b[^,;.]*?)?\s*,?\s*(?:(?:and|or)\s+)?(?:the\s+)?")


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
        self.function_words = words("function_words")
        self.generic_words = words("generic_words")
        self.things: dict[str, _Thing] = {}
        self.by_name: dict[str, str] = {}
        self.partner_cues = [re.compile(c, re.IGNORECASE) for c in gazetteer()["roles"]["partner"]]
        self.prefix = g["prefix_kinds"]
        self.suffix = {**g["suffix_kinds"], **g["team_kinds"], **g["system_kinds"], **g["form_kinds"]}
        kinds = alternation(self.suffix)
        self.prefix_re = re.compile(rf"(\()?\b({alternation(self.prefix)})\s+({CAP}(?:\s+{CAP}){{0,2}})")
        self.known_as_re = re.compile(rf"\b(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?({kinds})\s+(?:known as|called|named)\s+"
                                      rf"'?({CAP}(?:\s+{CAP}){{0,3}})")
        self.proper_re = re.compile(rf"(?<![\w'’-])({CAP}(?:\s+(?:{CAP}|of|and|for|&))*)((?:\s+[a-z][\w-]*){{0,2}}?)\s+"
                                    rf"(?i:({kinds}))s?\b")
        verbs = alternation(g["setup_verbs"] + g["ownership_verbs"])
        adverbs = alternation(g["adverbs"])
        np = r"(?:[\w'’/-]+|\([A-Z]{2,8}s?\))"
        self.generic_re = re.compile(rf"\b({verbs})\s+(?:(?:{adverbs})\s+){{0,2}}(?:a|an|its|their)\s+({np}(?:\s+{np}){{0,6}}?)\s+"
                                     rf"({kinds})\b(?:\s+for\s+(\d{{4}}/\d{{2}}))?")
        self.and_re = re.compile(rf"^\s+and\s+(?:an?\s+)?({np}(?:\s+{np}){{0,5}}?)\s+({kinds})\b")
        self.passive_re = re.compile(rf"\b(?:A|An|a|an)\s+({np}(?:\s+{np}){{0,5}}?)\s+({alternation(g['team_kinds'])})\s+"
                                     rf"(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}been\s+(?:{alternation(g['setup_verbs'])})\b")
        self.owned_acronym_re = re.compile(rf"\b(?:[Tt]he force's|[Ii]ts|[Tt]heir)\s+({np}(?:\s+{np}){{0,5}}?)\s+"
                                           rf"({alternation(list(g['team_kinds']) + list(g['system_kinds']))})\s*\(([A-Z]{{2,8}})\)")
        self.the_acronym_re = re.compile(rf"\bthe\s+({np}(?:\s+{np}){{0,5}}?)\s+({alternation(g['system_kinds'])})\s*\(([A-Z]{{2,8}})\)")
        self.named_team_re = re.compile(rf"\b(?:the|a|an|its|their)\s+((?:[a-z][\w'’-]*\s+){{1,5}}?)({alternation(g['team_kinds'])})s?"
                                        rf"\s*\(({CAP}(?:\s+{CAP}){{0,2}})\)")
        self.system_re = re.compile(rf"\b(?:{alternation(g['system_cues'])}),\s+({CAP})")
        self.quoted_re = re.compile(rf"\b(?:the|a|an)\s+(new\s+)?(force\s+)?'([A-Z][^']{{2,60}})'(?:\s+({alternation(g['media_kinds'])}))?")
        self.form_title_re = re.compile(r"\bform\s+titled\s+'([^']{3,100})'\s*\(([A-Z]{2,5}\d{1,3})\)")
        self.form_code_re = re.compile(r"\b([Tt]he|a|an)\s+form\s*\(([A-Z]{2,5}\d{1,3})\)")
        self.joint_re = re.compile(r"\b(?:a|an)\s+joint\s+(project|programme|initiative|scheme)\s+(?:between|with)\b")
        self.introduced_list_re = re.compile(rf"\b(?:{alternation(g['setup_verbs'])})(?: the following)?\s*:\s*$")
        self.bullet_re = re.compile(r"^(?:[-•−⁻–▪●]\s*)?(?:a|an|the)\s+((?:[\w'’-]+\s+){0,5}?[\w'’-]+?)(?=\s+(?:to|that|which|in|for|,)\b|[,;.]|$)")
        self.negation_re = re.compile(rf"\b(?:{alternation(g['negations'])})\b", re.IGNORECASE)
        self.drop = set(g["drop_adjectives"])
        self.person_re = re.compile(rf"^(?:the\s+)?(?:{alternation(g['person_titles'])})\b", re.IGNORECASE)
        self.arrangement_heads = {w.lower(): InitiativeKind(k) for w, k in g["arrangement_heads"].items()}
        self.abstract = set(g["abstract_heads"])
        self.definitions = find_definitions(" ".join(p.text for p in text.passages if p.kind is not BlockKind.FOOTNOTE))
        count = rf"(?:a|an|\d[\d,]*|{alternation(g['numbers'])})"
        phrase = r"([\w'’-]+(?:\s+[\w'’-]+){0,8})"
        self.brought_in_re = re.compile(rf"\b(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}(?:{alternation(g['arrangement_verbs'])})\s+"
                                        rf"{count}\s+{phrase}")
        self.has_re = re.compile(rf"\b(?:[Ii]t|[Tt]he force|{re.escape(text.force)})\s+(?:(?:{adverbs})\s+)?(?:has|have)\s+"
                                 rf"(?:{count}\s+)?{phrase}(?=,?\s+(?:where|which|that|who|to)\b)")
        roles = alternation([w for w, k in g["arrangement_heads"].items() if k == "StaffRole"])
        self.bare_role_re = re.compile(rf"\b(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}(?:{alternation(g['arrangement_verbs'])})\s+"
                                       rf"(?:{count}\s+)?((?:[a-z][\w'’-]*\s+){{0,2}}?(?:{roles})s?)\s+"
                                       rf"(?:{alternation(g['role_complement'])})\s+(?:the\s+)?{phrase}")
        self.recruited_re = re.compile(rf"\b(?:{count})\s+{phrase}\s+(?:has|have)\s+(?:(?:{adverbs})\s+){{0,2}}been\s+"
                                       rf"(?:{alternation(g['arrangement_verbs'])})\b", re.IGNORECASE)
        self.ongoing_re = re.compile(rf"\b(?:is|are)\s+(?:(?:{adverbs})\s+){{0,2}}(?:{alternation(g['ongoing_verbs'])})\s+"
                                     rf"(?:(?:a|an|its|their)\s+)?{phrase}")
        self.established_re = re.compile(rf"\b(?:a|an)\s+(?:(?:{alternation(g['established_adverbs'])})[\s-]+)?established\s+"
                                         rf"{phrase}(?=\s+(?:in|at)\s+{CAP})")

    # helpers -------------------------------------------------------------------

    def _kind(self, word: str) -> InitiativeKind:
        word = word.lower().rstrip("s") if word.lower() not in self.suffix else word.lower()
        return InitiativeKind(self.suffix.get(word, self.suffix.get(word + "s", "Initiative")))

    def _is_place_or_body(self, name: str) -> bool:
        return norm(name) in self.bodies.bodies or norm(name) in (norm(self.text.area), norm(self.text.force))

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
        key = norm(label)
        name_key = norm(name) if name else None
        found = self.things.get(key) or (self.things.get(self.by_name[name_key]) if name_key in self.by_name else None)
        if found is None:
            for alias in [*surfaces, *phrases]:
                if norm(alias) in self.things:
                    found = self.things[norm(alias)]
                    break
        if found is None:
            found = self.things[key] = _Thing(label, kind, name)
        if name and not found.name:
            found.name = name
        if found.name:
            self.by_name[norm(found.name)] = next(k for k, t in self.things.items() if t is found)
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
                or any(w[0].isdigit() for w in label.split()) or norm(label) in self.term_names \
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
        if norm(label) in self.bodies.bodies:
            return False
        body = norm(capital) in self.bodies.bodies
        area_only = norm(capital) in (norm(self.text.area), norm(self.text.force))
        if area_only and not modifiers:
            return False
        name = None if (body or area_only or capital in self.term_names) else capital
        thing = self._add(label, self._kind(kind_word), sentence, self._priority(sentence, " is a" in sentence.text), name)
        if body:
            thing.partners.add(norm(capital))
            acronyms = [n for n in self.bodies.bodies[norm(capital)].names if n.isupper()]
            thing.surfaces.update(f"{a} {noun}" for a in acronyms)
        return True

    def _parenthesis_context(self, thing: _Thing, before: str, sentence: Sentence) -> None:
        """'a predictive patrol model (Operation Insight)': the words before name what it is, or where."""
        np = re.search(r"\b(?i:a|an|the|its|their)\s+((?:[\w'’-]+\s+){0,7}?[\w'’-]+)\s*$", before)
        if not np:
            return
        words = np.group(1)
        area = re.search(rf"\b(?:{alternation(gazetteer()['area_directions'])})\s+(?:{alternation(gazetteer()['area_nouns'])})$", words)
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
            self.things[norm(code)] = existing
            existing.surfaces.add(code)
            existing.name = code
            self.by_name[norm(code)] = norm(code)
            return
        self._add(code, InitiativeKind.FORM, sentence, self._priority(sentence, True), code,
                  phrases=(title,) if title else ())

    def _acronym_np(self, match: re.Match, sentence: Sentence) -> None:
        phrase, _ = self._clean_np(match.group(1))
        if not self._plausible_np(phrase) or self._negated(sentence, sentence.start + match.start()):
            return
        label = f"{phrase} {match.group(2)}"
        if norm(label) in self.term_names:
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
            alias_of = re.match(rf"\s*\(({alternation(self.prefix)})\s+({CAP})", after)
            if alias_of:
                target = self.things.get(norm(f"{alias_of.group(1)} {alias_of.group(2)}"))
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
        subject = re.match(rf"^(?:The|A|An)\s+((?:[a-z][\w'’-]*\s+){{0,5}}(?:{alternation(self.g['team_kinds'])}))\b", first.text)
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
        exact = re.compile(rf"(?<![\w-])(?:{alternation(case_sensitive)})(?![\w-])") if case_sensitive else None
        loose = re.compile(rf"(?<![\w'’-])(?:{alternation(ignoring_case)})(?![\w-])", re.IGNORECASE) if ignoring_case else None
        anaphors = self.g["anaphors"]
        anaphor_re = re.compile(rf"\b(?:the|this|these)\s+({alternation(anaphors)})\b", re.IGNORECASE)
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
        names = {norm(name) for name in self.bodies.bodies}
        names |= {norm(place.label) for place in places.found.values()}
        return names

    def result(self, places: "Places") -> list[Initiative]:
        initiatives = []
        seen: set[str] = set()
        area = self.text.area
        not_arrangements = self._not_arrangements(places)
        for thing in self.things.values():
            if not thing.mentions or norm(thing.label) in not_arrangements or self.person_re.search(thing.label):
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
