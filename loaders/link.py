"""Link stage: which initiatives answer which findings, each link scored and explained.

Targets are the report's areas for improvement, causes of concern (read together with their
recommendations) and the previous inspection's findings it refers back to. Each target
carries its ask (`peelkg.loaders.asks`: action, object, scope, purpose). A link is stored
(`peel:addresses`) only where the report itself connects the initiative to the ask:

- an evidence chain (method `evidence-chain`): in one passage, a sentence that names a gap
  (`gap` phrases of link-cues.yaml: "however", "not yet", "very little", ...) and part of the
  ask's object, then, at most CHAIN_SPAN sentences later, a sentence that tells what the force
  does about it (`response` phrases: "in response", "has set up", "is developing", "pilot",
  ...), naming the initiative there or in the FOLLOW_SENTENCES after it (or in the bullets of
  a list it opens). The passage as a whole names at least COVER_SAME of the object, each word
  weighted by its rarity in the report (IDF). A passage of another question's section counts
  only when the finding's own section has no chain that names an initiative, and it must name
  COVER_OTHER of the object, OTHER_MIN_WORDS of its words, two of them in the problem
  sentence. For an ask to reduce something (`reducing_actions`), a sentence naming the object
  is the problem. For a previous finding, the passages that tell of its progress
  (`narrative`) need no gap, only a response naming PRIOR_COVER of what it said; and a
  sentence of its section that tells the initiative did what it asked ("evaluated") counts;
- an explicit cue (method `text-cue`): the finding names the initiative; a sentence naming the
  initiative uses a rare term the finding names ("the work of a MASH"); the finding asks for
  practice across the force and the report says the initiative, which does what the finding
  asks, should spread from where it runs.

Every candidate is scored by one weighted sum of four signals, each in 0..1:

    score = W_SECTION * section + W_THEME * theme + W_LEXICAL * lexical + W_CUE * cue

- section: 1 when the initiative is mentioned under the target's question, else 0;
- theme: overlap coefficient of the target's and the initiative's themes;
- lexical: the best TF-IDF cosine (Snowball stems, acronyms expanded) between the target and a
  window where the initiative is named, divided by LEXICAL_SATURATION, capped at 1;
- cue: 1 for a chain or an explicit cue, WEAK_CUE for a weak one (the target names a place where
  the initiative runs, or asks for force-wide practice that runs locally), else 0.

THRESHOLD equals W_CUE, and the other weights add up to less: a link reaches the threshold
only with a chain or an explicit cue; everything else stays a candidate below it. One set of
weights, cue lists and threshold serve every report. Rationales quote the chain: ask ->
problem (line) -> response (line) naming the initiative.

Curated links (`<report stem>.links.yaml` beside the report, `peelkg.loaders.curated`) are an
analyst's decisions, checked against the report's text: an accepted pair scores 1.0 with the
method `curated`, a rejected one keeps its score with the method `rejected` and stays below the
threshold, whatever the scorer found for the pair.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

import snowballstemmer
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from peelkg.loaders.acronyms import find_definitions, singular
from peelkg.loaders.curated import (  # noqa: F401  (CuratedLinkError, curated_path, load_curated: re-exported for callers)
    CuratedLink, CuratedLinkError, apply_decisions, curated_for, curated_path, load_curated, resolve_curated,
)
from peelkg.loaders.extract import sentences
from peelkg.loaders.segment import force_area
from peelkg.model import AddressLink, BlockKind, Facts, Finding, FindingKind, Initiative, LinkMethod
from peelkg.resources import package_dir
from peelkg.text import collapse, quote

W_SECTION = 0.10
W_THEME = 0.10
W_LEXICAL = 0.25
W_CUE = 0.55
WEAK_CUE = 0.4                # value of the cue signal for a weak cue
THRESHOLD = 0.55              # = W_CUE: a link is stored only where a chain (a strong cue) holds
COVER_SAME = 0.5              # share of an ask's object a problem-and-response span must name, in its own section
COVER_OTHER = 0.6             # ... in another section's passage
CHAIN_SPAN = 2                # sentences a response may follow the problem by, in one passage
COVER_SPREAD = 0.25           # share of the object a spreading initiative's sentences must name
OTHER_MIN_WORDS = 3           # words of the object a span in another section must name
PRIOR_COVER = 0.2             # share of a previous finding a response in its progress passages must name
FOLLOW_SENTENCES = 2          # sentences after a response that may name what it brought in
NARRATIVE_PASSAGES = 2        # passages after a progress passage that still tell of that progress
LEXICAL_SATURATION = 0.35     # a cosine at or above this counts as fully similar text
LEXICAL_METHOD_MIN = 0.10     # a cosine below this is not reported as the method `lexical`
MIN_SCORE = 0.2               # candidates scoring less are not returned
MAX_TERM_PASSAGES = 8         # a term used in more passages than this is too common to be a cue

TARGET_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.PRIOR_FINDING)
ADDRESSABLE_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN)   # the ones that can be unaddressed
STATEMENT_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.RECOMMENDATION)
TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.BULLET, BlockKind.TABLE_ROW, BlockKind.FOOTNOTE)


# --------------------------------------------------------------------------- text helpers


def cue_patterns() -> dict[str, list[re.Pattern]]:
    """The phrase lists of link-cues.yaml, compiled."""
    data = yaml.safe_load((package_dir("peelkg.loaders") / "link-cues.yaml").read_text(encoding="utf-8"))
    return {kind: [re.compile(p, re.IGNORECASE) for p in patterns] for kind, patterns in data.items()
            if not kind.endswith("_words")}


@lru_cache(maxsize=None)
def cue_words(kind: str) -> frozenset[str]:
    """A word list of link-cues.yaml (`generic_object_words`, `generic_action_words`)."""
    data = yaml.safe_load((package_dir("peelkg.loaders") / "link-cues.yaml").read_text(encoding="utf-8"))
    return frozenset(data[kind])


@lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)


def _contains(text: str, phrase: str) -> bool:
    return bool(phrase) and _phrase_pattern(phrase).search(text) is not None


@lru_cache(maxsize=None)
def _any_of(forms: tuple[str, ...]) -> re.Pattern:
    """One pattern for several phrases, each as a whole word, case ignored."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.IGNORECASE)


