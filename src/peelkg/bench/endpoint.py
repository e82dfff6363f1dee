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


def bench_endpoint(result: BenchResult, store_dir: Path, note: Callable[[str], None],
                   requests: int = REQUESTS, parallel: int = PARALLEL) -> None:
    """p50 / p95 of the named queries through `peelkg serve`, and how many requests failed or were reset."""
    port = free_port("127.0.0.1")
    command = [sys.executable, "-c", "from peelkg.cli import main; main()", "serve", "--store", str(store_dir),
               "--port", str(port), "--page-port", "0"]
    note(f"endpoint: {requests} requests at {parallel} parallel on 127.0.0.1:{port}")
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_until_listening("127.0.0.1", port, time.monotonic() + 30, server):
            result.add(Figure("endpoint", "peelkg serve started", None, "", 1.0, note="it did not start"))
            return
        url = f"http://127.0.0.1:{port}/query"
        texts = named_texts()
        asyncio.run(_load(url, texts, len(texts), 1))            # each query checked once: the cached case
        latencies, failures = asyncio.run(_load(url, texts, requests, parallel))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    result.add(
        Figure("endpoint", f"named queries p95, {requests} requests at {parallel} parallel", ms(p95), "ms",
               P95_TARGET_MS, runs=len(latencies), note=f"p50 {ms(p50):.1f} ms; {len(texts)} named queries in turn"),
        Figure("endpoint", "requests answered 200 (no error, no reset)", float(requests - len(failures)), "requests",
               float(requests), higher_is_better=True, runs=requests,
               note=", ".join(sorted(set(failures))) or "none failed"),
    )


def _wall_ms(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(1000 * (time.perf_counter() - started))
    return times


def bench_cli_latency(result: BenchResult, store_dir: Path, note: Callable[[str], None], runs: int = 7) -> None:
    """`peelkg query NAME` wall time beside `oxigraph query` on the same query and store (medians, ratio)."""
    peelkg = shutil.which("peelkg", path=str(Path(sys.executable).parent)) or shutil.which("peelkg")
    ours = [peelkg] if peelkg else [sys.executable, "-c", "from peelkg.cli import main; main()"]
    text = prepare_query(next(q.text for q in load_named_queries() if q.name == CLI_QUERY)).text
    note(f"query latency: peelkg query {CLI_QUERY} beside oxigraph query, {runs} runs each")
    _wall_ms(ours + ["query", CLI_QUERY, "--store", str(store_dir), "--format", "csv"], 1)   # checked once, remembered
    peelkg_ms = _wall_ms(ours + ["query", CLI_QUERY, "--store", str(store_dir), "--format", "csv"], runs)
    oxigraph_ms = _wall_ms([oxigraph_binary(), "query", "--location", str(store_dir), "--query", text,
                            "--results-format", "csv"], runs)
    ours_median, theirs_median = statistics.median(peelkg_ms), statistics.median(oxigraph_ms)
    result.add(
        Figure("endpoint", f"peelkg query {CLI_QUERY}, wall median", ours_median, "ms", CLI_TARGET_MS, runs=runs,
               note=f"oxigraph query {theirs_median:.0f} ms; ratio {ours_median / theirs_median:.2f}"),
        Figure("endpoint", f"oxigraph query ({CLI_QUERY}'s text), wall median", theirs_median, "ms", runs=runs),
    )
