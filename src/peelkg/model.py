"""Plain data passed between the pipeline stages (read -> segment -> extract -> link -> assemble).

Every stage takes and returns these dataclasses only, so each can be tested alone.
Line numbers are 1-based lines of the report file; a passage is identified within
its report by the line it starts on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    """How bad a data problem is; only FATAL stops a build, --strict also fails on WARNING."""

    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Issue:
    """A problem found in a report, reported instead of raised."""

    severity: Severity
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity.value}: {self.message}"


# --------------------------------------------------------------------------- read


@dataclass(frozen=True)
class FootnoteRef:
    """A footnote marker found in a line (superscript, ^{n}, or plain digits after a word)."""

    number: int
    line: int
    column: int


@dataclass
class SourceText:
    """A report file as lines: the exact text, and the same lines normalised for matching."""

    path: str
    raw_lines: list[str]          # exact lines of the file, BOM and line ends stripped
    lines: list[str]              # normalised, one for one with raw_lines, footnote markers removed
    footnote_refs: list[FootnoteRef] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    extracted: bool = False       # raw_lines were extracted from a PDF: the lines numbered are these, not the file's


# --------------------------------------------------------------------------- segment


class BlockKind(str, Enum):
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    FOOTNOTE = "footnote"
    TABLE_ROW = "table_row"
    CAPTION = "caption"          # "Figure 4: ..." lines
    NOTE = "note"                # "Source: ...", "For further information ..." and similar
    GRADE_LINE = "grade_line"    # a grade word alone on a line


class HeadingKind(str, Enum):
    FRONT = "front"              # Introduction, Force in numbers, Contents ...
    OVERVIEW = "overview"        # "Overview – How effective is the force at keeping people safe ...?"
    OVERALL_SUMMARY = "overall_summary"
    CORE = "core"                # one of the five core questions
    SUB = "sub"                  # a sub-question of the template
    SUBHEADING = "subheading"    # a heading of this report inside a sub-question
    SUMMARY = "summary"          # "Summary of findings"
    AFI = "afi"                  # "Area(s) for improvement"
    CAUSE_OF_CONCERN = "cause_of_concern"
    RECOMMENDATIONS = "recommendations"
    ANNEX = "annex"
    NEXT_STEPS = "next_steps"


@dataclass
class Block:
    """A passage: paragraph, bullet, footnote, table row, caption, note or grade line."""

    kind: BlockKind
    text: str                     # exact text: the raw lines it spans, joined with "\n"
    clean: str                    # normalised, markers removed, wrapped lines joined by single spaces
    line_start: int
    line_end: int
    section: str | None = None    # question id the passage sits under: "overall", "q1".."q5", or None
    heading_line: int | None = None   # line of the nearest heading above it
    footnote_refs: list[int] = field(default_factory=list)
    number: int | None = None     # footnote number, for footnotes


@dataclass
class Heading:
    kind: HeadingKind
    text: str                     # exact text of the heading line(s)
    clean: str
    line: int
    question_id: str | None = None    # "overall", "q3", "q3.2", "q3.2.h1"
    parent_id: str | None = None      # the question it is nested under


@dataclass
class ReportMeta:
    title: str                    # "PEEL: Police effectiveness 2016"
    force_name: str               # "Essex Police"
    inspection: str               # slug of the inspection programme and year: "peel-2016-effectiveness"
    year: int                     # inspection year, 2016
    issued: str                   # "2017-03" (year-month of publication)
    issued_label: str             # "March 2017"
    isbn: str | None
    publisher: str
    subtitle: str                 # "An inspection of Essex Police"
    lines: list[int] = field(default_factory=list)  # lines the metadata was read from


@dataclass
class Question:
    """A question of the template as it appears in this report."""

    id: str                       # "overall", "q1".."q5", "q1.2" (sub-question), "q1.2.h1" (sub-heading)
    kind: HeadingKind             # OVERVIEW for the overall question, CORE, SUB or SUBHEADING
    label: str                    # template wording (force-independent) for shared questions, exact text otherwise
    text: str                     # exact wording in this report
    line: int | None
    parent: str | None = None
    number: int | None = None     # 1-5 for core questions
    order: int = 0                # position in the report


@dataclass
class AssessedAreas:
    """What a report's risk-based inspection list says (2017): the core questions the force was assessed
    against this year; the others keep the previous inspection's judgment, carried over."""

    questions: list[str]          # "q1", "q3", "q5": the questions the list names, in the cycle's order
    passages: list[int]           # line starts of the section's passages: the list, its lead-in, what it says of the rest


