"""Link stage: scored, explained initiative -> finding links, curated links, their evaluation and the `links` command."""

import inspect
import json
import re
import shutil

import pytest
import yaml
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.loaders import link as linking
from peelkg.loaders.link import CuratedLinkError, LinkFormat, ReportLinks, curated_for, format_links, link, load_curated
from peelkg.evaluate.links import evaluate_annotation, evaluate_links
from peelkg.loaders.asks import with_asks
from peelkg.loaders.assemble import assemble
from peelkg.model import (
    AddressLink,
    Block,
    BlockKind,
    Document,
    Facts,
    Finding,
    FindingKind,
    Initiative,
    InitiativeKind,
    LinkMethod,
    Mention,
    ReportMeta,
    SourceText,
    ThemeTag,
)
from peelkg.pipeline import load_report
from tests.paths import CAUSE_OF_CONCERN, DATA_DIR, ESSEX, WESSEX, WESSEX_KEY

LINKS_DIR = DATA_DIR / "links"

# A small report in the template's shape: (section, kind, text); each passage is one line.
PASSAGES = [
    ("q2", BlockKind.PARAGRAPH, "During our inspection the force had 4,000 people who were wanted. The most effective of the "
     "initiatives to reduce outstanding suspects is being run in the southern local policing area (Operation Beacon), "
     "where the number of outstanding suspects has fallen fastest. The force should ensure that the good practice "
     "identified in the southern local policing area is taken up by the other areas."),
    ("q2", BlockKind.PARAGRAPH, "The force has trained local digital media investigators to support investigations, but "
     "other staff do not know who they are. It also has phone triage kiosks, where staff can download and assess mobile "
     "phone data."),
    ("q3", BlockKind.PARAGRAPH, "The force has not been able to develop a county-wide multi-agency safeguarding hub (MASH) "
     "with partner organisations, and so has developed a public protection operations centre to complete as much of "
     "the work of a MASH as it can."),
    ("q3", BlockKind.PARAGRAPH, "The force runs Operation Harrier, a small team that targets high-risk domestic abuse "
     "offenders and arrests them."),
    ("q4", BlockKind.PARAGRAPH, "Operation Kite targets county lines gangs with a neighbouring force."),
    ("q2", BlockKind.PARAGRAPH, "In 2015 we said that the force should arrest wanted persons more quickly. The force has "
     "made progress: Operation Beacon now reviews every outstanding suspect each week."),
    ("q2", BlockKind.BULLET, "- The force should promote the existence and benefit of its local digital media "
     "investigators and its phone triage kiosks."),
    ("q3", BlockKind.BULLET, "- The force should ensure that processes to reduce outstanding offenders are consistently "
     "applied across the whole force."),
    ("q3", BlockKind.BULLET, "- The force should continue to develop an effective county multi-agency safeguarding hub "
     "so that victims are offered the best possible multi-agency service."),
    ("q3", BlockKind.BULLET, "- The force should ensure that officers undertake roles for which they are qualified and trained."),
    ("q4", BlockKind.BULLET, "- The force should make greater use of ancillary orders to restrict the activities of "
     "organised criminals."),
    ("q4", BlockKind.PARAGRAPH, "The force's local profile holds little information from partner agencies. In response, "
     "the force has set up an intelligence group (Operation Osprey) with the councils to draw partner information into it."),
    ("q4", BlockKind.BULLET, "- The force should develop its local profile with information from partner agencies."),
    ("q1", BlockKind.PARAGRAPH, "Operation Wren patrols the parks, where officers found information from partner "
     "agencies in a local profile of anti-social behaviour."),
]


