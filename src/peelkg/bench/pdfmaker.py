"""Lay a report's text out as the inspectorate's PDF does (fpdf2, of the test extra): the PDFs that the
tests of the PDF reader and `peelkg bench` read back.

A4, one column, ragged right; headings in bold; footnote markers as small raised digits;
footnotes in small type at the foot of the page they are reached on, under a short rule;
a running footer with the report's title and the page number; tables in columns; the grade
graphics as shapes without text (so their grade words are lost, as in the text). Each block of
the text (lines between blank lines) is set as it stands: a blank line becomes paragraph space,
every line of a block starts a new printed line and wraps at the margin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}

PAGE_W, PAGE_H = 595.28, 841.89        # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 72.0, 72.0, 72.0, 72.0
BODY, HEADING, NOTE = 11.0, 12.5, 8.0  # type sizes
LEADING = 1.25                          # baseline to baseline, in ems
PARAGRAPH_SPACE = 7.0
SUPER_SCALE, SUPER_RAISE = 0.6, 0.35
BULLET_INDENT = 14.0

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_DIGIT = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}
MARKERS = re.compile(f"[{SUPERSCRIPTS}]+(?:,[{SUPERSCRIPTS}]+)*")
FOOTNOTE = re.compile(f"^[{SUPERSCRIPTS}]+ ")
BULLET = re.compile(r"^[-•−⁻–▪●] ")
GRADED = re.compile(r"^(Overall judgment|How effective (is|are) the force\b.*\?$)")


@dataclass
class Run:
    text: str
    superscript: bool = False


def runs(text: str) -> list[Run]:
    """The text cut into plain runs and footnote-marker runs (set small and raised)."""
    out, at = [], 0
    for match in MARKERS.finditer(text):
        if match.start() > at:
            out.append(Run(text[at : match.start()]))
        out.append(Run("".join(_DIGIT.get(c, c) for c in match.group()), True))
        at = match.end()
    if at < len(text):
        out.append(Run(text[at:]))
    return out


class ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(unit="pt", format="A4")
        self.running_title = title
        for style, path in FONTS.items():
            self.add_font("Sans", style, str(path))
        self.set_auto_page_break(False)
        self.set_margins(LEFT, TOP, RIGHT)
        self.y_pos = TOP
        self.notes: list[tuple[float, list[list[Run]]]] = []   # this page's footnotes: (size, wrapped lines)
        self.new_page()

    # ----------------------------------------------------------------- pages

    def new_page(self) -> None:
        if self.page:
            self.finish_page()
        self.add_page()
        self.y_pos = TOP
        self.notes = []

    def finish_page(self) -> None:
        """Footnotes at the foot (under a rule), then the running footer."""
        height = self.notes_height()
        if self.notes:
            y = PAGE_H - BOTTOM - height
            self.set_line_width(0.5)
            self.line(LEFT, y - 4, LEFT + 120, y - 4)
            for _, lines in self.notes:
                for line in lines:
                    y += NOTE * LEADING
                    self.draw(line, LEFT, y, NOTE, "")
        self.set_font("Sans", "", 8)
        self.text(LEFT, PAGE_H - 30, self.running_title)
        number = str(self.page)
        self.text(PAGE_W - RIGHT - self.get_string_width(number), PAGE_H - 30, number)

    def notes_height(self, extra: int = 0) -> float:
        lines = sum(len(lines) for _, lines in self.notes) + extra
        return lines * NOTE * LEADING + (8 if lines else 0)

    def room(self, height: float, notes: int = 0) -> bool:
        return self.y_pos + height <= PAGE_H - BOTTOM - self.notes_height(notes)

    # ----------------------------------------------------------------- text

    def width(self, run: Run, size: float, style: str) -> float:
        self.set_font("Sans", style, size * SUPER_SCALE if run.superscript else size)
        return self.get_string_width(run.text)

    def wrap(self, text: str, size: float, style: str, width: float) -> list[list[Run]]:
        """Break at spaces only, as a line breaker of a ragged-right column does."""
        words: list[list[Run]] = []
        for spelled in text.split(" "):
            words.append(runs(spelled))
        space = self.width(Run(" "), size, style)
        lines: list[list[Run]] = [[]]
        used = 0.0
        for word in words:
            w = sum(self.width(r, size, style) for r in word)
            if lines[-1] and used + space + w > width:
                lines.append([])
                used = 0.0
            if lines[-1]:
                lines[-1].append(Run(" "))
                used += space
            lines[-1].extend(word)
            used += w
        return lines

    def draw(self, line: list[Run], x: float, y: float, size: float, style: str) -> None:
        for run in line:
            self.set_font("Sans", style, size * SUPER_SCALE if run.superscript else size)
            self.text(x, y - (size * SUPER_RAISE if run.superscript else 0), run.text)
            x += self.get_string_width(run.text)

    def paragraph(self, text: str, size: float, style: str) -> None:
        indent = BULLET_INDENT if BULLET.match(text) else 0.0
        if indent:
            glyph, text = text[:1], text[2:]
        lines = self.wrap(text, size, style, PAGE_W - LEFT - RIGHT - indent)
        for index, line in enumerate(lines):
            if not self.room(size * LEADING):
                self.new_page()
            self.y_pos += size * LEADING
            if indent and index == 0:
                self.draw([Run(glyph)], LEFT, self.y_pos, size, style)
            self.draw(line, LEFT + indent, self.y_pos, size, style)

    def footnote(self, text: str) -> None:
        lines = self.wrap(text, NOTE, "", PAGE_W - LEFT - RIGHT)
        if not self.room(0, len(lines)):
            self.new_page()
        self.notes.append((NOTE, lines))

    def columns(self, rows: list[list[str]]) -> None:
        """Cells left-aligned in columns two ems apart; the type shrinks until the table fits the width."""
        size = BODY
        while True:
            gap = 2 * size
            widths = [max((self.width(Run(r[i]), size, "") for r in rows if i < len(r)), default=0.0)
                      for i in range(max(map(len, rows)))]
            if sum(widths) + gap * (len(widths) - 1) <= PAGE_W - LEFT - RIGHT or size <= 5:
                break
            size -= 0.5
        for row in rows:
            if not self.room(size * LEADING):
                self.new_page()
            self.y_pos += size * LEADING
            x = LEFT
            for cell, w in zip(row, widths):
                if cell.strip():
                    self.draw(runs(cell.strip()), x, self.y_pos, size, "")
                x += w + gap

    def grade_graphic(self) -> None:
        """The judgment as a coloured badge with no text in it: its grade word is lost to text extraction."""
        if not self.room(30):
            self.new_page()
        self.set_fill_color(0, 102, 153)
        self.rect(LEFT, self.y_pos + 6, 110, 20, style="F", round_corners=True)
        self.y_pos += 30

    def space(self) -> None:
        self.y_pos += PARAGRAPH_SPACE


def is_heading(block: list[str]) -> bool:
    if len(block) != 1:
        return False
    text = block[0].strip()
    return (len(text) <= 120 and text[:1].isupper() and not text.endswith((".", ",", ";", ":"))
            and "\t" not in text and not BULLET.match(text) and not FOOTNOTE.match(text))


def make_pdf(text: str, out: Path) -> Path:
    """Write the report `text` as a PDF at `out`."""
    lines = text.split("\n")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    title = next(line.strip() for line in lines if line.strip())
    pdf = ReportPDF(title)
    for block in (b for b in blocks if b):
        pdf.space()
        if any("\t" in line for line in block):
            pdf.columns([line.split("\t") for line in block])
            continue
        heading = is_heading(block)
        for line in block:
            text = line.strip()
            if FOOTNOTE.match(text):
                pdf.footnote(text)
            elif heading:
                pdf.paragraph(text, HEADING, "B")
            else:
                pdf.paragraph(text, BODY, "")
        if heading and GRADED.match(block[0].strip()):
            pdf.grade_graphic()
    pdf.finish_page()
    pdf.output(str(out))
    return out
