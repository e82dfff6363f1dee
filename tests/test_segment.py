"""Segment stage: the template's questions in order and nested, passages with exact text and lines."""

import pytest

from tests.paths import BAD_DIR, ESSEX

from peelkg.errors import ReportFormatError
from peelkg.loaders.read import read_report
from peelkg.loaders.segment import segment
from peelkg.model import BlockKind, HeadingKind


@pytest.fixture(scope="module")
def essex():
    return segment(read_report(ESSEX))


def test_metadata(essex):
    meta = essex.meta
    assert (meta.title, meta.force_name, meta.issued, meta.isbn, meta.inspection) == (
        "PEEL: Police effectiveness 2016", "Essex Police", "2017-03", "978-1-78655-349-2", "peel-2016-effectiveness")


def test_every_question_in_order_and_nested(essex):
    core = [q for q in essex.questions if q.kind is HeadingKind.CORE]
    assert [q.id for q in core] == ["q1", "q2", "q3", "q4", "q5"]
    subs = [q.id for q in essex.questions if q.kind is HeadingKind.SUB]
    assert subs == ["q1.1", "q1.2", "q1.3", "q2.1", "q2.2", "q2.3", "q2.4", "q3.1", "q3.2", "q3.3", "q3.4", "q3.5",
                    "q4.1", "q4.2", "q4.3", "q5.1", "q5.2"]
    by_id = {q.id: q for q in essex.questions}
    assert by_id["q1.1"].text == "How much crime and anti-social behaviour is there in Essex?"
    assert by_id["q2.2.h1"].text == "Control room response" and by_id["q2.2.h1"].parent == "q2.2"
    assert by_id["q1.2.h1"].text == "Does Essex Police understand the risk posed to its communities?"
    assert [q.order for q in essex.questions] == list(range(len(essex.questions)))


def test_passages_keep_exact_text_and_lines(essex):
    lines = essex.source.raw_lines
    for block in essex.blocks:
        assert block.line_start <= block.line_end
        for part in block.text.split("\n"):
            assert part in lines[block.line_start - 1 : block.line_end]


def test_wrapped_bullets_are_one_passage(essex):
    bullet = next(b for b in essex.blocks if b.clean.startswith("- The force should include data"))
    assert (bullet.line_start, bullet.line_end) == (778, 782)
    assert bullet.clean.endswith("It should also consider developing a missing person problem profile.")


def test_footnotes_are_detached_and_linked_to_their_citation(essex):
    footnotes = essex.footnotes()
    assert footnotes[14].clean.startswith("THRIVE is a structured assessment")
    citing = [b for b in essex.blocks if 14 in b.footnote_refs]  # cited as plain digits: "THRIVE 14 approach"
    assert len(citing) == 1 and "THRIVE approach" in citing[0].clean


def test_paragraph_split_by_a_footnote_is_joined(essex):
    paragraph = next(b for b in essex.blocks if "there are good examples of" in b.clean and b.section == "overall")
    assert "partnership working, such as with local councils" in paragraph.clean
    assert paragraph.kind is BlockKind.PARAGRAPH


def test_page_numbers_are_not_passages(essex):
    assert not any(b.clean.isdigit() for b in essex.blocks)


def test_table_rows_are_passages(essex):
    rows = [b for b in essex.blocks if b.kind is BlockKind.TABLE_ROW and b.clean.startswith("1\tCharged/Summonsed")]
    assert len(rows) == 1


def test_text_that_is_not_a_report_is_refused():
    with pytest.raises(ReportFormatError, match="does not look like an inspection report"):
        segment(read_report(BAD_DIR / "not-a-report.txt"))


@pytest.mark.parametrize("name, missing", [("truncated.txt", [2, 3, 4, 5]), ("missing-section.txt", [4])])
def test_incomplete_reports_warn_once_per_missing_part(name, missing):
    document = segment(read_report(BAD_DIR / name))
    warned = [i.message for i in document.issues if "missing section" in i.message]
    assert [int(m.split("core question ")[1][0]) for m in warned] == missing


@pytest.mark.parametrize("fraction", [0.9, 0.97, 0.5])
def test_a_report_cut_short_gets_a_warning_with_the_line(tmp_path, fraction):
    data = ESSEX.read_bytes()
    path = tmp_path / ESSEX.name
    path.write_bytes(data[: int(len(data) * fraction)].rsplit(b" ", 1)[0])
    document = segment(read_report(path))
    cut = [issue for issue in document.issues if "stops mid-sentence" in issue.message]
    assert len(cut) == 1 and "passages after this line are missing" in cut[0].message
    assert cut[0].line == len(path.read_bytes().splitlines())


def test_a_whole_report_gets_no_cut_short_warning(essex):
    assert not [issue for issue in essex.issues if "mid-sentence" in issue.message]


def test_plain_digit_markers_ending_a_caption_are_cited_and_removed(essex):
    """'… by outcome type 12,13': the lost superscripts are the markers, not the '12' of '12 months'."""
    caption = next(b for b in essex.blocks if b.clean.startswith("Figure 4:"))
    assert caption.clean == ("Figure 4: Proportion of outcomes assigned to offences recorded in Essex Police, "
                             "in 12 months to 30 June 2016, by outcome type")
    assert caption.footnote_refs == [12, 13]
