"""peelkg: police inspection reports as a queryable, checkable knowledge graph."""

__version__ = "0.1.0"
