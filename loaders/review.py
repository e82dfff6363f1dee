"""The analyst's review loop: a review file of ranked candidates, and its decisions merged into curated links.

`review_text` writes, per report and per finding, the candidates the link stage ranks (with
their evidence and current state) as YAML with `decision: open`; an analyst sets `accept` or
`reject`, edits the quote where needed and says why; `apply_review` checks every decision
against the report's text and merges it into the report's curated links file
(`peelkg.loaders.curated`), where the next build picks it up.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from peelkg.errors import InputError, first_line
from peelkg.loaders.curated import (
    CuratedLink,
    curated_for,
    curated_path,
    dump_yaml,
    header_comment,
    initiative_names,
    merge,
    parse_date,
    parse_decision,
    resolve_curated,
    same_pair,
    write_curated,
)
from peelkg.loaders.extract import sentences
from peelkg.loaders.link import TARGET_KINDS, ReportLinks, links_for_report
from peelkg.model import AddressLink, Decision, Facts, Finding, Initiative, LinkMethod
from peelkg.text import collapse

OPEN = "open"
DECISIONS = (Decision.ACCEPT.value, Decision.REJECT.value, OPEN)

REVIEW_HEADER = """\
# Review of the links between initiatives and findings (written by `peelkg links review`).
#
# For each finding (an area for improvement, a cause of concern or a previous inspection's
# finding), what it asks for (ask: action, object, scope, purpose) and its candidate
# initiatives, best first: score, methods and the scorer's rationale, the lines of the report
# they rest on (chain: the lines of the problem and of the response, for an evidence chain),
# and their state: scored (the scorer's alone), curated (accepted in the report's curated
# links file) or rejected (rejected there).
#
# To decide a candidate, set its decision:
#   accept  the initiative answers the finding: it always becomes peel:addresses;
#   reject  it does not: it never becomes peel:addresses, whatever the scorer says;
#   open    undecided: ignored by `peelkg links apply` (the default).
# quote:   words of the report that show it (an accept needs one). It starts as the sentence
#          that names the initiative; cut or replace it with other words of the report, which
#          are checked against the text (whitespace does not matter).
# reason:  why you decided so (kept as the rationale of the curated link).
# A pair the scorer does not list can be added as a candidate of its finding, with the
# initiative's label, a quote, a decision and a reason.
#
# Then merge the decisions into each report's curated links file (<report>.links.yaml):
#   peelkg links apply THIS-FILE --creator "Your Name" --date YYYY-MM-DD
"""


class ReviewFileError(InputError):
    """A review file is unreadable or not shaped as `peelkg links review` writes it."""


# --------------------------------------------------------------------------- writing a review file


def _names(initiative: Initiative, passage: int) -> list[str]:
    names = {initiative.label, *initiative.alt_labels}
    names |= {m.surface for m in initiative.mentions if m.passage == passage}
    return sorted((n for n in names if len(n) >= 3), key=lambda n: (-len(n), n))


def evidence_sentence(facts: Facts, link: AddressLink) -> str:
    """The sentence of the report that names the link's initiative, from the passages the link rests on first."""
    initiative = next((i for i in facts.initiatives if i.slug == link.initiative), None)
    if initiative is None:
        return ""
    blocks = {b.line_start: b for b in facts.document.blocks}
    mentioned = [m.passage for m in initiative.mentions]
    for line in [*link.passages, *sorted(set(mentioned))]:
        block = blocks.get(line)
        if block is None:
            continue
        names = [n.lower() for n in _names(initiative, line)]
        found = next((s.text for s in sentences(block) if any(n in s.text.lower() for n in names)), None)
        if found:
            return collapse(found)
    return ""


def _ask(finding: Finding) -> dict | None:
    """What the finding asks for (action, object, scope, purpose), the parts it states."""
    return {k: v for k, v in dataclasses.asdict(finding.ask).items() if v} if finding.ask is not None else None


