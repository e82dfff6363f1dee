"""The synthetic corpus, incremental adds, and the `peelkg bench --quick` run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from peelkg.cli import main
from peelkg.bench import bench, builds, queries, results
from peelkg.graph import build
from peelkg.graph import store as st
from peelkg.bench.corpus import generate_corpus
from peelkg.graph.query import load_named_queries
from peelkg.pipeline import load_report
from tests.paths import CAUSE_OF_CONCERN


def test_corpus_is_deterministic_and_every_report_loads_as_its_own_force(tmp_path: Path) -> None:
    first = generate_corpus(tmp_path / "a", 4, seed=7)
    again = generate_corpus(tmp_path / "b", 4, seed=7)
    other = generate_corpus(tmp_path / "c", 4, seed=8)
    assert [r.path.read_bytes() for r in first] == [r.path.read_bytes() for r in again]
    assert [r.path.read_bytes() for r in first] != [r.path.read_bytes() for r in other]
    assert len({r.skeleton for r in first}) > 1, "the corpus should recombine more than one skeleton"
    iris = set()
    for report in first:
        built = load_report(report.path)
        assert not [i for i in built.issues if i.severity.value == "fatal"]
        assert built.facts.document.meta.force_name == report.force
        iris.add(built.report_iri)
    assert len(iris) == len(first)


def test_corpus_varies_names_numbers_and_grades(tmp_path: Path) -> None:
    reports = generate_corpus(tmp_path, 6, seed=3)
    texts = [r.path.read_text(encoding="utf-8") for r in reports]
    same_skeleton = [t for r, t in zip(reports, texts) if r.skeleton == reports[0].skeleton]
    assert len(set(same_skeleton)) == len(same_skeleton)
    grades = {tuple((j.question_id, j.grade) for j in load_report(r.path).facts.judgments if not j.previous) for r in reports}
    assert len(grades) > 1


def test_adding_a_report_gives_the_same_store_as_a_full_rebuild(tmp_path: Path) -> None:
    paths = [r.path for r in generate_corpus(tmp_path / "corpus", 3, seed=11)]
    build.build_store(paths[:2], tmp_path / "incremental", reason=False)
    build.add_report(paths[2], tmp_path / "incremental", reason=False)
    build.build_store(paths, tmp_path / "full", reason=False)
    incremental = st.open_store(tmp_path / "incremental")
    full = st.open_store(tmp_path / "full")
    assert st.graph_names(incremental) == st.graph_names(full)
    assert len(st.list_reports(full)) == 3
    for iri in st.graph_names(full):
        a, b = st.read_graph(incremental, iri), st.read_graph(full, iri)
        if not isomorphic(a, b):
            _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
            pytest.fail(f"{iri} differs: {len(only_a)} triples only after add, {len(only_b)} only after rebuild")


def test_percentiles_status_and_query_kinds() -> None:
    assert results.percentile([5, 1, 3, 2, 4], 50) == 3
    assert results.percentile([5, 1, 3, 2, 4], 95) == 5
    assert results.percentile([], 50) is None
    assert results.Figure("x", "y", 2.0, "s", 3.0).status == "PASS"
    assert results.Figure("x", "y", 4.0, "s", 3.0).status == "MISS"
    assert results.Figure("x", "y", None, "s", 3.0).status == "MISS"
    assert results.Figure("x", "y", 12.0, "x", 30.0, higher_is_better=True, bound=True).status == "?"
    assert results.Figure("x", "y", 40.0, "x", 30.0, higher_is_better=True, bound=True).status == "PASS"
    assert queries._kind("SELECT ?r (COUNT(?p) AS ?n) WHERE { ?p a ?c } GROUP BY ?r") == "aggregate"
    assert queries._kind("SELECT * WHERE { ?a ?b ?c . ?c ?d ?e . ?e ?f ?g }") == "join"
    assert queries._kind("SELECT * WHERE { ?a ?b ?c }") == "lookup"


def test_tree_memory_counts_the_workers_of_a_process() -> None:
    """A child holding 200 MB of its own shows up in its parent's tree, not in the parent alone."""
    import subprocess
    import sys
    import time

    code = "import sys, time; block = bytearray(200 * 2**20); block[::4096] = b'x' * len(block[::4096]); print(flush=True); time.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {code!r}])"],
                              stdout=subprocess.PIPE)
    try:
        time.sleep(0.5)
        deadline = time.monotonic() + 20
        while builds.tree_memory_mb(parent.pid) < 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert builds.tree_memory_mb(parent.pid) >= 200
        assert builds._memory_kb(parent.pid) / 1024 < 100
    finally:
        subprocess.run(["pkill", "-P", str(parent.pid)])
        parent.kill()
        parent.wait()


