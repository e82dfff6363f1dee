"""Who and what: initiatives, organisations, places, themes and prose statistics, found by method.

Small made-up paragraphs show each mechanism; the bundled report is checked for the things a
reader finds in it by hand.
"""

import pytest

from peelkg.loaders.assemble import iris_for
from peelkg.loaders.entities import extract_entities
from peelkg.loaders.entity_text import gazetteer, themes_of
from peelkg.loaders.extract import extract
from peelkg.loaders.read import read_report
from peelkg.loaders.segment import segment
from peelkg.model import (
    Area,
    Block,
    BlockKind,
    Document,
    Facts,
    Finding,
    FindingKind,
    InitiativeKind,
    OrganisationKind,
    ReportMeta,
    SourceText,
    Term,
)
from tests.paths import ESSEX

FORCE = "Midshire Police"


def facts_for(*paragraphs: str, section: str = "q4", findings: list[Finding] | None = None,
              terms: list[Term] | None = None) -> Facts:
    """Facts of a one-section report whose paragraphs start on lines 1, 3, 5 ..."""
    blocks = [Block(BlockKind.PARAGRAPH, text, text, 1 + 2 * i, 1 + 2 * i, section=section, heading_line=None)
              for i, text in enumerate(paragraphs)]
    meta = ReportMeta("PEEL: Police effectiveness 2016", FORCE, "peel-2016-effectiveness", 2016, "2017-03", "March 2017",
                      None, "HMIC", f"An inspection of {FORCE}")
    document = Document(SourceText("midshire.txt", list(paragraphs), list(paragraphs)), meta, [], blocks, [])
    facts = Facts(document=document, findings=findings or [], terms=terms or [])
    extract_entities(document, facts)
    return facts


def by_label(items, label):
    found = [i for i in items if i.label == label]
    assert found, f"{label!r} not in {[i.label for i in items]}"
    return found[0]


# --------------------------------------------------------------------------- organisations


def test_three_spellings_of_one_body_give_one_iri():
    facts = facts_for(
        "The Northern Region Special Operations Unit (NRSOU) provides specialist capabilities to the force.",
        "The force sought support for operations from the NRSOU.",
        "NRSOU analysts work alongside officers.",
    )
    units = [o for o in facts.organisations if "NRSOU" in [o.label, *o.alt_labels]]
    assert len(units) == 1
    unit = units[0]
    assert unit.label == "Northern Region Special Operations Unit"
    assert unit.kind is OrganisationKind.REGIONAL_UNIT
    assert {m.passage for m in unit.mentions} == {1, 3, 5}
    assert str(iris_for(facts).organisation(unit.slug, unit.kind)) == \
        "https://w3id.org/peelkg/id/org/northern-region-special-operations-unit"


def test_bodies_are_found_by_their_kind_of_name_and_the_force_itself_is_not_one():
    facts = facts_for(
        "Midshire Police works with Kingsmere Borough Council, the Westley Youth Trust and Dunmore University. "
        "Midshire Police's officers also support the Brackley charity and the Safer Midshire forum.",
    )
    labels = {o.label: o.kind for o in facts.organisations}
    assert labels["Kingsmere Borough Council"] is OrganisationKind.LOCAL_AUTHORITY
    assert labels["Westley Youth Trust"] is OrganisationKind.CHARITY
    assert labels["Dunmore University"] is OrganisationKind.UNIVERSITY
    assert labels["Brackley"] is OrganisationKind.CHARITY
    assert "Safer Midshire forum" in labels
    assert FORCE not in labels and "Midshire Police's" not in labels


def test_a_list_of_bodies_joined_by_and_is_split_at_each_name():
    facts = facts_for("It is a joint operation with Northvale Police and British Transport Police.")
    assert {o.label for o in facts.organisations} == {"Northvale Police", "British Transport Police"}


def test_national_bodies_come_from_the_gazetteer_with_their_roles():
    facts = facts_for("HMIC commissioned Ipsos MORI to conduct a survey of attitudes towards policing.")
    hmic = by_label(facts.organisations, "Her Majesty's Inspectorate of Constabulary")
    assert hmic.kind is OrganisationKind.INSPECTORATE and "regulator" in hmic.roles
    assert "data_source" in by_label(facts.organisations, "Ipsos MORI").roles


