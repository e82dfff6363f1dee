"""The analyst's review loop: `peelkg links review` writes candidates, `peelkg links apply` records decisions.

An accepted pair always becomes peel:addresses (method curated); a rejected pair never does
(method rejected), whatever the scorer says; who decided and when are in the graph.
"""

import datetime
import re
import shutil

import pytest
import yaml
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.graph.build import build_store
from peelkg.graph.store import open_store
from peelkg.loaders.curated import CuratedLinkError, curated_path, load_curated
from peelkg.loaders.link import link
from peelkg.loaders.review import ReviewFileError, apply_review
from peelkg.model import Decision, LinkMethod
from peelkg.pipeline import extract_facts
from tests.paths import DATA_DIR, WESSEX

LINKS_DIR = DATA_DIR / "links"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def report(tmp_path):
    copy = tmp_path / WESSEX.name
    shutil.copy(WESSEX, copy)
    return copy


def write_review(report, tmp_path, top: int = 0) -> tuple:
    out = tmp_path / "review.yaml"
    result = run("links", "review", "--report", str(report), "--top", str(top), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, yaml.safe_load(out.read_text(encoding="utf-8"))


def candidates(review: dict):
    for finding in review["reports"][0]["findings"]:
        for candidate in finding["candidates"]:
            yield finding, candidate


# --------------------------------------------------------------------------- the round trip


def test_review_accept_two_reject_one_apply_rebuild_and_the_graph_shows_exactly_those_decisions(report, tmp_path):
    out, review = write_review(report, tmp_path)
    assert review["reports"][0]["report"] == str(report.resolve())
    assert out.read_text(encoding="utf-8").startswith("# Review of the links")
    scored = list(candidates(review))
    assert scored and all(c["decision"] == "open" and c["state"] == "scored" for _, c in scored)
    chains = [c for _, c in scored if "evidence-chain" in c["methods"]]
    assert chains and all(c["chain"]["response"] in c["lines"] for c in chains)

    # reject what the scorer puts above the threshold, accept two it leaves below
    above = [(f, c) for f, c in scored if c["above_threshold"]]
    below = [(f, c) for f, c in scored if not c["above_threshold"] and c["quote"]]
    assert above and len(below) >= 2
    (rejected_finding, rejected), *_ = above
    accepted = below[:2]
    rejected.update(decision="reject", reason="Not what the finding asks for.")
    for _, candidate in accepted:
        candidate.update(decision="accept", reason="The report credits it as the answer.")
    accepted[1][1]["quote"] = " ".join(accepted[1][1]["quote"].split()[:8])    # an analyst's shorter quote
    out.write_text(yaml.safe_dump(review, sort_keys=False), encoding="utf-8")

    result = run("links", "apply", str(out), "--creator", "A. Analyst", "--date", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert "2 accepted, 1 rejected" in result.output
    entries = load_curated(curated_path(report))
    decided = {(e.initiative, e.target): e.decision for e in entries}
    assert decided == {(c["initiative"], f["id"]): Decision.ACCEPT for f, c in accepted} | \
        {(rejected["initiative"], rejected_finding["id"]): Decision.REJECT}
    assert {(e.creator, e.date) for e in entries} == {("A. Analyst", datetime.date(2026, 12, 4))}

    store = tmp_path / "store"
    build_store([report], store, reason=False, jobs=1)
    rows = open_store(store).query("""
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label ?finding ?method ?score ?creator ?date ?addresses WHERE {
            ?link a peel:AddressLink ; peel:initiative ?i ; peel:target ?f ; peel:method ?method ; peel:score ?score ;
                  dcterms:creator ?creator ; dcterms:date ?date .
            ?i rdfs:label ?label . ?f peel:findingId ?finding .
            BIND(EXISTS { ?i peel:addresses ?f } AS ?addresses)
        }""", use_default_graph_as_union=True)
    found = {(r["label"].value, r["finding"].value): (r["method"].value, float(r["score"].value), r["creator"].value,
                                                      r["date"].value, r["addresses"].value == "true") for r in rows}
    expected = {(c["initiative"], f["id"]): ("curated", 1.0, "A. Analyst", "2026-12-04", True) for f, c in accepted}
    expected[(rejected["initiative"], rejected_finding["id"])] = ("rejected", rejected["score"], "A. Analyst", "2026-12-04", False)
    assert found == expected

    # the next review shows the decisions made, and applying it again changes nothing
    before = curated_path(report).read_text(encoding="utf-8")
    _, again = write_review(report, tmp_path, top=1)
    states = {(c["initiative"], f["id"]): (c["state"], c["decision"]) for f, c in candidates(again) if c["decision"] != "open"}
    assert states == {pair: ("curated", "accept") if method == "curated" else ("rejected", "reject")
                      for pair, (method, *_) in expected.items()}
    assert run("links", "apply", str(tmp_path / "review.yaml")).exit_code == 0
    assert curated_path(report).read_text(encoding="utf-8") == before


def test_the_links_command_shows_curated_and_rejected(report, tmp_path):
    facts = extract_facts(report)
    best = max((l for l in link(facts) if l.above_threshold), key=lambda l: l.score)
    label = next(i.label for i in facts.initiatives if i.slug == best.initiative)
    curated_path(report).write_text(
        f"- initiative: {label}\n  target: {best.target}\n  decision: reject\n  rationale: Not what it asks for.\n",
        encoding="utf-8")
    result = run("links", "--report", str(report), "--top", "0")
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if f" {label}  [rejected]" in l)
    assert f"{best.score:.2f}   {label}" in line      # the scorer's score kept, not marked above the threshold
    assert "Unaddressed" in result.output


# --------------------------------------------------------------------------- decisions in the curated file


def test_a_decision_overrules_the_scorer_both_ways(report, tmp_path):
    facts = extract_facts(report)
    scored = link(facts)
    best = max((l for l in scored if l.above_threshold), key=lambda l: l.score)
    weak = min((l for l in scored if not l.above_threshold), key=lambda l: l.score)
    names = {i.slug: i.label for i in facts.initiatives}
    path = tmp_path / "decisions.links.yaml"
    path.write_text(yaml.safe_dump([
        {"initiative": names[best.initiative], "target": best.target, "decision": "reject", "rationale": "No.",
         "creator": "B. Reader", "date": "2026-11-30"},
        {"initiative": names[weak.initiative], "target": weak.target, "decision": "accept", "rationale": "Yes.",
         "quote": next(b.clean for b in facts.document.blocks if b.line_start == weak.passages[0])},
    ], sort_keys=False), encoding="utf-8")
    links = {(l.initiative, l.target): l for l in link(facts, load_curated(path))}
    no, yes = links[(best.initiative, best.target)], links[(weak.initiative, weak.target)]
    assert (no.methods, no.score, no.above_threshold, no.decision) == ([LinkMethod.REJECTED], best.score, False, Decision.REJECT)
    assert no.rationale.startswith("rejected by B. Reader on 2026-11-30: No; the scorer had")
    assert (no.creator, no.date) == ("B. Reader", datetime.date(2026, 11, 30))
    assert (yes.methods, yes.score, yes.above_threshold, yes.decision) == ([LinkMethod.CURATED], 1.0, True, Decision.ACCEPT)
    assert (yes.creator, yes.date) == (None, None)


def test_a_rejected_pair_the_scorer_never_ranked_is_kept_with_score_zero(report):
    facts = extract_facts(report)
    ranked = {(l.initiative, l.target) for l in link(facts)}
    initiative, target = next((i, f.id) for f in facts.findings if f.id.endswith("afi-1") for i in facts.initiatives
                              if (i.slug, f.id) not in ranked)
    path = report.with_name("x.links.yaml")
    path.write_text(f"- initiative: {initiative.label}\n  target: {target}\n  decision: reject\n  rationale: Unrelated.\n",
                    encoding="utf-8")
    rejected = next(l for l in link(facts, load_curated(path)) if (l.initiative, l.target) == (initiative.slug, target))
    assert (rejected.score, rejected.above_threshold, rejected.methods) == (0.0, False, [LinkMethod.REJECTED])
    assert rejected.passages                 # still derived from passages: where the initiative is named


@pytest.mark.parametrize("entry, problem", [
    ("decision: maybe\n  quote: Operation Kite targets county lines gangs", r"entry 1: decision must be accept or reject, not 'maybe'"),
    ("decision: accept", r"entry 1: missing or empty quote"),
    ("quote: Operation Kite targets county lines gangs\n  date: 4 December", r"entry 1: date must be an ISO date"),
])
def test_a_bad_decision_in_a_curated_file_fails_in_one_line_naming_the_file(tmp_path, entry, problem):
    path = tmp_path / "r.links.yaml"
    path.write_text(f"- initiative: Operation Kite\n  target: q4-afi-1\n  {entry}\n  rationale: Why.\n", encoding="utf-8")
    with pytest.raises(CuratedLinkError) as caught:
        load_curated(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and re.search(problem, message), message


def test_two_decisions_on_one_pair_fail(report, tmp_path):
    path = tmp_path / "twice.links.yaml"
    entry = "- initiative: Clearview\n  target: q2-afi-2\n  decision: {}\n  rationale: Why.\n"
    path.write_text(entry.format("reject") + entry.format("reject"), encoding="utf-8")
    with pytest.raises(CuratedLinkError, match=r"entry 2 \(Clearview -> q2-afi-2\): the pair is already decided in entry 1"):
        link(extract_facts(report), load_curated(path))


# --------------------------------------------------------------------------- bad review files


def set_first(review: dict, **values) -> None:
    _, candidate = next(candidates(review))
    candidate.update(values)


@pytest.mark.parametrize("values, problem", [
    ({"decision": "yes"}, r"candidate 1 \(.+ -> q2-afi-1\): decision must be accept, reject or open, not 'yes'"),
    ({"decision": "accept", "quote": "words the report does not contain"},
     r"candidate 1 \(.+ -> q2-afi-1\): quote not found in the report text"),
    ({"decision": "accept", "quote": ""}, r"candidate 1 \(.+ -> q2-afi-1\): an accept needs a quote"),
    ({"decision": "reject", "initiative": "Operation Nightjar"},
     r'candidate 1 \(Operation Nightjar -> q2-afi-1\): no initiative called "Operation Nightjar"'),
])
def test_a_bad_decision_in_a_review_file_fails_in_one_line_naming_the_file_and_writes_nothing(report, tmp_path, values, problem):
    out, review = write_review(report, tmp_path, top=1)
    set_first(review, **values)
    out.write_text(yaml.safe_dump(review, sort_keys=False), encoding="utf-8")
    result = run("links", "apply", str(out))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message and message.startswith(f"peelkg: {out}: {report.name}, q2-afi-1, ") \
        and re.search(problem, message), message
    assert not curated_path(report).exists()


def test_an_unknown_finding_in_a_review_file_fails_naming_the_file(report, tmp_path):
    out, review = write_review(report, tmp_path, top=1)
    finding = review["reports"][0]["findings"][0]
    finding["id"] = "q9-afi-9"
    finding["candidates"][0]["decision"] = "reject"
    out.write_text(yaml.safe_dump(review, sort_keys=False), encoding="utf-8")
    with pytest.raises(CuratedLinkError, match=rf"^{re.escape(str(out))}: .*q9-afi-9.*no area for improvement"):
        apply_review(out)


@pytest.mark.parametrize("text, problem", [("reports: 3\n", "expected `reports:`"), ("[unclosed\n", "not a readable YAML file")])
def test_a_review_file_of_the_wrong_shape_fails_naming_it(tmp_path, text, problem):
    path = tmp_path / "review.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReviewFileError, match=rf"^{re.escape(str(path))}: {re.escape(problem)}"):
        apply_review(path)


def test_apply_keeps_the_curated_files_other_entries_and_its_opening_comment(report, tmp_path):
    kept = "# Decisions on Wessex.\n\n- initiative: Project Harbour\n  target: q3-afi-1\n  quote: Project Harbour\n" \
           "  rationale: The hubs of Project Harbour.\n"
    curated_path(report).write_text(kept, encoding="utf-8")
    out, review = write_review(report, tmp_path, top=1)
    finding, candidate = next((f, c) for f, c in candidates(review) if f["id"] == "q2-afi-1")
    candidate.update(decision="reject", reason="Not this.")
    out.write_text(yaml.safe_dump(review, sort_keys=False), encoding="utf-8")
    apply_review(out, creator="C", date="2026-12-01")
    text = curated_path(report).read_text(encoding="utf-8")
    assert text.startswith("# Decisions on Wessex.\n\n- initiative: Project Harbour")
    entries = load_curated(curated_path(report))
    assert [(e.target, e.decision, e.creator) for e in entries] == [
        ("q3-afi-1", Decision.ACCEPT, None), ("q2-afi-1", Decision.REJECT, "C")]
    # a new decision on the same pair takes the old one's place
    candidate.update(decision="accept", reason="On reflection, yes.")
    out.write_text(yaml.safe_dump(review, sort_keys=False), encoding="utf-8")
    apply_review(out, creator="D")
    assert [(e.target, e.decision, e.creator) for e in load_curated(curated_path(report))] == [
        ("q3-afi-1", Decision.ACCEPT, None), ("q2-afi-1", Decision.ACCEPT, "D")]


def test_apply_refuses_a_bad_date(tmp_path):
    with pytest.raises(ReviewFileError, match="--date must be an ISO date"):
        apply_review(tmp_path / "review.yaml", date="04/12/2026")


def test_the_review_file_shows_each_findings_ask(report, tmp_path):
    _, review = write_review(report, tmp_path, top=1)
    asks = {f.id: f.ask for f in extract_facts(report).findings}
    for finding in review["reports"][0]["findings"]:
        ask = asks[finding["id"]]
        assert finding.get("ask") == ({k: v for k, v in vars(ask).items() if v} if ask else None)
    assert any("ask" in f for f in review["reports"][0]["findings"])
