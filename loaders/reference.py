"""The reference graph: what belongs to an inspection cycle or to the world, stated once.

The questions of each inspection cycle (their wording, number, nesting, order and whether the
cycle grades them), the 43
forces of England and Wales with their ONS codes and police.uk ids, the national bodies and
the comparator area are the same whichever report names them. They come from the data files
(the heading catalogues `template-*.yaml`, `cycles.yaml`, `gazetteer.yaml`) into a named graph
of their own; a report's graph never restates them, so two reports cannot disagree about them.

>>> graph = reference_graph()
>>> str(graph.value(URIRef(INSTANCE_BASE + "force/essex-police"), PEEL.onsCode))
'E23000028'
"""

from __future__ import annotations

from functools import cache
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from peelkg.resources import INSTANCE_BASE, package_dir
from peelkg.vocab import PEEL

ONS_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
POLICE_UK = "https://data.police.uk/api/forces/"


def _yaml(name: str) -> dict:
    with open(package_dir("peelkg.loaders") / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _iri(*parts: str) -> URIRef:
    return URIRef(INSTANCE_BASE + "/".join(parts))


def question_iri(inspection: str, qid: str) -> URIRef:
    """A question of a cycle: `id:question/{insp}/q1-2` (`qid` as the segmenter names it: 'q1.2')."""
    return _iri("question", inspection, qid.replace(".", "-"))


def cycle_question_sets() -> list[dict]:
    """Every cycle's questions as {inspection, year, overall, core_questions: [{number, text, graded, sub_questions}]},
    from the heading catalogues, for the years each lists."""
    from peelkg.loaders.segment import _load_yaml, template_files

    sets = []
    for path in template_files():
        data = _load_yaml(path)
        for year in data.get("years", []):
            fill = {"year": year, "previous_year": year - 1}
            sets.append({
                "inspection": data["inspection"].format(**fill),
                "year": year,
                "overall": data["overall"]["text"],
                "core_questions": [
                    {"number": q["number"], "text": q["text"], "graded": q.get("graded", True),
                     "sub_questions": [_shared_wording(s, fill) for s in q.get("sub_questions", [])]}
                    for q in data["core_questions"]
                ],
            })
    return sets


def _shared_wording(wording: str, fill: dict) -> str:
    """A sub-question's force-independent label: the force and its area named generically."""
    return wording.replace("{area}", "the force area").replace("{force}", "the force").format(**fill)


def cycle_of(inspection: str) -> dict | None:
    """A cycle's publication facts (`cycles.yaml`: title, publisher, issued), for the reports that cite it."""
    return next((c for c in _yaml("cycles.yaml")["cycles"] if c["inspection"] == inspection), None)


@cache
def _reference() -> Graph:
    from peelkg.loaders.assemble import slug   # assemble reads this module: imported here, not at the top

    graph = Graph()
    graph.bind("peel", str(PEEL))
    graph.bind("dcterms", str(DCTERMS))
    graph.bind("skos", str(SKOS))
    for cycle in cycle_question_sets():
        _add_cycle(graph, cycle)
    gazetteer = _yaml("gazetteer.yaml")
    for force in gazetteer["police_forces"]:
        entry = {"name": force} if isinstance(force, str) else force
        _add_body(graph, _iri("force", slug(entry["name"])), PEEL.PoliceForce, entry)
    for body in gazetteer["national_bodies"]:
        if body["kind"] == "PoliceForce":
            _add_body(graph, _iri("force", slug(body["name"])), PEEL.PoliceForce, body)
        else:
            node = _iri("org", slug(body["name"]))
            _add_body(graph, node, PEEL.Organisation, body)
            if body["kind"] != "Organisation":
                graph.add((node, RDF.type, PEEL[body["kind"]]))
    for area in gazetteer["comparator_areas"]:
        _add_body(graph, _iri("place", slug(area["name"])), PEEL.Place, area)
    return graph


def _add_cycle(graph: Graph, cycle: dict) -> None:
    inspection = cycle["inspection"]
    order = 0

    def question(qid: str, kind: URIRef, label: str, parent: str | None) -> URIRef:
        nonlocal order
        node = question_iri(inspection, qid)
        graph.add((node, RDF.type, kind))
        graph.add((node, RDFS.label, Literal(label)))
        graph.add((node, PEEL.order, Literal(order, datatype=XSD.integer)))
        graph.add((node, PEEL.cycle, Literal(inspection)))
        if parent is not None:
            graph.add((node, PEEL.subQuestionOf, question_iri(inspection, parent)))
        order += 1
        return node

    question("overall", PEEL.OverallQuestion, cycle["overall"], None)
    for core in cycle["core_questions"]:
        qid = f"q{core['number']}"
        node = question(qid, PEEL.CoreQuestion, core["text"], "overall")
        graph.add((node, PEEL.questionNumber, Literal(core["number"], datatype=XSD.integer)))
        graph.add((node, PEEL.graded, Literal(core["graded"], datatype=XSD.boolean)))
        for index, wording in enumerate(core["sub_questions"], start=1):
            question(f"{qid}.{index}", PEEL.SubQuestion, wording, qid)


def _add_body(graph: Graph, node: URIRef, kind: URIRef, entry: dict) -> None:
    graph.add((node, RDF.type, kind))
    graph.add((node, RDFS.label, Literal(entry["name"])))
    for alias in entry.get("aliases", []):
        graph.add((node, SKOS.altLabel, Literal(alias)))
    if entry.get("ons"):
        graph.add((node, PEEL.onsCode, Literal(entry["ons"])))
        graph.add((node, DCTERMS.identifier, Literal(entry["ons"])))
        graph.add((node, SKOS.exactMatch, URIRef(ONS_GEOGRAPHY + entry["ons"])))
    if entry.get("police_uk"):
        graph.add((node, PEEL.policeUkId, Literal(entry["police_uk"])))
        graph.add((node, DCTERMS.identifier, Literal(entry["police_uk"])))
        graph.add((node, SKOS.exactMatch, URIRef(POLICE_UK + entry["police_uk"])))


def reference_graph() -> Graph:
    """The reference graph (a fresh copy: callers may add to it)."""
    graph = Graph()
    for prefix, namespace in _reference().namespaces():
        graph.bind(prefix, namespace)
    graph += _reference()
    return graph


def in_reference(node: URIRef) -> bool:
    """True when the reference graph describes `node` (so a report graph must not)."""
    return (node, RDF.type, None) in _reference()


def reference_for(graph: Graph) -> Graph:
    """What the reference graph says about the resources `graph` names, and about the questions above them.

    Validation and reasoning see one report's graph with this beside it, not the whole reference graph.
    """
    reference = _reference()
    named = {node for triple in graph for node in triple if isinstance(node, URIRef)}
    wanted, seen = [n for n in named if (n, RDF.type, None) in reference], set()
    closure = Graph()
    while wanted:
        node = wanted.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in reference.triples((node, None, None)):
            closure.add(triple)
        wanted.extend(parent for parent in reference.objects(node, PEEL.subQuestionOf) if isinstance(parent, URIRef))
    return closure

