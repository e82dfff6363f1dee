"""Segment stage: lines -> a document tree (metadata, headings, questions, passages).

The template's headings come from the heading catalogue (template-*.yaml), never from
regexes scattered here; this module only knows the layout rules of PDF-to-text output:
blank lines separate blocks, footnotes start with a superscript number, bullets with a
dash or dot, table rows carry tabs, page numbers stand alone on a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from peelkg.errors import ReportFormatError
from peelkg.loaders.read import FOOTNOTE_START, superscript_to_int
from peelkg.model import (
    AssessedAreas,
    Block,
    BlockKind,
    Document,
    FootnoteRef,
    Heading,
    HeadingKind,
    Issue,
    Question,
    ReportMeta,
    Severity,
    SourceText,
)
from peelkg.resources import package_dir

MONTHS = "January February March April May June July August September October November December".split()
BULLET_START = re.compile(r"^\s*(?:[-•−⁻–▪●]|\d+\.)\s+")
ARTEFACT_LINE = re.compile(r"^\s*(?:\d{1,3}|[-_–]|\d{1,3}\s*[-–]?)\s*$")
TERMINAL = tuple(".?!:;\"')]”’")
HEADING_MAX_LENGTH = 120
BROKEN_PARAGRAPH_MIN_LENGTH = 100
# Several markers that lost their superscript, ending a passage: "… by outcome type 12,13".
TRAILING_MARKERS = re.compile(r"(?<=[A-Za-z)*]) (\d{1,3}(?:,\d{1,3})+)$")
URL_LINE = re.compile(r"^\s*(?:<u>|\$\\underline\{)?(?:https?://|www\.)")


@dataclass(frozen=True)
class Template:
    """A heading catalogue, made concrete for one report (year, force and area filled in)."""

    data: dict
    year: int
    force: str
    area: str

    def fill(self, text: str) -> str:
        return text.format(year=self.year, previous_year=self.year - 1, force=self.force, area=self.area)

    @property
    def inspection(self) -> str:
        return self.fill(self.data["inspection"])

    @property
    def previous_inspection(self) -> str:
        return self.fill(self.data["previous_inspection"])

    def section_names(self, kind: str) -> list[str]:
        return self.data["section_headings"][kind]


def key(text: str) -> str:
    """Matching key: lower case, one space between words, no trailing grade-free punctuation differences."""
    text = text.replace("’", "'").replace("‘", "'").replace("—", "–")
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def template_files() -> tuple[Path, ...]:
    return tuple(sorted(package_dir("peelkg.loaders").glob("template-*.yaml")))


@cache
def _load_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def core_headings(data: dict) -> dict[str, int]:
    """Matching keys of the lines that open a core question's section -> its number: the question's wording,
    and the topic a cycle prints over the section instead (2017: 'Specialist capabilities')."""
    headings = {}
    for question in data["core_questions"]:
        for text in (question["text"], question.get("heading", question["text"])):
            headings[key(text)] = question["number"]
    return headings


def title_pattern(data: dict) -> re.Pattern:
    return re.compile("^" + re.escape(key(data["title"])).replace(r"\{year\}", r"(?P<year>\d{4})") + "$")


def template_data(title: str) -> dict | None:
    """The heading catalogue of a report with this title line: of those whose title matches, the one
    made for the report's year (the cycle), else the first."""
    matching = [(data, match) for data in map(_load_yaml, template_files())
                if (match := title_pattern(data).match(key(title)))]
    for data, match in matching:
        if int(match.group("year")) in data.get("years", []):
            return data
    return matching[0][0] if matching else None


