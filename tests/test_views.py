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
from peelkg.views import pages as views
from peelkg.views.pages import ViewError
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
    return views.read_view_data(wessex_graph())


@pytest.fixture(scope="module")
def plan():
    data, planned = views.plan_views(wessex_graph(), focus="tideway")
    return data, {(v.report.key if v.report else "", v.name): v for v in planned}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("views")
    graph = wessex_graph()
    graph += hostile_graph()
    return out, views.build_views(graph, out, focus="Operation Tideway")


def view_of(plan, name: str, key: str = WESSEX):
    return plan[1][(key, name)]


def labels(plan, view) -> set[str]:
    return {plan[0].entities[n].label for n in view.graph}


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


# --------------------------------------------------------------------------- reading


def test_read_view_data_from_the_fixture():
    data = views.read_view_data(wessex_graph())
    kinds = {}
    for entity in data.entities.values():
        kinds[entity.kind] = kinds.get(entity.kind, 0) + 1
    assert kinds["initiative"] == 5 and kinds["afi"] == 4 and kinds["judgment"] == 7
    assert [r.force_label for r in data.reports] == ["Wessex Constabulary"]
    assert data.reports[0].key == WESSEX
    assert data.unaddressed == {f"{ID}finding/{WESSEX}/q4-afi-1"}
    clearview = data.entities[f"{ID}initiative/wessex-constabulary/clearview"]
    assert clearview.alt_labels == ["Clearview pilot"]
    assert clearview.description.startswith("The force has recently started a pilot known as Clearview")
    assert (clearview.evidence[0].line_start, clearview.evidence[0].line_end) == (351, 351)
    assert clearview.type_name == "Pilot"


def test_a_dataset_gives_the_same_views_as_its_union():
    dataset = rdflib.Dataset()
    dataset.graph(rdflib.URIRef(REPORT_GRAPH + WESSEX)).parse(DATA / "wessex-report.ttl")
    dataset.graph(rdflib.URIRef(LINKS_GRAPH + WESSEX)).parse(DATA / "wessex-links.ttl")
    from_dataset = {v.name: sorted(v.graph.edges) for v in views.plan_views(dataset)[1]}
    from_union = {v.name: sorted(v.graph.edges) for v in views.plan_views(wessex_graph())[1]}
    assert from_dataset == from_union and from_dataset["overview"]


def test_grades_at_a_glance_with_the_previous_grade(wessex):
    data, planned = views.plan_views(wessex, names=["overview"])
    rows = {row.number: row for row in planned[0].grades}
    assert list(rows) == ["Overall", "Q1", "Q2", "Q3", "Q4", "Q5"]
    assert rows["Q1"].label == "Outstanding" and rows["Q5"].label == "Ungraded"
    assert rows["Q2"].label == "Requires improvement" and rows["Q2"].previous == "2015 Good"


# --------------------------------------------------------------------------- what each view holds


def test_overview_holds_force_questions_judgments_afis_initiatives_partners(plan):
    view = view_of(plan, "overview")
    kinds = sorted(plan[0].entities[n].kind for n in view.graph)
    assert kinds.count("force") == 3          # the force and the two forces it works with
    assert kinds.count("question") == 6 and kinds.count("judgment") == 6
    assert kinds.count("afi") == 4 and kinds.count("initiative") == 5 and kinds.count("organisation") == 6
    assert "2015" not in " ".join(labels(plan, view))   # previous judgments stay in the question views
    assert view.graph.has_edge(f"{ID}initiative/wessex-constabulary/clearview", f"{ID}finding/{WESSEX}/q2-afi-2")


def test_initiatives_afis_weights_edges_by_score_and_marks_unaddressed(plan):
    view = view_of(plan, "initiatives-afis")
    assert view.graph.number_of_nodes() == 9 and view.graph.number_of_edges() == 4
    weak = f"{ID}finding/{WESSEX}/q4-afi-1"
    tideway = f"{ID}initiative/wessex-constabulary/operation-tideway"
    assert view.graph.edges[tideway, weak]["relation"] == "weakLink"
    assert view.graph.nodes[weak].get("unaddressed") is True
    assert sum(1 for n in view.graph if view.graph.nodes[n].get("unaddressed")) == 1
    panel = view.panels[0]
    assert [item.text for item in panel.items] == ["Q4 area for improvement 1"]
    assert panel.items[0].detail.startswith("The force should make greater use of ancillary orders")


def test_a_link_an_analyst_rejected_is_drawn_apart_with_its_method_in_the_tip(tmp_path):
    graph = wessex_graph()
    link = URIRef(f"{ID}link/{WESSEX}/q4-afi-1/operation-tideway")
    graph.set((link, PEEL.method, Literal("rejected")))
    data, planned = views.plan_views(graph)
    view = next(v for v in planned if v.name == "initiatives-afis")
    tideway, target = f"{ID}initiative/wessex-constabulary/operation-tideway", f"{ID}finding/{WESSEX}/q4-afi-1"
    assert view.graph.edges[tideway, target]["relation"] == "rejectedLink"
    page = next(p for p in views.build_views(graph, tmp_path, names=["initiatives-afis"]) if p.name == "initiatives-afis.html")
    edge = next(e for e in vis_payload(page)["edges"] if e["relation"] == "rejectedLink")
    assert edge["dashes"] and "rejected" in edge["tip"]["kind"] and edge["arrows"] == "to"


