"""The ontology documentation page: complete, self-contained, escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import OWL, SKOS

from peelkg.cli import main
from peelkg.docs.ontology import write_docs
from peelkg.vocab import PEEL, ontology_graph


class _Page(HTMLParser):
    """Collects ids, hrefs, external resources and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.resources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag in ("script", "link", "img", "iframe") or (tag == "style" and "src" in attrs):
            self.resources.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = write_docs(tmp_path_factory.mktemp("docs"))
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return path, parser


def own_terms(kind) -> list[URIRef]:
    return [s for s in ontology_graph().subjects(RDF.type, kind) if str(s).startswith(str(PEEL))]


def test_the_page_is_written_where_asked(page):
    path, _ = page
    assert path.name == "index.html" and path.stat().st_size > 10_000


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_class_and_property_has_a_section_with_its_label(page, kind):
    _, parsed = page
    text = " ".join(parsed.text)
    graph = ontology_graph()
    for term in own_terms(kind):
        assert str(term)[len(str(PEEL)):] in parsed.ids, term
        assert str(graph.value(term, RDFS.label)) in text, term


def test_the_schemes_list_their_concepts(page):
    _, parsed = page
    text = " ".join(parsed.text)
    for scheme in (PEEL.GradeScheme, PEEL.GradeSourceScheme, PEEL.RoleScheme, PEEL.ThemeScheme):
        assert str(scheme)[len(str(PEEL)):] in parsed.ids
    graph = ontology_graph()
    for concept in graph.subjects(SKOS.inScheme, None):
        assert str(graph.value(concept, SKOS.prefLabel)) in text, concept
    assert "Requires improvement" in text
    assert "county lines" in text            # theme keywords are listed


def test_every_internal_link_has_a_target(page):
    _, parsed = page
    internal = {href[1:] for href in parsed.hrefs if href.startswith("#")}
    assert internal and internal <= parsed.ids


def test_the_page_opens_offline(page):
    _, parsed = page
    assert parsed.resources == []            # no script, stylesheet link, image or frame to fetch


def test_labels_and_comments_are_escaped(tmp_path):
    graph = rdflib.Graph()
    ns = rdflib.Namespace("https://example.org/onto#")
    graph.add((URIRef("https://example.org/onto"), RDF.type, OWL.Ontology))
    graph.add((ns.Thing, RDF.type, OWL.Class))
    graph.add((ns.Thing, RDFS.label, Literal("<script>alert(1)</script>")))
    graph.add((ns.Thing, RDFS.comment, Literal("a & b")))
    html = write_docs(tmp_path, graph).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b" in html
    assert 'id="Thing"' in html


def test_the_docs_command_writes_the_page(tmp_path):
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()
    assert str(tmp_path / "site" / "index.html") in result.output
