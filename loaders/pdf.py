"""Read stage for PDF reports: the characters of each page -> the plain text the segmenter reads.

PDFium (through pypdfium2) gives every character with its font, size and box; the layout of an
inspection report (A4, one column) is read back from these alone, with no external program:

- running headers and footers (running titles, page numbers) sit in the top and bottom bands
  of the page and are dropped;
- footnote markers are set smaller and raised: they become superscript digits ("report⁷");
- footnotes are the small type at the foot of a page, each opening with its raised number:
  they become lines "⁷ text", placed after the paragraph that was open at the end of the page;
- a line break where the next line's first word would have fitted is a hard break, any other
  is a wrap and is joined; a paragraph ends at a wider gap or a change of font (a bold heading);
  a bullet glyph or a table row starts a line of its own; a paragraph cut by a page break is
  joined with its continuation;
- the cells of a table row, far apart on one line, are separated by tabs, one per column;
- ligature glyphs are spelt out.

The text has one line per paragraph, heading, bullet or table row and a blank line between
blocks, which is the layout the segmenter reads; its line numbers are the ones the passages
of the graph give, so the text is kept with the report's graph (`peel:extractedText`).
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field

from peelkg.errors import ReportFormatError, first_line
from peelkg.loaders.read import SUPERSCRIPT_DIGITS, normalisation_rules, read_text
from peelkg.model import SourceText

# Bands of the page (fractions of its height) holding running headers and footers.
HEADER_BAND = 0.05
FOOTER_BAND = 0.065
# A character this much smaller than its line's type, with its foot raised, is a superscript.
SUPERSCRIPT_SCALE = 0.8
# Type this much smaller than the body's is footnote type.
FOOTNOTE_SCALE = 0.92
# Gaps between characters, in ems of the line's type: a word space, a table column.
WORD_GAP = 0.15
CELL_GAP = 1.5
# Baseline to baseline, in ems: more than this between two lines is a paragraph break.
PARAGRAPH_PITCH = 1.5
# Share of body lines ending left of the right margin as it is estimated.
RIGHT_EDGE_QUANTILE = 0.9
# A space a line breaker would have needed before the next word, in ems (small: in doubt, a wrap).
BREAK_SPACE = 0.2
# Share of the column a line must fill to run on over a page break.
FULL_LINE = 0.75
# A line ending with these, before a line opening with a capital, ends its paragraph at a page break.
SENTENCE_ENDS = tuple(".?!:;\"')]”’")
# Font weight from which type counts as bold (400 is regular, 700 bold).
BOLD_WEIGHT = 600
# Glyphs that open a bullet point; private-use bullets of symbol fonts are read as "•".
BULLETS = "•●▪–-−⁻"
SYMBOL_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf02d": "-"}
_SUPERSCRIPT = {str(digit): char for digit, char in enumerate(SUPERSCRIPT_DIGITS)}
_OPENS_FOOTNOTE = re.compile(f"^[{SUPERSCRIPT_DIGITS}]+ ")


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    base: float          # the baseline, from the top of the page
    size: float
    bold: bool
    superscript: bool = False


@dataclass
class Line:
    """One printed line: its glyphs left to right, its type (size, weight) and the text read from it."""

    glyphs: list[Glyph]
    page: int
    size: float = 0.0
    bold: bool = False
    cells: list[str] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)   # each cell's left and right edge

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def base(self) -> float:
        return next(g.base for g in self.glyphs if not g.superscript)

    @property
    def text(self) -> str:
        return "\t".join(self.cells)

    @property
    def is_table_row(self) -> bool:
        return len(self.cells) > 1

    def first_word_width(self) -> float:
        """Width of the line's first word: what a line breaker would have tried to fit on the line before."""
        glyphs = self.glyphs
        end = 0
        while end + 1 < len(glyphs) and glyphs[end + 1].x0 - glyphs[end].x1 <= WORD_GAP * self.size:
            end += 1
        return glyphs[end].x1 - glyphs[0].x0


