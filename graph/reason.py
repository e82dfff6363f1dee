"""OWL reasoning over one report graph with HermiT, through owlready2.

This is the only module that imports owlready2. Each call works in its own
`World()` (never owlready2's default world), loads the ontology and the report
from local files only, checks consistency and classifies. The inferred triples
come back as their own graph, never mixed with the asserted ones, and keep only
what a user can query: new types of the report's individuals (e.g.
peel:CrossForceInitiative, peel:ImprovedJudgment) and new peel: object property
values (inverse, symmetric, transitive and chained properties).

owlready2 records only the property values that it cannot derive itself:
it leaves out the inverse of an asserted value (peel:addressedBy), the mirror
of a symmetric one (peel:collaboratesWith), and HermiT does not list values
that hold through a sub-property (peel:subQuestionOf under
peel:withinQuestion). Those entailments are added back from the ontology's
property axioms, so the inferred graph is complete for the peel: properties.
Annotations (labels, titles, definitions) have no logical meaning and are not
sent to HermiT, which saves it parsing them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from owlready2 import OwlReadyError, OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit
from owlready2 import reasoning as owlready_reasoning
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from peelkg.errors import InputError, PeelkgError, ValidationFailed
from peelkg.vocab import ONTOLOGY_IRI, OWL, PEEL, RDF, RDFS, XSD, ontology_graph, short

INFERENCES_IRI = "http://inferrences/"   # where owlready2 puts what HermiT inferred (sic)
REPORT_ONTOLOGY_IRI = "urn:peelkg:report"
_BUILTIN_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo}


class ReasonerError(PeelkgError):
    """The reasoner could not run (no Java, or HermiT rejected the input)."""

    exit_code = 2


@dataclass
class ReasoningResult:
    """What reasoning added to one report graph; `inferred` holds no asserted triple."""

    inferred: Graph
    seconds: float
    consistent: bool
    problems: list[str] = field(default_factory=list)


def reason(report_graph: Graph, *, raise_on_inconsistency: bool = True) -> ReasoningResult:
    """Check one report graph for consistency with the ontology and return what HermiT infers.

    An inconsistent graph raises ValidationFailed naming the resources and axioms
    involved (or, with raise_on_inconsistency=False, comes back with
    consistent=False, the explanation in `problems` and nothing inferred).
    """
    started = time.perf_counter()
    _refuse_unresolvable_imports(report_graph)
    ontology = ontology_graph()
    # Annotations (labels, titles, definitions) mean nothing to a DL reasoner, and of the data values
    # only those a class expression of the ontology reads (peel:unaddressed) change what HermiT
    # concludes: the rest (passage texts, line numbers, scores) are checked by the SHACL shapes, and
    # leaving them out makes HermiT about 2.5x faster on a report (13 s -> 5 s on Essex).
    annotations = set(ontology.subjects(RDF.type, OWL.AnnotationProperty)) | _BUILTIN_ANNOTATIONS
    read_values = _data_properties_in_class_expressions(ontology)
    report, logical = Graph(), Graph()
    for triple in report_graph.triples((None, None, None)):
        if triple[1] != OWL.imports:
            report.add(triple)
            if triple[1] not in annotations and (not isinstance(triple[2], Literal) or triple[1] in read_values):
                logical.add(triple)

    world = World()
    try:
        with tempfile.TemporaryDirectory(prefix="peelkg-reason-") as tmp:
            _load(world, ontology, Path(tmp) / "ontology.nt", str(ONTOLOGY_IRI))
            _load(world, logical, Path(tmp) / "report.nt", REPORT_ONTOLOGY_IRI)
            try:
                with _java_dies_with_us():
                    sync_reasoner_hermit(world, infer_property_values=True, debug=0)
            except OwlReadyInconsistentOntologyError as error:
                problems = explain_inconsistency(report, ontology)
                seconds = time.perf_counter() - started
                if raise_on_inconsistency:
                    raise ValidationFailed(
                        "the report graph is logically inconsistent with the ontology: " + "; ".join(problems)
                    ) from error
                return ReasoningResult(Graph(), seconds, False, problems)
            except FileNotFoundError as error:
                raise ReasonerError(f"cannot run HermiT: Java was not found ({error.filename}); install a Java runtime") from error
            except (OwlReadyError, subprocess.SubprocessError) as error:
                first = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
                raise ReasonerError(f"HermiT failed on the report graph: {first}") from error
            raw = _inferred_triples(world)
    finally:
        world.close()

    inferred = _meaningful(raw, report, ontology)
    inferred += _property_closure(report + inferred, ontology) - report
    for prefix, namespace in ontology.namespaces():   # shown as peel:addressedBy, not ns1:addressedBy
        inferred.bind(prefix, namespace, override=False)
    return ReasoningResult(inferred, time.perf_counter() - started, True)


@contextmanager
def _java_dies_with_us() -> Iterator[None]:
    """HermiT's Java process is killed when this process dies, even by SIGKILL (Linux).

    owlready2 starts Java with the Popen arguments of its `_subprocess_kargs`; a `preexec_fn`
    there asks the kernel to kill the child when its parent dies, so a killed build leaves no
    reasoner running. Elsewhere than Linux the Java process is left as owlready2 starts it.
    """
    kargs = getattr(owlready_reasoning, "_subprocess_kargs", None)
    if not sys.platform.startswith("linux") or not isinstance(kargs, dict) or "preexec_fn" in kargs:
        yield
        return
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def die_with_parent() -> None:
        libc.prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
        if os.getppid() != parent:        # the parent died before the request took effect
            os._exit(1)

    kargs["preexec_fn"] = die_with_parent
    try:
        yield
    finally:
        kargs.pop("preexec_fn", None)


def unsatisfiable_classes(ontology: Graph | None = None) -> list[str]:
    """IRIs of the classes HermiT finds can have no member (a modelling error), for ontology checks."""
    ontology = ontology if ontology is not None else ontology_graph()
    world = World()
    try:
        with tempfile.TemporaryDirectory(prefix="peelkg-reason-") as tmp:
            _load(world, ontology, Path(tmp) / "ontology.nt", str(ONTOLOGY_IRI))
            with _java_dies_with_us():
                sync_reasoner_hermit(world, debug=0)
        return sorted(c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing))
    finally:
        world.close()


# --------------------------------------------------------------------------- loading


def _data_properties_in_class_expressions(ontology: Graph) -> set[Node]:
    """Datatype properties that some restriction of the ontology is on (owl:onProperty)."""
    data_properties = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    return {p for p in ontology.objects(None, OWL.onProperty) if p in data_properties}


def _refuse_unresolvable_imports(graph: Graph) -> None:
    """owlready2 would fetch an owl:imports from the web; only the peel ontology is known locally."""
    for imported in sorted(set(graph.objects(None, OWL.imports)), key=str):
        if imported != ONTOLOGY_IRI:
            raise InputError(f"owl:imports <{imported}> cannot be resolved locally; reasoning uses only the peelkg ontology")


def _load(world: World, graph: Graph, path: Path, iri: str) -> None:
    graph.serialize(destination=str(path), format="nt", encoding="utf-8")
    with path.open("rb") as fileobj:
        world.get_ontology(iri).load(fileobj=fileobj, format="ntriples")


def _inferred_triples(world: World) -> Graph:
    """The triples owlready2 stored in its inferences ontology, as a plain rdflib graph."""
    view = world.as_rdflib_graph()
    context = view.get_context(world.get_ontology(INFERENCES_IRI))
    out = Graph()
    for triple in context.triples((None, None, None)):
        out.add(triple)
    return out


# --------------------------------------------------------------------------- keeping what matters


def _meaningful(raw: Graph, report: Graph, ontology: Graph) -> Graph:
    """Individual-level types and peel: object property values about the report's own resources."""
    individuals = {n for n in set(report.subjects()) | set(report.objects()) if isinstance(n, URIRef)}
    individuals -= set(ontology.subjects())
    object_properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    trivial_types = {OWL.Thing, OWL.NamedIndividual}
    kept = Graph()
    for s, p, o in raw:
        if s not in individuals or isinstance(o, (BNode, Literal)) or (s, p, o) in report:
            continue
        if p == RDF.type:
            if o not in trivial_types:
                kept.add((s, p, o))
        elif p in object_properties and str(p).startswith(str(PEEL)):
            kept.add((s, p, o))
    return kept