def make_facts() -> Facts:
    lines = [text for _, _, text in PASSAGES]
    blocks = [Block(kind, text, text.removeprefix("- "), n, n, section) for n, (section, kind, text) in enumerate(PASSAGES, 1)]
    meta = ReportMeta("PEEL: Police effectiveness 2016", "Northshire Police", "peel-2016-effectiveness", 2016, "2017-03",
                      "March 2017", None, "HMIC", "An inspection of Northshire Police")
    document = Document(SourceText("northshire.txt", lines, lines), meta, [], blocks, [])

    def afi(fid: str, line: int) -> Finding:
        return Finding(fid, FindingKind.AFI, fid[:2], lines[line - 1].removeprefix("- "), [line])

    findings = [afi("q2-afi-1", 7), afi("q3-afi-1", 8), afi("q3-afi-2", 9), afi("q3-afi-3", 10), afi("q4-afi-1", 11),
                afi("q4-afi-2", 13),
                Finding("q2-prior-1", FindingKind.PRIOR_FINDING, "q2", "In 2015 we said that the force should arrest wanted "
                        "persons more quickly.", [6], progress="The force has made progress: Operation Beacon now reviews "
                        "every outstanding suspect each week.", progress_passages=[6])]

    def initiative(label: str, kind: InitiativeKind, lines_: list[int], themes: list[str]) -> Initiative:
        slug = re.sub(r"[^a-z]+", "-", label.lower()).strip("-")
        return Initiative(slug, label, kind, question_ids=sorted({PASSAGES[n - 1][0] for n in lines_}),
                          mentions=[Mention(n, label) for n in lines_], themes=themes)

    initiatives = [
        initiative("Operation Beacon", InitiativeKind.OPERATION, [1, 6], ["wanted-persons-and-suspects"]),
        initiative("digital media investigators", InitiativeKind.TEAM, [2], ["digital-evidence"]),
        initiative("phone triage kiosks", InitiativeKind.SYSTEM, [2], ["digital-evidence"]),
        initiative("public protection operations centre", InitiativeKind.TEAM, [3], ["safeguarding"]),
        initiative("Operation Harrier", InitiativeKind.OPERATION, [4], ["domestic-abuse"]),
        initiative("Operation Kite", InitiativeKind.OPERATION, [5], ["gangs", "organised-crime"]),
        initiative("Operation Osprey", InitiativeKind.OPERATION, [12], ["organised-crime"]),
        initiative("Operation Wren", InitiativeKind.OPERATION, [14], ["anti-social-behaviour"]),
    ]
    tags = [ThemeTag("q2-afi-1", "digital-evidence", [7]), ThemeTag("q3-afi-2", "safeguarding", [9]),
            ThemeTag("q3-afi-3", "workforce-and-training", [10]), ThemeTag("q4-afi-1", "organised-crime", [11])]
    return Facts(document=document, findings=with_asks(findings), initiatives=initiatives, theme_tags=tags)


def by_pair(links: list[AddressLink]) -> dict[tuple[str, str], AddressLink]:
    return {(l.initiative, l.target): l for l in links}


@pytest.fixture(scope="module")
def small():
    facts = make_facts()
    return facts, link(facts)


# --------------------------------------------------------------------------- scoring


def test_the_finding_naming_initiatives_links_to_them(small):
    links = by_pair(small[1])
    for slug, name in (("digital-media-investigators", "digital media investigators"), ("phone-triage-kiosks", "phone triage kiosks")):
        found = links[(slug, "q2-afi-1")]
        assert found.above_threshold and LinkMethod.TEXT_CUE in found.methods
        assert f'finding names "{name}"' in found.rationale and found.rationale.startswith("same section (q2)")


def test_an_afi_asking_for_force_wide_practice_links_to_the_local_good_practice_in_another_section(small):
    found = by_pair(small[1])[("operation-beacon", "q3-afi-1")]
    assert found.above_threshold and LinkMethod.SAME_SECTION not in found.methods
    assert 'finding asks for "across the whole force"' in found.rationale and "taken up by the other" in found.rationale
    assert found.passages == [1]


def test_an_afi_naming_a_rare_term_links_to_what_is_described_with_it(small):
    found = by_pair(small[1])[("public-protection-operations-centre", "q3-afi-2")]
    assert found.above_threshold
    assert 'described with "multi-agency safeguarding hub"' in found.rationale and "work of a MASH" in found.rationale


def test_section_and_theme_alone_stay_below_the_threshold(small):
    found = by_pair(small[1])[("operation-kite", "q4-afi-1")]
    assert found.methods == [LinkMethod.SAME_SECTION, LinkMethod.SHARED_THEME]
    assert linking.W_SECTION + linking.W_THEME <= found.score < linking.THRESHOLD and not found.above_threshold


def test_a_previous_finding_links_to_the_initiative_named_where_progress_is_told(small):
    found = by_pair(small[1])[("operation-beacon", "q2-prior-1")]
    assert found.above_threshold and LinkMethod.EVIDENCE_CHAIN in found.methods
    assert "response (L6)" in found.rationale and "Operation Beacon now reviews" in found.rationale