def test_partners_sizes_by_centrality_and_groups_by_community(plan, wessex):
    view = view_of(plan, "partners")
    graph = view.graph
    assert {plan[0].entities[n].kind for n in graph} == {"force", "initiative", "organisation"}
    assert len({graph.nodes[n]["group"] for n in graph}) >= 2
    sizes = {plan[0].entities[n].label: graph.nodes[n]["size"] for n in graph}
    assert sizes["Wessex Constabulary"] == max(sizes.values())
    assert sizes["Safe Streets scheme"] > sizes["Melchester University"]
    again = views.plan_views(wessex, names=["partners"])[1][0].graph
    assert {n: again.nodes[n]["group"] for n in again} == {n: graph.nodes[n]["group"] for n in graph}


def test_question_view_holds_its_subquestions_findings_initiatives(plan):
    view = view_of(plan, "q2")
    assert labels(plan, view) == {
        "How effective is the force at investigating crime and reducing re-offending?",
        "How effective is the force's subsequent investigation?",
        "How effectively does the force reduce re-offending?",
        "Wessex Constabulary, q2, 2016", "Wessex Constabulary, q2, 2015",
        "Q2 area for improvement 2", "Q2 area for improvement 3", "Q2 summary of findings",
        "Clearview", "Operation Lantern",
    }
    q1 = view_of(plan, "q1")
    assert "Does the force have a problem-solving approach?" in labels(plan, q1)   # a sub-heading, two levels down
    assert "Safe Streets scheme" in labels(plan, q1)
    assert {"Wessex County Council", "Melchester University"} <= labels(plan, q1)


def test_focus_matches_label_or_alias_ignoring_case(plan, wessex):
    view = view_of(plan, "focus-tideway", key="")
    centre = f"{ID}initiative/wessex-constabulary/operation-tideway"
    assert view.graph.nodes[centre]["focus"] is True
    assert view.title == "Around “Operation Tideway” (depth 2)"
    assert {"Severn Vale Police", "Budmouth", "Gangs", "Wessex Constabulary"} <= labels(plan, view)
    only = views.plan_views(wessex, names=["overview"], focus="OPERATION tideway", depth=0)[1][-1]
    assert list(only.graph) == [centre]


def test_focus_on_an_unknown_label_is_a_clear_error(wessex):
    with pytest.raises(ViewError, match=r"no entity labelled 'Operation Tidway'.*did you mean 'Operation Tideway'"):
        views.plan_views(wessex, focus="Operation Tidway")
    with pytest.raises(ViewError, match="--depth"):
        views.plan_views(wessex, focus="Tideway", depth=-1)


def test_unknown_view_name_and_empty_graph_are_errors(wessex):
    with pytest.raises(ViewError, match="unknown view 'bogus'"):
        views.plan_views(wessex, names=["bogus"])
    with pytest.raises(ViewError, match="no peel:Report"):
        views.plan_views(rdflib.Graph())


def test_names_select_views(wessex):
    names = [v.name for v in views.plan_views(wessex, names=["partners", "q3"])[1]]
    assert names == ["partners", "q3"]
    names = [v.name for v in views.plan_views(wessex, names=["questions"])[1]]
    assert names == ["q1", "q2", "q3", "q4", "q5"]


# --------------------------------------------------------------------------- pages


def test_build_writes_views_and_index_for_each_report(built):
    out, pages = built
    assert {p.relative_to(out).as_posix() for p in pages} >= {
        f"{WESSEX}/overview.html", f"{WESSEX}/initiatives-afis.html", f"{WESSEX}/partners.html",
        f"{WESSEX}/q1.html", f"{WESSEX}/q5.html", "peel-2016-effectiveness/hostile-police/overview.html",
        "focus-operation-tideway.html", "index.html"}
    index = parse(out / "index.html")
    links = {a["href"] for tag, a in index.tags if tag == "a"}
    assert {p.relative_to(out).as_posix() for p in pages if p.name != "index.html"} == links
    text = " ".join(index.text)
    assert "Wessex Constabulary" in text and "<script>alert(1)</script>" in text
    for page in pages:
        assert page.read_bytes().decode("utf-8")
    assert not list(out.rglob("*.tmp"))


def test_index_shows_grades_and_an_svg_chart_of_force_against_england_and_wales(built):
    out, _ = built
    html = (out / "index.html").read_text(encoding="utf-8")
    wessex = html[html.index("Wessex Constabulary – "):]
    assert "Requires improvement" in wessex and "Outstanding" in wessex
    svg = wessex[wessex.index("<svg"):wessex.index("</svg>")]
    assert "Recorded crime (excluding fraud)" in svg and ">54.3<" in svg and ">68.2<" in svg
    assert "England and Wales" in svg and "<script" not in svg