def _first(patterns: Iterable[re.Pattern], text: str) -> str | None:
    return next((m.group(0) for p in patterns for m in [p.search(text)] if m), None)


def _names(initiative: Initiative) -> list[str]:
    """Label, aliases, their singular forms and forms without a leading article; longest first."""
    names = {initiative.label, *initiative.alt_labels}
    names |= {singular(n) for n in names}
    names |= {re.sub(r"^(?:the|a|an|its) ", "", n, flags=re.IGNORECASE) for n in names}
    return sorted((n for n in names if len(n) >= 4), key=lambda n: (-len(n), n))


def _stemming_analyzer() -> Callable[[str], list[str]]:
    words = TfidfVectorizer(stop_words="english").build_analyzer()
    snowball = snowballstemmer.stemmer("english").stemWord

    @lru_cache(maxsize=None)
    def stem(word: str) -> str:      # "partnership" meets "partner", "leadership" "leader"
        return snowball(word[:-4] if word.endswith("ship") and len(word) > 8 else word)

    return lambda text: [stem(word) for word in words(text)]


# --------------------------------------------------------------------------- scoring


@dataclass
class _Window:
    passage: int
    sentence: str         # the sentence naming the initiative
    text: str             # the text compared: the sentence, it and the next one, or the passage
    near: bool            # True for the sentence alone or with the next one


@dataclass
class _Cue:
    description: str
    passage: int | None
    strength: float
    chain: tuple[int, int] | None = None     # (problem passage, response passage) of an evidence chain


@dataclass
class Chain:
    """The report's own path from a finding's ask to what the force does about it, within one passage."""
    passage: int
    problem: str          # the sentence that names the ask's object and the gap
    response: str         # the sentence that tells what the force does, naming the initiative
    cover: float          # share of the ask's object (weighted by rarity) the span names
    follow: tuple[tuple[int, str], ...] = ()   # (passage, sentence) after the response that may name what it brought in
    matched: int = 0      # how many of the object's words the span names

    def describe(self, ask_object: str, focus: str, named: tuple[int, str]) -> str:
        """The chain as quotes; `named` is the (passage, sentence) that names the initiative, when the
        response names it in a sentence after its own."""
        same = self.problem == self.response
        problem = "" if same else f" -> problem (L{self.passage}): {quote(self.problem, limit=110)}"
        naming = "" if named[1] == self.response else f" -> naming it (L{named[0]}): {quote(named[1], focus, limit=130)}"
        return (f'chain: asks for "{quote(ask_object, limit=70)[1:-1]}"{problem} -> response (L{self.passage}): '
                f"{quote(self.response, focus if not naming else '', limit=130)}{naming}")


