"""Extract stage: document tree -> facts (judgments, findings, glossary, figure tables).

Initiatives, organisations, places, themes and prose statistics are found by
`peelkg.loaders.entities`; this module covers what the template itself structures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peelkg.loaders.asks import with_asks
from peelkg.loaders.acronyms import find_definitions, singular
from peelkg.loaders.segment import BULLET_START, Template, core_headings, force_area, key, template_data
from peelkg.model import (
    Area,
    Block,
    BlockKind,
    Document,
    Facts,
    Finding,
    FindingKind,
    Grade,
    GradeSource,
    HeadingKind,
    Issue,
    Judgment,
    Severity,
    Statistic,
    Term,
)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*])")
NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
# a group row of a figure table is the sum of the rows under it, to rounding
GROUP_SUM_TOLERANCE = 0.15


@dataclass(frozen=True)
class Sentence:
    text: str
    block: Block


def sentences(block: Block) -> list[Sentence]:
    return [Sentence(s, block) for s in SENTENCE_END.split(block.clean) if s]


def template_for(document: Document) -> Template:
    """The heading catalogue the segmenter picked for the report (by its title and year)."""
    data = template_data(document.meta.title)
    if data is None:
        raise LookupError(document.meta.title)
    return Template(data, document.meta.year, document.meta.force_name, force_area(document.meta.force_name))


def extract(document: Document) -> Facts:
    """All template-structured facts of one report."""
    template = template_for(document)
    facts = Facts(document=document, issues=list(document.issues))
    facts.judgments = extract_judgments(document, template, facts.issues)
    facts.findings = with_asks(extract_findings(document, template))
    facts.terms = extract_terms(document)
    facts.statistics = extract_figure_tables(document, template)
    return facts


# --------------------------------------------------------------------------- judgments


def _topic_score(sentence: str, topic: str) -> float:
    words = re.findall(r"[a-z][a-z-]+", sentence.lower())
    wanted = [w for w in re.findall(r"[a-z][a-z-]+", topic.lower()) if w not in ("and", "the", "of", "from")]
    hits = sum(1 for t in wanted if any(w.startswith(t) for w in words))
    return hits / len(wanted) if wanted else 0.0


def _topics(template: Template) -> dict[str, str]:
    topics = {"overall": template.data["overall"]["grade_topic"]}
    for q in template.data["core_questions"]:
        topics[f"q{q['number']}"] = q["grade_topic"]
    return topics


def _best_topic(text: str, topics: dict[str, str], threshold: float = 0.75) -> str | None:
    scored = sorted(((_topic_score(text, topic), qid) for qid, topic in topics.items()), reverse=True)
    return scored[0][1] if scored and scored[0][0] >= threshold else None


def _is_previous(text: str, template: Template) -> bool:
    cues = [template.fill(c).lower() for c in template.data["previous_grade_cues"]]
    return any(c in text.lower() for c in cues)


def extract_judgments(document: Document, template: Template, issues: list[Issue]) -> list[Judgment]:
    year = document.meta.year
    found: dict[str, tuple[Grade, GradeSource, list[int]]] = {}   # question -> the grade kept, its source, its lines
    headings = {h.line: h for h in document.headings}
    core_by_key = {k: f"q{number}" for k, number in core_headings(template.data).items()}
    grade_words = {key(w): Grade(g) for g, words in template.data["grades"].items() for w in words}

    def offer(question: str, grade: Grade, source: GradeSource, lines: list[int]) -> None:
        rank = [GradeSource.GRADE_LINE, GradeSource.OVERVIEW_LINE, GradeSource.PROSE]
        if question not in found:
            found[question] = grade, source, lines
            return
        grade_kept, source_kept, _ = found[question]
        if grade_kept != grade:
            issues.append(Issue(Severity.WARNING, f"{question}: {source.value} says {grade.value} "
                                f"but {source_kept.value} says {grade_kept.value}; kept {source_kept.value}",
                                document.source.path, lines[0]))
        elif rank.index(source) < rank.index(source_kept):
            found[question] = grade, source, lines

    # 1. grade lines: under "Overall judgment", under each "Summary of findings", and in the overall summary
    overview_question: str | None = None
    for block in document.blocks:
        if block.kind is not BlockKind.GRADE_LINE:
            continue
        heading = headings.get(block.heading_line or -1)
        k = key(block.clean)
        if block.section == "overall" and heading is not None and heading.kind is HeadingKind.OVERALL_SUMMARY:
            opening = next((qk for qk in core_by_key if k.startswith(qk)), None)
            if opening:
                overview_question = core_by_key[opening]
                rest = k[len(opening):].strip()
                if rest in grade_words:
                    offer(overview_question, grade_words[rest], GradeSource.OVERVIEW_LINE, [block.line_start])
            elif k in grade_words and overview_question:
                offer(overview_question, grade_words[k], GradeSource.OVERVIEW_LINE, [block.line_start])
            continue
        if k in grade_words and block.section:
            offer(block.section, grade_words[k], GradeSource.GRADE_LINE, [block.line_start])

    # 2. prose: "Essex Police is good at ...", "we judge the force to require improvement in ..."
    topics = _topics(template)
    phrases = [(Grade(g), p) for g, ps in template.data["grade_prose"].items() for p in ps]
    prose: dict[tuple[str, Grade], list[int]] = {}
    for block in document.blocks:
        if block.kind is not BlockKind.PARAGRAPH or block.section is None:
            continue
        for sentence in sentences(block):
            lower = sentence.text.lower()
            if _is_previous(lower, template):
                continue
            for grade, phrase in phrases:
                at = lower.find(phrase)
                if at < 0:
                    continue
                rest = lower[at + len(phrase):]
                ends = [rest.find(p) for _, p in phrases if rest.find(p) >= 0] + [rest.find(", but"), rest.find(";")]
                rest = rest[: min([e for e in ends if e >= 0], default=len(rest))]
                question = _best_topic(rest, topics)
                if question:
                    prose.setdefault((question, grade), []).append(block.line_start)
    for (question, grade), lines in sorted(prose.items(), key=lambda item: (item[0][0], item[0][1].value)):
        offer(question, grade, GradeSource.PROSE, sorted(set(lines)))

    judgments = [Judgment(question, grade, source, year, lines) for question, (grade, source, lines) in sorted(found.items())]
    for qid in ["overall"] + [f"q{q['number']}" for q in template.data["core_questions"]]:
        if qid not in found and any(q.id == qid for q in document.questions) and not document.carried_over(qid):
            issues.append(Issue(Severity.WARNING, f"no grade found for {qid}", document.source.path))
    return carry_over(document, judgments, extract_previous_judgments(document, template), issues)


def carry_over(document: Document, current: list[Judgment], previous: list[Judgment], issues: list[Issue]) -> list[Judgment]:
    """The judgments, with one of the report for each core question it did not assess this year (its assessed-areas
    list leaves the question out): the previous inspection's judgment carried over, derived from the list, with the
    grade the report states for the question (as this year's or as the previous inspection's), if it states one; and
    that previous judgment, which the report names by carrying it over."""
    if document.assessed is not None:
        now = {j.question_id: j for j in current}
        before = {j.question_id: j for j in previous}
        listed = document.assessed.passages
        for question in (q for q in document.questions if q.kind is HeadingKind.CORE and document.carried_over(q.id)):
            qid = question.id
            stated = now.get(qid) or before.get(qid)
            grade, source = (stated.grade, stated.source) if stated else (None, None)
            lines = stated.passages if stated else []
            if qid in now and qid in before and now[qid].grade != before[qid].grade:
                then, since = (j.grade.value if j.grade else "ungraded" for j in (before[qid], now[qid]))
                issues.append(Issue(Severity.WARNING, f"{qid} is carried over from {document.meta.year - 1}, but the report "
                                    f"grades it {then} then and {since} now; kept both", document.source.path,
                                    before[qid].passages[0]))
            if qid not in now:
                now[qid] = Judgment(qid, grade, source, document.meta.year, [], carried_over=True)
                current.append(now[qid])
            now[qid].carried_over = True
            now[qid].passages = sorted(set(now[qid].passages + listed + lines))
            if qid not in before:
                before[qid] = Judgment(qid, grade, source, document.meta.year - 1, [], previous=True)
                previous.append(before[qid])
            before[qid].passages = sorted(set(before[qid].passages + listed + lines))
            if grade is None:
                issues.append(Issue(Severity.INFO, f"{qid}: not assessed in {document.meta.year}; the report does not "
                                    "state the grade it carries over", document.source.path))
    return sorted(current, key=lambda j: j.question_id) + sorted(previous, key=lambda j: j.question_id)


def extract_previous_judgments(document: Document, template: Template) -> list[Judgment]:
    """Grades of the previous inspection that the report mentions ('when we judged the force to require improvement')."""
    words = {w: Grade(g) for g, ws in template.data["previous_grade_words"].items() for w in ws}
    verb = re.compile(
        r"\b(?:judged|assessed|graded|rated)\s+(?:the force|it|%s)\s+(?:to be\s+|as\s+|to\s+)?(?:also\s+)?(%s)\b"
        % (re.escape(document.meta.force_name.lower()), "|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    )
    topics = _topics(template)
    found: dict[str, Judgment] = {}
    for block in document.blocks:
        if block.kind is not BlockKind.PARAGRAPH or block.section is None:
            continue
        for sentence in sentences(block):
            lower = sentence.text.lower()
            match = verb.search(lower)
            if not match or not _is_previous(lower, template):
                continue
            question = block.section
            if question == "overall" and "overall" not in lower:
                question = _best_topic(lower, {k: v for k, v in topics.items() if k != "overall"}) or question
            grade = words[match.group(1)]
            if question in found:
                found[question].passages = sorted(set(found[question].passages + [block.line_start]))
            else:
                found[question] = Judgment(question, grade, GradeSource.PREVIOUS_REPORT_MENTION, document.meta.year - 1,
                                           [block.line_start], previous=True)
    return sorted(found.values(), key=lambda j: j.question_id)


# --------------------------------------------------------------------------- findings

def _bullet_text(block: Block) -> str:
    return BULLET_START.sub("", block.clean, count=1).strip()


def extract_findings(document: Document, template: Template) -> list[Finding]:
    findings: list[Finding] = []
    headings = {h.line: h for h in document.headings}
    counters: dict[str, int] = {}
    summaries: dict[str, list[Block]] = {}
    concern: Finding | None = None
    for block in document.blocks:
        heading = headings.get(block.heading_line or -1)
        if heading is None or block.section is None:
            continue
        qid = block.section
        if heading.kind is HeadingKind.AFI and block.kind is BlockKind.BULLET:
            n = counters[f"{qid}-afi"] = counters.get(f"{qid}-afi", 0) + 1
            findings.append(Finding(f"{qid}-afi-{n}", FindingKind.AFI, qid, _bullet_text(block), [block.line_start], n))
        elif heading.kind is HeadingKind.CAUSE_OF_CONCERN and block.kind is BlockKind.PARAGRAPH:
            if concern is not None and concern.passages and heading.line == getattr(concern, "_heading", None):
                concern.text += " " + block.clean
                concern.passages.append(block.line_start)
            else:
                n = counters[f"{qid}-coc"] = counters.get(f"{qid}-coc", 0) + 1
                concern = Finding(f"{qid}-coc-{n}", FindingKind.CAUSE_OF_CONCERN, qid, block.clean, [block.line_start], n)
                concern._heading = heading.line  # type: ignore[attr-defined]
                findings.append(concern)
        elif heading.kind is HeadingKind.RECOMMENDATIONS and block.kind is BlockKind.BULLET and concern is not None:
            n = counters[concern.id] = counters.get(concern.id, 0) + 1
            findings.append(Finding(f"{concern.id}-rec-{n}", FindingKind.RECOMMENDATION, qid, _bullet_text(block),
                                    [block.line_start], n, parent=concern.id))
        elif heading.kind is HeadingKind.RECOMMENDATIONS and block.kind is BlockKind.PARAGRAPH and concern is not None:
            concern.passages.append(block.line_start)  # "To address this cause of concern, HMIC recommends ..."
        elif heading.kind in (HeadingKind.SUMMARY, HeadingKind.OVERALL_SUMMARY) and block.kind is BlockKind.PARAGRAPH:
            summaries.setdefault(qid, []).append(block)
    for qid, blocks in summaries.items():
        findings.append(Finding(f"{qid}-summary", FindingKind.SUMMARY, qid, " ".join(b.clean for b in blocks),
                                [b.line_start for b in blocks]))
    for finding in findings:
        finding.__dict__.pop("_heading", None)
    return findings + extract_prior_findings(document, template)


PRIOR_OPENING = re.compile(r"^(?:In HMIC's \d{4}|HMIC's \d{4}|Last year|In \d{4}|In our \d{4}|In its \d{4})", re.IGNORECASE)
PRIOR_VERB = re.compile(r"\b(?:said|reported|identified|found|recommended|had (?:two|three|four|\w+) causes? of concern)\b")
LISTED = re.compile(r"\b(?:we|HMIC) identified (?:\w+ )?(?:areas? for improvement|causes? of concern)\s*:\s*(.+)$", re.IGNORECASE)
PROGRESS = re.compile(r"\b(?:progress|addressed|improved|improvements?|has introduced|no longer)\b", re.IGNORECASE)


def extract_prior_findings(document: Document, template: Template) -> list[Finding]:
    """The previous inspection's findings the report refers back to, with the progress it reports."""
    findings: list[Finding] = []
    blocks = [b for b in document.blocks if b.kind is BlockKind.PARAGRAPH and b.section and b.section.startswith("q")]
    for index, block in enumerate(blocks):
        section = block.section
        if section is None:
            continue
        parts = sentences(block)
        for position, sentence in enumerate(parts):
            text = sentence.text
            if not PRIOR_OPENING.match(text) and not LISTED.search(text):
                continue
            if not _is_previous(text, template) and not LISTED.search(text):
                continue
            items: list[str]
            listed = LISTED.search(text)
            if listed:
                items = [re.sub(r"^(?:and\s+)", "", item.strip().rstrip(".")) for item in re.split(r";\s*", listed.group(1))]
            elif PRIOR_VERB.search(text) and not re.search(r"\b(?:judged|assessed)\b", text):
                items = [text]
            else:
                continue
            progress, progress_lines = None, []
            following = [(s, block) for s in parts[position + 1:]] + [
                (s, b) for b in blocks[index + 1:index + 4] if b.section == block.section for s in sentences(b)]
            for candidate, source_block in following:
                if PROGRESS.search(candidate.text) and not LISTED.search(candidate.text):
                    progress, progress_lines = candidate.text, [source_block.line_start]
                    break
            for item in items:
                n = sum(1 for f in findings if f.question_id == section) + 1
                findings.append(Finding(f"{section}-prior-{n}", FindingKind.PRIOR_FINDING, section, item,
                                        [block.line_start], n, progress=progress, progress_passages=progress_lines))
    return findings