def test_a_chain_from_the_ask_through_the_problem_to_the_response_links_what_the_response_names(small):
    found = by_pair(small[1])[("operation-osprey", "q4-afi-2")]
    assert found.above_threshold and LinkMethod.EVIDENCE_CHAIN in found.methods
    assert (found.problem_passage, found.response_passage) == (12, 12)
    assert found.rationale.index('asks for "its local profile with information from partner agencies"') \
        < found.rationale.index('problem (L12): "The force\'s local profile holds little information') \
        < found.rationale.index('response (L12): "In response, the force has set up an intelligence group (Operation Osprey)')


def test_words_alike_in_another_section_without_a_chain_stay_a_candidate(small):
    found = by_pair(small[1])[("operation-wren", "q4-afi-2")]
    assert LinkMethod.LEXICAL in found.methods and LinkMethod.SAME_SECTION not in found.methods
    assert not found.above_threshold and found.problem_passage is None


def test_an_afi_nothing_answers_is_unaddressed(small):
    facts, links = small
    assert not any(l.above_threshold for l in links if l.target == "q3-afi-3")
    report = ReportLinks("northshire.txt", facts, links)
    assert [f.id for f in report.unaddressed()] == ["q3-afi-3", "q4-afi-1"]


def test_stored_links_rest_on_a_chain_or_an_explicit_cue(small):
    for found in small[1]:
        if found.above_threshold:
            assert {LinkMethod.EVIDENCE_CHAIN, LinkMethod.TEXT_CUE} & set(found.methods), found


def test_links_are_ranked_scored_in_range_deterministic_and_quote_the_text(small):
    facts, links = small
    assert link(make_facts()) == links
    text = " ".join(b.clean for b in facts.document.blocks)
    for finding in facts.findings:
        scores = [l.score for l in links if l.target == finding.id]
        assert scores == sorted(scores, reverse=True)
    for found in links:
        assert 0 <= found.score <= 1 and found.above_threshold == (found.score >= linking.THRESHOLD)
        assert found.passages and set(found.passages) <= {b.line_start for b in facts.document.blocks}
        for quoted in re.findall(r'"([^"]+)"', found.rationale):
            for piece in quoted.split("…"):
                assert piece.strip() in text, (found.initiative, found.target, piece)


def test_weights_sum_to_one_and_the_threshold_is_the_one_assemble_records():
    assert linking.W_SECTION + linking.W_THEME + linking.W_LEXICAL + linking.W_CUE == pytest.approx(1.0)
    assert inspect.signature(assemble).parameters["threshold"].default == linking.THRESHOLD


def test_a_report_without_initiatives_has_no_links():
    facts = make_facts()
    facts.initiatives = []
    assert link(facts) == []


# --------------------------------------------------------------------------- curated links


def test_curated_links_score_one_replace_the_scorer_and_are_checked_against_the_text():
    facts = make_facts()
    curated = load_curated(LINKS_DIR / "good.links.yaml")
    links = by_pair(link(facts, curated))
    beacon, kite = links[("operation-beacon", "q3-afi-1")], links[("operation-kite", "q4-afi-1")]
    assert (beacon.score, beacon.methods, beacon.above_threshold, beacon.passages) == (1.0, [LinkMethod.CURATED], True, [1])
    assert kite.above_threshold and kite.rationale.startswith("curated: An expert's reading")
    assert '"Operation Kite targets county lines gangs"' in kite.rationale
    assert sum(1 for pair in links if pair == ("operation-kite", "q4-afi-1")) == 1


@pytest.mark.parametrize("name, problem", [
    ("bad-quote", r"entry 2 \(Operation Kite -> q4-afi-1\): quote not found in the report text"),
    ("bad-initiative", r'entry 1 \(Operation Nightjar -> q3-afi-1\): no initiative called "Operation Nightjar"'),
    ("bad-target", r"entry 1 \(Operation Kite -> q9-afi-1\): no area for improvement, cause of concern or previous finding q9-afi-1"),
    ("bad-shape", r"entry 1: missing or empty quote"),
    ("not-a-list", r"expected a list of links"),
    ("broken", r"not a readable YAML file"),
])
def test_a_bad_curated_file_fails_with_one_line_naming_the_file_and_entry(name, problem):
    path = LINKS_DIR / f"{name}.links.yaml"
    with pytest.raises(CuratedLinkError) as caught:
        link(make_facts(), load_curated(path))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and re.search(problem, message), message
    assert caught.value.exit_code == 2