@dataclass
class _Candidate:
    initiative: Initiative
    target: Finding
    section: float = 0.0
    themes: list[str] = field(default_factory=list)
    theme: float = 0.0
    cosine: float = 0.0
    window: _Window | None = None
    cues: list[_Cue] = field(default_factory=list)

    @property
    def lexical(self) -> float:
        return min(1.0, self.cosine / LEXICAL_SATURATION)

    @property
    def cue(self) -> float:
        return max((c.strength for c in self.cues), default=0.0)

    @property
    def score(self) -> float:
        return W_SECTION * self.section + W_THEME * self.theme + W_LEXICAL * self.lexical + W_CUE * self.cue

    def methods(self) -> list[LinkMethod]:
        flags = [(self.section, LinkMethod.SAME_SECTION), (self.theme, LinkMethod.SHARED_THEME),
                 (self.cosine >= LEXICAL_METHOD_MIN, LinkMethod.LEXICAL),
                 (any(c.chain is None for c in self.cues), LinkMethod.TEXT_CUE),
                 (self.chain is not None, LinkMethod.EVIDENCE_CHAIN)]
        return [method for on, method in flags if on]

    @property
    def chain(self) -> tuple[int, int] | None:
        return next((c.chain for c in self.cues if c.chain is not None), None)

    def rationale(self) -> str:
        parts = []
        if self.section:
            parts.append(f"same section ({self.target.question_id})")
        if self.themes:
            parts.append(f"shares theme {', '.join(self.themes)}")
        parts.extend(c.description for c in sorted(self.cues, key=lambda c: -c.strength))
        if self.window is not None:
            focus = next((n for n in _names(self.initiative) if _contains(self.window.sentence, n)), "")
            parts.append(f"text (L{self.window.passage}, similarity {self.cosine:.2f}): {quote(self.window.sentence, focus)}")
        return "; ".join(parts)

    def passages(self) -> list[int]:
        lines = {c.passage for c in self.cues if c.passage is not None} | {c.chain[0] for c in self.cues if c.chain}
        if self.window is not None:
            lines.add(self.window.passage)
        return sorted(lines or {m.passage for m in self.initiative.mentions})