def find_metadata(source: SourceText) -> tuple[dict, ReportMeta]:
    """Read title, force, month of publication and ISBN from the front page; pick the template."""
    head = [(n, line.strip()) for n, line in enumerate(source.lines[:40], start=1) if line.strip()]
    for index, (number, text) in enumerate(head):
        data = template_data(text)
        if data is not None:
            title = title_pattern(data).match(key(text))
            assert title is not None   # template_data matched this title
            year = int(title.group("year"))
            subtitle_prefix = key(data["subtitle"]).split("{force}")[0]
            force_line = next(((n, t) for n, t in head[index + 1 : index + 4] if key(t).startswith(subtitle_prefix)), None)
            if force_line is None:
                raise ReportFormatError(source.path, f"no '{data['subtitle'].format(force='<force>')}' line after the title", number)
            force = force_line[1][len(subtitle_prefix) :].strip()
            issued, issued_label, lines = "", "", [number, force_line[0]]
            for n, t in head:
                month = re.fullmatch(rf"({'|'.join(MONTHS)}) (\d{{4}})", t)
                if month:
                    issued_label = t
                    issued = f"{month.group(2)}-{MONTHS.index(month.group(1)) + 1:02d}"
                    lines.append(n)
                    break
            isbn = None
            for n, t in head:
                found = re.match(r"ISBN:?\s*([\d-]{10,17}[\dX])", t)
                if found:
                    isbn = found.group(1)
                    lines.append(n)
                    break
            meta = ReportMeta(
                title=text,
                force_name=force,
                inspection=data["inspection"].format(year=year),
                year=year,
                issued=issued,
                issued_label=issued_label,
                isbn=isbn,
                publisher=data["publisher"],
                subtitle=force_line[1],
                lines=sorted(lines),
            )
            return data, meta
    raise ReportFormatError(
        source.path,
        "does not look like an inspection report: no title line such as 'PEEL: Police effectiveness 2016' on its first page",
    )


def force_area(force: str) -> str:
    """'Essex Police' -> 'Essex'; 'Wessex Constabulary' -> 'Wessex'."""
    return re.sub(r"\s+(Police|Constabulary|Police Service)$", "", force).strip()


# --------------------------------------------------------------------------- blocks


def _groups(source: SourceText, skip: set[int]) -> list[list[int]]:
    """Runs of consecutive non-blank lines (0-based indexes), artefact lines treated as blank."""
    groups: list[list[int]] = []
    current: list[int] = []
    for index, line in enumerate(source.lines):
        if index in skip or not line.strip() or ARTEFACT_LINE.match(line):
            if current:
                groups.append(current)
                current = []
            continue
        current.append(index)
    if current:
        groups.append(current)
    return groups


def _line_kind(raw: str, clean: str) -> BlockKind:
    if FOOTNOTE_START.match(raw):
        return BlockKind.FOOTNOTE
    if BULLET_START.match(clean):
        return BlockKind.BULLET
    if "\t" in clean.strip(" "):
        return BlockKind.TABLE_ROW
    stripped = clean.strip()
    if URL_LINE.match(stripped):
        return BlockKind.NOTE
    if re.match(r"^Figure \d+:", stripped):
        return BlockKind.CAPTION
    if re.match(r"^(Source:|For further information|Note:|\*)", stripped) or raw.lstrip().startswith(("^{*}", "*")):
        return BlockKind.NOTE
    return BlockKind.PARAGRAPH


def _split_group(source: SourceText, group: list[int]) -> list[tuple[BlockKind, list[int]]]:
    parts: list[tuple[BlockKind, list[int]]] = []
    for index in group:
        raw, clean = source.raw_lines[index], source.lines[index]
        kind = _line_kind(raw, clean)
        if parts:
            previous_kind, lines = parts[-1]
            continues_bullet = previous_kind is BlockKind.BULLET and kind is BlockKind.PARAGRAPH
            continues_text = previous_kind in (BlockKind.PARAGRAPH, BlockKind.FOOTNOTE, BlockKind.NOTE) and kind in (
                BlockKind.PARAGRAPH,
                BlockKind.NOTE,
            )
            footnote_bullet = previous_kind is BlockKind.FOOTNOTE and kind is BlockKind.BULLET
            if continues_bullet or continues_text or footnote_bullet:
                lines.append(index)
                continue
        parts.append((kind, [index]))
    return parts


def _clean_text(source: SourceText, lines: list[int], kind: BlockKind) -> str:
    if kind is BlockKind.TABLE_ROW:
        return source.lines[lines[0]].strip(" ")
    text = " ".join(source.lines[i].strip() for i in lines)
    return re.sub(r"[ \u00a0]+", " ", text).strip()


