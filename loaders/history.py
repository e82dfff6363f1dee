"""Follow findings from one inspection to the next, within one report.

A report says how far the force has got with each previous finding it refers back to (its
progress sentence, read by the extract stage): the status is read from that sentence with
the cue words of the heading catalogue (`progress_status`). Each previous finding is named
as the earlier report names it (`follows_up`): the k-th one the report refers back to
under a question is that question's k-th area for improvement (or cause of concern, when
its words say so) in the earlier report, which lists them in the order later reports
follow them up. A finding of the report raised again from a previous one (same question,
most of the words of the shorter one shared) is tied to it (`continues`). Only what one
report says is used, so a report's graph never depends on another report.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from peelkg.loaders.extract import template_for
from peelkg.model import Facts, Finding, FindingKind, ProgressStatus

WORD = re.compile(r"[a-z]{4,}")
CONCERN = re.compile(r"\bcauses? of concern\b", re.IGNORECASE)
STEM = 5            # words compared by their first letters: 'locates' and 'locating' agree
SHARED = 0.6        # share of the shorter finding's words the longer one must have
# words of every finding, besides English function words
NOT_WORDS = ENGLISH_STOP_WORDS | {"force", "should", "area", "areas", "improvement", "identified", "report",
                                  "effectiveness", "said", "constabulary", "police", "hmic"}


def follow(facts: Facts) -> Facts:
    """The facts with each prior finding's progress status and each finding raised again tied to its earlier form."""
    cues = [(ProgressStatus(status), phrase.lower())
            for status, phrases in template_for(facts.document).data.get("progress_status", {}).items() for phrase in phrases]
    findings = [_with_status(f, cues) if f.kind is FindingKind.PRIOR_FINDING else f for f in facts.findings]
    findings = _named_as_earlier(findings)
    priors = [f for f in findings if f.kind is FindingKind.PRIOR_FINDING]
    findings = [_continuing(f, priors) if f.kind in (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN) else f for f in findings]
    return replace(facts, findings=findings)


def _with_status(finding: Finding, cues: list[tuple[ProgressStatus, str]]) -> Finding:
    text = (finding.progress or "").lower()
    status = next((status for status, phrase in cues if re.search(rf"\b{re.escape(phrase)}\b", text)), None)
    return replace(finding, progress_status=status)


def _named_as_earlier(findings: list[Finding]) -> list[Finding]:
    counters: dict[tuple[str, str], int] = {}
    named = []
    for finding in findings:
        if finding.kind is FindingKind.PRIOR_FINDING:
            kind = "coc" if CONCERN.search(finding.text) else "afi"
            n = counters[finding.question_id, kind] = counters.get((finding.question_id, kind), 0) + 1
            finding = replace(finding, follows_up=f"{finding.question_id}-{kind}-{n}")
        named.append(finding)
    return named


def _words(text: str) -> set[str]:
    return {word[:STEM] for word in WORD.findall(text.lower()) if word not in NOT_WORDS}


def _continuing(finding: Finding, priors: list[Finding]) -> Finding:
    words = _words(finding.text)
    best, best_share = None, SHARED
    for prior in priors:
        if prior.question_id != finding.question_id:
            continue
        earlier = _words(prior.text)
        share = len(words & earlier) / min(len(words), len(earlier)) if words and earlier else 0.0
        if share >= best_share:
            best, best_share = prior.id, share
    return replace(finding, continues=best) if best else finding
