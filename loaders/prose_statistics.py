"""Statistics in a report's prose: a number with its unit in a paragraph sentence.

The unit is "percent", "per 1,000 population" or a counted noun; the value is the force's unless
the sentence gives it to England and Wales ("compared with 46 for England and Wales").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peelkg.loaders.entity_text import Sentence, Text, comparison_words, words
from peelkg.model import Area, BlockKind, Statistic

VALUE_RE = re.compile(r"(?<![\w.,/£-])(£)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s+(million|billion))?(?![\w/]|\.\d|,\d)")
PERCENT_RE = re.compile(r"^\s*(?:percent|per cent|%)")
RATE_RE = re.compile(r"^\s*(?:times\s+)?per\s+(1,000|one million|1 million|million|100,000|head)\s+(?:of\s+(?:the\s+)?)?"
                     r"(population|households)?")
PER_NOUN_RE = re.compile(r"^\s*per\s+([a-z]+)\b")
SKIP_AFTER_RE = re.compile(r"^(?:\s*(?:-|–)?\s*(?:months?|weeks?|days?|hours?|years?|minutes?|am|pm|a\.m|p\.m|January|February|"
                           r"March|April|May|June|July|August|September|October|November|December)\b|-(?:day|week|month|year|hour))")
SKIP_BEFORE_RE = re.compile(r"\b(?:per|every|Part|part|level|figure|Figure|Figures|aged|under|over|annex|outcome|Q|question|"
                            r"between|strands?|top|bottom)\s*$|\b[Ff]igures? \d+ (?:and|to)\s*$")
COMPARATOR_RE = re.compile(r"\b(?:compared with|compared to|compares with|compares to|against|than|whereas|while|below|above|"
                           r"in line with|similar to)\b")
PERIOD_RES = [
    re.compile(r"\b(?:12|twelve) months? (?:to|ending) (?:\d{1,2} )?[A-Z][a-z]+ \d{4}"),
    re.compile(r"\byear (?:to|ending) (?:\d{1,2} )?[A-Z][a-z]+ \d{4}"),
    re.compile(r"\bas at \d{1,2} [A-Z][a-z]+ \d{4}"),
    re.compile(r"\bbetween [A-Z][a-z]+ and [A-Z][a-z]+ \d{4}"),
    re.compile(r"\b\d{4}/\d{2}\b"),
]
CHANGE_VERB_RE = re.compile(r"\b(increased|decreased|fallen|fell|rose|risen|reduced|grown|dropped|gone up|gone down)\s+(by|from|to)\s*$")
CHANGE_NOUN_RE = re.compile(r"\b(?:an? )?(increase|decrease|reduction|fall|rise|drop)\s+of\s*$")
NEGATIVE = {"decrease", "decreased", "fallen", "fell", "reduced", "reduction", "fall", "dropped", "drop", "gone down", "fewer", "lower"}
SHARE_RE = re.compile(r"(?:^|[,;]\s+)([^,;]+?)\s+(?:accounted for|accounts for|account for|made up|makes up|make up|"
                      r"represented|represents|comprised)\s*$")
NP_STOP = {"per", "will", "would", "can", "could", "should", "may", "might", "must", "having", "being", "met", "than"}
VERB_RE = re.compile(r"\b(?:has|have|had|is|are|was|were|recorded|used|made|received|made)\s+(?:an?\s+|the\s+)?(.*)$")


@dataclass
class _Value:
    value: float
    unit: str
    indicator: str
    area: Area
    period: str
    line: int
    start: int
    n: int = 0
    before: str = ""                      # the sentence up to the number, where the report says how it compares
    statistic: Statistic | None = None    # what the value became, once emitted


class ProseStatistics:
    """Numbers stated in paragraphs, with their unit, area (the force or England and Wales) and period."""

    def __init__(self, text: Text) -> None:
        self.text = text
        self.function_words = (words("function_words") - {"of", "and"}) | NP_STOP
        self.force_re = re.compile(rf"\b(?:the force|its|{re.escape(text.force)}|{re.escape(text.area)})\b", re.IGNORECASE)
        self.ew_re = re.compile(r"\bEngland (?:and|&) Wales\b")

    def result(self) -> list[Statistic]:
        stats: list[Statistic] = []
        counters: dict[int, int] = {}
        for passage in self.text.passages:
            if passage.kind is not BlockKind.PARAGRAPH or passage.section is None:
                continue
            previous: list[_Value] = []
            previous_period = ""
            for sentence in self.text.sentences_of(passage):
                values = self._values(sentence, previous, previous_period)
                for value in values:
                    value.statistic = self._emit(value, values, previous, counters)
                    stats.append(value.statistic)
                if values:
                    previous = values
                    previous_period = next((v.period for v in values if v.period), previous_period)
        return stats

    def _emit(self, value: _Value, values: list[_Value], previous: list[_Value], counters: dict[int, int]) -> Statistic:
        """Statistic `p{line}-{n}-force`; an England and Wales value shares the n of the force value it is compared with."""
        if value.area is Area.ENGLAND_AND_WALES:
            partner = next((v for v in reversed(values) if v.area is Area.FORCE and v.start < value.start and v.unit == value.unit), None)
            if partner is None:
                partner = next((v for v in reversed(previous) if v.area is Area.FORCE and v.unit == value.unit), None)
            if partner is not None and partner.n:
                if partner.statistic is not None and partner.statistic.comparison is None:
                    # The words between the two figures: "4.2 percent of calls ... This is in line with the".
                    between = value.before[partner.start:] if partner in values else value.before
                    partner.statistic.comparison = comparison_words(between)
                value.indicator = partner.indicator or value.indicator
                value.period = value.period or partner.period
                value.n = partner.n
                return Statistic(f"p{partner.line}-{value.n}-ew", value.indicator, value.value, value.unit, value.area, value.period,
                                 value.line)
        counters[value.line] = counters.get(value.line, 0) + 1
        value.n = counters[value.line]
        suffix = "force" if value.area is Area.FORCE else "ew"
        return Statistic(f"p{value.line}-{value.n}-{suffix}", value.indicator, value.value, value.unit, value.area, value.period,
                         value.line)

    def _values(self, sentence: Sentence, previous: list[_Value], previous_period: str) -> list[_Value]:
        text = sentence.text
        if re.search(r"\bforces\b", text) and not self.ew_re.search(text):
            return []   # figures about other forces
        cues = [m.start() for m in COMPARATOR_RE.finditer(text)]
        periods = [(m.start(), m.end(), m.group()) for r in PERIOD_RES for m in r.finditer(text)]
        values: list[_Value] = []
        for match in VALUE_RE.finditer(text):
            before, after = text[:match.start()], text[match.end():]
            if SKIP_AFTER_RE.match(after) or SKIP_BEFORE_RE.search(before) or re.match(r"^\s*\d{4}\b", after):
                continue
            number = float(match.group(2).replace(",", "") + (match.group(3) or ""))
            if not match.group(3) and "," not in match.group(2) and 1990 <= number <= 2099 and not PERCENT_RE.match(after):
                continue   # a year
            scale = {"million": 1e6, "billion": 1e9}.get(match.group(4) or "", 1)
            found = self._unit_and_indicator(match, before, after)
            if found is None:
                continue
            unit, indicator, sign = found
            if indicator.startswith("change ") and re.match(r"^(?:This|That)\b", text) and previous and " in " not in indicator:
                indicator = f"change in {previous[-1].indicator} {indicator[len('change '):]}".strip()
            period = self._period(periods, match.start(), match.end(), text, previous_period)
            values.append(_Value(sign * number * scale, unit, indicator, self._area(text, match.start(), cues), period,
                                 sentence.passage.line_at(sentence.start + match.start()), match.start(), before=before))
        return values

    def _area(self, text: str, at: int, cues: list[int]) -> Area:
        """England and Wales when the clause around the value (between comparison words) names it and not the force."""
        if not self.ew_re.search(text):
            return Area.FORCE
        start = max([c for c in cues if c <= at], default=0)
        end = min([c for c in cues if c > at], default=len(text))
        clause = text[start:end]
        if self.ew_re.search(clause) and not self.force_re.search(self.ew_re.sub("", clause)):
            return Area.ENGLAND_AND_WALES
        return Area.FORCE

    def _period(self, periods: list[tuple[int, int, str]], start: int, end: int, text: str, previous_period: str) -> str:
        """The period right after the value ('from 72.7 percent in the 12 months to ...'), else the nearest before."""
        following = [p for p in periods if 0 <= p[0] - end <= 25]
        preceding = [p for p in periods if p[1] <= start]
        if following:
            return min(following)[2]
        if preceding:
            return max(preceding)[2]
        if "same period" in text or not periods:
            return previous_period if "same period" in text else ""
        return min(periods)[2]

    def _noun_phrase(self, after: str) -> str:
        """The counted noun after a number: '1,245 registered sex offenders in Essex' -> 'registered sex offenders'."""
        words: list[str] = []
        for word in re.findall(r"\(?[\w'’/-]+\)?", after)[:9]:
            if word.startswith("("):
                if word.endswith(")") and word[1:-1].rstrip("s").isupper():
                    continue
                break
            word = word.rstrip(")")
            if not words and word.lower() in ("all", "the", "its", "their"):
                continue
            acronym = bool(re.fullmatch(r"[A-Z]{2,}s?", word))
            if word.lower() in self.function_words or not word[0].isalpha() or (not words and not word[0].islower() and not acronym):
                break
            if word in ("of", "and") and (not words or word in words):
                break
            if words and words[-1] == "and" and re.search(r"ed$", word):
                words.pop()
                break
            words.append(word)
            if word.endswith(")"):
                break
        while words and words[-1] in ("of", "and"):
            words.pop()
        if len(words) == 1 and re.search(r"(?:ed|ing)$", words[0]):
            return ""
        return " ".join(words)

    def _subject(self, before: str) -> str:
        """The words a change applies to: 'police-recorded crime (excluding fraud) for the 12 months ... has increased by'."""
        clause = re.split(r",\s+|\b(?:that|which|where|when)\s+", before)[-1]
        clause = re.sub(rf"^(?:the\s+)?(?:force|{re.escape(self.text.force)}|{re.escape(self.text.area)})['’]s\s+", "", clause.strip())
        clause = re.sub(r"\s*(?:has|have|had|was|were|is|are)?\s*(?:increased|decreased|fallen|fell|rose|risen|reduced|grown|"
                        r"dropped|gone up|gone down)\s+(?:by|from|to)\s*$", "", clause)
        for pattern in PERIOD_RES:
            clause = pattern.sub("", clause)
        clause = re.sub(r"\s+(?:for|in|over|to|during)(?: the)?\s*$", "", clause.strip())
        clause = re.sub(rf"\s+in\s+(?:{re.escape(self.text.area)}|{re.escape(self.text.force)})\b", "", clause)
        return re.sub(r"^(?:the|a|an)\s+", "", clause.strip(" ,"), flags=re.IGNORECASE).strip()

    def _unit_and_indicator(self, match: re.Match, before: str, after: str) -> tuple[str, str, float] | None:
        if match.group(1):   # £
            rate = RATE_RE.match(after)
            unit = "GBP" + (f" per {rate.group(1)} {rate.group(2) or ''}".rstrip() if rate else "")
            return unit, self._fallback(before) or "amount", 1.0
        percent = PERCENT_RE.match(after)
        if percent:
            return self._percent(before, re.sub(r"^\)", "", after[percent.end():]))
        every = re.search(r"\bfor every (\d[\d,]*) ([\w\s-]+?)(?: recorded)?(?: in the [^,]*)?, there were\s*$", before)
        if every:
            return f"per {every.group(1)} {every.group(2)}", self._noun_phrase(after) or "count", 1.0
        rate = RATE_RE.match(after)
        if rate:
            return self._rate_unit(rate), self._fallback(before), 1.0
        per = PER_NOUN_RE.match(after)
        if per:
            return f"per {per.group(1)}", self._fallback(before), 1.0
        noun = self._noun_phrase(after)
        if not noun:
            were = re.match(r"^\s+(?:are|were|is|was)\s+((?:\w+\s+){0,3}?(?:risk|\w+ed))\b", after)
            return ("count", were.group(1), 1.0) if were else None
        rest = re.sub(r"^\s*\([A-Z]+s?\)", "", after[after.find(noun) + len(noun):])
        rate = RATE_RE.match(rest)
        if rate:
            return self._rate_unit(rate), noun, 1.0
        if noun == "times":
            return "count", self._fallback(before) + " (times)", 1.0
        return "count", noun, 1.0

    @staticmethod
    def _rate_unit(rate: re.Match) -> str:
        return f"per {rate.group(1)} {rate.group(2) or 'population'}".replace("1 million", "one million")

    def _percent(self, before: str, rest: str) -> tuple[str, str, float]:
        sign = 1.0
        change = CHANGE_VERB_RE.search(before)
        change_noun = CHANGE_NOUN_RE.search(before)
        if change and change.group(2) == "by" and change.group(1) in NEGATIVE or change_noun and change_noun.group(1) in NEGATIVE:
            sign = -1.0
        of = re.match(r"^\s+of\s+(.+)", rest)
        were = re.match(r"^\s+(?:were|was|are|is)\s+(.+?)(?=[,;]|\.(?!\d)|$)", rest)
        more = re.match(r"^\s+(fewer|more|higher|lower)\s+(.+?)(?=\s+than\b|[,;](?!\d)|\.(?!\d)|$)", rest)
        trend = re.match(r"^\s+(increase|decrease|reduction|fall|rise|drop)\b\s*(.*?)(?=[,;]|\.(?!\d)|$)", rest)
        quoted = re.match(r"^\s+as\s+('[^']+')", rest)
        rate_for = re.search(r".*\brate for (.+?)\s+(?:at|is|was)\s*$", before)
        named = re.search(r"(?:the\s+)?([\w'’ ()-]{3,80}?)\s+(?:rate|average|level|proportion)\s+(?:of|at|is)\s*$", before)
        number_of = re.search(r"\b(increased|reduced|cut|decreased|raised)\s+(?:the\s+)?(.+?)\s+by\s*$", before)
        if rate_for:
            return "percent", rate_for.group(1), sign
        if named and re.search(r"(?:rate|average|level|proportion)\s+(?:of|at)\s*$", before):
            return "percent", self._subject(named.group(1)) + " rate", sign
        if number_of and not change:
            negative = number_of.group(1) in ("reduced", "cut", "decreased")
            return "percent", "change in " + self._subject(number_of.group(2)), -1.0 if negative else 1.0
        if change and change.group(2) in ("from", "to") or re.search(r"\bfrom\s+[\d.]+\s+percent\b.*\bto\s*$", before):
            return "percent", self._subject(re.split(r"\s+from\s+", before)[0] + " by"), sign
        if change or change_noun:
            subject = before[:change_noun.start()] if change_noun and not change else before
            return "percent", "change in " + self._subject(subject), sign
        if more:
            return "percent", f"{more.group(1)} {' '.join(more.group(2).split()[:8])}", -1.0 if more.group(1) in NEGATIVE else 1.0
        if trend:
            return "percent", f"change {trend.group(2)}".strip(), -1.0 if trend.group(1) in NEGATIVE else 1.0
        if of:
            noun = self._noun_phrase(of.group(1))
            if not noun:
                return "percent", " ".join(of.group(1).split()[:6]), sign
            share = SHARE_RE.search(before)
            if share:   # "domestic abuse accounted for 12 percent of all police-recorded crime"
                return "percent", f"{self._subject(share.group(1))} as a share of {noun}", sign
            return "percent", self._qualified(noun, of.group(1), before), sign
        if were:
            return "percent", " ".join(were.group(1).split()[:12]), sign
        if quoted:
            return "percent", quoted.group(1), sign
        if rate_for:
            return "percent", rate_for.group(1), sign
        if named:
            return "percent", self._subject(named.group(1)) + " rate", sign
        return "percent", self._fallback(before), sign

    def _qualified(self, noun: str, following: str, before: str) -> str:
        """A counted noun with what the sentence says about the ones counted: 'percent of calls' is no indicator.

        '1.1 percent of incidents in Essex were identified as having a mental health element' ->
        'incidents identified as having a mental health element'; 'flagged 4.2 percent of calls as
        involving a vulnerable victim' -> 'calls flagged as involving a vulnerable victim'.
        """
        rest = following[following.find(noun) + len(noun):]
        rest = re.sub(rf"^\s+(?:in|across)\s+(?:{re.escape(self.text.area)}|{re.escape(self.text.force)})\b", "", rest)
        end = r"(?=[,;]|\.(?!\d)|$)"
        were = re.match(rf"^\s+(?:were|was|are|is)\s+(\w+ed\s+(?:as|to|by|with|for)\s+.+?){end}", rest)
        if were:
            return f"{noun} {' '.join(were.group(1).split()[:8])}"
        as_ = re.match(rf"^\s+(as\s+.+?){end}", rest)
        if as_:
            verb = re.search(r"\b(\w+ed)\s*$", before)
            return " ".join([noun, *([verb.group(1)] if verb else []), *as_.group(1).split()[:8]])
        return noun

    def _fallback(self, before: str) -> str:
        """The clause before the number, from its verb on: 'Essex has a high expenditure on X (' -> 'high expenditure on X'."""
        before = re.sub(r"[\s(]*(?:around|about|some|only|almost|nearly)?\s*$", "", before)
        before = re.sub(r"\s+(?:of\s+)?(?:more|less|fewer)\s+than$|\s+over$", "", before)
        clauses = [c for c in re.split(r"[,;:]\s+|\s+and\s+", before) if c.strip()]
        clause = clauses[-1] if clauses else before
        if len(clause.split()) < 3:
            clause = re.split(r"\s+(?:is|are|was|were)\s+", before)[0]
        verb = VERB_RE.search(clause)
        if verb and verb.group(1).strip():
            clause = verb.group(1)
        return " ".join(clause.split()[-10:]).strip(" (")
