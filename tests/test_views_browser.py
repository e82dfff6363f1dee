"""Views in a real headless Chromium: they lay out, hold the graph's nodes and edges, log no
error, load nothing from the network and show hostile text as text.

Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium) and the playwright
package; skipped when Chromium is absent. Run the size benchmark with
`pytest tests/test_views_browser.py -m slow -s`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from peelkg.views import pages as views

pytestmark = pytest.mark.browser

if not Path(views.CHROMIUM).exists():
    pytest.skip(f"needs Chromium at {views.CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.test_views import hostile_graph, synthetic_graph, wessex_graph  # noqa: E402

SETTLED = "window.peelkgView && window.peelkgView.settled"
COUNTS = "[window.peelkgView.network.body.data.nodes.length, window.peelkgView.network.body.data.edges.length]"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=views.CHROMIUM, args=list(views.CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The Wessex and hostile reports' views, and the graphs they were drawn from."""
    graph = wessex_graph()
    graph += hostile_graph()
    out = tmp_path_factory.mktemp("site")
    pages = views.build_views(graph, out, focus="Project Harbour")
    planned = {view.path: view for view in views.plan_views(graph, focus="Project Harbour")[1]}
    return out, pages, planned


class Watched:
    """A page with every console error, page error, dialog and non-file request recorded."""

    def __init__(self, browser, size=(1280, 800)) -> None:
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console {m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.on("request", lambda r: r.url.startswith(("file:", "data:", "about:"))
                     or self.problems.append(f"request: {r.url}"))

    def open(self, path: Path, timeout: float = 60_000) -> float:
        """Load a view and wait until its layout has settled; returns the seconds it took."""
        start = time.perf_counter()
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function(SETTLED, timeout=timeout)
        return time.perf_counter() - start

    def close(self) -> None:
        self.page.close()


def test_every_view_settles_with_the_graph_counts_and_no_error(browser, site, tmp_path):
    out, pages, planned = site
    checked = 0
    for page in pages:
        watched = Watched(browser)
        if page.name == "index.html":
            watched.page.goto(page.resolve().as_uri())
            assert watched.page.locator("svg.bar-chart").count() >= 2
        else:
            watched.open(page)
            view = planned[page.relative_to(out).as_posix()]
            assert watched.page.evaluate(COUNTS) == [view.graph.number_of_nodes(), view.graph.number_of_edges()], page
            assert watched.page.evaluate("window.peelkgView.network.physics.physicsEnabled") is False
            checked += 1
        watched.page.screenshot(path=str(tmp_path / f"{checked}-{page.stem}.png"))
        assert watched.problems == [], (page, watched.problems)
        watched.close()
    assert checked == len(planned) >= 10


def test_hostile_text_shows_as_text_in_tooltips(browser, site):
    out, _, _ = site
    watched = Watched(browser)
    watched.open(out / "peel-2016-effectiveness/hostile-police/overview.html")
    page = watched.page
    assert page.evaluate("document.querySelectorAll('img, iframe, svg, a[href^=javascript]').length") == 0
    assert page.evaluate("document.scripts.length") == 3
    assert page.locator("h1").inner_text() == "<script>alert(1)</script>: overview"
    nested = page.evaluate("""window.peelkgView.network.body.data.nodes.get().concat(
        window.peelkgView.network.body.data.edges.get()).filter(function (item) {
          return !(item.title instanceof Element) || item.title.querySelector('a, img, script, iframe, b, i'); }).length""")
    assert nested == 0
    point = page.evaluate("""(function () {
        var view = window.peelkgView, data = view.network.body.data.nodes;
        var id = data.getIds({filter: function (n) { return n.label === '<img src=x onerror=alert(1)>'; }})[0];
        var position = view.network.canvasToDOM(view.network.getPositions([id])[id]);
        var box = document.getElementById('network').getBoundingClientRect();
        return [box.left + position.x, box.top + position.y]; })()""")
    page.mouse.move(point[0] - 40, point[1] - 40)
    page.mouse.move(point[0], point[1], steps=4)
    tooltip = page.locator(".vis-tooltip")
    page.wait_for_function("(function (tip) { return tip && getComputedStyle(tip).visibility === 'visible'; })"
                           "(document.querySelector('.vis-tooltip'))", timeout=5_000)
    assert 'See <a href="javascript:alert(2)">this link</a> & more' in tooltip.inner_text()
    assert tooltip.locator("a, img").count() == 0
    assert watched.problems == []
    watched.close()


def test_search_and_kind_filter(browser, site):
    out, _, planned = site
    watched = Watched(browser)
    watched.open(out / "peel-2016-effectiveness/wessex-constabulary/overview.html")
    page = watched.page
    page.fill("#search", "tideway")
    page.press("#search", "Enter")
    assert page.evaluate("window.peelkgView.network.getSelectedNodes().length") == 1
    assert page.locator("#status").inner_text().endswith("1 found")
    visible = "window.peelkgView.network.body.data.nodes.get({filter: function (n) { return !n.hidden; }}).length"
    everything = page.evaluate(visible)
    page.uncheck("input[data-kind=organisation]")
    assert page.evaluate(visible) == everything - 6
    page.click("#reset")
    assert page.evaluate(visible) == everything
    assert watched.problems == []
    watched.close()


def test_a_large_view_opens_with_its_precomputed_layout(browser, tmp_path):
    data = views.read_view_data(synthetic_graph(2300))
    page = views.build_views(data, tmp_path, names=["overview"])[0]
    expected = views.plan_views(data, names=["overview"])[1][0].graph
    assert expected.number_of_nodes() > views.LARGE_GRAPH
    watched = Watched(browser)
    seconds = watched.open(page)
    assert watched.page.evaluate(COUNTS) == [expected.number_of_nodes(), expected.number_of_edges()]
    assert seconds < 30 and watched.problems == []
    watched.close()


@pytest.mark.slow
def test_generation_size_and_settle_time_by_graph_size(browser, tmp_path):
    """The numbers quoted in the README: time to generate, page size, time to settle in Chromium."""
    rows = []
    for size in (100, 500, 1000, 5000):
        graph = synthetic_graph(size)
        start = time.perf_counter()
        page = views.build_views(graph, tmp_path / str(size), names=["overview"])[0]
        generate = time.perf_counter() - start
        watched = Watched(browser)
        load = watched.open(page, timeout=180_000)
        nodes, edges = watched.page.evaluate(COUNTS)
        settle = watched.page.evaluate("window.peelkgView.settleMs") / 1000
        assert watched.problems == []
        watched.close()
        rows.append((size, nodes, edges, generate, page.stat().st_size / 1e6, settle, load))
    print("\nsize  nodes  edges  generate_s  html_MB  settle_s  load_s")
    for row in rows:
        print("{:>4}  {:>5}  {:>5}  {:>10.2f}  {:>7.2f}  {:>8.2f}  {:>6.2f}".format(*row))
    assert rows[0][5] < 5 and rows[1][5] < 10 and rows[2][5] < 20 and rows[3][5] < 30
