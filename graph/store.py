"""The persistent on-disk Oxigraph store: the only module that talks to pyoxigraph directly.

A store directory is a link to a plain Oxigraph (RocksDB) database (the current version, see
`peelkg.graph.versions`), so `oxigraph serve-read-only --location DIR` and
`pyoxigraph.Store.read_only(DIR)` open it as is. It holds one named
graph per report, its links and its inferred triples (`.../report|links|inferred/{insp}/{force}`),
the ontology graph and the reference graph; see docs/graph.md.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:  # rdflib is imported where it is used: a query reads the store without it
    import rdflib

from peelkg.errors import PeelkgError, first_line
from peelkg.graph import versions
from peelkg.resources import GRAPH_BASE, ONTOLOGY_FILES, ONTOLOGY_GRAPH, REFERENCE_GRAPH, ontology_file

REPORT_GRAPH_PREFIX = GRAPH_BASE + "report/"


class StoreError(PeelkgError):
    """A store directory cannot be opened, created or replaced."""

    exit_code = 2


class ExportFormat(str, Enum):
    """Export formats. TriG, N-Quads and JSON-LD keep the named graphs; Turtle merges them into one graph."""

    TRIG = "trig"
    NQUADS = "nquads"
    TURTLE = "turtle"
    JSONLD = "jsonld"

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return {
            ExportFormat.TRIG: ox.RdfFormat.TRIG,
            ExportFormat.NQUADS: ox.RdfFormat.N_QUADS,
            ExportFormat.TURTLE: ox.RdfFormat.TURTLE,
            ExportFormat.JSONLD: ox.RdfFormat.JSON_LD,
        }[self]


# --------------------------------------------------------------------------- directories


def is_store(path: Path) -> bool:
    """True when `path` holds (or links to) an Oxigraph (RocksDB) database."""
    return versions.is_database(path)


def check_replaceable(path: Path) -> None:
    """Refuse a path that exists but is not a store: a build must never overwrite other files."""
    if not path.exists() or is_store(path):
        return
    if not path.is_dir():
        raise StoreError(f"{path}: exists and is not a directory; choose another --store")
    if any(path.iterdir()):
        raise StoreError(f"{path}: is a non-empty directory that is not a peelkg store; choose another --store")


def create_store(path: Path) -> ox.Store:
    """A new empty store at `path`, which must not exist yet (its parent may not exist either)."""
    if path.exists():
        raise StoreError(f"{path}: already exists; a new store needs a fresh directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    return _open(path, read_only=False)


def open_store(path: Path, *, read_only: bool = True) -> ox.Store:
    """An existing store. Read-only, it opens the current version and keeps it on disk until this
    process exits, whatever a build does meanwhile; it takes no database lock, so it works beside a
    read-only server. Read-write is for a store being built (a directory of its own)."""
    return _open(_checked(path, versions.pin(path) if read_only else path), read_only=read_only)


@contextmanager
def reading_store(path: Path) -> Iterator[ox.Store]:
    """The current version opened read-only and kept on disk while the block runs.

    For readers that live long (a server, a loop): each block sees one version whole, and a
    later block sees the newest. Do not use the store after the block.
    """
    with versions.reading(path) as version:
        store = _open(_checked(path, version), read_only=True)
        try:
            yield store
        finally:
            del store


def _checked(path: Path, version: Path | None) -> Path:
    """The version directory to open for the store at `path`, or a StoreError saying what is wrong."""
    if version is None or not version.exists():
        raise StoreError(f"{path}: no store here; run `peelkg build --store {path}` first")
    if not is_store(version):
        raise StoreError(f"{path}: not a peelkg store (no Oxigraph database in this directory)")
    return version


def _open(path: Path, *, read_only: bool) -> ox.Store:
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as error:
        raise StoreError(f"{path}: cannot open the store ({first_line(error)})") from error


def snapshot(path: Path, target: Path) -> None:
    """Copy the store at `path` to `target` (a consistent snapshot; hard links on the same file system)."""
    with versions.reading(path) as version:
        store = _open(_checked(path, version), read_only=True)
        try:
            store.backup(str(target))
        except (OSError, RuntimeError) as error:
            raise StoreError(f"{path}: cannot copy the store to {target} ({first_line(error)})") from error
        finally:
            del store


# --------------------------------------------------------------------------- writing


def to_nquads(graphs: Mapping[str, rdflib.Graph]) -> bytes:
    """N-Quads of several rdflib graphs, each in its named graph, in one pass of rdflib's N-Triples writer."""
    chunks: list[str] = []
    for iri, graph in graphs.items():
        try:
            suffix = f" {ox.NamedNode(iri)} .\n"
            text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
            if "_:" in text:    # blank nodes (or a literal that looks like one: labelling them changes nothing)
                text = stable_blank_nodes(text, iri)
        except Exception as error:   # rdflib raises a bare Exception for a malformed IRI, Oxigraph a SyntaxError
            raise StoreError(f"cannot load graphs into the store: graph {iri}: {first_line(error)}") from error
        # N-Triples is one statement per line ending in " ."; newlines inside literals are escaped, but
        # not form feeds or U+2028, which str.splitlines() would also split at: split at "\n" alone.
        chunks.extend(line[:-2] + suffix for line in text.split("\n") if line)
    return "".join(chunks).encode("utf-8")


