"""Findings followed over the years, for the index: each area for improvement or cause of concern of
a force in a row, from the report that raised it through what the next report says of the progress
made (and the finding that raises it again) to the one after, one column per inspection year.

The links between years are the named query afi-history's rows (`ViewData.progress`); a finding no
other report follows up or continues is a chain of one. A report gets the table when one of its
findings is followed from one inspection to another.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from peelkg.views.assets import style
from peelkg.views.entities import TARGET_KINDS, Index, question_tag
from peelkg.views.model import Evidence, Progress, Report
from peelkg.views.text import local, shorten

TEXT_WIDTH = 90             # characters of a quote or progress sentence shown in a cell
UNKNOWN_STATUS = {"color": "#6c757d", "glyph": "◇"}


@dataclass
class Form:
    """A finding as one inspection has it: its own text, or what a later report says of its progress."""

    report: Report | None
    text: str                      # shown: the finding's short text, the quote or the progress sentence cut short
    full: str                      # the whole text (the cell's tooltip)
    href: str = ""                 # the finding's page, where it has one
    note: str = ""                 # "as the 2016 report words it"
    where: str = ""                # "lines 306, 308"
    status: dict | None = None     # label, color, glyph of the progress status (style.json "progress")
    again: Form | None = None      # the finding of the same report that raises it again
    line: int = 0


@dataclass
class HistoryRow:
    tag: str                       # the question: "Q2"
    cells: list[list[Form]]        # one list per column, mostly of one form


@dataclass
class History:
    columns: list[str]             # "2015", "2016", …
    current: list[bool]            # the column of the report whose section shows the table
    rows: list[HistoryRow]


@dataclass
class Step:
    """A previous finding followed up, resolved to the reports and findings of the views."""

    progress: Progress
    report: Report                 # the report that follows it up
    prior: str | None              # its peel:PriorFinding there
    earlier: str | None            # the finding followed up, when its report is in the graph
    earlier_report: Report | None  # that report, else the force's latest report before
    again: str | None              # the finding of `report` that raises it again


@dataclass
class _Chain:
    tag: str
    order: tuple
    forms: list[Form] = field(default_factory=list)


@dataclass
class Force:
    """A force's reports, in the order of the views (by year), and the previous findings they follow up."""

    reports: list[Report]
    steps: list[Step]


def follow_ups(index: Index) -> list[Force]:
    """Each force's reports with the afi-history rows resolved to them, once for the whole index."""
    by_force: dict[str, list[Report]] = defaultdict(list)
    for report in index.data.reports:
        by_force[report.force or report.iri].append(report)
    rows: dict[str, list[tuple[int, Progress]]] = defaultdict(list)     # force label -> (position, row)
    for position, row in enumerate(index.data.progress):
        rows[row.force].append((position, row))
    forces = []
    for reports in by_force.values():
        own = sorted(found for label in {r.force_label for r in reports} for found in rows.get(label, []))
        forces.append(Force(reports, _steps(index, reports, [row for _, row in own])))
    return forces


def histories(index: Index, forces: list[Force]) -> dict[str, History]:
    """Report IRI -> its table of findings over the years, for each report that has one."""
    tables = {}
    for force in forces:
        reports = force.reports
        chains = _chains(index, reports, force.steps)
        for report in reports:
            own = [c for c in chains if any(f.report is report for f in c.forms)]
            if any(len(c.forms) > 1 for c in own):
                tables[report.iri] = _table(own, report)
    return tables


def _year(report: Report | None) -> int | None:
    return report.year if report is not None else None


def _table(chains: list[_Chain], report: Report) -> History:
    years = sorted({_year(f.report) for c in chains for f in c.forms}, key=lambda y: (y is not None, y or 0))
    rows = []
    for chain in sorted(chains, key=lambda c: c.order):
        cells: list[list[Form]] = [[] for _ in years]
        for form in chain.forms:
            cells[years.index(_year(form.report))].append(form)
        rows.append(HistoryRow(tag=chain.tag, cells=cells))
    return History(columns=["Earlier" if y is None else str(y) for y in years],
                   current=[y is not None and y == report.year for y in years], rows=rows)


def quoted_findings(forces: list[Force]) -> dict[str, list[Step]]:
    """Report IRI -> the previous findings later reports quote from it, those whose own finding is not in the graph."""
    quoted: dict[str, list[Step]] = defaultdict(list)
    for force in forces:
        for step in force.steps:
            if step.earlier is None and step.earlier_report is not None:
                quoted[step.earlier_report.iri].append(step)
    return dict(quoted)


