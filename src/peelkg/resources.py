"""Where the declarative artefacts live: ontology, shapes, queries, templates and bundled reports."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

INSTANCE_BASE = "https://w3id.org/peelkg/id/"
GRAPH_BASE = "https://w3id.org/peelkg/graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
REFERENCE_GRAPH = GRAPH_BASE + "reference"


ONTOLOGY_FILES = ("peel.ttl", "themes.ttl", "initiative-kinds.ttl")   # the ontology and its SKOS schemes


def package_dir(package: str) -> Path:
    """The folder of a data package (peelkg.ontology, peelkg.queries, peelkg.reports, peelkg.loaders)."""
    return Path(str(resources.files(package)))


def ontology_file(name: str = "peel.ttl") -> Path:
    return package_dir("peelkg.ontology") / name


def queries_dir() -> Path:
    return package_dir("peelkg.queries")


def bundled_reports() -> list[Path]:
    """The report texts shipped with peelkg, in name order."""
    return sorted(path.resolve() for path in package_dir("peelkg.reports").glob("*.txt"))


def default_store_dir() -> Path:
    """The store used when --store is not given: $PEELKG_STORE, else ./peelkg-store."""
    import os

    return Path(os.environ.get("PEELKG_STORE", "peelkg-store"))