def read_pdf(data: bytes, path: str) -> SourceText:
    """A PDF report as lines, like a text report's: numbered lines of the text extracted from it."""
    source = read_text(pdf_text(data, path), path)
    source.extracted = True
    return source


def pdf_text(data: bytes, path: str) -> str:
    """The text of a PDF report, laid out as the segmenter reads it; a one-line error for anything unreadable."""
    pages = _page_glyphs(data, path)
    blank = [number for number, glyphs in enumerate(pages, start=1) if not glyphs]
    if len(blank) == len(pages):
        raise ReportFormatError(path, "this PDF has no text layer (a scanned document?); run it through OCR first")
    if len(blank) * 2 > len(pages):   # a picture or two is a report's; most pages without text are a scan's
        raise ReportFormatError(path, f"{len(blank)} of its {len(pages)} pages have no text layer (scanned?), "
                                      f"pages {_ranges(blank)}; run it through OCR first")
    lines = [line for number, glyphs in enumerate(pages) for line in _lines(glyphs, number)]
    return _Layout(lines).text()


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def page_count(data: bytes) -> int:
    """Pages of a PDF (for figures per page)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def _page_glyphs(data: bytes, path: str) -> list[list[Glyph]]:
    """Every upright, visible character of every page, the header and footer bands left out.

    PDFium (pypdfium2) gives each character with its box, its origin on the baseline, its size
    and its font's weight, fast enough for a corpus (about a second of CPU for 60 pages).
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if b"%PDF" not in data[:1024]:
        raise ReportFormatError(path, "not a PDF file (no %PDF header); give the report as PDF or as UTF-8 text")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ReportFormatError(path, "this PDF is encrypted and needs a password; save an unprotected copy") from error
        raise ReportFormatError(path, f"this is a PDF file but it cannot be read ({first_line(error)}); is it complete?") from error
    ligatures = normalisation_rules()["ligatures"]
    x, y, box = ctypes.c_double(), ctypes.c_double(), raw.FS_RECTF()
    x_ref, y_ref, box_ref = ctypes.byref(x), ctypes.byref(y), ctypes.byref(box)
    pages: list[list[Glyph]] = []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            handle = textpage.raw
            height = page.get_height()
            low, high = height * HEADER_BAND, height * (1 - FOOTER_BAND)
            glyphs: list[Glyph] = []
            count = textpage.count_chars()
            chars = textpage.get_text_range(0, count) if count else ""
            if len(chars) != count:   # a character outside the BMP: ask for each one
                chars = "".join(chr(raw.FPDFText_GetUnicode(handle, k) or 32) for k in range(count))
            for k, text in enumerate(chars):
                if text.isspace() or raw.FPDFText_GetCharAngle(handle, k) not in (0.0, -1.0):
                    continue
                raw.FPDFText_GetLooseCharBox(handle, k, box_ref)
                top, bottom = height - box.top, height - box.bottom
                if top < low or bottom > high:
                    continue
                raw.FPDFText_GetCharOrigin(handle, k, x_ref, y_ref)
                text = SYMBOL_BULLETS.get(text, ligatures.get(text, text))
                size = round(raw.FPDFText_GetFontSize(handle, k), 1)
                bold = raw.FPDFText_GetFontWeight(handle, k) >= BOLD_WEIGHT
                glyphs.append(Glyph(text, box.left, box.right, top, height - y.value, size, bold))
            textpage.close()
            page.close()
            pages.append(glyphs)
    finally:
        document.close()
    return pages


# --------------------------------------------------------------------------- lines of a page


def _lines(glyphs: list[Glyph], page: int) -> list[Line]:
    """Glyphs sharing a baseline make a row; a row of small raised glyphs joins the line below as superscripts."""
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (g.base, g.x0)):
        if rows and abs(glyph.base - rows[-1][0].base) <= 1.0:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    lines: list[list[Glyph]] = []
    for index, row in enumerate(rows):
        carrier = _carrier(row, rows[index + 1 : index + 3])
        if carrier is not None:
            for glyph in row:
                glyph.superscript = True
            carrier.extend(row)
        else:
            lines.append(row)
    return [_line(row, page) for row in lines if any(not g.superscript for g in row)]