def _state(link: AddressLink) -> str:
    if LinkMethod.CURATED in link.methods:
        return "curated"
    if LinkMethod.REJECTED in link.methods:
        return "rejected"
    return "scored"


def _candidate(report: ReportLinks, link: AddressLink, decided: dict[tuple[str, str], CuratedLink]) -> dict:
    entry = decided.get((link.initiative, link.target))
    record = {
        "initiative": report.label(link.initiative),
        "score": round(link.score, 4),
        "above_threshold": link.above_threshold,
        "state": _state(link),
        "methods": [m.value for m in link.methods],
        "rationale": link.rationale,
        "lines": list(link.passages),
        **({"chain": {"problem": link.problem_passage, "response": link.response_passage}}
           if link.response_passage is not None else {}),
        "quote": entry.quote if entry is not None and entry.quote else evidence_sentence(report.facts, link),
        "decision": entry.decision.value if entry is not None else OPEN,
        "reason": entry.rationale if entry is not None else "",
    }
    if entry is not None and entry.creator:
        record["creator"] = entry.creator
    if entry is not None and entry.date:
        record["date"] = entry.date
    return record


def review_data(report: ReportLinks, curated: Sequence[CuratedLink], top: int = 5) -> dict:
    """One report's findings, each with its best `top` candidates (0: all) and every pair already decided."""
    targets = {f.id: f for f in report.facts.findings if f.kind in TARGET_KINDS}
    decided = {pair: r.link for pair, r in resolve_curated(report.facts, curated, targets).items()}
    findings = []
    for finding in report.targets():
        ranked = report.ranked(finding)
        shown = [l for n, l in enumerate(ranked) if top <= 0 or n < top or (l.initiative, l.target) in decided]
        record: dict[str, Any] = {"id": finding.id, "kind": finding.kind.value, "question": finding.question_id,
                  "text": collapse(finding.text), "lines": list(finding.passages)}
        ask = _ask(finding)
        if ask:
            record["ask"] = ask
        record["candidates"] = [_candidate(report, l, decided) for l in shown]
        findings.append(record)
    return {"report": str(Path(report.path).resolve()), "findings": findings}


def review_text(reports: Sequence[Path], top: int = 5) -> str:
    """The review file for `reports`: the header that says how to fill it in, then one block per report."""
    data = [review_data(links_for_report(path), curated_for(path), top) for path in reports]
    return REVIEW_HEADER + "\n" + dump_yaml({"reports": data})


# --------------------------------------------------------------------------- applying a review file


@dataclass
class Applied:
    """What applying a review file did to one report's curated links file."""

    report: str
    path: Path
    accepted: int            # decisions taken from the review file, by kind
    rejected: int
    entries: int             # entries of the curated links file after the merge

    def summary(self) -> str:
        return f"{self.path}: {self.accepted} accepted, {self.rejected} rejected; {self.entries} decision(s) in the file"