def _make_block(source: SourceText, kind: BlockKind, lines: list[int]) -> Block:
    block = Block(
        kind=kind,
        text="\n".join(source.raw_lines[i] for i in lines),
        clean=_clean_text(source, lines, kind),
        line_start=lines[0] + 1,
        line_end=lines[-1] + 1,
    )
    if kind is BlockKind.FOOTNOTE:
        start = FOOTNOTE_START.match(source.raw_lines[lines[0]])
        block.number = superscript_to_int(start.group(1)) if start else None
    return block


# --------------------------------------------------------------------------- headings


class _Matcher:
    """Recognises the catalogue's headings in normalised text."""

    def __init__(self, template: Template) -> None:
        data = template.data
        self.template = template
        self.overview = key(data["overall"]["overview_heading"])
        self.overall = key(data["overall"]["text"])
        self.judgment = key(data["overall"]["judgment_heading"])
        self.overall_summary = key(data["overall"]["summary_heading"])
        self.core = core_headings(data)
        self.sub: list[tuple[re.Pattern, str, int, int]] = []
        for q in data["core_questions"]:
            for k, text in enumerate(q["sub_questions"], start=1):
                filled = key(text.format(year=template.year, previous_year=template.year - 1, force="{force}", area="{area}"))
                pattern = re.escape(filled).replace(r"\{area\}", ".+").replace(r"\{force\}", ".+")
                self.sub.append((re.compile(f"^{pattern}$"), text, q["number"], k))
        self.sections = {
            kind: {key(name) for name in names} for kind, names in data["section_headings"].items()
        }
        self.grades = {key(word): grade for grade, words in data["grades"].items() for word in words}

    def section_kind(self, text: str) -> str | None:
        k = key(text)
        for kind, names in self.sections.items():
            if k in names:
                return kind
        return None

    def core_question(self, text: str) -> tuple[int, str | None] | None:
        """A core question heading, possibly with its grade on the same line."""
        k = key(text)
        if k in self.core:
            return self.core[k], None
        for question, number in self.core.items():
            if k.startswith(question + " "):
                grade = self.grades.get(k[len(question) + 1 :])
                if grade:
                    return number, grade
        return None

    def sub_question(self, text: str) -> tuple[str, int, int] | None:
        k = key(text)
        for pattern, wording, core, index in self.sub:
            if pattern.match(k):
                return wording, core, index
        return None

    def grade(self, text: str) -> str | None:
        return self.grades.get(key(text))


def _looks_like_subheading(block: Block, previous: Block | None) -> bool:
    text = block.clean
    if block.kind is not BlockKind.PARAGRAPH or block.line_start != block.line_end:
        return False
    if len(text) > HEADING_MAX_LENGTH or not text[:1].isupper() or text.endswith((".", ",", ";", ":")):
        return False
    if "england and wales" in text.lower():  # a figure's column header
        return False
    if previous is not None and previous.kind is BlockKind.PARAGRAPH and not previous.clean.endswith(TERMINAL):
        return False  # the middle of a sentence broken by a page
    return True


# --------------------------------------------------------------------------- segment


def _contents_lines(source: SourceText, matcher: _Matcher) -> set[int]:
    """Indexes of the contents list (from 'Contents' to the first heading that is not a contents entry)."""
    start = next((i for i, line in enumerate(source.lines) if matcher.section_kind(line) == "contents"), None)
    if start is None:
        return set()
    front = matcher.sections["front"]
    for index in range(start + 1, len(source.lines)):
        line = source.lines[index].strip()
        if line and "\t" not in line and key(line) in front:
            return set(range(start + 1, index))
    return set()