class SlowDataset:
    """Stands in for an rdflib Dataset whose every query takes `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def query(self, text: str) -> list:
        import time

        time.sleep(self.seconds)
        return []


def test_rdflib_times_keep_the_finished_runs_and_are_a_bound_only_when_none_finished() -> None:
    query = queries.BenchQuery("q", "SELECT * WHERE { ?s ?p ?o }", "lookup")
    times, bound = queries._rdflib_times(SlowDataset(0.1), query, runs=10, budget=0.25)
    assert not bound and len(times) == 2 and all(t >= 0.1 for t in times)
    times, bound = queries._rdflib_times(SlowDataset(1.0), query, runs=10, budget=0.2)
    assert bound and len(times) == 1 and 0.15 <= times[0] < 1.0


def test_scaling_table_values_keeps_their_format() -> None:
    assert bench_value("1\tCharged/Summonsed\t9.7\t12.1\n", 2.0) == "1\tCharged/Summonsed\t19.4\t12.1\n"
    assert bench_value("8.2%\t12.1%\n", 0.5) == "4.1%\t12.1%\n"
    assert bench_value("\tTotal\t100.00\t100.00\n", 0.5) == "\tTotal\t100.00\t100.00\n"


def bench_value(line: str, factor: float) -> str:
    from peelkg.bench.corpus import _scale_first_value

    return _scale_first_value(line, factor)


@pytest.mark.slow
@pytest.mark.browser
def test_quick_bench_runs_and_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(main, ["bench", "--quick", "--allow-miss", "--json", str(out)])
    assert result.exit_code == 0, result.output
    table = result.stdout
    assert re.fullmatch(r"\d+ PASS, \d+ MISS(, \d+ undecided .*)?", table.splitlines()[-1])
    expected = [
        "build end to end, no reasoning", "build end to end, with reasoning", "text extracted, per 60 pages",
        *(f"stage {stage}" for stage in ("read", "segment", "extract", "link", "assemble", "validate", "store", "reason")),
    ]
    for size in (1, 3):
        expected += [f"{size} report(s): {name}" for name in ("build time", "reports/s", "triples/s", "peak memory")]
        for query in load_named_queries():
            expected += [f"{size} report(s): {query.name} ({queries._kind(query.text)}) Oxigraph p50",
                         f"{size} report(s): {query.name} Oxigraph p95",
                         f"{size} report(s): {query.name} rdflib p50",
                         f"{size} report(s): {query.name} rdflib/Oxigraph"]
    expected.append("3 report(s): add one report")
    for nodes in (100, 500):
        expected += [f"{nodes} nodes: {name}" for name in ("view generation", "HTML size", "first draw", "settled layout")]
    expected += ["named queries p95, 1000 requests at 50 parallel", "requests answered 200", "peelkg query grades, wall median"]
    missing = [name for name in expected if name not in table]
    assert not missing, f"figures missing from the table: {missing}\n{table}"
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True and data["machine"]["cpus"]
    assert len(data["figures"]) == table.count("\n| ") - 1 and all("status" in f for f in data["figures"])


def canned_result(*values: float) -> results.BenchResult:
    """A bench run whose figures have a target of 2.0 s: values at or under it pass."""
    figures = [results.Figure("build", f"figure {i}", value, "s", 2.0) for i, value in enumerate(values)]
    return results.BenchResult(True, "now", {"cpus": "2", "memory": "4 GB", "cpu": "test"}, figures)


@pytest.mark.parametrize("values, summary, code", [((1.0, 1.5), "2 PASS, 0 MISS", 0), ((1.0, 3.0), "1 PASS, 1 MISS", 1)])
def test_the_bench_ends_with_one_summary_line_and_fails_on_a_miss(monkeypatch, values, summary, code) -> None:
    monkeypatch.setattr(bench, "run_bench", lambda **kwargs: canned_result(*values))
    result = CliRunner().invoke(main, ["bench", "--quick"])
    assert result.exit_code == code, result.output
    assert result.stdout.splitlines()[-1] == summary
    if code:
        assert "1 target(s) missed, first: build: figure 1" in result.stderr
    relaxed = CliRunner().invoke(main, ["bench", "--quick", "--allow-miss"])
    assert relaxed.exit_code == 0 and relaxed.stdout.splitlines()[-1] == summary


def test_bench_gives_the_pdf_extraction_time_per_60_pages(tmp_path: Path) -> None:
    pytest.importorskip("fpdf")
    result = results.BenchResult(quick=True, started="", machine={})
    builds.bench_pdf_read(result, CAUSE_OF_CONCERN, tmp_path / "pdf", 1, lambda _: None)
    [figure] = result.figures
    assert figure.name == "mercia-2016-cause-of-concern.pdf: text extracted, per 60 pages"
    assert figure.value is not None and figure.value > 0 and figure.target == 3.0
    assert " page(s) in " in figure.note