# --------------------------------------------------------------------------- glossary


NOT_A_DEFINITION = re.compile(
    r"^(?:HMIC |For further|For more|Data (?:correct|for)|PEEL:|\*|Available|Source|See |Percentages? |"
    r"[A-Z][a-z]+(?:, [A-Z][a-z]+)*(?: and [A-Z][a-z]+)? (?:Police|Constabulary|forces?)\b)"
)
QUOTED_TERM = re.compile(r"^['\"]([^'\"]{2,60})['\"] (?:is|are|means|refers)\b")
SUBJECT = re.compile(r"^(?:The |An? )?(.{2,80}?)(?: \(([A-Z][A-Za-z]{1,9})\))? (?:is|are|was|were|brings|gives|set|sets|provides|increases|manages|introduced)\b")
STOP = {"the", "a", "an", "its", "their", "our", "of", "to", "by", "with", "and", "has", "have", "uses", "use", "in", "on",
        "for", "from", "through", "as", "at", "is", "are", "was", "were", "which", "that", "this", "these", "eight", "two",
        "three", "four", "five", "six", "seven", "nine", "ten", "also", "trained", "known", "called", "make", "makes",
        "good", "using", "used", "runs", "run", "identified", "complete", "completes", "complies", "well"}


def _cited_phrase(block: Block, raw_before: str) -> str:
    """The words right before a footnote marker: '(ABBR)', '*Italic Title*', a capitalised name or a short noun phrase."""
    text = raw_before.rstrip(" ,.;:")
    italic = re.search(r"\*([^*]{3,80})\*$", text)
    if italic:
        return italic.group(1)
    paren = re.search(r"\(([^()]{2,40})\)$", text)
    if paren:
        return paren.group(1)
    words = text.split()
    phrase: list[str] = []
    for word in reversed(words):
        bare = word.strip("'\"(),")
        if not bare or bare.lower() in STOP or len(phrase) >= 5 or word.endswith((",", ".", ";", ":")) and phrase:
            break
        phrase.insert(0, bare)
        if bare[:1].isupper() and len(phrase) == 1 and (len(words) < 2 or not words[-2][:1].isupper()):
            break
    return " ".join(phrase)


