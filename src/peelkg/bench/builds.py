"""Build benchmarks: the bundled report stage by stage, its PDF read, and synthetic corpora.

Each corpus is built in a child process, so the memory measured (sampled from outside, the
child and its forked workers together) is the build's own; one report is then added to the
largest store.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rdflib

from peelkg.bench.results import BenchError, BenchResult, Figure, Plan, Progress, one_line, seconds_of
from peelkg.errors import PeelkgError


# --------------------------------------------------------------------------- the single report


LOADER_STAGES = ("read", "segment", "extract", "link", "assemble")
STAGE_TARGETS = {"link": 1.0}    # seconds a stage may take on the bundled report


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
        stages.setdefault("validate", []).append(seconds_of(lambda: validate_graph(asserted)))
        target = work / f"stage-store-{run}"
        stages.setdefault("store", []).append(seconds_of(lambda: _plain_store(target, [built.graphs])))
        shutil.rmtree(target, ignore_errors=True)
    conforms = validate_graph(asserted).conforms

    walls, error = [], ""
    for run in range(runs):
        try:
            walls.append(seconds_of(lambda: build_store([report], work / f"build-{run}", reason=False)))
        except PeelkgError as failure:
            error = one_line(failure)
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
            extra = f"build failed: {one_line(failure)}"
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
        walls.append(seconds_of(lambda: pdf_text(data, report.stem)))
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
        error = one_line(failure)
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
            times.append(seconds_of(lambda: add_report(path, copy, reason=False)))
        except PeelkgError as failure:
            error = one_line(failure)
            break
    shutil.rmtree(work, ignore_errors=True)
    value = statistics.median(times) if times else None
    return Figure("scale", f"{size} report(s): add one report (add_report)", value, "s", 5.0, runs=len(times),
                  note=f"add failed: {error}" if error else "")


# --------------------------------------------------------------------------- the child build


def _in_child(paths: list[Path], store_dir: Path) -> dict:
    """`child_build(paths, store_dir)` in a fresh interpreter, so the memory measured is the build's own.

    The build forks worker processes, so the peak is sampled from outside: the memory of the
    child and all its descendants together, every 0.2 s (see `tree_memory_mb`).
    """
    with tempfile.TemporaryDirectory(prefix="peelkg-bench-child-") as folder:
        job, out = Path(folder) / "job.json", Path(folder) / "out.json"
        job.write_text(json.dumps({"paths": [str(p) for p in paths], "store": str(store_dir)}), encoding="utf-8")
        code = "import sys; from peelkg.bench.builds import child_main; child_main(sys.argv[1], sys.argv[2])"
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
