"""The named-query page and the editor in headless Chromium: what a user types is what opens, offline.

Needs Debian's chromium at /usr/bin/chromium and the playwright package; skipped without them.
"""

from __future__ import annotations

import urllib.parse

import pytest

from peelkg.endpoint.serve import LocalEndpoint
from peelkg.graph import query as q
from tests.test_serve import browser, free_port, offline_page  # noqa: F401 (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(sample_store):
    with LocalEndpoint(sample_store, port=free_port(), page_port=0, timeout_s=5) as server:
        yield server


def test_open_in_editor_carries_the_value_typed_not_the_last_run(browser, served):  # noqa: F811
    attempts: list[str] = []
    page = offline_page(browser, attempts)
    page.goto(served.page_url)
    section = page.locator("section[data-name='initiatives-on-theme']")
    section.wait_for()
    section.locator("button[type=submit]").click()           # a run with the default, gangs
    section.locator("table.results tbody tr").first.wait_for()
    section.locator("input[data-param='theme']").fill("organised-crime")
    with page.expect_popup() as opened:
        section.locator("a.editor").click()
    editor = opened.value
    editor.wait_for_url("**/#*")
    hash_query = urllib.parse.parse_qs(urllib.parse.urlsplit(editor.url).fragment)["query"][0]
    expected = q.prepare_query(q.resolve_query_text("initiatives-on-theme"), {"theme": "organised-crime"}).text
    assert hash_query == expected
    assert attempts == []


def test_the_filter_box_is_wide_enough_for_its_placeholder(browser, served):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(served.page_url)
    page.locator("#filter").wait_for()
    room, needed = page.evaluate("""() => {
        const box = document.getElementById("filter");
        const style = getComputedStyle(box);
        const context = document.createElement("canvas").getContext("2d");
        context.font = style.font;
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        return [box.clientWidth - padding, context.measureText(box.placeholder).width];
    }""")
    assert room >= needed


def test_the_editor_completes_prefixes_from_the_project_not_the_web(browser, served):  # noqa: F811
    attempts: list[str] = []
    asked: list[str] = []
    editor = offline_page(browser, attempts)
    editor.on("request", lambda request: asked.append(urllib.parse.urlsplit(request.url).path))
    editor.goto(served.editor_url)
    editor.locator(".CodeMirror").wait_for()
    editor.wait_for_load_state("networkidle")
    assert "/prefixes.js" in asked
    assert attempts == []
    offered = editor.evaluate("() => Yasgui.Yasqe.Autocompleters.prefixes.get()")
    assert "peel: <https://w3id.org/peelkg/ontology#>" in offered
