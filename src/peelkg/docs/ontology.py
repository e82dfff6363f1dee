"""HTML documentation of the ontology: classes, properties and the SKOS schemes.

Written from ontology/peel.ttl and themes.ttl with a Jinja2 template
(ontology.html beside this module); the page is self-contained (inline
CSS, no script, nothing fetched), so it opens offline. pyLODE was the first
choice, but its 3.4.1 wheel cannot be imported (it reads a pyproject.toml it
does not ship).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from peelkg.resources import package_dir
from peelkg.vocab import DCTERMS, ONTOLOGY_IRI, OWL, PEEL, RDF, RDFS, SKOS, ontology_graph, short

TEMPLATE = "ontology.html"
PAGE = "index.html"


@dataclass
class TermDoc:
    iri: str
    anchor: str
    label: str
    comment: str
    facts: list[tuple[str, Markup]] = field(default_factory=list)   # (what, rendered value) rows


@dataclass
class ConceptDoc:
    iri: str
    anchor: str
    label: str
    definition: str
    notation: str
    keywords: list[str]


@dataclass
class SchemeDoc:
    iri: str
    anchor: str
    label: str
    comment: str
    concepts: list[ConceptDoc]


def write_docs(out_dir: Path, graph: Graph | None = None) -> Path:
    """Write the documentation page into out_dir and return its path (default: the peelkg ontology)."""
    graph = graph if graph is not None else ontology_graph()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / PAGE
    page.write_text(render_docs(graph), encoding="utf-8")
    return page


def render_docs(graph: Graph) -> str:
    env = Environment(loader=FileSystemLoader(package_dir("peelkg.docs")), autoescape=select_autoescape(["html"]))
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)), ONTOLOGY_IRI)
    namespace = _namespace_of(graph, ontology)
    docs = _Documenter(graph, namespace)
    return env.get_template(TEMPLATE).render(
        title=_text(graph, ontology, DCTERMS.title) or _text(graph, ontology, RDFS.label) or str(ontology),
        iri=str(ontology),
        namespace=namespace,
        version=_text(graph, ontology, OWL.versionInfo),
        description=_text(graph, ontology, DCTERMS.description) or _text(graph, ontology, RDFS.comment),
        license=str(graph.value(ontology, DCTERMS.license) or ""),
        classes=docs.terms(OWL.Class, docs.class_facts),
        object_properties=docs.terms(OWL.ObjectProperty, docs.property_facts),
        datatype_properties=docs.terms(OWL.DatatypeProperty, docs.property_facts),
        schemes=docs.schemes(),
    )


def _namespace_of(graph: Graph, ontology: Node) -> str:
    iri = str(ontology)
    if iri.rstrip("#/") == str(ONTOLOGY_IRI):
        return str(PEEL)
    return iri if iri.endswith(("#", "/")) else iri + "#"


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    values = sorted(graph.objects(subject, predicate), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
    return str(values[0]) if values else ""


class _Documenter:
    def __init__(self, graph: Graph, namespace: str) -> None:
        self.graph = graph
        self.namespace = namespace

    def own(self, node: Node) -> bool:
        return isinstance(node, URIRef) and str(node).startswith(self.namespace)

    def anchor(self, node: Node) -> str:
        return str(node)[len(self.namespace):] if self.own(node) else ""

    def label(self, node: Node) -> str:
        return _text(self.graph, node, RDFS.label) or _text(self.graph, node, SKOS.prefLabel) or short(node)

    def link(self, node: Node) -> Markup:
        if isinstance(node, BNode):
            return self.expression(node)
        if isinstance(node, Literal):
            return escape(node.n3())
        name = escape(short(node))
        href = f"#{self.anchor(node)}" if self.own(node) else str(node)
        return Markup(f'<a href="{escape(href)}"><code>{name}</code></a>')

    def links(self, nodes) -> Markup:
        return Markup(", ").join(self.link(n) for n in sorted(set(nodes), key=str))

    def expression(self, node: Node) -> Markup:
        """A class expression in Manchester-like words: grade value Good and previousGrade some (...)."""
        g = self.graph
        if not isinstance(node, BNode):
            return self.link(node)
        for connective, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or"), (OWL.oneOf, ",")):
            members = g.value(node, connective)
            if members is not None:
                parts = [self._grouped(m) for m in Collection(g, members)]
                joined = Markup(f" {word} " if word != "," else ", ").join(parts)
                return Markup("{") + joined + Markup("}") if connective == OWL.oneOf else joined
        complement = g.value(node, OWL.complementOf)
        if complement is not None:
            return Markup("not ") + self._grouped(complement)
        on = g.value(node, OWL.onProperty)
        if on is not None:
            for keyword, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value")):
                filler = g.value(node, keyword)
                if filler is not None:
                    return self.link(on) + Markup(f" {word} ") + self._grouped(filler)
        inverse = g.value(node, OWL.inverseOf)
        if inverse is not None:
            return Markup("inverse ") + self.link(inverse)
        return Markup("(anonymous)")

    def _grouped(self, node: Node) -> Markup:
        inner = self.expression(node)
        return Markup("(") + inner + Markup(")") if isinstance(node, BNode) else inner

    def terms(self, kind: URIRef, facts) -> list[TermDoc]:
        nodes = sorted((n for n in self.graph.subjects(RDF.type, kind) if self.own(n)), key=lambda n: self.label(n).lower())
        return [TermDoc(str(n), self.anchor(n), self.label(n), _text(self.graph, n, RDFS.comment), facts(n)) for n in nodes]

    def class_facts(self, cls: Node) -> list[tuple[str, Markup]]:
        g = self.graph
        rows = [
            ("subclass of", self.links(s for s in g.objects(cls, RDFS.subClassOf))),
            ("equivalent to", Markup("; ").join(self.expression(e) for e in g.objects(cls, OWL.equivalentClass))),
            ("subclasses", self.links(g.subjects(RDFS.subClassOf, cls))),
            ("disjoint with", self.links(self._disjoint_with(cls))),
            ("domain of", self.links(g.subjects(RDFS.domain, cls))),
            ("range of", self.links(g.subjects(RDFS.range, cls))),
            ("individuals", self.links(i for i in g.subjects(RDF.type, cls) if self.own(i))),
        ]
        return [(what, value) for what, value in rows if value]

    def _disjoint_with(self, cls: Node) -> set[Node]:
        g = self.graph
        others = set(g.objects(cls, OWL.disjointWith)) | set(g.subjects(OWL.disjointWith, cls))
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
            head = g.value(axiom, OWL.members)
            members = list(Collection(g, head)) if head is not None else []
            if cls in members:
                others.update(m for m in members if m != cls)
        return others

    def property_facts(self, prop: Node) -> list[tuple[str, Markup]]:
        g = self.graph
        characteristics = [short(t).split(":", 1)[1] for t in g.objects(prop, RDF.type)
                           if t not in (OWL.ObjectProperty, OWL.DatatypeProperty)]
        chain = g.value(prop, OWL.propertyChainAxiom)
        inverse = set(g.objects(prop, OWL.inverseOf)) | set(g.subjects(OWL.inverseOf, prop))
        rows = [
            ("characteristics", escape(", ".join(sorted(characteristics)))),
            ("domain", self.links(g.objects(prop, RDFS.domain))),
            ("range", self.links(g.objects(prop, RDFS.range))),
            ("inverse of", self.links(inverse)),
            ("sub-property of", self.links(g.objects(prop, RDFS.subPropertyOf))),
            ("super-property of", self.links(g.subjects(RDFS.subPropertyOf, prop))),
            ("chain", Markup(" then ").join(self.link(p) for p in Collection(g, chain)) if chain is not None else Markup("")),
        ]
        return [(what, value) for what, value in rows if value]

    def schemes(self) -> list[SchemeDoc]:
        g = self.graph
        found = []
        for scheme in sorted(g.subjects(RDF.type, SKOS.ConceptScheme), key=str):
            concepts = [self.concept(c) for c in g.subjects(SKOS.inScheme, scheme)]
            concepts.sort(key=lambda c: (c.notation == "", [-int(c.notation)] if c.notation.isdigit() else [0], c.label.lower()))
            anchor = self.anchor(scheme) or short(scheme)
            found.append(SchemeDoc(str(scheme), anchor, self.label(scheme), _text(g, scheme, RDFS.comment), concepts))
        return found

    def concept(self, node: Node) -> ConceptDoc:
        g = self.graph
        keywords = sorted(str(k) for k in g.objects(node, SKOS.altLabel))
        return ConceptDoc(
            iri=str(node),
            anchor=self.anchor(node) or short(node).replace(":", "-").replace("/", "-"),
            label=_text(g, node, SKOS.prefLabel) or self.label(node),
            definition=_text(g, node, SKOS.definition),
            notation=_text(g, node, SKOS.notation),
            keywords=keywords,
        )