def _carrier(row: list[Glyph], below: list[list[Glyph]]) -> list[Glyph] | None:
    """The row below that this row's glyphs are superscripts of: larger type, its box reaching up past their baseline."""
    size = max(g.size for g in row)
    base = row[0].base
    for candidate in below:
        main = _main_size(candidate)
        top = min(g.top for g in candidate)
        if size < SUPERSCRIPT_SCALE * main and top < base < candidate[0].base - 0.2 * main:
            return candidate
    return None


def _main_size(glyphs: list[Glyph]) -> float:
    return Counter(g.size for g in glyphs).most_common(1)[0][0]


def _line(glyphs: list[Glyph], page: int) -> Line:
    glyphs.sort(key=lambda g: g.x0)
    body = [g for g in glyphs if not g.superscript]
    line = Line(glyphs, page, size=_main_size(body), bold=sum(g.bold for g in body) * 2 > len(body))
    text, previous, start = "", None, glyphs[0].x0
    for glyph in glyphs:
        char = _SUPERSCRIPT.get(glyph.text, glyph.text) if glyph.superscript else glyph.text
        if previous is not None:
            gap = glyph.x0 - previous.x1
            if gap > CELL_GAP * line.size:
                line.cells.append(text)
                line.spans.append((start, previous.x1))
                text, start = "", glyph.x0
            elif gap > WORD_GAP * line.size:
                text += " "
        text += char
        previous = glyph
    line.cells.append(text)
    line.spans.append((start, glyphs[-1].x1))
    return line


# --------------------------------------------------------------------------- the page flow


class _Layout:
    """The lines of every page, read as blocks of body text with the footnotes set apart."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.body_size = Counter(g.size for line in lines for g in line.glyphs if not g.superscript).most_common(1)[0][0]
        # The right margin, as far as the lines show it: most body lines that wrapped end near it; a few
        # (an unbreakable address) run past it. In doubt it is placed early, which reads a break as a wrap.
        plain = sorted(line.x1 for line in lines if not line.is_table_row and line.size == self.body_size)
        self.right = plain[int(len(plain) * RIGHT_EDGE_QUANTILE)] if plain else max(line.x1 for line in lines)
        self.left = min(line.x0 for line in lines)

    def text(self) -> str:
        body, footnotes = self._split_footnotes()
        _align_tables(body)
        out: list[str] = []           # output lines; "" between blocks
        pending: list[str] = []       # footnotes waiting for the open paragraph to end
        previous: Line | None = None
        for line in body:
            if previous is not None and line.page != previous.page:
                pending.extend(footnotes.pop(previous.page, []))
            joint = self._joint(previous, line)
            if joint == "block":
                self._flush(out, pending)
                out.append("")
            if joint == "wrap":
                out[-1] = _join(out[-1], line.text)
            else:
                out.append(line.text)
            previous = line
        if previous is not None:
            pending.extend(footnotes.pop(previous.page, []))
        for page in sorted(footnotes):
            pending.extend(footnotes[page])
        self._flush(out, pending)
        while out and out[0] == "":
            out.pop(0)
        return "\n".join(out).rstrip("\n") + "\n"

    @staticmethod
    def _flush(out: list[str], pending: list[str]) -> None:
        for note in pending:
            out.extend(["", note])
        pending.clear()

    def _joint(self, previous: Line | None, line: Line) -> str:
        """How `line` follows `previous`: 'wrap' (same line of text), 'line' (new line, same block) or 'block'."""
        if previous is None:
            return "line"
        if (previous.bold, previous.size) != (line.bold, line.size):
            return "block"
        if line.page == previous.page and line.base - previous.base > PARAGRAPH_PITCH * max(line.size, previous.size):
            return "block"
        if line.is_table_row or previous.is_table_row or _opens_bullet(line.text):
            return "line" if line.page == previous.page else "block"
        if line.page != previous.page:
            return "wrap" if self._continues(previous, line) else "block"
        if previous.x1 + BREAK_SPACE * line.size + line.first_word_width() > self.right:
            return "wrap"
        return "line"

    def _continues(self, previous: Line, line: Line) -> bool:
        """A page break in the middle of a paragraph: the last line was full (most of the column, the
        next word would not have fitted, the margin not overrun) and it did not end a sentence before a capital."""
        full = (previous.x1 - self.left > FULL_LINE * (self.right - self.left)
                and self.right < previous.x1 + BREAK_SPACE * line.size + line.first_word_width())
        overrun = previous.x1 > self.right + 2 * line.size
        sentence_ends = previous.text.rstrip().endswith(SENTENCE_ENDS) and line.text[:1].isupper()
        return full and not overrun and not sentence_ends

    def _split_footnotes(self) -> tuple[list[Line], dict[int, list[str]]]:
        """Body lines, and each page's footnotes: the run of small type at its foot, from a line opening with a raised number."""
        body: list[Line] = []
        footnotes: dict[int, list[str]] = {}
        by_page: dict[int, list[Line]] = {}
        for line in self.lines:
            by_page.setdefault(line.page, []).append(line)
        for page, lines in by_page.items():
            start = len(lines)
            while start > 0 and lines[start - 1].size < FOOTNOTE_SCALE * self.body_size and not lines[start - 1].is_table_row:
                start -= 1
            while start < len(lines) and not _OPENS_FOOTNOTE.match(lines[start].text):
                start += 1
            body.extend(lines[:start])
            notes: list[str] = []
            previous: Line | None = None
            for line in lines[start:]:
                if _OPENS_FOOTNOTE.match(line.text) or previous is None:
                    notes.append(line.text)
                elif self._joint(previous, line) == "wrap":
                    notes[-1] = _join(notes[-1], line.text)
                else:
                    notes[-1] += "\n" + line.text
                previous = line
            if notes:
                footnotes[page] = notes
        return body, footnotes