def _property_closure(graph: Graph, ontology: Graph) -> Graph:
    """Inverse, symmetric and peel: super-property values of the peel: object properties, to a fixpoint."""
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for p, q in ontology.subject_objects(OWL.inverseOf):
        inverses[p].add(q)
        inverses[q].add(p)
    symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    supers: dict[Node, set[Node]] = defaultdict(set)
    for p, q in ontology.subject_objects(RDFS.subPropertyOf):
        if str(q).startswith(str(PEEL)):
            supers[p].add(q)
    transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    changed = True
    while changed:
        changed = False
        new: set[tuple[Node, Node, Node]] = set()
        for s, p, o in closure:
            if not str(p).startswith(str(PEEL)) or not isinstance(o, URIRef):
                continue
            new.update((o, q, s) for q in inverses.get(p, ()))
            if p in symmetric:
                new.add((o, p, s))
            new.update((s, q, o) for q in supers.get(p, ()))
            if p in transitive:
                new.update((s, p, o2) for o2 in closure.objects(o, p))
        for triple in new:
            if triple not in closure:
                closure.add(triple)
                changed = True
    return closure - graph


# --------------------------------------------------------------------------- explaining inconsistency


def explain_inconsistency(data: Graph, ontology: Graph) -> list[str]:
    """Name the resources and axioms that make data inconsistent, for the common causes.

    HermiT only says that the ontology is inconsistent; this looks for the usual
    culprits: an individual in two disjoint classes (through rdf:type,
    rdfs:subClassOf, rdfs:domain and rdfs:range), two values of a functional
    property that are declared different, and literals outside a property's datatype.
    """
    problems = _disjoint_types(data, ontology) + _functional_clashes(data, ontology) + _datatype_clashes(data, ontology)
    return problems or ["HermiT found a contradiction that is not a disjointness, functional-property or datatype clash"]


