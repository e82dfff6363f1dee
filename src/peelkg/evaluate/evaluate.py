"""How well the loader reads a report: precision and recall per kind of fact against an answer key.

An answer key is a report's `.gold.yaml` (see tests/data/reports/wessex-2016-effectiveness.gold.yaml).
The loader runs on the report the key names (`fixture.report_file`, relative to the key's folder)
and each kind is scored as follows.

Names. A name is normalised before comparing: Unicode quotes made plain, lower case, runs of
white space made one space, surrounding quotes and parentheses and a leading "the" removed.
An extracted thing (its label and every alt label) matches a key entry (its name and every
alias) when one normalised name of each is equal.

One to one. Key entries are matched at most once. Extracted things are taken in label order;
each is matched to the first key entry it matches that no other thing has taken. A thing that
matches only key entries already taken is a duplicate: one body or initiative split into two
nodes, counted as a false positive.

Neutral entries. Some key lists are neither rewarded nor penalised: `other_arrangements` for
initiatives and `context_mentions` for organisations. A thing that matches no key entry but
matches a neutral entry is left out of precision. For neutral entries only, parenthesised
parts are dropped from both names and a name also matches when its words occur, in order and
whole, inside the other name ("integrated offender management scheme" in "integrated offender
management (IOM) scheme").

Precision = matched things / (matched things + false positives); recall = matched key entries /
key entries. A kind with no key entries has no recall; one with nothing extracted no precision.

Kinds:
- initiatives: `initiatives` (canonical_name, aliases) against Facts.initiatives;
- organisations: `organisations` (name, aliases) without the subject force (`force.id`), against
  Facts.organisations;
- places: `places` (name) against Facts.places;
- terms: `glossary` (term, aliases, abbreviation) against Facts.terms (label, alt labels);
- statistics: the rows of `statistics.figure_tables`, one per stated value (force and England and
  Wales), against the statistics read from figure tables (those with a figure). A row matches
  a statistic with the same figure number (none for "Force in numbers"), the same normalised
  indicator (a trailing "*" dropped), the same area and the same value (to 6 decimals);
- judgments: the grade of the overall question and of each core question against the current judgments,
  with whether the report carries the question's judgment over from the previous inspection (`carried_over:
  true`; the grade may then be null, when the report does not state it);
  previous judgments: each `previous_grade_YYYY` stated (YYYY the year before the report's, e.g.
  `previous_grade_2015` in a key of a 2016 report), against the previous inspection's grades found;
- AFIs and causes of concern: (question, text) with white space collapsed, exact;
- prose statistics (recall only): each `statistics.text_statistics` entry is found when a
  statistic not from a figure has its force value and comes from a passage containing its quote.

Link scores come from `peelkg.evaluate.links.evaluate_links` over the linker's output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from peelkg.errors import InputError
from peelkg.model import Area, Facts, FindingKind, Grade

if TYPE_CHECKING:
    from peelkg.evaluate.links import LinkScores

GRADES = {"outstanding": Grade.OUTSTANDING, "good": Grade.GOOD, "requires improvement": Grade.REQUIRES_IMPROVEMENT,
          "inadequate": Grade.INADEQUATE, "ungraded": Grade.UNGRADED}
KINDS = ["initiatives", "organisations", "places", "terms", "statistics", "judgments", "previous judgments", "AFIs",
         "causes of concern", "prose statistics"]


@dataclass
class KindScore:
    """Scores of one kind of fact."""

    kind: str
    expected: int                          # key entries
    found: int                             # extracted things, neutral ones included
    matched: int                           # key entries matched
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)
    precision_applies: bool = True

    @property
    def true_positives(self) -> int:
        return self.matched

    @property
    def precision(self) -> float | None:
        if not self.precision_applies:
            return None
        counted = self.matched + len(self.false_positives)
        return self.matched / counted if counted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.expected if self.expected else None


@dataclass
class Evaluation:
    key: Path
    report: Path
    scores: dict[str, KindScore]
    links: LinkScores | None = None        # when the linker is present

    def format(self, verbose: bool = False) -> str:
        def number(value: float | None) -> str:
            return "-" if value is None else f"{value:.3f}"

        lines = [f"answer key {self.key}", f"report     {self.report}", "",
                 f"{'kind':<20}{'key':>6}{'found':>7}{'matched':>9}{'neutral':>9}{'precision':>11}{'recall':>8}"]
        for score in self.scores.values():
            lines.append(f"{score.kind:<20}{score.expected:>6}{score.found:>7}{score.matched:>9}{len(score.neutral):>9}"
                         f"{number(score.precision):>11}{number(score.recall):>8}")
        if verbose:
            for score in self.scores.values():
                for title, items in (("missed", score.missed), ("false positives", score.false_positives),
                                     ("neutral", score.neutral)):
                    if items:
                        lines.append(f"\n{score.kind}, {title}:")
                        lines.extend(f"  - {item}" for item in items)
        if self.links is not None:
            lines += ["", "links", self.links.format()]
        return "\n".join(lines)


# --------------------------------------------------------------------------- loading


def load_key(path: Path | str) -> dict:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such answer key") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from error
    if not isinstance(data, dict):
        raise InputError(f"{path}: an answer key is a YAML mapping")
    return data


def report_for(key: dict, key_path: Path | str) -> Path:
    """The report a key describes: `fixture.report_file`, relative to the key's folder."""
    name = (key.get("fixture") or {}).get("report_file")
    if not name:
        raise InputError(f"{key_path}: the answer key names no fixture.report_file; give the report with --report")
    return Path(key_path).parent / name


