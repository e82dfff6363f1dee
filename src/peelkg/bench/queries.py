"""Query benchmarks: every named query on the Oxigraph store and, side by side, on rdflib.

rdflib measurements are capped by a time budget, a cut one reported as a bound (">="); with
`Plan.isolate_queries` Oxigraph is timed in a child process that can be killed at its budget.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rdflib

from peelkg.bench.results import BenchResult, Figure, Plan, Progress, ms, one_line, percentile


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
            ox_failed = f"Oxigraph failed: {one_line(error)}"
        try:
            rd_times, cut = _rdflib_times(dataset, query, plan.query_runs, plan.rdflib_budget)
        except Exception as error:   # rdflib raises assorted errors on queries it cannot evaluate
            rd_failed = f"rdflib cannot evaluate it: {type(error).__name__}: {one_line(error)}"
        ox50, ox95 = percentile(ox_times, 50), percentile(ox_times, 95)
        rd50 = percentile(rd_times, 50)
        both_cut = ox_cut and len(ox_times) == 1 and cut
        ratio = rd50 / ox50 if ox50 and rd50 is not None and not both_cut else None
        ratio_bound = cut or both_cut
        needs_ratio = size >= 400 and query.kind in ("join", "aggregate") and not rd_failed
        result.add(
            Figure("queries", f"{label}: {query.name} ({query.kind}) Oxigraph p50", ms(ox50), "ms",
                   None if p50_target is None else p50_target * 1000, runs=len(ox_times), bound=ox_cut and len(ox_times) == 1,
                   note=ox_failed or ("fewer runs: over the time budget" if ox_cut else "")),
            Figure("queries", f"{label}: {query.name} Oxigraph p95", ms(ox95), "ms", runs=len(ox_times), bound=ox_cut and len(ox_times) == 1),
            Figure("queries", f"{label}: {query.name} rdflib p50", ms(rd50), "ms", runs=len(rd_times), bound=cut,
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
        code = "import sys; from peelkg.bench.queries import oxigraph_child; oxigraph_child(*sys.argv[1:])"
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