def stable_blank_nodes(ntriples: str, iri: str) -> str:
    """The N-Triples of graph `iri` with its blank nodes labelled canonically and apart from every other
    graph's, in sorted order.

    rdflib and the Turtle parsers label blank nodes at random, so without this two builds of the
    same input exported different bytes. The label is the node's W3C RDF Dataset Canonicalization
    (RDFC-1.0) label, prefixed with a hash of the graph's name.
    """
    dataset = ox.Dataset(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    tag = "g" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:8] + "x"

    def stable(term):
        return ox.BlankNode(tag + term.value) if isinstance(term, ox.BlankNode) else term

    triples = [ox.Triple(stable(quad.subject), quad.predicate, stable(quad.object)) for quad in dataset]
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")   # bytes when given no file
    # the labels are canonical but a dataset's order is not: sort the statements (split at "\n" alone,
    # as in to_nquads)
    return "".join(line + "\n" for line in sorted(text.split("\n")) if line)


def load_graphs(store: ox.Store, graphs: Mapping[str, rdflib.Graph]) -> int:
    """Bulk-load rdflib graphs into their named graphs (and the union default graph); returns the triples given."""
    load_nquads(store, to_nquads(graphs), list(graphs))
    return sum(len(graph) for graph in graphs.values())


def load_nquads(store: ox.Store, data: bytes, graph_iris: list[str]) -> None:
    """Bulk-load N-Quads (from `to_nquads`) into their named graphs and the union default graph.

    `graph_iris` names every graph the data belongs to, so that an empty graph still shows up.
    """
    if data:
        try:
            if b"_:" in data:    # keep the blank node labels (bulk_load renames them at random)
                store.bulk_extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
                store.bulk_extend(ox.parse(_as_triples(data), format=ox.RdfFormat.N_TRIPLES))
            else:
                store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
                store.bulk_load(_as_triples(data), format=ox.RdfFormat.N_TRIPLES)
        except (OSError, SyntaxError, ValueError) as error:
            raise StoreError(f"cannot load graphs into the store ({first_line(error)})") from error
    for iri in graph_iris:
        store.add_graph(ox.NamedNode(iri))


def ontology_files() -> list[Path]:
    """The ontology files that go into the ontology graph (those present)."""
    return [path for path in (ontology_file(name) for name in ONTOLOGY_FILES) if path.is_file()]


def load_reference(store: ox.Store) -> int:
    """Replace the reference graph (cycles' questions, forces, national bodies) with the one the data files give."""
    from peelkg.loaders.reference import reference_graph

    remove_graph(store, REFERENCE_GRAPH)
    load_graphs(store, {REFERENCE_GRAPH: reference_graph()})
    return graph_size(store, REFERENCE_GRAPH)


def load_ontology(store: ox.Store, files: list[Path] | None = None) -> int:
    """Replace the ontology graph with the ontology Turtle files; returns its number of triples."""
    import rdflib

    remove_graph(store, ONTOLOGY_GRAPH)
    ontology = rdflib.Graph()
    for path in ontology_files() if files is None else files:
        try:
            ontology.parse(path, format="turtle")
        except Exception as error:   # rdflib raises its parser's own exception types
            raise StoreError(f"{path}: cannot load the ontology ({first_line(error)})") from error
    load_graphs(store, {ONTOLOGY_GRAPH: ontology})
    return graph_size(store, ONTOLOGY_GRAPH)


# The default graph holds the union of the named graphs, kept up to date on every load and removal:
# Oxigraph's union-default-graph mode slows down with the number of named graphs (measured at 43
# reports: 1.36 s against 8 ms for the same query on a materialised default graph), so queries read
# the default graph as it is. A triple leaves it only when no other named graph still has it.
_REMOVE_FROM_UNION = """
DELETE { ?s ?p ?o }
WHERE {
  GRAPH ?removed { ?s ?p ?o }
  FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o } FILTER(?other != ?removed) }
}"""


def load_dataset_file(store: ox.Store, path: Path, fmt: ox.RdfFormat = ox.RdfFormat.TRIG) -> None:
    """Load a TriG / N-Quads file of named graphs, and add its triples to the union default graph."""
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (OSError, SyntaxError) as error:
        raise StoreError(f"{path}: cannot load ({first_line(error)})") from error
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def remove_graph(store: ox.Store, iri: str) -> None:
    """Remove a named graph, and from the union default graph the triples no other graph has."""
    name = ox.NamedNode(iri)
    store.update(_REMOVE_FROM_UNION.replace("?removed", str(name)))
    store.remove_graph(name)


def remove_report(store: ox.Store, key: str) -> list[str]:
    """Remove every graph of one report (report, links, inferred: IRIs ending in `/{insp}/{force}`)."""
    removed = [iri for iri in graph_names(store) if iri.startswith(GRAPH_BASE) and iri.endswith("/" + key)]
    for iri in removed:
        remove_graph(store, iri)
    return removed


