"""Findings followed from one inspection to the next: the progress a report states, findings raised again."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from peelkg.evaluate.evaluate import evaluate
from peelkg.graph import query as q
from peelkg.graph.build import build_store
from peelkg.loaders.history import _with_status
from peelkg.model import Finding, FindingKind, ProgressStatus
from peelkg.pipeline import extract_facts
from peelkg.views import build_views, read_store
from tests.paths import CAUSE_OF_CONCERN, REPORTS_DIR, WESSEX

CUES = [(ProgressStatus.NOT_ADDRESSED, "not addressed"), (ProgressStatus.ADDRESSED, "fully addressed"),
        (ProgressStatus.ADDRESSED, "has addressed"), (ProgressStatus.PARTLY_ADDRESSED, "progress")]


@pytest.fixture(scope="module")
def wessex():
    return {f.id: f for f in extract_facts(WESSEX).findings}


def prior(progress: str) -> Finding:
    return Finding("q1-prior-1", FindingKind.PRIOR_FINDING, "q1", "the force should ...", [1], 1, progress=progress)


@pytest.mark.parametrize(("sentence", "status"), [
    ("We found that the force has fully addressed this area for improvement.", ProgressStatus.ADDRESSED),
    ("The force has made limited progress against this area for improvement.", ProgressStatus.PARTLY_ADDRESSED),
    ("The force has not addressed this area for improvement, and made little progress.", ProgressStatus.NOT_ADDRESSED),
    ("The force told us about its plans.", None),
])
def test_the_progress_sentence_gives_the_status_by_the_first_cue_that_matches(sentence, status):
    assert _with_status(prior(sentence), CUES).progress_status is status


def test_wessex_2016_reports_progress_on_each_2015_finding(wessex):
    statuses = {fid: f.progress_status for fid, f in wessex.items() if f.kind is FindingKind.PRIOR_FINDING}
    assert statuses == {
        "q1-prior-1": ProgressStatus.ADDRESSED,          # "has fully addressed this area for improvement"
        "q2-prior-1": ProgressStatus.PARTLY_ADDRESSED,   # "has made limited progress"
        "q3-prior-1": ProgressStatus.PARTLY_ADDRESSED,   # "has made good progress against all three"
        "q3-prior-2": ProgressStatus.PARTLY_ADDRESSED,
        "q3-prior-3": ProgressStatus.PARTLY_ADDRESSED,
        "q4-prior-1": ProgressStatus.ADDRESSED,          # "has addressed this area for improvement"
    }
    assert wessex["q2-prior-1"].progress_passages == [367]


def test_an_area_for_improvement_raised_again_continues_the_previous_one(wessex):
    continuing = {fid: f.continues for fid, f in wessex.items() if f.continues}
    assert continuing == {"q2-afi-3": "q2-prior-1"}     # locating and arresting wanted persons, again
    assert "wanted persons" in wessex["q2-afi-3"].text


def test_a_report_without_previous_findings_continues_nothing():
    assert not [f for f in extract_facts(CAUSE_OF_CONCERN).findings if f.continues or f.progress_status]


# --------------------------------------------------------------------------- two years of one force in one store

WESSEX_2015 = REPORTS_DIR / "wessex-2015-effectiveness.txt"
ID = "https://w3id.org/peelkg/id/"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    """The fictional Wessex 2015 report and the 2016 report that follows it up, in one store."""
    return build_store([WESSEX_2015, WESSEX], tmp_path_factory.mktemp("history") / "store", reason=False).store_dir


def select(store: Path, text: str) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else t.value for t in row) for row in q.run_query(store, text).rows]


def test_the_2015_report_is_read_with_the_questions_of_its_own_cycle():
    facts = extract_facts(WESSEX_2015)
    assert facts.document.meta.inspection == "peel-2015-effectiveness"
    assert [q.id for q in facts.document.questions] == ["overall", "q1", "q2", "q3", "q4"]
    assert {j.question_id: j.grade.value for j in facts.judgments} == {
        "overall": "Good", "q1": "Good", "q2": "Good", "q3": "RequiresImprovement", "q4": "Good"}


def test_the_grades_the_2016_text_quotes_are_the_2015_reports_own_judgments(two_years):
    rows = select(two_years, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        SELECT ?j (COUNT(DISTINCT ?grade) AS ?grades) (COUNT(DISTINCT ?source) AS ?sources) WHERE {
          ?j peel:inReport <https://w3id.org/peelkg/id/report/peel-2015-effectiveness/wessex-constabulary> ;
             peel:grade ?grade ; peel:gradeSource ?source } GROUP BY ?j ORDER BY ?j""")
    assert [(j.removeprefix(ID + "judgment/peel-2015-effectiveness/wessex-constabulary/"), grades, sources)
            for j, grades, sources in rows] == [
        ("overall", "1", "2"), ("q1", "1", "1"), ("q2", "1", "2"), ("q3", "1", "2"), ("q4", "1", "1")]