def quoted_note(index: Index, evidence: list[Evidence]) -> str:
    """ "as the 2016 report quotes it, line 168": what a judgment or finding is known from, when only a later
    report's quotation tells of it ("" when `evidence` is empty)."""
    if not evidence:
        return ""
    years = {r.iri: r.year for r in index.data.reports}
    year = next((years.get(e.report or "") for e in evidence if years.get(e.report or "")), None)
    return ", ".join(part for part in (f"as the {year or 'later'} report quotes it", _where(_lines(evidence))) if part)


def _steps(index: Index, reports: list[Report], rows: list[Progress]) -> list[Step]:
    ids = {r.iri: {local(f): f for f in index.findings(r, (*TARGET_KINDS, "prior"))} for r in reports}
    return [s for s in (_step(index, row, reports, ids) for row in rows) if s is not None]


def _chains(index: Index, reports: list[Report], steps: list[Step]) -> list[_Chain]:
    """Every chain of the force's findings, from the finding (or quote) that starts it."""
    following: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        if step.earlier:
            following[step.earlier].append(step)
    raised_again = {s.again for s in steps if s.again}
    chains = []
    for report in reports:
        for finding in index.findings(report, TARGET_KINDS):
            if finding not in raised_again:
                first = _finding_form(index, finding, report)
                for forms in _walk(index, [first], finding, following, set()):
                    chains.append(_chain(index, finding, forms))
    for step in steps:
        if step.earlier is None:
            quote = Form(report=step.earlier_report, text=shorten(step.progress.quote, TEXT_WIDTH),
                         full=step.progress.quote, note=f"as the {step.report.year or 'later'} report words it",
                         line=min(step.progress.lines, default=0))
            for forms in _follow(index, [quote], step, following, set()):
                chains.append(_chain(index, step.prior, forms))
    return chains


def _step(index: Index, row: Progress, reports: list[Report], ids: dict[str, dict[str, str]]) -> Step | None:
    later = next((r for r in reports if r.inspection == row.inspection and r.force_label == row.force), None)
    if later is None:
        return None
    before = [r for r in reports if r.year is not None and later.year is not None and r.year < later.year]
    earlier, earlier_report = None, before[-1] if before else None
    for report in reversed(before):
        found = ids[report.iri].get(row.earlier_id)
        if found and index.entity(found).description == row.earlier_text:
            earlier, earlier_report = found, report
            break
    return Step(progress=row, report=later, prior=ids[later.iri].get(row.previous), earlier=earlier,
                 earlier_report=earlier_report, again=ids[later.iri].get(row.raised_again))


def _walk(index: Index, forms: list[Form], finding: str, following: dict[str, list[Step]],
          seen: set[str]) -> list[list[Form]]:
    """The chains going on from `finding`: one per report that follows it up, or it ends here."""
    steps = following.get(finding, []) if finding not in seen else []
    if not steps:
        return [forms]
    return [chain for step in steps for chain in _follow(index, forms, step, following, seen | {finding})]


def _follow(index: Index, forms: list[Form], step: Step, following: dict[str, list[Step]],
            seen: set[str]) -> list[list[Form]]:
    row = step.progress
    again = _finding_form(index, step.again, step.report) if step.again else None
    look = style()["progress"].get(row.status, {"label": row.status, **UNKNOWN_STATUS}) if row.status else None
    shown = row.progress or "The report refers back to it without saying what progress was made."
    form = Form(report=step.report, text=shorten(shown, TEXT_WIDTH), full=shown, status=look, again=again,
                where=_where(row.lines), line=min(row.lines, default=0))
    if step.again:
        return _walk(index, [*forms, form], step.again, following, seen)
    return [[*forms, form]]


def _finding_form(index: Index, finding: str, report: Report) -> Form:
    entity = index.entity(finding)
    evidence = [e for e in entity.evidence if e.report in (None, report.iri)]
    return Form(report=report, text=entity.label, full=entity.description or entity.label,
                href=index.page(finding, report) or "", where=_where(_lines(evidence)),
                line=min(_lines(evidence), default=0))


def _lines(evidence: list[Evidence]) -> list[int]:
    return sorted({e.line_start for e in evidence if e.line_start is not None})


def _where(lines: list[int]) -> str:
    """ "line 12" or "lines 12, 14" (the report lines of a form)."""
    if not lines:
        return ""
    return f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(str(n) for n in lines)


def _chain(index: Index, start: str | None, forms: list[Form]) -> _Chain:
    question = index.core_question_of(start) if start else None
    number = (question.number or 0) if question else 99
    first = forms[0]
    return _Chain(tag=question_tag(question) if question else "", forms=forms,
                  order=(number, _year(first.report) or 0, first.line, first.text))
