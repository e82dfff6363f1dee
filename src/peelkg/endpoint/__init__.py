"""Reaching the graph over HTTP: the local read-only endpoint and remote SPARQL stores."""