def test_afi_history_follows_each_2015_area_for_improvement_into_2016(two_years):
    result = q.run_query(two_years, q.resolve_query_text("afi-history"))
    rows = [dict(zip(result.variables, ("" if t is None else t.value for t in row))) for row in result.rows]
    chain = [(r["earlierId"], r["previous"], r["status"], r["raisedAgain"]) for r in rows]
    assert chain == [
        ("q1-afi-1", "q1-prior-1", "addressed", ""),
        ("q2-afi-1", "q2-prior-1", "partly addressed", "q2-afi-3"),
        ("q3-afi-1", "q3-prior-1", "partly addressed", ""),
        ("q3-afi-2", "q3-prior-2", "partly addressed", ""),
        ("q3-afi-3", "q3-prior-3", "partly addressed", ""),
        ("q4-afi-1", "q4-prior-1", "addressed", ""),
    ]
    assert rows[1]["earlierText"].startswith("The force should improve the way it locates and arrests wanted persons")
    assert all(r["inspection"] == "peel-2016-effectiveness" and r["lines"] for r in rows)


def test_the_2015_answer_key_is_met():
    scores = evaluate(REPORTS_DIR / "wessex-2015-effectiveness.gold.yaml", links=False).scores
    for kind in ("judgments", "AFIs", "organisations", "places"):
        assert (scores[kind].precision, scores[kind].recall) == (1.0, 1.0), (kind, scores[kind].missed)


# --------------------------------------------------------------------------- the index follows them over the years

@dataclass
class Cell:
    text: str = ""
    links: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)     # the words of its progress markers
    quoted: list[str] = field(default_factory=list)       # the tooltips of its findings known only as quoted


class HistoryTables(HTMLParser):
    """The tables of one class (`css`: the findings over the years, by default) of each report section of an
    index page: section id ("" for the summary of the reports) -> [header row, body rows...], each row a list
    of cells."""

    def __init__(self, css: str = "history") -> None:
        super().__init__(convert_charrefs=True)
        self.css = css
        self.tables: dict[str, list[list[Cell]]] = {}
        self.section = ""
        self.rows: list[list[Cell]] | None = None
        self.cell: Cell | None = None
        self.status_depth = 0           # inside a progress marker: nesting depth of its spans

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id") or ""
        elif tag == "table" and attrs.get("class") == self.css:
            self.rows = self.tables.setdefault(self.section, [])
        elif self.rows is not None and tag == "tr":
            self.rows.append([])
        elif self.rows is not None and tag in ("th", "td"):
            self.cell = Cell()
            self.rows[-1].append(self.cell)
        elif self.cell is not None and tag == "a":
            self.cell.links.append(attrs["href"])
        elif self.cell is not None and tag == "span" and attrs.get("class") == "dot quoted":
            self.cell.quoted.append(attrs.get("title") or "")
        elif self.cell is not None and tag == "span" and (self.status_depth or attrs.get("class") == "progress"):
            if not self.status_depth:
                self.cell.statuses.append("")
            self.status_depth += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.rows = None
        elif tag in ("th", "td") and self.cell is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.cell.statuses = [s.strip(" ●◐○") for s in self.cell.statuses]
            self.cell = None
        elif tag == "span" and self.status_depth:
            self.status_depth -= 1

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.text += data
            if self.status_depth:
                self.cell.statuses[-1] += data


