"""The index page: per report, the grades with the findings of each question and how many are
answered, the figures beside England and Wales, its findings followed over the years (where another
inspection has them), and links to every view and page; for a store of several reports, one sortable
row per report. An earlier report known only from a later one's quotations shows the grades and
findings quoted, each marked with the quoting report and its lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from peelkg.views.assets import asset, environment, grade_style, style
from peelkg.views.entities import TARGET_KINDS, Index, question_tag
from peelkg.views.history import Step, follow_ups, histories, quoted_findings, quoted_note
from peelkg.views.model import Report, Statistic, View, ViewData
from peelkg.views.panels import carried_note, grade_rows
from peelkg.views.text import shorten


@dataclass
class ChartRow:
    label: str
    full: str
    force: float | None
    comparator: float | None


@dataclass
class Chart:
    caption: str
    unit: str
    force_label: str
    comparator_label: str
    rows: list[ChartRow]


@dataclass
class Dot:
    """A finding in a question's row: its page, if it has one, and whether an initiative answers it."""

    label: str
    page: str
    answered: bool
    quoted: str = ""               # "as the 2016 report quotes it, lines 306, 308" for a quoted finding


@dataclass
class QuestionRow:
    """A question's grade beside its findings: how many, how many answered, each linked."""

    tag: str
    question: str
    grade: dict | None
    findings: list[Dot]
    answered: int
    quoted: str = ""               # where the grade is known from, when a later report quotes it or this one carries it over


@dataclass
class ReportRow:
    """One report in the summary table of a multi-report store."""

    report: Report
    overall: dict | None
    findings: int
    answered: int
    initiatives: int
    partners: int
    quoted: str = ""               # where the overall grade is known from, when a later report quotes it
    quoted_findings: int = 0       # of `findings`, those known from a later report's quotation


def figure_charts(index: Index, report: Report) -> list[Chart]:
    """The report's figure statistics, force beside its comparator (England and Wales), one chart per figure and unit."""
    grouped: dict[tuple[str, str], dict[tuple, ChartRow]] = {}
    comparators: dict[tuple[str, str], str] = {}
    for stat in index.data.statistics:
        if report.iri not in index.data.memberships.get(stat.iri, set()):
            continue
        key = (stat.figure, stat.unit)
        full = f"{stat.parent}: {stat.indicator}" if stat.parent else stat.indicator
        row = grouped.setdefault(key, {}).setdefault(
            (stat.parent, stat.indicator, stat.period), ChartRow(label=_row_label(stat), full=full,
                                                                 force=None, comparator=None))
        if stat.area == report.force:
            row.force = stat.value
        else:
            row.comparator = stat.value
            comparators.setdefault(key, stat.area_label)
    return [Chart(caption=caption, unit=unit, force_label=report.force_label,
                  comparator_label=comparators.get((caption, unit), "Comparator"), rows=list(rows.values()))
            for (caption, unit), rows in grouped.items()]


def _row_label(stat: Statistic, width: int = 46) -> str:
    """The indicator, after as much of its group row's name as fits."""
    indicator = shorten(stat.indicator, width - 10 if stat.parent else width)
    if not stat.parent:
        return indicator
    return f"{shorten(stat.parent, max(width - len(indicator) - 2, 8))}: {indicator}"