def _disjoint_types(data: Graph, ontology: Graph) -> list[str]:
    supers: dict[Node, set[Node]] = defaultdict(set)
    for c, d in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(d, URIRef):
            supers[c].add(d)
    disjoint: dict[frozenset, str] = {}
    for a, b in ontology.subject_objects(OWL.disjointWith):
        disjoint[frozenset((a, b))] = "owl:disjointWith"
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        head = ontology.value(axiom, OWL.members)
        if head is None:
            continue   # an axiom without its list says nothing
        members = list(Collection(ontology, head))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                disjoint[frozenset((a, b))] = "owl:AllDisjointClasses"
    domains = {p: d for p, d in ontology.subject_objects(RDFS.domain) if isinstance(d, URIRef)}
    ranges = {p: r for p, r in ontology.subject_objects(RDFS.range) if isinstance(r, URIRef)}

    reasons: dict[Node, dict[Node, str]] = defaultdict(dict)
    for s, c in data.subject_objects(RDF.type):
        reasons[s].setdefault(c, f"rdf:type {_name(c)}")
    for s, p, o in data:
        if p in domains:
            reasons[s].setdefault(domains[p], f"rdfs:domain of {_name(p)}")
        if p in ranges and not isinstance(o, Literal):
            reasons[o].setdefault(ranges[p], f"rdfs:range of {_name(p)}")

    problems = []
    for individual in sorted(reasons, key=str):
        types: dict[Node, str] = {}
        for cls, why in reasons[individual].items():
            for ancestor in _ancestors(cls, supers):
                types.setdefault(ancestor, why)
        ordered = sorted(types, key=str)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                declared = disjoint.get(frozenset((a, b)))
                if declared:
                    problems.append(
                        f"{_name(individual)} is both {_name(a)} (by {types[a]}) and {_name(b)} (by {types[b]}), "
                        f"which the ontology declares disjoint ({declared})"
                    )
    return problems


def _ancestors(cls: Node, supers: dict[Node, set[Node]]) -> set[Node]:
    seen, todo = set(), [cls]
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(supers.get(c, ()))
    return seen


def _functional_clashes(data: Graph, ontology: Graph) -> list[str]:
    different: set[frozenset] = set()
    for axiom in ontology.subjects(RDF.type, OWL.AllDifferent):
        head = ontology.value(axiom, OWL.distinctMembers)
        if head is None:
            continue
        members = list(Collection(ontology, head))
        different.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:])
    for a, b in list(ontology.subject_objects(OWL.differentFrom)) + list(data.subject_objects(OWL.differentFrom)):
        different.add(frozenset((a, b)))
    problems = []
    for p in sorted(set(ontology.subjects(RDF.type, OWL.FunctionalProperty)), key=str):
        for s in sorted(set(data.subjects(p, None)), key=str):
            values = sorted(set(data.objects(s, p)), key=str)
            for i, a in enumerate(values):
                for b in values[i + 1:]:
                    clash = frozenset((a, b)) in different or (
                        isinstance(a, Literal) and isinstance(b, Literal) and not _same_value(a, b))
                    if clash:
                        problems.append(
                            f"{_name(s)} has two values of functional property {_name(p)}: {_name(a)} and {_name(b)}"
                        )
    return problems


_INTEGER_TYPES = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
                  XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.unsignedInt,
                  XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte}
_COMPATIBLE = {XSD.integer: _INTEGER_TYPES, XSD.decimal: _INTEGER_TYPES | {XSD.decimal}, XSD.boolean: {XSD.boolean}}


def _datatype_clashes(data: Graph, ontology: Graph) -> list[str]:
    problems = []
    for p, datatype in sorted(ontology.subject_objects(RDFS.range), key=str):
        if not isinstance(datatype, URIRef) or datatype not in _COMPATIBLE:
            continue
        for s, value in sorted(data.subject_objects(p), key=str):
            if isinstance(value, Literal) and (value.datatype not in _COMPATIBLE[datatype] or value.ill_typed):
                problems.append(
                    f"{_name(s)} {_name(p)} {value.n3()} is not an {_name(datatype)}, the rdfs:range of {_name(p)}"
                )
    return problems


def _same_value(a: Literal, b: Literal) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return a == b


def _name(node: Node) -> str:
    return node.n3() if isinstance(node, Literal) else short(node)
