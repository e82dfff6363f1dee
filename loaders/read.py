"""Read stage: bytes -> lines, with PDF-to-text artefacts repaired in a fixed, tested order.

The exact lines are kept for provenance; the normalised lines (one for one) serve matching.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import yaml

from peelkg.errors import InputError, LimitExceeded, ReportFormatError
from peelkg.model import FootnoteRef, SourceText
from peelkg.resources import package_dir

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_DIGIT = {ord(c): str(i) for i, c in enumerate(SUPERSCRIPT_DIGITS)}
_SUP = f"[{SUPERSCRIPT_DIGITS}]+"
# A footnote's own number at the start of its line: "¹⁴ THRIVE is ..."
FOOTNOTE_START = re.compile(r"^\s*(" + _SUP + r")\s")
# Markers inside a line: superscript runs (also "⁸,⁹" pairs) and LaTeX-style "^{16}" / "^{*}".
INLINE_MARKER = re.compile(r"\s?(" + _SUP + r"(?:\s?,\s?" + _SUP + r")*)|\^\{(\d+|\*)\}")
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# Control characters that are neither line ends, tabs nor layout (see normalisation.yaml).
NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


@cache
def normalisation_rules() -> dict:
    with open(package_dir("peelkg.loaders") / "normalisation.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def superscript_to_int(text: str) -> int:
    return int(text.translate(_SUPER_TO_DIGIT))


def decode_report(data: bytes, path: str) -> str:
    """Decode UTF-8 (BOM allowed); refuse empty, PDF, binary and other encodings with a clear message."""
    if not data.strip():
        raise ReportFormatError(path, "the file is empty; expected the plain text of an inspection report")
    if data.startswith(b"%PDF"):
        raise ReportFormatError(path, "this is a PDF file; convert it to UTF-8 text first (e.g. pdftotext)")
    utf16 = _utf16(data)
    if utf16:
        raise ReportFormatError(path, f"this is {utf16} text, not UTF-8; convert it first (e.g. iconv -f UTF-16 -t UTF-8)")
    if b"\x00" in data[:4096]:
        raise ReportFormatError(path, "this is a binary file, not UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReportFormatError(
            path, f"not valid UTF-8 at byte offset {error.start} (byte 0x{data[error.start]:02x}); save the report as UTF-8"
        ) from error


def _utf16(data: bytes) -> str | None:
    """'UTF-16' when the bytes are UTF-16 text (by its byte order mark, or NULs in every other byte)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:4096]
    if len(head) >= 16 and len(head) % 2 == 0:
        for parity, name in ((1, "UTF-16LE"), (0, "UTF-16BE")):
            if head[parity::2].count(0) >= 0.9 * (len(head) // 2) and head[1 - parity::2].count(0) == 0:
                return f"{name} (no byte order mark)"
    return None


def check_text(text: str, path: str) -> None:
    """Refuse control characters that are not text (NUL, ESC, ...), naming the first one's line."""
    found = NOT_TEXT.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise ReportFormatError(path, f"control character U+{ord(found.group()):04X} is not text; is this the report?", line)


def remove_layout(line: str) -> str:
    """Page breaks and line separators inside a line become spaces; at either end they go."""
    layout = "".join(normalisation_rules()["layout"])
    if not any(char in line for char in layout):
        return line
    return line.strip(layout).translate({ord(char): " " for char in layout})


def detach_markers(line: str, line_number: int) -> tuple[str, list[FootnoteRef]]:
    """Remove footnote markers from a line (before any Unicode normalisation, which would fuse them)."""
    refs: list[FootnoteRef] = []
    start = FOOTNOTE_START.match(line)
    if start:  # a footnote's own number is not a reference
        line = line[: start.start(1)] + line[start.end(1) :]

    def drop(match: re.Match) -> str:
        if match.group(1):
            for part in re.split(r"\s?,\s?", match.group(1)):
                refs.append(FootnoteRef(superscript_to_int(part), line_number, match.start()))
        elif match.group(2) and match.group(2).isdigit():
            refs.append(FootnoteRef(int(match.group(2)), line_number, match.start()))
        return ""

    return INLINE_MARKER.sub(drop, line), refs


def repair_characters(line: str) -> str:
    rules = normalisation_rules()
    for ligature, letters in rules["ligatures"].items():
        line = line.replace(ligature, letters)
    for char in rules["removed"]:
        line = line.replace(char, "")
    line = unicodedata.normalize("NFKC", line)
    return line.translate(str.maketrans(rules["confusables"]))


def repair_hyphenation(lines: list[str]) -> list[str]:
    """Repair words a PDF line break glued together, judged against the report's own vocabulary."""
    glue = tuple(normalisation_rules()["hyphenation_glue_words"])
    vocabulary: set[str] = set()
    hyphenated: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for line in lines:
        for word in WORD.findall(line):
            lower = word.lower()
            counts[lower] += 1
            vocabulary.add(lower)
            if "-" in lower:
                hyphenated[lower.replace("-", "")] = lower
                vocabulary.update(lower.split("-"))

    def fix(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if "-" in word:  # "easyto-read": a glue word fused to the word before the hyphen
            head, _, tail = word.partition("-")
            for g in glue:
                stem = head[: -len(g)]
                if head.lower().endswith(g) and len(stem) >= 3 and stem.lower() in vocabulary:
                    return f"{stem}-{head[-len(g):]}-{tail}"
            return word
        if lower not in vocabulary or lower in hyphenated.values():
            return word
        joined = hyphenated.get(lower)
        if joined and counts[lower] < counts[joined]:
            return _match_case(word, joined)
        return word

    return [WORD.sub(fix, line) for line in lines]


def _match_case(original: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement


def read_text(text: str, path: str) -> SourceText:
    """Split text into exact lines and normalised lines (same count), collecting footnote markers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_text(text, path)
    raw_lines = [remove_layout(line) for line in text.split("\n")]
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    refs: list[FootnoteRef] = []
    detached: list[str] = []
    for number, raw in enumerate(raw_lines, start=1):
        line, found = detach_markers(raw, number)
        refs.extend(found)
        detached.append(repair_characters(line))
    return SourceText(path=path, raw_lines=raw_lines, lines=repair_hyphenation(detached), footnote_refs=refs)


MAX_REPORT_BYTES = 2_000_000
"""Largest report file read (12 times the bundled report; build time grows faster than size).
$PEELKG_MAX_REPORT_BYTES overrides it."""


PDF_SIZE_FACTOR = 10


def max_report_bytes() -> int:
    """The size limit for a report file: $PEELKG_MAX_REPORT_BYTES, else MAX_REPORT_BYTES."""
    value = os.environ.get("PEELKG_MAX_REPORT_BYTES", "").strip()
    if not value:
        return MAX_REPORT_BYTES
    if not value.isdigit() or int(value) < 1:
        raise InputError(f"PEELKG_MAX_REPORT_BYTES={value!r}: give a whole number of bytes, 1 or more")
    return int(value)


def read_report(path: Path | str) -> SourceText:
    """Read a report file (UTF-8 text, or a PDF by its name or its first bytes); unreadable ones raise
    ReportFormatError naming the file.

    Only regular files are read (a FIFO would hang, /dev/zero never end), and at most
    `max_report_bytes()` of text, or PDF_SIZE_FACTOR times that of a PDF (its fonts, drawings and
    compressed streams take many bytes per character of text).
    """
    path = Path(path)
    limit = max_report_bytes()
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ReportFormatError(str(path), "is a directory, not a report file")
        if not stat.S_ISREG(mode):
            raise ReportFormatError(str(path), "is not a regular file (a pipe, device or socket); save the report to a file")
        with path.open("rb") as handle:
            is_pdf = path.suffix.lower() == ".pdf" or handle.read(5) == b"%PDF-"
            limit *= PDF_SIZE_FACTOR if is_pdf else 1
            handle.seek(0)
            data = handle.read(limit + 1)
    except FileNotFoundError as error:
        raise ReportFormatError(str(path), "no such file") from error
    except IsADirectoryError as error:
        raise ReportFormatError(str(path), "is a directory, not a report file") from error
    except PermissionError as error:
        raise ReportFormatError(str(path), "cannot be read (permission denied)") from error
    if len(data) > limit:
        raise LimitExceeded(f"{path}: larger than {limit:,} bytes, far beyond any inspection report; "
                            f"if it really is one, raise PEELKG_MAX_REPORT_BYTES")
    if is_pdf:
        from peelkg.loaders.pdf import read_pdf

        return read_pdf(data, str(path))
    return read_text(decode_report(data, str(path)), str(path))
