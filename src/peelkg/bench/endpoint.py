"""The bench's endpoint section: `peelkg serve` under load, and `peelkg query` as a user feels it.

Both run on the bundled store. The load is 1,000 requests of the named queries, 50 at a
time, from an asyncio client in this process to a `peelkg serve` started as a user
starts it (its own process), all on loopback. The command-line figure is the wall time
of `peelkg query NAME` from start to exit, beside `oxigraph query` answering the same
query on the same store, in the same run.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from peelkg.bench.results import BenchResult, Figure, ms, percentile
from peelkg.endpoint.engine import free_port, oxigraph_binary, wait_until_listening
from peelkg.graph.query import load_named_queries, prepare_query

REQUESTS = 1000
PARALLEL = 50
P95_TARGET_MS = 100.0
CLI_TARGET_MS = 150.0
CLI_QUERY = "grades"


def named_texts() -> list[str]:
    """Each named query bound to its defaults, as a SPARQL client would send it."""
    return [prepare_query(query.text).text for query in load_named_queries()]


async def _load(url: str, texts: list[str], requests: int, parallel: int) -> tuple[list[float], list[str]]:
    from aiohttp import ClientError, ClientSession, TCPConnector

    latencies: list[float] = []
    failures: list[str] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(texts[index % len(texts)])
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    async with ClientSession(connector=TCPConnector(limit=parallel)) as session:

        async def worker() -> None:
            while not queue.empty():
                text = queue.get_nowait()
                started = time.perf_counter()
                try:
                    async with session.post(url, data=text.encode("utf-8"), headers=headers) as response:
                        await response.read()
                        if response.status != 200:
                            failures.append(f"HTTP {response.status}")
                except (ClientError, OSError) as error:
                    failures.append(type(error).__name__)
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(parallel)))
    return latencies, failures


def _load_server(command: list[str], port: int, texts: list[str], requests: int,
                 parallel: int) -> tuple[list[float], list[str]] | None:
    """Start a server, ask each query once (checked and, where kept, answered once), then the load; None if it did not start."""
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_until_listening("127.0.0.1", port, time.monotonic() + 30, server):
            return None
        url = f"http://127.0.0.1:{port}/query"
        asyncio.run(_load(url, texts, len(texts), 1))
        return asyncio.run(_load(url, texts, requests, parallel))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def bench_endpoint(result: BenchResult, store_dir: Path, note: Callable[[str], None],
                   requests: int = REQUESTS, parallel: int = PARALLEL) -> None:
    """p50 / p95 of the named queries through `peelkg serve`, and how many requests failed or were reset.

    Measured three ways under the same load: `peelkg serve` as started by default (answers
    kept per store version, so a query asked again does not reach the engine), `peelkg
    serve --cache-mb 0` (every request checked and run by the engine), and `oxigraph
    serve-read-only` alone on the same store (no guard: what the engine costs by itself).
    """
    texts = named_texts()
    serve = [sys.executable, "-c", "from peelkg.cli import main; main()", "serve", "--store", str(store_dir),
             "--page-port", "0"]
    servers: dict[str, Callable[[int], list[str]]] = {
        "kept": lambda port: [*serve, "--port", str(port)],
        "uncached": lambda port: [*serve, "--cache-mb", "0", "--port", str(port)],
        "engine": lambda port: [oxigraph_binary(), "serve-read-only", "--location", str(store_dir),
                                "--bind", f"127.0.0.1:{port}"],
    }
    runs: dict[str, tuple[list[float], list[str]]] = {}
    for label, command in servers.items():
        port = free_port("127.0.0.1")
        note(f"endpoint ({label}): {requests} requests at {parallel} parallel on 127.0.0.1:{port}")
        measured = _load_server(command(port), port, texts, requests, parallel)
        if measured is None:
            result.add(Figure("endpoint", f"{label} server started", None, "", 1.0, note="it did not start"))
            return
        runs[label] = measured
    latencies, failures = runs["kept"]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    uncached, engine = (percentile(runs[label][0], 95) or 0.0 for label in ("uncached", "engine"))
    result.add(
        Figure("endpoint", f"named queries p95, {requests} requests at {parallel} parallel", ms(p95), "ms",
               P95_TARGET_MS, runs=len(latencies),
               note=f"p50 {ms(p50):.1f} ms; {len(texts)} named queries in turn, each asked once before (answers kept)"),
        Figure("endpoint", "requests answered 200 (no error, no reset)", float(requests - len(failures)), "requests",
               float(requests), higher_is_better=True, runs=requests,
               note=", ".join(sorted(set(failures))) or "none failed"),
        Figure("endpoint", "named queries p95, no answers kept (--cache-mb 0)", ms(uncached), "ms", runs=requests,
               note=f"p50 {ms(percentile(runs['uncached'][0], 50)):.1f} ms; {len(runs['uncached'][1])} failed; "
                    f"ratio to the engine alone {uncached / max(engine, 1e-9):.2f}"),
        Figure("endpoint", "named queries p95, oxigraph serve-read-only alone", ms(engine), "ms", runs=requests,
               note=f"p50 {ms(percentile(runs['engine'][0], 50)):.1f} ms; no guard, same load"),
    )


def _wall_ms(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return 1000 * (time.perf_counter() - started)


def bench_cli_latency(result: BenchResult, store_dir: Path, note: Callable[[str], None], runs: int = 15) -> None:
    """`peelkg query NAME` wall time beside `oxigraph query` on the same query and store (medians, ratio).

    The two commands take turns, run by run, so both see the machine in the same state.
    """
    peelkg = shutil.which("peelkg", path=str(Path(sys.executable).parent)) or shutil.which("peelkg")
    ours = [peelkg] if peelkg else [sys.executable, "-c", "from peelkg.cli import main; main()"]
    ours += ["query", CLI_QUERY, "--store", str(store_dir), "--format", "csv"]
    text = prepare_query(next(q.text for q in load_named_queries() if q.name == CLI_QUERY)).text
    theirs = [oxigraph_binary(), "query", "--location", str(store_dir), "--query", text, "--results-format", "csv"]
    note(f"query latency: peelkg query {CLI_QUERY} beside oxigraph query, {runs} runs each, in turn")
    _wall_ms(ours)                       # the query is checked once and remembered, as on a user's second run
    _wall_ms(theirs)
    peelkg_ms, oxigraph_ms = [], []
    for _ in range(runs):
        peelkg_ms.append(_wall_ms(ours))
        oxigraph_ms.append(_wall_ms(theirs))
    ours_median, theirs_median = statistics.median(peelkg_ms), statistics.median(oxigraph_ms)
    result.add(
        Figure("endpoint", f"peelkg query {CLI_QUERY}, wall median", ours_median, "ms", CLI_TARGET_MS, runs=runs,
               note=f"oxigraph query {theirs_median:.0f} ms; ratio {ours_median / theirs_median:.2f}; "
                    f"p90 {percentile(peelkg_ms, 90) or 0:.0f} ms"),
        Figure("endpoint", f"oxigraph query ({CLI_QUERY}'s text), wall median", theirs_median, "ms", runs=runs),
    )
