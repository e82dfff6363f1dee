"""Benchmarks: is peelkg fast at one report and still fast at a national corpus?

`run_bench` measures, on this machine and in one run: the bundled report's build stage by
stage (and reasoning apart), build throughput and peak memory over synthetic corpora
(`peelkg.bench.corpus`), adding one report to the largest store, the latency of every named
query on the Oxigraph store and, side by side, on rdflib's in-memory store, and view
generation and drawing in headless Chromium. Each figure is the median of several runs
and carries its target, so the table says PASS or MISS. rdflib measurements are capped by a
time budget; a cut measurement is reported as a bound (">=").
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib

from peelkg.errors import PeelkgError, first_line
from peelkg.resources import bundled_reports
from peelkg.vocab import PEEL

class BenchError(PeelkgError):
    """A benchmark could not run (e.g. its child process died)."""


class TargetsMissed(PeelkgError):
    """A benchmark figure missed its target: a check that failed, like a graph that does not validate."""

    exit_code = 1


Progress = Callable[[str], None]
"""Called with a one-line note as each measurement starts."""


@dataclass(frozen=True)
class Plan:
    """How much to measure: corpus sizes, repetitions, time budgets and view sizes."""

    sizes: tuple[int, ...]
    build_runs: int
    add_runs: int
    query_runs: int
    rdflib_budget: float         # seconds per query on rdflib, all runs together
    oxigraph_budget: float       # the same on Oxigraph
    isolate_queries: bool        # time Oxigraph in a child process that can be killed (costs a start-up per query)
    view_sizes: tuple[int, ...]
    view_runs: int
    draw_cap: float              # seconds to wait for a view to draw and settle

    @classmethod
    def quick(cls) -> Plan:
        return cls(sizes=(1, 3), build_runs=3, add_runs=1, query_runs=5, rdflib_budget=0.5, oxigraph_budget=5.0, isolate_queries=False, view_sizes=(100, 500), view_runs=1, draw_cap=20.0)

    @classmethod
    def full(cls) -> Plan:
        return cls(sizes=(1, 43, 430), build_runs=5, add_runs=3, query_runs=20, rdflib_budget=20.0, oxigraph_budget=30.0, isolate_queries=True, view_sizes=(100, 1000, 5000), view_runs=3, draw_cap=60.0)


STAGE_TARGETS = {"link": 1.0}    # seconds a stage may take on the bundled report


@dataclass
class Figure:
    """One measured figure, with its target: `value <= target` (or `>=` when higher is better)."""

    section: str
    name: str
    value: float | None
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    runs: int = 1
    bound: bool = False          # the measurement was cut by its budget: the true value is at least `value`
    note: str = ""

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        if self.value is None:
            return "?" if self.bound else "MISS"
        if self.higher_is_better:
            return "PASS" if self.value >= self.target else ("?" if self.bound else "MISS")
        return "PASS" if self.value <= self.target else "MISS"


@dataclass
class BenchResult:
    quick: bool
    started: str
    machine: dict[str, str]
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0
    listener: Callable[[Figure], None] | None = field(default=None, repr=False, compare=False)

    def add(self, *figures: Figure) -> None:
        """Record figures; the listener sees each one as it is measured (a cut run keeps its numbers)."""
        self.figures.extend(figures)
        for figure in figures:
            if self.listener is not None:
                self.listener(figure)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("listener", None)
        for figure, item in zip(self.figures, data["figures"]):
            item["status"] = figure.status
        return data


# --------------------------------------------------------------------------- entry point


def run_bench(*, quick: bool = False, work_dir: Path | None = None, progress: Progress | None = None,
              sections: tuple[str, ...] = ("build", "scale", "queries", "views", "endpoint"),
              on_figure: Callable[[Figure], None] | None = None) -> BenchResult:
    """Run the benchmarks; `work_dir` (default: a temporary folder, removed after) holds corpora and stores."""
    plan = Plan.quick() if quick else Plan.full()
    note = progress or (lambda _: None)
    result = BenchResult(quick=quick, started=time.strftime("%Y-%m-%d %H:%M:%S %Z"), machine=machine(), listener=on_figure)
    started = time.perf_counter()
    own = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="peelkg-bench-")) if work_dir is None else Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        reference = bundled_reports()[0]
        if "build" in sections:
            bench_report_build(result, reference, work / "single", plan.build_runs, note)
            bench_pdf_read(result, reference, work / "pdf", plan.build_runs, note)
        stores: dict[int, Path] = {}
        if "scale" in sections or "queries" in sections:
            stores = bench_scale(result, reference, work, plan, note)
        if "queries" in sections:
            for size, store_dir in stores.items():
                bench_queries(result, store_dir, size, plan, largest=size == max(plan.sizes), note=note)
        if "views" in sections:
            bench_views(result, work / "views", plan, note)
        if "endpoint" in sections:
            from peelkg.bench.endpoint import bench_cli_latency, bench_endpoint
            from peelkg.graph.build import build_store

            endpoint_store = stores.get(1)          # the bundled report alone, if the scale section built it
            if endpoint_store is None:
                endpoint_store = work / "endpoint" / "store"
                build_store([reference], endpoint_store, reason=False)
            bench_endpoint(result, endpoint_store, note)
            bench_cli_latency(result, endpoint_store, note)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


def machine() -> dict[str, str]:
    """CPU count, memory and CPU model of this machine, for the results table."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        total = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        memory = f"{int(total.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    return {"cpus": str(os.cpu_count()), "memory": memory, "cpu": model or platform.processor(),
            "python": platform.python_version(), "system": platform.platform()}


# --------------------------------------------------------------------------- the single report


LOADER_STAGES = ("read", "segment", "extract", "link", "assemble")


def bench_report_build(result: BenchResult, report: Path, work: Path, runs: int, note: Progress) -> None:
    """The bundled report end to end, each stage's share, and reasoning apart."""
    from peelkg.graph.build import build_store
    from peelkg.graph.validate import validate_graph
    from peelkg.loaders.reference import reference_for
    from peelkg.pipeline import load_report

    note(f"build: {report.name}, {runs} runs per figure")
    stages: dict[str, list[float]] = {}
    asserted = rdflib.Graph()
    for run in range(runs):
        built = load_report(report)
        for stage in LOADER_STAGES:
            stages.setdefault(stage, []).append(built.timings.get(stage, 0.0))
        asserted = rdflib.Graph()
        for graph in built.graphs.values():
            asserted += graph
        asserted += reference_for(asserted)   # as the build validates it
        stages.setdefault("validate", []).append(_seconds(lambda: validate_graph(asserted)))
        target = work / f"stage-store-{run}"
        stages.setdefault("store", []).append(_seconds(lambda: _plain_store(target, [built.graphs])))
        shutil.rmtree(target, ignore_errors=True)
    conforms = validate_graph(asserted).conforms

    walls, error = [], ""
    for run in range(runs):
        try:
            walls.append(_seconds(lambda: build_store([report], work / f"build-{run}", reason=False)))
        except PeelkgError as failure:
            error = _one_line(failure)
            break
    medians = {stage: statistics.median(values) for stage, values in stages.items()}
    total = statistics.median(walls) if walls else sum(medians.values())
    how = "" if walls else f"build failed ({error}); sum of the stages"
    result.add(Figure("build", f"{report.name}: build end to end, no reasoning", total, "s", 3.0, runs=runs, note=how))
    stage_sum = sum(medians.values())
    for stage, value in medians.items():
        share = f"{100 * value / stage_sum:.0f}% of the stages" + ("" if stage != "validate" or conforms else "; graph does not conform")
        limit = STAGE_TARGETS.get(stage)
        result.add(Figure("build", f"  stage {stage}", value, "s", limit, runs=runs, note=share))

    note("build: with reasoning")
    reasoned: list[float] = []
    reasoning: list[float] = []
    extra = ""
    for run in range(max(1, runs // 2)):
        try:
            summary = _timed_build(lambda: build_store([report], work / f"reasoned-{run}", reason=True), reasoned)
            reasoning.append(summary.timings.get("reason", 0.0))
        except PeelkgError as failure:
            extra = f"build failed: {_one_line(failure)}"
            break
    result.add(Figure("build", "  stage reason (HermiT)", statistics.median(reasoning) if reasoning else None, "s",
                      runs=len(reasoning), note=extra or "measured inside the build with reasoning"))
    result.add(Figure("build", f"{report.name}: build end to end, with reasoning",
                      statistics.median(reasoned) if reasoned else None, "s", 10.0, runs=len(reasoned), note=extra))
    shutil.rmtree(work, ignore_errors=True)


PDF_PAGES = 60   # the extraction time is given for a report of this length


def bench_pdf_read(result: BenchResult, report: Path, work: Path, runs: int, note: Progress) -> None:
    """The text taken from the report laid out as a PDF (made with fpdf2, of the test extra), for 60 pages."""
    name = f"{report.stem}.pdf: text extracted, per {PDF_PAGES} pages"
    try:
        from peelkg.bench.pdfmaker import FONTS, make_pdf
    except ImportError:
        result.add(Figure("build", name, None, "s", note="not measured: making the PDF needs fpdf2 (pip install 'peelkg[test]')"))
        return
    if not all(path.exists() for path in FONTS.values()):
        result.add(Figure("build", name, None, "s", note="not measured: making the PDF needs the DejaVu fonts (fonts-dejavu-core)"))
        return
    from peelkg.loaders.pdf import page_count, pdf_text

    note(f"build: {report.stem}.pdf, text extraction")
    work.mkdir(parents=True, exist_ok=True)
    data = make_pdf(report.read_text(encoding="utf-8"), work / f"{report.stem}.pdf").read_bytes()
    pages = page_count(data)
    walls, cpus = [], []
    for _ in range(runs):
        cpu = time.process_time()
        walls.append(_seconds(lambda: pdf_text(data, report.stem)))
        cpus.append(time.process_time() - cpu)
    seconds = statistics.median(walls)
    result.add(Figure("build", name, seconds * PDF_PAGES / pages, "s", 3.0, runs=runs,
                      note=f"{pages} page(s) in {seconds:.2f} s (CPU {statistics.median(cpus):.2f} s); "
                           "the text build above reads the same report as text"))
    shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- corpora


def corpus(reference: Path, size: int, work: Path, extra: int = 0) -> list[Path]:
    """The reference report plus `size - 1` synthetic ones (and `extra` more, held out, at the end)."""
    from peelkg.bench.corpus import generate_corpus

    if size + extra <= 1:
        return [reference][: size + extra]
    generated = generate_corpus(work / "corpus", size + extra - 1)
    return [reference] + [report.path for report in generated]


def bench_scale(result: BenchResult, reference: Path, work: Path, plan: Plan, note: Progress) -> dict[int, Path]:
    """Build each corpus in a child process (time, triples, peak RSS); add one report to the largest."""
    stores: dict[int, Path] = {}
    largest = max(plan.sizes)
    for size in plan.sizes:
        paths = corpus(reference, size, work / f"corpus-{size}", extra=1 if size == largest else 0)
        held_out = paths.pop() if size == largest else None
        store_dir = work / f"store-{size}"
        note(f"scale: building {size} report(s) in a child process")
        outcome = _in_child(paths, store_dir)
        stores[size] = store_dir
        label = f"{size} report(s)"
        why = f"{outcome['workers'] or 'no'} worker process(es)" if not outcome["error"] else f"build failed ({outcome['error']}); measured without the SHACL gate, one process"
        seconds = outcome["seconds"]
        result.add(
            Figure("scale", f"{label}: build time, no reasoning", seconds, "s", 600.0 if size >= 400 else None, note=why),
            Figure("scale", f"{label}: reports/s", size / seconds, "reports/s"),
            Figure("scale", f"{label}: triples/s", outcome["triples"] / seconds, "triples/s", note=f"{outcome['triples']} triples"),
            Figure("scale", f"{label}: peak memory (build and its workers)", outcome["tree_mb"], "MB", 2048.0 if size >= 400 else None,
                   note=f"sum of PSS sampled every 0.2 s; largest single process {outcome['rss_mb']:.0f} MB RSS"),
        )
        if held_out is not None:
            note(f"scale: adding one report to the {size}-report store")
            result.add(bench_add(held_out, store_dir, work / "add", plan.add_runs, size))
    return stores


def child_build(paths: list[Path], store_dir: Path) -> dict:
    """Run in a fresh process: the real build, or, when a report does not validate, the same stages without the gate."""
    from peelkg.graph.build import build_store, default_jobs, worker_count

    started = time.perf_counter()
    error = ""
    try:
        summary = build_store(paths, store_dir, reason=False)
        triples = summary.triples
    except PeelkgError as failure:
        error = _one_line(failure)
        shutil.rmtree(store_dir, ignore_errors=True)
        started = time.perf_counter()
        triples = _gateless_build(paths, store_dir)
    seconds = time.perf_counter() - started
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"seconds": seconds, "triples": triples, "rss_mb": rss / 1024, "error": error, "workers": worker_count(default_jobs(), len(paths))}


def _gateless_build(paths: list[Path], store_dir: Path) -> int:
    """Load, validate (ignoring the outcome) and store each report, as the build does."""
    from peelkg.graph import store as st
    from peelkg.graph.validate import validate_graph
    from peelkg.loaders.reference import reference_for
    from peelkg.pipeline import load_report

    store = st.create_store(store_dir)
    try:
        for path in paths:
            graphs = load_report(path).graphs
            asserted = rdflib.Graph()
            for graph in graphs.values():
                asserted += graph
            validate_graph(asserted + reference_for(asserted))
            st.load_graphs(store, graphs)
        st.load_ontology(store)
        st.load_reference(store)
        st.finish(store)
        return sum(st.graph_sizes(store).values())
    finally:
        del store


def _plain_store(store_dir: Path, reports: list[dict[str, rdflib.Graph]]) -> None:
    from peelkg.graph import store as st

    store = st.create_store(store_dir)
    for graphs in reports:
        st.load_graphs(store, graphs)
    st.load_ontology(store)
    st.load_reference(store)
    st.finish(store)
    del store


def bench_add(path: Path, store_dir: Path, work: Path, runs: int, size: int) -> Figure:
    """Incremental `add_report` into a copy of the store (the first run adds, later runs replace)."""
    from peelkg.graph.build import add_report

    copy = work / "store"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(store_dir, copy)
    times, error = [], ""
    for _ in range(runs):
        try:
            times.append(_seconds(lambda: add_report(path, copy, reason=False)))
        except PeelkgError as failure:
            error = _one_line(failure)
            break
    shutil.rmtree(work, ignore_errors=True)
    value = statistics.median(times) if times else None
    return Figure("scale", f"{size} report(s): add one report (add_report)", value, "s", 5.0, runs=len(times),
                  note=f"add failed: {error}" if error else "")


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class BenchQuery:
    name: str
    text: str                    # the query with its default parameters bound
    kind: str                    # "aggregate", "join" or "lookup"


def named_queries(folder: Path | None = None) -> list[BenchQuery]:
    """Every named query (queries/*.rq) with its default parameters bound, and its kind."""
    from peelkg.graph.query import load_named_queries, prepare_query

    found = []
    for query in load_named_queries(folder):
        text = prepare_query(query.text).text
        found.append(BenchQuery(query.name, text, _kind(text)))
    return found


def _kind(text: str) -> str:
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    if re.search(r"\b(GROUP\s+BY|COUNT|SUM|AVG|MIN|MAX|GROUP_CONCAT)\b", body, re.IGNORECASE):
        return "aggregate"
    where = body[body.upper().find("WHERE"):] if "WHERE" in body.upper() else body
    patterns = len(re.findall(r"\s[.;]\s", where)) + 1
    return "join" if patterns >= 3 else "lookup"


def bench_queries(result: BenchResult, store_dir: Path, size: int, plan: Plan, *, largest: bool, note: Progress) -> None:
    """p50/p95 of every named query on Oxigraph and on rdflib's in-memory Dataset, with the ratio."""

    from peelkg.graph import store as st

    queries = named_queries()
    label = f"{size} report(s)"
    if not queries:
        result.add(Figure("queries", f"{label}: named queries", None, "", note="no queries/*.rq found"))
        return
    note(f"queries: {len(queries)} named queries at {label}")
    store = st.open_store(store_dir, read_only=True)
    loaded = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    # the named graphs only: the store's default graph is their union, which rdflib forms itself
    dataset.parse(data=st.serialize(store, st.ExportFormat.NQUADS), format="nquads")
    result.add(Figure("queries", f"{label}: rdflib Dataset load", time.perf_counter() - loaded, "s",
                      note=f"{len(dataset)} quads"))
    p50_target = 0.020 if size == 1 else (0.5 if size >= 400 else None)
    for query in queries:
        ox_times: list[float] = []
        rd_times: list[float] = []
        ox_cut, cut, ox_failed, rd_failed = False, False, "", ""
        try:
            if plan.isolate_queries:
                ox_times, ox_cut = _oxigraph_times(store_dir, query, plan.query_runs, plan.oxigraph_budget)
            else:
                ox_times = _time_runs(store, query.text, plan.query_runs, plan.oxigraph_budget)
                ox_cut = len(ox_times) < plan.query_runs
        except (OSError, ValueError, RuntimeError) as error:
            ox_failed = f"Oxigraph failed: {_one_line(error)}"
        try:
            rd_times, cut = _rdflib_times(dataset, query, plan.query_runs, plan.rdflib_budget)
        except Exception as error:   # rdflib raises assorted errors on queries it cannot evaluate
            rd_failed = f"rdflib cannot evaluate it: {type(error).__name__}: {_one_line(error)}"
        ox50, ox95 = _p(ox_times, 50), _p(ox_times, 95)
        rd50 = _p(rd_times, 50)
        both_cut = ox_cut and len(ox_times) == 1 and cut
        ratio = rd50 / ox50 if ox50 and rd50 is not None and not both_cut else None
        ratio_bound = cut or both_cut
        needs_ratio = size >= 400 and query.kind in ("join", "aggregate") and not rd_failed
        result.add(
            Figure("queries", f"{label}: {query.name} ({query.kind}) Oxigraph p50", _ms(ox50), "ms",
                   None if p50_target is None else p50_target * 1000, runs=len(ox_times), bound=ox_cut and len(ox_times) == 1,
                   note=ox_failed or ("fewer runs: over the time budget" if ox_cut else "")),
            Figure("queries", f"{label}: {query.name} Oxigraph p95", _ms(ox95), "ms", runs=len(ox_times), bound=ox_cut and len(ox_times) == 1),
            Figure("queries", f"{label}: {query.name} rdflib p50", _ms(rd50), "ms", runs=len(rd_times), bound=cut,
                   note="cut by the time budget" if cut else rd_failed),
            Figure("queries", f"{label}: {query.name} rdflib/Oxigraph", ratio, "x", 30.0 if needs_ratio else None,
                   higher_is_better=True, runs=len(rd_times), bound=ratio_bound,
                   note="both engines cut by the time budget: ratio unknown" if both_cut else ""),
        )
    del store, dataset


def _oxigraph_times(store_dir: Path, query: BenchQuery, runs: int, budget: float) -> tuple[list[float], bool]:
    """Run times on Oxigraph, in a child process killed when the budget runs out (native code cannot be interrupted).

    Returns the times of the runs that finished and whether the budget cut the measurement; a run
    cut before its end counts as the time spent (a lower bound).
    """
    with tempfile.TemporaryDirectory(prefix="peelkg-bench-query-") as folder:
        text, out = Path(folder) / "query.rq", Path(folder) / "times.json"
        text.write_text(query.text, encoding="utf-8")
        code = "import sys; from peelkg.bench.bench import oxigraph_child; oxigraph_child(*sys.argv[1:])"
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", code, str(store_dir), str(text), str(runs), str(budget), str(out)],
                                  capture_output=True, text=True, timeout=budget + 10)
        except subprocess.TimeoutExpired:
            times = json.loads(out.read_text()) if out.exists() else []
            return (times or [time.perf_counter() - started]), True
        if done.returncode != 0:
            raise RuntimeError((done.stderr.strip().splitlines() or ["the query child failed"])[-1])
        times = json.loads(out.read_text()) if out.exists() else []
        return times, len(times) < runs


def oxigraph_child(store_dir: str, query_file: str, runs: str, budget: str, out: str) -> None:
    """Entry point of the query child: time `runs` runs (fewer when over budget), writing the times after each."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    text = Path(query_file).read_text(encoding="utf-8")
    def save(times: list[float]) -> None:   # after each run, so a child killed at its budget leaves its times
        Path(out).write_text(json.dumps(times), encoding="utf-8")

    _time_runs(store, text, int(runs), float(budget), save)


def _time_runs(store, text: str, runs: int, budget: float, after: Callable[[list[float]], None] | None = None) -> list[float]:
    """Times of up to `runs` runs of a query on an Oxigraph store, stopping once over `budget` seconds."""
    times: list[float] = []
    deadline = time.perf_counter() + budget
    for _ in range(runs):
        started = time.perf_counter()
        _drain(store.query(text))  # the default graph is the union of the named graphs (see graph/store.py)
        times.append(time.perf_counter() - started)
        if after is not None:
            after(times)
        if time.perf_counter() > deadline:
            break
    return times


def _rdflib_times(dataset: rdflib.Dataset, query: BenchQuery, runs: int, budget: float) -> tuple[list[float], bool]:
    """Times of the runs on rdflib that finished within the budget (fewer runs when it runs out).

    Only when not even one run finished is the figure a bound: then the one cut run counts as
    the time spent, and the second value is True.
    """
    times: list[float] = []
    deadline = time.perf_counter() + budget
    for _ in range(runs):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        started = time.perf_counter()
        try:
            with _time_limit(left):
                list(dataset.query(query.text))
        except _Cut:
            if times:
                return times, False
            return [time.perf_counter() - started], True
        times.append(time.perf_counter() - started)
    return times, False


def _drain(answer) -> None:
    for row in answer:
        if hasattr(row, "__iter__") and not isinstance(row, (str, bytes)):
            for _ in row:
                pass


class _Cut(Exception):
    """A measurement ran out of its time budget."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt pure-Python work (rdflib's evaluator) after `seconds`; no limit outside the main thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _Cut()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- views


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
            result.add(Figure("views", f"{size} nodes: view generation", None, "s", note=f"views not available: {_one_line(missing)}"))
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
            seconds = [_seconds(lambda: build_views(graph, out, names=["overview"], focus=focus, depth=VIEW_DEPTH,
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
            seconds.append(_seconds(lambda: build_views(graph, out, names=["overview"], focus=focus, depth=VIEW_DEPTH,
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
        return None, None, False, False, f"browser: {_one_line(error)}"


# --------------------------------------------------------------------------- helpers


def _in_child(paths: list[Path], store_dir: Path) -> dict:
    """`child_build(paths, store_dir)` in a fresh interpreter, so the memory measured is the build's own.

    The build forks worker processes, so the peak is sampled from outside: the memory of the
    child and all its descendants together, every 0.2 s (see `tree_memory_mb`).
    """
    with tempfile.TemporaryDirectory(prefix="peelkg-bench-child-") as folder:
        job, out = Path(folder) / "job.json", Path(folder) / "out.json"
        job.write_text(json.dumps({"paths": [str(p) for p in paths], "store": str(store_dir)}), encoding="utf-8")
        code = "import sys; from peelkg.bench.bench import child_main; child_main(sys.argv[1], sys.argv[2])"
        errors = Path(folder) / "stderr.txt"
        with errors.open("w") as stderr:
            child = subprocess.Popen([sys.executable, "-c", code, str(job), str(out)], stdout=subprocess.DEVNULL, stderr=stderr)
            peak = 0.0
            while child.poll() is None:
                peak = max(peak, tree_memory_mb(child.pid))
                time.sleep(0.2)
        if child.returncode != 0 or not out.exists():
            last = (errors.read_text(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise BenchError(f"the child build of {len(paths)} report(s) failed: {last}")
        outcome = json.loads(out.read_text(encoding="utf-8"))
        outcome["tree_mb"] = peak
        return outcome


def tree_memory_mb(pid: int) -> float:
    """Memory of a process and its descendants, in MB: the sum of their proportional set sizes.

    PSS divides each shared page among the processes sharing it, so the copy-on-write pages of
    forked workers count once (a sum of RSS would count them once per worker). Falls back to
    RSS where /proc/PID/smaps_rollup cannot be read.
    """
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        total_kb += _memory_kb(current)
    return total_kb / 1024


def _memory_kb(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return 0


def child_main(job: str, out: str) -> None:
    """Entry point of the child process: read the job, build, write the outcome as JSON."""
    spec = json.loads(Path(job).read_text(encoding="utf-8"))
    outcome = child_build([Path(p) for p in spec["paths"]], Path(spec["store"]))
    Path(out).write_text(json.dumps(outcome), encoding="utf-8")


def _timed_build(function: Callable, times: list[float]):
    started = time.perf_counter()
    outcome = function()
    times.append(time.perf_counter() - started)
    return outcome


def _seconds(function: Callable) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _p(values: list[float], percent: int) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-percent * len(ordered) // 100) - 1))]


def _ms(value: float | None) -> float | None:
    return None if value is None else value * 1000


def _one_line(error: BaseException, limit: int = 160) -> str:
    line = first_line(error)
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


# --------------------------------------------------------------------------- the table


def format_table(result: BenchResult) -> str:
    """The results as a Markdown table: figure, value, target, PASS/MISS, runs, note."""
    lines = [
        f"peelkg bench ({'quick' if result.quick else 'full'}) {result.started}; "
        f"{result.machine['cpus']} CPUs, {result.machine['memory']}, {result.machine['cpu']}; {result.seconds:.0f} s",
        "",
        "| section | figure | value | target | status | runs | note |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    lines.extend(format_row(f) for f in result.figures)
    return "\n".join(lines)


def count_status(result: BenchResult) -> dict[str, int]:
    """How many figures passed, missed and could not be decided (a measurement cut by its budget)."""
    statuses = [f.status for f in result.figures]
    return {"PASS": statuses.count("PASS"), "MISS": statuses.count("MISS"), "?": statuses.count("?")}


def format_summary(result: BenchResult) -> str:
    """The one line that ends a run: `12 PASS, 1 MISS` (and how many are undecided, if any).

    >>> format_summary(BenchResult(True, "", {}, [Figure("s", "a", 1.0, "s", 2.0), Figure("s", "b", 3.0, "s", 2.0)]))
    '1 PASS, 1 MISS'
    """
    counts = count_status(result)
    line = f"{counts['PASS']} PASS, {counts['MISS']} MISS"
    return line + (f", {counts['?']} undecided (cut by the time budget)" if counts["?"] else "")


def missed(result: BenchResult) -> list[Figure]:
    """The figures that missed their target."""
    return [f for f in result.figures if f.status == "MISS"]


def format_row(f: Figure) -> str:
    """One figure as a row of the results table."""
    value = "n/a" if f.value is None else (">= " if f.bound else "") + _number(f.value) + f" {f.unit}"
    target = "" if f.target is None else ("\u2265 " if f.higher_is_better else "\u2264 ") + _number(f.target) + f" {f.unit}"
    return f"| {f.section} | {f.name} | {value} | {target} | {f.status} | {f.runs} | {f.note} |"


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"