def chart_svg(chart: Chart) -> Markup:
    """An inline SVG bar chart (no script, no external resource) drawn by templates/chart.svg."""
    label_width, bar_width, bar, gap, top = 300, 320, 11, 10, 34
    values = [v for row in chart.rows for v in (row.force, row.comparator) if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return round(label_width + (value - low) / span * bar_width, 1)

    rows = []
    for number, row in enumerate(chart.rows):
        y = top + number * (2 * bar + gap)
        bars = []
        for offset, value, css in ((0, row.force, "force"), (bar, row.comparator, "comparator")):
            if value is None:
                continue
            start, end = sorted((x(0.0), x(value)))
            bars.append({"x": start, "y": y + offset, "width": max(round(end - start, 1), 0.5), "height": bar - 1,
                         "css": css, "value": f"{value:g}", "text_x": round(max(x(0.0), x(value)) + 4, 1),
                         "text_y": y + offset + bar - 2})
        rows.append({"label": row.label, "full": row.full, "y": y + bar + 3, "bars": bars})
    height = top + len(chart.rows) * (2 * bar + gap) + 8
    return Markup(environment().get_template("chart.svg").render(
        chart=chart, rows=rows, width=label_width + bar_width + 70, height=height, zero=x(0.0), top=top - 6,
        bottom=height - 6, colours=style()["chart"], label_width=label_width))


def question_rows(index: Index, report: Report, quoted: Sequence[Step] = ()) -> list[QuestionRow]:
    """Per core question: its grade, and its areas for improvement and causes of concern, answered or not,
    with the findings later reports quote from it (`quoted`) under the question of the same number."""
    targets = index.findings(report, TARGET_KINDS)
    unaddressed = index.unaddressed(targets)
    questions = index.core_questions(report)
    by_question: dict[str, list[Dot]] = {}
    for target in targets:
        question = index.core_question_of(target)
        by_question.setdefault(question.iri if question else "", []).append(
            Dot(index.entity(target).label, index.page(target, report) or "", target not in unaddressed))
    for step in quoted:
        later = index.core_question_of(step.prior) if step.prior else None
        question = index.same_question(later, report) if later else None
        if question is not None and question not in questions:
            questions.append(question)
        label = index.entity(step.prior).label if step.prior else step.progress.quote
        evidence = index.entity(step.prior).evidence if step.prior else []
        by_question.setdefault(question.iri if question else "", []).append(
            Dot(label, "", False, quoted=quoted_note(index, evidence)))
    rows = []
    for question in sorted(questions, key=lambda q: (q.number or 0, q.order, q.iri)):
        judgment = index.grade_of(question, report)
        findings = sorted(by_question.get(question.iri, []), key=lambda dot: (dot.quoted != "", dot.label))
        rows.append(QuestionRow(tag=question_tag(question),
                                question=index.entity(question.iri).label if question.iri in index.data.entities else "",
                                grade=grade_style(judgment.grade) if judgment else None, findings=findings,
                                answered=sum(1 for f in findings if f.answered),
                                quoted=(carried_note(index, judgment) or quoted_note(index, index.quoted_only(judgment.iri, report)))
                                if judgment else ""))
    return rows


def report_row(index: Index, report: Report, quoted: Sequence[Step] = ()) -> ReportRow:
    targets = index.findings(report, TARGET_KINDS)
    overall = next((j for j in index.judgments(report)
                    if j.question in index.data.questions and index.data.questions[j.question].overall), None)
    initiatives = index.initiatives(report)
    return ReportRow(report=report, overall=grade_style(overall.grade) if overall else None,
                     findings=len(targets) + len(quoted), answered=len(targets) - len(index.unaddressed(targets)),
                     initiatives=len(initiatives), partners=len(index.partners(initiatives, report)),
                     quoted=quoted_note(index, index.quoted_only(overall.iri, report)) if overall else "",
                     quoted_findings=len(quoted))


def render_index(data: ViewData, index: Index, views: list[View]) -> str:
    sections = []
    forces = follow_ups(index)
    history = histories(index, forces)
    quoted = quoted_findings(forces)
    for report in data.reports:
        targets = index.findings(report, TARGET_KINDS)
        initiatives = index.initiatives(report)
        quotes = quoted.get(report.iri, [])
        sections.append({
            "report": report,
            "grades": grade_rows(index, report),
            "questions": question_rows(index, report, quotes),
            "charts": [(chart, chart_svg(chart)) for chart in figure_charts(index, report)],
            "history": history.get(report.iri),
            "quoted": bool(quotes),
            "views": [v for v in views if v.report is report],
            "initiatives": sorted(((index.entity(i).label, index.page(i, report) or "") for i in initiatives),
                                  key=lambda pair: pair[0].casefold()),
            "counts": [(len(targets) + len(quotes), "area for improvement or cause of concern",
                        "areas for improvement or causes of concern"),
                       *([(len(quotes), "of them as a later report quotes it", "of them as a later report quotes them")]
                         if quotes else []),
                       (len(index.unaddressed(targets)), "unaddressed", "unaddressed"),
                       (len(initiatives), "initiative", "initiatives"),
                       (len(index.partners(initiatives, report)), "partner", "partners")],
        })
    summary = [report_row(index, r, quoted.get(r.iri, [])) for r in data.reports] if len(data.reports) > 1 else []
    others = [v for v in views if v.report is None]
    return environment().get_template("index.html").render(
        sections=sections, summary=summary, others=others, css=asset("view.css"), script=asset("index.js"),
        colours=style()["chart"], progress=style()["progress"])
