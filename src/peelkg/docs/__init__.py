"""Documentation generated from the ontology."""