def test_gazetteer_lists_the_43_forces_and_no_report_names():
    data = gazetteer()
    assert len(data["police_forces"]) == 43
    text = str(data)
    for name in ("Raptor", "Kestrel", "Wessex", "Southend", "Melchester"):
        assert name not in text


def test_every_body_the_gazetteer_names_has_a_kind():
    """A body the gazetteer knows is never left a bare peel:Organisation, which queries list under no kind."""
    data = gazetteer()
    entries = [e for section in ("national_bodies", "local_bodies") for e in data[section]]
    assert entries and all(OrganisationKind(e["kind"]) is not OrganisationKind.OTHER for e in entries), \
        [e["name"] for e in entries if e["kind"] == OrganisationKind.OTHER.value]
    facts = facts_for("The exercise involved military personnel from the garrison.")
    assert by_label(facts.organisations, "the military").kind is OrganisationKind.NATIONAL_BODY


def test_collaboration_with_another_force():
    facts = facts_for("Midshire Police and Northvale Police tackle serious and organised crime in collaboration.")
    assert [c.organisation for c in facts.collaborations] == ["northvale-police"]
    assert "collaborator" in by_label(facts.organisations, "Northvale Police").roles


# --------------------------------------------------------------------------- initiatives


def test_an_operation_named_in_parentheses_collects_its_description_and_bare_mentions():
    facts = facts_for(
        "Its predictive patrol approach to burglary (Operation Falcon) uses analysis carried out with Dunmore University.",
        "Since Falcon patrols began, burglary has fallen.",
        section="q1",
    )
    falcon = by_label(facts.initiatives, "Operation Falcon")
    assert falcon.kind is InitiativeKind.OPERATION
    assert {"Falcon", "predictive patrol approach to burglary"} <= set(falcon.alt_labels)
    assert falcon.description.startswith("Its predictive patrol approach")
    assert falcon.partners == ["dunmore-university"]
    assert falcon.question_ids == ["q1"]
    assert [m.passage for m in falcon.mentions] == [1, 1, 3]


def test_a_pilot_known_as_a_name_and_the_name_pilot_are_one_initiative():
    facts = facts_for(
        "The force has started a pilot known as Brightwater at Eastbridge police station.",
        "In its first months, the Brightwater pilot reduced waiting times.",
    )
    pilots = [i for i in facts.initiatives if i.kind is InitiativeKind.PILOT]
    assert len(pilots) == 1 and pilots[0].label == "Brightwater"
    assert "Brightwater pilot" in pilots[0].alt_labels
    assert pilots[0].places == ["eastbridge"]


def test_a_scheme_brought_together_with_partners_referred_to_by_it_and_the_scheme():
    facts = facts_for(
        "The Bright Lights scheme is a good example of the force's approach. It brings together the force, "
        "Kingsmere Borough Council and the Westley Youth Trust. The force evaluated the scheme with Dunmore University."
    )
    scheme = by_label(facts.initiatives, "Bright Lights scheme")
    assert scheme.kind is InitiativeKind.SCHEME
    assert scheme.partners == ["dunmore-university", "kingsmere-borough-council", "westley-youth-trust"]


def test_lower_case_plans_and_centres_need_the_force_to_have_or_set_them_up():
    facts = facts_for(
        "The force has developed a revised burglary reduction plan for 2016/17, which has 12 actions.",
        "The force has not been able to develop a county-wide triage hub with partner organisations.",
        "The force is establishing a victim contact centre; it works well.",
        "Every problem-solving plan is reviewed.",
    )
    labels = {i.label: i.kind for i in facts.initiatives}
    assert labels == {"burglary reduction plan 2016/17": InitiativeKind.PLAN, "victim contact centre": InitiativeKind.TEAM}


def test_systems_forms_and_quoted_campaigns():
    facts = facts_for(
        "Profiles are completed on a form (ABC1) and entered into the force's IT system, Orion. "
        "The force promotes crime prevention with the 'Shut it, Lock it' video.",
        "The force introduced a new missing person referral form. The form (MP12) is sent to partners.",
    )
    labels = {i.label: i.kind for i in facts.initiatives}
    assert labels["ABC1"] is InitiativeKind.FORM
    assert labels["Orion"] is InitiativeKind.SYSTEM
    assert labels["'Shut it, Lock it' video"] is InitiativeKind.CAMPAIGN
    assert labels["MP12"] is InitiativeKind.FORM
    assert "missing person referral form" in by_label(facts.initiatives, "MP12").alt_labels