def load_facts(report: Path | str) -> Facts:
    """The loader's facts for one report: read, segment, extract, then who and what."""
    from peelkg.pipeline import extract_facts

    path = Path(report)
    if not path.is_file():
        raise InputError(f"{path}: no such report file")
    return extract_facts(path)


# --------------------------------------------------------------------------- matching


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", str(name)).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"\s+", " ", text).strip().lower()
    previous = None
    while previous != text:
        previous = text
        text = text.strip(" .,;:")
        if len(text) > 1 and text[0] + text[-1] in ("()", "''", '""'):
            text = text[1:-1].strip()
        text = re.sub(r"^the ", "", text)
    return text


def _loose(name: str) -> str:
    return re.sub(r"[^a-z0-9']+", " ", normalise(re.sub(r"\([^)]*\)", " ", str(name)))).strip()


def _contains(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (f" {a} " in f" {b} " or f" {b} " in f" {a} ")


@dataclass
class _Entry:
    label: str
    names: set[str]


def score_names(kind: str, extracted: list[_Entry], key: list[_Entry], neutral: Sequence[_Entry] = ()) -> KindScore:
    """One-to-one matching of extracted things to key entries by normalised names (module docstring)."""
    taken: set[int] = set()
    score = KindScore(kind, len(key), len(extracted), 0)
    for thing in sorted(extracted, key=lambda e: normalise(e.label)):
        candidates = [i for i, entry in enumerate(key) if thing.names & entry.names]
        free = [i for i in candidates if i not in taken]
        if free:
            taken.add(free[0])
            score.matched += 1
        elif candidates:
            score.false_positives.append(f"{thing.label} (a second node for {key[candidates[0]].label})")
        elif any(_contains(_loose(t), _loose(n)) for entry in neutral for n in entry.names for t in thing.names):
            score.neutral.append(thing.label)
        else:
            score.false_positives.append(thing.label)
    score.missed = [entry.label for i, entry in enumerate(key) if i not in taken]
    return score


def _entry(label: str, *names) -> _Entry:
    flat = [label]
    for name in names:
        if isinstance(name, (list, tuple)):
            flat.extend(name)
        elif name:
            flat.append(name)
    return _Entry(str(label), {normalise(n) for n in flat if n})


def _question(qid: str) -> str:
    return str(qid).lower()


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


# --------------------------------------------------------------------------- kinds


def score_initiatives(facts: Facts, key: dict) -> KindScore:
    extracted = [_entry(i.label, i.alt_labels) for i in facts.initiatives]
    gold = [_entry(i["canonical_name"], i.get("aliases", [])) for i in key.get("initiatives") or []]
    neutral = [_entry(a["name"]) for a in key.get("other_arrangements") or []]
    return score_names("initiatives", extracted, gold, neutral)


def score_organisations(facts: Facts, key: dict) -> KindScore:
    subject = (key.get("force") or {}).get("id")
    extracted = [_entry(o.label, o.alt_labels) for o in facts.organisations]
    gold = [_entry(o["name"], o.get("aliases", [])) for o in key.get("organisations") or [] if o.get("id") != subject]
    neutral = [_entry(c["name"]) for c in key.get("context_mentions") or []]
    return score_names("organisations", extracted, gold, neutral)


def score_places(facts: Facts, key: dict) -> KindScore:
    extracted = [_entry(p.label) for p in facts.places]
    gold = [_entry(p["name"], p.get("aliases", [])) for p in key.get("places") or []]
    return score_names("places", extracted, gold)


def score_terms(facts: Facts, key: dict) -> KindScore:
    extracted = [_entry(t.label, t.alt_labels) for t in facts.terms]
    gold = [_entry(g["term"], g.get("aliases", []), g.get("abbreviation")) for g in key.get("glossary") or []]
    return score_names("terms", extracted, gold)


def _figure_number(caption: str | None) -> int | None:
    match = re.match(r"\s*Figure\s+(\d+)", caption or "")
    return int(match.group(1)) if match else None


def _indicator(text: str) -> str:
    return normalise(str(text)).rstrip("*").strip()


def score_figure_statistics(facts: Facts, key: dict) -> KindScore:
    def item(figure, indicator, area, value) -> tuple:
        return figure, _indicator(indicator), area, round(float(value), 6)

    gold: list[tuple] = []
    for table in (key.get("statistics") or {}).get("figure_tables") or []:
        number = re.match(r"figure_(\d+)$", str(table.get("id", "")))
        figure = int(number.group(1)) if number else None
        for row in table.get("rows") or []:
            for area, column in ((Area.FORCE, "force_value"), (Area.ENGLAND_AND_WALES, "england_and_wales_value")):
                if row.get(column) is not None:
                    gold.append(item(figure, row["indicator"], area, row[column]))
    extracted = [item(_figure_number(s.figure), s.indicator, s.area, s.value) for s in facts.statistics if s.figure is not None]
    return _score_items("statistics", extracted, gold, _describe_statistic)


def _describe_statistic(item: tuple) -> str:
    figure, indicator, area, value = item
    table = f"figure {figure}" if figure is not None else "force in numbers"
    return f"{table}: {indicator} ({'force' if area is Area.FORCE else 'England and Wales'}) = {value:g}"


def _score_items(kind: str, extracted: list, gold: list, describe=str) -> KindScore:
    """Multiset matching of exact items."""
    remaining = list(gold)
    score = KindScore(kind, len(gold), len(extracted), 0)
    for item in extracted:
        if item in remaining:
            remaining.remove(item)
            score.matched += 1
        else:
            score.false_positives.append(describe(item))
    score.missed = [describe(item) for item in remaining]
    return score


def score_judgments(facts: Facts, key: dict, previous: bool = False) -> KindScore:
    judgments = key.get("judgments") or {}
    gold: list[tuple] = []
    wanted = f"previous_grade_{facts.document.meta.year - 1}" if previous else "grade"
    entries = {"overall": judgments.get("overall") or {}, **(judgments.get("core_questions") or {})}
    for qid, entry in entries.items():
        grade, carried = (entry or {}).get(wanted), bool((entry or {}).get("carried_over")) and not previous
        if grade or carried:
            gold.append((_question(qid), GRADES[str(grade).lower()] if grade else None, carried))
    extracted = [(j.question_id, j.grade, j.carried_over and not previous) for j in facts.judgments
                 if j.previous == previous and (j.grade is not None or not previous)]
    return _score_items("previous judgments" if previous else "judgments", extracted, gold, _describe_judgment)


def _describe_judgment(item: tuple) -> str:
    question, grade, carried = item
    said = grade.value if grade is not None else "no grade stated"
    return f"{question}: {said}{', carried over' if carried else ''}"


def score_findings(facts: Facts, key: dict, kind: FindingKind) -> KindScore:
    section = "areas_for_improvement" if kind is FindingKind.AFI else "causes_of_concern"
    gold = [(_question(f["question"]), _collapse(f["text"])) for f in key.get(section) or []]
    extracted = [(f.question_id, _collapse(f.text)) for f in facts.findings if f.kind is kind]
    return _score_items("AFIs" if kind is FindingKind.AFI else "causes of concern", extracted, gold,
                        lambda item: f"{item[0]}: {item[1][:100]}")


def score_prose_statistics(facts: Facts, key: dict) -> KindScore:
    entries = (key.get("statistics") or {}).get("text_statistics") or []
    blocks = {b.line_start: _collapse(b.clean) for b in facts.document.blocks}
    prose = [s for s in facts.statistics if s.figure is None and s.area is Area.FORCE]
    score = KindScore("prose statistics", len(entries), len(prose), 0, precision_applies=False)
    for entry in entries:
        value = entry.get("force_value")
        digits = re.match(r"[\d.,]+", str(value)) if value is not None else None
        if digits is None:
            continue   # a key entry without a force value cannot be matched
        number = float(digits.group().replace(",", ""))
        quote = _collapse(entry.get("quote", ""))
        if any(abs(abs(s.value) - number) < 1e-6 and quote in blocks.get(s.passage, "") for s in prose):
            score.matched += 1
        else:
            score.missed.append(f"{entry.get('indicator')}: {value}")
    return score


def evaluate_facts(facts: Facts, key: dict) -> dict[str, KindScore]:
    """Scores of every kind, in KINDS order."""
    scores = [
        score_initiatives(facts, key),
        score_organisations(facts, key),
        score_places(facts, key),
        score_terms(facts, key),
        score_figure_statistics(facts, key),
        score_judgments(facts, key),
        score_judgments(facts, key, previous=True),
        score_findings(facts, key, FindingKind.AFI),
        score_findings(facts, key, FindingKind.CAUSE_OF_CONCERN),
        score_prose_statistics(facts, key),
    ]
    return {s.kind: s for s in scores}


def link_scores(facts: Facts, key: dict):
    """The scorer's links (curated links left out) against the key."""
    from peelkg.evaluate.links import evaluate_links
    from peelkg.loaders.link import link

    return evaluate_links(facts, link(facts), key)


@dataclass
class AnnotationEvaluation:
    """The scorer's links (curated links left out) against a reader's annotation of one report."""
    key: Path
    report: Path
    scores: list            # peelkg.evaluate.links.AnnotationScores, findings of this report then previous ones

    def format(self, verbose: bool = False) -> str:
        lines = [f"annotation {self.key}", f"report     {self.report}", "", "links of the scorer alone (curated links off)"]
        for score in self.scores:
            text = score.format()
            lines.extend(text.splitlines() if verbose else text.splitlines()[:1])
        return "\n".join(lines)


def is_annotation(key: dict) -> bool:
    """A reader's link annotation (`findings` with their answers) rather than a whole answer key."""
    return "findings" in key and "fixture" not in key


def annotation_report(key: dict, key_path: Path | str) -> Path:
    """The report an annotation names (`report:`): next to it, else among the bundled reports."""
    from peelkg.resources import bundled_reports

    name = str(key.get("report") or "")
    beside = Path(key_path).parent / name
    if name and beside.is_file():
        return beside
    found = next((path.resolve() for path in bundled_reports() if path.name == name), None)
    if found is None:
        raise InputError(f"{key_path}: the annotation's report {name!r} is neither beside it nor bundled; give it with --report")
    return found


def evaluate_annotation_file(key_path: Path | str, report: Path | str | None = None) -> AnnotationEvaluation:
    """Score the scorer's links against a reader's annotation (`tests/data/links/*.annotation.yaml`)."""
    from peelkg.evaluate.links import evaluate_annotation
    from peelkg.loaders.link import link

    key = load_key(key_path)
    report_path = Path(report) if report is not None else annotation_report(key, key_path)
    facts = load_facts(report_path)
    return AnnotationEvaluation(Path(key_path), report_path, evaluate_annotation(facts, link(facts), key))


def evaluate(key_path: Path | str, report: Path | str | None = None, *, links: bool = True) -> Evaluation | AnnotationEvaluation:
    """Run the loader on the key's report (or `report`) and score every kind against the key; for a
    reader's link annotation, score the links alone."""
    key = load_key(key_path)
    if is_annotation(key):
        return evaluate_annotation_file(key_path, report)
    report_path = Path(report) if report is not None else report_for(key, key_path)
    facts = load_facts(report_path)
    return Evaluation(Path(key_path), report_path, evaluate_facts(facts, key), link_scores(facts, key) if links else None)