def segment(source: SourceText) -> Document:
    """Build the document tree of one report: passages, headings, questions, metadata."""
    data, meta = find_metadata(source)
    template = Template(data, meta.year, meta.force_name, force_area(meta.force_name))
    matcher = _Matcher(template)
    issues: list[Issue] = list(source.issues)
    if meta.year not in data.get("years", [meta.year]):
        issues.append(Issue(Severity.WARNING, f"template made for {data['years']}, report is {meta.year}", source.path))

    skip = _contents_lines(source, matcher) | {n - 1 for n in meta.lines}
    headings: list[Heading] = []
    blocks: list[Block] = []
    questions: list[Question] = []
    section: str | None = None
    sub_parent: str | None = None
    subheading_count: dict[str, int] = {}
    in_overall_summary = False
    in_annex = False
    seen_core: set[int] = set()

    def add_heading(kind: HeadingKind, block: Block, question_id: str | None = None, parent: str | None = None) -> None:
        headings.append(Heading(kind, block.text, block.clean, block.line_start, question_id, parent))

    def add_question(qid: str, kind: HeadingKind, label: str, block: Block, parent: str | None, number: int | None = None) -> None:
        questions.append(Question(qid, kind, label, block.clean, block.line_start, parent, number, len(questions)))

    for group in _groups(source, skip):
        for kind, lines in _split_group(source, group):
            block = _make_block(source, kind, lines)
            previous = blocks[-1] if blocks else None
            if kind is BlockKind.PARAGRAPH and block.line_start == block.line_end:
                text = block.clean
                core = matcher.core_question(text)
                sub = matcher.sub_question(text) if section and section.startswith("q") else None
                section_kind = matcher.section_kind(text)
                grade = matcher.grade(text)
                if key(text) == matcher.overview:
                    section, sub_parent, in_overall_summary = "overall", None, False
                    add_heading(HeadingKind.OVERVIEW, block, "overall")
                    add_question("overall", HeadingKind.OVERVIEW, data["overall"]["text"], block, None)
                    questions[-1].text = data["overall"]["text"]
                    continue
                if key(text).startswith(matcher.judgment) and section == "overall":
                    add_heading(HeadingKind.OVERVIEW, block, "overall")
                    continue
                if key(text) == matcher.overall_summary and section == "overall":
                    in_overall_summary = True
                    add_heading(HeadingKind.OVERALL_SUMMARY, block, "overall")
                    continue
                if core and in_overall_summary:
                    # the overall summary lists the five questions, each with its grade (if the graphic survived)
                    block.kind, block.section = BlockKind.GRADE_LINE, "overall"
                    block.heading_line = block.line_start
                    blocks.append(block)
                    continue
                if grade and (in_overall_summary or (previous is not None and previous.kind is BlockKind.GRADE_LINE) or
                              (headings and headings[-1].kind in (HeadingKind.SUMMARY, HeadingKind.OVERVIEW))):
                    block.kind, block.section = BlockKind.GRADE_LINE, section
                    block.heading_line = headings[-1].line if headings else None
                    blocks.append(block)
                    continue
                if core and section is not None and not in_annex:
                    number, _ = core
                    section, sub_parent, in_overall_summary = f"q{number}", None, False
                    seen_core.add(number)
                    add_heading(HeadingKind.CORE, block, section)
                    add_question(section, HeadingKind.CORE, data["core_questions"][number - 1]["text"], block, "overall", number)
                    continue
                if sub and section is not None and sub[1] == int(section[1]) and not in_annex:
                    wording, number, index = sub
                    sub_parent = f"q{number}.{index}"
                    add_heading(HeadingKind.SUB, block, sub_parent, section)
                    label = template.fill(wording) if "{area}" not in wording and "{force}" not in wording else wording.replace(
                        "{area}", "the force area").replace("{force}", "the force")
                    add_question(sub_parent, HeadingKind.SUB, label, block, section)
                    continue
                if section_kind:
                    in_overall_summary = False
                    if section_kind in ("annex", "next_steps"):
                        in_annex = True
                        section, sub_parent = None, None
                    heading_kind = {
                        "summary": HeadingKind.SUMMARY,
                        "afi": HeadingKind.AFI,
                        "cause_of_concern": HeadingKind.CAUSE_OF_CONCERN,
                        "recommendations": HeadingKind.RECOMMENDATIONS,
                        "next_steps": HeadingKind.NEXT_STEPS,
                        "annex": HeadingKind.ANNEX,
                    }.get(section_kind, HeadingKind.FRONT)
                    add_heading(heading_kind, block, section, section)
                    continue
                if (section and section.startswith("q") and not in_annex and _looks_like_subheading(block, previous)
                        and headings and headings[-1].kind not in (HeadingKind.AFI, HeadingKind.RECOMMENDATIONS)):
                    parent = sub_parent or section
                    subheading_count[parent] = subheading_count.get(parent, 0) + 1
                    qid = f"{parent}.h{subheading_count[parent]}"
                    add_heading(HeadingKind.SUBHEADING, block, qid, parent)
                    add_question(qid, HeadingKind.SUBHEADING, block.clean, block, parent)
                    continue
            if block.kind is BlockKind.PARAGRAPH:
                in_overall_summary = False
            block.section = section
            block.heading_line = headings[-1].line if headings else None
            blocks.append(block)

    blocks = _merge_broken_paragraphs(blocks)
    _resolve_footnote_refs(source, blocks)
    cut = _cut_short(blocks)
    if cut is not None:
        issues.append(Issue(Severity.WARNING, f"the text stops mid-sentence (\"…{cut.clean[-40:]}\"); "
                            "the file may be cut short: passages after this line are missing", source.path, cut.line_end))
    assessed = assessed_areas(blocks, headings, template, seen_core, source.path, issues)
    # The template's questions exist whether or not this report's text kept their sections.
    if not any(q.id == "overall" for q in questions):
        issues.append(Issue(Severity.WARNING, f"missing section: '{data['overall']['overview_heading']}'", source.path))
        questions.append(Question("overall", HeadingKind.OVERVIEW, data["overall"]["text"], data["overall"]["text"], None))
    for number in range(1, len(data["core_questions"]) + 1):
        if number not in seen_core:
            wording = data["core_questions"][number - 1]["text"]
            if assessed is not None and f"q{number}" not in assessed.questions:
                issues.append(Issue(Severity.INFO, f"core question {number} was not assessed in {meta.year} (the "
                                    f"'{data['assessed_areas']['heading']}' list): no section; the judgment of "
                                    f"{template.previous_inspection} is carried over", source.path))
            else:
                issues.append(Issue(Severity.WARNING, f"missing section for core question {number}: '{wording}'", source.path))
            questions.append(Question(f"q{number}", HeadingKind.CORE, wording, wording, None, "overall", number))
    for order, question in enumerate(questions):
        question.order = order
    if not seen_core and not any(h.kind is HeadingKind.OVERVIEW for h in headings):
        raise ReportFormatError(source.path, "no question sections of the inspection template were found; is this a complete report?")
    return Document(source=source, meta=meta, headings=headings, blocks=blocks, questions=questions, issues=issues,
                    assessed=assessed)