def load_review(path: Path) -> list[dict]:
    """The report blocks of a review file, checked for shape."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ReviewFileError(f"{path}: not a readable YAML file: {first_line(error)}") from error
    reports = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(reports, list) or not all(isinstance(r, dict) and isinstance(r.get("report"), str) for r in reports):
        raise ReviewFileError(f"{path}: expected `reports:`, a list of reports each with `report:` and `findings:`"
                              " (write one with `peelkg links review`)")
    return reports


def _decisions(path: Path, block: dict, creator: str | None, date: datetime.date | None) -> list[CuratedLink]:
    """The accept and reject decisions of one report block of a review file, checked for shape."""
    name = Path(block["report"]).name
    decisions: list[CuratedLink] = []
    for finding in block.get("findings") or []:
        if not isinstance(finding, dict) or not isinstance(finding.get("id"), str):
            raise ReviewFileError(f"{path}: {name}: every finding needs an `id`")
        for number, candidate in enumerate(finding.get("candidates") or [], start=1):
            at = f"{name}, {finding['id']}, candidate {number}"
            if not isinstance(candidate, dict) or not isinstance(candidate.get("initiative"), str):
                raise ReviewFileError(f"{path}: {at}: a candidate needs an `initiative`")
            where = f"{path}: {at} ({candidate['initiative']} -> {finding['id']})"
            decision = parse_decision(candidate.get("decision", OPEN), DECISIONS)
            if decision is None:
                raise ReviewFileError(f"{where}: decision must be accept, reject or open, not {candidate.get('decision')!r}")
            if decision == OPEN:
                continue
            text = candidate.get("quote") or ""
            reason = candidate.get("reason") or ""
            if not isinstance(text, str) or not isinstance(reason, str):
                raise ReviewFileError(f"{where}: quote and reason must be text")
            if decision == Decision.ACCEPT.value and not text.strip():
                raise ReviewFileError(f"{where}: an accept needs a quote, words of the report that show the link")
            decisions.append(CuratedLink(
                candidate["initiative"].strip(), finding["id"], collapse(text), collapse(reason) or f"{decision}ed on review",
                source=str(path), decision=Decision(decision), creator=creator, date=date, at=at))
    return decisions


def _unchanged(old: CuratedLink, new: CuratedLink) -> bool:
    """A decision the review file only repeats: the curated file keeps its entry (and who made it, when)."""
    return (old.decision, collapse(old.quote), collapse(old.rationale)) == (new.decision, collapse(new.quote), collapse(new.rationale))


def apply_review(path: Path, creator: str | None = None, date: datetime.date | str | None = None) -> list[Applied]:
    """Merge the accept and reject decisions of a review file into each report's curated links file.

    Every decision is checked against its report first (initiative, finding, quote); a bad one
    raises a one-line error naming the review file and the candidate, and no file is written.
    A decision replaces an earlier one on the same pair; the files' other entries and their
    opening comment are kept.
    """
    from peelkg.pipeline import extract_facts

    when = parse_date(date) if date is not None else None
    if date is not None and when is None:
        raise ReviewFileError(f"--date must be an ISO date (YYYY-MM-DD), not {date!r}")
    plans: list[tuple[Applied, list[CuratedLink], str]] = []
    for block in load_review(path):
        report = Path(block["report"])
        if not report.is_file():
            raise ReviewFileError(f"{path}: report {report} not found")
        decisions = _decisions(path, block, creator, when)
        if not decisions:
            continue
        facts = extract_facts(report)
        targets = {f.id: f for f in facts.findings if f.kind in TARGET_KINDS}
        resolve_curated(facts, decisions, targets)           # each decision holds against the text, once per pair
        links_file = curated_path(report.resolve())
        existing = curated_for(report.resolve())
        names = initiative_names(facts)
        fresh = [d for d in decisions if not any(same_pair(old, d, names) and _unchanged(old, d) for old in existing)]
        merged = merge(existing, fresh, names)
        resolve_curated(facts, merged, targets)              # the whole file still holds
        header = header_comment(links_file.read_text(encoding="utf-8-sig")) if links_file.exists() else _curated_header(report)
        accepted = sum(1 for d in fresh if d.decision is Decision.ACCEPT)
        plans.append((Applied(str(report), links_file, accepted, len(fresh) - accepted, len(merged)), merged, header))
    for applied, merged, header in plans:
        if applied.accepted or applied.rejected:            # a file the review only repeats is left as it is
            write_curated(applied.path, merged, header)
    return [applied for applied, _, _ in plans]


def _curated_header(report: Path) -> str:
    return (f"# Curated links for {report.name}: an analyst's decisions on which initiatives answer which\n"
            "# findings (decision: accept or reject), each with words of the report that show it. Every\n"
            "# build checks the quotes against the report; `peelkg links apply` merges a review file in.\n")

