"""How good the links are: scored against an answer key's intended links and non-links.

The key (a report's `.gold.yaml`) lists `initiative_afi_links` (initiative id, target id,
relation `addresses` or `evidence_of_progress`) and `non_links`. Its ids are mapped to ours:

- an initiative id to the initiative whose label or alias equals the key's `canonical_name`
  or one of its `aliases` (case and a leading "the" ignored);
- a target `XXX-2016-Q2-AFI-2` to `q2-afi-2` (`-COC-1` to `q2-coc-1`); a target of the
  previous inspection (`XXX-2015-Q2-AFI`) to the prior finding of that question whose text
  contains the key's `quote` for it under `prior_findings_2015`.

Links to previous findings count like any other: the linker scores them too. An intended
link whose initiative or target cannot be mapped counts as missed. The key is taken as
complete: an above-threshold link it does not list is a false positive. Non-links that are
above the threshold are listed on their own as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peelkg.model import AddressLink, Facts, FindingKind

Pair = tuple[str, str]   # (initiative slug, finding id)


@dataclass
class LinkScores:
    threshold_links: int                 # links above the threshold
    intended: int                        # intended links in the key
    precision: float
    recall: float
    mrr: float                           # mean reciprocal rank of the first intended initiative per target
    true_positives: list[Pair] = field(default_factory=list)
    false_positives: list[Pair] = field(default_factory=list)
    false_negatives: list[Pair] = field(default_factory=list)
    non_links_hit: list[Pair] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)   # key ids with no counterpart in the facts

    def format(self) -> str:
        lines = [
            f"precision {self.precision:.2f}  recall {self.recall:.2f}  MRR {self.mrr:.2f}  "
            f"({len(self.true_positives)} of {self.intended} intended links found; {self.threshold_links} links above threshold)",
        ]
        for title, pairs in (("missed", self.false_negatives), ("not intended", self.false_positives),
                             ("non-links above threshold", self.non_links_hit)):
            if pairs:
                lines.append(f"{title}: " + ", ".join(f"{i} -> {t}" for i, t in pairs))
        if self.unmapped:
            lines.append("key ids not found in the report: " + ", ".join(self.unmapped))
        return "\n".join(lines)


def _norm(name: str) -> str:
    name = re.sub(r"[()]", " ", name.lower())
    return re.sub(r"^(?:the|a|an) ", "", re.sub(r"\s+", " ", name).strip())


def _initiative_map(facts: Facts, key: dict) -> dict[str, str]:
    ours: dict[str, str] = {}
    for initiative in facts.initiatives:
        for name in [initiative.label, *initiative.alt_labels]:
            ours.setdefault(_norm(name), initiative.slug)
    mapped: dict[str, str] = {}
    for entry in key.get("initiatives", []):
        for name in [entry.get("canonical_name", ""), *entry.get("aliases", [])]:
            if _norm(name) in ours:
                mapped[entry["id"]] = ours[_norm(name)]
                break
    return mapped


def _target_map(facts: Facts, key: dict) -> dict[str, str]:
    ids = {f.id for f in facts.findings}
    year = str(facts.document.meta.year)
    mapped: dict[str, str] = {}
    for ref in {e["target"] for e in key.get("initiative_afi_links", []) + key.get("non_links", [])}:
        match = re.search(r"-(\d{4})-Q(\d)-(AFI|COC)(?:-(\d+))?$", ref)
        if not match:
            continue
        ref_year, question, kind, number = match.groups()
        if number and ref_year == year:
            local = f"q{question}-{kind.lower()}-{number}"
            if local in ids:
                mapped[ref] = local
    for prior in key.get("prior_findings_2015", []):
        quote = _norm(prior.get("quote", ""))
        found = next((f.id for f in facts.findings if f.kind is FindingKind.PRIOR_FINDING and quote and quote in _norm(f.text)), None)
        if found:
            mapped[prior["id"]] = found
    return mapped


def evaluate_links(facts: Facts, links: list[AddressLink], key: dict) -> LinkScores:
    """Precision and recall at the links' threshold, and MRR, against the key's intended links."""
    initiatives, targets = _initiative_map(facts, key), _target_map(facts, key)
    unmapped: set[str] = set()

    def pairs(entries: list[dict]) -> set[Pair]:
        result = set()
        for entry in entries:
            i, t = initiatives.get(entry["initiative"]), targets.get(entry["target"])
            if i is None:
                unmapped.add(entry["initiative"])
            if t is None:
                unmapped.add(entry["target"])
            result.add((i or entry["initiative"], t or entry["target"]))
        return result

    intended = pairs(key.get("initiative_afi_links", []))
    non_links = pairs(key.get("non_links", []))
    predicted = {(l.initiative, l.target) for l in links if l.above_threshold}
    true_positives = predicted & intended
    ranks: list[float] = []
    for target in sorted({t for _, t in intended}):
        ranked = [l.initiative for l in sorted((l for l in links if l.target == target), key=lambda l: (-l.score, l.initiative))]
        wanted = {i for i, t in intended if t == target}
        ranks.append(next((1 / n for n, slug in enumerate(ranked, start=1) if slug in wanted), 0.0))
    return LinkScores(
        threshold_links=len(predicted),
        intended=len(intended),
        precision=len(true_positives) / len(predicted) if predicted else 1.0,
        recall=len(true_positives) / len(intended) if intended else 1.0,
        mrr=sum(ranks) / len(ranks) if ranks else 1.0,
        true_positives=sorted(true_positives),
        false_positives=sorted(predicted - intended),
        false_negatives=sorted(intended - predicted),
        non_links_hit=sorted(predicted & non_links),
        unmapped=sorted(unmapped),
    )


# --------------------------------------------------------------------------- annotations read from a report

"""An annotation (`tests/data/links/<report>.annotation.yaml`) is a reader's account of a report:
for each finding (`id`, `text`), the arrangements the text credits as answering it (`answers`:
`name`, `names`, `strength` strong or weak, `quote`, `lines`). Its ids are mapped to ours:

- a finding to ours with the same id and kind when their texts agree, else to the finding whose
  text contains the annotation's text or is contained in it (previous findings are numbered by
  whoever reads them, so their texts decide);
- an answer to an initiative named the same way (any of `names`), or to one whose name is part
  of an answer's name (or the other way round) and which the report mentions within the
  answer's lines.

Precision counts every link above the threshold to a mapped finding: right when it matches an
answer of either strength. Recall counts the strong answers found above the threshold; MRR the
rank of the first answer of either strength among all of a finding's candidates.
"""


@dataclass
class AnnotationScores:
    scope: str                           # which findings: "areas for improvement and causes of concern" or "previous findings"
    findings: int
    threshold_links: int
    strong: int                          # strong answers in the annotation
    precision: float
    strong_recall: float
    mrr: float
    true_positives: list[Pair] = field(default_factory=list)
    false_positives: list[Pair] = field(default_factory=list)
    missed_strong: list[str] = field(default_factory=list)   # "finding: answer name"
    unmapped: list[str] = field(default_factory=list)

    def format(self) -> str:
        lines = [f"{self.scope}: precision {self.precision:.2f}  strong recall {self.strong_recall:.2f}  MRR {self.mrr:.2f}  "
                 f"({self.findings} findings, {self.threshold_links} links above threshold, {self.strong} strong answers)"]
        if self.false_positives:
            lines.append("  not credited by the reader: " + ", ".join(f"{i} -> {t}" for i, t in self.false_positives))
        if self.missed_strong:
            lines.append("  strong answers missed: " + "; ".join(self.missed_strong))
        if self.unmapped:
            lines.append("  annotated findings not found in the report: " + ", ".join(self.unmapped))
        return "\n".join(lines)


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _finding_map(facts: Facts, annotation: dict) -> dict[str, str]:
    ours = [f for f in facts.findings if f.kind in (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.PRIOR_FINDING)]
    mapped: dict[str, str] = {}
    for entry in annotation.get("findings", []):
        text = _words(entry.get("text", ""))
        same = next((f for f in ours if f.id == entry["id"] and (text in _words(f.text) or _words(f.text) in text)), None)
        found = same or next((f for f in ours if text and (text in _words(f.text) or _words(f.text) in text)), None)
        if found is not None:
            mapped[entry["id"]] = found.id
    return mapped


def _answers_of(facts: Facts, answer: dict) -> set[str]:
    """The initiatives an annotated answer may stand for."""
    names = {_norm(n) for n in [answer.get("name", ""), *answer.get("names", [])] if n}
    start, end = (answer.get("lines") or [0, 0])[:2]
    spans = {b.line_start: b.line_end for b in facts.document.blocks}
    found = set()
    for initiative in facts.initiatives:
        own = {_norm(n) for n in [initiative.label, *initiative.alt_labels] if n}
        if own & names:
            found.add(initiative.slug)
            continue
        near = any(m.passage <= end and spans.get(m.passage, m.passage) >= start for m in initiative.mentions)
        related = any(re.search(rf"\b{re.escape(a)}\b", b) or re.search(rf"\b{re.escape(b)}\b", a)
                      for a in own for b in names if min(len(a), len(b)) >= 4)
        if near and related:
            found.add(initiative.slug)
    return found


def evaluate_annotation(facts: Facts, links: list[AddressLink], annotation: dict) -> list[AnnotationScores]:
    """Precision, strong recall and MRR against a reader's annotation: findings of this report, then previous ones."""
    targets = _finding_map(facts, annotation)
    kinds = {f.id: f.kind for f in facts.findings}
    scopes = [("areas for improvement and causes of concern", (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN)),
              ("previous findings", (FindingKind.PRIOR_FINDING,))]
    results = []
    for scope, wanted in scopes:
        entries = [e for e in annotation.get("findings", []) if e["id"] in targets and kinds[targets[e["id"]]] in wanted]
        unmapped = [e["id"] for e in annotation.get("findings", []) if e["id"] not in targets
                    and (e.get("kind", "").startswith("previous") == (wanted == (FindingKind.PRIOR_FINDING,)))]
        credited: dict[str, set[str]] = {}
        strong: list[tuple[str, str, set[str]]] = []
        for entry in entries:
            target = targets[entry["id"]]
            for answer in entry.get("answers") or []:
                slugs = _answers_of(facts, answer)
                credited.setdefault(target, set()).update(slugs)
                if answer.get("strength") == "strong":
                    strong.append((target, answer.get("name", ""), slugs))
        in_scope = {targets[e["id"]] for e in entries}
        predicted = sorted({(l.initiative, l.target) for l in links if l.above_threshold and l.target in in_scope})
        right = [p for p in predicted if p[0] in credited.get(p[1], set())]
        found_strong = [s for s in strong if any((slug, s[0]) in predicted for slug in s[2])]
        ranks = []
        for target in sorted(t for t in in_scope if credited.get(t)):
            ranked = [l.initiative for l in sorted((l for l in links if l.target == target and l.score > 0),
                                                    key=lambda l: (-l.score, l.initiative))]
            ranks.append(next((1 / n for n, slug in enumerate(ranked, start=1) if slug in credited[target]), 0.0))
        results.append(AnnotationScores(
            scope=scope, findings=len(entries), threshold_links=len(predicted), strong=len(strong),
            precision=len(right) / len(predicted) if predicted else 1.0,
            strong_recall=len(found_strong) / len(strong) if strong else 1.0,
            mrr=sum(ranks) / len(ranks) if ranks else 1.0,
            true_positives=right, false_positives=[p for p in predicted if p not in right],
            missed_strong=[f"{t}: {name}" for t, name, _ in strong if (t, name, _) not in found_strong],
            unmapped=unmapped))
    return results