def _marker_context(document: Document, block: Block, number: int) -> str:
    """Text of the citing passage up to the marker of footnote `number`."""
    lines = document.source.raw_lines
    sup = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(number))
    for line_number in range(block.line_start, block.line_end + 1):
        raw = lines[line_number - 1]
        for pattern in (re.escape(sup) + r"(?![⁰¹²³⁴⁵⁶⁷⁸⁹])", r"\^\{%d\}" % number, r"(?<=[A-Za-z)*,]) %d(?= [a-z]|[,.;:]?$)" % number):
            match = re.search(pattern, raw)
            if match:
                before = raw[: match.start()]
                before = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+(,[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*|\^\{[^}]*\}", "", before)
                return before
    return ""


def extract_terms(document: Document) -> list[Term]:
    """Footnotes that define a term: the cited words are named in the footnote's opening, or it opens 'A/An ...'."""
    footnotes = document.footnotes()
    citing: dict[int, Block] = {}
    for block in document.blocks:
        for n in block.footnote_refs:
            citing.setdefault(n, block)
    acronyms = find_definitions(" ".join(b.clean for b in document.blocks if b.kind is not BlockKind.FOOTNOTE))
    terms: list[Term] = []
    for number, footnote in sorted(footnotes.items()):
        definition = footnote.clean
        if NOT_A_DEFINITION.match(definition) or number not in citing:
            continue
        cited = _cited_phrase(citing[number], _marker_context(document, citing[number], number))
        cited = cited.strip("*")
        opening = " ".join(definition.split()[:25]).lower()
        cited_long = acronyms.get(cited)
        label, alt = None, []
        quoted = QUOTED_TERM.match(definition)
        subject = SUBJECT.match(definition)
        if quoted:  # "'County lines' is a term ...": the words as the text cites them, else as quoted
            label = cited if cited and key(cited) == key(quoted.group(1)) else quoted.group(1)
        elif cited and (_mentions(opening, cited) or (cited_long and _mentions(opening, cited_long))
                        or definition.startswith(("A ", "An "))):
            label = cited
        elif subject and cited and _mentions(key(subject.group(1)), cited):
            label = cited
        if not label:
            continue
        own = find_definitions(definition)  # "The Joint Emergency ... Principles (JESIP) set out ..."
        long_form = acronyms.get(label) or acronyms.get(label.rstrip("s")) or own.get(label)
        if long_form:  # "(SCPOs)" -> "serious crime prevention order", alt "SCPO"
            short = label[:-1] if label.endswith("s") and label[:-1].isupper() else label
            alt, label = [short], singular(long_form) if label.endswith("s") and label[:-1].isupper() else long_form
        elif label.islower() or (label[:1].islower()):
            label = singular(label) if not quoted else label
        elif subject and subject.group(2) and key(subject.group(1)) != key(label):
            alt = [subject.group(2)] if subject.group(2) != label else []
        paren = re.search(r"([^()]{3,60}) \(%s\)\s*$" % re.escape(cited), _marker_context(document, citing[number], number).rstrip(" ,.;:"))
        if paren and not cited.isupper() and label == cited:  # "domestic violence disclosure scheme (Clare's Law)"
            alt.append(_tail_phrase(paren.group(1)))
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        used = sorted({b.line_start for b in document.blocks if number in b.footnote_refs})
        terms.append(Term(slug, label, footnote.clean, number, footnote.line_start, sorted(set(alt) - {label}), used))
    return _dedupe_terms(terms)


def _tail_phrase(text: str) -> str:
    words: list[str] = []
    for word in reversed(text.split()):
        if word.lower() in STOP or len(words) >= 5:
            break
        words.insert(0, word)
    return " ".join(words)


def _mentions(text: str, phrase: str) -> bool:
    k, p = key(text), key(phrase)
    return bool(p) and (p in k or p.rstrip("s") in k or singular(p) in k)


def _dedupe_terms(terms: list[Term]) -> list[Term]:
    """A term footnoted twice (e.g. '4Ps' in two sections) is one term, defined by its first footnote."""
    seen: dict[str, Term] = {}
    for term in terms:
        if term.slug in seen:
            seen[term.slug].used_in = sorted(set(seen[term.slug].used_in + term.used_in + [term.passage]))
        else:
            seen[term.slug] = term
    return list(seen.values())


# --------------------------------------------------------------------------- figure tables


def _number(cell: str) -> float | None:
    cell = cell.strip().rstrip("%").replace(",", "")
    return float(cell) if re.fullmatch(NUMBER, cell) else None


def extract_figure_tables(document: Document, template: Template) -> list[Statistic]:
    """Rows of 'Figure N:' tables and of the value pairs in 'Force in numbers', force and England and Wales."""
    comparator = template.data["comparator_area"]
    stats: list[Statistic] = []
    caption: Block | None = None
    header_seen = False
    row = 0
    pending_labels: list[Block] = []
    parent: str | None = None
    parent_total: float | None = None
    running = 0.0
    for block in document.blocks:
        if block.kind is BlockKind.CAPTION:
            caption, header_seen, row, parent = block, False, 0, None
            continue
        if block.kind is BlockKind.TABLE_ROW:
            cells = [c.strip() for c in block.clean.split("\t")]
            if comparator in cells:  # the header row
                header_seen = True
                continue
            values = [_number(c) for c in cells]
            numeric = [i for i, v in enumerate(values) if v is not None]
            if caption is not None and header_seen and len(cells) >= 3:
                label_cells = [c for i, c in enumerate(cells[:-2]) if c]
                indicator = label_cells[-1] if label_cells else ""
                outcome = cells[0] if len(cells) >= 4 and cells[0] else None
                if not indicator:
                    continue
                row_parent = None
                if outcome is None and len(cells) >= 4:  # a group row: its rows follow until their values add up
                    parent, parent_total, running = indicator, values[-2], 0.0
                elif parent is not None:
                    value = values[-2] or 0.0
                    if parent_total is None or running + value <= parent_total + GROUP_SUM_TOLERANCE:
                        row_parent, running = parent, running + value
                        if parent_total is not None and abs(running - parent_total) <= GROUP_SUM_TOLERANCE:
                            parent = None
                    else:
                        parent = None
                row += 1
                figure = re.match(r"Figure (\d+)", caption.clean)
                figure_id = f"fig{figure.group(1) if figure else ''}"
                force_value, area_value = values[-2], values[-1]
                unit, period = _unit_and_period(caption.clean)
                for area, cell in ((Area.FORCE, force_value), (Area.ENGLAND_AND_WALES, area_value)):
                    if cell is None:
                        continue
                    stats.append(Statistic(f"{figure_id}-r{row}-{'force' if area is Area.FORCE else 'ew'}", indicator, cell,
                                           unit, area, period, block.line_start, caption.clean, outcome, row_parent))
            elif caption is None and len(numeric) == 2 and len(cells) == 2 and pending_labels:
                label = pending_labels.pop(0)
                row += 1
                unit = "percent" if "%" in block.clean else ""
                for area, cell in ((Area.FORCE, values[0]), (Area.ENGLAND_AND_WALES, values[1])):
                    if cell is None:
                        continue
                    stats.append(Statistic(f"fin-r{row}-{'force' if area is Area.FORCE else 'ew'}", label.clean, cell, unit,
                                           area, "", block.line_start, "Force in numbers", None, None))
            continue
        if block.kind is BlockKind.PARAGRAPH and caption is None and block.section is None and not block.clean.endswith("."):
            if block.clean.endswith("*"):
                pending_labels = []
            else:
                pending_labels.append(block)
            continue
        if block.kind in (BlockKind.PARAGRAPH, BlockKind.BULLET) and caption is not None:
            caption = None
    return stats


def _unit_and_period(caption: str) -> tuple[str, str]:
    unit = ""
    rate = re.search(r"\((?:rates? )?(per [\d,]+ (?:population|households))\)|(per [\d,]+ (?:population|households))", caption)
    if rate:
        unit = "rate " + (rate.group(1) or rate.group(2))
    elif re.search(r"proportion|percentage|rate of outcomes", caption, re.IGNORECASE):
        unit = "percent"
    period = re.search(r"((?:in |for )?(?:the )?12 months to \d{1,2} \w+ \d{4})", caption)
    return unit, period.group(1).replace("in ", "").replace("for ", "") if period else ""
