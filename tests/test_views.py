"""Network views: what each view holds, escaping, offline pages, files, CLI.

The browser checks (layout settles, counts in the page, no console error) are in
test_views_browser.py.
"""

from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from peelkg.cli import main
from peelkg.views import build_views, plan_views, read_view_data
from peelkg.views.build import write
from peelkg.views.entities import Index
from peelkg.views.index_page import Chart, ChartRow, chart_svg
from peelkg.views.layout import crossings, order_columns
from peelkg.views.model import ViewError
from peelkg.views.network import FINDING_WIDTH, QUESTION_WIDTH, node_labels
from peelkg.views.assets import vis_javascript
from peelkg.views.text import LABEL_WIDTH
from tests.paths import DATA_DIR

DATA = DATA_DIR / "views"
ID = "https://w3id.org/peelkg/id/"
PEEL = rdflib.Namespace("https://w3id.org/peelkg/ontology#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
WESSEX = "peel-2016-effectiveness/wessex-constabulary"
REPORT_GRAPH = "https://w3id.org/peelkg/graph/report/"
LINKS_GRAPH = "https://w3id.org/peelkg/graph/links/"


def wessex_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(DATA / "wessex-report.ttl")
    graph.parse(DATA / "wessex-links.ttl")
    return graph


def review_graph() -> rdflib.Graph:
    """The Wessex fixture with an ask, a curated and a rejected link, and a link's passages."""
    graph = wessex_graph()
    graph.parse(DATA / "wessex-review.ttl")
    return graph


def hostile_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(DATA / "hostile.ttl")
    return graph


def synthetic_graph(nodes: int, seed: int = 1) -> rdflib.Graph:
    """A report graph in the shape of docs/graph.md whose overview has about `nodes` nodes:
    a tenth areas for improvement, half initiatives, the rest partner organisations."""
    rng = random.Random(seed)
    graph = rdflib.Graph()
    add = graph.add
    insp, force_slug = "peel-2016-effectiveness", "synthetic-police"
    force, report = URIRef(f"{ID}force/{force_slug}"), URIRef(f"{ID}report/{insp}/{force_slug}")
    add((force, RDF.type, PEEL.PoliceForce))
    add((force, RDFS.label, Literal("Synthetic Police")))
    add((report, RDF.type, PEEL.Report))
    add((report, PEEL.aboutForce, force))
    add((report, RDFS.label, Literal("Synthetic report")))
    lines = iter(range(1, 10 * nodes + 100))

    def passage(entity: URIRef, text: str, section: URIRef | None = None) -> None:
        line = next(lines)
        node = URIRef(f"{ID}passage/{insp}/{force_slug}/L{line}")
        for p, o in ((RDF.type, PEEL.Passage), (PEEL.text, Literal(text)), (PEEL.inReport, report),
                     (PEEL.lineStart, Literal(line)), (PEEL.lineEnd, Literal(line))):
            add((node, p, o))
        if section is not None:
            add((node, PEEL.section, section))
        add((entity, PROV.wasDerivedFrom, node))

    questions = []
    for number in range(6):
        tag = "overall" if number == 0 else f"q{number}"
        question = URIRef(f"{ID}question/{insp}/{tag}")
        add((question, RDF.type, PEEL.OverallQuestion if number == 0 else PEEL.CoreQuestion))
        add((question, RDFS.label, Literal(f"How effective is the force at task {number}?")))
        if number:
            add((question, PEEL.questionNumber, Literal(number)))
        questions.append(question)
        judgment = URIRef(f"{ID}judgment/{insp}/{force_slug}/{tag}")
        for p, o in ((RDF.type, PEEL.Judgment), (PEEL.question, question), (PEEL.force, force),
                     (PEEL.grade, rng.choice([PEEL.Good, PEEL.RequiresImprovement])), (PEEL.inReport, report)):
            add((judgment, p, o))
        passage(judgment, f"The force is good at task {number}.", question)
    rest = max(nodes - 13, 3)
    n_afi, n_initiative = max(rest // 10, 1), max(rest // 2, 1)
    afis, orgs = [], []
    for k in range(n_afi):
        afi = URIRef(f"{ID}finding/{insp}/{force_slug}/q{k % 5 + 1}-afi-{k}")
        text = f"The force should improve how it handles matter number {k} across the county."
        for p, o in ((RDF.type, PEEL.AreaForImprovement), (RDFS.label, Literal(f"Area for improvement {k}")),
                     (PEEL.text, Literal(text)), (PEEL.question, questions[k % 5 + 1]), (PEEL.inReport, report)):
            add((afi, p, o))
        passage(afi, text, questions[k % 5 + 1])
        afis.append(afi)
    for k in range(max(rest - n_afi - n_initiative, 1)):
        org = URIRef(f"{ID}org/organisation-{k}")
        add((org, RDF.type, PEEL.Organisation))
        add((org, RDFS.label, Literal(f"Partner organisation {k}")))
        passage(org, f"The force works with partner organisation {k} on several schemes.")
        orgs.append(org)
    for k in range(n_initiative):
        initiative = URIRef(f"{ID}initiative/{force_slug}/initiative-{k}")
        description = f"Operation Number {k} brings together partners to reduce harm in the area."
        for p, o in ((RDF.type, PEEL.Operation), (RDFS.label, Literal(f"Operation Number {k}")),
                     (PEEL.force, force), (PEEL.description, Literal(description))):
            add((initiative, p, o))
        passage(initiative, description + " It has run since 2015 and was evaluated with a university.",
                questions[k % 5 + 1])
        for org in rng.sample(orgs, min(len(orgs), rng.randint(1, 3))):
            add((initiative, PEEL.involves, org))
        if rng.random() < 0.3:
            afi, score = rng.choice(afis), round(rng.uniform(0.1, 0.95), 2)
            link = URIRef(f"{ID}link/{insp}/{force_slug}/initiative-{k}")
            for p, o in ((RDF.type, PEEL.AddressLink), (PEEL.initiative, initiative), (PEEL.target, afi),
                         (PEEL.score, Literal(str(score), datatype=XSD.decimal)),
                         (PEEL.rationale, Literal("Shares words with the area for improvement."))):
                add((link, p, o))
            if score > 0.35:
                add((initiative, PEEL.addresses, afi))
    return graph


@pytest.fixture(scope="module")
def wessex():
    """The fixture read once; plan_views takes it in place of a graph."""
    return read_view_data(wessex_graph())


@pytest.fixture(scope="module")
def plan():
    data, planned = plan_views(review_graph(), focus="tideway")
    return data, {(v.report.key if v.report else "", v.name): v for v in planned}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("views")
    graph = review_graph()
    graph += hostile_graph()
    return out, build_views(graph, out, focus="Operation Tideway")


def view_of(plan, name: str, key: str = WESSEX):
    return plan[1][(key, name)]


def labels(plan, view) -> set[str]:
    return {plan[0].entities[n].label for n in view.graph}


def by_level(plan, view) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for node in view.graph:
        found.setdefault(view.graph.nodes[node]["level"], set()).add(plan[0].entities[node].kind)
    return found


def vis_payload(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    found = re.search(r'<script id="view-data" type="application/json">(.*?)</script>', text, re.S)
    assert found, f"{path} has no view data"
    return json.loads(found.group(1))


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text outside scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


def parse(path: Path) -> Tags:
    tags = Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    return tags


def links_of(path: Path) -> set[str]:
    return {a["href"] for tag, a in parse(path).tags if tag == "a" and a.get("href")}


# --------------------------------------------------------------------------- reading


def test_read_view_data_from_the_fixture():
    data = read_view_data(wessex_graph())
    kinds = {}
    for entity in data.entities.values():
        kinds[entity.kind] = kinds.get(entity.kind, 0) + 1
    assert kinds["initiative"] == 5 and kinds["afi"] == 4 and kinds["judgment"] == 7
    assert [r.force_label for r in data.reports] == ["Wessex Constabulary"]
    assert data.reports[0].key == WESSEX and data.reports[0].threshold == 0.35
    assert data.unaddressed == {f"{ID}finding/{WESSEX}/q4-afi-1"}
    clearview = data.entities[f"{ID}initiative/wessex-constabulary/clearview"]
    assert clearview.alt_labels == ["Clearview pilot"]
    assert clearview.description.startswith("The force has recently started a pilot known as Clearview")
    assert (clearview.evidence[0].line_start, clearview.evidence[0].line_end) == (351, 351)
    assert clearview.type_name == "Pilot"
    assert data.asks == {} and all(not l.problem and not l.response for l in data.links)


def test_asks_reviews_and_link_passages_are_read_where_present():
    data = read_view_data(review_graph())
    q3 = f"{ID}finding/{WESSEX}/q3-afi-1"
    [ask] = data.asks[q3]
    assert (ask.action, ask.scope, ask.purpose) == ("work with partner organisations to ensure",
                                                    "in the north of the county, including Melchester",
                                                    "as effective as those in Budmouth and Sandbourne")
    reviews = {l.iri.rsplit("/", 1)[1]: l.review for l in data.links if l.target == q3}
    assert reviews == {"project-harbour": "curated", "operation-tideway": "rejected"}
    harbour = next(l for l in data.links if l.iri.endswith("q3-afi-1/project-harbour"))
    assert [(p.line_start, p.text[:20]) for p in harbour.problem] == [(430, "The force's public p")]
    assert harbour.methods == ["curated", "evidence-chain", "lexical", "same-section", "shared-theme"]


def test_a_dataset_gives_the_same_views_as_its_union():
    dataset = rdflib.Dataset()
    dataset.graph(rdflib.URIRef(REPORT_GRAPH + WESSEX)).parse(DATA / "wessex-report.ttl")
    dataset.graph(rdflib.URIRef(LINKS_GRAPH + WESSEX)).parse(DATA / "wessex-links.ttl")
    from_dataset = {v.name: sorted(v.graph.edges) for v in plan_views(dataset)[1]}
    from_union = {v.name: sorted(v.graph.edges) for v in plan_views(wessex_graph())[1]}
    assert from_dataset == from_union and from_dataset["overview"]


def test_grades_at_a_glance_with_the_previous_grade(wessex):
    data, planned = plan_views(wessex, names=["overview"])
    rows = {row.number: row for row in planned[0].grades}
    assert list(rows) == ["Overall", "Q1", "Q2", "Q3", "Q4", "Q5"]
    assert rows["Q1"].label == "Outstanding" and rows["Q5"].label == "Ungraded"
    assert rows["Q2"].label == "Requires improvement" and rows["Q2"].previous == "2015 Good"


# --------------------------------------------------------------------------- layout


def test_barycentre_ordering_removes_the_crossings_it_can():
    import networkx as nx

    graph = nx.Graph([("a", "z"), ("b", "y"), ("c", "x"), ("x", "p"), ("z", "q")])
    level = {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "z": 1, "p": 2, "q": 2}
    columns = order_columns(graph, level=level.__getitem__, band=lambda n: 0, start=lambda n: n)
    assert crossings(graph, [["a", "b", "c"], ["x", "y", "z"], ["p", "q"]]) == 3
    assert crossings(graph, columns) == 0
    assert [sorted(c) for c in columns] == [["a", "b", "c"], ["x", "y", "z"], ["p", "q"]]


def test_bands_keep_their_order_inside_a_column():
    import networkx as nx

    graph = nx.Graph([("a", "y2"), ("b", "y1")])
    level = {"a": 0, "b": 0, "y1": 1, "y2": 1}
    band = {"a": 0, "b": 0, "y1": 0, "y2": 1}      # y1 must stay above y2, whatever crosses
    columns = order_columns(graph, level=level.__getitem__, band=band.__getitem__, start=lambda n: n)
    assert columns[1] == ["y1", "y2"] and columns[0] == ["b", "a"]


def test_the_bundled_layouts_cross_less_than_alphabetical_order(plan):
    view = view_of(plan, "overview")
    graph = view.graph
    levels: dict[int, list[str]] = {}
    for node in sorted(graph, key=lambda n: plan[0].entities[n].label):
        levels.setdefault(graph.nodes[node]["level"], []).append(node)
    alphabetical = [levels[k] for k in sorted(levels)]
    ordered = order_columns(graph, level=lambda n: graph.nodes[n]["level"], band=lambda n: graph.nodes[n]["band"],
                            start=lambda n: plan[0].entities[n].label)
    assert crossings(graph, ordered) <= crossings(graph, alphabetical)
    assert crossings(graph, ordered) == 0


# --------------------------------------------------------------------------- what each view holds


def test_overview_is_a_hierarchy_in_levels(plan):
    view = view_of(plan, "overview")
    assert by_level(plan, view) == {0: {"force"}, 1: {"question"}, 2: {"afi"}, 3: {"initiative"},
                                    4: {"force", "organisation"}}
    graph = view.graph
    for a, b in graph.edges:    # every edge joins neighbouring levels: a hierarchy, not a knot
        assert abs(graph.nodes[a]["level"] - graph.nodes[b]["level"]) == 1, (a, b)
    grades = {plan[0].entities[n].label[:40]: graph.nodes[n]["grade"] for n in graph if "grade" in graph.nodes[n]}
    assert grades["How effective is the force at investigat"] == "RequiresImprovement"
    assert "2015" not in " ".join(labels(plan, view))
    assert graph.has_edge(f"{ID}initiative/wessex-constabulary/clearview", f"{ID}finding/{WESSEX}/q2-afi-2")


def test_initiatives_afis_has_questions_findings_initiatives_and_each_kind_of_link(plan):
    view = view_of(plan, "initiatives-afis")
    assert by_level(plan, view) == {0: {"question"}, 1: {"afi"}, 2: {"initiative"}}
    assert view.threshold == 0.35
    q3, q4 = f"{ID}finding/{WESSEX}/q3-afi-1", f"{ID}finding/{WESSEX}/q4-afi-1"
    tideway = f"{ID}initiative/wessex-constabulary/operation-tideway"
    harbour = f"{ID}initiative/wessex-constabulary/project-harbour"
    relation = view.graph.edges
    assert relation[tideway, q4]["relation"] == "weakLink" and relation[tideway, q3]["relation"] == "rejectedLink"
    assert relation[harbour, q3]["relation"] == "curated"
    assert view.graph.nodes[q4].get("unaddressed") is True
    bands = {plan[0].entities[n].label: view.graph.nodes[n]["band"] for n in view.graph if plan[0].entities[n].kind == "afi"}
    assert bands["Q2 area for improvement 2"] == bands["Q2 area for improvement 3"] < bands["Q3 area for improvement 1"]
    panel = view.panels[0]
    assert [item.text for item in panel.items] == ["Q4 area for improvement 1"]
    assert panel.items[0].href == "findings/q4-afi-1.html"
    assert panel.note == "1 of 4 areas for improvement has no initiative addressing it."


def test_a_link_an_analyst_rejected_is_drawn_apart_with_its_method_in_the_tip(tmp_path):
    graph = wessex_graph()
    link = URIRef(f"{ID}link/{WESSEX}/q4-afi-1/operation-tideway")
    graph.set((link, PEEL.method, Literal("rejected")))
    data, planned = plan_views(graph)
    view = next(v for v in planned if v.name == "initiatives-afis")
    tideway, target = f"{ID}initiative/wessex-constabulary/operation-tideway", f"{ID}finding/{WESSEX}/q4-afi-1"
    assert view.graph.edges[tideway, target]["relation"] == "rejectedLink"
    page = next(p for p in build_views(graph, tmp_path, names=["initiatives-afis"]) if p.name == "initiatives-afis.html")
    edge = next(e for e in vis_payload(page)["edges"] if e["relation"] == "rejectedLink")
    assert edge["dashes"] and "rejected" in edge["tip"]["kind"] and edge["arrows"] == "to"


def test_partners_has_no_hub_and_only_initiatives_with_partners(plan, wessex):
    view = view_of(plan, "partners")
    graph = view.graph
    assert f"{ID}force/wessex-constabulary" not in graph
    assert labels(plan, view) >= {"Operation Tideway", "Project Harbour", "Safe Streets scheme", "Severn Vale Police"}
    assert not {"Clearview", "Operation Lantern"} & labels(plan, view)
    assert by_level(plan, view) == {0: {"force", "organisation"}, 1: {"initiative"}}
    assert len({graph.nodes[n]["group"] for n in graph}) >= 2
    sizes = {plan[0].entities[n].label: graph.nodes[n]["size"] for n in graph}
    assert sizes["Wessex County Council"] > sizes["Melchester University"]
    assert max(sizes, key=sizes.get) in {"Project Harbour", "Safe Streets scheme"}
    again = plan_views(wessex, names=["partners"])[1][0].graph
    assert {n: again.nodes[n]["group"] for n in again} == {n: graph.nodes[n]["group"] for n in graph}


def test_question_view_holds_its_judgments_findings_initiatives_partners(plan):
    view = view_of(plan, "q2")
    assert labels(plan, view) == {
        "How effective is the force at investigating crime and reducing re-offending?",
        "Wessex Constabulary, q2, 2016", "Wessex Constabulary, q2, 2015",
        "Q2 area for improvement 2", "Q2 area for improvement 3", "Q2 summary of findings",
        "Clearview", "Operation Lantern",
    }
    q1 = view_of(plan, "q1")
    assert {"Safe Streets scheme", "Wessex County Council", "Melchester University"} <= labels(plan, q1)
    assert by_level(plan, q1) == {0: {"judgment"}, 1: {"question"}, 3: {"initiative"}, 4: {"organisation"}}


def test_focus_matches_label_or_alias_and_stops_at_hubs(plan, wessex):
    view = view_of(plan, "focus-tideway", key="")
    centre = f"{ID}initiative/wessex-constabulary/operation-tideway"
    assert view.graph.nodes[centre]["focus"] is True and view.graph.nodes[centre]["level"] == 0
    assert view.title == "Around “Operation Tideway” (depth 2)"
    assert {"Severn Vale Police", "Budmouth", "Gangs", "Wessex Constabulary"} <= labels(plan, view)
    assert "Clearview" not in labels(plan, view)          # reached only through the force or a question
    through = plan_views(wessex, names=["overview"], focus="tideway", through_hubs=True)[1][-1]
    assert "Clearview" in labels(plan, through) and len(through.graph) > len(view.graph)
    only = plan_views(wessex, names=["overview"], focus="OPERATION tideway", depth=0)[1][-1]
    assert list(only.graph) == [centre]


def test_focus_on_a_hub_crosses_it_once(wessex):
    view = plan_views(wessex, names=["overview"], focus="Wessex Constabulary", depth=2)[1][-1]
    kinds = {wessex.entities[n].kind for n in view.graph if view.graph.nodes[n]["level"] == 1}
    assert "initiative" in kinds
    assert all(view.graph.nodes[n]["level"] <= 2 for n in view.graph)


def test_focus_on_an_unknown_label_is_a_clear_error(wessex):
    with pytest.raises(ViewError, match=r"no entity labelled 'Operation Tidway'.*did you mean 'Operation Tideway'"):
        plan_views(wessex, focus="Operation Tidway")
    with pytest.raises(ViewError, match="--depth"):
        plan_views(wessex, focus="Tideway", depth=-1)


def test_unknown_view_name_and_empty_graph_are_errors(wessex):
    with pytest.raises(ViewError, match="unknown view 'bogus'"):
        plan_views(wessex, names=["bogus"])
    with pytest.raises(ViewError, match="no peel:Report"):
        plan_views(rdflib.Graph())


def test_names_select_views(wessex):
    names = [v.name for v in plan_views(wessex, names=["partners", "q3"])[1]]
    assert names == ["partners", "q3"]
    names = [v.name for v in plan_views(wessex, names=["questions"])[1]]
    assert names == ["q1", "q2", "q3", "q4", "q5"]


# --------------------------------------------------------------------------- pages


def test_build_writes_views_pages_and_index_for_each_report(built):
    out, pages = built
    written = {p.relative_to(out).as_posix() for p in pages}
    assert written >= {
        f"{WESSEX}/overview.html", f"{WESSEX}/initiatives-afis.html", f"{WESSEX}/partners.html",
        f"{WESSEX}/q1.html", f"{WESSEX}/q5.html", "peel-2016-effectiveness/hostile-police/overview.html",
        "focus-operation-tideway.html", "index.html", f"{WESSEX}/findings/q3-afi-1.html",
        f"{WESSEX}/initiatives/project-harbour.html"}
    assert len([p for p in written if p.startswith(f"{WESSEX}/findings/")]) == 4
    assert len([p for p in written if p.startswith(f"{WESSEX}/initiatives/")]) == 5
    assert {p for p in written if p != "index.html"} <= links_of(out / "index.html")
    text = " ".join(parse(out / "index.html").text)
    assert "Wessex Constabulary" in text and "<script>alert(1)</script>" in text
    for page in pages:
        assert page.read_bytes().decode("utf-8")
    assert not list(out.rglob("*.tmp"))


def test_every_finding_and_initiative_node_links_to_its_page(built):
    out, pages = built
    for page in pages:
        if page.parent.name in ("findings", "initiatives") or page.name == "index.html":
            continue
        for node in vis_payload(page)["nodes"]:
            if node["kind"] in ("afi", "concern", "initiative"):
                assert (page.parent / node["href"]).resolve().is_file(), (page, node["label"])
            else:
                assert "href" not in node


def test_finding_page_has_text_question_ask_passages_candidates_and_partners(built):
    out, _ = built
    page = out / WESSEX / "findings/q3-afi-1.html"
    text = " ".join(" ".join(parse(page).text).split())
    assert "The force should work with partner organisations to ensure that multi-agency" in text
    assert "Report lines 456–458" in text and "Q3. How effective is the force at protecting" in text and "Good" in text
    assert "work with partner organisations to ensure" in text and "as effective as those in Budmouth" in text
    assert "Scope in the north of the county, including Melchester" in text
    assert "Where the report describes the problem and the response" in text     # one passage, shown once
    assert text.count("no equivalent arrangement in the north") == 1 + 1        # and once in the candidate's fold
    assert "curated: accepted or asserted by an analyst" in text and "rejected by an analyst" in text
    assert "0.61" in text and "0.41" in text and "Rejected by an analyst: Tideway refers" in text
    assert text.index("Project Harbour") < text.index("Operation Tideway")    # the curated link first
    partners = text[text.index("Partners involved"):]
    assert "National Probation Service" in partners and "Wessex County Council" in partners
    assert "Severn Vale Police" not in partners                              # the rejected link brings none
    assert links_of(page) >= {"../initiatives/project-harbour.html", "../initiatives/operation-tideway.html",
                              "../../../index.html"}


def test_finding_page_without_the_review_data_says_so(tmp_path):
    pages = build_views(wessex_graph(), tmp_path, names=["overview"])
    text = " ".join(" ".join(parse(tmp_path / WESSEX / "findings/q4-afi-1.html").text).split())
    assert "no initiative addresses it" in text
    assert "The graph does not say what it asks for in parts" in text
    assert "No link of this finding names the passage describing the problem." in text
    assert "candidate below the threshold" in text and "0.18" in text
    assert len(pages) == 1 + 4 + 5 + 1


def test_initiative_page_has_description_passages_findings_and_partners(built):
    out, _ = built
    page = out / WESSEX / "initiatives/project-harbour.html"
    text = " ".join(" ".join(parse(page).text).split())
    assert "Under Project Harbour, police officers work alongside" in text and "Report line 430" in text
    assert "Q3 area for improvement 1" in text and "curated" in text
    assert "National Probation Service" in text and "Project" in text
    assert "../findings/q3-afi-1.html" in links_of(page)


def test_index_shows_grades_findings_answered_and_an_svg_chart(built):
    out, _ = built
    html = (out / "index.html").read_text(encoding="utf-8")
    wessex = html[html.index("Wessex Constabulary – "):]
    assert "Requires improvement" in wessex and "Outstanding" in wessex
    svg = wessex[wessex.index("<svg"):wessex.index("</svg>")]
    assert "Recorded crime (excluding fraud)" in svg and ">54.3<" in svg and ">68.2<" in svg
    assert "England and Wales" in svg and "<script" not in svg
    dots = re.findall(r'<a href="([^"]+)" class="dot( answered)?"', wessex)
    assert sorted(dots) == sorted([(f"{WESSEX}/findings/q2-afi-2.html", " answered"),
                                   (f"{WESSEX}/findings/q2-afi-3.html", " answered"),
                                   (f"{WESSEX}/findings/q3-afi-1.html", " answered"),
                                   (f"{WESSEX}/findings/q4-afi-1.html", "")])
    assert "0 of 1" in wessex and "2 of 2" in wessex


def test_index_of_several_reports_has_a_sortable_row_each(built):
    out, _ = built
    index = parse(out / "index.html")
    rows = [a["href"] for tag, a in index.tags if tag == "a" and a.get("href", "").startswith("#")]
    assert rows == ["#peel-2016-effectiveness/hostile-police", f"#{WESSEX}"]
    assert [tag for tag, _ in index.tags].count("script") == 1
    assert any(tag == "table" and "sortable" in (a.get("class") or "") for tag, a in index.tags)


def test_counts_are_pluralised(tmp_path):
    graph = wessex_graph()
    build_views(graph, tmp_path, focus="Budmouth", depth=0)
    text = " ".join(" ".join(parse(tmp_path / "index.html").text).split())
    assert "1 node" in text and not re.search(r"\b1 nodes", text)
    assert "1 area for improvement or cause of concern" not in text and "4 areas for improvement" in text
    assert "1 unaddressed" in text
    page = (tmp_path / "focus-budmouth.html").read_text(encoding="utf-8")
    assert "1 node · 0 edges" in page and "within 0 steps of 1 matching entity;" in page


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_pages_follow_the_umask(tmp_path, umask, mode):
    import os

    previous = os.umask(umask)
    try:
        pages = build_views(wessex_graph(), tmp_path, names=["partners"])
    finally:
        os.umask(previous)
    assert {p.stat().st_mode & 0o777 for p in pages} == {mode}


def test_chart_handles_negative_values_and_a_missing_side():
    chart = Chart(caption="c", unit="percent", force_label="F", comparator_label="E",
                  rows=[ChartRow("a", "a", -2.5, 4.0), ChartRow("b", "b", 1.0, None)])
    svg = str(chart_svg(chart))
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height', svg)]
    assert len(widths) == 2 + 3 and all(w > 0 for w in widths)
    assert ">-2.5<" in svg and ">4<" in svg


def test_no_remote_resource_in_any_page(built):
    _, pages = built
    for page in pages:
        for tag, attrs in parse(page).tags:
            for name in ("src", "href", "action", "data", "poster"):
                value = (attrs.get(name) or "").strip().lower()
                assert not re.match(r"(https?:)?//", value), f"{page}: <{tag} {name}={value}>"
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html), page


def test_text_from_the_graph_is_escaped(built):
    out, pages = built
    hostile = [p for p in pages if "hostile-police" in p.as_posix()] + [out / "index.html"]
    assert len(hostile) > 3 and any(p.parent.name == "findings" for p in hostile)
    for page in hostile:
        tags = parse(page)
        names = [tag for tag, _ in tags.tags]
        expected = 1 if page.name == "index.html" else 0 if page.parent.name in ("findings", "initiatives") else 3
        assert names.count("script") == expected, page
        assert not {"img", "iframe", "b", "i"} & set(names), page
        assert all(not any(k.startswith("on") for k in attrs) for _, attrs in tags.tags), page
        assert not any((a.get("href") or "").lower().startswith("javascript") for _, a in tags.tags), page
        html = page.read_text(encoding="utf-8")
        for raw in ("<script>alert", "<img src=x", "<iframe", "<svg onload", "</script><script>"):
            assert raw not in html, (page, raw)
    overview = out / "peel-2016-effectiveness/hostile-police/overview.html"
    payload = vis_payload(overview)
    by_label = {n["tip"]["title"]: n for n in payload["nodes"]}
    node = by_label["<img src=x onerror=alert(1)>"]
    assert node["tip"]["text"] == 'See <a href="javascript:alert(2)">this link</a> & more'
    assert node["label"] == "<img src=x onerror=alert(1)>"
    assert "<script>alert(1)</script>" in " ".join(parse(overview).text)   # the page heading, as text


def test_findings_over_the_years_on_the_index_are_escaped(tmp_path):
    graph = hostile_graph()
    graph.parse(DATA / "hostile-history.ttl")
    build_views(graph, tmp_path, names=["overview"])
    index = tmp_path / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.count('<table class="history"') == 2          # in the section of each of the two reports
    tags = parse(index)
    names = [tag for tag, _ in tags.tags]
    assert names.count("script") == 1 and not {"img", "iframe", "b"} & set(names)
    assert all(not any(k.startswith("on") for k in attrs) for _, attrs in tags.tags)
    assert not any((a.get("href") or "").lower().startswith("javascript") for _, a in tags.tags)
    for raw in ("<script>alert", "<img src=x", "<iframe", "\"><script>"):
        assert raw not in html, raw
    text = " ".join(" ".join(tags.text).split())
    assert "<script>alert(10)</script> earlier finding" in text                        # the 2015 finding
    assert 'not addressed Progress <iframe src="javascript:alert(13)"></iframe> was not made.' in text
    assert "Raised again: </script><script>alert(3)</script>" in text
    titles = {a.get("title") for _, a in tags.tags}
    assert "The force should <img src=x onerror=alert(11)> improve." in titles


def test_vis_network_is_inlined_safely():
    script = vis_javascript()
    assert "vis" in script and len(script) > 100_000
    assert "</script" not in script.lower()


def test_edges_carry_score_review_and_rationale(built):
    out, _ = built
    payload = vis_payload(out / WESSEX / "initiatives-afis.html")
    assert payload["threshold"] == 0.35 and payload["options"]["physics"] == {"enabled": False}
    tips = {e["tip"]["title"]: e for e in payload["edges"]}
    clearview = tips["Clearview → Q2 area for improvement 2"]
    assert clearview["tip"]["text"].startswith("Clearview cuts the phones sent to the digital forensics unit")
    assert "score 0.82" in clearview["tip"]["kind"] and clearview["arrows"] == "to"
    assert clearview["candidate"] is False and clearview["tip"]["source"] == "Report line 385"
    tideway = tips["Operation Tideway → Q4 area for improvement 1"]
    assert tideway["dashes"] is True and tideway["width"] < clearview["width"]
    assert tideway["candidate"] is True and tideway["score"] == 0.18
    rejected = tips["Operation Tideway → Q3 area for improvement 1"]
    assert rejected["candidate"] is True and rejected["dashes"] == [2, 5] and rejected["relation"] == "rejectedLink"
    assert tips["Project Harbour → Q3 area for improvement 1"]["relation"] == "curated"


def test_node_records_carry_level_tooltip_and_short_label(built):
    out, _ = built
    payload = vis_payload(out / WESSEX / "overview.html")
    tip = next(n["tip"] for n in payload["nodes"] if n["tip"]["title"] == "Project Harbour")
    assert tip["text"].startswith("Under Project Harbour, police officers work alongside")
    assert "two multi-agency safeguarding hubs" in tip["quote"] and tip["source"] == "Report line 430"
    unaddressed = [n for n in payload["nodes"] if n.get("unaddressed")]
    assert len(unaddressed) == 1 and unaddressed[0]["shape"] == "star"
    assert unaddressed[0]["label"] == "⚠ Q4 area for improvement 1"
    assert [n["level"] for n in payload["nodes"]] == sorted(n["level"] for n in payload["nodes"])
    for node in payload["nodes"]:   # labels are short; questions, which all start alike, keep more words
        limit = {"question": QUESTION_WIDTH + len("Overall "), "afi": FINDING_WIDTH + len("⚠ Q1: ")}.get(
            node["kind"], LABEL_WIDTH)
        assert len(node["label"]) <= limit, node["label"]
        assert isinstance(node["x"], float) and isinstance(node["y"], float)


def test_building_twice_gives_the_same_pages(tmp_path):
    first = build_views(review_graph(), tmp_path / "a")
    second = build_views(review_graph(), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_writes_stay_inside_the_output_directory(tmp_path):
    with pytest.raises(ViewError, match="outside"):
        write(tmp_path / "out", "../escape.html", "x")
    assert not (tmp_path / "escape.html").exists()


def test_large_graphs_get_positions_for_every_node(tmp_path):
    pages = build_views(synthetic_graph(300), tmp_path, names=["overview"])
    payload = vis_payload(pages[0])
    assert len(payload["nodes"]) > 150
    assert payload["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n.get("x"), float) and isinstance(n.get("y"), float) for n in payload["nodes"])


# --------------------------------------------------------------------------- command line


@pytest.fixture()
def store_dir(tmp_path):
    from peelkg.graph import store as st

    directory = tmp_path / "store"
    store = st.create_store(directory)
    report, links = rdflib.Graph(), rdflib.Graph()
    report.parse(DATA / "wessex-report.ttl")
    links.parse(DATA / "wessex-links.ttl")
    st.load_graphs(store, {REPORT_GRAPH + WESSEX: report, LINKS_GRAPH + WESSEX: links})
    st.finish(store)
    del store
    return directory


def test_cli_view_writes_pages_from_the_store(store_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["view", "overview", "partners", "--store", str(store_dir), "--out", "site",
                                       "--focus", "clearview pilot", "--depth", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote 13 pages; open ")
    written = sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.html")
                     if p.parent.name not in ("findings", "initiatives"))
    assert written == ["focus-clearview-pilot.html", "index.html", f"{WESSEX}/overview.html", f"{WESSEX}/partners.html"]
    assert not (tmp_path / "lib").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "store"]


def test_cli_view_through_hubs(store_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "o"
    narrow = runner.invoke(main, ["view", "partners", "--store", str(store_dir), "--out", str(out), "--focus", "Tideway"])
    wide = runner.invoke(main, ["view", "partners", "--store", str(store_dir), "--out", str(out / "wide"),
                                "--focus", "Tideway", "--through-hubs"])
    assert narrow.exit_code == 0 and wide.exit_code == 0, (narrow.output, wide.output)
    count = lambda page: len(vis_payload(page)["nodes"])   # noqa: E731
    assert count(out / "wide/focus-tideway.html") > count(out / "focus-tideway.html")


def test_cli_view_errors_are_one_line_with_exit_code_2(store_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["view", "--store", str(store_dir), "--out", str(tmp_path / "o"), "--focus", "Nothing"])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "no entity labelled 'Nothing'" in result.output
    result = runner.invoke(main, ["view", "--store", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no store here" in result.output
    assert "Example: peelkg view" in runner.invoke(main, ["view", "--help"]).output


def test_findings_that_open_alike_are_labelled_by_what_differs():
    graph = wessex_graph()
    for afi in graph.subjects(RDF.type, PEEL.AreaForImprovement):
        graph.set((afi, RDFS.label, graph.value(afi, PEEL.text)))   # as the pipeline labels them
    data, planned = plan_views(graph, names=["initiatives-afis"])
    found = node_labels(Index(data), planned[0].graph)
    afis = sorted(label for node, label in found.items() if data.entities[node].kind == "afi")
    assert afis == ["Q2: …improve the way it locates and…", "Q2: …reduce the backlog of computers…",
                    "Q3: …work with partner organisations…", "Q4: …make greater use of ancillary…"]
    assert found[f"{ID}initiative/wessex-constabulary/clearview"] == "Clearview"


def test_an_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(ViewError, match="cannot write the view"):
        build_views(wessex_graph(), blocker, names=["partners"])
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_the_legend_gives_the_colour_of_each_grade_shown(built):
    out, _ = built
    text = " ".join(" ".join(parse(out / WESSEX / "initiatives-afis.html").text).split())
    assert "Question graded requires improvement 1" in text and "Question graded good 3" in text
    assert "Question graded inadequate" not in text


def test_a_reports_collaborators_are_those_it_states_not_those_another_report_of_its_force_states():
    """A second Wessex report names Severn Vale Police for another reason: the collaboration the first
    report states (its peel:Collaboration) is not the second report's."""
    graph = wessex_graph()
    later = ID + "report/peel-2017-effectiveness/wessex-constabulary"
    passage = ID + "passage/peel-2017-effectiveness/wessex-constabulary/L10"
    graph.parse(format="turtle", data=f"""
        @prefix peel: <https://w3id.org/peelkg/ontology#> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{later}> a peel:Report ; rdfs:label "PEEL: Police effectiveness 2017 – Wessex Constabulary" ;
            peel:aboutForce <{ID}force/wessex-constabulary> ; peel:inspection "peel-2017-effectiveness" ;
            peel:inspectionYear 2017 .
        <{passage}> a peel:Passage ; peel:inReport <{later}> ; peel:lineStart 10 ; peel:lineEnd 10 ;
            peel:text "Burglary fell faster than in Severn Vale Police." .
        <{ID}force/severn-vale-police> prov:wasDerivedFrom <{passage}> .
        """)
    index = Index(read_view_data(graph))
    reports = {report.iri: report for report in index.data.reports}
    assert later in index.entity(ID + "force/severn-vale-police").reports
    assert index.collaborators(reports[ID + "report/" + WESSEX]) == [ID + "force/severn-vale-police"]
    assert index.collaborators(reports[later]) == []