def test_unnamed_arrangements_the_force_introduced_recruited_or_has():
    facts = facts_for(
        "Midshire Police has introduced 12 local cyber investigators to support investigations, but staff do not know "
        "who they are. It also has fingerprint scanning kiosks, where officers can check identities.",
        "The force has recruited a hate crime co-ordinator to help with training.",
        "Each local cyber investigator works with a team, and more fingerprint scanning kiosks are planned.",
        section="q2",
    )
    investigators = by_label(facts.initiatives, "local cyber investigators")
    assert investigators.kind is InitiativeKind.TEAM
    assert investigators.description.startswith("Midshire Police has introduced 12 local cyber investigators")
    assert {m.passage for m in investigators.mentions} == {1, 5}    # the singular is the same node
    kiosks = by_label(facts.initiatives, "fingerprint scanning kiosks")
    assert kiosks.kind is InitiativeKind.SYSTEM and {m.passage for m in kiosks.mentions} == {1, 5}
    assert by_label(facts.initiatives, "hate crime co-ordinator").kind is InitiativeKind.TEAM


def test_a_fully_established_hub_in_a_place_is_read_through_its_acronym():
    facts = facts_for(
        "The force has not yet created a multi-agency safeguarding hub (MASH) across the county; there is a fully "
        "established adults' MASH in Kingsmere.",
        "The adults' MASH at Kingsmere was found to be effective.",
        section="q3",
    )
    mash = by_label(facts.initiatives, "adults' MASH")
    assert mash.kind is InitiativeKind.TEAM and mash.places == ["kingsmere"]
    assert {m.passage for m in mash.mentions} == {1, 3}


def test_amounts_manners_and_what_the_force_lacks_are_not_arrangements():
    facts = facts_for(
        "The force has introduced a number of initiatives to reduce the number still wanted.",
        "The force has established processes to ensure that officers respond well. It has introduced a structured "
        "approach to assessing this information, and has developed a holistic approach to victims.",
        "The force has trained 60 staff from partner organisations. It has not introduced a victim contact team to help.",
        "The force has introduced a range of assessment tools to help officers.",
    )
    assert facts.initiatives == []


def test_a_glossary_term_the_force_trained_staff_in_is_a_concept_not_an_arrangement():
    paragraph = "The force has also trained eight digital media investigators."
    assert [i.label for i in facts_for(paragraph).initiatives] == ["digital media investigators"]
    glossary = Term("digital-media-investigator", "digital media investigator", "A specially trained officer.", 1, 3)
    assert facts_for(paragraph, terms=[glossary]).initiatives == []


def test_bullets_after_the_force_has_introduced_are_one_initiative_each():
    lines = ["For instance, the force has introduced:",
             "- a quality of service team to support victims when necessary;",
             "- an automated victims' code element in the force IT system, Orion, that generates reminders; and",
             "- a victim care card that advises victims of their rights, which officers give to victims."]
    blocks = [Block(BlockKind.PARAGRAPH if n == 1 else BlockKind.BULLET, text, text.removeprefix("- "), n, n, section="q2")
              for n, text in enumerate(lines, 1)]
    meta = ReportMeta("PEEL: Police effectiveness 2016", FORCE, "peel-2016-effectiveness", 2016, "2017-03", "March 2017",
                      None, "HMIC", f"An inspection of {FORCE}")
    document = Document(SourceText("midshire.txt", lines, lines), meta, [], blocks, [])
    facts = Facts(document=document)
    extract_entities(document, facts)
    kinds = {i.label: i.kind for i in facts.initiatives}
    assert kinds == {"quality of service team": InitiativeKind.TEAM, "automated victims' code element": InitiativeKind.SYSTEM,
                     "victim care card": InitiativeKind.INITIATIVE, "Orion": InitiativeKind.SYSTEM}


def test_the_inspectorates_own_programme_is_not_an_initiative():
    facts = facts_for("We re-assess forces as part of our annual PEEL programme.")
    assert facts.initiatives == []


def test_initiatives_carry_themes_from_the_theme_scheme():
    facts = facts_for("The force runs Operation Swan, which targets domestic abuse offenders.")
    assert "domestic-abuse" in by_label(facts.initiatives, "Operation Swan").themes