# --------------------------------------------------------------------------- risk-based inspection


def _area_name(bullet: str) -> str:
    """An item of the assessed-areas list as a matching key: '• Protecting vulnerable people; and' ->
    'protecting vulnerable people'."""
    name = key(BULLET_START.sub("", bullet, count=1))
    name = re.sub(r"^and\s+", "", name)
    return re.sub(r"(?:[\s;,.:]|\band)+$", "", name)


def _questions_headed(name: str, data: dict) -> list[int]:
    """The core questions whose section heading (or wording) is the area's name, or opens with it."""
    return sorted({number for heading, number in core_headings(data).items()
                   if name and (heading.rstrip("?") == name or heading.rstrip("?").startswith(name + " "))})


def assessed_areas(blocks: list[Block], headings: list[Heading], template: Template, sections: set[int], path: str,
                   issues: list[Issue]) -> AssessedAreas | None:
    """The core questions the report says the force was assessed against this year (the catalogue's
    `assessed_areas`: a front section listing them), those it has a section for included; None when the
    catalogue or the report has no such list, so that every question counts as assessed."""
    spec = template.data.get("assessed_areas")
    heading = next((h for h in headings if spec and h.kind is HeadingKind.FRONT and key(h.clean) == key(spec["heading"])), None)
    if spec is None or heading is None:
        return None
    section = [b for b in blocks if b.heading_line == heading.line and b.kind in (BlockKind.PARAGRAPH, BlockKind.BULLET)]
    lead = next((n for n, b in enumerate(section) if b.kind is BlockKind.PARAGRAPH and key(spec["lead_in"]) in key(b.clean)), None)
    items: list[Block] = []
    for block in section[lead + 1:] if lead is not None else []:
        if block.kind is not BlockKind.BULLET:
            break
        items.append(block)
    if not items:
        issues.append(Issue(Severity.WARNING, f"the '{spec['heading']}' section lists no areas after '{spec['lead_in']}'; "
                            "every question is taken as assessed", path, heading.line))
        return None
    named: set[int] = set()
    for item in items:
        numbers = _questions_headed(_area_name(item.clean), template.data)
        if len(numbers) == 1:
            named.update(numbers)
        else:
            issues.append(Issue(Severity.WARNING, f"the '{spec['heading']}' list names an area that "
                                f"{'no' if not numbers else 'more than one'} core question is headed by: "
                                f"'{_area_name(item.clean)}'", path, item.line_start))
    for number in sorted(sections - named):
        issues.append(Issue(Severity.WARNING, f"core question {number} has a section, but the '{spec['heading']}' list "
                            "does not name it; it is taken as assessed", path))
    return AssessedAreas([f"q{n}" for n in sorted(named | sections)], [b.line_start for b in section])