def history_tables(index: Path, css: str = "history") -> dict[str, list[list[Cell]]]:
    parser = HistoryTables(css)
    parser.feed(index.read_text(encoding="utf-8"))
    return parser.tables


WESSEX_2015_PAGES = "peel-2015-effectiveness/wessex-constabulary/findings/"
WESSEX_2016_PAGES = "peel-2016-effectiveness/wessex-constabulary/findings/"


@pytest.fixture(scope="module")
def two_years_index(two_years, tmp_path_factory) -> tuple[Path, dict[str, list[list[Cell]]]]:
    out = tmp_path_factory.mktemp("history-views")
    build_views(read_store(two_years), out, names=["overview"])
    return out, history_tables(out / "index.html")


def test_the_index_follows_each_2015_area_for_improvement_into_its_2016_column(two_years_index):
    out, tables = two_years_index
    header, *rows = tables["peel-2016-effectiveness/wessex-constabulary"]
    assert [c.text for c in header] == ["Question", "2015", "2016 (this report)"]
    followed = {row[1].links[0]: (row[0].text, row[2].statuses, row[2].links) for row in rows if row[1].links}
    assert followed == {
        WESSEX_2015_PAGES + "q1-afi-1.html": ("Q1", ["addressed"], []),
        WESSEX_2015_PAGES + "q2-afi-1.html": ("Q2", ["partly addressed"], [WESSEX_2016_PAGES + "q2-afi-3.html"]),
        WESSEX_2015_PAGES + "q3-afi-1.html": ("Q3", ["partly addressed"], []),
        WESSEX_2015_PAGES + "q3-afi-2.html": ("Q3", ["partly addressed"], []),
        WESSEX_2015_PAGES + "q3-afi-3.html": ("Q3", ["partly addressed"], []),
        WESSEX_2015_PAGES + "q4-afi-1.html": ("Q4", ["addressed"], []),
    }
    wanted = next(row for row in rows if row[1].links == [WESSEX_2015_PAGES + "q2-afi-1.html"])
    assert wanted[1].text.startswith("The force should improve the way it locates and arrests wanted persons")
    assert "The force has made limited progress against this area for improvement." in wanted[2].text
    assert "line 367" in wanted[2].text and "Raised again: The force should improve the way" in wanted[2].text
    links = {link for row in rows for cell in row for link in cell.links}
    assert all((out / link).is_file() for link in links)


def test_a_2016_finding_that_raises_nothing_again_is_a_chain_of_one(two_years_index, wessex):
    _, tables = two_years_index
    _, *rows = tables["peel-2016-effectiveness/wessex-constabulary"]
    alone = [row for row in rows if row[1].text == "–"]
    assert all(not row[2].statuses and len(row[2].links) == 1 for row in alone)
    new = {f"{WESSEX_2016_PAGES}{fid}.html" for fid, f in wessex.items()
           if f.kind in (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN) and not f.continues}
    assert {row[2].links[0] for row in alone} == new and len(new) == 5


def test_the_2015_section_shows_the_same_findings_with_the_2016_progress(two_years_index):
    _, tables = two_years_index
    header, *rows = tables["peel-2015-effectiveness/wessex-constabulary"]
    assert [c.text for c in header] == ["Question", "2015 (this report)", "2016"]
    assert [(row[1].links, row[2].statuses) for row in rows] == [
        ([WESSEX_2015_PAGES + f"{fid}.html"], [status]) for fid, status in (
            ("q1-afi-1", "addressed"), ("q2-afi-1", "partly addressed"), ("q3-afi-1", "partly addressed"),
            ("q3-afi-2", "partly addressed"), ("q3-afi-3", "partly addressed"), ("q4-afi-1", "addressed"))]


@pytest.fixture(scope="module")
def essex_index(bundled_store, tmp_path_factory) -> Path:
    """The index of the bundled Essex 2016 report alone, which quotes the 2015 report's grades and findings."""
    out = tmp_path_factory.mktemp("essex-views")
    build_views(read_store(bundled_store), out, names=["overview"])
    return out / "index.html"