def test_curated_links_are_found_beside_the_report(tmp_path):
    report = tmp_path / "northshire.txt"
    assert curated_for(report) == []
    shutil.copy(LINKS_DIR / "good.links.yaml", tmp_path / "northshire.links.yaml")
    assert [c.entry for c in curated_for(report)] == [1, 2]


# --------------------------------------------------------------------------- evaluation


def test_evaluation_counts_precision_recall_and_mrr_against_a_key():
    facts = make_facts()
    key = {
        "initiatives": [{"id": "K-BEACON", "canonical_name": "Operation Beacon"},
                        {"id": "K-KITE", "canonical_name": "the Operation Kite", "aliases": ["Kite"]},
                        {"id": "K-PPOC", "canonical_name": "Public protection operations centre"}],
        "prior_findings_2015": [{"id": "K-2015-Q2-AFI", "quote": "the force should arrest wanted persons"}],
        "initiative_afi_links": [{"initiative": "K-BEACON", "target": "K-2016-Q3-AFI-1"},
                                 {"initiative": "K-BEACON", "target": "K-2015-Q2-AFI"},
                                 {"initiative": "K-PPOC", "target": "K-2016-Q3-AFI-2"},
                                 {"initiative": "K-KITE", "target": "K-2016-Q4-AFI-1"}],
        "non_links": [{"initiative": "K-KITE", "target": "K-2016-Q3-AFI-1"}],
    }
    links = [AddressLink("operation-beacon", "q3-afi-1", 0.7, [], "", [1], True),
             AddressLink("operation-kite", "q3-afi-1", 0.6, [], "", [5], True),
             AddressLink("operation-beacon", "q2-prior-1", 0.8, [], "", [6], True),
             AddressLink("operation-harrier", "q3-afi-2", 0.4, [], "", [4], False),
             AddressLink("public-protection-operations-centre", "q3-afi-2", 0.3, [], "", [3], False)]
    scores = evaluate_links(facts, links, key)
    assert (scores.precision, scores.recall) == (pytest.approx(2 / 3), 0.5)
    assert scores.mrr == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert scores.false_negatives == [("operation-kite", "q4-afi-1"), ("public-protection-operations-centre", "q3-afi-2")]
    assert scores.non_links_hit == scores.false_positives == [("operation-kite", "q3-afi-1")]
    assert "precision 0.67  recall 0.50  MRR 0.62" in scores.format()


def test_evaluation_reports_key_ids_it_cannot_map():
    key = {"initiatives": [], "initiative_afi_links": [{"initiative": "K-NONE", "target": "K-2016-Q1-AFI-9"}]}
    scores = evaluate_links(make_facts(), [], key)
    assert scores.recall == 0 and scores.unmapped == ["K-2016-Q1-AFI-9", "K-NONE"]


# --------------------------------------------------------------------------- link tables


def test_link_tables_in_three_formats(small):
    report = ReportLinks("northshire.txt", *small)
    table = format_links([report], LinkFormat.TABLE, top=2)
    assert "q2-afi-1  The force should promote" in table and "Unaddressed (2)" in table
    assert table.count("   1. ") == len({l.target for l in small[1]})
    data = json.loads(format_links([report], LinkFormat.JSON))
    first = data["reports"][0]
    assert first["unaddressed"] == ["q3-afi-3", "q4-afi-1"] and data["threshold"] == linking.THRESHOLD
    afi = next(f for f in first["findings"] if f["id"] == "q2-afi-1")
    assert {l["label"] for l in afi["links"] if l["above_threshold"]} == {"digital media investigators", "phone triage kiosks"}
    rows = format_links([report], LinkFormat.CSV, top=0).splitlines()
    assert rows[0].startswith("report,finding,kind,unaddressed,rank,initiative")
    assert len(rows) == 1 + len(small[1]) + sum(1 for f in make_facts().findings if not any(l.target == f.id for l in small[1]))


# --------------------------------------------------------------------------- the fictional report and its answer key


@pytest.fixture(scope="module")
def wessex():
    facts = load_report(WESSEX).facts
    return facts, link(facts)