def test_an_acronym_the_report_defines_carries_the_themes_of_its_long_form():
    facts = facts_for("The Strategic Policing Requirement (SPR) sets out national threats.",
                      "The force runs Operation Heron to oversee its work on the SPR.")
    assert by_label(facts.initiatives, "Operation Heron").themes == ["firearms-and-terrorism"]
    assert themes_of("the SPR", {"SPR": "Strategic Policing Requirement"}) == ["firearms-and-terrorism"]
    assert themes_of("SPRING", {"SPR": "Strategic Policing Requirement"}) == []


def test_findings_get_theme_tags():
    afi = Finding("q3-afi-1", FindingKind.AFI, "q3", "The force should improve its response to missing children.", [1])
    facts = facts_for("A paragraph.", findings=[afi])
    assert ("q3-afi-1", "missing-persons") in {(t.subject, t.theme) for t in facts.theme_tags}
    assert {"gangs", "organised-crime"} <= set(themes_of("county lines drug dealing"))
    assert themes_of("the weather was fine") == []


# --------------------------------------------------------------------------- places


def test_places_follow_place_cues_and_times_do_not():
    facts = facts_for(
        "Officers are co-located at Kingsmere and Westley, and a hub opened in Dunmore in March 2016. "
        "Rates in England and Wales fell. A man was arrested at Eastbridge police station. "
        "The most effective work is in the northern local policing area (Operation Kite).",
    )
    labels = {p.label for p in facts.places}
    assert {"Kingsmere", "Westley", "Dunmore", "Eastbridge", "northern local policing area"} <= labels
    assert not labels & {"March", "England", "England and Wales", "Wales"}
    kite = by_label(facts.initiatives, "Operation Kite")
    assert kite.places == ["midshire-northern-local-policing-area"]


# --------------------------------------------------------------------------- prose statistics


def test_prose_statistics_with_units_areas_and_periods():
    facts = facts_for(
        "In the 12 months to 31 March 2016, Midshire Police recorded 30 incidents of anti-social behaviour per 1,000 population.",
        "As at 1 July 2016, Midshire Police was monitoring 22 organised crime groups (OCGs) per one million of the population. "
        "This compares to 46 OCGs per one million of the population across England and Wales.",
        "Of those who have been the victim of a crime in Midshire, 72.8 percent were satisfied with their whole experience "
        "with the police. This is lower than the England and Wales average of 83.3 percent over the same period.",
        "The force manages 1,245 registered sex offenders.",
    )
    stats = {s.id: s for s in facts.statistics}
    asb = stats["p1-1-force"]
    assert (asb.value, asb.unit, asb.area, asb.period) == (30, "per 1,000 population", Area.FORCE, "12 months to 31 March 2016")
    assert asb.indicator == "incidents of anti-social behaviour"
    assert (stats["p3-1-force"].value, stats["p3-1-ew"].value) == (22, 46)
    assert stats["p3-1-ew"].area is Area.ENGLAND_AND_WALES and stats["p3-1-ew"].unit == "per one million population"
    assert (stats["p5-1-force"].value, stats["p5-1-ew"].value) == (72.8, 83.3)
    assert stats["p5-1-ew"].indicator == stats["p5-1-force"].indicator == "satisfied with their whole experience with the police"
    assert (stats["p7-1-force"].value, stats["p7-1-force"].unit, stats["p7-1-force"].indicator) == \
        (1245, "count", "registered sex offenders")


def test_a_percentage_of_a_counted_noun_says_which_ones_were_counted():
    facts = facts_for(
        "In the 12 months to 30 June 2016, some 1.1 percent of incidents in Midshire were identified as having a mental "
        "health element. This is below the 2.4 percent rate for England and Wales.",
        "In the 12 months to 30 June 2016, Midshire Police flagged 4.2 percent of calls as involving a vulnerable victim. "
        "This is in line with the 3.8 percent rate for England and Wales.",
        "In the same period, police-recorded domestic abuse accounted for 12 percent of all police-recorded crime in "
        "Midshire, compared with 11 percent of all police-recorded crime across England and Wales.",
    )
    stats = {s.id: s for s in facts.statistics}
    assert stats["p1-1-force"].indicator == stats["p1-1-ew"].indicator == "incidents identified as having a mental health element"
    assert stats["p3-1-force"].indicator == stats["p3-1-ew"].indicator == "calls flagged as involving a vulnerable victim"
    assert stats["p5-1-force"].indicator == stats["p5-1-ew"].indicator == \
        "police-recorded domestic abuse as a share of police-recorded crime"