def test_the_index_of_essex_alone_shows_the_2015_findings_its_2016_report_quotes(essex_index):
    header, *rows = history_tables(essex_index)["peel-2016-effectiveness/essex-police"]
    assert [c.text for c in header] == ["Question", "2015", "2016 (this report)"]
    quoted = [row for row in rows if row[1].text != "–"]
    assert [(row[0].text, row[2].statuses) for row in quoted] == [
        ("Q1", ["partly addressed"]), ("Q2", ["partly addressed"]), ("Q2", ["partly addressed"]),
        ("Q2", ["partly addressed"]), ("Q3", ["partly addressed"]), ("Q4", ["partly addressed"])]
    assert all(row[1].text.endswith("as the 2016 report words it") and not row[1].links for row in quoted)
    assert quoted[0][1].text.startswith("HMIC's 2015 effectiveness report identified four areas for improvement")
    assert "lines 306, 308" in quoted[0][2].text
    assert quoted[0][2].links == ["peel-2016-effectiveness/essex-police/findings/q1-afi-1.html"]   # raised again
    alone = [row for row in rows if row[1].text == "–"]
    assert len(alone) == 8 and all(len(row[2].links) == 1 and not row[2].statuses for row in alone)


# --------------------------------------------------------------------------- the earlier report's grades and findings

def grades(index: Path, section: str) -> dict[str, tuple[str, Cell]]:
    """A section's table of grades: question tag -> (the grade cell's text, the findings cell)."""
    _, *rows = history_tables(index, "grade-table")[section]
    return {row[0].text.split()[0]: (row[1].text, row[3]) for row in rows}


def summary(index: Path) -> dict[str, dict[str, str]]:
    """The table of reports: year -> column heading -> cell text."""
    header, *rows = history_tables(index, "summary sortable")[""]
    return {row[2].text: {h.text: c.text for h, c in zip(header, row)} for row in rows}


def test_essex_alone_shows_the_2015_grades_and_findings_as_the_2016_report_quotes_them(essex_index):
    table = grades(essex_index, "peel-2015-effectiveness/essex-police")
    assert {tag: text for tag, (text, _) in table.items()} == {
        "Overall": "Requires improvement as the 2016 report quotes it, line 168",
        "Q1": "", "Q2": "", "Q3": "Inadequate as the 2016 report quotes it, lines 577, 692", "Q4": ""}
    quoted = {tag: findings.quoted for tag, (_, findings) in table.items()}
    assert {tag: len(titles) for tag, titles in quoted.items()} == {"Overall": 0, "Q1": 1, "Q2": 3, "Q3": 1, "Q4": 1}
    assert quoted["Q1"][0].startswith("HMIC's 2015 effectiveness report identified four areas for improvement")
    assert quoted["Q1"][0].endswith("(as the 2016 report quotes it, lines 306, 308)")
    assert all(not findings.links and findings.text.endswith("quoted") for _, findings in list(table.values())[1:])
    reports = summary(essex_index)
    assert reports["2015"]["Overall grade"] == "Requires improvement as the 2016 report quotes it, line 168"
    assert reports["2015"]["Findings"] == "6 as a later report quotes them"
    assert (reports["2016"]["Overall grade"], reports["2016"]["Findings"]) == ("Good", "9")
    # the partners the 2016 text names are its own, not the 2015 report's it quotes
    assert (reports["2015"]["Partners"], reports["2016"]["Partners"]) == ("0", "15")


def test_the_wessex_2015_section_shows_its_own_grades_and_findings(two_years_index):
    out, _ = two_years_index
    table = grades(out / "index.html", "peel-2015-effectiveness/wessex-constabulary")
    assert {tag: text for tag, (text, _) in table.items()} == {
        "Overall": "Good", "Q1": "Good", "Q2": "Good", "Q3": "Requires improvement", "Q4": "Good"}
    assert all(not findings.quoted and all(link.startswith(WESSEX_2015_PAGES) for link in findings.links)
               for _, findings in table.values())
    assert sum(len(findings.links) for _, findings in table.values()) == 6
    reports = summary(out / "index.html")
    assert (reports["2015"]["Overall grade"], reports["2015"]["Findings"]) == ("Good", "6")
    assert (reports["2016"]["Overall grade"], reports["2016"]["Findings"]) == ("Good", "6")
