"""Who and what a report names: initiatives, organisations, places, themes and prose statistics.

Everything is found by method, never from a list of one report's names:

- organisations: the national bodies and police forces of `gazetteer.yaml` (national facts), then
  capitalised names that end in an organisation-type word ("... Council", "... Trust",
  "... Unit", "University of ..."), names followed by "charity" or "forum", and the public
  bodies every force area has, named in lower case ("probation", "children's social care");
- initiatives: naming patterns ("Operation X", "(Operation X)", "Exercise X", "Project X",
  "the X scheme/programme/pilot", "a pilot known as X", "the force's IT system, X", "the form
  (PP57)", "the new force 'Evidence Library'", "the 'X' video"), lower case schemes, plans,
  teams and centres the text says the force has, runs or set up ("has developed a revised
  domestic abuse action plan for 2016/17"), and names in parentheses after a team; unnamed
  arrangements whose head noun is an arrangement word of the gazetteer, which the force has
  brought in or has ("has introduced 15 local digital media investigators to ...", "it also has
  phone triage kiosks, where ...", "a fully established children's MASH in <place>", each bullet
  after "the force has introduced:"), never amounts or manners ("a number of", "an approach");
- places: capitalised names after "in", "at", "from", "across" (and "X police station",
  "the X area", "the southern local policing area");
- aliases collapse to one node: acronyms defined as "long name (ABBR)", a bare name
  ("Kestrel patrols" for Operation Kestrel), case, plural and possessive variants, and
  "the scheme" / "the pilot" / "It" referring back inside a paragraph;
- themes: the keywords (skos:altLabel) of `ontology/themes.ttl`, matched on word boundaries, also
  in the long form of an acronym the report defines and then uses alone ("the SPR");
- prose statistics: a number with its unit ("percent", "per 1,000 population", a counted noun)
  in a paragraph sentence, read as the force's value unless the sentence gives it to England
  and Wales ("compared with 46 for England and Wales").
"""

from __future__ import annotations

from peelkg.loaders.entity_text import Text, norm, themes_of
from peelkg.loaders.initiatives import Initiatives
from peelkg.loaders.organisations import Organisations
from peelkg.loaders.places import Places
from peelkg.loaders.prose_statistics import ProseStatistics
from peelkg.model import Document, Facts, FindingKind, ThemeTag

FINDING_KINDS = (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN, FindingKind.SUMMARY, FindingKind.RECOMMENDATION,
                 FindingKind.PRIOR_FINDING)


def extract_entities(document: Document, facts: Facts) -> None:
    """Fill facts.initiatives, organisations, places, collaborations, theme tags and prose statistics."""
    text = Text.of(document)
    bodies = Organisations(text)
    bodies.find()
    body_spans = bodies.locate()
    term_names = {norm(t.label) for t in facts.terms} | {norm(a) for t in facts.terms for a in t.alt_labels} \
        | {t.label for t in facts.terms} | {a for t in facts.terms for a in t.alt_labels}
    things = Initiatives(text, bodies, body_spans, term_names)
    things.find()
    things.locate()
    masks: dict[int, list[tuple[int, int]]] = {}   # names of bodies and initiatives are not places
    for passage in text.passages:
        masks[id(passage)] = [(s, e) for s, e, _ in body_spans.get(id(passage), [])]
    for thing in things.things.values():
        for passage, start, end, surface in thing.mentions:
            if surface[:1].isupper() and surface not in ("It", "This"):
                masks.setdefault(id(passage), []).append((start, end))
    places = Places(text, masks)
    places.find()
    facts.initiatives = things.result(places)
    facts.organisations, facts.collaborations = bodies.result()
    facts.places = places.result()
    facts.theme_tags = [ThemeTag(f.id, theme, list(f.passages)) for f in facts.findings if f.kind in FINDING_KINDS
                        for theme in themes_of(f.text, things.definitions)]
    facts.statistics = [s for s in facts.statistics if s.figure is not None] + ProseStatistics(text).result()
