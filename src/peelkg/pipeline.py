"""One report from text to its named graphs: read -> segment -> extract (and history) -> link -> assemble.

Validation, reasoning and storing happen in `peelkg.graph.build`, over the graphs returned here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from peelkg.errors import ReportFormatError
from peelkg.loaders.assemble import assemble, iris_for
from peelkg.loaders.entities import extract_entities
from peelkg.loaders.extract import extract
from peelkg.loaders.history import follow
from peelkg.loaders.read import read_report
from peelkg.loaders.segment import segment
from peelkg.model import Facts, Issue, Severity


@dataclass
class ReportBuild:
    """A report's graphs, ready to validate and store."""

    report_iri: str
    graphs: dict[str, Graph]
    issues: list[Issue] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    facts: Facts | None = None


def _timer(timings: dict[str, float]):
    def timed(stage: str, function, *args):
        start = time.perf_counter()
        result = function(*args)
        timings[stage] = time.perf_counter() - start
        return result

    return timed


def extract_facts(path: Path | str, timings: dict[str, float] | None = None) -> Facts:
    """Read, segment and extract one report: everything it states, before linking."""
    timed = _timer({} if timings is None else timings)
    document = timed("segment", segment, timed("read", read_report, path))
    facts = timed("extract", extract, document)
    timed("entities", extract_entities, document, facts)
    return timed("history", follow, facts)


def load_report(path: Path | str, *, strict: bool = False) -> ReportBuild:
    """Run the loader stages on one report file; warnings are collected, fatal problems raised."""
    timings: dict[str, float] = {}
    timed = _timer(timings)
    facts = extract_facts(path, timings)
    links = timed("link", link_facts, facts)
    graphs = timed("assemble", assemble, facts, links)
    issues = facts.issues
    if strict:
        warnings = [i for i in issues if i.severity in (Severity.WARNING, Severity.ERROR, Severity.FATAL)]
        if warnings:
            raise ReportFormatError(str(path), f"{len(warnings)} warning(s) with --strict; first: {warnings[0].message}")
    ids = iris_for(facts)
    return ReportBuild(str(ids.report), {str(k): v for k, v in graphs.items()}, issues, timings, facts)


def link_facts(facts: Facts) -> list:
    """Initiative -> finding links, scored, with the curated links kept beside the report (`<stem>.links.yaml`)."""
    from peelkg.loaders.link import curated_for, link

    return link(facts, curated_for(facts.document.source.path))
