"""The README's main job: build the bundled reports, run the showcase queries, write the views."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peelkg.graph.build import BuildSummary, build_store
from peelkg.graph.query import load_named_queries, render_table, run_query
from peelkg.views import build_views, read_store
from peelkg.resources import bundled_reports

SHOWCASE_TAG = "showcase"


@dataclass
class ShowcaseResult:
    build: BuildSummary
    tables: list[tuple[str, str, str]]   # (name, summary, rendered table)
    index: Path                          # the views' index.html


def run_showcase(store_dir: Path, out_dir: Path, *, reports: list[Path] | None = None, reason: bool = True,
                 width: int = 100) -> ShowcaseResult:
    """Build the store, run every named query tagged 'showcase' with its defaults, write the views."""
    summary = build_store(reports or bundled_reports(), store_dir, reason=reason)
    tables = []
    for query in load_named_queries():
        if SHOWCASE_TAG in query.tags:
            defaults = {p.name: p.default for p in query.parameters if p.default is not None}
            rows = run_query(store_dir, query.text, defaults)
            tables.append((query.name, query.summary, render_table(rows, width=width)))
    written = build_views(read_store(store_dir), out_dir)
    index = next((p for p in written if p.name == "index.html" and p.parent == out_dir), out_dir / "index.html")
    return ShowcaseResult(summary, tables, index)
