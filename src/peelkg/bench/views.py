"""View benchmarks: generation time and HTML size by node count, and drawing in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import statistics
from pathlib import Path

import rdflib

from peelkg.bench.builds import corpus
from peelkg.bench.results import BenchResult, Figure, Plan, Progress, one_line, seconds_of
from peelkg.resources import bundled_reports
from peelkg.vocab import PEEL


VIEW_DEPTH = 3   # focus view around the overall question, shared by every report: ~45 nodes a report
# (through the hubs, as a page of that size needs; a focus view stops at them unless asked)


def bench_views(result: BenchResult, work: Path, plan: Plan, note: Progress) -> None:
    """View generation time and HTML size by node count, and drawing time in headless Chromium.

    Views are per report except the focus view, so the N-node page is the focus view around
    the overall question (shared by all reports) over as many synthetic reports as it takes.
    """
    try:
        from peelkg.views import build_views
    except ImportError as missing:
        for size in plan.view_sizes:
            result.add(Figure("views", f"{size} nodes: view generation", None, "s", note=f"views not available: {one_line(missing)}"))
        return
    reference = bundled_reports()[0]
    paths = corpus(reference, 1, work)
    loaded: dict[Path, list[rdflib.Graph]] = {}
    per_report = 45
    for size in plan.view_sizes:
        label = f"{size} nodes"
        count, nodes, page, out, seconds, graph = max(1, -(-size // per_report)), 0, None, work / f"views-{size}", [], rdflib.Graph()
        for _ in range(4):
            note(f"views: {label}, focus view over {count} report(s)")
            if count > len(paths):
                paths = corpus(reference, count, work / f"corpus-{count}")
            graph = _union(paths[:count], loaded)
            focus = str(next(graph.subjects(rdflib.RDF.type, PEEL.OverallQuestion), ""))
            shutil.rmtree(out, ignore_errors=True)
            seconds = [seconds_of(lambda: build_views(graph, out, names=["overview"], focus=focus, depth=VIEW_DEPTH,
                                                 through_hubs=True))]
            pages = sorted(out.rglob("*.html"))
            page = max(pages, key=_node_count) if pages else None
            nodes = _node_count(page) if page else 0
            if not nodes:
                break
            per_report = max(1, nodes // count)
            if nodes >= 0.9 * size or count >= 400:
                break
            count = -(-count * size // nodes)
        for _ in range(plan.view_runs - 1):
            shutil.rmtree(out, ignore_errors=True)
            seconds.append(seconds_of(lambda: build_views(graph, out, names=["overview"], focus=focus, depth=VIEW_DEPTH,
                                                 through_hubs=True)))
        size_note = f"{page.name}: {nodes} nodes from {count} report(s); includes each report's overview page" if page else "no page written"
        result.add(
            Figure("views", f"{label}: view generation", statistics.median(seconds), "s", runs=len(seconds), note=size_note),
            Figure("views", f"{label}: HTML size", page.stat().st_size / 1024 if page else None, "KiB"),
        )
        first, settled, first_cut, cut, error = (None, None, False, False, "no page") if page is None else draw_times(page, cap=plan.draw_cap)
        result.add(
            Figure("views", f"{label}: first draw (Chromium)", first, "s", 5.0 if size >= 5000 else None, bound=first_cut,
                   note="no draw within the cap" if first_cut else error),
            Figure("views", f"{label}: settled layout (Chromium)", settled, "s", 5.0 if size <= 1000 else None, bound=cut,
                   note="did not settle within the cap" if cut else error),
        )


def _union(paths: list[Path], loaded: dict[Path, list[rdflib.Graph]]) -> rdflib.Graph:
    from peelkg.loaders.reference import reference_for
    from peelkg.pipeline import load_report

    graph = rdflib.Graph()
    for path in paths:
        if path not in loaded:
            loaded[path] = list(load_report(path).graphs.values())
        for part in loaded[path]:
            graph += part
    return graph + reference_for(graph)   # the shared questions and forces, as a store has them


def _node_count(page: Path) -> int:
    """Nodes drawn by a page: its embedded view data (`<script id="view-data">`) or its `vis.DataSet` of nodes."""
    text = page.read_text(encoding="utf-8", errors="replace")
    embedded = re.search(r'<script id="view-data" type="application/json">(.*?)</script>', text, re.DOTALL)
    if embedded:
        try:
            return len(json.loads(embedded.group(1)).get("nodes", []))
        except (ValueError, AttributeError):
            return 0
    inline = re.search(r"nodes\s*=\s*new vis\.DataSet\((\[.*?\])\);?\s*\n", text, re.DOTALL)
    try:
        return len(json.loads(inline.group(1))) if inline else 0
    except ValueError:
        return 0


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Wraps vis.Network as the page defines it, to time its first draw and the end of its layout.
DRAW_PROBE = """
window.__bench = {first: null, settled: null};
(() => {
  const holder = {};
  let wrapped;
  Object.defineProperty(holder, 'Network', {configurable: true, enumerable: true,
    get() { return wrapped; },
    set(Base) {
      wrapped = class extends Base {
        constructor(...args) {
          super(...args);
          const b = window.__bench;
          this.on('afterDrawing', () => { if (b.first === null) b.first = performance.now(); });
          this.on('stabilized', () => { if (b.settled === null) b.settled = performance.now(); });
          b.physics = !(args[2] && args[2].physics && args[2].physics.enabled === false);
        }
      };
    }});
  window.vis = holder;
})();
"""


def draw_times(page: Path, *, cap: float) -> tuple[float | None, float | None, bool, bool, str]:
    """Seconds from navigation to the first draw and to a settled layout.

    Returns (first draw, settled, first draw cut by `cap`, settling cut by `cap`, error); a cut
    figure is the time waited, a lower bound.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError, sync_playwright
    except ImportError:
        return None, None, False, False, "playwright not installed"
    if not Path(CHROMIUM).exists():
        return None, None, False, False, f"no browser at {CHROMIUM}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context()
                context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())   # offline
                tab = context.new_page()
                tab.add_init_script(DRAW_PROBE)
                tab.goto(page.absolute().as_uri(), wait_until="load", timeout=cap * 1000)
                try:
                    tab.wait_for_function("window.__bench.first !== null", timeout=cap * 1000)
                except PlaywrightError:
                    waited = tab.evaluate("performance.now()") / 1000
                    return waited, waited, True, True, ""
                first = tab.evaluate("window.__bench.first") / 1000
                # A peelkg page says itself when its layout is done (window.peelkgView.settled,
                # after it has measured and placed every node); other pages settle when physics stops.
                try:
                    tab.wait_for_function("(window.peelkgView && window.peelkgView.settled) || (!window.peelkgView"
                                          " && (window.__bench.settled !== null || window.__bench.physics === false))",
                                          timeout=cap * 1000)
                except PlaywrightError:
                    return first, tab.evaluate("performance.now()") / 1000, False, True, ""
                settled = tab.evaluate("window.peelkgView ? window.peelkgView.settledAt : window.__bench.settled")
                return first, (settled / 1000 if settled is not None else first), False, False, ""
            finally:
                browser.close()
    except PlaywrightError as error:
        return None, None, False, False, f"browser: {one_line(error)}"