@dataclass
class Document:
    source: SourceText
    meta: ReportMeta
    headings: list[Heading]
    blocks: list[Block]           # in file order
    questions: list[Question]
    issues: list[Issue] = field(default_factory=list)
    assessed: AssessedAreas | None = None   # None: the report assessed every question of its cycle

    def carried_over(self, question_id: str) -> bool:
        """The report did not assess this core question this year: its previous judgment is carried over."""
        return (self.assessed is not None and question_id.startswith("q") and "." not in question_id
                and question_id not in self.assessed.questions)

    def footnotes(self) -> dict[int, Block]:
        return {b.number: b for b in self.blocks if b.kind is BlockKind.FOOTNOTE and b.number is not None}


# --------------------------------------------------------------------------- extract


class Grade(str, Enum):
    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "RequiresImprovement"
    INADEQUATE = "Inadequate"
    UNGRADED = "Ungraded"


class GradeSource(str, Enum):
    """How a grade was found: printed grade line, overview line, or recovered from prose."""

    GRADE_LINE = "GradeLine"          # "Requires improvement" alone under "Summary of findings"
    OVERVIEW_LINE = "OverviewLine"    # grade printed beside the question in the overall summary
    PROSE = "Prose"                   # "Essex Police is good at ..."
    PREVIOUS_REPORT_MENTION = "PreviousReportMention"  # "when we judged the force to require improvement"


@dataclass
class Judgment:
    question_id: str              # "overall" or "q1".."q5"
    grade: Grade | None           # None only for a carried-over judgment whose grade the report does not state
    source: GradeSource | None    # None when there is no grade
    year: int                     # inspection year the grade was given in
    passages: list[int]           # line starts of the passages it was read from
    previous: bool = False        # True for a previous inspection's grade mentioned in this report
    carried_over: bool = False    # the report's judgment of a question it did not assess: the previous one, carried over


class FindingKind(str, Enum):
    AFI = "afi"
    CAUSE_OF_CONCERN = "cause_of_concern"
    RECOMMENDATION = "recommendation"
    SUMMARY = "summary"
    PRIOR_FINDING = "prior_finding"   # a previous inspection's AFI / cause of concern referred back to


class ProgressStatus(str, Enum):
    """What a report says of the progress made on a previous finding (peel:ProgressScheme)."""

    ADDRESSED = "Addressed"
    PARTLY_ADDRESSED = "PartlyAddressed"
    NOT_ADDRESSED = "NotAddressed"


@dataclass
class Ask:
    """What a finding asks the force to do, in the finding's own words."""
    action: str                   # "continue to develop"; empty when the finding states a problem only
    object: str                   # "an effective county multi-agency safeguarding hub"
    purpose: str = ""             # "so that victims are offered the best possible multi-agency service"
    scope: str = ""               # "across the whole force", "routinely", "in conjunction with ..."


@dataclass
class Finding:
    id: str                       # "q3-afi-2", "q3-coc-1", "q3-coc-1-rec-1", "q1-summary", "q2-prior-1"
    kind: FindingKind
    question_id: str
    text: str                     # exact text (bullets: wrapped lines joined by single spaces)
    passages: list[int]
    ordinal: int = 0
    parent: str | None = None     # recommendation -> its cause of concern
    progress: str | None = None   # prior findings: what the report says of the progress made
    progress_passages: list[int] = field(default_factory=list)
    ask: Ask | None = None        # AFIs, causes of concern, recommendations, previous findings
    progress_status: ProgressStatus | None = None   # prior findings: how far the force has got, from `progress`
    continues: str | None = None  # AFI / cause of concern: the prior finding of this report it raises again
    follows_up: str | None = None  # prior findings: the id the finding has in the earlier report ('q2-afi-1')


@dataclass
class Term:
    slug: str
    label: str                    # "THRIVE", "integrated offender management"
    definition: str               # exact footnote text
    footnote: int
    passage: int                  # line start of the footnote
    alt_labels: list[str] = field(default_factory=list)
    used_in: list[int] = field(default_factory=list)   # passages that cite or use the term


