"""The on-disk store: directories, loading, reading back, removing a report, the rdflib view, export."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from peelkg.graph import store as st
from peelkg.resources import GRAPH_BASE, ONTOLOGY_GRAPH, ontology_file

PEEL = rdflib.Namespace("https://w3id.org/peelkg/ontology#")
ID = rdflib.Namespace("https://w3id.org/peelkg/id/")
KEY = "peel-2016-effectiveness/north-police"
OTHER = "peel-2016-effectiveness/south-police"


def report_graphs(key: str = KEY) -> dict[str, rdflib.Graph]:
    """A small report graph with awkward literals, and its links graph."""
    report = rdflib.Graph()
    passage = ID[f"passage/{key}/L12"]
    report.add((passage, RDF.type, PEEL.Passage))
    report.add((passage, PEEL.text, Literal('A "quoted" line .\nand a second line ending in .')))
    report.add((passage, PEEL.lineStart, Literal(12)))
    report.add((passage, RDFS.label, Literal("Passage à la ligne 12", lang="fr")))
    stat = ID[f"statistic/{key}/fig1-r1-force"]
    report.add((stat, PEEL.value, Literal(Decimal("0.25"))))
    report.add((stat, PEEL.unit, Literal("%")))
    node = BNode()
    report.add((stat, PEEL.note, node))
    report.add((node, RDFS.comment, Literal("blank node content")))
    links = rdflib.Graph()
    links.add((ID[f"link/{key}/q1-afi-1/op-x"], PEEL.score, Literal(Decimal("0.5"))))
    return {GRAPH_BASE + "report/" + key: report, GRAPH_BASE + "links/" + key: links}


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            "graphs differ\nonly expected:\n" + only_expected.serialize(format="nt")
            + "\nonly actual:\n" + only_actual.serialize(format="nt")
        )


@pytest.fixture
def store_dir(tmp_path):
    """A store holding two reports, closed again so that tests can open it as they need."""
    path = tmp_path / "store"
    store = st.create_store(path)
    st.load_graphs(store, report_graphs(KEY))
    st.load_graphs(store, report_graphs(OTHER))
    st.load_graphs(store, {GRAPH_BASE + "inferred/" + KEY: rdflib.Graph()})
    st.finish(store)
    del store
    return path


# --------------------------------------------------------------------------- directories


def test_absent_and_empty_directories_may_become_stores(tmp_path):
    st.check_replaceable(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    st.check_replaceable(tmp_path / "empty")


def test_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(st.StoreError, match="not a peelkg store"):
        st.check_replaceable(tmp_path)
    with pytest.raises(st.StoreError, match="not a peelkg store"):
        st.open_store(tmp_path)
    with pytest.raises(st.StoreError, match="not a directory"):
        st.check_replaceable(tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_a_store_is_recognised(store_dir):
    assert st.is_store(store_dir)
    st.check_replaceable(store_dir)


def test_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(st.StoreError, match="peelkg build"):
        st.open_store(tmp_path / "nowhere")


def test_create_refuses_an_existing_path(store_dir):
    with pytest.raises(st.StoreError, match="already exists"):
        st.create_store(store_dir)


def test_the_directory_is_the_store_itself(store_dir):
    """`pyoxigraph.Store.read_only(DIR)` (and so `oxigraph serve-read-only --location DIR`) opens it directly."""
    store = ox.Store.read_only(str(store_dir))
    assert ox.NamedNode(GRAPH_BASE + "report/" + KEY) in set(store.named_graphs())


# --------------------------------------------------------------------------- load and read back


def test_graphs_read_back_as_loaded(store_dir):
    store = st.open_store(store_dir)
    for iri, graph in report_graphs(KEY).items():
        assert_isomorphic(graph, st.read_graph(store, iri))


def test_plain_literals_stay_plain(store_dir):
    """Read back for pySHACL: a plain string must not come back typed xsd:string."""
    graph = st.read_graph(st.open_store(store_dir), GRAPH_BASE + "report/" + KEY)
    unit = next(graph.objects(None, PEEL.unit))
    assert unit == Literal("%") and unit.datatype is None
    assert next(graph.objects(None, PEEL.value)).datatype == XSD.decimal


def test_to_nquads_puts_each_graph_in_its_name():
    data = st.to_nquads(report_graphs(KEY))
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    for iri, graph in report_graphs(KEY).items():
        assert_isomorphic(graph, dataset.graph(URIRef(iri)))


def test_blank_nodes_get_the_same_labels_every_time_and_apart_per_graph():
    text = "@prefix ex: <https://example.org/> . ex:a ex:note [ ex:text 'one' ; ex:next [ ex:text 'two' ] ] ."
    first, second = rdflib.Graph().parse(data=text), rdflib.Graph().parse(data=text)
    assert set(first.objects(None, URIRef("https://example.org/note"))) != set(second.objects(None, URIRef("https://example.org/note")))
    report, links = GRAPH_BASE + "report/" + KEY, GRAPH_BASE + "links/" + KEY

    assert st.to_nquads({report: first}) == st.to_nquads({report: second})   # rdflib's random labels are gone
    dataset = rdflib.Dataset()
    dataset.parse(data=st.to_nquads({report: first, links: second}), format="nquads")
    in_report = {term for triple in dataset.graph(URIRef(report)) for term in triple if isinstance(term, BNode)}
    in_links = {term for triple in dataset.graph(URIRef(links)) for term in triple if isinstance(term, BNode)}
    assert len(in_report) == len(in_links) == 2 and not in_report & in_links
    assert_isomorphic(first, dataset.graph(URIRef(report)))


def test_malformed_iris_are_refused():
    with pytest.raises(st.StoreError, match="graph not an iri"):
        st.to_nquads({"not an iri": rdflib.Graph()})
    graph = rdflib.Graph()
    graph.add((URIRef("https://example.org/a b"), RDFS.label, Literal("x")))
    with pytest.raises(st.StoreError, match="a b"):
        st.to_nquads({GRAPH_BASE + "report/" + KEY: graph})


def test_list_reports_and_sizes(store_dir):
    store = st.open_store(store_dir)
    assert st.list_reports(store) == [KEY, OTHER]
    sizes = st.graph_sizes(store)
    assert sizes[GRAPH_BASE + "report/" + KEY] == len(report_graphs()[GRAPH_BASE + "report/" + KEY])
    assert sizes[GRAPH_BASE + "inferred/" + KEY] == 0   # an empty graph is still listed


def test_remove_report_removes_only_its_graphs(store_dir):
    store = st.open_store(store_dir, read_only=False)
    removed = st.remove_report(store, KEY)
    assert removed == sorted(GRAPH_BASE + kind + "/" + KEY for kind in ("inferred", "links", "report"))
    assert st.list_reports(store) == [OTHER]
    assert all(not iri.endswith(KEY) for iri in st.graph_names(store))
    assert st.graph_size(store, GRAPH_BASE + "links/" + OTHER) == 1


def test_load_ontology_replaces_the_ontology_graph(tmp_path):
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text("@prefix peel: <https://w3id.org/peelkg/ontology#> .\npeel:A a peel:Old .\n")
    second.write_text("@prefix peel: <https://w3id.org/peelkg/ontology#> .\npeel:B a peel:New .\n")
    store = st.create_store(tmp_path / "store")
    assert st.load_ontology(store, [first]) == 1
    assert st.load_ontology(store, [second]) == 1
    assert set(st.read_graph(store, ONTOLOGY_GRAPH)) == {(PEEL.B, RDF.type, PEEL.New)}


def test_bad_ontology_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    store = st.create_store(tmp_path / "store")
    with pytest.raises(st.StoreError, match="bad.ttl"):
        st.load_ontology(store, [bad])


def test_the_ontology_graph_holds_the_packaged_ontology(tmp_path):
    assert ontology_file("peel.ttl") in st.ontology_files()
    store = st.create_store(tmp_path / "store")
    expected = rdflib.Graph()
    for path in st.ontology_files():
        expected.parse(path, format="turtle")
    st.load_ontology(store)
    assert_isomorphic(expected, st.read_graph(store, ONTOLOGY_GRAPH))


# --------------------------------------------------------------------------- the rdflib view


def test_rdflib_dataset_over_the_store(store_dir):
    dataset = st.rdflib_dataset(store_dir)
    iri = GRAPH_BASE + "links/" + KEY
    assert len(dataset.get_graph(URIRef(iri))) == 1
    rows = list(dataset.query("SELECT ?s WHERE { GRAPH ?g { ?s <https://w3id.org/peelkg/ontology#score> ?o } }"))
    assert len(rows) == 2
    with pytest.raises(RuntimeError, match="read-write"):
        dataset.add((ID.x, RDFS.label, Literal("x"), URIRef(iri)))   # read-only by default


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("fmt,rdflib_format", [
    (st.ExportFormat.TRIG, "trig"),
    (st.ExportFormat.NQUADS, "nquads"),
    (st.ExportFormat.JSONLD, "json-ld"),
])
def test_dataset_exports_keep_the_named_graphs(store_dir, fmt, rdflib_format):
    data = st.export(store_dir, fmt)
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=rdflib_format)
    for key in (KEY, OTHER):
        for iri, graph in report_graphs(key).items():
            assert_isomorphic(graph, dataset.graph(URIRef(iri)))


def test_turtle_export_is_the_union_of_the_graphs(store_dir):
    merged = rdflib.Graph()
    for key in (KEY, OTHER):
        for graph in report_graphs(key).values():
            merged += graph
    exported = rdflib.Graph().parse(data=st.export(store_dir, st.ExportFormat.TURTLE), format="turtle")
    assert_isomorphic(merged, exported)


def test_export_to_a_file_is_atomic(store_dir, tmp_path):
    out = tmp_path / "out" / "dump.nq"
    out.parent.mkdir()
    assert st.export(store_dir, st.ExportFormat.NQUADS, out) is None
    assert out.read_bytes() == st.export(store_dir, st.ExportFormat.NQUADS)
    assert [path.name for path in out.parent.iterdir()] == ["dump.nq"]


def test_export_to_an_unwritable_place_is_a_clear_error(store_dir, tmp_path):
    with pytest.raises(st.StoreError, match="cannot write"):
        st.export(store_dir, st.ExportFormat.TRIG, tmp_path / "missing-folder" / "dump.trig")


def test_export_of_a_missing_store(tmp_path):
    with pytest.raises(st.StoreError, match="no store"):
        st.export(tmp_path / "nowhere", st.ExportFormat.TRIG)


def test_literals_with_page_breaks_and_line_separators_load(tmp_path):
    """N-Quads lines end at "\\n" only: a form feed, NEL or U+2028 inside a literal is not a line end."""
    graph = rdflib.Graph()
    text = "a\fb\vc\x85d\u2028e\u2029f\x1cg"
    graph.add((rdflib.URIRef("https://example.org/p"), rdflib.RDFS.label, rdflib.Literal(text)))
    store = st.create_store(tmp_path / "store")
    st.load_graphs(store, {"https://example.org/g": graph})
    assert [str(o) for _, _, o in st.read_graph(store, "https://example.org/g")] == [text]
