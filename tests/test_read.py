"""Read stage: decoding errors name the file; repairs run in a fixed order and keep the raw text."""

import os

import pytest

from tests.paths import BAD_DIR, ESSEX

from peelkg.errors import InputError, LimitExceeded, ReportFormatError
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


# --------------------------------------------------------------------------- layout and control characters


@pytest.mark.parametrize("char", ["\f", "\v", "\x85", "\u2028", "\u2029"])
def test_page_breaks_and_line_separators_are_layout(char):
    source = read_text(f"{char}Page two starts here\nfirst{char}second{char}\nthird\n", "x.txt")
    assert source.raw_lines == ["Page two starts here", "first second", "third"]
    assert source.lines == source.raw_lines


@pytest.mark.parametrize("char, line", [("\x00", 3), ("\x1b", 3), ("\x7f", 3), ("\x9b", 3), ("\x1e", 3)])
def test_control_characters_that_are_not_text_are_refused_naming_the_line(char, line):
    text = "Essex Police\n" + "x" * 5000 + "\n" + f"the force{char} is good\n"
    with pytest.raises(ReportFormatError, match=rf"^r\.txt:{line}: control character U\+{ord(char):04X} is not text"):
        read_text(text, "r.txt")


def test_a_nul_byte_past_the_first_4_kib_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "late-nul.txt"
    path.write_bytes(b"PEEL\n" + b"a" * 5000 + b"\nfine\nbad\x00here\n")
    with pytest.raises(ReportFormatError, match=r"late-nul\.txt:4: control character U\+0000"):
        read_report(path)


@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_utf16_is_named_not_called_binary(tmp_path, encoding, name):
    path = tmp_path / "wide.txt"
    path.write_bytes("PEEL: Police effectiveness 2016\nAn inspection of Essex Police\n".encode(encoding))
    with pytest.raises(ReportFormatError, match=rf"wide\.txt: this is {name}.* text, not UTF-8; convert it") as error:
        read_report(path)
    assert "binary" not in str(error.value)


# --------------------------------------------------------------------------- what is read at all


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    with pytest.raises(ReportFormatError, match=r"report\.txt: is not a regular file \(a pipe, device or socket\)"):
        read_report(fifo)


def test_a_device_is_refused():
    with pytest.raises(ReportFormatError, match=r"/dev/zero: is not a regular file"):
        read_report("/dev/zero")


def test_text_far_beyond_any_report_is_refused_and_the_limit_can_be_raised(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    path.write_bytes(ESSEX.read_bytes() * 13)
    with pytest.raises(LimitExceeded, match=r"huge\.txt: larger than 2,000,000 bytes, .*raise PEELKG_MAX_REPORT_BYTES"):
        read_report(path)
    monkeypatch.setenv("PEELKG_MAX_REPORT_BYTES", "100")
    with pytest.raises(LimitExceeded, match="larger than 100 bytes"):
        read_report(ESSEX)
    monkeypatch.setenv("PEELKG_MAX_REPORT_BYTES", str(len(ESSEX.read_bytes())))
    assert read_report(ESSEX).lines
    monkeypatch.setenv("PEELKG_MAX_REPORT_BYTES", "lots")
    with pytest.raises(InputError, match="PEELKG_MAX_REPORT_BYTES='lots'"):
        read_report(ESSEX)


def test_the_build_command_refuses_a_fifo_and_a_huge_file_with_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from peelkg.cli import main

    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    result = CliRunner().invoke(main, ["build", str(fifo), "--store", str(tmp_path / "store"), "--jobs", "1"])
    assert result.exit_code == 2 and "is not a regular file" in result.stderr and len(result.stderr.splitlines()) == 1
    monkeypatch.setenv("PEELKG_MAX_REPORT_BYTES", "1000")
    result = CliRunner().invoke(main, ["build", str(ESSEX), "--store", str(tmp_path / "store"), "--jobs", "1"])
    assert result.exit_code == 3 and "larger than 1,000 bytes" in result.stderr and len(result.stderr.splitlines()) == 1
