"""Read stage: decoding errors name the file; repairs run in a fixed order and keep the raw text."""

import pytest

from tests.paths import BAD_DIR

from peelkg.errors import ReportFormatError
from peelkg.loaders.read import read_report, read_text


def lines_of(text: str) -> list[str]:
    return read_text(text, "x.txt").lines


def test_superscript_markers_are_detached_before_unicode_normalisation():
    source = read_text("Overall judgment²\n¹⁴ THRIVE is a structured assessment.\n", "x.txt")
    assert source.lines[0] == "Overall judgment"  # not "judgment2", which NFKC would give
    assert [(r.number, r.line) for r in source.footnote_refs] == [(2, 1)]
    assert source.lines[1].strip().startswith("THRIVE is")
    assert source.raw_lines[0] == "Overall judgment²"


def test_latex_and_paired_markers():
    source = read_text("by outcome type ⁸,⁹\nfor the 12 months to 30 June 2016^{16}\n", "x.txt")
    assert [r.number for r in source.footnote_refs] == [8, 9, 16]
    assert source.lines == ["by outcome type", "for the 12 months to 30 June 2016"]


def test_ligatures_soft_hyphens_and_confusable_capitals():
    assert lines_of("eﬀective ﬁrearms\nsafe\u00adguarding\nΑnnex A – About the data\n") == [
        "effective firearms", "safeguarding", "Annex A – About the data"]


def test_hyphenation_breaks_are_repaired_against_the_reports_own_words():
    text = "an easyto-read format\neasy words\nfitfor-purpose\nfit for work\nantisocial behaviour\nanti-social behaviour\nanti-social\n"
    lines = lines_of(text)
    assert lines[0] == "an easy-to-read format"
    assert lines[2] == "fit-for-purpose"
    assert lines[4] == "anti-social behaviour"


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.txt", "the file is empty"),
        ("latin1.txt", "not valid UTF-8 at byte offset 53"),
        ("report.pdf.txt", "this is a PDF file"),
        ("binary.txt", "binary file"),
    ],
)
def test_unreadable_files_get_one_line_naming_the_file(name, message):
    path = BAD_DIR / name
    with pytest.raises(ReportFormatError) as error:
        read_report(path)
    assert str(path) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffPEEL: Police effectiveness 2016\n".encode("utf-8"))
    assert read_report(path).lines[0] == "PEEL: Police effectiveness 2016"