def test_the_reports_own_words_comparing_a_figure_with_england_and_wales_are_kept():
    facts = facts_for(
        "Midshire Police flagged 4.2 percent of calls as involving a vulnerable victim. "
        "This is broadly in line with the 3.8 percent rate for England and Wales.",
        "Some 72.8 percent were satisfied with their whole experience with the police, which is lower than the "
        "England and Wales average of 83.3 percent.",
        "Domestic abuse accounted for 12 percent of all recorded crime, compared with 11 percent across England and Wales.",
    )
    comparisons = {s.id: s.comparison for s in facts.statistics}
    assert comparisons == {"p1-1-force": "broadly in line with", "p1-1-ew": None, "p3-1-force": "lower than",
                           "p3-1-ew": None, "p5-1-force": None, "p5-1-ew": None}


def test_years_dates_and_figure_numbers_are_not_statistics():
    facts = facts_for("In September 2016, Figure 4 showed that the force changed its approach in 2015 within 30 days.")
    assert facts.statistics == []


def test_a_decrease_is_negative():
    facts = facts_for("Recorded crime has increased by 10.9 percent in Midshire compared with a decrease of 3.4 percent "
                      "across all forces in England and Wales.")
    values = {(s.area, s.value) for s in facts.statistics}
    assert values == {(Area.FORCE, 10.9), (Area.ENGLAND_AND_WALES, -3.4)}


# --------------------------------------------------------------------------- the bundled report


@pytest.fixture(scope="module")
def essex():
    document = segment(read_report(ESSEX))
    facts = extract(document)
    extract_entities(document, facts)
    return facts


def names(items):
    return {n.lower() for i in items for n in [i.label, *i.alt_labels]}


def test_essex_initiatives(essex):
    found = names(essex.initiatives)
    for expected in ["operation raptor", "operation scorpion", "operation encompass", "operation shield", "operation titan",
                     "operation insight", "operation perceptional", "exercise falmouth", "exercise dark horizon",
                     "firebreak scheme", "volunteer active citizen scheme", "essex hotel watch scheme",
                     "'lift it, lock it or lose it' video", "integrated offender management scheme",
                     "public protection operations centre", "central referral unit initiative",
                     "national police chiefs' council pilot", "grits", "athena", "pp57", "pp60", "evidence library",
                     "domestic abuse action plan 2016/17", "local digital media investigators", "phone triage kiosks",
                     "quality of service team", "automated victims' code element", "victim care card", "children's mash"]:
        assert expected in found, expected
    assert len({i.slug for i in essex.initiatives}) == len(essex.initiatives)
    investigators = by_label(essex.initiatives, "local digital media investigators")
    afi = next(f for f in essex.findings if f.kind is FindingKind.AFI and "digital media investigators" in f.text)
    assert afi.passages[0] in {m.passage for m in investigators.mentions}
    assert not [i.label for i in essex.initiatives if i.label.startswith(("number of", "structured approach"))]


def test_essex_organisations_and_places(essex):
    found = names(essex.organisations)
    for expected in ["kent police", "metropolitan police service", "city of london police", "national crime agency",
                     "college of policing", "home office", "crown prosecution service", "acro", "npcc", "ersou", "serocu",
                     "st giles trust", "abianda", "children's society", "anglia ruskin university", "university of essex",
                     "essex county council", "probation service", "fire and rescue service", "children's social care",
                     "safer essex forum", "community safety partnerships", "premier inn"]:
        assert expected in found, expected
    assert "essex police" not in found
    places = {p.label for p in essex.places}
    assert {"Southend", "Clacton", "Thurrock", "Colchester", "Basildon", "Rochford", "Chelmsford", "Stansted Airport",
            "Lakeside Shopping Centre", "southern local policing area"} <= places
    kent = by_label(essex.organisations, "Kent Police")
    assert "kent-police" in {c.organisation for c in essex.collaborations} and "collaborator" in kent.roles


def test_essex_prose_statistics(essex):
    prose = {(s.value, s.area) for s in essex.statistics if s.figure is None}
    assert {(22, Area.FORCE), (46, Area.ENGLAND_AND_WALES), (72.8, Area.FORCE), (83.3, Area.ENGLAND_AND_WALES),
            (1245, Area.FORCE), (149, Area.FORCE), (44, Area.FORCE), (401, Area.FORCE)} <= prose
    ids = [s.id for s in essex.statistics]
    assert len(ids) == len(set(ids))