def _align_tables(lines: list[Line]) -> None:
    """Put the cells of each run of table rows in their columns: an empty cell keeps its tab."""
    run: list[Line] = []
    for index, line in enumerate([*lines, None]):
        if line is not None and (line.is_table_row or _inside_table(lines, index)) and (not run or line.page == run[-1].page):
            run.append(line)
            continue
        if run:
            columns = _columns([span for row in run for span in row.spans])
            for row in run:
                cells = [""] * len(columns)
                for text, (x0, _) in zip(row.cells, row.spans):
                    column = next(i for i, (left, right) in enumerate(columns) if left <= x0 <= right)
                    cells[column] = f"{cells[column]} {text}".strip()
                row.cells = cells
        run = [line] if line is not None and line.is_table_row else []


def _inside_table(lines: list[Line], index: int) -> bool:
    """A line of one cell between two table rows of its type (a group label, a row of empty figures) is a row too."""
    if index == 0 or index + 1 >= len(lines):
        return False
    before, line, after = lines[index - 1], lines[index], lines[index + 1]
    return (before.is_table_row and after.is_table_row and before.page == line.page == after.page
            and before.size == line.size == after.size)


def _columns(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The columns of a table: the cells' spans merged where they overlap."""
    columns: list[tuple[float, float]] = []
    for x0, x1 in sorted(spans):
        if columns and x0 <= columns[-1][1]:
            columns[-1] = (columns[-1][0], max(columns[-1][1], x1))
        else:
            columns.append((x0, x1))
    return columns


def _opens_bullet(text: str) -> bool:
    return len(text) > 1 and text[0] in BULLETS and text[1] == " "


def _join(text: str, more: str) -> str:
    """A wrapped line joined to the one before: with a space, or none after a word broken at its hyphen."""
    if len(text) > 1 and text.endswith("-") and text[-2].isalpha() and more[:1].islower():
        return text + more
    return text + " " + more