def test_chart_handles_negative_values_and_a_missing_side():
    chart = views.Chart(caption="c", unit="percent", force_label="F", comparator_label="E",
                        rows=[views.ChartRow("a", "a", -2.5, 4.0), views.ChartRow("b", "b", 1.0, None)])
    svg = str(views.chart_svg(chart))
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
    assert len(hostile) > 3
    for page in hostile:
        tags = parse(page)
        names = [tag for tag, _ in tags.tags]
        assert names.count("script") == (0 if page.name == "index.html" else 3), page
        assert not {"img", "iframe", "b", "i"} & set(names), page
        assert all(not any(k.startswith("on") for k in attrs) for _, attrs in tags.tags), page
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


def test_vis_network_is_inlined_safely():
    script = views.vis_javascript()
    assert "vis" in script and len(script) > 100_000
    assert "</script" not in script.lower()


def test_edge_tooltip_carries_the_rationale_and_width_the_score(built):
    out, _ = built
    payload = vis_payload(out / WESSEX / "initiatives-afis.html")
    tips = {e["tip"]["title"]: e for e in payload["edges"]}
    clearview = tips["Clearview → Q2 area for improvement 2"]
    assert clearview["tip"]["text"].startswith("Clearview cuts the phones sent to the digital forensics unit")
    assert "score 0.82" in clearview["tip"]["kind"] and clearview["arrows"] == "to"
    tideway = tips["Operation Tideway → Q4 area for improvement 1"]
    assert tideway["dashes"] is True and tideway["width"] < clearview["width"]
    assert clearview["tip"]["source"] == "Report line 385"


def test_node_tooltip_has_description_quote_and_lines(built):
    out, _ = built
    payload = vis_payload(out / WESSEX / "overview.html")
    tip = next(n["tip"] for n in payload["nodes"] if n["tip"]["title"] == "Project Harbour")
    assert tip["text"].startswith("Under Project Harbour, police officers work alongside")
    assert "two multi-agency safeguarding hubs" in tip["quote"] and tip["source"] == "Report line 430"
    unaddressed = [n for n in payload["nodes"] if n.get("unaddressed")]
    assert len(unaddressed) == 1 and unaddressed[0]["shape"] == "star"
    assert unaddressed[0]["label"] == "⚠ Q4 area for improvement 1"
    for node in payload["nodes"]:   # labels are short; questions, which all start alike, keep more words
        limit = {"question": views.QUESTION_WIDTH + len("Overall "), "afi": views.FINDING_WIDTH + len("⚠ Q1: ")}.get(
            node["kind"], views.LABEL_WIDTH)
        assert len(node["label"]) <= limit, node["label"]


def test_building_twice_gives_the_same_pages(tmp_path):
    first = views.build_views(wessex_graph(), tmp_path / "a")
    second = views.build_views(wessex_graph(), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_writes_stay_inside_the_output_directory(tmp_path):
    with pytest.raises(ViewError, match="outside"):
        views._write(tmp_path / "out", "../escape.html", "x")
    assert not (tmp_path / "escape.html").exists()


def test_large_graphs_get_precomputed_positions_and_no_physics(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "LARGE_GRAPH", 150)
    pages = views.build_views(synthetic_graph(200), tmp_path, names=["overview"])
    payload = vis_payload(pages[0])
    assert len(payload["nodes"]) > 150
    assert payload["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n.get("x"), float) and isinstance(n.get("y"), float) for n in payload["nodes"])
    small = vis_payload(views.build_views(synthetic_graph(100), tmp_path / "small", names=["overview"])[0])
    assert small["options"]["physics"]["stabilization"]["iterations"] == 200 and "x" not in small["nodes"][0]
    assert small["options"]["edges"]["smooth"] is False


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
    written = sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.html"))
    assert written == ["focus-clearview-pilot.html", "index.html", f"{WESSEX}/overview.html", f"{WESSEX}/partners.html"]
    assert not (tmp_path / "lib").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "store"]


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
    data, planned = views.plan_views(graph, names=["initiatives-afis"])
    labels = views.node_labels(views.Index(data), planned[0].graph)
    afis = sorted(label for node, label in labels.items() if data.entities[node].kind == "afi")
    assert afis == ["Q2: …improve the way it locates and…", "Q2: …reduce the backlog of computers…",
                    "Q3: …work with partner organisations…", "Q4: …make greater use of ancillary…"]
    assert labels[f"{ID}initiative/wessex-constabulary/clearview"] == "Clearview"


def test_an_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(ViewError, match="cannot write the view"):
        views.build_views(wessex_graph(), blocker, names=["partners"])
    assert blocker.read_text(encoding="utf-8") == "not a directory"