def _cut_short(blocks: list[Block]) -> Block | None:
    """The last block, when the text stops in the middle of it (a truncated file), else None.

    A report ends with a sentence; a file cut at a random place almost never does.
    """
    last = max(blocks, key=lambda block: block.line_end, default=None)
    if last is None or last.kind not in (BlockKind.PARAGRAPH, BlockKind.BULLET) or last.clean.rstrip().endswith(TERMINAL):
        return None
    return last


def _merge_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """Join a paragraph split by a page break or a footnote: it stops mid-sentence, under the same heading.

    Only long paragraphs count as broken, so the short label lines of a graphic are never joined.
    """
    merged: list[Block] = []
    pending: Block | None = None
    for block in blocks:
        if (block.kind is BlockKind.PARAGRAPH and pending is not None and block.heading_line == pending.heading_line
                and not BULLET_START.match(block.clean)):
            pending.text += "\n" + block.text
            pending.clean += " " + block.clean
            pending.line_end = block.line_end
            if pending.clean.endswith(TERMINAL):
                pending = None
            continue
        if block.kind is BlockKind.PARAGRAPH:
            broken = not block.clean.endswith(TERMINAL) and len(block.clean) > BROKEN_PARAGRAPH_MIN_LENGTH
            pending = block if broken else None
        elif block.kind not in (BlockKind.FOOTNOTE, BlockKind.NOTE):
            pending = None
        merged.append(block)
    return merged


def _resolve_footnote_refs(source: SourceText, blocks: list[Block]) -> None:
    """Attach footnote markers to their passages; find plain-digit markers ('THRIVE 14 approach')."""
    by_line: dict[int, list[FootnoteRef]] = {}
    for ref in source.footnote_refs:
        by_line.setdefault(ref.line, []).append(ref)
    citing = [b for b in blocks if b.kind is not BlockKind.FOOTNOTE]
    for block in citing:
        for line in range(block.line_start, block.line_end + 1):
            block.footnote_refs.extend(ref.number for ref in by_line.get(line, []))
    cited = {n for b in citing for n in b.footnote_refs}
    uncited = {b.number: b for b in blocks if b.kind is BlockKind.FOOTNOTE and b.number not in cited}
    prose = [b for b in citing if b.kind in (BlockKind.PARAGRAPH, BlockKind.CAPTION, BlockKind.BULLET)]
    for block in prose:
        run = TRAILING_MARKERS.search(block.clean)
        numbers = [int(n) for n in run.group(1).split(",")] if run else []
        if run and numbers and all(n in uncited and uncited[n].line_start > block.line_start for n in numbers):
            block.clean = block.clean[: run.start()]
            block.footnote_refs.extend(numbers)
            cited.update(numbers)
    for footnote in (b for b in blocks if b.kind is BlockKind.FOOTNOTE and b.number not in cited):
        number = footnote.number
        if number is None:
            continue
        plain = re.compile(rf"(?<=[A-Za-z)*,]) {number}(?= [a-z])|(?<=[A-Za-z)*]) {number}(?=[,.;:]?$)")
        candidates = [b for b in prose if b.line_start < footnote.line_start]
        for block in reversed(candidates[-8:]):
            if plain.search(block.clean):
                block.clean = plain.sub("", block.clean, count=1)
                block.footnote_refs.append(number)
                break
