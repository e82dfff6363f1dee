"""Reports read from PDF: the text of each report is laid out as the inspectorate's PDF (peelkg.bench.pdfmaker),
read back, and must give the graph its text gives, with every passage found at its lines in the extracted text.

The PDFs are made here, in temporary folders, never kept.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from tests.paths import CAUSE_OF_CONCERN, ESSEX, WESSEX

from peelkg.cli import main
from peelkg.errors import ReportFormatError
from peelkg.loaders.pdf import _join, page_count, pdf_text
from peelkg.loaders.read import read_report
from peelkg.pipeline import ReportBuild, link_facts, load_report
from peelkg.vocab import PEEL

pytest.importorskip("fpdf", reason="fpdf2 (the test extra) makes the PDFs")
from peelkg.bench.pdfmaker import FONTS, make_pdf  # noqa: E402

if not all(path.exists() for path in FONTS.values()):
    pytest.skip("the DejaVu fonts (Debian fonts-dejavu-core, installed by .ci/setup) are needed to make PDFs",
                allow_module_level=True)

REPORTS = {"essex": ESSEX, "wessex": WESSEX, "mercia": CAUSE_OF_CONCERN}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """Each report as a PDF, with its curated links beside it as they are beside the text."""
    folder = tmp_path_factory.mktemp("pdf")
    made = {}
    for name, text in REPORTS.items():
        made[name] = make_pdf(text.read_text(encoding="utf-8"), folder / f"{text.stem}.pdf")
        links = text.with_name(f"{text.stem}.links.yaml")
        if links.exists():
            shutil.copy(links, folder / links.name)
    return made


@pytest.fixture(scope="module")
def builds(pdfs) -> dict[str, tuple[ReportBuild, ReportBuild]]:
    return {name: (load_report(REPORTS[name]), load_report(pdfs[name])) for name in REPORTS}


def answers(built: ReportBuild) -> dict[str, list]:
    """What the answer keys check, without line numbers (the PDF's text is laid out anew)."""
    facts = built.facts
    links = link_facts(facts)
    return {
        "judgments": sorted((j.question_id, j.grade.value, j.source.value, j.year, j.previous) for j in facts.judgments),
        "findings": sorted((f.id, f.kind.value, f.question_id, f.text, f.parent or "", repr(f.ask)) for f in facts.findings),
        "questions": [(q.id, q.kind.value, q.label, q.text, q.parent, q.number) for q in facts.document.questions],
        "glossary": sorted((t.label, t.definition, t.footnote, sorted(t.alt_labels)) for t in facts.terms),
        "figure tables": sorted((s.id, s.indicator, s.value, s.unit, s.area.value, s.period, s.figure, s.outcome_number or "")
                                for s in facts.statistics if s.figure),
        "statistics": sorted((s.indicator, s.value, s.unit, s.area.value, s.period) for s in facts.statistics if not s.figure),
        "initiatives": sorted((i.slug, i.label, i.kind.value, sorted(i.alt_labels), sorted(i.question_ids),
                               sorted(i.partners), sorted(i.places), sorted(i.themes)) for i in facts.initiatives),
        "organisations": sorted((o.slug, o.label, o.kind.value) for o in facts.organisations),
        "links": sorted((link.initiative, link.target, [m.value for m in link.methods], link.above_threshold) for link in links),
        "scores": {(link.initiative, link.target): link.score for link in links},
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", list(REPORTS))
def test_a_report_read_from_pdf_gives_the_graph_its_text_gives(builds, name):
    from_text, from_pdf = (answers(built) for built in builds[name])
    for part in from_text:
        if part == "scores":
            # TF-IDF weights see every passage, and the annex's wrapped lines are joined in the PDF's text
            for pair, score in from_text[part].items():
                assert from_pdf[part][pair] == pytest.approx(score, abs=0.005), pair
        else:
            assert from_pdf[part] == from_text[part], part


@pytest.mark.slow
@pytest.mark.parametrize("name", list(REPORTS))
def test_every_passage_is_quoted_at_its_lines_of_the_extracted_text(builds, name):
    _, from_pdf = builds[name]
    graph = from_pdf.graphs[next(iri for iri in from_pdf.graphs if "/report/" in iri)]
    texts = list(graph.objects(URIRef(from_pdf.report_iri), PEEL.extractedText))
    assert len(texts) == 1
    lines = str(texts[0]).split("\n")
    passages = list(graph.subjects(PEEL.lineStart, None))
    assert len(passages) > 10
    for passage in passages:
        start, end = (graph.value(passage, p).toPython() for p in (PEEL.lineStart, PEEL.lineEnd))
        for part in str(graph.value(passage, PEEL.text)).split("\n"):
            assert part in lines[start - 1 : end], (passage, part)


def test_a_report_read_from_text_keeps_no_extracted_text(builds):
    from_text, _ = builds["mercia"]
    assert not any(True for graph in from_text.graphs.values() for _ in graph.triples((None, PEEL.extractedText, None)))


def test_the_page_layout_is_read_back(pdfs):
    text = pdf_text(pdfs["wessex"].read_bytes(), "wessex.pdf")
    lines = text.split("\n")
    assert "PEEL: Police effectiveness 2016" in lines                      # the title, once: the running footer is gone
    assert lines.count("PEEL: Police effectiveness 2016") == 1
    numbers = [line.strip() for line in WESSEX.read_text(encoding="utf-8").split("\n") if line.strip().isdigit()]
    assert [line for line in lines if line.strip().isdigit()] == numbers   # the footer's page numbers are gone
    assert any(line.startswith("The force uses the SARA⁶ model") for line in lines)   # a raised marker, superscript again
    assert any(line.startswith("⁶ ") for line in lines)                    # its footnote, from the foot of the page
    assert "Rates per 1,000 population\tWessex Constabulary\tEngland and Wales" in lines   # a table row, in columns
    assert "\tEvidential difficulties (victim supports police action)\t\t" in lines        # empty cells keep their tabs
    bullet = next(line for line in WESSEX.read_text(encoding="utf-8").split("\n") if line.startswith("- The force should ensure"))
    assert len(bullet) > 100 and bullet in lines                          # a bullet wrapped on the page is one line again
    heading = "How effectively does the force understand the threat or risk of harm within the communities it serves?"
    assert heading in lines                                                # a bold heading set on two lines
    assert lines[lines.index(heading) - 1] == "" and lines[lines.index(heading) + 1] == ""   # a block of its own


def test_a_line_broken_after_a_hyphen_is_joined_without_a_space():
    assert _join("tackling anti-", "social behaviour") == "tackling anti-social behaviour"
    assert _join("Pursue -", "prosecuting") == "Pursue - prosecuting"
    assert _join("a well-", "Established") == "a well- Established"


def test_ligatures_are_spelt_out(tmp_path):
    text = ESSEX.read_text(encoding="utf-8").replace("fi", "ﬁ").replace("ff", "ﬀ")
    pdf = make_pdf(text, tmp_path / "ligatures.pdf")
    extracted = pdf_text(pdf.read_bytes(), str(pdf))
    assert "ﬁ" not in extracted and "ﬀ" not in extracted
    assert "It understands the communities it serves and the threats they face." in extracted


def test_extraction_is_fast_enough_for_a_corpus(pdfs):
    """The bundled report, about 55 pages here: under 3 s for 60 pages, in CPU time (the machine may be shared)."""
    data = pdfs["essex"].read_bytes()
    pages = page_count(data)
    started = time.process_time()
    pdf_text(data, "essex.pdf")
    assert (time.process_time() - started) * 60 / pages < 3.0


def build(*args: str):
    return CliRunner().invoke(main, ["build", "--no-reason", "--jobs", "1", *args])


@pytest.mark.slow
def test_peelkg_builds_a_mix_of_pdf_and_text_reports(tmp_path, pdfs):
    result = build(str(pdfs["mercia"]), str(WESSEX), "--store", str(tmp_path / "store"))
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "store"), "--format", "csv",
                                       "SELECT ?source WHERE { ?r a <https://w3id.org/peelkg/ontology#Report> ; "
                                       "<http://purl.org/dc/terms/source> ?source } ORDER BY ?source"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["source", "mercia-2016-cause-of-concern.pdf", "wessex-2016-effectiveness.txt"]


def scanned_pdf(path: Path, text_pages: int = 0, scanned_pages: int = 1) -> Path:
    """Pages with nothing but a picture of text, as a scanner gives, after pages with text."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=11)
    for _ in range(text_pages):
        pdf.add_page()
        pdf.multi_cell(0, 14, "PEEL: Police effectiveness 2016\n\nAn inspection of Mercia Vale Police")
    for _ in range(scanned_pages):
        pdf.add_page()
        for row in range(40):
            pdf.rect(72, 72 + row * 16, 400 - (row % 5) * 30, 9, style="F")
    pdf.output(str(path))
    return path


def encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_encryption(owner_password="owner", user_password="reader")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 14, "PEEL: Police effectiveness 2016\n\nAn inspection of Mercia Vale Police")
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("make, problem", [
    (lambda folder: scanned_pdf(folder / "scanned.pdf"), "this PDF has no text layer"),
    (lambda folder: scanned_pdf(folder / "part-scanned.pdf", 1, 3), "3 of its 4 pages have no text layer (scanned?), pages 2-4"),
    (lambda folder: encrypted_pdf(folder / "locked.pdf"), "encrypted and needs a password"),
    (lambda folder: _write(folder / "cut.pdf", b"%PDF-1.7\n1 0 obj\n<<"), "this is a PDF file but it cannot be read"),
    (lambda folder: _write(folder / "page.pdf", b"<html>Not found</html>"), "not a PDF file"),
])
def test_unreadable_pdfs_fail_with_one_line_and_exit_2(tmp_path, make, problem):
    path = make(tmp_path)
    with pytest.raises(ReportFormatError) as error:
        read_report(path)
    assert str(path) in str(error.value) and problem in str(error.value) and "\n" not in str(error.value)
    result = build(str(path), "--store", str(tmp_path / "store"))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0]
    assert not (tmp_path / "store").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path