def _as_triples(nquads: bytes) -> bytes:
    """N-Quads lines whose last term is a graph IRI, as N-Triples (for the union default graph)."""
    return b"".join(line[: line.rindex(b" <")] + b" .\n" for line in nquads.split(b"\n") if line)


def finish(store: ox.Store, *, optimize: bool = True) -> None:
    """Make every write durable and (for a new store) compact the database before it is handed over."""
    store.flush()
    if optimize:
        store.optimize()


# --------------------------------------------------------------------------- reading


def report_key(graph_iri: str) -> str | None:
    """`{insp}/{force}` for a report graph IRI, else None."""
    if graph_iri.startswith(REPORT_GRAPH_PREFIX) and len(graph_iri) > len(REPORT_GRAPH_PREFIX):
        return graph_iri[len(REPORT_GRAPH_PREFIX):]
    return None


def graph_names(store: ox.Store) -> list[str]:
    """Named graph IRIs in the store, sorted."""
    return sorted(name.value for name in store.named_graphs() if isinstance(name, ox.NamedNode))


def graph_size(store: ox.Store, iri: str) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Number of triples per named graph (one aggregate query: counting quads in Python is slow)."""
    sizes = {iri: 0 for iri in graph_names(store)}
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)   # a SELECT gives solutions
    for row in rows:
        if isinstance(row["g"], ox.NamedNode):
            sizes[row["g"].value] = int(row["n"].value)
    return dict(sorted(sizes.items()))


def list_reports(store: ox.Store) -> list[str]:
    """The reports in a store as `{insp}/{force}` keys, sorted."""
    return sorted(key for key in map(report_key, graph_names(store)) if key is not None)


_FORCE_NAME = """
PREFIX peel: <https://w3id.org/peelkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g ?name WHERE { GRAPH ?g { ?report peel:aboutForce ?force . ?force rdfs:label ?name } } ORDER BY ?name LIMIT 1"""


def force_name(graph: rdflib.Graph, report_iri: str) -> str | None:
    """The name a report graph gives the force its report is about."""
    import rdflib

    from peelkg.vocab import PEEL

    force = graph.value(rdflib.URIRef(report_iri), PEEL.aboutForce)
    name = graph.value(force, rdflib.RDFS.label) if force is not None else None
    return str(name) if name is not None else None


def stored_force_name(store: ox.Store, key: str) -> str | None:
    """The force name in the stored report graph of `key`, if that report is stored."""
    graph = ox.NamedNode(REPORT_GRAPH_PREFIX + key)
    rows = store.query(_FORCE_NAME, substitutions={ox.Variable("g"): graph})
    assert isinstance(rows, ox.QuerySolutions)   # a SELECT gives solutions
    for row in rows:
        return str(row["name"].value)
    return None


def read_graph(store: ox.Store, iri: str) -> rdflib.Graph:
    """One named graph as a plain in-memory rdflib Graph (safe for pySHACL and owlrl)."""
    import rdflib

    graph = rdflib.Graph(identifier=rdflib.URIRef(iri))
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
    graph.parse(data=data, format="nt")
    return graph


def rdflib_dataset(store_dir: Path, *, read_only: bool = True) -> rdflib.Dataset:
    """An rdflib Dataset over the store through oxrdflib, for code that wants the rdflib API.

    Read-only by default. Use `Dataset.get_graph(iri)` to reach a named graph (`Dataset.graph`
    tries to create it), and oxrdflib's `ox-*` formats to parse or serialize.
    """
    import rdflib
    from oxrdflib import OxigraphStore

    return rdflib.Dataset(store=OxigraphStore(store=open_store(store_dir, read_only=read_only)))


# --------------------------------------------------------------------------- export


def prefixes() -> dict[str, str]:
    """The prefixes declared in the ontology files, for readable Turtle and TriG."""
    found: dict[str, str] = {}
    for path in ontology_files():
        parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        for _ in parser:
            pass
        found.update(parser.prefixes)
    return dict(sorted(found.items()))


def serialize(store: ox.Store, fmt: ExportFormat) -> bytes:
    """The store content in `fmt`: its named graphs. Turtle has no named graphs: it gets their union."""
    names = prefixes() if fmt in (ExportFormat.TRIG, ExportFormat.TURTLE) else None
    if fmt is ExportFormat.TURTLE:
        data = store.dump(format=fmt.rdf_format, from_graph=ox.DefaultGraph(), prefixes=names)
    else:
        named = (q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
        data = ox.serialize(named, format=fmt.rdf_format, prefixes=names)
    assert data is not None   # no output file given: the data comes back
    return data


def export(store_dir: Path, fmt: ExportFormat, out: Path | None = None) -> bytes | None:
    """Export the store; returns the bytes when `out` is None, else writes `out` atomically."""
    data = serialize(open_store(store_dir, read_only=True), fmt)
    if out is None:
        return data
    temp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        temp.write_bytes(data)
        os.replace(temp, out)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise StoreError(f"{out}: cannot write the export ({error.strerror or error})") from error
    return None
