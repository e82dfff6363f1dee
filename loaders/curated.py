"""Curated links: an analyst's decisions on initiative -> finding pairs, kept beside the report.

A report's curated links file (`<report stem>.links.yaml`) is a list of entries:

    - initiative: Operation Titan        # label, alias or slug of an initiative of the report
      target: q3-afi-3                   # a finding id
      decision: accept                   # accept (the default) or reject
      quote: "words of the report"       # required to accept; checked against the text on every build
      rationale: why the analyst decided so
      creator: A. Analyst                # optional: who decided (dcterms:creator)
      date: 2026-12-04                   # optional: when, an ISO date (dcterms:date)

The decisions overrule the scorer (`peelkg.loaders.link`) for their pair, both ways: an
accepted pair always becomes `peel:addresses` (score 1.0, method `curated`); a rejected pair
never does (method `rejected`, below the threshold, the scorer's score kept for the record).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from peelkg.errors import InputError, first_line
from peelkg.model import AddressLink, Decision, Facts, Finding, LinkMethod
from peelkg.text import collapse, quote

FIELDS = ("initiative", "target", "decision", "quote", "rationale", "creator", "date")
REQUIRED = ("initiative", "target", "rationale")


class CuratedLinkError(InputError):
    """A curated links file is unreadable, or one of its entries does not hold against its report."""


@dataclass(frozen=True)
class CuratedLink:
    """An analyst's decision that an initiative does (or does not) address a finding, with a quote from the report."""

    initiative: str       # label or alias of the initiative, as written in the file
    target: str           # finding id, e.g. q3-afi-4
    quote: str            # words of the report that support the decision ("" only for a rejection)
    rationale: str
    source: str = ""      # the file it came from
    entry: int = 0        # 1-based position in that file
    decision: Decision = Decision.ACCEPT
    creator: str | None = None
    date: datetime.date | None = None
    at: str = ""          # where it is in its file, when not "entry N" (a review file's candidate)

    def where(self) -> str:
        return self.at or f"entry {self.entry}"

    def fail(self, problem: str) -> CuratedLinkError:
        return CuratedLinkError(f"{self.source}: {self.where()} ({self.initiative} -> {self.target}): {problem}")

    def record(self) -> dict:
        """The entry as written in a curated links file."""
        data: dict = {"initiative": self.initiative, "target": self.target, "decision": self.decision.value}
        if self.quote:
            data["quote"] = self.quote
        data["rationale"] = self.rationale
        if self.creator:
            data["creator"] = self.creator
        if self.date:
            data["date"] = self.date
        return data


@dataclass(frozen=True)
class Resolved:
    """A curated link checked against its report: the initiative's slug and the line its quote is on."""

    link: CuratedLink
    slug: str
    line: int | None          # passage the quote occurs in (None: a rejection without a quote)
    mentions: list[int]       # passages naming the initiative, the evidence of last resort


def curated_path(report: Path | str) -> Path:
    """`reports/x.txt` -> `reports/x.links.yaml`."""
    report = Path(report)
    return report.with_name(f"{report.stem}.links.yaml")


DECISIONS = tuple(decision.value for decision in Decision)


def parse_decision(value: object, allowed: Iterable[str] = DECISIONS) -> str | None:
    """The decision as written, if it is one of `allowed` (case and spaces ignored); None otherwise."""
    text = value.strip().lower() if isinstance(value, str) else None
    return text if text in tuple(allowed) else None