class _Report:
    """What the scorer needs to know about one report, computed once."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._expanded: dict[str, str] = {}
        self._without_organisations: dict[str, str] = {}
        document = facts.document
        self.blocks = {b.line_start: b for b in document.blocks}
        self.text_blocks = [b for b in document.blocks if b.kind in TEXT_KINDS]
        self.acronyms = {s: l for s, l in find_definitions("\n".join(b.clean for b in self.text_blocks)).items() if " " in l}
        self.acronym_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in sorted(self.acronyms, key=len, reverse=True))
                                     + r")(?!\w)")
        self.cues = cue_patterns()
        statements = {line for f in facts.findings if f.kind in STATEMENT_KINDS for line in f.passages}
        self.context = {b.line_start for b in self.text_blocks} - statements
        self.summaries = {line for f in facts.findings if f.kind is FindingKind.SUMMARY for line in f.passages}
        self.vectorizer = TfidfVectorizer(analyzer=_stemming_analyzer(), sublinear_tf=True)
        self.vectorizer.fit([self.expand(b.clean) for b in self.text_blocks])
        self.themes: dict[str, set[str]] = {}
        for tag in facts.theme_tags:
            self.themes.setdefault(tag.subject, set()).add(tag.theme)
        own = {force_area(document.meta.force_name).lower(), document.meta.force_name.lower()}
        self.places = [(p.slug, p.label) for p in facts.places if p.label and p.label.lower() not in own]
        self.organisations = sorted({n for o in facts.organisations for n in [o.label, *o.alt_labels] if n}, key=len, reverse=True)
        self.rare_terms = self._rare_terms()
        self.analyze = self.vectorizer.build_analyzer()
        self.idf = dict(zip(self.vectorizer.get_feature_names_out(), self.vectorizer.idf_))
        self.generic_stems = {stem for word in cue_words("generic_object_words") for stem in self.analyze(word)}
        self.generic_actions = {stem for word in cue_words("generic_action_words") for stem in self.analyze(word)}
        self.sentences = {b.line_start: [s.text for s in sentences(b)] or [b.clean]
                          for b in self.text_blocks if b.line_start in self.context}
        self._chains: dict[str, list[Chain]] = {}
        self._terms_named: dict[str, list[tuple[str, list[str], re.Pattern]]] = {}
        self._narratives: dict[str, set[int]] = {}
        self._stems: dict[str, frozenset[str]] = {}
        self._says: dict[tuple[str, str], bool] = {}
        self.any_cue = {kind: re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
                        for kind, patterns in self.cues.items()}
        self.named: set[tuple[int, str]] = set()    # (passage, sentence) where some initiative is named
        self.list_after = self._lists()

    def expand(self, text: str) -> str:
        """Acronyms replaced by their long forms, so that 'MASH' meets 'multi-agency safeguarding hub'."""
        if text not in self._expanded:
            self._expanded[text] = self.acronym_re.sub(lambda m: self.acronyms[m.group(0)], text) if self.acronyms else text
        return self._expanded[text]

    def without_organisations(self, text: str) -> str:
        """Text with organisation names blanked, so 'Melchester University' is not the place Melchester."""
        if text not in self._without_organisations:
            blanked = text
            for name in self.organisations:
                blanked = _phrase_pattern(name).sub(" ", blanked)
            self._without_organisations[text] = blanked
        return self._without_organisations[text]

    def place_in(self, text: str) -> tuple[str, str] | None:
        """(slug, name as matched) of the first place other than the force area named in `text`."""
        text = self.without_organisations(text)
        return next(((slug, label) for slug, label in self.places if _contains(text, label)), None)

    def _rare_terms(self) -> list[tuple[str, list[str]]]:
        """Acronyms and glossary terms the report uses in few passages: (long form, forms to look for)."""
        terms: dict[str, set[str]] = {}
        for short, long in self.acronyms.items():
            terms.setdefault(singular(long.lower()), set()).update({long, singular(long), short, short.rstrip("s")})
        for term in self.facts.terms:
            if " " in term.label:
                terms.setdefault(singular(term.label.lower()), set()).update({term.label, singular(term.label), *term.alt_labels})
        rare = []
        for key, forms in sorted(terms.items()):
            ordered = sorted((f for f in forms if len(f) >= 3), key=lambda f: (-len(f), f))
            pattern = _any_of(tuple(ordered))
            used = sum(1 for b in self.text_blocks if pattern.search(b.clean))
            if 0 < used <= MAX_TERM_PASSAGES:
                rare.append((key, ordered))
        return rare

    def _lists(self) -> dict[int, tuple[tuple[int, str], ...]]:
        """Passage ending with ':' -> the sentences of the bullets that follow it ("the force has introduced:")."""
        lists: dict[int, tuple[tuple[int, str], ...]] = {}
        blocks = self.facts.document.blocks
        for n, block in enumerate(blocks):
            if block.kind is BlockKind.PARAGRAPH and block.clean.rstrip().endswith(":"):
                items: list[tuple[int, str]] = []
                for following in blocks[n + 1:]:
                    if following.kind is not BlockKind.BULLET:
                        break
                    items.extend((following.line_start, s) for s in self.sentences.get(following.line_start, []))
                lists[block.line_start] = tuple(items)
        return lists

    def object_stems(self, finding: Finding) -> set[str]:
        """The stems of what the finding asks about (its ask's object, else its text), generic words left out."""
        ask = finding.ask
        if ask is None:
            wanted = finding.text
        elif finding.kind is FindingKind.PRIOR_FINDING:      # read back in other words: all it said counts
            wanted = " ".join([ask.object, ask.purpose, ask.scope])
        else:
            wanted = ask.object
        return {t for t in self.analyze(self.expand(wanted)) if t not in self.generic_stems}

    def stems(self, text: str) -> frozenset[str]:
        """The stems of a text, acronyms expanded; computed once per text."""
        if text not in self._stems:
            self._stems[text] = frozenset(self.analyze(self.expand(text)))
        return self._stems[text]

    def cover(self, wanted: set[str], text: str) -> float:
        """Share of `wanted` stems that `text` names, each weighted by its rarity in the report (IDF)."""
        if not wanted:
            return 0.0
        found = self.stems(text)
        total = sum(self.idf.get(t, 1.0) for t in wanted)
        return sum(self.idf.get(t, 1.0) for t in wanted & found) / total

    def chains(self, finding: Finding) -> list[Chain]:
        """Every problem-then-response span of the report's passages that names the finding's ask.

        Within one passage: a sentence that names a gap (`gap` phrases) and, at most CHAIN_SPAN
        sentences later or in the same sentence, one that tells what the force does about it
        (`response` phrases); together they name at least COVER_SAME of the ask's object
        (COVER_OTHER in another question's section, where only the words make the link).
        """
        if finding.id in self._chains:
            return self._chains[finding.id]
        wanted = self.object_stems(finding)
        reducing = bool(finding.ask and _first(self.cues["reducing_actions"], finding.ask.action))
        own: list[Chain] = []
        other: list[Chain] = []
        for line, parts in self.sentences.items():
            block = self.blocks[line]
            same = block.section == finding.question_id
            if finding.kind is FindingKind.PRIOR_FINDING and line in self.narrative(finding):
                found = self._spans(parts, line, wanted, PRIOR_COVER, gap_needed=False)
            else:
                found = self._spans(parts, line, wanted, COVER_SAME if same else COVER_OTHER,
                                    problem_words=1 if same else 2, reducing=reducing)
            (own if same else other).extend(c for c in found if same or c.matched >= OTHER_MIN_WORDS)
        answered = [c for c in own if ({(c.passage, c.response)} | set(c.follow)) & self.named]
        self._chains[finding.id] = own + other if not answered else own
        return self._chains[finding.id]

    def _spans(self, parts: list[str], line: int, wanted: set[str], bar: float, gap_needed: bool = True,
               problem_words: int = 1, reducing: bool = False) -> list[Chain]:
        """Chains in one passage: it names `bar` of the object; a problem sentence (a gap that names
        `problem_words` of the object) comes at most CHAIN_SPAN sentences before a response."""
        whole = " ".join(parts)       # the passage tells the problem and the response together
        cover = self.cover(wanted, whole)
        if cover < bar:
            return []

        def problem(part: str) -> bool:
            if not gap_needed:
                return True
            if reducing and self.cover(wanted, part) >= COVER_SAME:
                return True
            return self.says(part, "gap") and (len(wanted & self.stems(part)) >= problem_words or self.says(part, "problem_anaphors"))

        gaps = [i for i, part in enumerate(parts) if problem(part)]
        matched = len(wanted & self.stems(whole))
        found = []
        for r, response in enumerate(parts):
            gap = next((g for g in gaps if r - CHAIN_SPAN <= g <= r), None)
            if gap is None or not self.says(response, "response"):
                continue
            follow = tuple((line, part) for part in parts[r + 1:r + 1 + FOLLOW_SENTENCES])
            if r == len(parts) - 1 and response.rstrip().endswith(":"):
                follow += self.list_after.get(line, ())
            found.append(Chain(line, parts[gap], response, round(cover, 4), follow, matched))
        return found

    def says(self, sentence: str, kind: str) -> bool:
        """Whether a sentence has a cue of `kind` (gap, response, problem_anaphors); computed once per sentence."""
        key = (sentence, kind)
        if key not in self._says:
            self._says[key] = bool(self.any_cue[kind].search(sentence))
        return self._says[key]

    def narrative(self, finding: Finding) -> set[int]:
        """The passages that tell of progress on a previous finding: its progress passages and the next
        NARRATIVE_PASSAGES text passages under the same heading."""
        if finding.id in self._narratives:
            return self._narratives[finding.id]
        lines: set[int] = set()
        self._narratives[finding.id] = lines
        order = [b for b in self.facts.document.blocks if b.kind in TEXT_KINDS]
        for start in finding.progress_passages:
            at = next((n for n, b in enumerate(order) if b.line_start == start), None)
            if at is None:
                continue
            for block in order[at:at + 1 + NARRATIVE_PASSAGES]:
                if (block.section, block.heading_line) != (order[at].section, order[at].heading_line):
                    break
                lines.add(block.line_start)
        return lines

    def target_text(self, finding: Finding) -> str:
        if finding.kind is FindingKind.CAUSE_OF_CONCERN:
            return " ".join([finding.text] + [f.text for f in self.facts.findings if f.parent == finding.id])
        return finding.text

    def windows(self, initiative: Initiative) -> list[_Window]:
        """The texts where the initiative is named, outside the findings' own bullets."""
        names = _names(initiative)
        windows: list[_Window] = []
        for line in sorted({m.passage for m in initiative.mentions} & self.context):
            block = self.blocks[line]
            parts = [s.text for s in sentences(block)] or [block.clean]
            surfaces = [m.surface for m in initiative.mentions if m.passage == line and len(m.surface) >= 5] + names
            hits = [i for i, s in enumerate(parts) if any(_contains(s, n) for n in surfaces)]
            summary = line in self.summaries
            for i in hits:
                windows.append(_Window(line, parts[i], parts[i], True))
                if i + 1 < len(parts) and not summary:
                    windows.append(_Window(line, parts[i], parts[i] + " " + parts[i + 1], True))
            if not hits or not summary:
                windows.append(_Window(line, parts[hits[0]] if hits else block.clean, block.clean, False))
        return windows

    def score(self, finding: Finding, initiative: Initiative, windows: list[_Window], similarities: list[float]) -> _Candidate:
        candidate = _Candidate(initiative, finding)
        candidate.section = 1.0 if finding.question_id in initiative.question_ids else 0.0
        tagged, own = self.themes.get(finding.id, set()), set(initiative.themes)
        if tagged and own:
            candidate.themes = sorted(tagged & own)
            candidate.theme = len(candidate.themes) / min(len(tagged), len(own))
        if windows:
            best = max(range(len(windows)), key=lambda i: (similarities[i], -i))
            candidate.window, candidate.cosine = windows[best], float(similarities[best])
        candidate.cues = self.cues_for(finding, initiative, windows)
        return candidate

    def terms_named_by(self, finding: Finding, text: str) -> list[tuple[str, list[str], re.Pattern]]:
        """The rare terms a finding's text names; computed once per finding."""
        if finding.id not in self._terms_named:
            self._terms_named[finding.id] = [(key, forms, _any_of(tuple(forms))) for key, forms in self.rare_terms
                                             if _any_of(tuple(forms)).search(text)]
        return self._terms_named[finding.id]

    def cues_for(self, finding: Finding, initiative: Initiative, windows: list[_Window]) -> list[_Cue]:
        text = self.target_text(finding)
        expanded = self.expand(text)
        near = [w for w in windows if w.near]
        cues: list[_Cue] = []
        named = next((n for n in _names(initiative) if _contains(text, n) or _contains(expanded, n)), None)
        if named:
            cues.append(_Cue(f'finding names "{named}"', None, 1.0))
        for key, forms, pattern in self.terms_named_by(finding, text):
            if pattern.search(named or ""):
                continue
            window = next((w for w in near if pattern.search(w.sentence)), None)
            if window is not None:
                form = next(f for f in forms if _contains(window.sentence, f))
                cues.append(_Cue(f'described with "{key}" (L{window.passage}): {quote(window.sentence, form)}', window.passage, 1.0))
                break
        spread = _first(self.cues["spread"], text)
        if spread:
            wanted = self.object_stems(finding)
            for window in near:
                spreading = _first(self.cues["spreading"], window.text)
                if spreading and self.cover(wanted, window.text) >= COVER_SPREAD:
                    cues.append(_Cue(f'finding asks for "{spread}"; the report says "{spreading}" (L{window.passage})',
                                     window.passage, 1.0))
                    break
            else:
                for window in near:
                    place = self.place_in(window.sentence)
                    local = _first(self.cues["local"], window.sentence) or (place[1] if place else None)
                    if local:
                        cues.append(_Cue(f'finding asks for "{spread}"; initiative runs locally ("{local}", L{window.passage})',
                                         window.passage, WEAK_CUE))
                        break
        place = self.place_in(text)
        if place and place[0] in initiative.places:
            window = next((w for w in near if _contains(self.without_organisations(w.sentence), place[1])), None)
            cues.append(_Cue(f"runs in {place[1]}, which the finding names", window.passage if window else None, WEAK_CUE))
        named_in = [(chain, w) for chain in self.chains(finding) for w in near
                    if (w.passage, w.sentence) in {(chain.passage, chain.response), *chain.follow}]
        # a chain whose own response sentence names the initiative first, then one that names it after
        for chain, window in sorted(named_in, key=lambda pair: pair[1].sentence != pair[0].response)[:1]:
            focus = next((n for n in _names(initiative) if _contains(window.sentence, n)), "")
            ask_object = finding.ask.object if finding.ask is not None else finding.text
            cues.append(_Cue(chain.describe(ask_object, focus, (window.passage, window.sentence)), window.passage, 1.0,
                             (chain.passage, window.passage)))
        if finding.kind is FindingKind.PRIOR_FINDING and finding.ask is not None and finding.ask.action:
            actions = set(self.analyze(finding.ask.action)) - self.generic_actions
            for window in near:
                if actions and self.blocks[window.passage].section == finding.question_id \
                        and actions & self.stems(window.sentence):
                    cues.append(_Cue(f'previous finding asked to "{finding.ask.action}"; the report tells it was done '
                                     f"(L{window.passage}): {quote(window.sentence)}", window.passage, 1.0))
                    break
        return cues


def link(facts: Facts, curated: Sequence[CuratedLink] = ()) -> list[AddressLink]:
    """Scored, explained links from the report's initiatives to its findings, curated ones included.

    For each target in report order, its candidates from best to worst (those scoring at least
    MIN_SCORE), the analyst's decisions in place of the scorer's for their pairs. Raises
    CuratedLinkError when a curated link names an unknown initiative or finding, or quotes words
    the report does not contain.
    """
    targets = {f.id: f for f in facts.findings if f.kind in TARGET_KINDS}
    decisions = resolve_curated(facts, curated, targets)
    report = _Report(facts) if facts.initiatives and targets else None
    windows = {i.slug: report.windows(i) for i in facts.initiatives} if report else {}
    if report is not None:
        report.named = {(w.passage, w.sentence) for found in windows.values() for w in found if w.near}
    vectors = {slug: report.vectorizer.transform([report.expand(w.text) for w in found])
               for slug, found in windows.items() if found} if report else {}
    links: list[AddressLink] = []
    for finding in targets.values():
        found: list[AddressLink] = []
        if report is not None:
            query = report.vectorizer.transform([report.expand(report.target_text(finding))])
            # TF-IDF rows are L2-normalised, so one sparse product gives every window's cosine at once
            products = {slug: (matrix @ query.T).toarray().ravel().tolist() for slug, matrix in vectors.items()}
            for initiative in facts.initiatives:
                similarities = products.get(initiative.slug, [])
                candidate = report.score(finding, initiative, windows[initiative.slug], similarities)
                score = round(candidate.score, 4)
                if score >= MIN_SCORE:
                    problem, response = candidate.chain or (None, None)
                    found.append(AddressLink(initiative.slug, finding.id, score, candidate.methods(), candidate.rationale(),
                                             candidate.passages(), score >= THRESHOLD, problem, response))
        links.extend(sorted(found, key=lambda l: (-l.score, l.initiative)))
    return apply_decisions(links, decisions, targets)


# --------------------------------------------------------------------------- link tables


class LinkFormat(str, Enum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@dataclass
class ReportLinks:
    """One report's facts and links, for the link tables."""

    path: str
    facts: Facts
    links: list[AddressLink]

    def targets(self) -> list[Finding]:
        return [f for f in self.facts.findings if f.kind in TARGET_KINDS]

    def ranked(self, finding: Finding) -> list[AddressLink]:
        return sorted((l for l in self.links if l.target == finding.id), key=lambda l: (-l.score, l.initiative))

    def unaddressed(self) -> list[Finding]:
        """Areas for improvement and causes of concern with no link at or above the threshold."""
        addressed = {l.target for l in self.links if l.above_threshold}
        return [f for f in self.targets() if f.kind in ADDRESSABLE_KINDS and f.id not in addressed]

    def label(self, slug: str) -> str:
        return next((i.label for i in self.facts.initiatives if i.slug == slug), slug)


def links_for_report(path: Path | str, *, curated: bool = True) -> ReportLinks:
    """Read a report through the pipeline and link it (with its curated links unless `curated` is False)."""
    from peelkg.pipeline import load_report

    facts = load_report(path).facts
    assert facts is not None   # load_report keeps the facts it linked
    return ReportLinks(str(path), facts, link(facts, curated_for(path) if curated else ()))


def _link_record(rank: int, link_: AddressLink, report: ReportLinks) -> dict:
    return {"rank": rank, "initiative": link_.initiative, "label": report.label(link_.initiative), "score": link_.score,
            "above_threshold": link_.above_threshold, "methods": [m.value for m in link_.methods],
            "rationale": link_.rationale, "passages": link_.passages,
            "problem_passage": link_.problem_passage, "response_passage": link_.response_passage}


def format_links(reports: Sequence[ReportLinks], fmt: LinkFormat = LinkFormat.TABLE, top: int = 5) -> str:
    """Per finding, its best `top` initiatives (0: all) with score and rationale, then the unaddressed findings."""
    def shown(report: ReportLinks, finding: Finding) -> list[AddressLink]:
        ranked = report.ranked(finding)
        return ranked[:top] if top > 0 else ranked

    if fmt is LinkFormat.JSON:
        data = {"threshold": THRESHOLD, "reports": [{
            "report": r.path,
            "findings": [{"id": f.id, "kind": f.kind.value, "question": f.question_id, "text": f.text,
                          "ask": asdict(f.ask) if f.ask is not None else None,
                          "unaddressed": f in r.unaddressed(),
                          "links": [_link_record(n, l, r) for n, l in enumerate(shown(r, f), start=1)]} for f in r.targets()],
            "unaddressed": [f.id for f in r.unaddressed()],
        } for r in reports]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt is LinkFormat.CSV:
        out = io.StringIO()
        columns = ["report", "finding", "kind", "unaddressed", "rank", "initiative", "label", "score", "above_threshold",
                   "methods", "rationale", "passages", "problem_passage", "response_passage"]
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        for r in reports:
            unaddressed = {f.id for f in r.unaddressed()}
            for f in r.targets():
                base = {"report": r.path, "finding": f.id, "kind": f.kind.value, "unaddressed": str(f.id in unaddressed).lower()}
                records = [_link_record(n, l, r) for n, l in enumerate(shown(r, f), start=1)] or [{}]
                for record in records:
                    if record:
                        record = {**record, "above_threshold": str(record["above_threshold"]).lower(),
                                  "methods": " ".join(record["methods"]), "passages": " ".join(f"L{p}" for p in record["passages"])}
                    writer.writerow({**base, **record})
        return out.getvalue()
    lines: list[str] = []
    for r in reports:
        lines.append(f"== {r.path} (threshold {THRESHOLD:.2f}; * at or above it)")
        for f in r.targets():
            lines.append("")
            lines.append(f"{f.id}  {_short(f.text)}")
            if f.ask is not None:
                said = [f"{name}: {value}" for name, value in (("action", f.ask.action), ("object", f.ask.object),
                                                                ("scope", f.ask.scope), ("purpose", f.ask.purpose)) if value]
                lines.append(f"    asks  {_short(' | '.join(said), 140)}")
            ranked = shown(r, f)
            if not ranked:
                lines.append("      (no candidate initiative)")
            for n, l in enumerate(ranked, start=1):
                mark = "*" if l.above_threshold else " "
                lines.append(f"  {n:>2}. {l.score:.2f} {mark} {r.label(l.initiative)}  [{', '.join(m.value for m in l.methods)}]")
                lines.append(f"            {l.rationale}")
        nothing = r.unaddressed()
        lines.append("")
        lines.append(f"Unaddressed ({len(nothing)}): areas for improvement and causes of concern with no initiative at or above {THRESHOLD:.2f}")
        lines.extend(f"  {f.id}  {_short(f.text)}" for f in nothing)
        lines.append("")
    return "\n".join(lines)


def _short(text: str, limit: int = 100) -> str:
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
