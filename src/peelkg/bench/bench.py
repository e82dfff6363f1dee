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

import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from peelkg.bench.builds import bench_pdf_read, bench_report_build, bench_scale
from peelkg.bench.queries import bench_queries
from peelkg.bench.results import BenchResult, Figure, Plan, Progress
from peelkg.bench.views import bench_views
from peelkg.resources import bundled_reports


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
            bench_cli_latency(result, endpoint_store, note)     # first, while no server's load lingers
            bench_endpoint(result, endpoint_store, note)
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