def test_links_of_the_fictional_report_against_its_answer_key(wessex):
    # Floors are the numbers measured when the linker was written; raise them when it improves.
    scores = evaluate_links(*wessex, yaml.safe_load(WESSEX_KEY.read_text(encoding="utf-8")))
    assert (scores.precision, scores.recall, scores.mrr) >= (1.0, 1.0, 1.0), scores.format()
    assert not scores.non_links_hit and not scores.unmapped, scores.format()


def test_the_links_command_prints_ranked_initiatives_then_the_unaddressed_afis():
    result = CliRunner().invoke(main, ["links", "--report", str(WESSEX), "--format", "json", "--top", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["reports"][0]
    best = {f["id"]: f["links"][0]["label"] for f in report["findings"] if f["links"] and f["links"][0]["above_threshold"]}
    assert best["q2-afi-2"] == "Clearview" and best["q3-afi-1"] == "Project Harbour"
    assert report["unaddressed"] == ["q2-afi-1", "q3-afi-2", "q4-afi-1"]
    table = CliRunner().invoke(main, ["links", "--report", str(WESSEX)]).output
    assert "Unaddressed (3)" in table and "Operation Lantern" in table


def test_the_links_command_rejects_a_bad_curated_file_in_one_line(tmp_path):
    report = tmp_path / "wessex-2016-effectiveness.txt"
    shutil.copy(WESSEX, report)
    links_file = tmp_path / "wessex-2016-effectiveness.links.yaml"
    links_file.write_text('- initiative: Project Harbour\n  target: q3-afi-1\n  quote: "a MASH in Melchester"\n'
                          "  rationale: The words are not in the report.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["links", "--report", str(report)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"{links_file}: entry 1 (Project Harbour -> q3-afi-1): quote not found in the report text" in result.stderr


# --------------------------------------------------------------------------- the bundled report


@pytest.fixture(scope="module")
def essex():
    facts = load_report(ESSEX).facts
    return facts, link(facts)   # the scorer alone: no curated links


def afi_about(facts: Facts, words: str) -> str:
    return next(f.id for f in facts.findings if f.kind is FindingKind.AFI and words in f.text)


def initiatives_named(facts: Facts, pattern: str) -> list[str]:
    return [i.slug for i in facts.initiatives if any(re.search(pattern, n, re.IGNORECASE) for n in [i.label, *i.alt_labels])]


def addressing(links: list[AddressLink], target: str) -> set[str]:
    return {l.initiative for l in links if l.target == target and l.above_threshold}


def test_the_scorer_links_force_wide_outstanding_offenders_to_the_southern_operation(essex):
    facts, links = essex
    assert "operation-titan" in addressing(links, afi_about(facts, "reduce outstanding offenders"))


def test_the_scorer_links_the_county_mash_afi_to_what_does_the_work_of_a_mash(essex):
    facts, links = essex
    target = afi_about(facts, "county multi-agency safeguarding hub")
    expected = set(initiatives_named(facts, r"public protection operations centre")) | set(initiatives_named(facts, r"children's MASH"))
    assert "public-protection-operations-centre" in expected and expected <= addressing(links, target)


@pytest.mark.parametrize("name", ["digital media investigators", "phone triage kiosks"])
def test_the_scorer_links_the_digital_evidence_afi_to_what_it_names(essex, name):
    facts, links = essex
    slugs = initiatives_named(facts, rf"^(?:local )?{name}$")
    assert slugs, f"the entity extractor does not report {name!r} as an initiative"
    assert set(slugs) <= addressing(links, afi_about(facts, "digital media investigators"))


def test_the_bundled_curated_links_hold_against_the_report(essex):
    facts, _ = essex
    curated = curated_for(ESSEX)
    assert len(curated) >= 3
    links = [l for l in link(facts, curated) if LinkMethod.CURATED in l.methods]
    assert len(links) == len(curated) and all(l.score == 1.0 and l.above_threshold for l in links)


# --------------------------------------------------------------------------- measured against a reader's annotation

ESSEX_ANNOTATION = LINKS_DIR / "essex-2016-effectiveness.annotation.yaml"


def test_the_scorer_alone_against_the_essex_annotation_made_by_reading_the_report(essex):
    # Floors are the numbers measured when the evidence chains were written: precision 0.92, strong recall 0.91,
    # MRR 0.93 on areas for improvement; raise them when the linker improves.
    facts, links = essex
    own, previous = evaluate_annotation(facts, links, yaml.safe_load(ESSEX_ANNOTATION.read_text(encoding="utf-8")))
    assert own.findings == 9 and own.strong == 11 and not own.unmapped, own.format()
    assert own.precision >= 0.9 and own.strong_recall >= 0.9 and own.mrr >= 0.9, own.format()
    assert previous.precision >= 0.85 and previous.mrr >= 0.85, previous.format()


def test_the_annotation_quotes_the_report_it_describes():
    annotation = yaml.safe_load(ESSEX_ANNOTATION.read_text(encoding="utf-8"))
    lines = ESSEX.read_text(encoding="utf-8").splitlines()
    for finding in annotation["findings"]:
        for answer in finding.get("answers") or []:
            start, end = answer["lines"]
            text = re.sub(r"\s+", " ", " ".join(lines[start - 1:end]))
            assert re.sub(r"\s+", " ", answer["quote"]).strip() in text, (finding["id"], answer["name"])


def test_the_annotation_scores_count_right_wrong_and_missed_links():
    facts = make_facts()
    annotation = {"findings": [
        {"id": "q4-afi-2", "text": PASSAGES[12][2].removeprefix("- "), "answers": [
            {"name": "Operation Osprey", "names": ["intelligence group"], "strength": "strong", "lines": [12, 12]},
            {"name": "Operation Kite", "strength": "strong", "lines": [5, 5]}]},
        {"id": "q3-afi-1", "text": PASSAGES[7][2].removeprefix("- "), "answers": []},
        {"id": "q2-afi-9", "text": "words the report does not have", "answers": []}]}
    links = [AddressLink("operation-osprey", "q4-afi-2", 0.8, [LinkMethod.EVIDENCE_CHAIN], "r", [12], True),
             AddressLink("operation-kite", "q4-afi-2", 0.3, [LinkMethod.LEXICAL], "r", [5], False),
             AddressLink("operation-beacon", "q3-afi-1", 0.7, [LinkMethod.TEXT_CUE], "r", [1], True)]
    own, _ = evaluate_annotation(facts, links, annotation)
    assert (own.findings, own.threshold_links, own.strong) == (2, 2, 2)
    assert own.precision == 0.5 and own.strong_recall == 0.5 and own.mrr == 1.0
    assert own.false_positives == [("operation-beacon", "q3-afi-1")] and own.missed_strong == ["q4-afi-2: Operation Kite"]
    assert own.unmapped == ["q2-afi-9"]


@pytest.mark.parametrize("report", [ESSEX, WESSEX, CAUSE_OF_CONCERN], ids=lambda p: p.stem)
def test_no_place_organisation_or_person_is_an_initiative(report):
    facts = load_report(report).facts

    def names(thing) -> set[str]:
        return {re.sub(r"^(?:the|a|an) ", "", n.lower()) for n in [thing.label, *getattr(thing, "alt_labels", [])]}

    others = set().union(*(names(t) for t in [*facts.places, *facts.organisations])) if facts.places or facts.organisations else set()
    for initiative in facts.initiatives:
        assert not names(initiative) & others, initiative.label
        assert not re.match(r"(?i)(?:the )?(?:(?:deputy |assistant )?chief constable|mr|mrs|ms|dr|sir)\b", initiative.label)


def test_every_stored_link_of_the_bundled_and_fictional_reports_quotes_its_chain_or_cue(essex, wessex):
    for facts, links in (essex, wessex):
        text = re.sub(r"\s+", " ", " ".join(b.clean for b in facts.document.blocks))
        for found in (l for l in links if l.above_threshold):
            if LinkMethod.EVIDENCE_CHAIN in found.methods:
                assert re.search(r'chain: asks for ".+" -> (?:problem \(L\d+\): ".+" -> )?response \(L\d+\): ".+"', found.rationale)
                assert found.problem_passage and found.response_passage
            else:
                assert LinkMethod.TEXT_CUE in found.methods and re.search(
                    r'finding names "|described with "|the report says "|previous finding asked|which the finding names', found.rationale), found
            quoted = re.findall(r'"([^"]+)"', found.rationale)
            assert quoted and all(piece.strip() in text for q in quoted for piece in q.split("…")), found.rationale