class Area(str, Enum):
    FORCE = "force"
    ENGLAND_AND_WALES = "england_and_wales"


@dataclass
class Statistic:
    id: str                       # "fig4-r3-force", "p512-1-force"
    indicator: str
    value: float
    unit: str
    area: Area
    period: str
    passage: int
    figure: str | None = None     # figure caption, for table statistics
    outcome_number: str | None = None
    parent_indicator: str | None = None
    comparison: str | None = None  # the report's own words setting it against England and Wales: "in line with"


class InitiativeKind(str, Enum):
    OPERATION = "Operation"
    EXERCISE = "Exercise"
    SCHEME = "Scheme"
    PROGRAMME = "Programme"
    PROJECT = "Project"
    PILOT = "Pilot"
    PLAN = "Plan"
    TEAM = "Team"                 # team, unit or centre set up in response
    SYSTEM = "System"
    FORM = "Form"
    CAMPAIGN = "Campaign"
    BOARD = "Board"               # board, group, forum or meeting
    ROLE = "StaffRole"            # analysts, officers or advisers in a role brought in for the purpose
    PRODUCT = "Product"           # a profile or assessment the force produces
    INITIATIVE = "Initiative"     # anything else


class OrganisationKind(str, Enum):
    POLICE_FORCE = "PoliceForce"
    NATIONAL_BODY = "NationalBody"
    REGIONAL_UNIT = "RegionalUnit"
    CHARITY = "Charity"
    UNIVERSITY = "University"
    LOCAL_AUTHORITY = "LocalAuthority"
    PUBLIC_SERVICE = "PublicService"
    BOARD = "Board"
    COMPANY = "Company"
    INSPECTORATE = "Inspectorate"
    OTHER = "Organisation"


@dataclass
class Mention:
    passage: int                  # line start of the passage
    surface: str                  # the words as written


@dataclass
class Initiative:
    slug: str
    label: str
    kind: InitiativeKind
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""         # one sentence taken from the text
    question_ids: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)    # organisation slugs
    places: list[str] = field(default_factory=list)      # place slugs
    themes: list[str] = field(default_factory=list)      # theme slugs


@dataclass
class Organisation:
    slug: str
    label: str
    kind: OrganisationKind
    alt_labels: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)       # partner, collaborator, comparator, data_source, regulator
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Place:
    slug: str
    label: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Collaboration:
    """The force works with another force or body (peel:collaboratesWith)."""

    organisation: str             # organisation slug
    passages: list[int]


@dataclass
class ThemeTag:
    """A theme given to a finding or passage (initiatives carry theirs in Initiative.themes)."""

    subject: str                  # finding id
    theme: str                    # theme slug
    passages: list[int]


@dataclass
class Facts:
    """Everything extracted from one report, ready to be linked and assembled."""

    document: Document
    judgments: list[Judgment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    collaborations: list[Collaboration] = field(default_factory=list)
    theme_tags: list[ThemeTag] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


# --------------------------------------------------------------------------- link


class LinkMethod(str, Enum):
    SAME_SECTION = "same-section"
    SHARED_THEME = "shared-theme"
    LEXICAL = "lexical"
    TEXT_CUE = "text-cue"
    EVIDENCE_CHAIN = "evidence-chain"
    CURATED = "curated"           # an analyst accepted the pair: always peel:addresses
    REJECTED = "rejected"         # an analyst rejected the pair: never peel:addresses


class Decision(str, Enum):
    """An analyst's decision on an initiative -> finding pair, kept in the report's curated links file."""

    ACCEPT = "accept"
    REJECT = "reject"


@dataclass
class AddressLink:
    initiative: str               # initiative slug
    target: str                   # finding id (AFI or cause of concern)
    score: float                  # 0..1
    methods: list[LinkMethod]
    rationale: str                # one line a person can check
    passages: list[int]
    above_threshold: bool
    problem_passage: int | None = None    # evidence chain: where the report describes the problem the ask names
    response_passage: int | None = None   # ... and where it tells what the force does about it
    decision: Decision | None = None        # set when an analyst decided the pair (curated links file)
    creator: str | None = None              # who decided it (dcterms:creator)
    date: datetime.date | None = None       # when (dcterms:date)