def parse_date(value: object) -> datetime.date | None:
    """A YAML date or an ISO date string; None when it is neither (callers report the entry)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _entry_from_mapping(entry: dict, source: str, number: int) -> CuratedLink:
    """One entry of a curated links file, checked for shape; raises CuratedLinkError naming `source` and the entry."""
    where = f"entry {number}"
    unknown = sorted(str(k) for k in set(entry) - set(FIELDS))
    if unknown:
        raise CuratedLinkError(f"{source}: {where}: unknown field(s) {', '.join(unknown)}")
    missing = [f for f in REQUIRED if not isinstance(entry.get(f), str) or not entry[f].strip()]
    decision = parse_decision(entry.get("decision", Decision.ACCEPT.value))
    if decision is None:
        raise CuratedLinkError(f"{source}: {where}: decision must be accept or reject, not {entry.get('decision')!r}")
    text = entry.get("quote")
    if text is not None and not isinstance(text, str):
        missing.append("quote")
    elif decision == Decision.ACCEPT.value and not (text or "").strip():
        missing.append("quote")
    if missing:
        raise CuratedLinkError(f"{source}: {where}: missing or empty {', '.join(sorted(missing, key=FIELDS.index))}")
    creator = entry.get("creator")
    if creator is not None and (not isinstance(creator, str) or not creator.strip()):
        raise CuratedLinkError(f"{source}: {where}: creator must be a name")
    date = entry.get("date")
    if date is not None and parse_date(date) is None:
        raise CuratedLinkError(f"{source}: {where}: date must be an ISO date (YYYY-MM-DD), not {str(date)!r}")
    return CuratedLink(entry["initiative"].strip(), entry["target"].strip(), (text or "").strip(), entry["rationale"].strip(),
                       source=source, entry=number, decision=Decision(decision), creator=creator.strip() if creator else None,
                       date=parse_date(date) if date is not None else None)


def load_curated(path: Path | str) -> list[CuratedLink]:
    """The entries of a curated links file, checked for shape (they are checked against the report by `link`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CuratedLinkError(f"{path}: not a readable YAML file: {first_line(error)}") from error
    if data is None:
        return []
    if not isinstance(data, list):
        raise CuratedLinkError(f"{path}: expected a list of links, each with {', '.join(REQUIRED)} and a quote")
    links: list[CuratedLink] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise CuratedLinkError(f"{path}: entry {number}: expected a mapping with {', '.join(REQUIRED)} and a quote")
        links.append(_entry_from_mapping(entry, str(path), number))
    return links


def curated_for(report: Path | str) -> list[CuratedLink]:
    """The curated links kept beside a report; none when it has no links file."""
    path = curated_path(report)
    return load_curated(path) if path.exists() else []


# --------------------------------------------------------------------------- checked against the report


def resolve_curated(facts: Facts, curated: Sequence[CuratedLink], targets: dict[str, Finding]) -> dict[tuple[str, str], Resolved]:
    """Curated links checked against the report: initiative and target exist, the quote occurs in a passage, one entry per pair."""
    by_name = initiative_names(facts)
    mentions = {i.slug: sorted({m.passage for m in i.mentions}) for i in facts.initiatives}
    passages = [(b.line_start, collapse(b.clean), collapse(b.text)) for b in facts.document.blocks]
    resolved: dict[tuple[str, str], Resolved] = {}
    for entry in curated:
        slug = by_name.get(collapse(entry.initiative).lower())
        if slug is None:
            raise entry.fail(f'no initiative called "{entry.initiative}" in the report')
        if entry.target not in targets:
            raise entry.fail(f"no area for improvement, cause of concern or previous finding {entry.target} in the report")
        line = None
        if entry.quote:
            words = collapse(entry.quote)
            line = next((line for line, clean, raw in passages if words in clean or words in raw), None)
            if line is None:
                raise entry.fail(f"quote not found in the report text: {quote(words, limit=60)}")
        earlier = resolved.get((slug, entry.target))
        if earlier is not None:
            raise entry.fail(f"the pair is already decided in {earlier.link.where()}; keep one entry per pair")
        resolved[(slug, entry.target)] = Resolved(entry, slug, line, mentions.get(slug, []))
    return resolved


def _by_whom(entry: CuratedLink) -> str:
    who = f" by {entry.creator}" if entry.creator else ""
    return who + (f" on {entry.date.isoformat()}" if entry.date else "")


def decided_link(resolved: Resolved, scored: AddressLink | None) -> AddressLink:
    """The link an analyst's decision makes of a pair, given what the scorer made of it (None: below its floor)."""
    entry = resolved.link
    why = collapse(entry.rationale).rstrip(".")
    evidence = f"; quote (L{resolved.line}): {quote(collapse(entry.quote))}" if resolved.line is not None else ""
    if entry.decision is Decision.ACCEPT:
        return AddressLink(resolved.slug, entry.target, 1.0, [LinkMethod.CURATED], f"curated{_by_whom(entry)}: {why}{evidence}",
                           [resolved.line] if resolved.line is not None else resolved.mentions, True,
                           decision=entry.decision, creator=entry.creator, date=entry.date)
    # a rejection shows what the scorer had found; its quote only where the scorer found nothing
    scorer = f"; the scorer had {scored.score:.2f}: {scored.rationale}" if scored is not None else evidence
    lines = set(scored.passages if scored is not None else []) | ({resolved.line} if resolved.line is not None else set())
    return AddressLink(resolved.slug, entry.target, scored.score if scored is not None else 0.0, [LinkMethod.REJECTED],
                       f"rejected{_by_whom(entry)}: {why}{scorer}", sorted(lines) or resolved.mentions, False,
                       decision=entry.decision, creator=entry.creator, date=entry.date)


def apply_decisions(scored: Sequence[AddressLink], decisions: dict[tuple[str, str], Resolved], order: Iterable[str]) -> list[AddressLink]:
    """The scorer's links with the analyst's decisions put in their place; per target (in `order`), best first."""
    by_pair = {(l.initiative, l.target): l for l in scored}
    decided = {pair: decided_link(resolved, by_pair.get(pair)) for pair, resolved in decisions.items()}
    merged = [decided.get((l.initiative, l.target), l) for l in scored]
    merged += [l for pair, l in sorted(decided.items()) if pair not in by_pair]
    rank = {target: n for n, target in enumerate(order)}
    return sorted(merged, key=lambda l: (rank.get(l.target, len(rank)), -l.score, l.initiative))


# --------------------------------------------------------------------------- writing a curated links file


class _Dumper(yaml.SafeDumper):
    """Long strings folded over lines (`>-`) and short lists on one line, as people write them."""


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = ">" if len(text) > 80 and "\n" not in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    flat = all(isinstance(i, (int, float)) or (isinstance(i, str) and len(i) < 30) for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat and bool(items))


_Dumper.add_representer(str, _string)
_Dumper.add_representer(list, _list)


def dump_yaml(data: object) -> str:
    """YAML for people: keys in the given order, long strings folded, non-ASCII kept."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def header_comment(text: str) -> str:
    """The comment lines a YAML file opens with (kept when the file is rewritten)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#") and line.strip():
            break
        lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def write_curated(path: Path, links: Sequence[CuratedLink], header: str) -> None:
    """Write a curated links file atomically: the header comment, then one entry per pair, blank lines between."""
    body = "\n".join(dump_yaml([link.record()]) for link in links)
    text = (header + "\n" if header else "") + body
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CuratedLinkError(f"{path}: cannot write the curated links file ({error.strerror or error})") from error


def same_pair(a: CuratedLink, b: CuratedLink, names: dict[str, str]) -> bool:
    """Whether two entries decide the same pair, the initiative compared through `names` (any name -> slug)."""
    key = lambda link: (names.get(collapse(link.initiative).lower(), collapse(link.initiative).lower()), link.target)  # noqa: E731
    return key(a) == key(b)


def merge(existing: Sequence[CuratedLink], decisions: Sequence[CuratedLink], names: dict[str, str]) -> list[CuratedLink]:
    """Existing entries with new decisions put in place of those on the same pair; the rest added in order."""
    merged = list(existing)
    for decision in decisions:
        at = next((n for n, old in enumerate(merged) if same_pair(old, decision, names)), None)
        if at is None:
            merged.append(decision)
        else:
            merged[at] = decision
    return [replace(link, entry=n, at="") for n, link in enumerate(merged, start=1)]


def initiative_names(facts: Facts) -> dict[str, str]:
    """Every name of every initiative (slug, label, aliases; lower case, whitespace collapsed) -> its slug."""
    names: dict[str, str] = {}
    for initiative in facts.initiatives:
        for name in [initiative.slug, initiative.label, *initiative.alt_labels]:
            names.setdefault(collapse(name).lower(), initiative.slug)
    return names

