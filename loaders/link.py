"""Link stage: which initiatives answer which findings, each link scored and explained.

Targets are the report's areas for improvement, causes of concern (read together with their
recommendations) and the previous inspection's findings it refers back to (`q2-prior-1`: an
initiative the report names where it tells of progress is the force's answer to that older
finding). Every initiative is a candidate for every target, scored by one weighted sum of
four signals, each in 0..1:

    score = W_SECTION * section + W_THEME * theme + W_LEXICAL * lexical + W_CUE * cue

- section: 1 when the initiative is mentioned under the target's question, else 0.
- theme: overlap coefficient |T ∩ I| / min(|T|, |I|) of the themes tagged on the target
  (`ThemeTag`) and the initiative's themes; 0 when either has none.
- lexical: the best cosine similarity (scikit-learn `TfidfVectorizer` fitted on the report's
  passages, words Snowball-stemmed, acronyms expanded to their long forms) between the
  target's text and a window where the initiative is named, divided by LEXICAL_SATURATION
  and capped at 1. Windows are the naming sentence, it with the next sentence, and the whole
  passage; in a summary, which packs unrelated findings together, the naming sentence only.
  The findings' own bullets are not windows.
- cue: the strongest explicit cue in the text, 0 when there is none.
  Strong cues (1.0):
    * the target names the initiative (its label or an alias);
    * a sentence naming the initiative uses a term the target names and the report uses
      rarely (an acronym's long form or a glossary term, in at most MAX_TERM_PASSAGES
      passages): "a public protection operations centre to complete ... the work of a MASH"
      for "develop an effective county multi-agency safeguarding hub";
    * the target asks for practice applied across the force (`spread` phrases of
      link-cues.yaml) and the report says the initiative should spread, or is spreading, from
      where it runs (`spreading` phrases in the naming sentence or the next one);
    * for a previous inspection's finding, the initiative is named in its progress passage.
  Weak cues (WEAK_CUE):
    * the target names a place where the initiative runs (`Initiative.places`);
    * the target asks for practice applied across the force and the naming sentence places the
      initiative in one part of it (`local` phrases, or a place the report names).

The weights sum to 1, so the score lies in 0..1. A link is above the threshold (and becomes
`peel:addresses`) when its score is at least THRESHOLD. Section and themes alone stay below
it, and so does a weak cue with them: a link needs similar text or a strong cue. One set of
weights and one threshold serve every report.

Curated links (`<report stem>.links.yaml` beside the report) are an expert's assertions with
a quote that must occur in the report; they score 1.0, carry the method `curated`, and take
the place of whatever the scorer found for the same pair.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

import snowballstemmer
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from peelkg.errors import InputError, first_line
from peelkg.loaders.acronyms import find_definitions, singular
from peelkg.loaders.extract import sentences
from peelkg.loaders.segment import force_area
from peelkg.model import AddressLink, BlockKind, Facts, Finding, FindingKind, Initiative, LinkMethod
from peelkg.resources import package_dir

W_SECTION = 0.15
W_THEME = 0.15
W_LEXICAL = 0.40
W_CUE = 0.30
WEAK_CUE = 0.5                # value of the cue signal for a weak cue
THRESHOLD = 0.5
LEXICAL_SATURATION = 0.35     # a cosine at or above this counts as fully similar text
LEXICAL_METHOD_MIN = 0.10     # a cosine below this is not reported as the method `lexical`
MIN_SCORE = 0.2               # candidates scoring less are not returned
MAX_TERM_PASSAGES = 8         # a term used in more passages than this is too common to be a cue
QUOTE_LIMIT = 160             # characters of a quote in a rationale

TARGET_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.PRIOR_FINDING)
ADDRESSABLE_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN)   # the ones that can be unaddressed
STATEMENT_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.RECOMMENDATION)
TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.BULLET, BlockKind.TABLE_ROW, BlockKind.FOOTNOTE)


class CuratedLinkError(InputError):
    """A curated links file is unreadable, or one of its entries does not hold against its report."""


@dataclass(frozen=True)
class CuratedLink:
    """An expert's assertion that an initiative addresses a finding, with a quote from the report."""

    initiative: str       # label or alias of the initiative, as written in the file
    target: str           # finding id, e.g. q3-afi-4
    quote: str            # words of the report that support the link
    rationale: str
    source: str = ""      # the file it came from
    entry: int = 0        # 1-based position in that file

    def fail(self, problem: str) -> CuratedLinkError:
        return CuratedLinkError(f"{self.source}: entry {self.entry} ({self.initiative} -> {self.target}): {problem}")


# --------------------------------------------------------------------------- curated links


def curated_path(report: Path | str) -> Path:
    """`reports/x.txt` -> `reports/x.links.yaml`."""
    report = Path(report)
    return report.with_name(f"{report.stem}.links.yaml")


def load_curated(path: Path | str) -> list[CuratedLink]:
    """The entries of a curated links file, checked for shape (they are checked against the report by `link`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CuratedLinkError(f"{path}: not a readable YAML file: {first_line(error)}") from error
    if data is None:
        return []
    fields = ("initiative", "target", "quote", "rationale")
    if not isinstance(data, list):
        raise CuratedLinkError(f"{path}: expected a list of links, each with {', '.join(fields)}")
    links: list[CuratedLink] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise CuratedLinkError(f"{path}: entry {number}: expected a mapping with {', '.join(fields)}")
        unknown = sorted(str(k) for k in set(entry) - set(fields))
        if unknown:
            raise CuratedLinkError(f"{path}: entry {number}: unknown field(s) {', '.join(unknown)}")
        missing = [f for f in fields if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            raise CuratedLinkError(f"{path}: entry {number}: missing or empty {', '.join(missing)}")
        text = {f: entry[f].strip() for f in fields}
        links.append(CuratedLink(text["initiative"], text["target"], text["quote"], text["rationale"], source=str(path),
                                 entry=number))
    return links


def curated_for(report: Path | str) -> list[CuratedLink]:
    """The curated links kept beside a report; none when it has no links file."""
    path = curated_path(report)
    return load_curated(path) if path.exists() else []


# --------------------------------------------------------------------------- text helpers


def cue_patterns() -> dict[str, list[re.Pattern]]:
    """The phrase lists of link-cues.yaml, compiled."""
    data = yaml.safe_load((package_dir("peelkg.loaders") / "link-cues.yaml").read_text(encoding="utf-8"))
    return {kind: [re.compile(p, re.IGNORECASE) for p in patterns] for kind, patterns in data.items()}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)


def _contains(text: str, phrase: str) -> bool:
    return bool(phrase) and _phrase_pattern(phrase).search(text) is not None


def _first(patterns: Iterable[re.Pattern], text: str) -> str | None:
    return next((m.group(0) for p in patterns for m in [p.search(text)] if m), None)


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


def _names(initiative: Initiative) -> list[str]:
    """Label, aliases, their singular forms and forms without a leading article; longest first."""
    names = {initiative.label, *initiative.alt_labels}
    names |= {singular(n) for n in names}
    names |= {re.sub(r"^(?:the|a|an|its) ", "", n, flags=re.IGNORECASE) for n in names}
    return sorted((n for n in names if len(n) >= 4), key=lambda n: (-len(n), n))


def _stemming_analyzer() -> Callable[[str], list[str]]:
    words = TfidfVectorizer(stop_words="english").build_analyzer()
    stem = lru_cache(maxsize=None)(snowballstemmer.stemmer("english").stemWord)
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
                 (self.cosine >= LEXICAL_METHOD_MIN, LinkMethod.LEXICAL), (self.cues, LinkMethod.TEXT_CUE)]
        return [method for on, method in flags if on]

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
        lines = {c.passage for c in self.cues if c.passage is not None}
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

    def expand(self, text: str) -> str:
        """Acronyms replaced by their long forms, so that 'MASH' meets 'multi-agency safeguarding hub'."""
        if text not in self._expanded:
            expanded = text
            for short in sorted(self.acronyms, key=len, reverse=True):
                expanded = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", self.acronyms[short], expanded)
            self._expanded[text] = expanded
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
            used = sum(1 for b in self.text_blocks if any(_contains(b.clean, f) for f in ordered))
            if 0 < used <= MAX_TERM_PASSAGES:
                rare.append((key, ordered))
        return rare

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

    def cues_for(self, finding: Finding, initiative: Initiative, windows: list[_Window]) -> list[_Cue]:
        text = self.target_text(finding)
        expanded = self.expand(text)
        near = [w for w in windows if w.near]
        cues: list[_Cue] = []
        named = next((n for n in _names(initiative) if _contains(text, n) or _contains(expanded, n)), None)
        if named:
            cues.append(_Cue(f'finding names "{named}"', None, 1.0))
        for key, forms in self.rare_terms:
            if not any(_contains(text, f) for f in forms) or any(_contains(named or "", f) for f in forms):
                continue
            window = next((w for w in near if any(_contains(w.sentence, f) for f in forms)), None)
            if window is not None:
                form = next(f for f in forms if _contains(window.sentence, f))
                cues.append(_Cue(f'described with "{key}" (L{window.passage}): {quote(window.sentence, form)}', window.passage, 1.0))
                break
        spread = _first(self.cues["spread"], text)
        if spread:
            for window in near:
                spreading = _first(self.cues["spreading"], window.text)
                if spreading:
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
        if finding.kind is FindingKind.PRIOR_FINDING:
            line = next((w.passage for w in windows if w.passage in finding.progress_passages), None)
            if line is not None:
                cues.append(_Cue(f"named in the passage on progress since (L{line})", line, 1.0))
        return cues


def _resolve_curated(facts: Facts, curated: Sequence[CuratedLink], targets: dict[str, Finding]) -> dict[tuple[str, str], AddressLink]:
    """Curated links checked against the report: initiative and target exist, the quote occurs in a passage."""
    by_name: dict[str, str] = {}
    for initiative in facts.initiatives:
        for name in [initiative.slug, initiative.label, *initiative.alt_labels]:
            by_name.setdefault(collapse(name).lower(), initiative.slug)
    passages = [(b.line_start, collapse(b.clean), collapse(b.text)) for b in facts.document.blocks]
    links: dict[tuple[str, str], AddressLink] = {}
    for entry in curated:
        slug = by_name.get(collapse(entry.initiative).lower())
        if slug is None:
            raise entry.fail(f'no initiative called "{entry.initiative}" in the report')
        if entry.target not in targets:
            raise entry.fail(f"no area for improvement, cause of concern or previous finding {entry.target} in the report")
        words = collapse(entry.quote)
        line = next((line for line, clean, raw in passages if words in clean or words in raw), None)
        if line is None:
            raise entry.fail(f"quote not found in the report text: {quote(words, limit=60)}")
        rationale = f"curated: {collapse(entry.rationale).rstrip('.')}; quote (L{line}): {quote(words)}"
        links[(slug, entry.target)] = AddressLink(slug, entry.target, 1.0, [LinkMethod.CURATED], rationale, [line], True)
    return links


def link(facts: Facts, curated: Sequence[CuratedLink] = ()) -> list[AddressLink]:
    """Scored, explained links from the report's initiatives to its findings, curated ones included.

    For each target in report order, its candidates from best to worst (those scoring at least
    MIN_SCORE). Raises CuratedLinkError when a curated link names an unknown initiative or
    finding, or quotes words the report does not contain.
    """
    targets = {f.id: f for f in facts.findings if f.kind in TARGET_KINDS}
    fixed = _resolve_curated(facts, curated, targets)
    report = _Report(facts) if facts.initiatives and targets else None
    windows = {i.slug: report.windows(i) for i in facts.initiatives} if report else {}
    vectors = {slug: report.vectorizer.transform([report.expand(w.text) for w in found])
               for slug, found in windows.items() if found} if report else {}
    links: list[AddressLink] = []
    for finding in targets.values():
        found = [l for (_, target), l in fixed.items() if target == finding.id]
        if report is not None:
            query = report.vectorizer.transform([report.expand(report.target_text(finding))])
            # TF-IDF rows are L2-normalised, so one sparse product gives every window's cosine at once
            products = {slug: (matrix @ query.T).toarray().ravel().tolist() for slug, matrix in vectors.items()}
            for initiative in facts.initiatives:
                if (initiative.slug, finding.id) in fixed:
                    continue
                similarities = products.get(initiative.slug, [])
                candidate = report.score(finding, initiative, windows[initiative.slug], similarities)
                score = round(candidate.score, 4)
                if score >= MIN_SCORE:
                    found.append(AddressLink(initiative.slug, finding.id, score, candidate.methods(), candidate.rationale(),
                                             candidate.passages(), score >= THRESHOLD))
        links.extend(sorted(found, key=lambda l: (-l.score, l.initiative)))
    return links


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
            "rationale": link_.rationale, "passages": link_.passages}


def format_links(reports: Sequence[ReportLinks], fmt: LinkFormat = LinkFormat.TABLE, top: int = 5) -> str:
    """Per finding, its best `top` initiatives (0: all) with score and rationale, then the unaddressed findings."""
    def shown(report: ReportLinks, finding: Finding) -> list[AddressLink]:
        ranked = report.ranked(finding)
        return ranked[:top] if top > 0 else ranked

    if fmt is LinkFormat.JSON:
        data = {"threshold": THRESHOLD, "reports": [{
            "report": r.path,
            "findings": [{"id": f.id, "kind": f.kind.value, "question": f.question_id, "text": f.text,
                          "unaddressed": f in r.unaddressed(),
                          "links": [_link_record(n, l, r) for n, l in enumerate(shown(r, f), start=1)]} for f in r.targets()],
            "unaddressed": [f.id for f in r.unaddressed()],
        } for r in reports]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt is LinkFormat.CSV:
        out = io.StringIO()
        columns = ["report", "finding", "kind", "unaddressed", "rank", "initiative", "label", "score", "above_threshold",
                   "methods", "rationale", "passages"]
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
